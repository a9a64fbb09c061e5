"""Steps 1 and 2 of the endpoints worker's pass (events/delivery.py): outbox rows of purpose
`endpoints` carried into tenant events (an earlier version's webhooks wrote them; the gateway
now writes tenant events itself), and each new tenant event fanned out to its endpoints.

A pass runs in one write transaction of the gateway's store, on SQLite on the event loop, where
it holds up every webhook arriving meanwhile: through SQLAlchemy a pass of ~20 events cost ~5 ms
of the loop (nine statements built, keyed and executed; SQLite's own work a tenth of it), ten
times a second at 200 webhooks/s, and that was the webhooks' p99 at a fixed rate. The
statements are built once here, each taking its rows in one statement where it can (an UPDATE
over a subquery, RETURNING what it took), and run on SQLite on the driver, compiled once
(`gateway.lite_direct`); PostgreSQL runs the same statements through SQLAlchemy.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Table,
    bindparam,
    insert,
    null,
    select,
    type_coerce,
    update,
)

from callplane.db.base import utcnow
from callplane.db.plans import plan_each_execution, taken
from callplane.events.catalog import matches
from callplane.events.models import TenantEvent, WebhookDelivery, WebhookEndpoint
from callplane.gateway.events import OUTBOX
from callplane.gateway.lite_direct import LiteStatement, execute, execute_many

# The gateway outbox rows that carried tenant events here, written until 2026-12-06: the rows
# a service stopped before that date left pending are carried when it starts again.
ENDPOINTS_PURPOSE = "endpoints"

EVENTS = cast(Table, TenantEvent.__table__)
ENDPOINTS = cast(Table, WebhookEndpoint.__table__)
DELIVERIES = cast(Table, WebhookDelivery.__table__)


def _inserting(table: Table) -> LiteStatement:
    """An INSERT of every column of `table`, each bound by its name."""
    # Typed by the columns when compiled (a foreign key's type is its target's, known once
    # every model is loaded).
    return LiteStatement(insert(table).values({c.key: bindparam(c.key) for c in table.c}))


def _taking_outbox(*, skip_locked: bool) -> LiteStatement:
    """Up to `limit` pending rows of the outbox marked carried, their payloads returned.
    Taken all at once: a replica (or a pass) carrying the same rows meanwhile waits for this
    write, then takes none of them (PostgreSQL: skips the rows locked by another)."""
    c = OUTBOX.c
    pending = select(c.id).where(
        c.purpose == ENDPOINTS_PURPOSE, c.delivered_at.is_(None), c.failed_at.is_(None)
    )
    # Oldest first, in the order of the pending rows' index: an ordered read that stops at
    # `limit`, whatever the statistics say of how many rows are pending.
    pending = pending.order_by(c.next_attempt_at).limit(bindparam("limit"))
    if skip_locked:
        pending = pending.with_for_update(skip_locked=True)
    return LiteStatement(
        update(OUTBOX)
        .where(taken(pending, c.id, as_array=skip_locked), c.delivered_at.is_(None))
        .values(delivered_at=bindparam("now"), lease=null())
        .returning(c.payload)
    )


_TAKE_OUTBOX = {False: _taking_outbox(skip_locked=False), True: _taking_outbox(skip_locked=True)}
_KNOWN_EVENTS = LiteStatement(
    select(EVENTS.c.id).where(EVENTS.c.id.in_(bindparam("ids", expanding=True)))
)
_INSERT_EVENTS = _inserting(EVENTS)

_e = EVENTS.c


def _taking_events(*, as_array: bool) -> LiteStatement:
    """The oldest `limit` events not fanned out yet, marked so, each returning its key alone.
    Read in the order of the index of the pending events alone (`ix_tenant_events_to_fan_out`),
    which stops at `limit`: a pass costs its share, not the backlog (through the index of
    `fanned_out_at`, every pending event was read and sorted each pass: ~150 ms a pass 5 s into
    a burst). Not `SKIP LOCKED`: another replica's pass meanwhile waits for this one and takes
    none of its events, so the passes write deliveries in the events' order (a call's later
    event must not be delivered before an earlier one's delivery exists)."""
    pending = (
        select(_e.id)
        .where(_e.fanned_out_at.is_(None))
        .order_by(_e.created_at)
        .limit(bindparam("limit"))
    )
    return LiteStatement(
        update(EVENTS)
        .where(taken(pending, _e.id, as_array=as_array), _e.fanned_out_at.is_(None))
        .values(fanned_out_at=bindparam("now"))
        .returning(_key(_e.id))
    )


