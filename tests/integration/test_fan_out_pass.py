"""What a fan-out pass writes (events/carry.py): a delivery for each event it took whose tenant
has an endpoint that wants it, in the events' order, and nothing for the rest, which it marks
fanned out all the same. The pass reads whole only the events that go to an endpoint; it must
still deliver exactly the events it took, not another pass's marked at the same instant."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, select

from callplane.db.base import utcnow
from callplane.events import carry
from callplane.events import service as events
from callplane.events.schemas import EndpointCreate
from callplane.gateway.lite_direct import execute_many
from callplane.gateway.store import GatewayStore
from callplane.runtime import Runtime
from callplane.tenancy import SYSTEM, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.schemas import TenantCreate


async def _tenant(db: Runtime, slug: str) -> TenantScope:
    async with db.uow() as uow:
        row = await tenants.create_tenant(
            uow=uow, actor=SYSTEM, data=TenantCreate(slug=slug, name=slug)
        )
    return TenantScope(tenant_id=row.id, actor=SYSTEM)


async def _endpoint(db: Runtime, scope: TenantScope, patterns: list[str]) -> uuid.UUID:
    async with db.uow() as uow:
        endpoint, _secret = await events.create_endpoint(
            uow=uow,
            scope=scope,
            data=EndpointCreate(url="https://hooks.example.com/in", events=patterns),
        )
    return endpoint.id


def _event(scope: TenantScope, kind: str, key: str, at: Any, fanned: Any = None) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "tenant_id": scope.tenant_id,
        "type": kind,
        "order_key": key,
        "body": "{}",
        "created_at": at,
        "fanned_out_at": fanned,
        "only_endpoint_id": None,
    }


async def test_a_pass_delivers_the_events_it_took_to_the_endpoints_that_want_them(
    db: Runtime,
) -> None:
    wanting, other, silent = [await _tenant(db, s) for s in ("wanting", "other", "silent")]
    calls = await _endpoint(db, wanting, ["call.*"])
    everything = await _endpoint(db, other, ["*"])
    await _endpoint(db, silent, ["message.*"])
    now = utcnow()
    later = now + timedelta(seconds=5)  # after the endpoints were made
    ours = [
        _event(wanting, "call.received", "w1", later),
        _event(silent, "call.received", "s1", later + timedelta(milliseconds=1)),
        _event(other, "call.completed", "o1", later + timedelta(milliseconds=2)),
        _event(wanting, "message.received", "w2", later + timedelta(milliseconds=3)),
        _event(wanting, "call.completed", "w3", later + timedelta(milliseconds=4)),
    ]
    mark = later + timedelta(seconds=1)  # the pass's instant
    # Another pass's event, marked at the very same instant: not this pass's to deliver.
    theirs = _event(wanting, "call.received", "theirs", later, fanned=mark)
    store = GatewayStore(db.settings.database_url)
    try:
        await store.write(lambda conn: execute_many(conn, carry._INSERT_EVENTS, [*ours, theirs]))
        await store.write(lambda conn: carry._fan_out(conn, 10, mark))

        def written(conn: Connection) -> tuple[list[Any], dict[str, Any]]:
            d, e = carry.DELIVERIES.c, carry.EVENTS.c
            deliveries = conn.execute(
                select(d.endpoint_id, e.order_key)
                .join(carry.EVENTS, e.id == d.event_id)
                .order_by(d.event_at)
            ).all()
            marked = dict(conn.execute(select(e.order_key, e.fanned_out_at)).all())
            return [tuple(row) for row in deliveries], marked

        deliveries, marked = await store.read(written)
    finally:
        await store.close()
    assert deliveries == [(calls, "w1"), (everything, "o1"), (calls, "w3")]
    assert {key for key, at in marked.items() if at is not None} == {
        "w1",
        "s1",
        "o1",
        "w2",
        "w3",
        "theirs",
    }


@pytest.mark.sqlite_only
async def test_a_pass_reads_its_own_marked_events_by_index_on_sqlite(db: Runtime) -> None:
    """The pass finds the events it marked, and their tenants' endpoints, through indexes: not
    by reading every event fanned out so far, nor every endpoint of the platform."""
    async with db.engine.connect() as conn:
        for statement in (carry._MARKED_TO_DELIVER, carry._ENDPOINTS_OF_MARKED):
            compiled = statement.statement.compile(dialect=db.engine.dialect)
            values = compiled.construct_params({"now": utcnow().isoformat()})
            params = tuple(values[name] for name in compiled.positiontup or ())
            plan = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)).all()
            steps = [str(row[-1]) for row in plan]
            assert [s for s in steps if s.startswith("SCAN")] == [], steps
            assert any("USING INDEX ix_tenant_events_fanned_out" in s for s in steps), steps
