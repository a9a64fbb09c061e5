from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TenantOut")


@_attrs_define
class TenantOut:
    """A tenant.

    Attributes:
        id (UUID):
        slug (str):
        name (str):
        status (str):
        created_at (datetime.datetime):
        default_sms_from (None | str | Unset):
    """

    id: UUID
    slug: str
    name: str
    status: str
    created_at: datetime.datetime
    default_sms_from: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        slug = self.slug

        name = self.name

        status = self.status

        created_at = self.created_at.isoformat()

        default_sms_from: None | str | Unset
        if isinstance(self.default_sms_from, Unset):
            default_sms_from = UNSET
        else:
            default_sms_from = self.default_sms_from

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "slug": slug,
                "name": name,
                "status": status,
                "created_at": created_at,
            }
        )
        if default_sms_from is not UNSET:
            field_dict["default_sms_from"] = default_sms_from

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        slug = d.pop("slug")

        name = d.pop("name")

        status = d.pop("status")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_default_sms_from(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default_sms_from = _parse_default_sms_from(d.pop("default_sms_from", UNSET))

        tenant_out = cls(
            id=id,
            slug=slug,
            name=name,
            status=status,
            created_at=created_at,
            default_sms_from=default_sms_from,
        )

        tenant_out.additional_properties = d
        return tenant_out

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
