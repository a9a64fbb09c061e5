"""Importing numbers already in a tenant's Twilio account: managed, unmanaged, 404, 409."""

from __future__ import annotations

from typing import Any

from tests.fixtures.api import TenantKit
from tests.fixtures.numbers import NumbersKit

THEIR_URL = "https://customer.example.com/voice"


async def _own_number(numbers: NumbersKit, tenant: TenantKit, account: dict[str, str]) -> Any:
    """A number bought straight at Twilio in the tenant's own account, wired to its own app."""
    (e164,) = await numbers.available(tenant)
    client = numbers.client(account["sid"], account["auth_token"])
    return await client.api.v2010.accounts(account["sid"]).incoming_phone_numbers.create_async(
        phone_number=e164, voice_url=THEIR_URL
    )


async def _import(numbers: NumbersKit, tenant: TenantKit, e164: str, manage: bool, headers=None):
    return await numbers.api.client.post(
        f"/v1/tenants/{tenant.id}/phone-numbers/import",
        json={"phone_number": e164, "manage_webhooks": manage},
        headers=headers or tenant.headers(),
    )


async def test_import_managed_rewires_and_release_hands_it_back(numbers: NumbersKit) -> None:
    api = numbers.api
    own = await numbers.byo_account()
    t = await api.tenant(quota=1)
    await numbers.connect(t, "byo", own)
    ipn = await _own_number(numbers, t, own)
    r = await _import(numbers, t, ipn.phone_number[1:], True)  # without the +
    assert r.status_code == 201, r.text
    number = r.json()
    assert number["phone_number"] == ipn.phone_number and number["twilio_sid"] == ipn.sid
    assert number["managed"] is True and number["origin"] == "imported"
    assert number["status"] == "active" and number["account_sid"] == own["sid"]
    (held,) = await numbers.held(ipn.phone_number)
    assert held["voice_url"] == "https://callplane.example.test/webhooks/twilio/voice"
    assert held["sms_url"].endswith("/webhooks/twilio/sms")

    # Imported numbers count against the quota.
    (other,) = await numbers.available(t)
    r = await numbers.buy(t, other)
    assert r.status_code == 402 and r.json()["error"]["used"] == 1

    r = await api.client.delete(
        f"/v1/tenants/{t.id}/phone-numbers/{number['id']}", headers=t.headers()
    )
    assert r.status_code == 200 and r.json()["status"] == "released"
    # The customer's number stays in its account, as it was before the import.
    (held,) = await numbers.held(ipn.phone_number)
    assert held["sid"] == ipn.sid and held["voice_url"] == THEIR_URL and held["sms_url"] == ""


async def test_import_unmanaged_is_never_rewritten_and_only_detached(numbers: NumbersKit) -> None:
    api = numbers.api
    own = await numbers.byo_account()
    t = await api.tenant()
    await numbers.connect(t, "byo", own)
    ipn = await _own_number(numbers, t, own)
    updates = await numbers.spy("POST", r"/IncomingPhoneNumbers/PN[0-9a-f]+\.json$")
    r = await _import(numbers, t, ipn.phone_number, False)
    assert r.status_code == 201, r.text
    number = r.json()
    assert number["managed"] is False and number["origin"] == "imported"
    (held,) = await numbers.held(ipn.phone_number)
    assert held["voice_url"] == THEIR_URL

    r = await api.client.delete(
        f"/v1/tenants/{t.id}/phone-numbers/{number['id']}", headers=t.headers()
    )
    assert r.status_code == 200 and r.json()["status"] == "released"
    (held,) = await numbers.held(ipn.phone_number)
    assert held["sid"] == ipn.sid and held["voice_url"] == THEIR_URL
    assert await updates.count() == 0


async def test_import_of_a_number_the_account_does_not_hold_is_404(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("byo")
    (free,) = await numbers.available(t)
    r = await _import(numbers, t, free, True)
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "phone_number_not_in_account"
    # A number of another account (the platform's) is not the tenant's either.
    platform_tenant, _ = await numbers.tenant("master")
    theirs = await numbers.bought(platform_tenant)
    r = await _import(numbers, t, theirs["phone_number"], False)
    assert r.status_code == 404
    assert [row.tenant_id for row in await numbers.rows()] == [platform_tenant.id]


async def test_import_of_another_tenants_number_is_409(numbers: NumbersKit) -> None:
    """Two tenants sharing one byo account: the number belongs to the first that claims it."""
    api = numbers.api
    shared = await numbers.byo_account("Shared")
    alice = await api.tenant()
    bob = await api.tenant()
    await numbers.connect(alice, "byo", shared)
    await numbers.connect(bob, "byo", shared)
    ipn = await _own_number(numbers, alice, shared)
    r = await _import(numbers, alice, ipn.phone_number, True)
    assert r.status_code == 201, r.text
    first = r.json()
    r = await _import(numbers, bob, ipn.phone_number, True)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "phone_number_owned_elsewhere"
    # Importing it again into its owner is harmless.
    r = await _import(numbers, alice, ipn.phone_number, True)
    assert r.status_code == 200 and r.json()["id"] == first["id"]
    assert len(await numbers.rows()) == 1
    # Buying a held number is refused as well, before Twilio is asked.
    purchases = await numbers.spy()
    r = await numbers.buy(bob, ipn.phone_number)
    assert r.status_code == 409 and r.json()["error"]["code"] == "phone_number_unavailable"
    assert await purchases.count() == 0


async def test_import_in_a_subaccount(numbers: NumbersKit) -> None:
    t, sub = await numbers.tenant("subaccount")
    (e164,) = await numbers.available(t)
    parent = numbers.client()  # the platform reaches its subaccounts' numbers
    ipn = await parent.api.v2010.accounts(sub).incoming_phone_numbers.create_async(
        phone_number=e164
    )
    r = await _import(numbers, t, e164, True)
    assert r.status_code == 201, r.text
    assert r.json()["account_sid"] == sub and r.json()["twilio_sid"] == ipn.sid


async def test_import_in_the_master_model_needs_a_platform_key(numbers: NumbersKit) -> None:
    api = numbers.api
    t, main = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    await (
        numbers.client()
        .api.v2010.accounts(main)
        .incoming_phone_numbers.create_async(phone_number=e164)
    )
    r = await _import(numbers, t, e164, True)
    assert r.status_code == 403, r.text
    assert await numbers.rows() == []
    r = await _import(numbers, t, e164, True, headers=api.platform)
    assert r.status_code == 201, r.text
    assert r.json()["account_sid"] == main


async def test_import_validates_its_body(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("byo")
    r = await numbers.api.client.post(
        f"/v1/tenants/{t.id}/phone-numbers/import",
        json={"phone_number": "+14155550100"},
        headers=t.headers(),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = await _import(numbers, t, "not a number", True)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_phone_number"
    assert await numbers.rows() == []
