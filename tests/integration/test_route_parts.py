"""A number not in the route cache is read alone when what its route shares with its tenant's
other numbers (tenant, agent, trunk, own connection) was read at the cache's version; any change
forgets those parts with the routes. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest

from callplane.gateway import queries
from callplane.gateway.lookup import Lookup
from callplane.tenants.schemas import TenantPatch
from callplane.tenants.service import update_tenant
from tests.e2e.test_gateway_inbound import _token_of
from tests.fixtures.gateway import GatewayKit, Held
from tests.integration.test_kept_answers_pg import _eventually

STREAM = "wss://ai.example.com/stream"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The gateway's batched reads from now on, by statement."""
    seen: list[str] = []
    names = {id(queries.ROUTES): "routes", id(queries.NUMBERS): "numbers"}
    names[id(queries.ACCOUNTS)] = "accounts"
    original = queries.BatchSelect.fetch

    async def counted(self: queries.BatchSelect, store: Any, keys: list[Any]) -> list[Any]:
        seen.append(names.get(id(self), self.name))
        return await original(self, store, keys)

    monkeypatch.setattr(queries.BatchSelect, "fetch", counted)
    return seen


async def _call(gw: GatewayKit, held: Held, token: str | None = None) -> str:
    r = await gw.post("voice", gw.call_params(held.account_sid, held.e164), token=token)
    assert r.status_code == 200, r.text
    return r.text


async def _kept(gw: GatewayKit, held: Held, reads: list[str], token: str | None = None) -> None:
    """Call `held` until its route is kept (PostgreSQL: once the change feed listens)."""

    async def kept() -> bool:
        await _call(gw, held, token)
        before = len(reads)
        await _call(gw, held, token)
        return len(reads) == before

    await _eventually(kept)
    reads.clear()


async def test_a_number_of_a_tenant_already_read_is_read_alone(
    gw: GatewayKit, reads: list[str]
) -> None:
    t, _ = await gw.tenant()
    agent_id, _ = await gw.agent(t)
    first, second = await gw.buy(t, agent_id), await gw.buy(t, agent_id)
    await _kept(gw, first, reads)
    assert STREAM in await _call(gw, second)
    assert reads == ["numbers"]
    # A number of another tenant, whose parts were never read: read with them.
    other, _ = await gw.tenant()
    theirs = await gw.buy(other, (await gw.agent(other))[0])
    reads.clear()
    assert STREAM in await _call(gw, theirs)
    assert "routes" in reads


async def test_a_tenants_own_connection_is_kept_with_its_parts(
    gw: GatewayKit, reads: list[str]
) -> None:
    # A byo tenant's webhooks verify with its own connection's tokens, read with the route:
    # a number read alone must not need the account's connections read again.
    t, account = await gw.tenant("byo")
    agent_id, _ = await gw.agent(t)
    first, second = await gw.buy(t, agent_id), await gw.buy(t, agent_id)
    token = await _token_of(gw, t, account)
    await _kept(gw, first, reads, token)
    assert STREAM in await _call(gw, second, token)
    assert reads == ["numbers"]
    # Signed with another token: still refused.
    r = await gw.post("voice", gw.call_params(account, second.e164), token="0" * 32)
    assert r.status_code == 403


async def test_what_a_connection_verifies_is_worked_out_once_for_its_numbers(
    gw: GatewayKit, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under uniform traffic over many numbers every call is a miss: what the tenant's own
    # connection verifies, and its tenant's id, are shared by its numbers' routes, not made
    # again (and kept) for each.
    t, account = await gw.tenant("byo")
    agent_id, _ = await gw.agent(t)
    numbers = [await gw.buy(t, agent_id) for _ in range(3)]
    token = await _token_of(gw, t, account)
    await _kept(gw, numbers[0], reads, token)
    worked_out: list[str] = []
    original = Lookup._accounts

    def counted(self: Lookup, platform: Any, sids: list[str], rows: list[Any]) -> Any:
        worked_out.extend(sids)
        return original(self, platform, sids, rows)

    monkeypatch.setattr(Lookup, "_accounts", counted)
    for held in numbers[1:]:
        assert STREAM in await _call(gw, held, token)
    assert reads == ["numbers", "numbers"]
    assert worked_out == []
    kept = [gw.gateway.lookup._cache.get((account, held.e164), time.time()) for held in numbers]
    assert all(r.account is kept[0].account for r in kept)
    assert all(r.route.tenant_id is kept[0].route.tenant_id for r in kept)


async def test_a_change_forgets_the_parts(gw: GatewayKit, reads: list[str]) -> None:
    t, _ = await gw.tenant()
    agent_id, _ = await gw.agent(t)
    first, second = await gw.buy(t, agent_id), await gw.buy(t, agent_id)
    await _kept(gw, first, reads)
    moved = "wss://ai.example.com/moved"
    await gw.update_agent(t, agent_id, voice={"mode": "stream", "stream_url": moved})
    # The number never called yet gets the agent as it is now, read with its parts.
    assert moved in await _call(gw, second)
    assert reads[0] == "routes"
    reads.clear()
    assert moved in await _call(gw, first)
    # A suspended tenant's number, not called since: not routed.
    third = await gw.buy(t, agent_id)
    await _kept(gw, second, reads)
    async with gw.api.runtime.uow() as uow:
        await update_tenant(uow=uow, scope=t.scope, data=TenantPatch(status="suspended"))
    assert "<Reject" in await _call(gw, third)


async def test_parts_older_than_the_numbers_read_are_not_used(
    gw: GatewayKit, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    t, _ = await gw.tenant()
    agent_id, _ = await gw.agent(t)
    first, second = await gw.buy(t, agent_id), await gw.buy(t, agent_id)
    await _kept(gw, first, reads)
    moved = "wss://ai.example.com/moved"
    counted = queries.BatchSelect.fetch

    async def changed_meanwhile(self: queries.BatchSelect, store: Any, keys: list[Any]) -> Any:
        rows = await counted(self, store, keys)
        if self is queries.NUMBERS:  # the agent changes right after its numbers were read
            await gw.update_agent(t, agent_id, voice={"mode": "stream", "stream_url": moved})
        return rows

    monkeypatch.setattr(queries.BatchSelect, "fetch", changed_meanwhile)
    assert moved in await _call(gw, second)
    assert reads == ["numbers", "routes"]
