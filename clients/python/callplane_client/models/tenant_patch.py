from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.tenant_patch_status_type_0 import (
    TenantPatchStatusType0,
    check_tenant_patch_status_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="TenantPatch")


@_attrs_define
class TenantPatch:
    """Changes to a tenant (offboarding is DELETE). `name` and `status` need a platform key;
    the tenant's admins may set `default_sms_from` (null clears it).

        Attributes:
            name (None | str | Unset):
            status (None | TenantPatchStatusType0 | Unset):
            default_sms_from (None | str | Unset): The sender of messages sent without `from`: one of the tenant's active
                SMS-capable numbers
    """

    name: None | str | Unset = UNSET
    status: None | TenantPatchStatusType0 | Unset = UNSET
    default_sms_from: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, str):
            status = self.status
        else:
            status = self.status

        default_sms_from: None | str | Unset
        if isinstance(self.default_sms_from, Unset):
            default_sms_from = UNSET
        else:
            default_sms_from = self.default_sms_from

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if status is not UNSET:
            field_dict["status"] = status
        if default_sms_from is not UNSET:
            field_dict["default_sms_from"] = default_sms_from

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_status(data: object) -> None | TenantPatchStatusType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = check_tenant_patch_status_type_0(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TenantPatchStatusType0 | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_default_sms_from(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default_sms_from = _parse_default_sms_from(d.pop("default_sms_from", UNSET))

        tenant_patch = cls(
            name=name,
            status=status,
            default_sms_from=default_sms_from,
        )

        return tenant_patch
