"""Phone numbers end to end through the API against the sandbox, in each account model."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from callplane.db.audit import AuditLog
from tests.fixtures.api import Api
from tests.fixtures.numbers import NumbersKit

MODELS = ["master", "subaccount", "byo"]


async def _agent(api: Api, tenant, name: str = "Reception") -> str:
    r = await api.client.post(
        f"/v1/tenants/{tenant.id}/agents",
        json={"name": name, "voice": {"mode": "voicemail", "greeting": "Hello"}},
        headers=tenant.headers(),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.mark.parametrize("model", MODELS)
async def test_number_lifecycle(numbers: NumbersKit, model: str) -> None:
    """Search, price, buy, replay, quota, attach, detach, release (twice), in the tenant's account."""
    api = numbers.api
    t, account = await numbers.tenant(model, quota=1)
    base = f"/v1/tenants/{t.id}/phone-numbers"

    # Search: the tenant's account, with capabilities, place and price.
    r = await api.client.get(
        f"{base}/available",
        params={"country": "us", "type": "local", "area_code": "415", "sms": "true", "limit": 3},
        headers=t.headers("member"),
    )
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["next_cursor"] is None and len(found["data"]) == 3
    first = found["data"][0]
    assert first["phone_number"].startswith("+1415")
    assert first["country"] == "US" and first["type"] == "local"
    assert first["capabilities"] == {"voice": True, "sms": True, "mms": True}
    assert first["locality"] == "San Francisco" and first["region"] == "CA"
    assert first["monthly_price"] == "1.15"

    r = await api.client.get(
        f"{base}/pricing", params={"country": "GB"}, headers=t.headers("member")
    )
    assert r.status_code == 200, r.text
    assert r.json()["country"] == "GB" and r.json()["currency"] == "USD"
    assert {p["type"]: p["monthly"] for p in r.json()["prices"]} == {
        "local": "1.15",
        "mobile": "1.15",
        "toll_free": "2.15",
    }

    # Buy, written the way people type it.
    e164 = first["phone_number"]
    spoken = f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    purchases = await numbers.spy()
    key = f"buy-{uuid.uuid4()}"
    r = await numbers.buy(t, spoken, key=key, country="US")
    assert r.status_code == 201, r.text
    number = r.json()
    assert number["phone_number"] == e164 and number["status"] == "active"
    assert number["managed"] is True and number["origin"] == "purchased"
    assert number["country"] == "US" and number["type"] == "local"
    assert number["monthly_price"] == "1.15" and number["price_unit"] == "USD"
    assert number["capabilities"] == {"voice": True, "sms": True, "mms": True}
    assert number["account_sid"] == account and number["twilio_sid"].startswith("PN")
    (held,) = await numbers.held(e164)
    assert held["account_sid"] == account and held["sid"] == number["twilio_sid"]
    assert held["voice_url"] == "https://callplane.example.test/webhooks/twilio/voice"
    assert held["sms_url"] == "https://callplane.example.test/webhooks/twilio/sms"
    assert held["status_callback"] == "https://callplane.example.test/webhooks/twilio/status"

    # The same key again: the same number, no second purchase.
    r = await numbers.buy(t, e164, key=key)
    assert r.status_code == 201, r.text
    assert r.json()["id"] == number["id"] and r.headers["Idempotent-Replayed"] == "true"
    assert await purchases.count() == 1
    assert len(await numbers.held(e164)) == 1

    # Over the quota: 402 with used and quota, nothing bought, Twilio not asked.
    other = found["data"][1]["phone_number"]
    sandbox_numbers = len((await numbers.state())["numbers"])
    r = await numbers.buy(t, other)
    assert r.status_code == 402, r.text
    error = r.json()["error"]
    assert error["code"] == "phone_number_quota_exceeded"
    assert error["used"] == 1 and error["quota"] == 1
    assert await purchases.count() == 1
    assert len((await numbers.state())["numbers"]) == sandbox_numbers
    assert [row.e164 for row in await numbers.rows()] == [e164]

    # Attach to an agent, detach.
    agent_id = await _agent(api, t)
    r = await api.client.patch(
        f"{base}/{number['id']}", json={"agent_id": agent_id}, headers=t.headers()
    )
    assert r.status_code == 200, r.text
    assert r.json()["agent_id"] == agent_id
    r = await api.client.get(f"{base}/{number['id']}", headers=t.headers("member"))
    assert r.json()["agent_id"] == agent_id
    r = await api.client.patch(
        f"{base}/{number['id']}", json={"agent_id": None}, headers=t.headers()
    )
    assert r.status_code == 200 and r.json()["agent_id"] is None

    # Listed, filtered by status.
    r = await api.client.get(base, params={"status": "active"}, headers=t.headers("member"))
    assert [n["id"] for n in r.json()["data"]] == [number["id"]]

    # Release: gone from the account, released with a reason; again is success.
    r = await api.client.delete(f"{base}/{number['id']}", headers=t.headers())
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "released" and r.json()["release_reason"] == "user"
    assert r.json()["released_at"] is not None
    assert await numbers.held(e164) == []
    r = await api.client.delete(f"{base}/{number['id']}", headers=t.headers())
    assert r.status_code == 200 and r.json()["status"] == "released"
    r = await api.client.get(base, params={"status": "active,pending"}, headers=t.headers())
    assert r.json()["data"] == []
    r = await api.client.get(base, params={"status": "released"}, headers=t.headers())
    assert [n["id"] for n in r.json()["data"]] == [number["id"]]

    # Released, the quota is free again.
    r = await numbers.buy(t, other)
    assert r.status_code == 201, r.text
    assert (await numbers.held(other))[0]["account_sid"] == account

    async with api.runtime.uow() as uow:
        actions = set((await uow.session.execute(select(AuditLog.action))).scalars())
    assert {
        "phone_number.purchase_started",
        "phone_number.purchase",
        "phone_number.update",
        "phone_number.release",
    } <= actions


