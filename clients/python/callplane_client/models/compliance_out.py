from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.compliance_out_scope import ComplianceOutScope, check_compliance_out_scope
from ..models.compliance_out_type import ComplianceOutType, check_compliance_out_type
from ..types import UNSET, Unset

T = TypeVar("T", bound="ComplianceOut")


@_attrs_define
class ComplianceOut:
    """A compliance profile: the platform's (tenant_id null) or a tenant's.

    Attributes:
        scope (ComplianceOutScope):
        tenant_id (None | UUID):
        country (str):
        type_ (ComplianceOutType):
        bundle_sid (None | str):
        address_sid (None | str):
        emergency_address_sid (None | str):
        updated_at (datetime.datetime):
        bundle_status (None | str | Unset): The bundle's status at Twilio when the profile was written
    """

    scope: ComplianceOutScope
    tenant_id: None | UUID
    country: str
    type_: ComplianceOutType
    bundle_sid: None | str
    address_sid: None | str
    emergency_address_sid: None | str
    updated_at: datetime.datetime
    bundle_status: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scope: str = self.scope

        tenant_id: None | str
        if isinstance(self.tenant_id, UUID):
            tenant_id = str(self.tenant_id)
        else:
            tenant_id = self.tenant_id

        country = self.country

        type_: str = self.type_

        bundle_sid: None | str
        bundle_sid = self.bundle_sid

        address_sid: None | str
        address_sid = self.address_sid

        emergency_address_sid: None | str
        emergency_address_sid = self.emergency_address_sid

        updated_at = self.updated_at.isoformat()

        bundle_status: None | str | Unset
        if isinstance(self.bundle_status, Unset):
            bundle_status = UNSET
        else:
            bundle_status = self.bundle_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "scope": scope,
                "tenant_id": tenant_id,
                "country": country,
                "type": type_,
                "bundle_sid": bundle_sid,
                "address_sid": address_sid,
                "emergency_address_sid": emergency_address_sid,
                "updated_at": updated_at,
            }
        )
        if bundle_status is not UNSET:
            field_dict["bundle_status"] = bundle_status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        scope = check_compliance_out_scope(d.pop("scope"))

        def _parse_tenant_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tenant_id_type_0 = UUID(data)

                return tenant_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id"))

        country = d.pop("country")

        type_ = check_compliance_out_type(d.pop("type"))

        def _parse_bundle_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        bundle_sid = _parse_bundle_sid(d.pop("bundle_sid"))

        def _parse_address_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        address_sid = _parse_address_sid(d.pop("address_sid"))

        def _parse_emergency_address_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        emergency_address_sid = _parse_emergency_address_sid(
            d.pop("emergency_address_sid")
        )

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_bundle_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bundle_status = _parse_bundle_status(d.pop("bundle_status", UNSET))

        compliance_out = cls(
            scope=scope,
            tenant_id=tenant_id,
            country=country,
            type_=type_,
            bundle_sid=bundle_sid,
            address_sid=address_sid,
            emergency_address_sid=emergency_address_sid,
            updated_at=updated_at,
            bundle_status=bundle_status,
        )

        compliance_out.additional_properties = d
        return compliance_out

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
