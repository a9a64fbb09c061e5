from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.sms_in import SmsIn
    from ..models.voice_in import VoiceIn


T = TypeVar("T", bound="AgentPatch")


@_attrs_define
class AgentPatch:
    """Changes to an agent; `voice` and `sms` are replaced whole when given.

    Attributes:
        name (None | str | Unset):
        voice (None | Unset | VoiceIn):
        sms (None | SmsIn | Unset):
        events_url (None | str | Unset):
        rotate_events_secret (bool | Unset):  Default: False.
    """

    name: None | str | Unset = UNSET
    voice: None | Unset | VoiceIn = UNSET
    sms: None | SmsIn | Unset = UNSET
    events_url: None | str | Unset = UNSET
    rotate_events_secret: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        from ..models.sms_in import SmsIn
        from ..models.voice_in import VoiceIn

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        voice: dict[str, Any] | None | Unset
        if isinstance(self.voice, Unset):
            voice = UNSET
        elif isinstance(self.voice, VoiceIn):
            voice = self.voice.to_dict()
        else:
            voice = self.voice

        sms: dict[str, Any] | None | Unset
        if isinstance(self.sms, Unset):
            sms = UNSET
        elif isinstance(self.sms, SmsIn):
            sms = self.sms.to_dict()
        else:
            sms = self.sms

        events_url: None | str | Unset
        if isinstance(self.events_url, Unset):
            events_url = UNSET
        else:
            events_url = self.events_url

        rotate_events_secret = self.rotate_events_secret

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if voice is not UNSET:
            field_dict["voice"] = voice
        if sms is not UNSET:
            field_dict["sms"] = sms
        if events_url is not UNSET:
            field_dict["events_url"] = events_url
        if rotate_events_secret is not UNSET:
            field_dict["rotate_events_secret"] = rotate_events_secret

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.sms_in import SmsIn
        from ..models.voice_in import VoiceIn

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_voice(data: object) -> None | Unset | VoiceIn:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                voice_type_0 = VoiceIn.from_dict(data)

                return voice_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VoiceIn, data)

        voice = _parse_voice(d.pop("voice", UNSET))

        def _parse_sms(data: object) -> None | SmsIn | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sms_type_0 = SmsIn.from_dict(data)

                return sms_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SmsIn | Unset, data)

        sms = _parse_sms(d.pop("sms", UNSET))

        def _parse_events_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        events_url = _parse_events_url(d.pop("events_url", UNSET))

        rotate_events_secret = d.pop("rotate_events_secret", UNSET)

        agent_patch = cls(
            name=name,
            voice=voice,
            sms=sms,
            events_url=events_url,
            rotate_events_secret=rotate_events_secret,
        )

        return agent_patch
