"""The rows a webhook records: its event, the outbox rows that carry it to the agent's URLs (the
JSON payload documented in docs/gateway.md) and its tenant events (the tenant's endpoints').
Pure: the writer (`recorder`) inserts them."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, case, exists, literal_column

from callplane.db.base import utcnow
from callplane.events.models import TenantEvent, WebhookEndpoint
from callplane.gateway.decision import Decision, NumberRoute
from callplane.gateway.models import Event, OutboxMessage
from callplane.gateway.twilio_signature import FormParams

EVENTS = cast(Table, Event.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)
TENANT_EVENTS = cast(Table, TenantEvent.__table__)
# Every column, in table order: the writer inserts many rows in one statement, each with all of
# them (the builders below set every one).
EVENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENTS.columns)
OUTBOX_COLUMNS: tuple[str, ...] = tuple(c.name for c in OUTBOX.columns)
TENANT_EVENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in TENANT_EVENTS.columns)

_ENDPOINTS = cast(Table, WebhookEndpoint.__table__)


def fanned_out_unless_wanted(
    *, tenant_id: Any, fanned_out_at: Any, created_at: Any
) -> ColumnElement[Any]:
    """A webhook's tenant event's `fanned_out_at`, from its tenant, its own value and its time:
    its own (None: for the endpoints' pass) while its tenant has an enabled endpoint, else its
    time, decided in the insert itself. An event no endpoint can want is then never taken by
    a pass: on PostgreSQL each pass stepped over the index entries of the events earlier passes
    had marked (docs/benchmarks.md, twenty-sixth pass; the edge this moves at an endpoint's
    creation: docs/decisions.md)."""
    e = _ENDPOINTS.c
    wanted = exists().where(e.tenant_id == tenant_id, e.enabled.is_(True))
    return case((wanted, fanned_out_at), else_=created_at)


def fanned_out_unless_wanted_sql(
    dialect: Any, *, tenant_id: str, fanned_out_at: str, created_at: str
) -> str:
    """`fanned_out_unless_wanted` as `dialect`'s SQL, over the SQL of its three values (the
    recorder's statements written for the driver)."""
    clause = fanned_out_unless_wanted(
        tenant_id=literal_column(tenant_id),
        fanned_out_at=literal_column(fanned_out_at),
        created_at=literal_column(created_at),
    )
    return str(clause.compile(dialect=dialect))


CALL_KINDS = ("voice", "outbound_call")
MESSAGE_KINDS = ("sms", "outbound_sms")
# Call states in the order Twilio moves through them; the last rank is terminal.
CALL_STATE_RANK: dict[str, int] = {
    "queued": 0,
    "initiated": 0,
    "ringing": 1,
    "in-progress": 2,
    "answered": 2,
    "completed": 3,
    "busy": 3,
    "failed": 3,
    "no-answer": 3,
    "canceled": 3,
}
# Message states: outbound queued < sending < sent < delivered|undelivered|failed < read.
MESSAGE_STATE_RANK: dict[str, int] = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "receiving": 2,
    "sent": 3,
    "received": 4,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "read": 5,
}


_EVENT_IDS = uuid.UUID("6f1c1f4e-3a52-4f0b-9c55-5a8e3c2f7d01")


def event_id(account_sid: str | None, token: str | None) -> uuid.UUID:
    """The event's id: derived from Twilio's idempotency token (within its account), so that a
    retried webhook meets its first recording's primary key; random without a token."""
    if not token:
        return uuid.uuid4()
    return uuid.uuid5(_EVENT_IDS, f"{account_sid}:{token}")


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else value


# Outbound sends keep their Idempotency-Key in the same column (`outbound:<kind>:<tenant>:<key>`,
# messaging.service); no webhook's token is ever stored with this prefix.
OUTBOUND_TOKEN_PREFIX = "outbound:"


def idempotency_key(header: str | None) -> str | None:
    """The event's unique token from Twilio's `I-Twilio-Idempotency-Token` header."""
    if not header:
        return None
    token = header.strip()
    # The column holds 255 characters: a longer token is kept as its digest (still unique). So
    # is one in the outbound sends' namespace, so that a webhook signed by an account a tenant
    # shares cannot claim that tenant's next send's key; and one with a NUL (no column holds it).
    if len(token) <= 255 and not token.startswith(OUTBOUND_TOKEN_PREFIX) and "\x00" not in token:
        return token
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


def event_row(
    *,
    kind: str,
    fields: FormParams,
    account_sid: str,
    sid: str | None,
    decision: str,
    state: str | None,
    idempotency_token: str | None,
    tenant_id: uuid.UUID | None,
    number_id: uuid.UUID | None,
    agent_id: uuid.UUID | None,
    detail: dict[str, Any],
    fallback_used: bool = False,
    error_code: str | None = None,
) -> dict[str, Any]:
    """The event of one webhook, every column set (`fallback_used`, `error_code`: a call Twilio
    sent to the voice fallback URL, and the error it reported for the primary webhook)."""
    return {
        "id": event_id(account_sid, idempotency_token),
        "tenant_id": tenant_id,
        "kind": kind,
        "sid": _cut(sid, 34),
        "account_sid": account_sid,
        "from_number": _cut(fields.get("From"), 32),
        "to_number": _cut(fields.get("To"), 32),
        "number_id": number_id,
        "agent_id": agent_id,
        "decision": decision,
        "state": _cut(state, 32),
        "idempotency_token": idempotency_token,
        "detail": detail,
        "received_at": utcnow(),
        "fallback_used": fallback_used,
        "error_code": _cut(error_code, 16),
    }


