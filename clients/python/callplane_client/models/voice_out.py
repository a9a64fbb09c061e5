from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.voice_out_fallback_type_0 import VoiceOutFallbackType0
    from ..models.voice_out_parameters import VoiceOutParameters


T = TypeVar("T", bound="VoiceOut")


@_attrs_define
class VoiceOut:
    """Voice routing.

    Attributes:
        mode (str):
        stream_url (None | str):
        parameters (VoiceOutParameters):
        sip_uri (None | str):
        forward_to (None | str):
        caller_id (None | str):
        whisper (None | str):
        greeting (None | str):
        record (bool):
        url (None | str | Unset):
        timeout_ms (int | None | Unset):
        fallback (None | Unset | VoiceOutFallbackType0):
        provider (None | str | Unset):
        provider_agent_id (None | str | Unset):
    """

    mode: str
    stream_url: None | str
    parameters: VoiceOutParameters
    sip_uri: None | str
    forward_to: None | str
    caller_id: None | str
    whisper: None | str
    greeting: None | str
    record: bool
    url: None | str | Unset = UNSET
    timeout_ms: int | None | Unset = UNSET
    fallback: None | Unset | VoiceOutFallbackType0 = UNSET
    provider: None | str | Unset = UNSET
    provider_agent_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.voice_out_fallback_type_0 import VoiceOutFallbackType0

        mode = self.mode

        stream_url: None | str
        stream_url = self.stream_url

        parameters = self.parameters.to_dict()

        sip_uri: None | str
        sip_uri = self.sip_uri

        forward_to: None | str
        forward_to = self.forward_to

        caller_id: None | str
        caller_id = self.caller_id

        whisper: None | str
        whisper = self.whisper

        greeting: None | str
        greeting = self.greeting

        record = self.record

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        timeout_ms: int | None | Unset
        if isinstance(self.timeout_ms, Unset):
            timeout_ms = UNSET
        else:
            timeout_ms = self.timeout_ms

        fallback: dict[str, Any] | None | Unset
        if isinstance(self.fallback, Unset):
            fallback = UNSET
        elif isinstance(self.fallback, VoiceOutFallbackType0):
            fallback = self.fallback.to_dict()
        else:
            fallback = self.fallback

        provider: None | str | Unset
        if isinstance(self.provider, Unset):
            provider = UNSET
        else:
            provider = self.provider

        provider_agent_id: None | str | Unset
        if isinstance(self.provider_agent_id, Unset):
            provider_agent_id = UNSET
        else:
            provider_agent_id = self.provider_agent_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mode": mode,
                "stream_url": stream_url,
                "parameters": parameters,
                "sip_uri": sip_uri,
                "forward_to": forward_to,
                "caller_id": caller_id,
                "whisper": whisper,
                "greeting": greeting,
                "record": record,
            }
        )
        if url is not UNSET:
            field_dict["url"] = url
        if timeout_ms is not UNSET:
            field_dict["timeout_ms"] = timeout_ms
        if fallback is not UNSET:
            field_dict["fallback"] = fallback
        if provider is not UNSET:
            field_dict["provider"] = provider
        if provider_agent_id is not UNSET:
            field_dict["provider_agent_id"] = provider_agent_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.voice_out_fallback_type_0 import VoiceOutFallbackType0
        from ..models.voice_out_parameters import VoiceOutParameters

        d = dict(src_dict)
        mode = d.pop("mode")

        def _parse_stream_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stream_url = _parse_stream_url(d.pop("stream_url"))

        parameters = VoiceOutParameters.from_dict(d.pop("parameters"))

        def _parse_sip_uri(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sip_uri = _parse_sip_uri(d.pop("sip_uri"))

        def _parse_forward_to(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        forward_to = _parse_forward_to(d.pop("forward_to"))

        def _parse_caller_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        caller_id = _parse_caller_id(d.pop("caller_id"))

        def _parse_whisper(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        whisper = _parse_whisper(d.pop("whisper"))

        def _parse_greeting(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        greeting = _parse_greeting(d.pop("greeting"))

        record = d.pop("record")

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        def _parse_timeout_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timeout_ms = _parse_timeout_ms(d.pop("timeout_ms", UNSET))

        def _parse_fallback(data: object) -> None | Unset | VoiceOutFallbackType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                fallback_type_0 = VoiceOutFallbackType0.from_dict(data)

                return fallback_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VoiceOutFallbackType0, data)

        fallback = _parse_fallback(d.pop("fallback", UNSET))

        def _parse_provider(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        def _parse_provider_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_agent_id = _parse_provider_agent_id(d.pop("provider_agent_id", UNSET))

        voice_out = cls(
            mode=mode,
            stream_url=stream_url,
            parameters=parameters,
            sip_uri=sip_uri,
            forward_to=forward_to,
            caller_id=caller_id,
            whisper=whisper,
            greeting=greeting,
            record=record,
            url=url,
            timeout_ms=timeout_ms,
            fallback=fallback,
            provider=provider,
            provider_agent_id=provider_agent_id,
        )

        voice_out.additional_properties = d
        return voice_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
