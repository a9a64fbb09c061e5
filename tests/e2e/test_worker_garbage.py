"""The background workers' passes leave no cyclic garbage of statements: under webhook load the
outbox and endpoint workers run a pass every ~0.1 s, and statements built per pass (an alias of
a table makes new columns, each in reference cycles) fed the collector's young generation, whose
collections stall every request in flight (docs/benchmarks.md, twenty-first pass)."""

from __future__ import annotations

import gc
from collections import Counter

from tests.fixtures.gateway import GatewayKit

# What building a statement leaves in reference cycles (an alias's columns, their foreign keys,
# the clauses over them): none of it may be garbage after a pass.
STATEMENT_PARTS = {
    "Alias",
    "BinaryExpression",
    "Column",
    "Exists",
    "ForeignKey",
    "Select",
    "Update",
}


def _statement_garbage() -> Counter[str]:
    """The parts of statements a full collection finds unreachable, by type."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = Counter(
            type(o).__qualname__
            for o in gc.garbage
            if type(o).__module__.startswith("sqlalchemy")
            and type(o).__qualname__ in STATEMENT_PARTS
        )
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
