from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.recording_completed_event_schema_version import (
    RecordingCompletedEventSchemaVersion,
    check_recording_completed_event_schema_version,
)
from ..models.recording_completed_event_type import (
    RecordingCompletedEventType,
    check_recording_completed_event_type,
)

if TYPE_CHECKING:
    from ..models.twilio_event_data import TwilioEventData


T = TypeVar("T", bound="RecordingCompletedEvent")


@_attrs_define
class RecordingCompletedEvent:
    """`recording.completed` (schema version 1): A call recording is ready.

    Attributes:
        id (UUID): The event id (also `Callplane-Event-Id`): dedupe on it.
        type_ (RecordingCompletedEventType):
        schema_version (RecordingCompletedEventSchemaVersion):
        created_at (datetime.datetime):
        tenant_id (UUID):
        data (TwilioEventData): A call, message or recording as Twilio reported it to one of the tenant's numbers.
    """

    id: UUID
    type_: RecordingCompletedEventType
    schema_version: RecordingCompletedEventSchemaVersion
    created_at: datetime.datetime
    tenant_id: UUID
    data: TwilioEventData
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
        from ..models.twilio_event_data import TwilioEventData

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        type_ = check_recording_completed_event_type(d.pop("type"))

        schema_version = check_recording_completed_event_schema_version(
            d.pop("schema_version")
        )

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        tenant_id = UUID(d.pop("tenant_id"))

        data = TwilioEventData.from_dict(d.pop("data"))

        recording_completed_event = cls(
            id=id,
            type_=type_,
            schema_version=schema_version,
            created_at=created_at,
            tenant_id=tenant_id,
            data=data,
        )

        recording_completed_event.additional_properties = d
        return recording_completed_event

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