async def test_no_subscription_means_no_quota(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("master", quota=None)
    (e164,) = await numbers.available(t)
    purchases = await numbers.spy()
    r = await numbers.buy(t, e164)
    assert r.status_code == 402
    assert r.json()["error"]["quota"] == 0 and r.json()["error"]["used"] == 0
    assert await purchases.count() == 0 and await numbers.rows() == []


async def test_list_pages_with_a_cursor(numbers: NumbersKit) -> None:
    api = numbers.api
    t, _ = await numbers.tenant("master", quota=5)
    bought = [await numbers.buy(t, e) for e in await numbers.available(t, n=3)]
    ids = [r.json()["id"] for r in bought]
    base = f"/v1/tenants/{t.id}/phone-numbers"
    r = await api.client.get(base, params={"limit": 2}, headers=t.headers("member"))
    page = r.json()
    assert [n["id"] for n in page["data"]] == ids[:2] and page["next_cursor"]
    r = await api.client.get(
        base, params={"limit": 2, "cursor": page["next_cursor"]}, headers=t.headers()
    )
    assert [n["id"] for n in r.json()["data"]] == ids[2:] and r.json()["next_cursor"] is None


async def test_search_variants(numbers: NumbersKit) -> None:
    """Toll-free, mobile, contains, and a type Twilio does not sell in a country (empty)."""
    api = numbers.api
    t, _ = await numbers.tenant("master")
    base = f"/v1/tenants/{t.id}/phone-numbers/available"
    r = await api.client.get(
        base, params={"country": "US", "type": "toll_free", "limit": 2}, headers=t.headers()
    )
    assert r.status_code == 200 and len(r.json()["data"]) == 2
    assert all(n["type"] == "toll_free" and n["monthly_price"] == "2.15" for n in r.json()["data"])
    r = await api.client.get(
        base, params={"country": "GB", "type": "mobile", "limit": 2}, headers=t.headers()
    )
    assert [n["phone_number"][:4] for n in r.json()["data"]] == ["+447", "+447"]
    assert r.json()["data"][0]["address_requirements"] == "any"
    r = await api.client.get(
        base, params={"country": "US", "contains": "415*", "limit": 5}, headers=t.headers()
    )
    assert r.status_code == 200 and r.json()["data"]
    assert all("415" in n["phone_number"] for n in r.json()["data"])
    r = await api.client.get(base, params={"country": "US", "type": "mobile"}, headers=t.headers())
    assert r.status_code == 200 and r.json()["data"] == []
    r = await api.client.get(base, params={"country": "FR"}, headers=t.headers())
    assert r.status_code == 200 and r.json()["data"] == []
    r = await api.client.get(
        f"/v1/tenants/{t.id}/phone-numbers/pricing", params={"country": "FR"}, headers=t.headers()
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "country_not_supported"
    r = await api.client.get(
        base, params={"country": "US", "voice": "false", "sms": "false"}, headers=t.headers()
    )
    assert r.status_code == 200


async def test_held_numbers_block_an_account_model_change(numbers: NumbersKit) -> None:
    api = numbers.api
    t, _ = await numbers.tenant("master")
    n = await numbers.bought(t)
    r = await api.client.put(
        f"/v1/tenants/{t.id}/connection", json={"model": "subaccount"}, headers=t.headers()
    )
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "connection_in_use"
    assert "1 phone number" in r.json()["error"]["message"]
    await api.client.delete(f"/v1/tenants/{t.id}/phone-numbers/{n['id']}", headers=t.headers())
    r = await api.client.put(
        f"/v1/tenants/{t.id}/connection", json={"model": "subaccount"}, headers=t.headers()
    )
    assert r.status_code == 200, r.text


async def test_member_reads_but_cannot_buy(numbers: NumbersKit) -> None:
    api = numbers.api
    t, _ = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    r = await api.client.post(
        f"/v1/tenants/{t.id}/phone-numbers",
        json={"phone_number": e164},
        headers=t.headers("member"),
    )
    assert r.status_code == 403
    assert await numbers.rows() == []


async def test_suspended_tenant_cannot_buy(numbers: NumbersKit) -> None:
    api = numbers.api
    t, _ = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    r = await api.client.patch(
        f"/v1/tenants/{t.id}", json={"status": "suspended"}, headers=api.platform
    )
    assert r.status_code == 200, r.text
    r = await numbers.buy(t, e164)
    assert r.status_code == 409 and r.json()["error"]["code"] == "tenant_not_active"
    assert await numbers.rows() == []
