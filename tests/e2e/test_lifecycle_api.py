"""A tenant's lifecycle: a subscription starts, is canceled (now or at period end), the tenant leaves."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from callplane.connections import service as connections
from callplane.db.base import utcnow
from tests.fixtures.api import Api
from tests.fixtures.jobs import Twin, buy, eventually, number_row, settle


async def _subscribe(api: Api, tid: Any, **body: Any) -> dict[str, Any]:
    r = await api.client.put(f"/v1/tenants/{tid}/subscription", json=body, headers=api.platform)
    assert r.status_code == 200, r.text
    return r.json()


async def test_activation_provisions_the_subaccount(api: Api, twin: Twin) -> None:
    t = await api.tenant(quota=None)
    r = await api.client.put(
        f"/v1/tenants/{t.id}/connection", json={"model": "subaccount"}, headers=t.headers()
    )
    assert r.json()["status"] == "pending"
    await api.client.put("/v1/plans/pro", json={"quota_phone_numbers": 3}, headers=api.platform)

    await _subscribe(api, t.id, plan="pro", status="active")

    conn = (await api.client.get(f"/v1/tenants/{t.id}/connection", headers=t.headers())).json()
    assert conn["status"] == "active" and conn["account_sid"]
    subs = [a for a in twin.state()["accounts"] if a["sid"] == conn["account_sid"]]
    assert subs and subs[0]["owner_account_sid"] == api.runtime.settings.twilio_account_sid
    # Renewing (active again) provisions nothing more.
    await _subscribe(api, t.id, plan="pro", status="active")
    accounts = [a for a in twin.state()["accounts"] if a["friendly_name"].endswith(str(t.id))]
    assert len(accounts) == 1


async def test_activation_without_a_platform_account_still_subscribes(api: Api) -> None:
    t = await api.tenant(quota=None)
    await api.client.put("/v1/plans/pro", json={"quota_phone_numbers": 3}, headers=api.platform)
    saved = api.runtime.twilio.settings
    api.runtime.twilio.settings = saved.model_copy(update={"twilio_auth_token": None})
    try:
        body = await _subscribe(api, t.id, plan="pro", status="active")
    finally:
        api.runtime.twilio.settings = saved
    assert body["status"] == "active"


async def test_immediate_cancellation_releases_in_the_background(
    api: Api, twin: Twin, background: Any
) -> None:
    t = await api.tenant()
    other = await api.tenant()
    mine = [await buy(api, t), await buy(api, t)]
    theirs = await buy(api, other)
    # Twilio is slow: the request must not wait for the releases.
    twin.fault(method="DELETE", path="IncomingPhoneNumbers", latency_ms=700)

    started = asyncio.get_running_loop().time()
    body = await _subscribe(api, t.id, plan="plan-10", status="canceled")
    took = asyncio.get_running_loop().time() - started

    assert body["status"] == "canceled" and body["canceled_at"]
    assert took < 0.7
    assert (await number_row(api, mine[0].id)).status in ("active", "releasing")

    async def all_released() -> bool:
        rows = [await number_row(api, n.id) for n in mine]
        return all(r.status == "released" for r in rows)

    await eventually(all_released)
    for n in mine:
        row = await number_row(api, n.id)
        assert row.release_reason == "subscription_canceled"
        assert n.e164 not in twin.numbers()
    assert (await number_row(api, theirs.id)).status == "active"
    assert theirs.e164 in twin.numbers()


async def test_cancel_at_period_end_waits_for_the_daily_job(
    api: Api, twin: Twin, background: Any
) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    ends = utcnow() + timedelta(seconds=2)
    body = await _subscribe(
        api,
        t.id,
        plan="plan-10",
        status="active",
        cancel_at_period_end=True,
        canceled_at=ends.isoformat(),
    )
    assert body["cancel_at_period_end"] is True
    await background.wait_background()
    assert (await number_row(api, n.id)).status == "active"

    # Before the end of the period the daily job keeps the numbers...
    r = await api.client.post("/v1/reconcile", json={}, headers=api.platform)
    assert r.json()["summary"]["bulk_released"] == 0
    assert (await number_row(api, n.id)).status == "active"

    # ...after it, it releases them.
    await asyncio.sleep(max(0.0, (ends - utcnow()).total_seconds()) + 0.05)
    await settle(api)
    r = await api.client.post("/v1/reconcile", json={}, headers=api.platform)
    assert r.json()["summary"]["bulk_released"] == 1
    row = await number_row(api, n.id)
    assert (row.status, row.release_reason) == ("released", "subscription_canceled")
    assert n.e164 not in twin.numbers()


async def test_a_release_that_runs_after_reactivation_keeps_the_numbers(
    api: Api, twin: Twin, background: Any
) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    # The release of the cancellation is refused by Twilio: the row stays `releasing`...
    twin.fault(method="DELETE", path="IncomingPhoneNumbers", status=400, rate=1)
    await _subscribe(api, t.id, plan="plan-10", status="canceled")
    await background.wait_background()
    assert (await number_row(api, n.id)).status == "releasing"
    twin.clear_faults()
    # ...the tenant subscribes again: the number is the tenant's again...
    await _subscribe(api, t.id, plan="plan-10", status="active")
    assert (await number_row(api, n.id)).status == "active"
    # ...and when the queued release runs only now (a retry, a recovered workflow), it looks
    # again first and releases nothing.
    await background.submit_release(api.runtime, t.id, "subscription_canceled", key="late")
    await background.wait_background()
    assert (await number_row(api, n.id)).status == "active"
    assert n.e164 in twin.numbers()


async def test_offboarding_releases_numbers_trunk_and_subaccount(api: Api, twin: Twin) -> None:
    # A subaccount tenant with a number and a trunk...
    t = await api.tenant()
    await api.client.put(
        f"/v1/tenants/{t.id}/connection", json={"model": "subaccount"}, headers=t.headers()
    )
    n = await buy(api, t)
    r = await api.client.put(f"/v1/tenants/{t.id}/trunk", json={}, headers=t.headers())
    assert r.status_code in (200, 201), r.text
    trunk_sid = r.json()["sid"]
    # ...and a master tenant with a number.
    m = await api.tenant()
    mn = await buy(api, m)

    r = await api.client.delete(f"/v1/tenants/{t.id}", headers=api.platform)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "offboarded"
    row = await number_row(api, n.id)
    assert (row.status, row.release_reason) == ("released", "offboarded")
    state = twin.state()
    assert all(tr["sid"] != trunk_sid for tr in state["trunks"])
    async with api.runtime.uow() as uow:
        conn = await connections.find_connection(uow=uow, scope=t.scope)
        assert conn is not None and conn.status == "closed"
        account_sid = conn.account_sid
    account = next(a for a in state["accounts"] if a["sid"] == account_sid)
    assert account["status"] == "closed"
    # The old keys no longer work.
    r = await api.client.get(f"/v1/tenants/{t.id}", headers=t.headers())
    assert r.status_code == 401

    r = await api.client.delete(f"/v1/tenants/{m.id}", headers=api.platform)
    assert r.status_code == 200, r.text
    row = await number_row(api, mn.id)
    assert (row.status, row.release_reason) == ("released", "offboarded")
    assert mn.e164 not in twin.numbers()
    # Offboarding again is harmless.
    r = await api.client.delete(f"/v1/tenants/{m.id}", headers=api.platform)
    assert r.status_code == 200


async def test_offboarding_that_twilio_interrupts_is_finished_later(api: Api, twin: Twin) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    twin.fault(method="DELETE", path="IncomingPhoneNumbers", status=400, rate=1)
    r = await api.client.delete(f"/v1/tenants/{t.id}", headers=api.platform)
    assert r.status_code == 502, r.text
    assert (await api.client.get(f"/v1/tenants/{t.id}", headers=api.platform)).json()[
        "status"
    ] == "offboarded"
    assert n.e164 in twin.numbers()
    twin.clear_faults()
    # The daily job finishes it.
    await settle(api)
    r = await api.client.post("/v1/reconcile", json={}, headers=api.platform)
    assert r.json()["summary"]["bulk_released"] == 1
    row = await number_row(api, n.id)
    assert (row.status, row.release_reason) == ("released", "offboarded")
    assert n.e164 not in twin.numbers()
