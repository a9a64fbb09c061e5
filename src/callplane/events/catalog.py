"""The event types tenant apps receive, each with a versioned schema of its `data`.

A type's schema only grows (new optional fields); a change that is not backwards compatible
gets a new version, named in `SCHEMA_VERSIONS` and sent as `schema_version` in the envelope.
Endpoints subscribe with patterns: an exact type, a family (`call.*`) or everything (`*`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Data(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class GatewayData(_Data):
    """A call, message or recording as Twilio reported it to one of the tenant's numbers."""

    agent_id: str | None = None
    number_id: str | None = None
    number: str | None = Field(default=None, description="The tenant's number (E.164).")
    account_sid: str | None = None
    sid: str | None = Field(default=None, description="CallSid or MessageSid.")
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    state: str | None = Field(default=None, description="Twilio's status of the call/message.")
    decision: str | None = Field(default=None, description="routed, unrouted or rejected.")
    reason: str | None = None
    twilio: dict[str, str] = Field(default_factory=dict, description="Twilio's parameters.")


class NumberData(_Data):
    """A phone number of the tenant's changed."""

    number_id: str
    phone_number: str
    status: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class RegistrationData(_Data):
    """A number's registration at a voice-AI provider."""

    number_id: str
    phone_number: str | None = None
    provider: str
    status: str
    detail: str | None = None


class ConnectionHealthData(_Data):
    """The tenant's Twilio connection changed health."""

    status: str
    previous: str | None = None
    detail: str | None = None


class EndpointData(_Data):
    """About one of the tenant's webhook endpoints (disabled, or a test)."""

    endpoint_id: str
    url: str
    reason: str | None = None


# type -> (schema version, data model, what it means)
CATALOG: dict[str, tuple[int, type[BaseModel], str]] = {
    "call.received": (1, GatewayData, "A call reached a number and was routed to its agent."),
    "call.unrouted": (1, GatewayData, "A call reached a number that has no agent."),
    "call.rejected": (1, GatewayData, "A call was refused: tenant suspended or plan canceled."),
    "call.status_changed": (1, GatewayData, "Twilio reported a new status of a call."),
    "call.completed": (1, GatewayData, "A call ended (completed, busy, failed, no answer...)."),
    "call.fallback_used": (1, GatewayData, "Twilio used the number's voice fallback."),
    "message.received": (1, GatewayData, "A message reached one of the tenant's numbers."),
    "message.status_changed": (1, GatewayData, "Twilio reported a new status of a message."),
    "recording.completed": (1, GatewayData, "A call recording is ready."),
    "recording.in_progress": (1, GatewayData, "A call recording started."),
    "recording.failed": (1, GatewayData, "A call recording failed."),
    "recording.absent": (1, GatewayData, "A call recording was empty (no audio)."),
    "number.bought": (1, NumberData, "A number was bought for the tenant."),
    "number.released": (1, NumberData, "A number was released."),
    "number.handed_back": (1, NumberData, "An imported number was handed back, not deleted."),
    "number.drift_found": (1, NumberData, "Reconciliation found the number differing at Twilio."),
    "provider.registration_synced": (1, RegistrationData, "A number registered at a provider."),
    "provider.registration_failed": (1, RegistrationData, "A provider refused a registration."),
    "connection.health_changed": (1, ConnectionHealthData, "The Twilio connection's health."),
    "endpoint.disabled": (1, EndpointData, "An endpoint failing for too long was disabled."),
    "endpoint.test": (1, EndpointData, "A test event (POST .../webhook-endpoints/{id}/test)."),
}
TYPES: tuple[str, ...] = tuple(CATALOG)
FAMILIES: frozenset[str] = frozenset(t.split(".", 1)[0] for t in TYPES)
SCHEMA_VERSIONS: dict[str, int] = {t: v for t, (v, _, _) in CATALOG.items()}


def valid_pattern(pattern: str) -> bool:
    """Whether `pattern` names a type, a family (`call.*`) or everything (`*`)."""
    if pattern == "*" or pattern in CATALOG:
        return True
    family, _, rest = pattern.partition(".")
    return rest == "*" and family in FAMILIES


def matches(patterns: list[str], event_type: str) -> bool:
    """Whether an endpoint subscribed to `patterns` receives `event_type`."""
    family = event_type.split(".", 1)[0]
    return any(p in ("*", event_type, f"{family}.*") for p in patterns)


class Envelope(BaseModel):
    """What every delivery's body is (signed as sent: verify the raw bytes)."""

    id: str = Field(description="The event id (also the Callplane-Event-Id header): dedupe on it.")
    type: str
    schema_version: int
    created_at: datetime
    tenant_id: str
    data: dict[str, Any]


def envelope_schema(event_type: str) -> dict[str, Any]:
    """The JSON schema of the body of one event type (for the OpenAPI `webhooks`)."""
    version, model, description = CATALOG[event_type]
    data = model.model_json_schema(by_alias=True)
    return {
        "type": "object",
        "description": description,
        "required": ["id", "type", "schema_version", "created_at", "tenant_id", "data"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "type": {"const": event_type},
            "schema_version": {"const": version},
            "created_at": {"type": "string", "format": "date-time"},
            "tenant_id": {"type": "string", "format": "uuid"},
            "data": data,
        },
    }
