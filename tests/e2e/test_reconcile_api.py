"""Drift reconciliation through `POST /v1/reconcile`, against the sandbox (SQLite and PostgreSQL).

Every drift kind of DESIGN section 8 is made the way it happens in production, then one run is
expected to find it, fix what it should and report the rest.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from callplane.db.audit import AuditLog
from callplane.jobs.models import JobRun
from callplane.numbers.models import PhoneNumber
from callplane.tenants.schemas import SubscriptionPut
from tests.fixtures.api import Api, TenantKit
from tests.fixtures.jobs import (
    Twin,
    age,
    buy,
    connect_byo,
    interrupted_purchase,
    number_row,
    settle,
)

OTHER_URL = "https://elsewhere.example.test/hook"


async def _reconcile(api: Api, **body: Any) -> dict[str, Any]:
    r = await api.client.post("/v1/reconcile", json=body, headers=api.platform)
    assert r.status_code == 200, r.text
    return r.json()


async def _trunk(api: Api, tenant: TenantKit, number_id: Any) -> str:
    r = await api.client.put(f"/v1/tenants/{tenant.id}/trunk", json={}, headers=tenant.headers())
    assert r.status_code in (200, 201), r.text
    r = await api.client.put(
        f"/v1/tenants/{tenant.id}/trunk/phone-numbers/{number_id}", headers=tenant.headers()
    )
    assert r.status_code in (200, 201), r.text
    return (
        await api.client.get(f"/v1/tenants/{tenant.id}/trunk", headers=tenant.headers())
    ).json()["sid"]


class World:
    """Two master tenants and two byo tenants sharing one account, with one number per drift kind."""

    async def build(self, api: Api, twin: Twin) -> World:
        master = api.runtime.settings.twilio_account_sid
        assert master
        self.master = master
        self.a = await api.tenant("acme")
        self.b = await api.tenant("bravo")
        platform = twin.platform
        # active here, gone there -> drift (released at Twilio at the end: a released number is
        # on offer again, and the setup must not buy it back)
        self.gone = await buy(api, self.a)
        # managed, wired elsewhere by hand -> rewired
        self.rewired = await buy(api, self.a)
        twin.update_outside(platform, master, self.rewired.twilio_sid, voice_url=OTHER_URL)
        # unmanaged (imported without webhook management), wired elsewhere -> left alone
        outside = twin.buy_outside(platform, master, voice_url=OTHER_URL, sms_url=OTHER_URL)
        r = await api.client.post(
            f"/v1/tenants/{self.b.id}/phone-numbers/import",
            json={"phone_number": outside.phone_number, "manage_webhooks": False},
            headers=api.platform,
        )
        assert r.status_code == 201, r.text
        self.unmanaged_id = uuid.UUID(r.json()["id"])
        # there, unknown here -> orphan (never released)
        self.orphan = twin.buy_outside(platform, master, voice_url=OTHER_URL)
        # interrupted purchase that did happen -> adopted
        self.adopt = await interrupted_purchase(api, twin, self.b, master)
        twin.platform.api.v2010.accounts(master).incoming_phone_numbers.create(
            phone_number=self.adopt.e164
        )
        await age(api, self.adopt.id, 600)
        # interrupted purchase that never happened, long ago -> failed
        self.never = await interrupted_purchase(api, twin, self.b, master)
        await age(api, self.never.id, 7200)
        # on another trunk than its own -> put back
        self.trunked = await buy(api, self.b)
        self.trunk_sid = await _trunk(api, self.b, self.trunked.id)
        stray = platform.trunking.v1.trunks.create(friendly_name="stray")
        twin.update_outside(platform, master, self.trunked.twilio_sid, trunk_sid=stray.sid)
        # a healthy number: nothing to do
        self.fine = await buy(api, self.b)
        # two byo tenants share one account; one drifted number there
        self.byo = twin.new_account("shared")
        self.c = await api.tenant("charlie")
        self.d = await api.tenant("delta")
        await connect_byo(api, self.c, self.byo)
        await connect_byo(api, self.d, self.byo)
        self.byo_gone = await buy(api, self.c)
        self.byo_fine = await buy(api, self.d)
        twin.release_outside(self.byo.client, self.byo.sid, self.byo_gone.twilio_sid)
        twin.release_outside(platform, master, self.gone.twilio_sid)
        await settle(api)
        return self


async def test_every_drift_kind(api: Api, twin: Twin) -> None:
    w = await World().build(api, twin)
    before_at_twilio = twin.numbers()

    run = await _reconcile(api)

    s = run["summary"]
    assert run["dry_run"] is False and run["status"] == "succeeded"
    assert s["tenants_checked"] == 4 and s["tenants_failed"] == 0
    assert s["accounts_checked"] == 2  # the master account once, the shared byo account once
    assert s["pages"] == 2  # one page per account: calls follow pages, not numbers
    assert s["drift_released"] == 2
    assert s["adopted"] == 1
    assert s["pending_failed"] == 1
    assert s["rewired"] == 2  # the one changed by hand, and the adopted one (bought unwired)
    assert s["trunks_fixed"] == 1
    assert s["orphans"] == 1
    assert s["bulk_released"] == 0
    assert [o["phone_number"] for o in run["orphans"]] == [w.orphan.phone_number]

    gone = await number_row(api, w.gone.id)
    assert (gone.status, gone.release_reason) == ("released", "drift") and gone.released_at
    assert (await number_row(api, w.byo_gone.id)).status == "released"
    adopted = await number_row(api, w.adopt.id)
    assert adopted.status == "active" and adopted.twilio_sid
    assert (await number_row(api, w.never.id)).status == "failed"
    for keep in (w.rewired, w.trunked, w.fine, w.byo_fine):
        assert (await number_row(api, keep.id)).status == "active"

    after = twin.numbers()
    hook = api.runtime.settings.public_base_url + "/webhooks/twilio/voice"
    assert after[w.rewired.e164]["voice_url"] == hook
    assert after[w.adopt.e164]["voice_url"] == hook
    assert (
        after[w.rewired.e164]["sms_url"]
        == api.runtime.settings.public_base_url + "/webhooks/twilio/sms"
    )
    assert after[w.trunked.e164]["trunk_sid"] == w.trunk_sid
    # The orphan and the unmanaged number are untouched; the job released nothing at Twilio.
    assert after[w.orphan.phone_number] == before_at_twilio[w.orphan.phone_number]
    unmanaged = await number_row(api, w.unmanaged_id)
    assert after[unmanaged.e164]["voice_url"] == OTHER_URL
    assert set(after) == set(before_at_twilio)  # nothing released at Twilio

    async with api.runtime.uow() as uow:
        actions = {
            a.action
            for a in (await uow.session.execute(select(AuditLog))).scalars()
            if a.actor == "job:reconcile"
        }
    assert {
        "phone_number.drift_released",
        "phone_number.adopted",
        "phone_number.rewired",
        "phone_number.trunk_fixed",
        "phone_number.purchase_failed",
    } <= actions

    # A second run finds nothing left to do but the orphan.
    again = (await _reconcile(api))["summary"]
    assert (
        again["drift_released"],
        again["adopted"],
        again["rewired"],
        again["trunks_fixed"],
        again["pending_failed"],
        again["orphans"],
    ) == (0, 0, 0, 0, 0, 1)


async def _db_state(api: Api) -> list[tuple[Any, ...]]:
    async with api.runtime.uow() as uow:
        rows = (await uow.session.execute(select(PhoneNumber).order_by(PhoneNumber.id))).scalars()
        return [
            (
                r.id,
                r.status,
                r.twilio_sid,
                r.release_reason,
                r.updated_at,
                r.trunk_id,
                r.failure_code,
            )
            for r in rows
        ]


async def test_dry_run_changes_nothing(api: Api, twin: Twin) -> None:
    w = await World().build(api, twin)
    # and a canceled subscription whose numbers are due
    late = await api.tenant("late")
    await buy(api, late)
    async with api.runtime.uow() as uow:
        from callplane.tenants import service as tenants

        await tenants.put_subscription(
            uow=uow,
            scope=late.scope,
            data=SubscriptionPut(plan="plan-10", status="canceled"),
        )
    await settle(api)
    db_before = await _db_state(api)
    twilio_before = twin.numbers()
    trunks_before = twin.state()["trunks"]

    run = await _reconcile(api, dry_run=True)

    s = run["summary"]
    assert run["dry_run"] is True
    # What it would do is reported...
    assert (
        s["drift_released"],
        s["adopted"],
        s["rewired"],
        s["trunks_fixed"],
        s["orphans"],
        s["pending_failed"],
        s["bulk_released"],
    ) == (2, 1, 2, 1, 1, 1, 1)
    # ...and nothing changed, here or at Twilio.
    assert await _db_state(api) == db_before
    assert twin.numbers() == twilio_before
    assert twin.state()["trunks"] == trunks_before
    assert w.gone.id  # (the world was built)


async def test_tenant_filter_and_runs_listed(api: Api, twin: Twin) -> None:
    w = await World().build(api, twin)
    run = await _reconcile(api, tenant_id=str(w.c.id))
    s = run["summary"]
    assert run["tenant_id"] == str(w.c.id)
    assert s["tenants_checked"] == 1 and s["accounts_checked"] == 1
    assert s["drift_released"] == 1  # only charlie's; acme's drift waits for a full run
    assert (await number_row(api, w.gone.id)).status == "active"

    r = await api.client.get("/v1/reconcile/runs", headers=api.platform)
    assert r.status_code == 200
    listed = r.json()["data"]
    assert [x["id"] for x in listed] == [run["id"]]
    assert set(listed[0]["summary"]) >= {
        "tenants_checked",
        "tenants_failed",
        "drift_released",
        "bulk_released",
        "orphans",
        "adopted",
        "rewired",
        "duration_ms",
    }
    one = await api.client.get(f"/v1/reconcile/runs/{run['id']}", headers=api.platform)
    assert one.json()["summary"] == run["summary"]


async def test_platform_only_and_unknown_tenant(api: Api) -> None:
    t = await api.tenant()
    r = await api.client.post("/v1/reconcile", json={}, headers=t.headers())
    assert r.status_code == 403
    r = await api.client.get("/v1/reconcile/runs", headers=t.headers())
    assert r.status_code == 403
    r = await api.client.post(
        "/v1/reconcile",
        json={"tenant_id": "00000000-0000-0000-0000-000000000000"},
        headers=api.platform,
    )
    assert r.status_code == 404


async def test_background_run(api: Api, twin: Twin, background: Any) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    twin.release_outside(
        twin.platform, api.runtime.settings.twilio_account_sid or "", n.twilio_sid or ""
    )
    await settle(api)
    r = await api.client.post("/v1/reconcile", json={"wait": False}, headers=api.platform)
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    await background.wait_background()
    r = await api.client.get(f"/v1/reconcile/runs/{run_id}", headers=api.platform)
    assert r.json()["status"] == "succeeded"
    assert r.json()["summary"]["drift_released"] == 1
    async with api.runtime.uow() as uow:
        run = await uow.session.get(JobRun, uuid.UUID(run_id))
        assert run is not None and run.trigger == "api" and run.attempts == 1
