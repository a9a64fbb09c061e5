from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrunkNumberOut")


@_attrs_define
class TrunkNumberOut:
    """A number as its trunk association sees it.

    Attributes:
        id (UUID):
        phone_number (str):
        trunk_id (None | UUID):
        twilio_sid (None | str):
        status (str):
        emergency_address_sid (None | str | Unset):
    """

    id: UUID
    phone_number: str
    trunk_id: None | UUID
    twilio_sid: None | str
    status: str
    emergency_address_sid: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        phone_number = self.phone_number

        trunk_id: None | str
        if isinstance(self.trunk_id, UUID):
            trunk_id = str(self.trunk_id)
        else:
            trunk_id = self.trunk_id

        twilio_sid: None | str
        twilio_sid = self.twilio_sid

        status = self.status

        emergency_address_sid: None | str | Unset
        if isinstance(self.emergency_address_sid, Unset):
            emergency_address_sid = UNSET
        else:
            emergency_address_sid = self.emergency_address_sid

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "phone_number": phone_number,
                "trunk_id": trunk_id,
                "twilio_sid": twilio_sid,
                "status": status,
            }
        )
        if emergency_address_sid is not UNSET:
            field_dict["emergency_address_sid"] = emergency_address_sid

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        phone_number = d.pop("phone_number")

        def _parse_trunk_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                trunk_id_type_0 = UUID(data)

                return trunk_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        trunk_id = _parse_trunk_id(d.pop("trunk_id"))

        def _parse_twilio_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        twilio_sid = _parse_twilio_sid(d.pop("twilio_sid"))

        status = d.pop("status")

        def _parse_emergency_address_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        emergency_address_sid = _parse_emergency_address_sid(
            d.pop("emergency_address_sid", UNSET)
        )

        trunk_number_out = cls(
            id=id,
            phone_number=phone_number,
            trunk_id=trunk_id,
            twilio_sid=twilio_sid,
            status=status,
            emergency_address_sid=emergency_address_sid,
        )

        trunk_number_out.additional_properties = d
        return trunk_number_out

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
