"""On PostgreSQL the endpoints worker's fan-out pass reads only the events it takes, and its
claim only the deliveries due, however the table has grown since the connection first ran them:
a plan kept from when the table was empty (a sequential scan, prepared on the connection) must
not serve a table of thousands of rows that autovacuum may never have analyzed again (the pass
then read every event ten times a second: 50-76 ms a pass at 122,000 events)."""

from __future__ import annotations

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


async def test_a_claim_reads_only_due_deliveries_however_the_table_grew(fresh: Runtime) -> None:
    scope = await _tenant(fresh, "grown")
    endpoint_id = await _endpoint(fresh, scope, ["*"])
    events = _fanned_events(scope, 3000)
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

    def claim(conn: Connection) -> object:
        return delivery.claim_due(conn, now=utcnow(), limit=50, lease_seconds=60)

    await _analyzed_empty(fresh, "webhook_deliveries")
    async with fresh.engine.connect() as conn:  # one connection, where the plans are kept
        for step in (
            *[claim] * 12,
            lambda c: execute_many(c, carry._INSERT_EVENTS, events),
            lambda c: execute_many(c, carry._INSERT_DELIVERIES, deliveries),
        ):
            async with conn.begin():
                await rls.apply(conn, rls.PLATFORM_SCOPE)
                await conn.run_sync(step)
        async with conn.begin():
            await rls.apply(conn, rls.PLATFORM_SCOPE)
            reads = await conn.run_sync(lambda c: _reads(c, "webhook_deliveries", claim))
    assert reads == 0, f"a claim with nothing due read {reads} deliveries"
