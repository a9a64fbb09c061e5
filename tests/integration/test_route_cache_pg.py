"""On PostgreSQL the gateway keeps a number's route between changes, as it does on SQLite: a
webhook to a number already seen reads nothing; a change to any table a route is read with,
made elsewhere, is seen as soon as its notification arrives, and one made through this
process by its very next webhook."""

from __future__ import annotations

from typing import Any

import pytest

from callplane.db import changes
from callplane.gateway import queries
from callplane.gateway.lifespan import gateway_of
from tests.fixtures.gateway import GatewayKit, Held
from tests.integration.test_kept_answers_pg import _elsewhere, _eventually

pytestmark = pytest.mark.postgres_only

# Each table a route is read with, and a statement that changes nothing of any route: the
# notification alone must empty the cache.
TOUCHES = {
    "phone_numbers": "UPDATE phone_numbers SET status = status WHERE id = %(n)s",
    "tenants": "UPDATE tenants SET name = name WHERE id = %(t)s",
    "subscriptions": "UPDATE subscriptions SET status = status WHERE tenant_id = %(t)s",
    "agents": "UPDATE agents SET name = name WHERE tenant_id = %(t)s",
    "trunks": "UPDATE trunks SET friendly_name = friendly_name WHERE tenant_id = %(t)s",
    "connections": "UPDATE connections SET status = status WHERE tenant_id = %(t)s",
}


async def _twiml(gw: GatewayKit, held: Held) -> str:
    r = await gw.post("voice", gw.call_params(held.account_sid, held.e164))
    assert r.status_code == 200, r.text
    return r.text


def _route_reads(gw: GatewayKit) -> list[str]:
    """Every route read the gateway sends to PostgreSQL from now on."""
    app = gw.api.client._transport.app  # type: ignore[attr-defined]
    direct = gateway_of(app).store._direct
    original = direct.fetch
    seen: list[str] = []

    async def counted(query: Any, params: Any) -> Any:
        if query is queries.ROUTES.pg:
            seen.append(str(params))
        return await original(query, params)

    direct.fetch = counted
    return seen


async def _kept(gw: GatewayKit, held: Held) -> list[str]:
    """Wait until the route is kept (the change feed listens); the reads counted from then."""
    reads = _route_reads(gw)

    async def kept() -> bool:
        await _twiml(gw, held)
        before = len(reads)
        await _twiml(gw, held)
        return len(reads) == before

    await _eventually(kept)
    reads.clear()
    return reads


async def test_a_route_is_kept_until_a_table_it_is_read_with_changes(
    gw: GatewayKit, database_url: str
) -> None:
    t, _ = await gw.tenant()
    agent_id, _ = await gw.agent(t)
    held = await gw.buy(t, agent_id)
    assert set(TOUCHES) <= set(changes.WATCHED)
    reads = await _kept(gw, held)
    for _ in range(3):
        assert "wss://ai.example.com/stream" in await _twiml(gw, held)
    assert reads == []  # every one answered from the cache

    for table, statement in TOUCHES.items():
        before = len(reads)
        with _elsewhere(database_url) as other:
            other.execute(statement, {"n": held.id, "t": t.id})

        async def read_again(before: int = before) -> bool:
            await _twiml(gw, held)
            return len(reads) > before

        assert await _eventually(read_again) < 2.0, table
        await _kept(gw, held)

    # A route changed elsewhere: the new one once notified.
    with _elsewhere(database_url) as other:
        other.execute(
            "UPDATE agents SET stream_url = 'wss://ai.example.com/elsewhere' WHERE id = %s",
            (agent_id,),
        )

    async def moved() -> bool:
        return "wss://ai.example.com/elsewhere" in await _twiml(gw, held)

    assert await _eventually(moved) < 2.0
    # Through this process: the very next webhook.
    await _kept(gw, held)
    await gw.update_agent(
        t, agent_id, voice={"mode": "stream", "stream_url": "wss://ai.example.com/here"}
    )
    assert "wss://ai.example.com/here" in await _twiml(gw, held)
