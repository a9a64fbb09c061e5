from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ComplianceIn")


@_attrs_define
class ComplianceIn:
    """Which bundle and addresses buy a country's numbers of one type.

    Attributes:
        bundle_sid (None | str | Unset):
        address_sid (None | str | Unset):
        emergency_address_sid (None | str | Unset):
    """

    bundle_sid: None | str | Unset = UNSET
    address_sid: None | str | Unset = UNSET
    emergency_address_sid: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        bundle_sid: None | str | Unset
        if isinstance(self.bundle_sid, Unset):
            bundle_sid = UNSET
        else:
            bundle_sid = self.bundle_sid

        address_sid: None | str | Unset
        if isinstance(self.address_sid, Unset):
            address_sid = UNSET
        else:
            address_sid = self.address_sid

        emergency_address_sid: None | str | Unset
        if isinstance(self.emergency_address_sid, Unset):
            emergency_address_sid = UNSET
        else:
            emergency_address_sid = self.emergency_address_sid

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if bundle_sid is not UNSET:
            field_dict["bundle_sid"] = bundle_sid
        if address_sid is not UNSET:
            field_dict["address_sid"] = address_sid
        if emergency_address_sid is not UNSET:
            field_dict["emergency_address_sid"] = emergency_address_sid

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_bundle_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bundle_sid = _parse_bundle_sid(d.pop("bundle_sid", UNSET))

        def _parse_address_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        address_sid = _parse_address_sid(d.pop("address_sid", UNSET))

        def _parse_emergency_address_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        emergency_address_sid = _parse_emergency_address_sid(
            d.pop("emergency_address_sid", UNSET)
        )

        compliance_in = cls(
            bundle_sid=bundle_sid,
            address_sid=address_sid,
            emergency_address_sid=emergency_address_sid,
        )

        return compliance_in
