"""Outbound message and call shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from callplane.gateway.models import Event
from callplane.schemas import JsonUUID, StrictModel


class MessageCreate(StrictModel):
    """An SMS to send from one of the tenant's numbers."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    from_: str | None = Field(
        default=None,
        alias="from",
        min_length=1,
        max_length=40,
        description="The tenant's number; without it the tenant's default sender "
        "(`default_sms_from`), else the platform's SMS pool when it is on",
    )
    to: str = Field(min_length=1, max_length=40)
    body: str = Field(min_length=1, max_length=1600)


class CallCreate(StrictModel):
    """A call from one of the tenant's numbers, connected to an agent when answered."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    from_: str = Field(alias="from", min_length=1, max_length=40, description="The tenant's number")
    to: str = Field(min_length=1, max_length=40)
    agent_id: JsonUUID


class OutboundOut(BaseModel):
    """A sent message or started call (an event of kind outbound_sms / outbound_call)."""

    model_config = ConfigDict(populate_by_name=True)

    id: uuid.UUID
    kind: str
    sid: str | None
    status: str | None
    from_: str | None = Field(serialization_alias="from")
    to: str | None
    number_id: uuid.UUID | None
    agent_id: uuid.UUID | None
    body: str | None = None
    created_at: datetime
    detail: dict[str, Any] | None = None

    @classmethod
    def from_model(cls, event: Event) -> OutboundOut:
        """The public view of an outbound event."""
        detail = dict(event.detail or {})
        return cls(
            id=event.id,
            kind=event.kind,
            sid=event.sid,
            status=event.state,
            from_=event.from_number,
            to=event.to_number,
            number_id=event.number_id,
            agent_id=event.agent_id,
            body=detail.get("body") if event.kind == "outbound_sms" else None,
            created_at=event.received_at,
            detail=detail,
        )
