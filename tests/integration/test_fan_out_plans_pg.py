"""On PostgreSQL the endpoints worker's fan-out pass reads only the events it takes, and its
claim only the deliveries due, however the table has grown since the connection first ran them:
a plan kept from when the table was empty (a sequential scan, prepared on the connection) must
not serve a table of thousands of rows that autovacuum may never have analyzed again (the pass
then read every event ten times a second: 50-76 ms a pass at 122,000 events). Nor must
statistics of an empty table over pages that have filled again, which even a plan made afresh
believes: the pending rows are read through indexes of those alone, and taken by key (a claim
of one due delivery read every delivery four times over)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Connection, text

from callplane.db import rls
from callplane.db.base import utcnow
from callplane.db.migrate import upgrade
from callplane.events import carry, delivery
from callplane.gateway.lite_direct import execute_many
from callplane.gateway.store import GatewayStore
from callplane.runtime import Runtime
from callplane.tenancy import TenantScope
from tests.fixtures.db import make_settings
from tests.integration.test_fan_out_pass import _endpoint, _event, _tenant

pytestmark = pytest.mark.postgres_only

Step = Callable[[Connection], object]

# The rows of a table this session has read and not yet reported (what other sessions see of
# it lags by up to a second).
_READ_BY_THIS_SESSION = text(
    "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables"
    " WHERE relname = :table"
)


def _reads(conn: Connection, table: str, run: Callable[[Connection], object]) -> int:
    """The rows of `table` that `run` read, in the caller's transaction on `conn`."""
    before = conn.execute(_READ_BY_THIS_SESSION, {"table": table}).scalar_one()
    run(conn)
    return int(conn.execute(_READ_BY_THIS_SESSION, {"table": table}).scalar_one() - before)


@pytest.fixture
def migrated(empty_pg: str) -> str:
    """A database of its own, migrated, whose tables have never held a row."""
    upgrade(empty_pg)
    return empty_pg


@pytest.fixture
async def fresh(migrated: str, sandbox: object) -> AsyncIterator[Runtime]:
    """A runtime on that database (the session's, emptied by DELETE between tests, keeps pages
    that its statistics would count as empty, which no planning afresh corrects: db/plans.py)."""
    runtime = Runtime.create(make_settings(migrated, sandbox))
    try:
        yield runtime
    finally:
        await runtime.close()


async def _analyzed_empty(db: Runtime, table: str) -> None:
    """`table` analyzed while empty, as a deployment's first ANALYZE after its migrations finds
    it (the benchmark analyzes each database it seeds); nothing here analyzes it again."""
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql(f"ANALYZE {table}")


def _fanned_events(scope: TenantScope, count: int) -> list[dict[str, Any]]:
    """Events already fanned out, as a webhook of a tenant with no endpoint writes them."""
    at = utcnow() - timedelta(hours=1)
    return [_event(scope, "call.received", f"k{i}", at, fanned=at) for i in range(count)]


async def test_a_pass_reads_only_pending_events_however_the_table_grew(fresh: Runtime) -> None:
    scope = await _tenant(fresh, "grown")
    await _analyzed_empty(fresh, "tenant_events")
    # Passes one after the other: each takes the pool's one connection, where the pass's
    # statements are prepared and their plans kept.
    store = GatewayStore(fresh.settings.database_url)
    try:
        for _ in range(12):  # past psycopg's preparing and PostgreSQL's generic plan
            await store.write(lambda conn: carry.carry_and_fan_out(conn, 500))
        events = _fanned_events(scope, 3000)
        await store.write(lambda conn: execute_many(conn, carry._INSERT_EVENTS, events))
        reads = await store.write(
            lambda conn: _reads(conn, "tenant_events", lambda c: carry.carry_and_fan_out(c, 500))
        )
    finally:
        await store.close()
    assert reads == 0, f"a pass with nothing pending read {reads} events"


Rows = list[dict[str, Any]]


def _delivered(scope: TenantScope, endpoint_id: uuid.UUID, count: int) -> tuple[Rows, Rows]:
    """`count` events and their deliveries to the endpoint, delivered."""
    events = _fanned_events(scope, count)
    done = utcnow()
    deliveries = [
        {
            **carry._delivery(SimpleNamespace(**ev), endpoint_id=endpoint_id, now=done),
            "attempts": 1,
            "delivered_at": done,
            "last_status": 200,
        }
        for ev in events
    ]
    return events, deliveries


def _inserting(events: Rows, deliveries: Rows) -> Step:
    def insert(conn: Connection) -> None:
        execute_many(conn, carry._INSERT_EVENTS, events)
        if deliveries:
            execute_many(conn, carry._INSERT_DELIVERIES, deliveries)

    return insert


