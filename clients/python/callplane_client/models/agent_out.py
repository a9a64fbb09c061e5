from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.sms_out import SmsOut
    from ..models.voice_out import VoiceOut


T = TypeVar("T", bound="AgentOut")


@_attrs_define
class AgentOut:
    """An agent; `events_secret` only when created or rotated.

    Attributes:
        id (UUID):
        name (str):
        voice (VoiceOut): Voice routing.
        sms (SmsOut): SMS handling.
        events_url (None | str):
        created_at (datetime.datetime):
        events_secret (None | str | Unset):
    """

    id: UUID
    name: str
    voice: VoiceOut
    sms: SmsOut
    events_url: None | str
    created_at: datetime.datetime
    events_secret: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        voice = self.voice.to_dict()

        sms = self.sms.to_dict()

        events_url: None | str
        events_url = self.events_url

        created_at = self.created_at.isoformat()

        events_secret: None | str | Unset
        if isinstance(self.events_secret, Unset):
            events_secret = UNSET
        else:
            events_secret = self.events_secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "voice": voice,
                "sms": sms,
                "events_url": events_url,
                "created_at": created_at,
            }
        )
        if events_secret is not UNSET:
            field_dict["events_secret"] = events_secret

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.sms_out import SmsOut
        from ..models.voice_out import VoiceOut

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        voice = VoiceOut.from_dict(d.pop("voice"))

        sms = SmsOut.from_dict(d.pop("sms"))

        def _parse_events_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        events_url = _parse_events_url(d.pop("events_url"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_events_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        events_secret = _parse_events_secret(d.pop("events_secret", UNSET))

        agent_out = cls(
            id=id,
            name=name,
            voice=voice,
            sms=sms,
            events_url=events_url,
            created_at=created_at,
            events_secret=events_secret,
        )

        agent_out.additional_properties = d
        return agent_out

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