def _key(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A key column as the driver returns it (SQLite: the stored text; PostgreSQL: psycopg's
    UUID), not made a UUID per row: most of a pass's events go to no endpoint, and making
    each row's UUIDs and datetimes was most of a pass's time on the event loop."""
    return type_coerce(column, String).label("key")


_TAKE_EVENTS = {False: _taking_events(as_array=False), True: _taking_events(as_array=True)}
# The events a pass marked (`fanned_out_at` is the pass's time) whose tenant has an enabled
# endpoint, in their order, read whole. Another pass marking its own at the very same instant
# would add its events here: the caller keeps those whose key it took. Each event's tenant is
# looked up by the index of the endpoints' tenant (a pass's share of events, not every endpoint
# of the platform read per pass).
_enabled = ENDPOINTS.c.enabled.is_(True)
_MARKED_TO_DELIVER = LiteStatement(
    select(_e.id, _e.tenant_id, _e.type, _e.order_key, _e.created_at, _key(_e.id))
    .where(
        _e.fanned_out_at == bindparam("now"),
        select(ENDPOINTS.c.id).where(ENDPOINTS.c.tenant_id == _e.tenant_id, _enabled).exists(),
    )
    .order_by(_e.created_at)
)
_ENDPOINTS_OF_MARKED = LiteStatement(
    select(ENDPOINTS.c.id, ENDPOINTS.c.tenant_id, ENDPOINTS.c.events, ENDPOINTS.c.created_at).where(
        _enabled,
        ENDPOINTS.c.tenant_id.in_(
            select(_e.tenant_id).where(_e.fanned_out_at == bindparam("now")).scalar_subquery()
        ),
    )
)
_INSERT_DELIVERIES = _inserting(DELIVERIES)


def carry_and_fan_out(conn: Connection, limit: int) -> None:
    """Steps 1 and 2 of a pass, in the caller's transaction on the gateway's store."""
    plan_each_execution(conn)
    now = utcnow()
    _carry(conn, limit, now)
    _fan_out(conn, limit, now)


def _carry(conn: Connection, limit: int, now: datetime) -> None:
    take = _TAKE_OUTBOX[conn.dialect.name == "postgresql"]
    taken = execute(conn, take, {"limit": limit, "now": now})
    events = {e["id"]: e for row in taken for e in json.loads(row.payload)}
    if not events:
        return
    idents = [uuid.UUID(ident) for ident in events]
    known = {row.id for row in execute(conn, _KNOWN_EVENTS, {"ids": idents})}
    rows = [
        {
            "id": ident,
            "tenant_id": uuid.UUID(event["tenant_id"]),
            "type": event["type"],
            "order_key": event.get("order_key"),
            "body": event["body"],
            "created_at": datetime.fromisoformat(event["created_at"]),
            "fanned_out_at": None,
            "only_endpoint_id": None,
        }
        for ident, event in zip(idents, events.values(), strict=True)
        if ident not in known
    ]
    execute_many(conn, _INSERT_EVENTS, rows)


def _fan_out(conn: Connection, limit: int, now: datetime) -> None:
    take = _TAKE_EVENTS[conn.dialect.name == "postgresql"]
    taken = {row.key for row in execute(conn, take, {"limit": limit, "now": now})}
    if not taken:
        return
    events = [ev for ev in execute(conn, _MARKED_TO_DELIVER, {"now": now}) if ev.key in taken]
    if not events:
        return
    endpoints = execute(conn, _ENDPOINTS_OF_MARKED, {"now": now})
    rows = [
        _delivery(ev, endpoint_id=endpoint.id, now=now)
        for ev in events
        for endpoint in endpoints
        # An endpoint gets the events that happened once it existed.
        if endpoint.tenant_id == ev.tenant_id
        and endpoint.created_at <= ev.created_at
        and matches(endpoint.events, ev.type)
    ]
    execute_many(conn, _INSERT_DELIVERIES, rows)


def _delivery(event: Any, *, endpoint_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "tenant_id": event.tenant_id,
        "endpoint_id": endpoint_id,
        "event_id": event.id,
        "type": event.type,
        "order_key": event.order_key,
        "event_at": event.created_at,
        "attempts": 0,
        "next_attempt_at": now,
        "delivered_at": None,
        "failed_at": None,
        "lease": None,
        "last_status": None,
        "last_error": None,
        "created_at": now,
    }
