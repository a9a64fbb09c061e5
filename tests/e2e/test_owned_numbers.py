"""Customer-owned numbers (DESIGN section 13, issue 15): an imported number is never deleted at
Twilio by any path; releasing it hands it back exactly as it was before the import."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from callplane.db.base import utcnow
from callplane.numbers.models import PhoneNumber
from tests.fixtures.api import TenantKit
from tests.fixtures.jobs import backdate, eventually, number_row, reconcile, settle
from tests.fixtures.numbers import NumbersKit

# Everything a customer may have configured on its own number before callplane saw it.
THEIRS = {
    "voice_url": "https://customer.example.com/voice?line=main",
    "voice_method": "GET",
    "voice_fallback_url": "https://customer.example.com/voice-fallback",
    "voice_fallback_method": "GET",
    "sms_url": "https://customer.example.com/sms",
    "sms_method": "GET",
    "sms_fallback_url": "https://customer.example.com/sms-fallback",
    "sms_fallback_method": "GET",
    "status_callback": "https://customer.example.com/status",
    "status_callback_method": "GET",
}
ORIGINATION = "sip:agent.voice-ai.example"


class Customer:
    """A byo tenant whose own Twilio account holds a number configured by the customer (on the
    customer's own trunk)."""

    def __init__(self, numbers: NumbersKit) -> None:
        self.numbers = numbers
        self.api = numbers.api

    async def setup(self, *, trunk: bool = True, quota: int = 5) -> Customer:
        self.account = await self.numbers.byo_account("Customer Co")
        self.tenant: TenantKit = await self.api.tenant(quota=quota)
        await self.numbers.connect(self.tenant, "byo", self.account)
        client = self.numbers.client(self.account["sid"], self.account["auth_token"])
        (e164,) = await self.numbers.available(self.tenant)
        extra: dict[str, Any] = {}
        if trunk:
            own_trunk = await client.trunking.v1.trunks.create_async(
                friendly_name="customer pbx",
                domain_name=f"pbx-{uuid.uuid4().hex[:8]}.pstn.twilio.com",
            )
            extra["trunk_sid"] = own_trunk.sid
        ipn = await client.api.v2010.accounts(
            self.account["sid"]
        ).incoming_phone_numbers.create_async(phone_number=e164, **THEIRS, **extra)
        self.e164, self.sid = e164, ipn.sid
        self.before = await self.twilio()
        return self

    async def twilio(self) -> dict[str, Any]:
        """The number as the sandbox holds it (every field its state shows)."""
        (held,) = await self.numbers.held(self.e164)
        return held

    async def import_(self, **body: Any) -> dict[str, Any]:
        if "manage" not in body:
            body.setdefault("manage_webhooks", True)
        r = await self.api.client.post(
            f"/v1/tenants/{self.tenant.id}/phone-numbers/import",
            json={"phone_number": self.e164, **body},
            headers=self.tenant.headers(),
        )
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def url(self, number: dict[str, Any]) -> str:
        return f"/v1/tenants/{self.tenant.id}/phone-numbers/{number['id']}"

    async def on_callplane_trunk(self, number: dict[str, Any]) -> str:
        """Put the imported number on the tenant's callplane trunk; the trunk's SID."""
        r = await self.api.client.put(
            f"/v1/tenants/{self.tenant.id}/trunk",
            json={"origination_sip_uri": ORIGINATION},
            headers=self.tenant.headers(),
        )
        assert r.status_code in (200, 201), r.text
        r = await self.api.client.put(
            f"/v1/tenants/{self.tenant.id}/trunk/phone-numbers/{number['id']}",
            headers=self.tenant.headers(),
        )
        assert r.status_code == 200, r.text
        return str((await self.twilio())["trunk_sid"])

    async def restored(self) -> None:
        """The customer's number is in its account exactly as before the import."""
        assert await self.twilio() == self.before


async def test_import_saves_the_configuration_and_wires_the_number(numbers: NumbersKit) -> None:
    c = await Customer(numbers).setup()
    number = await c.import_()
    assert number["origin"] == "imported"
    assert number["manage"] == {"voice": True, "sms": True}
    assert number["channels"] == {"voice": "callplane", "sms": "callplane"}
    saved = number["original_config"]
    assert {k: saved[k] for k in THEIRS} == THEIRS
    assert saved["trunk_sid"] == c.before["trunk_sid"] and saved["trunk_sid"].startswith("TK")
    wired = await c.twilio()
    base = "https://callplane.example.test/webhooks/twilio"
    assert wired["voice_url"] == f"{base}/voice" and wired["sms_url"] == f"{base}/sms"
    assert wired["voice_fallback_url"] == f"{base}/voice-fallback"
    assert wired["status_callback"] == f"{base}/status" and wired["sms_fallback_url"] == ""
    # The number is still on the customer's trunk: callplane did not take that.
    assert wired["trunk_sid"] == c.before["trunk_sid"]
    got = (await c.api.client.get(c.url(number), headers=c.tenant.headers("member"))).json()
    assert got["original_config"] == saved


async def test_user_release_hands_it_back_exactly(numbers: NumbersKit) -> None:
    c = await Customer(numbers).setup()
    number = await c.import_()
    trunk_sid = await c.on_callplane_trunk(number)
    assert trunk_sid != c.before["trunk_sid"]
    got = (await c.api.client.get(c.url(number), headers=c.tenant.headers())).json()
    assert got["channels"]["voice"] == "trunk"

    r = await c.api.client.delete(c.url(number), headers=c.tenant.headers())
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "released" and r.json()["release_reason"] == "user"
    await c.restored()
    # Releasing again changes nothing.
    r = await c.api.client.delete(c.url(number), headers=c.tenant.headers())
    assert r.status_code == 200 and r.json()["status"] == "released"
    await c.restored()


async def test_deleting_an_imported_number_at_twilio_needs_a_confirmation(
    numbers: NumbersKit,
) -> None:
    c = await Customer(numbers).setup(trunk=False)
    number = await c.import_()
    wired = await c.twilio()
    url = c.url(number) + "?at_twilio=true"
    for body in (None, {}, {"confirm": "+15005550006"}, {"confirm": "yes"}):
        r = await c.api.client.request(
            "DELETE",
            url,
            headers=c.tenant.headers(),
            **({"json": body} if body is not None else {}),
        )
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "confirmation_required"
        assert r.json()["error"]["phone_number"] == c.e164
    # Nothing moved: the number is still held and still wired.
    assert (await c.api.client.get(c.url(number), headers=c.tenant.headers())).json()[
        "status"
    ] == "active"
    assert await c.twilio() == wired
    # A member key may not release at all; a bad body is a 422.
    r = await c.api.client.request(
        "DELETE", url, json={"confirm": c.e164}, headers=c.tenant.headers("member")
    )
    assert r.status_code == 403
    r = await c.api.client.request(
        "DELETE", url, json={"confirm": c.e164, "force": True}, headers=c.tenant.headers()
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"

    r = await c.api.client.request(
        "DELETE", url, json={"confirm": c.e164[1:]}, headers=c.tenant.headers()
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "released"
    assert await numbers.held(c.e164) == []


async def test_a_purchased_number_is_still_released_at_twilio(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("byo")
    number = await numbers.bought(t)
    assert number["origin"] == "purchased" and number["original_config"] is None
    r = await numbers.api.client.delete(
        f"/v1/tenants/{t.id}/phone-numbers/{number['id']}", headers=t.headers()
    )
    assert r.status_code == 200 and r.json()["status"] == "released"
    assert await numbers.held(number["phone_number"]) == []


async def _subscribe(c: Customer, **body: Any) -> None:
    r = await c.api.client.put(
        f"/v1/tenants/{c.tenant.id}/subscription",
        json={"plan": "plan-5", **body},
        headers=c.api.platform,
    )
    assert r.status_code == 200, r.text


async def test_an_immediate_cancellation_hands_it_back(
    numbers: NumbersKit, background: Any
) -> None:
    c = await Customer(numbers).setup()
    number = await c.import_()
    await c.on_callplane_trunk(number)
    bought = await numbers.bought(c.tenant)

    await _subscribe(c, status="canceled")

    async def released() -> bool:
        rows = [await number_row(c.api, uuid.UUID(n["id"])) for n in (number, bought)]
        return all(r.status == "released" for r in rows)

    await eventually(released)
    row = await number_row(c.api, uuid.UUID(number["id"]))
    assert row.release_reason == "subscription_canceled"
    await c.restored()
    assert await numbers.held(bought["phone_number"]) == []  # what callplane bought goes


async def test_a_cancellation_at_period_end_hands_it_back_in_the_daily_job(
    numbers: NumbersKit, background: Any
) -> None:
    c = await Customer(numbers).setup()
    number = await c.import_()
    ends = utcnow() + timedelta(seconds=1)
    await _subscribe(c, status="active", cancel_at_period_end=True, canceled_at=ends.isoformat())
    await background.wait_background()
    assert (await number_row(c.api, uuid.UUID(number["id"]))).status == "active"
    await asyncio.sleep(max(0.0, (ends - utcnow()).total_seconds()) + 0.05)
    await settle(c.api)
    r = await c.api.client.post("/v1/reconcile", json={}, headers=c.api.platform)
    assert r.status_code in (200, 201), r.text
    assert r.json()["summary"]["bulk_released"] == 1
    row = await number_row(c.api, uuid.UUID(number["id"]))
    assert (row.status, row.release_reason) == ("released", "subscription_canceled")
    await c.restored()


async def test_offboarding_hands_it_back(numbers: NumbersKit) -> None:
    c = await Customer(numbers).setup()
    number = await c.import_()
    await c.on_callplane_trunk(number)
    r = await c.api.client.delete(f"/v1/tenants/{c.tenant.id}", headers=c.api.platform)
    assert r.status_code == 200, r.text
    row = await number_row(c.api, uuid.UUID(number["id"]))
    assert (row.status, row.release_reason) == ("released", "offboarded")
    await c.restored()
    # callplane's own trunk went; the customer's stays.
    trunks = {t["sid"] for t in (await numbers.state())["trunks"]}
    assert trunks == {c.before["trunk_sid"]}


async def test_offboarding_keeps_a_subaccount_that_holds_an_imported_number(
    numbers: NumbersKit,
) -> None:
    api = numbers.api
    t, sub = await numbers.tenant("subaccount")
    (e164,) = await numbers.available(t)
    parent = numbers.client()
    await parent.api.v2010.accounts(sub).incoming_phone_numbers.create_async(
        phone_number=e164, voice_url=THEIRS["voice_url"]
    )
    (before,) = await numbers.held(e164)
    r = await api.client.post(
        f"/v1/tenants/{t.id}/phone-numbers/import",
        json={"phone_number": e164, "manage_webhooks": True},
        headers=t.headers(),
    )
    assert r.status_code == 201, r.text
    bought = await numbers.bought(t)
    r = await api.client.delete(f"/v1/tenants/{t.id}", headers=api.platform)
    assert r.status_code == 200, r.text
    accounts = {a["sid"]: a["status"] for a in (await numbers.state())["accounts"]}
    assert accounts[sub] == "active"
    assert await numbers.held(e164) == [before]
    assert await numbers.held(bought["phone_number"]) == []


async def test_a_release_stuck_midway_is_handed_back_by_the_daily_job(
    numbers: NumbersKit,
) -> None:
    c = await Customer(numbers).setup()
    number = await c.import_()
    # Twilio refuses the hand-back's update: the release stops midway, the row `releasing`.
    await numbers.fault(method="POST", path=rf"/IncomingPhoneNumbers/{c.sid}\.json$", status=400)
    r = await c.api.client.delete(c.url(number), headers=c.tenant.headers())
    assert r.status_code == 502, r.text
    assert (await number_row(c.api, uuid.UUID(number["id"]))).status == "releasing"
    await numbers.control("DELETE", "/__sandbox/faults")
    await backdate(c.api.runtime, 7200, PhoneNumber.id == uuid.UUID(number["id"]))

    summary = await reconcile(c.api.runtime)
    assert summary["releases_completed"] == 1 and summary["orphans"] == 0
    assert (await number_row(c.api, uuid.UUID(number["id"]))).status == "released"
    await c.restored()


async def test_the_connection_moves_only_once_it_is_handed_back(numbers: NumbersKit) -> None:
    c = await Customer(numbers).setup(trunk=False)
    number = await c.import_()
    conn = f"/v1/tenants/{c.tenant.id}/connection"
    r = await c.api.client.put(conn, json={"model": "master"}, headers=c.tenant.headers())
    assert r.status_code == 409 and r.json()["error"]["code"] == "connection_in_use"
    assert (await c.twilio())["voice_url"].endswith("/webhooks/twilio/voice")

    r = await c.api.client.delete(c.url(number), headers=c.tenant.headers())
    assert r.status_code == 200, r.text
    r = await c.api.client.put(conn, json={"model": "master"}, headers=c.tenant.headers())
    assert r.status_code == 200, r.text
    await c.restored()
    # The daily job in the tenant's new account never touches the customer's.
    await settle(c.api)
    await reconcile(c.api.runtime)
    await c.restored()