def payload(
    event: dict[str, Any],
    event_type: str,
    number: str | None,
    fields: FormParams,
    reason: str | None,
) -> str:
    """The JSON body a tenant's app receives for an event."""
    return json.dumps(
        {
            "id": str(event["id"]),
            "type": event_type,
            "created_at": event["received_at"].isoformat(),
            "tenant_id": _str(event["tenant_id"]),
            **_described(event, number, fields, reason),
        },
        separators=(",", ":"),
    )


def _described(
    event: dict[str, Any], number: str | None, fields: FormParams, reason: str | None
) -> dict[str, Any]:
    """What an event says beyond its id, type, time and tenant: the agent's payload goes on with
    it, a tenant event's `data` is it."""
    return {
        "agent_id": _str(event["agent_id"]),
        "number_id": _str(event["number_id"]),
        "number": number,
        "account_sid": event["account_sid"],
        "sid": event["sid"],
        "from": fields.get("From"),
        "to": fields.get("To"),
        "state": event["state"],
        "decision": event["decision"],
        "reason": reason,
        "twilio": dict(fields),
    }


def _str(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


def outbox_rows(
    event: dict[str, Any],
    urls: list[tuple[str, str]],
    *,
    agent_id: uuid.UUID,
    tenant_id: uuid.UUID,
    event_type: str,
    fields: FormParams,
    number: str | None = None,
    reason: str | None = None,
) -> list[dict[str, Any]]:
    """The deliveries of `event` to each (url, purpose), due now, every column set."""
    if not urls:
        return []
    body = payload(event, event_type, number, fields, reason)
    now = event["received_at"]
    return [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "event_id": event["id"],
            "agent_id": agent_id,
            "url": url,
            "payload": body,
            "purpose": purpose,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "delivered_at": None,
            "failed_at": None,
            "lease": None,
            "last_status": None,
            "last_error": None,
        }
        for url, purpose in urls
    ]


def routed_deliveries(route: NumberRoute | None, decision: Decision) -> list[tuple[str, str]]:
    """(url, purpose) for a routed call or message: the agent's SMS webhook, its events URL."""
    if route is None or route.agent is None or decision.outcome != "routed":
        return []
    agent = route.agent
    urls: list[tuple[str, str]] = []
    if decision.forward_to_url:
        urls.append((decision.forward_to_url, "sms"))
    if agent.events_url and agent.events_url != decision.forward_to_url:
        urls.append((agent.events_url, "events"))
    return urls


_TENANT_EVENT_IDS = uuid.UUID("0b5e3f0c-7a4d-4c1e-9a51-2f8d6e4b9c17")
TERMINAL_CALL_STATES = frozenset(s for s, rank in CALL_STATE_RANK.items() if rank == 3)


def call_types(decision: str) -> list[str]:
    """The tenant event types of an inbound call by its decision."""
    return [{"routed": "call.received", "rejected": "call.rejected"}.get(decision, "call.unrouted")]


def status_types(state: str, messages: bool) -> list[str]:
    """The tenant event types of a status callback (a call's last status is also completed)."""
    if messages:
        return ["message.status_changed"]
    if state in TERMINAL_CALL_STATES:
        return ["call.status_changed", "call.completed"]
    return ["call.status_changed"]


def tenant_event_rows(
    event: dict[str, Any],
    types: list[str],
    *,
    tenant_id: uuid.UUID,
    fields: FormParams,
    number: str | None = None,
    reason: str | None = None,
) -> list[dict[str, Any]]:
    """This event as the tenant events of `types`, every column set, to write in the webhook's
    transaction (events/delivery.py fans them out to the tenant's endpoints), so an answered
    webhook's events reach the endpoints. The first type's event id is the gateway event's own;
    the others' are derived from it (stable across Twilio's retries)."""
    data = _described(event, number, fields, reason)
    rows = []
    for i, event_type in enumerate(types):
        # A microsecond apart: the order the types are listed in is the order they arrive in.
        created = event["received_at"] + timedelta(microseconds=i)
        ident = (
            event["id"] if i == 0 else uuid.uuid5(_TENANT_EVENT_IDS, f"{event['id']}:{event_type}")
        )
        body = json.dumps(
            {
                "id": str(ident),
                "type": event_type,
                "schema_version": 1,
                "created_at": created.isoformat(),
                "tenant_id": str(tenant_id),
                "data": data,
            },
            separators=(",", ":"),
        )
        rows.append(
            {
                "id": ident,
                "tenant_id": tenant_id,
                "type": event_type,
                "order_key": event["sid"],
                "body": body,
                "created_at": created,
                "fanned_out_at": None,
                "only_endpoint_id": None,
            }
        )
    return rows
