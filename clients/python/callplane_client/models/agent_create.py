from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.sms_in import SmsIn
    from ..models.voice_in import VoiceIn


T = TypeVar("T", bound="AgentCreate")


@_attrs_define
class AgentCreate:
    """A new agent.

    Attributes:
        name (str):
        voice (VoiceIn): How calls to the agent's numbers are handled.
        sms (SmsIn | Unset): How messages to the agent's numbers are handled.
        events_url (None | str | Unset):
    """

    name: str
    voice: VoiceIn
    sms: SmsIn | Unset = UNSET
    events_url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        voice = self.voice.to_dict()

        sms: dict[str, Any] | Unset = UNSET
        if not isinstance(self.sms, Unset):
            sms = self.sms.to_dict()

        events_url: None | str | Unset
        if isinstance(self.events_url, Unset):
            events_url = UNSET
        else:
            events_url = self.events_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "voice": voice,
            }
        )
        if sms is not UNSET:
            field_dict["sms"] = sms
        if events_url is not UNSET:
            field_dict["events_url"] = events_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.sms_in import SmsIn
        from ..models.voice_in import VoiceIn

        d = dict(src_dict)
        name = d.pop("name")

        voice = VoiceIn.from_dict(d.pop("voice"))

        _sms = d.pop("sms", UNSET)
        sms: SmsIn | Unset
        if isinstance(_sms, Unset):
            sms = UNSET
        else:
            sms = SmsIn.from_dict(_sms)

        def _parse_events_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        events_url = _parse_events_url(d.pop("events_url", UNSET))

        agent_create = cls(
            name=name,
            voice=voice,
            sms=sms,
            events_url=events_url,
        )

        return agent_create
