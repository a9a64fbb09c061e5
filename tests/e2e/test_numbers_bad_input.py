"""Bad input: clear 4xx answers with stable codes; nothing bought, nothing written."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from callplane.db.audit import AuditLog
from tests.fixtures.api import TenantKit
from tests.fixtures.numbers import NumbersKit, Spy


async def _audit_rows(numbers: NumbersKit) -> int:
    async with numbers.api.runtime.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(AuditLog)) or 0)


async def _nothing_happened(numbers: NumbersKit, purchases: Spy, audit_rows: int) -> None:
    assert await purchases.count() == 0
    assert await numbers.rows() == []
    assert (await numbers.state())["numbers"] == []
    assert await _audit_rows(numbers) == audit_rows


BAD_PURCHASES = [
    ({"phone_number": "hello"}, 422, "invalid_phone_number"),
    ({"phone_number": "12345"}, 422, "invalid_phone_number"),
    ({"phone_number": "+1 415 555"}, 422, "invalid_phone_number"),
    ({"phone_number": "020 7946 0018"}, 422, "invalid_phone_number"),  # national, no country
    ({"phone_number": "+999 1234 5678"}, 422, "invalid_phone_number"),
    ({"phone_number": "4155234271", "country": "GB"}, 422, "invalid_phone_number"),
    ({"phone_number": ""}, 422, "validation_error"),
    ({"phone_number": "+14155234271", "country": "USA"}, 422, "validation_error"),
    ({"phone_number": "+14155234271", "agent_id": "not-a-uuid"}, 422, "validation_error"),
    ({"phone_number": "+14155234271", "extra": 1}, 422, "validation_error"),
    ({"phone_number": 14155234271}, 422, "validation_error"),
    ({}, 422, "validation_error"),
    ({"phone_number": "+14155234271", "agent_id": str(uuid.uuid4())}, 404, "not_found"),
]


async def test_bad_purchases(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("master")
    purchases = await numbers.spy()
    audit_rows = await _audit_rows(numbers)
    for body, status, code in BAD_PURCHASES:
        r = await numbers.api.client.post(
            f"/v1/tenants/{t.id}/phone-numbers",
            json=body,
            headers={**t.headers(), "Idempotency-Key": str(uuid.uuid4())},
        )
        assert r.status_code == status, (body, r.text)
        assert r.json()["error"]["code"] == code, (body, r.text)
        assert r.json()["error"]["message"]
    r = await numbers.api.client.post(
        f"/v1/tenants/{t.id}/phone-numbers",
        content=b"{not json",
        headers={**t.headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
    await _nothing_happened(numbers, purchases, audit_rows)


async def test_bad_searches(numbers: NumbersKit) -> None:
    api = numbers.api
    t, _ = await numbers.tenant("master")
    searches = await numbers.spy("GET", r"/AvailablePhoneNumbers/")
    base = f"/v1/tenants/{t.id}/phone-numbers"
    cases = [
        ({}, "validation_error"),
        ({"country": "XX"}, "invalid_country"),
        ({"country": "USA"}, "invalid_country"),
        ({"country": "1"}, "invalid_country"),
        ({"country": "US", "type": "landline"}, "validation_error"),
        ({"country": "US", "limit": 0}, "validation_error"),
        ({"country": "US", "limit": 51}, "validation_error"),
        ({"country": "US", "limit": "many"}, "validation_error"),
        ({"country": "US", "area_code": "41"}, "validation_error"),
        ({"country": "US", "contains": "!"}, "validation_error"),
        ({"country": "US", "sms": "perhaps"}, "validation_error"),
        ({"country": "GB", "area_code": "415"}, "area_code_not_supported"),
    ]
    for params, code in cases:
        r = await api.client.get(f"{base}/available", params=params, headers=t.headers())
        assert r.status_code == 422, (params, r.text)
        assert r.json()["error"]["code"] == code, (params, r.text)
    for params, code in [({}, "validation_error"), ({"country": "ZZ"}, "invalid_country")]:
        r = await api.client.get(f"{base}/pricing", params=params, headers=t.headers())
        assert r.status_code == 422 and r.json()["error"]["code"] == code
    assert await searches.count() == 0


async def test_another_tenants_ids_are_404(numbers: NumbersKit) -> None:
    api = numbers.api
    alice, _ = await numbers.tenant("master")
    bob, _ = await numbers.tenant("master")
    number = await numbers.bought(alice)
    r = await api.client.post(
        f"/v1/tenants/{bob.id}/agents",
        json={"name": "Bob's", "voice": {"mode": "voicemail"}},
        headers=bob.headers(),
    )
    bobs_agent = r.json()["id"]
    nid = number["id"]

    for who in ("admin", "member"):
        r = await api.client.get(
            f"/v1/tenants/{bob.id}/phone-numbers/{nid}", headers=bob.headers(who)
        )
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        # Alice's tenant path with Bob's key: the tenant itself is not found.
        r = await api.client.get(
            f"/v1/tenants/{alice.id}/phone-numbers/{nid}", headers=bob.headers(who)
        )
        assert r.status_code == 404
    r = await api.client.patch(
        f"/v1/tenants/{bob.id}/phone-numbers/{nid}", json={"agent_id": None}, headers=bob.headers()
    )
    assert r.status_code == 404
    r = await api.client.delete(f"/v1/tenants/{bob.id}/phone-numbers/{nid}", headers=bob.headers())
    assert r.status_code == 404
    # Alice cannot attach Bob's agent to her number.
    r = await api.client.patch(
        f"/v1/tenants/{alice.id}/phone-numbers/{nid}",
        json={"agent_id": bobs_agent},
        headers=alice.headers(),
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await api.client.get(f"/v1/tenants/{bob.id}/phone-numbers", headers=bob.headers())
    assert r.json()["data"] == []

    (row,) = await numbers.rows()
    assert row.status == "active" and row.agent_id is None
    assert len(await numbers.held(number["phone_number"])) == 1


async def test_malformed_ids_and_bodies(numbers: NumbersKit) -> None:
    api = numbers.api
    t, _ = await numbers.tenant("master")
    number = await numbers.bought(t)
    base = f"/v1/tenants/{t.id}/phone-numbers"
    r = await api.client.get(f"{base}/not-a-uuid", headers=t.headers())
    assert r.status_code == 422
    r = await api.client.get(f"{base}/{uuid.uuid4()}", headers=t.headers())
    assert r.status_code == 404
    r = await api.client.patch(f"{base}/{number['id']}", json={}, headers=t.headers())
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = await api.client.get(base, params={"status": "gone"}, headers=t.headers())
    assert r.status_code == 422
    r = await api.client.get(base, params={"cursor": "@@@"}, headers=t.headers())
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"
    r = await api.client.get(base, params={"limit": 201}, headers=t.headers())
    assert r.status_code == 422


async def test_idempotency_key_cannot_be_reused_for_another_number(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("master")
    a, b = await numbers.available(t, n=2)
    assert (await numbers.buy(t, a, key="k-1")).status_code == 201
    purchases = await numbers.spy()
    r = await numbers.buy(t, b, key="k-1")
    assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_key_reused"
    assert await purchases.count() == 0
    assert await numbers.held(b) == []
    r = await numbers.api.client.post(
        f"/v1/tenants/{t.id}/phone-numbers",
        json={"phone_number": b},
        headers={**t.headers(), "Idempotency-Key": "x" * 300},
    )
    assert r.status_code == 422
    assert await purchases.count() == 0


async def test_released_number_takes_no_agent(numbers: NumbersKit) -> None:
    api = numbers.api
    t: TenantKit
    t, _ = await numbers.tenant("master")
    number = await numbers.bought(t)
    base = f"/v1/tenants/{t.id}/phone-numbers/{number['id']}"
    await api.client.delete(base, headers=t.headers())
    r = await api.client.post(
        f"/v1/tenants/{t.id}/agents",
        json={"name": "A", "voice": {"mode": "voicemail"}},
        headers=t.headers(),
    )
    r = await api.client.patch(base, json={"agent_id": r.json()["id"]}, headers=t.headers())
    assert r.status_code == 409 and r.json()["error"]["code"] == "phone_number_not_held"
