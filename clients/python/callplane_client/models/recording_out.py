from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RecordingOut")


@_attrs_define
class RecordingOut:
    """A recording of one of the tenant's calls (the media stays at Twilio, behind `url`).

    Attributes:
        id (UUID):
        call_sid (str):
        recording_sid (str):
        phone_number (None | str):
        number_id (None | UUID):
        duration_s (int | None):
        url (None | str):
        status (str):
        created_at (datetime.datetime):
    """

    id: UUID
    call_sid: str
    recording_sid: str
    phone_number: None | str
    number_id: None | UUID
    duration_s: int | None
    url: None | str
    status: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        call_sid = self.call_sid

        recording_sid = self.recording_sid

        phone_number: None | str
        phone_number = self.phone_number

        number_id: None | str
        if isinstance(self.number_id, UUID):
            number_id = str(self.number_id)
        else:
            number_id = self.number_id

        duration_s: int | None
        duration_s = self.duration_s

        url: None | str
        url = self.url

        status = self.status

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "call_sid": call_sid,
                "recording_sid": recording_sid,
                "phone_number": phone_number,
                "number_id": number_id,
                "duration_s": duration_s,
                "url": url,
                "status": status,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        call_sid = d.pop("call_sid")

        recording_sid = d.pop("recording_sid")

        def _parse_phone_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        phone_number = _parse_phone_number(d.pop("phone_number"))

        def _parse_number_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                number_id_type_0 = UUID(data)

                return number_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        number_id = _parse_number_id(d.pop("number_id"))

        def _parse_duration_s(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        duration_s = _parse_duration_s(d.pop("duration_s"))

        def _parse_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        url = _parse_url(d.pop("url"))

        status = d.pop("status")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        recording_out = cls(
            id=id,
            call_sid=call_sid,
            recording_sid=recording_sid,
            phone_number=phone_number,
            number_id=number_id,
            duration_s=duration_s,
            url=url,
            status=status,
            created_at=created_at,
        )

        recording_out.additional_properties = d
        return recording_out

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
