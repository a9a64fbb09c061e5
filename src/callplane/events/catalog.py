"""The event types tenant apps receive, each with a versioned schema of its `data`.

A type's schema only grows (new optional fields); a change that is not backwards compatible
gets a new version, named in `SCHEMA_VERSIONS` and sent as `schema_version` in the envelope.
Endpoints subscribe with patterns: an exact type, a family (`call.*`) or everything (`*`).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Data(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class TwilioEventData(_Data):
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


class NumberEventData(_Data):
    """A phone number of the tenant's changed."""

    number_id: str
    phone_number: str
    status: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class RegistrationEventData(_Data):
    """A number's registration at a voice-AI provider."""

    number_id: str
    phone_number: str | None = None
    provider: str
    status: str
    detail: str | None = None


class ConnectionHealthEventData(_Data):
    """The tenant's Twilio connection changed health."""

    status: str
    previous: str | None = None
    detail: str | None = None


class EndpointEventData(_Data):
    """About one of the tenant's webhook endpoints (disabled, or a test)."""

    endpoint_id: str
    url: str
    reason: str | None = None


# type -> (schema version, data model, what it means)
CATALOG: dict[str, tuple[int, type[BaseModel], str]] = {
    "call.received": (1, TwilioEventData, "A call reached a number and was routed to its agent."),
    "call.unrouted": (1, TwilioEventData, "A call reached a number that has no agent."),
    "call.rejected": (1, TwilioEventData, "A call was refused: tenant suspended or plan canceled."),
    "call.status_changed": (1, TwilioEventData, "Twilio reported a new status of a call."),
    "call.completed": (1, TwilioEventData, "A call ended (completed, busy, failed, no answer...)."),
    "call.fallback_used": (1, TwilioEventData, "Twilio used the number's voice fallback."),
    "message.received": (1, TwilioEventData, "A message reached one of the tenant's numbers."),
    "message.status_changed": (1, TwilioEventData, "Twilio reported a new status of a message."),
    "recording.completed": (1, TwilioEventData, "A call recording is ready."),
    "recording.in_progress": (1, TwilioEventData, "A call recording started."),
    "recording.failed": (1, TwilioEventData, "A call recording failed."),
    "recording.absent": (1, TwilioEventData, "A call recording was empty (no audio)."),
    "number.bought": (1, NumberEventData, "A number was bought for the tenant."),
    "number.imported": (
        1,
        NumberEventData,
        "A number the tenant's Twilio account already held was imported.",
    ),
    "number.released": (1, NumberEventData, "A number was released."),
    "number.handed_back": (1, NumberEventData, "An imported number was handed back, not deleted."),
    "number.drift_found": (
        1,
        NumberEventData,
        "Reconciliation found the number differing at Twilio.",
    ),
    "provider.registration_synced": (
        1,
        RegistrationEventData,
        "A number registered at a provider.",
    ),
    "provider.registration_failed": (
        1,
        RegistrationEventData,
        "A provider refused a registration.",
    ),
    "connection.health_changed": (1, ConnectionHealthEventData, "The Twilio connection's health."),
    "endpoint.disabled": (1, EndpointEventData, "An endpoint failing for too long was disabled."),
    "endpoint.test": (1, EndpointEventData, "A test event (POST .../webhook-endpoints/{id}/test)."),
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


def schema_name(event_type: str) -> str:
    """The OpenAPI component name of an event type's body: `call.received` -> CallReceivedEvent."""
    words = re.split(r"[._]", event_type)
    return "".join(w.capitalize() for w in words) + "Event"


def webhooks(ref: str = "#/components/schemas/{model}") -> tuple[dict[str, Any], dict[str, Any]]:
    """(OpenAPI 3.1 `webhooks`, the component schemas they use): one POST per event type."""
    components: dict[str, Any] = {}
    hooks: dict[str, Any] = {}
    for event_type, (version, model, description) in CATALOG.items():
        data = model.model_json_schema(by_alias=True, ref_template=ref)
        components.update(data.pop("$defs", {}))
        components[model.__name__] = data
        name = schema_name(event_type)
        components[name] = {
            "title": name,
            "type": "object",
            "description": f"`{event_type}` (schema version {version}): {description}",
            "required": ["id", "type", "schema_version", "created_at", "tenant_id", "data"],
            "properties": {
                "id": {
                    "type": "string",
                    "format": "uuid",
                    "description": "The event id (also `Callplane-Event-Id`): dedupe on it.",
                },
                "type": {"type": "string", "enum": [event_type]},
                "schema_version": {"type": "integer", "enum": [version]},
                "created_at": {"type": "string", "format": "date-time"},
                "tenant_id": {"type": "string", "format": "uuid"},
                "data": {"$ref": ref.format(model=model.__name__)},
            },
        }
        hooks[event_type] = {
            "post": {
                "operationId": "event_" + re.sub(r"[^a-z0-9]+", "_", event_type),
                "summary": description,
                "description": (
                    "Sent to each enabled webhook endpoint subscribed to this type, signed: "
                    "`Callplane-Signature: t=<unix>,v1=<hex>` (two `v1` during a secret "
                    "rotation), `Callplane-Event-Id`. See docs/events.md to verify it."
                ),
                "tags": ["webhooks"],
                "parameters": [
                    {
                        "name": header,
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": text,
                    }
                    for header, text in (
                        ("Callplane-Signature", "t=<unix seconds>,v1=<hex HMAC-SHA256>..."),
                        ("Callplane-Event-Id", "The event id (the same on every retry)."),
                    )
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": ref.format(model=name)}}},
                },
                "responses": {
                    "2XX": {"description": "Received (any other answer is retried)."},
                },
            }
        }
    return hooks, components
