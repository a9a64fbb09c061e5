"""The events that do not come from Twilio's webhooks reach subscribed endpoints only, each
emitted in the transaction of its change: numbers bought, imported, released, handed back and
found drifted; provider registrations synced and failed; connection health changed."""

from __future__ import annotations

from callplane.numbers.models import PhoneNumber
from tests.fixtures.events import HooksKit
from tests.fixtures.gateway import GatewayKit, Held
from tests.fixtures.jobs import Twin
from tests.fixtures.providers import ProvidersKit

NUMBERS = "https://numbers.example.test/hooks"
OTHERS = "https://others.example.test/hooks"
CALLS = "https://calls.example.test/hooks"


async def test_number_lifecycle_drift_and_health_events(hooks: HooksKit, twin: Twin) -> None:
    gw = hooks.gw
    tenant, _ = await gw.tenant()
    await hooks.endpoint(tenant, NUMBERS, ["number.*"])
    await hooks.endpoint(tenant, OTHERS, ["connection.health_changed"])
    await hooks.endpoint(tenant, CALLS, ["call.*"])
    bought = await gw.buy(tenant)
    outside = twin.buy_outside(twin.platform, gw.platform_sid)
    imported = await gw.import_(tenant, outside.phone_number)  # wired already: active at once
    to_wire = twin.buy_outside(twin.platform, gw.platform_sid)
    wired = await gw.import_(tenant, to_wire.phone_number, manage=True)  # active once wired
    await gw.release(imported)  # an imported number is handed back, not deleted
    await gw.release(bought)
    drifted = await gw.buy(tenant)
    twin.release_outside(twin.platform, gw.platform_sid, drifted_sid := (await _sid(gw, drifted)))
    r = await gw.api.client.post("/v1/reconcile", json={}, headers=gw.api.platform)
    assert r.status_code == 200 and r.json()["summary"]["drift_released"] == 1, r.text
    r = await hooks.call(tenant, "POST", "/connection/health")
    assert r.status_code == 200, r.text

    expected = [
        ("number.bought", bought.e164),
        ("number.imported", imported.e164),
        ("number.imported", wired.e164),
        ("number.handed_back", imported.e164),
        ("number.released", bought.e164),
        ("number.bought", drifted.e164),
        ("number.drift_found", drifted.e164),
        ("number.released", drifted.e164),
    ]
    await hooks.deliver(lambda: len(hooks.apps.types(NUMBERS)) >= len(expected))
    await hooks.deliver(lambda: len(hooks.apps.types(OTHERS)) >= 1)
    await hooks.worker.run_once()
    got = [(b["type"], b["data"]["phone_number"]) for b in hooks.apps.bodies(NUMBERS)]
    assert sorted(got) == sorted(expected)
    drift = next(b for b in hooks.apps.bodies(NUMBERS) if b["type"] == "number.drift_found")
    assert drift["data"]["detail"]["action"] == "phone_number.drift_released", drift
    assert drifted_sid
    (health,) = hooks.apps.bodies(OTHERS)
    assert health["type"] == "connection.health_changed"
    assert health["data"]["previous"] is None and health["data"]["status"] == "HEALTHY"
    assert hooks.apps.types(CALLS) == []
    # The same health again is no change: no second event.
    await hooks.call(tenant, "POST", "/connection/health")
    await hooks.worker.run_once()
    assert len(hooks.apps.types(OTHERS)) == 1


async def _sid(gw: GatewayKit, held: Held) -> str:
    async with gw.api.runtime.uow() as uow:
        row = await uow.session.get(PhoneNumber, held.id)
        assert row is not None and row.twilio_sid
        return row.twilio_sid


async def test_provider_registration_events(hooks: HooksKit, providers: ProvidersKit) -> None:
    tenant, _, _, agent_id = await providers.setup("retell")
    await hooks.endpoint(tenant, OTHERS, ["provider.*"])
    await hooks.endpoint(tenant, CALLS, ["call.*", "number.released"])
    await providers.fault("retell")
    number = await providers.buy(tenant, agent_id)
    await providers.provider_status(tenant, number["id"], "failed")
    await providers.clear_faults()
    await providers.provider_status(tenant, number["id"], "synced")
    await hooks.deliver(lambda: len(hooks.apps.types(OTHERS)) >= 2)
    await hooks.worker.run_once()
    assert hooks.apps.types(OTHERS) == [
        "provider.registration_failed",
        "provider.registration_synced",
    ]
    failed, synced = hooks.apps.bodies(OTHERS)
    assert failed["data"]["provider"] == "retell" and failed["data"]["detail"]
    assert synced["data"]["number_id"] == number["id"]
    assert hooks.apps.types(CALLS) == []
