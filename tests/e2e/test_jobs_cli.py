"""`callplane reconcile [--dry-run] [--tenant T]`, `callplane webhooks rewire`, `callplane health`,
`callplane retention`."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from callplane.db.base import utcnow
from callplane.gateway.models import Event
from callplane.settings import get_settings
from tests.fixtures.api import Api
from tests.fixtures.gateway import GatewayKit
from tests.fixtures.jobs import Twin, buy, number_row, settle


async def test_reconcile_dry_run_then_for_real(api: Api, twin: Twin, cli: Any) -> None:
    t = await api.tenant("cli-tenant")
    n = await buy(api, t)
    twin.release_outside(
        twin.platform, api.runtime.settings.twilio_account_sid or "", n.twilio_sid or ""
    )
    await settle(api)

    out = json.loads(await cli("reconcile", "--dry-run", "--json"))
    assert out["dry_run"] is True and out["summary"]["drift_released"] == 1
    assert (await number_row(api, n.id)).status == "active"

    out = json.loads(await cli("reconcile", "--tenant", "cli-tenant", "--json"))
    assert out["summary"]["drift_released"] == 1 and out["summary"]["tenants_checked"] == 1
    assert (await number_row(api, n.id)).release_reason == "drift"
    text = await cli("reconcile")  # the table (and the progress bar, on a terminal)
    assert "drift_released" in text and "tenants_checked" in text


async def test_webhooks_rewire_after_the_public_url_changed(
    api: Api, twin: Twin, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = await api.tenant()
    managed = await buy(api, t)
    await settle(api)
    monkeypatch.setenv("CALLPLANE_PUBLIC_BASE_URL", "https://new-home.example.test")
    get_settings.cache_clear()
    out = json.loads(await cli("webhooks", "rewire", "--json"))
    assert out["summary"]["rewired"] == 1
    assert out["summary"]["drift_released"] == 0  # rewiring only
    at_twilio = twin.numbers()[managed.e164]
    assert at_twilio["voice_url"] == "https://new-home.example.test/webhooks/twilio/voice"
    assert at_twilio["status_callback"] == "https://new-home.example.test/webhooks/twilio/status"


async def test_health(api: Api, cli: Any) -> None:
    await api.tenant("healthy-one")
    out = json.loads(await cli("health", "--json"))
    assert out["summary"]["HEALTHY"] == 1
    assert [r["slug"] for r in out["data"]] == ["healthy-one"]
    assert "HEALTHY" in await cli("health")


async def test_retention_now(gw: GatewayKit, cli: Any) -> None:
    tenant, _ = await gw.tenant()
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    for _ in range(2):
        assert (
            await gw.post("voice", gw.call_params(gw.platform_sid, held.e164))
        ).status_code == 200
    await gw.deliver()  # nothing owed to the agent's URL any more
    old, recent = await gw.events()
    async with gw.api.runtime.uow() as uow:  # one call received 91 days ago
        at = utcnow() - timedelta(days=91)
        await uow.session.execute(update(Event).where(Event.id == old.id).values(received_at=at))
        await uow.commit()
    out = json.loads(await cli("retention", "--json"))
    assert out["events"] == 1
    assert [e.id for e in await gw.events()] == [recent.id]
    assert "events: 0" in await cli("retention")  # nothing left that old
