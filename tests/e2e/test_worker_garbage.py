"""The background workers' passes leave no cyclic garbage of statements: under webhook load the
outbox and endpoint workers run a pass every ~0.1 s, and statements built per pass (an alias of
a table makes new columns, each in reference cycles) fed the collector's young generation, whose
collections stall every request in flight (docs/benchmarks.md, twenty-first pass)."""

from __future__ import annotations

import gc
from collections import Counter

from tests.fixtures.gateway import GatewayKit

WORKERS_TABLES = ("outbox", "webhook_deliveries")


def _built_by_a_worker(o: object) -> bool:
    """A statement over the workers' tables, or an alias of one (what a pass built; other
    libraries' statements, such as the job engine's, are not this test's business)."""
    kind = type(o).__qualname__
    if kind in ("Select", "Update"):
        sql = str(o)
        return any(name in sql for name in WORKERS_TABLES)
    if kind == "Alias":
        return getattr(getattr(o, "element", None), "name", None) in WORKERS_TABLES
    return False


def _statement_garbage() -> Counter[str]:
    """The workers' statements a full collection finds unreachable, by type."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = Counter(type(o).__qualname__ for o in gc.garbage if _built_by_a_worker(o))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()  # what was kept to be counted is freed now
    return found


async def test_worker_passes_leave_no_statement_garbage(gw: GatewayKit) -> None:
    tenant, account = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    assert (await gw.post("voice", gw.call_params(account, held.e164))).status_code == 200
    outbox, endpoints = gw.gateway.outbox, gw.gateway.endpoints
    for _ in range(3):  # whatever is built once (compiled forms, caches) is built here
        await outbox.run_once()
        await endpoints.run_once()
    _statement_garbage()
    for _ in range(20):
        assert (await gw.post("voice", gw.call_params(account, held.e164))).status_code == 200
        await outbox.run_once()
        await endpoints.run_once()
    assert _statement_garbage() == Counter()
