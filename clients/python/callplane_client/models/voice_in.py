from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.voice_in_mode import VoiceInMode, check_voice_in_mode
from ..models.voice_in_provider_type_0 import (
    VoiceInProviderType0,
    check_voice_in_provider_type_0,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.forward_action import ForwardAction
    from ..models.say_action import SayAction
    from ..models.voice_in_parameters import VoiceInParameters
    from ..models.voicemail_action import VoicemailAction


T = TypeVar("T", bound="VoiceIn")


@_attrs_define
class VoiceIn:
    """How calls to the agent's numbers are handled.

    Attributes:
        mode (VoiceInMode):
        stream_url (None | str | Unset):
        parameters (VoiceInParameters | Unset):
        sip_uri (None | str | Unset):
        forward_to (None | str | Unset):
        caller_id (None | str | Unset):
        whisper (None | str | Unset):
        greeting (None | str | Unset):
        record (bool | Unset):  Default: False.
        url (None | str | Unset): Mode webhook: the tenant's app that routes each call (a signed POST)
        timeout_ms (int | None | Unset): Mode webhook: its deadline (default 2000)
        fallback (ForwardAction | None | SayAction | Unset | VoicemailAction): What a caller gets when routing fails
            (default: a spoken apology)
        provider (None | Unset | VoiceInProviderType0): Voice mode `provider`: the voice-AI provider the agent lives at
        provider_agent_id (None | str | Unset): Voice mode `provider`: the provider's id of the agent (LiveKit: its
            name)
    """

    mode: VoiceInMode
    stream_url: None | str | Unset = UNSET
    parameters: VoiceInParameters | Unset = UNSET
    sip_uri: None | str | Unset = UNSET
    forward_to: None | str | Unset = UNSET
    caller_id: None | str | Unset = UNSET
    whisper: None | str | Unset = UNSET
    greeting: None | str | Unset = UNSET
    record: bool | Unset = False
    url: None | str | Unset = UNSET
    timeout_ms: int | None | Unset = UNSET
    fallback: ForwardAction | None | SayAction | Unset | VoicemailAction = UNSET
    provider: None | Unset | VoiceInProviderType0 = UNSET
    provider_agent_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.forward_action import ForwardAction
        from ..models.say_action import SayAction
        from ..models.voicemail_action import VoicemailAction

        mode: str = self.mode

        stream_url: None | str | Unset
        if isinstance(self.stream_url, Unset):
            stream_url = UNSET
        else:
            stream_url = self.stream_url

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        sip_uri: None | str | Unset
        if isinstance(self.sip_uri, Unset):
            sip_uri = UNSET
        else:
            sip_uri = self.sip_uri

        forward_to: None | str | Unset
        if isinstance(self.forward_to, Unset):
            forward_to = UNSET
        else:
            forward_to = self.forward_to

        caller_id: None | str | Unset
        if isinstance(self.caller_id, Unset):
            caller_id = UNSET
        else:
            caller_id = self.caller_id

        whisper: None | str | Unset
        if isinstance(self.whisper, Unset):
            whisper = UNSET
        else:
            whisper = self.whisper

        greeting: None | str | Unset
        if isinstance(self.greeting, Unset):
            greeting = UNSET
        else:
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
        elif (
            isinstance(self.fallback, SayAction)
            or isinstance(self.fallback, ForwardAction)
            or isinstance(self.fallback, VoicemailAction)
        ):
            fallback = self.fallback.to_dict()
        else:
            fallback = self.fallback

        provider: None | str | Unset
        if isinstance(self.provider, Unset):
            provider = UNSET
        elif isinstance(self.provider, str):
            provider = self.provider
        else:
            provider = self.provider

        provider_agent_id: None | str | Unset
        if isinstance(self.provider_agent_id, Unset):
            provider_agent_id = UNSET
        else:
            provider_agent_id = self.provider_agent_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "mode": mode,
            }
        )
        if stream_url is not UNSET:
            field_dict["stream_url"] = stream_url
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if sip_uri is not UNSET:
            field_dict["sip_uri"] = sip_uri
        if forward_to is not UNSET:
            field_dict["forward_to"] = forward_to
        if caller_id is not UNSET:
            field_dict["caller_id"] = caller_id
        if whisper is not UNSET:
            field_dict["whisper"] = whisper
        if greeting is not UNSET:
            field_dict["greeting"] = greeting
        if record is not UNSET:
            field_dict["record"] = record
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
        from ..models.forward_action import ForwardAction
        from ..models.say_action import SayAction
        from ..models.voice_in_parameters import VoiceInParameters
        from ..models.voicemail_action import VoicemailAction

        d = dict(src_dict)
        mode = check_voice_in_mode(d.pop("mode"))

        def _parse_stream_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        stream_url = _parse_stream_url(d.pop("stream_url", UNSET))

        _parameters = d.pop("parameters", UNSET)
        parameters: VoiceInParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = VoiceInParameters.from_dict(_parameters)

        def _parse_sip_uri(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sip_uri = _parse_sip_uri(d.pop("sip_uri", UNSET))

        def _parse_forward_to(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        forward_to = _parse_forward_to(d.pop("forward_to", UNSET))

        def _parse_caller_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        caller_id = _parse_caller_id(d.pop("caller_id", UNSET))

        def _parse_whisper(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        whisper = _parse_whisper(d.pop("whisper", UNSET))

        def _parse_greeting(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        greeting = _parse_greeting(d.pop("greeting", UNSET))

        record = d.pop("record", UNSET)

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

        def _parse_fallback(
            data: object,
        ) -> ForwardAction | None | SayAction | Unset | VoicemailAction:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                fallback_type_0_type_0 = SayAction.from_dict(data)

                return fallback_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                fallback_type_0_type_1 = ForwardAction.from_dict(data)

                return fallback_type_0_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                fallback_type_0_type_2 = VoicemailAction.from_dict(data)

                return fallback_type_0_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                ForwardAction | None | SayAction | Unset | VoicemailAction, data
            )

        fallback = _parse_fallback(d.pop("fallback", UNSET))

        def _parse_provider(data: object) -> None | Unset | VoiceInProviderType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                provider_type_0 = check_voice_in_provider_type_0(data)

                return provider_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VoiceInProviderType0, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        def _parse_provider_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_agent_id = _parse_provider_agent_id(d.pop("provider_agent_id", UNSET))

        voice_in = cls(
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

        return voice_in
