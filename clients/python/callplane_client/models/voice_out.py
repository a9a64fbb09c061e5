from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
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
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
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

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
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
