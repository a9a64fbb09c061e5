"""A fan-out pass reads its share of the tenant events still to fan out, not the whole backlog.

Every webhook writes tenant events that the endpoints worker's pass marks fanned out. Under a
burst the pass falls behind for a while; through the index of `fanned_out_at` it read every
pending event (and every one fanned out since the last vacuum) and sorted them, each pass:
~150 ms a pass five seconds into a burst, slower as the backlog grew (docs/benchmarks.md,
seventeenth pass). The pending events are indexed alone, oldest first
(`ix_tenant_events_to_fan_out`), and the pass stops reading at its limit.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql

from callplane.db import rls
from callplane.db.base import utcnow
from callplane.events import carry
from callplane.events import service as events
from callplane.runtime import Runtime
from callplane.tenancy import SYSTEM, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.schemas import TenantCreate

BACKLOG = 20_000
LIMIT = 500

_EVENTS = """
INSERT INTO tenant_events (id, tenant_id, type, order_key, body, created_at, fanned_out_at)
SELECT {uuid}, :tenant, 'call.received', 'CA' || n, :body, :at, NULL
FROM {series}
"""


async def _backlog(db: Runtime, count: int = BACKLOG) -> TenantScope:
    """`count` tenant events not fanned out, statistics taken meanwhile (as during a burst)."""
    async with db.uow() as uow:
        row = await tenants.create_tenant(
            uow=uow, actor=SYSTEM, data=TenantCreate(slug="backlog", name="backlog")
        )
    params = {"tenant": row.id, "body": "x" * 400, "at": utcnow()}
    async with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await rls.apply(conn, rls.PLATFORM_SCOPE)
            sql = _EVENTS.format(
                uuid="gen_random_uuid()", series=f"generate_series(1, {count}) AS n"
            )
            params["tenant"] = str(row.id)
        else:
            series = (
                f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "
                f"WHERE n < {count}) SELECT n FROM s)"
            )
            sql = _EVENTS.format(uuid="lower(hex(randomblob(16)))", series=series)
            params["tenant"] = row.id.hex
        await conn.execute(text(sql), params)
    async with db.engine.connect() as conn:
        await conn.execute(text("ANALYZE tenant_events"))
        await conn.commit()
    return TenantScope(tenant_id=row.id, actor=SYSTEM)


@pytest.mark.postgres_only
async def test_a_pass_reads_its_share_of_the_backlog(db: Runtime) -> None:
    await _backlog(db)
    async with db.engine.connect() as conn:
        take = carry._TAKE_EVENTS[True].statement.compile(dialect=postgresql.psycopg.dialect())
        params = take.construct_params({"limit": LIMIT, "now": utcnow()})
        await rls.apply(conn, rls.PLATFORM_SCOPE)
        explain = f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {take}"
        plan = (await conn.exec_driver_sql(explain, params)).scalar_one()
        await conn.rollback()
    top = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
    assert top["Actual Rows"] == LIMIT
    # Rows of tenant_events the plan's scans produced: the 500 oldest from the index of the
    # pending events, then each by its key, ~1,000. Through the index of `fanned_out_at`
    # (or a scan of the table) every pending row, 20,000, once or twice.
    read = sum(
        node["Actual Rows"] * node["Actual Loops"]
        for node in _nodes(top)
        if node.get("Relation Name") == "tenant_events" and "Scan" in node["Node Type"]
    )
    assert read <= 2 * LIMIT, json.dumps(top, indent=1)[:4000]


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    """`node` and every node under it."""
    return [node, *(n for child in node.get("Plans", []) for n in _nodes(child))]


@pytest.mark.sqlite_only
async def test_a_pass_reads_the_pending_events_in_order_on_sqlite(db: Runtime) -> None:
    await _backlog(db)
    take = carry._TAKE_EVENTS[False].statement.compile(dialect=db.engine.dialect)
    values = take.construct_params({"limit": LIMIT, "now": utcnow().isoformat()})
    params = tuple(values[name] for name in take.positiontup or ())
    async with db.engine.connect() as conn:
        plan = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {take}", params)).all()
    steps = [str(row[-1]) for row in plan]
    # The pending events read oldest first from their own index (stopping at the limit), then
    # each by its key; no sort, no scan of the table.
    assert "SCAN tenant_events USING INDEX ix_tenant_events_to_fan_out" in steps, steps
    assert not [s for s in steps if "TEMP B-TREE" in s or s == "SCAN tenant_events"], steps


@pytest.mark.postgres_only
async def test_a_pass_meanwhile_waits_and_takes_none_of_anothers_events(db: Runtime) -> None:
    """Two replicas' passes at once: the second waits for the first and takes none of its
    events, so deliveries are written in the events' order (not `SKIP LOCKED`)."""
    await _backlog(db, count=20)
    take = carry._TAKE_EVENTS[True].statement

    def params() -> dict[str, Any]:
        return {"limit": 10, "now": utcnow()}

    async with db.engine.connect() as first, db.engine.connect() as second:
        for conn in (first, second):
            await rls.apply(conn, rls.PLATFORM_SCOPE)
        mine = (await first.execute(take, params())).all()
        meanwhile = asyncio.create_task(second.execute(take, params()))
        await asyncio.sleep(0.3)
        assert not meanwhile.done()  # waiting for the first pass's rows
        await first.commit()
        assert (await meanwhile).all() == []
        await second.commit()
        await rls.apply(second, rls.PLATFORM_SCOPE)
        after = (await second.execute(take, params())).all()
        await second.commit()
    assert len(mine) == len(after) == 10
    assert not {row.key for row in mine} & {row.key for row in after}


@pytest.mark.sqlite_only
async def test_an_event_is_read_by_its_key_and_its_tenant_needs_no_index_on_sqlite(
    db: Runtime,
) -> None:
    """Replaying an event reads it by its key (the tenant's scope a condition on that row): no
    read asks for a tenant's events by tenant alone, so they have no index of their tenant,
    which every webhook paid for, more with more tenants (migration 0014; docs/benchmarks.md,
    nineteenth pass)."""
    scope = await _backlog(db, count=2_000)
    async with db.engine.connect() as conn:
        event_id = (await conn.execute(text("SELECT id FROM tenant_events LIMIT 1"))).scalar_one()
    statements: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "FROM tenant_events" in statement:
            statements.append((statement, params))

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with db.uow() as uow:
            await events.replay_event(uow=uow, scope=scope, event_id=uuid.UUID(hex=event_id))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    assert statements
    async with db.engine.connect() as conn:
        indexes = {row[1] for row in await conn.exec_driver_sql("PRAGMA index_list(tenant_events)")}
        for statement, params in statements:
            plan = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            steps = [str(row[-1]) for row in plan]
            assert [s for s in steps if "tenant_events" in s] == [
                "SEARCH tenant_events USING INDEX sqlite_autoindex_tenant_events_1 (id=?)"
            ], steps
    # Each index a read uses (the key; the fan-out's; retention's), and no other.
    assert indexes == {
        "sqlite_autoindex_tenant_events_1",
        "ix_tenant_events_to_fan_out",
        "ix_tenant_events_fanned_out",
    }, indexes
