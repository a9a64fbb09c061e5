from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.health_out import HealthOut


T = TypeVar("T", bound="ConnectionHealthOut")


@_attrs_define
class ConnectionHealthOut:
    """One tenant's connection and its last health check.

    Attributes:
        tenant_id (UUID):
        slug (str):
        model (str):
        account_sid (None | str):
        status (str):
        health (HealthOut): The last credential health check.
    """

    tenant_id: UUID
    slug: str
    model: str
    account_sid: None | str
    status: str
    health: HealthOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant_id = str(self.tenant_id)

        slug = self.slug

        model = self.model

        account_sid: None | str
        account_sid = self.account_sid

        status = self.status

        health = self.health.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant_id": tenant_id,
                "slug": slug,
                "model": model,
                "account_sid": account_sid,
                "status": status,
                "health": health,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.health_out import HealthOut

        d = dict(src_dict)
        tenant_id = UUID(d.pop("tenant_id"))

        slug = d.pop("slug")

        model = d.pop("model")

        def _parse_account_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        account_sid = _parse_account_sid(d.pop("account_sid"))

        status = d.pop("status")

        health = HealthOut.from_dict(d.pop("health"))

        connection_health_out = cls(
            tenant_id=tenant_id,
            slug=slug,
            model=model,
            account_sid=account_sid,
            status=status,
            health=health,
        )

        connection_health_out.additional_properties = d
        return connection_health_out

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
