"""The endpoints pass takes the outbox's pending rows without reading the rows it carried before.

Every webhook leaves an outbox row that the pass marks carried within a second. Statistics taken
during a burst say most rows are pending; with an index over every row (`ix_outbox_due`) and the
rows taken by `IN (...)`, PostgreSQL then scanned the whole table on every pass, and the pass
fell behind under load (docs/benchmarks.md, seventh pass).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from callplane.db import rls
from callplane.db.base import utcnow
from callplane.events import carry
from callplane.runtime import Runtime
from callplane.tenancy import SYSTEM
from callplane.tenants import service as tenants
from callplane.tenants.schemas import TenantCreate

pytestmark = pytest.mark.postgres_only

CARRIED = 20_000
PENDING = 10

_EVENTS = """
INSERT INTO events (id, tenant_id, kind, decision, received_at, fallback_used)
SELECT md5(:tag || n)::uuid, :tenant, 'voice', 'routed', now(), false
FROM generate_series(1, :count) AS n
"""
_OUTBOX = """
INSERT INTO outbox (id, tenant_id, event_id, url, payload, attempts, next_attempt_at,
                    created_at, purpose)
SELECT gen_random_uuid(), :tenant, md5(:tag || n)::uuid, '', '[]', 0, now(), now(), 'endpoints'
FROM generate_series(1, :count) AS n
"""


async def _outbox_rows(conn: Any, tenant: str, tag: str, count: int) -> None:
    params = {"tenant": tenant, "tag": tag, "count": count}
    await conn.execute(text(_EVENTS), params)
    await conn.execute(text(_OUTBOX), params)


async def test_taking_the_pending_rows_reads_only_them(db: Runtime) -> None:
    async with db.uow() as uow:
        row = await tenants.create_tenant(
            uow=uow, actor=SYSTEM, data=TenantCreate(slug="outbox", name="outbox")
        )
    tenant = str(row.id)
    async with db.engine.begin() as conn:
        await rls.apply(conn, rls.PLATFORM_SCOPE)
        await _outbox_rows(conn, tenant, "carried", CARRIED)
    async with db.engine.connect() as conn:
        # Statistics taken while the rows were still to send, as under a burst of webhooks.
        await conn.execute(text("ANALYZE outbox"))
        await conn.commit()
    async with db.engine.begin() as conn:
        await rls.apply(conn, rls.PLATFORM_SCOPE)
        await conn.execute(text("UPDATE outbox SET delivered_at = now()"))  # carried
        await _outbox_rows(conn, tenant, "pending", PENDING)
    async with db.engine.connect() as conn:
        take = carry._TAKE_OUTBOX[True].statement.compile(dialect=postgresql.psycopg.dialect())
        params = take.construct_params({"limit": 1000, "now": utcnow()})
        explain = f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {take}"
        for _ in range(2):  # the second pass is measured (the first marks dead entries dead)
            await conn.rollback()
            await rls.apply(conn, rls.PLATFORM_SCOPE)
            plan = (await conn.exec_driver_sql(explain, params)).scalar_one()
        await conn.rollback()
    top = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
    read = top["Shared Hit Blocks"] + top["Shared Read Blocks"]
    assert top["Actual Rows"] == PENDING
    # The ten rows, the index entries that lead to them and the events they name: ~160 pages.
    # Through an index of every row, or joined as planned for 1,000 rows: the whole table
    # scanned, ~800.
    assert read < 400, json.dumps(top, indent=1)[:3000]
