"""Webhook endpoint shapes: the secret is in an answer only when created or rotated."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from callplane.events.catalog import valid_pattern
from callplane.schemas import StrictModel

HTTP_URL = r"^https?://[^\s]+$"
EVENTS_DESCRIPTION = (
    "Event types to receive: exact (`message.received`), a family (`call.*`) or `*` for all."
)


def _patterns(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    bad = [p for p in value if not valid_pattern(p)]
    if bad:
        raise ValueError(f"unknown event types: {', '.join(bad)} (see docs/events.md)")
    return list(dict.fromkeys(value))


class EndpointCreate(StrictModel):
    """`POST webhook-endpoints`: where to send which events."""

    url: str = Field(max_length=2048, pattern=HTTP_URL, description="A public http(s) URL.")
    events: list[str] = Field(min_length=1, max_length=50, description=EVENTS_DESCRIPTION)
    enabled: bool = True

    _check_events = field_validator("events")(_patterns)


class EndpointPatch(StrictModel):
    """`PATCH webhook-endpoints/{id}`: any of url, events, enabled (re-enabling clears the
    failure record)."""

    url: str | None = Field(default=None, max_length=2048, pattern=HTTP_URL)
    events: list[str] | None = Field(
        default=None, min_length=1, max_length=50, description=EVENTS_DESCRIPTION
    )
    enabled: bool | None = None

    _check_events = field_validator("events")(_patterns)


class EndpointOut(BaseModel):
    """A webhook endpoint (`secret` only in the answer that created or rotated it)."""

    id: uuid.UUID
    url: str
    events: list[str]
    enabled: bool
    secret: str | None = Field(default=None, description="Shown once: keep it to verify events.")
    disabled_reason: str | None = None
    failing_since: datetime | None = None
    created_at: datetime


# What the delivery log can be narrowed to: attempts answered 2xx, or all the others.
AttemptOutcome = Literal["succeeded", "failed"]


class AttemptOut(BaseModel):
    """One delivery attempt of the delivery log."""

    id: uuid.UUID
    event_id: uuid.UUID
    type: str
    attempt: int
    status_code: int | None
    latency_ms: int | None
    error: str | None
    at: datetime


class QueuedOut(BaseModel):
    """A delivery queued now (retry, replay, test): the worker sends it within a second."""

    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
