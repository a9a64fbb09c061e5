"""Channel ownership (issue 15): callplane wires, rewires and restores only the channels it owns;
`PATCH manage` takes a channel over (saving what was there) or gives it back (restoring it)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.e2e.test_owned_numbers import THEIRS, Customer
from tests.fixtures.jobs import reconcile, settle
from tests.fixtures.numbers import NumbersKit

BASE = "https://callplane.example.test/webhooks/twilio"
ELSEWHERE = "https://elsewhere.example.com/voice"


async def _patch(c: Customer, number: dict[str, Any], body: dict[str, Any], role: str = "admin"):
    return await c.api.client.patch(c.url(number), json=body, headers=c.tenant.headers(role))


async def test_an_sms_unmanaged_import_keeps_its_sms_url_forever(numbers: NumbersKit) -> None:
    c = await Customer(numbers).setup(trunk=False)
    number = await c.import_(manage={"voice": True, "sms": False}, manage_webhooks=None)
    assert number["manage"] == {"voice": True, "sms": False} and number["managed"] is True
    assert number["channels"] == {"voice": "callplane", "sms": "customer"}
    held = await c.twilio()
    assert (
        held["voice_url"] == f"{BASE}/voice"
        and held["voice_fallback_url"] == f"{BASE}/voice-fallback"
    )
    sms_fields = ("sms_url", "sms_method", "sms_fallback_url", "sms_fallback_method")
    assert {f: held[f] for f in sms_fields} == {f: c.before[f] for f in sms_fields}

    # Someone rewires both channels at Twilio: the daily job puts back only voice.
    client = numbers.client(c.account["sid"], c.account["auth_token"])
    ipn = client.api.v2010.accounts(c.account["sid"]).incoming_phone_numbers(c.sid)
    await ipn.update_async(voice_url=ELSEWHERE, sms_url="https://customer.example.com/sms2")
    await settle(c.api)
    summary = await reconcile(c.api.runtime)
    assert summary["rewired"] == 1
    held = await c.twilio()
    assert held["voice_url"] == f"{BASE}/voice"
    assert held["sms_url"] == "https://customer.example.com/sms2"
    # A second run finds nothing to do: the SMS channel is not callplane's to compare.
    await settle(c.api)
    assert (await reconcile(c.api.runtime))["rewired"] == 0

    r = await c.api.client.delete(c.url(number), headers=c.tenant.headers())
    assert r.status_code == 200, r.text
    held = await c.twilio()
    assert held["sms_url"] == "https://customer.example.com/sms2"  # never touched
    assert held["voice_url"] == THEIRS["voice_url"] and held["voice_method"] == "GET"


async def test_a_purchase_without_sms_leaves_the_sms_channel_alone(numbers: NumbersKit) -> None:
    t, account = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    r = await numbers.buy(t, e164, manage={"voice": True, "sms": False}, label="Support line")
    assert r.status_code == 201, r.text
    number = r.json()
    assert number["manage"] == {"voice": True, "sms": False} and number["label"] == "Support line"
    (held,) = await numbers.held(e164)
    assert held["voice_url"] == f"{BASE}/voice" and held["sms_url"] == ""
    # The tenant points SMS at its own app at Twilio: the daily job leaves it there.
    ipn = numbers.client().api.v2010.accounts(account).incoming_phone_numbers(number["twilio_sid"])
    await ipn.update_async(sms_url="https://tenant.example.com/sms")
    await settle(numbers.api)
    assert (await reconcile(numbers.api.runtime))["rewired"] == 0
    (held,) = await numbers.held(e164)
    assert held["sms_url"] == "https://tenant.example.com/sms"


async def test_taking_a_channel_over_and_giving_it_back_restores_it(numbers: NumbersKit) -> None:
    c = await Customer(numbers).setup(trunk=False)
    number = await c.import_(manage_webhooks=False)
    assert number["channels"] == {"voice": "customer", "sms": "customer"}
    await c.restored()

    r = await _patch(c, number, {"manage": {"sms": True}})
    assert r.status_code == 200, r.text
    assert r.json()["manage"] == {"voice": False, "sms": True} and r.json()["managed"] is True
    held = await c.twilio()
    assert held["sms_url"] == f"{BASE}/sms" and held["sms_fallback_url"] == ""
    assert held["voice_url"] == THEIRS["voice_url"]  # voice untouched
    assert r.json()["original_config"]["sms_url"] == THEIRS["sms_url"]

    r = await _patch(c, number, {"manage": {"voice": True}})
    assert r.status_code == 200, r.text
    assert (await c.twilio())["voice_url"] == f"{BASE}/voice"

    r = await _patch(c, number, {"manage": {"voice": False, "sms": False}})
    assert r.status_code == 200, r.text
    assert r.json()["managed"] is False
    await c.restored()
    # Giving back what is not owned changes nothing at Twilio.
    updates = await numbers.spy("POST", rf"/IncomingPhoneNumbers/{c.sid}\.json$")
    r = await _patch(c, number, {"manage": {"voice": False}})
    assert r.status_code == 200 and await updates.count() == 0


async def test_a_channel_taken_over_saves_what_is_there_then(numbers: NumbersKit) -> None:
    """The customer changed its SMS URL after the import: taking SMS over saves the new one."""
    c = await Customer(numbers).setup(trunk=False)
    number = await c.import_(manage={"voice": True, "sms": False})
    client = numbers.client(c.account["sid"], c.account["auth_token"])
    ipn = client.api.v2010.accounts(c.account["sid"]).incoming_phone_numbers(c.sid)
    await ipn.update_async(sms_url="https://customer.example.com/sms-v2", sms_method="POST")
    r = await _patch(c, number, {"manage": {"sms": True}})
    assert r.status_code == 200, r.text
    assert r.json()["original_config"]["sms_url"] == "https://customer.example.com/sms-v2"
    r = await _patch(c, number, {"manage": {"sms": False}})
    held = await c.twilio()
    assert (held["sms_url"], held["sms_method"]) == ("https://customer.example.com/sms-v2", "POST")


async def test_channel_changes_refuse_bad_input_and_change_nothing(numbers: NumbersKit) -> None:
    c = await Customer(numbers).setup(trunk=False)
    number = await c.import_(manage_webhooks=False)
    for body in (
        {},
        {"manage": None},
        {"manage": {"voice": "maybe"}},
        {"manage": {"fax": True}},
        {"label": "x" * 101},
        {"agent_id": "not-a-uuid"},
    ):
        r = await _patch(c, number, body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["code"] == "validation_error"
    # An unknown agent with a channel change: 404, and the channel is not taken either.
    r = await _patch(c, number, {"agent_id": str(uuid.uuid4()), "manage": {"sms": True}})
    assert r.status_code == 404, r.text
    r = await _patch(c, number, {"manage": {"sms": True}}, role="member")
    assert r.status_code == 403
    # Twilio refusing the change: a clear error, and neither side changed.
    await numbers.fault(method="POST", path=rf"/IncomingPhoneNumbers/{c.sid}\.json$", status=400)
    r = await _patch(c, number, {"manage": {"sms": True}, "label": "Main"})
    assert r.status_code in (409, 422, 502), r.text
    await numbers.control("DELETE", "/__sandbox/faults")
    await c.restored()
    got = (await c.api.client.get(c.url(number), headers=c.tenant.headers())).json()
    assert got["manage"] == {"voice": False, "sms": False} and got["label"] is None

    # Import: the channels must be chosen, one way, consistently.
    for body in (
        {},
        {"manage_webhooks": True, "manage": {"voice": False, "sms": True}},
        {"manage": {"voice": True, "sms": True, "fax": True}},
    ):
        r = await c.api.client.post(
            f"/v1/tenants/{c.tenant.id}/phone-numbers/import",
            json={"phone_number": c.e164, **body},
            headers=c.tenant.headers(),
        )
        assert r.status_code == 422, (body, r.text)


async def test_labels(numbers: NumbersKit) -> None:
    c = await Customer(numbers).setup(trunk=False)
    number = await c.import_(manage_webhooks=False, label="Head office")
    assert number["label"] == "Head office"
    r = await _patch(c, number, {"label": "Reception"})
    assert r.status_code == 200 and r.json()["label"] == "Reception"
    r = await _patch(c, number, {"label": None})
    assert r.status_code == 200 and r.json()["label"] is None
    listed = await c.api.client.get(
        f"/v1/tenants/{c.tenant.id}/phone-numbers", headers=c.tenant.headers("member")
    )
    assert [n["label"] for n in listed.json()["data"]] == [None]
