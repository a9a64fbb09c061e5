"""Races the soak found: a row deleted between the gateway's lookup and its write.

An agent deleted while one of its calls is in flight made the event's insert fail on its
foreign key, and the call was answered without being recorded (lost). Now the event is recorded
without the vanished reference (as `ON DELETE SET NULL` would have left it), with no outbox row
(there is no agent to deliver to or sign for).
"""

from __future__ import annotations

from typing import Any

import pytest

from callplane.agents import service as agents
from tests.fixtures.gateway import GatewayKit


async def test_an_agent_deleted_mid_call_leaves_the_event_recorded(
    gw: GatewayKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant, account = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    lookup = gw.gateway.lookup
    original = lookup.resolve

    async def resolve_then_delete(account_sid: str, e164: str | None) -> Any:
        resolved = await original(account_sid, e164)
        async with gw.api.runtime.uow() as uow:  # the tenant's admin deletes the agent now
            await agents.delete_agent(uow=uow, scope=tenant.scope, agent_id=agent_id)
        return resolved

    monkeypatch.setattr(lookup, "resolve", resolve_then_delete)
    params = gw.call_params(account, held.e164)
    r = await gw.post("voice", params)
    assert r.status_code == 200 and "<Stream" in r.text, r.text  # routed as it was looked up
    monkeypatch.setattr(lookup, "resolve", original)

    (event,) = await gw.events(sid=params["CallSid"])
    assert event.tenant_id == tenant.id and event.number_id == held.id
    assert event.agent_id is None and event.detail.get("agent_deleted") is True
    assert [m for m in await gw.outbox() if m.event_id == event.id] == []
