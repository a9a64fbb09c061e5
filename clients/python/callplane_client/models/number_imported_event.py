from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.number_imported_event_schema_version import (
    NumberImportedEventSchemaVersion,
    check_number_imported_event_schema_version,
)
from ..models.number_imported_event_type import (
    NumberImportedEventType,
    check_number_imported_event_type,
)

if TYPE_CHECKING:
    from ..models.number_event_data import NumberEventData


T = TypeVar("T", bound="NumberImportedEvent")


@_attrs_define
class NumberImportedEvent:
    """`number.imported` (schema version 1): A number the tenant's Twilio account already held was imported.

    Attributes:
        id (UUID): The event id (also `Callplane-Event-Id`): dedupe on it.
        type_ (NumberImportedEventType):
        schema_version (NumberImportedEventSchemaVersion):
        created_at (datetime.datetime):
        tenant_id (UUID):
        data (NumberEventData): A phone number of the tenant's changed.
    """

    id: UUID
    type_: NumberImportedEventType
    schema_version: NumberImportedEventSchemaVersion
    created_at: datetime.datetime
    tenant_id: UUID
    data: NumberEventData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        type_: str = self.type_

        schema_version: int = self.schema_version

        created_at = self.created_at.isoformat()

        tenant_id = str(self.tenant_id)

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "schema_version": schema_version,
                "created_at": created_at,
                "tenant_id": tenant_id,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.number_event_data import NumberEventData

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        type_ = check_number_imported_event_type(d.pop("type"))

        schema_version = check_number_imported_event_schema_version(
            d.pop("schema_version")
        )

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        tenant_id = UUID(d.pop("tenant_id"))

        data = NumberEventData.from_dict(d.pop("data"))

        number_imported_event = cls(
            id=id,
            type_=type_,
            schema_version=schema_version,
            created_at=created_at,
            tenant_id=tenant_id,
            data=data,
        )

        number_imported_event.additional_properties = d
        return number_imported_event

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
