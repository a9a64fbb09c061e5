"""A webhook's tenant events that no endpoint can want are written already fanned out (its
tenant has no enabled endpoint): no fan-out pass takes them, while a tenant with an enabled
endpoint still gets every event through the pass (docs/decisions.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from callplane.events.models import TenantEvent
from tests.fixtures.events import HooksKit
from tests.fixtures.gateway import _snapshots

LISTENING = "https://listening.example.test/hooks"
PAUSED = "https://paused.example.test/hooks"


async def _call_events(hooks: HooksKit) -> dict[Any, list[Any]]:
    """Each tenant's call events (written by the webhooks), in order."""
    stmt = select(TenantEvent).where(TenantEvent.type.like("call.%"))
    rows = await _snapshots(
        hooks.gw.api.runtime, stmt.order_by(TenantEvent.created_at), TenantEvent
    )
    found: dict[Any, list[Any]] = {}
    for row in rows:
        found.setdefault(row.tenant_id, []).append(row)
    return found


async def test_events_no_endpoint_can_want_are_written_fanned_out(hooks: HooksKit) -> None:
    gw = hooks.gw
    quiet, _ = await gw.tenant()  # no endpoint at all
    paused, _ = await gw.tenant()  # an endpoint, disabled
    listening, _ = await gw.tenant()  # an enabled endpoint
    made = await hooks.endpoint(paused, PAUSED, ["*"])
    r = await hooks.call(
        paused, "PATCH", f"/webhook-endpoints/{made['id']}", json={"enabled": False}
    )
    assert r.status_code == 200 and r.json()["enabled"] is False
    await hooks.endpoint(listening, LISTENING, ["call.*"])
    for tenant in (quiet, paused, listening):
        agent_id, _ = await gw.agent(tenant)
        held = await gw.buy(tenant, agent_id)
        call = gw.call_params(gw.platform_sid, held.e164)
        # The call's first webhook (nothing to move: the hot path), then a status that moves it.
        assert (await gw.post("voice", call)).status_code == 200
        done = {**call, "CallStatus": "completed", "CallDuration": "4"}
        assert (await gw.post("status", done)).status_code == 200

    written = await _call_events(hooks)
    for tenant in (quiet, paused):
        rows = written[tenant.id]
        assert [r.type for r in rows] == ["call.received", "call.status_changed", "call.completed"]
        assert all(r.fanned_out_at == r.created_at for r in rows), rows
    assert len(written[listening.id]) == 3

    await hooks.deliver(lambda: len(hooks.apps.types(LISTENING)) == 3)
    assert hooks.apps.types(LISTENING) == ["call.received", "call.status_changed", "call.completed"]
    assert hooks.apps.types(PAUSED) == []
    after = await _call_events(hooks)
    # The passes (the gateway's worker runs meanwhile too) took the listening tenant's events,
    # each marked at a pass's instant, after it was written, and none of the others'.
    assert all(
        r.fanned_out_at is not None and r.fanned_out_at > r.created_at for r in after[listening.id]
    )
    for tenant in (quiet, paused):
        assert [(r.id, r.fanned_out_at) for r in after[tenant.id]] == [
            (r.id, r.created_at) for r in written[tenant.id]
        ]