def _claim(conn: Connection) -> object:
    return delivery.claim_due(conn, now=utcnow(), limit=50, lease_seconds=60)


def _pass(conn: Connection) -> object:
    carry.carry_and_fan_out(conn, 500)
    return None


async def _on_one_connection(db: Runtime, steps: list[Step], table: str, last: Step) -> int:
    """Each step in its own transaction on one connection (where the plans are kept), then the
    rows of `table` that `last` read."""
    async with db.engine.connect() as conn:
        for step in steps:
            async with conn.begin():
                await rls.apply(conn, rls.PLATFORM_SCOPE)
                await conn.run_sync(step)
        async with conn.begin():
            await rls.apply(conn, rls.PLATFORM_SCOPE)
            return await conn.run_sync(lambda c: _reads(c, table, last))


async def test_a_claim_reads_only_due_deliveries_however_the_table_grew(fresh: Runtime) -> None:
    scope = await _tenant(fresh, "grown")
    endpoint_id = await _endpoint(fresh, scope, ["*"])
    await _analyzed_empty(fresh, "webhook_deliveries")
    steps = [*[_claim] * 12, _inserting(*_delivered(scope, endpoint_id, 3000))]
    reads = await _on_one_connection(fresh, steps, "webhook_deliveries", _claim)
    assert reads == 0, f"a claim with nothing due read {reads} deliveries"


async def _emptied_and_analyzed(db: Runtime, table: str, fill: Step) -> None:
    """`table` filled by `fill`, emptied by DELETE and analyzed: statistics of no rows over the
    pages the rows left, which a plan made afresh believes (a deployment's table purged by
    retention and analyzed before it filled again)."""
    async with db.engine.begin() as conn:
        await rls.apply(conn, rls.PLATFORM_SCOPE)
        await conn.run_sync(fill)
        await conn.exec_driver_sql(f"DELETE FROM {table}")
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql(f"ANALYZE {table}")


async def _endpoint_of_emptied_deliveries(db: Runtime) -> tuple[TenantScope, uuid.UUID]:
    """A tenant and its endpoint, whose 3,000 deliveries were written, deleted and analyzed."""
    scope = await _tenant(db, "refilled")
    endpoint_id = await _endpoint(db, scope, ["*"])
    await _emptied_and_analyzed(
        db, "webhook_deliveries", _inserting(*_delivered(scope, endpoint_id, 3000))
    )
    return scope, endpoint_id


async def test_a_claim_reads_only_due_deliveries_after_the_table_was_emptied(
    fresh: Runtime,
) -> None:
    scope, endpoint_id = await _endpoint_of_emptied_deliveries(fresh)
    steps = [_inserting(*_delivered(scope, endpoint_id, 3000))]
    reads = await _on_one_connection(fresh, steps, "webhook_deliveries", _claim)
    assert reads == 0, f"a claim with nothing due read {reads} deliveries"


async def test_a_pass_reads_only_pending_events_after_the_table_was_emptied(
    fresh: Runtime,
) -> None:
    scope = await _tenant(fresh, "refilled")
    await _emptied_and_analyzed(fresh, "tenant_events", _inserting(_fanned_events(scope, 3000), []))
    steps = [_inserting(_fanned_events(scope, 3000), [])]
    reads = await _on_one_connection(fresh, steps, "tenant_events", _pass)
    assert reads == 0, f"a pass with nothing pending read {reads} events"


async def test_a_claim_takes_a_due_delivery_without_reading_the_delivered_ones(
    fresh: Runtime,
) -> None:
    scope, endpoint_id = await _endpoint_of_emptied_deliveries(fresh)
    events, deliveries = _delivered(scope, endpoint_id, 3001)
    # The last one is due, of a call whose earlier deliveries were all delivered.
    due = deliveries[-1]
    due.update(
        attempts=0, delivered_at=None, last_status=None, order_key=deliveries[0]["order_key"]
    )
    claimed: list[Any] = []

    def claim(conn: Connection) -> object:
        claimed.extend(delivery.claim_due(conn, now=utcnow(), limit=50, lease_seconds=60))
        return None

    reads = await _on_one_connection(
        fresh, [_inserting(events, deliveries)], "webhook_deliveries", claim
    )
    assert [row.id for row in claimed] == [due["id"]]
    # Each statement reads the due one (the probe, the claim's keys, its update, the claimed
    # rows) and the check of earlier ones of its call; not the 3,000 delivered ones.
    assert reads <= 10, f"a claim of one due delivery read {reads} deliveries"
