"""Regulated numbers: compliance profiles, bundle clones into subaccounts, address requirements."""

from __future__ import annotations

from sqlalchemy import select

from callplane.numbers.models import ClonedBundle
from tests.fixtures.numbers import NumbersKit


async def _platform_profile(numbers: NumbersKit, path: str, **body: str) -> dict:
    r = await numbers.api.client.put(
        f"/v1/compliance/{path}", json=body, headers=numbers.api.platform
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_subaccount_gets_the_platform_bundle_cloned_once(numbers: NumbersKit) -> None:
    api = numbers.api
    platform_bundle = await numbers.approved_bundle("GB", "local")
    profile = await _platform_profile(numbers, "gb/local", bundle_sid=platform_bundle)
    assert profile["scope"] == "platform" and profile["country"] == "GB"
    assert profile["bundle_status"] == "twilio-approved"

    t, sub = await numbers.tenant("subaccount")
    first, second = await numbers.available(t, "GB", "local", n=2)
    r = await numbers.buy(t, first)
    assert r.status_code == 201, r.text
    clone = r.json()["bundle_sid"]
    assert clone.startswith("BU") and clone != platform_bundle
    (held,) = await numbers.held(first)
    assert held["account_sid"] == sub and held["bundle_sid"] == clone

    r = await numbers.buy(t, second)
    assert r.status_code == 201, r.text
    assert r.json()["bundle_sid"] == clone
    state = await numbers.state()
    in_sub = [b for b in state["bundles"] if b["account_sid"] == sub]
    assert [b["sid"] for b in in_sub] == [clone]
    assert in_sub[0]["status"] == "twilio-approved"
    async with api.runtime.uow() as uow:
        rows = (await uow.session.execute(select(ClonedBundle))).scalars()
        clones = [(c.source_bundle_sid, c.account_sid, c.bundle_sid) for c in rows]
    assert clones == [(platform_bundle, sub, clone)]


async def test_subaccount_without_a_platform_bundle_gets_bundle_required(
    numbers: NumbersKit,
) -> None:
    t, sub = await numbers.tenant("subaccount", quota=1)
    (gb,) = await numbers.available(t, "GB", "local")
    r = await numbers.buy(t, gb)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "bundle_required" and error["twilio_code"] == 21649
    assert "PUT /v1/compliance/GB/local" in error["message"] and "clones" in error["message"]
    assert await numbers.held(gb) == []
    assert not [b for b in (await numbers.state())["bundles"] if b["account_sid"] == sub]
    (row,) = await numbers.rows()
    assert row.status == "failed" and row.failure_code == "bundle_required"
    assert "regulatory bundle" in row.failure_reason
    # The failed purchase does not count against the quota of one.
    (us,) = await numbers.available(t)
    assert (await numbers.buy(t, us)).status_code == 201


async def test_unapproved_platform_bundle_cannot_be_cloned(numbers: NumbersKit) -> None:
    draft = await numbers.approved_bundle("GB", "mobile", approve=False)
    profile = await _platform_profile(numbers, "GB/mobile", bundle_sid=draft)
    assert profile["bundle_status"] == "draft"
    t, sub = await numbers.tenant("subaccount")
    (gb,) = await numbers.available(t, "GB", "mobile")
    purchases = await numbers.spy()
    r = await numbers.buy(t, gb)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "bundle_required"
    assert draft in r.json()["error"]["message"]
    assert await purchases.count() == 0  # nothing was tried without a bundle
    state = await numbers.state()
    assert not [b for b in state["bundles"] if b["account_sid"] == sub]
    assert await numbers.held(gb) == []
    (row,) = await numbers.rows()
    assert row.status == "failed"


async def test_master_model_uses_the_platform_bundle(numbers: NumbersKit) -> None:
    bundle = await numbers.approved_bundle("DE", "mobile")
    await _platform_profile(numbers, "DE/mobile", bundle_sid=bundle)
    t, main = await numbers.tenant("master")
    (de,) = await numbers.available(t, "DE", "mobile")
    r = await numbers.buy(t, de)
    assert r.status_code == 201, r.text
    assert r.json()["bundle_sid"] == bundle and r.json()["type"] == "mobile"
    (held,) = await numbers.held(de)
    assert held["account_sid"] == main and held["bundle_sid"] == bundle


async def test_byo_needs_its_own_bundle(numbers: NumbersKit) -> None:
    api = numbers.api
    await _platform_profile(
        numbers, "PL/local", bundle_sid=await numbers.approved_bundle("PL", "local")
    )
    own = await numbers.byo_account()
    t = await api.tenant()
    await numbers.connect(t, "byo", own)
    pl_1, pl_2 = await numbers.available(t, "PL", "local", n=2)
    r = await numbers.buy(t, pl_1)
    assert r.status_code == 422 and r.json()["error"]["code"] == "bundle_required"
    assert f"/v1/tenants/{t.id}/compliance/PL/local" in r.json()["error"]["message"]

    their_bundle = await numbers.approved_bundle(
        "PL", "local", numbers.client(own["sid"], own["auth_token"])
    )
    r = await api.client.put(
        f"/v1/tenants/{t.id}/compliance/PL/local",
        json={"bundle_sid": their_bundle},
        headers=t.headers(),
    )
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "tenant" and r.json()["tenant_id"] == str(t.id)
    r = await numbers.buy(t, pl_2)
    assert r.status_code == 201, r.text
    assert r.json()["bundle_sid"] == their_bundle
    (held,) = await numbers.held(pl_2)
    assert held["account_sid"] == own["sid"]


async def test_address_required_and_copied_into_a_subaccount(numbers: NumbersKit) -> None:
    master_tenant, _ = await numbers.tenant("master")
    au_1, au_2 = await numbers.available(master_tenant, "AU", "local", n=2)
    r = await numbers.buy(master_tenant, au_1)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "address_required"
    assert r.json()["error"]["twilio_code"] == 21631

    address = await numbers.address("AU")
    await _platform_profile(numbers, "AU/local", address_sid=address)
    r = await numbers.buy(master_tenant, au_1)
    assert r.status_code == 201, r.text
    assert r.json()["address_sid"] == address

    t, sub = await numbers.tenant("subaccount")
    r = await numbers.buy(t, au_2)
    assert r.status_code == 201, r.text
    copy = r.json()["address_sid"]
    state = await numbers.state()
    copies = [a for a in state["addresses"] if a["account_sid"] == sub]
    assert [a["sid"] for a in copies] == [copy] and copy != address
    assert copies[0]["iso_country"] == "AU"
    (held,) = await numbers.held(au_2)
    assert held["account_sid"] == sub and held["address_sid"] == copy


async def test_compliance_profile_routes(numbers: NumbersKit) -> None:
    api = numbers.api
    t, _ = await numbers.tenant("master")
    r = await api.client.get("/v1/compliance/GB/local", headers=api.platform)
    assert r.status_code == 404
    bundle = await numbers.approved_bundle("GB", "local")

    # Shapes and SIDs are checked; the SIDs must exist in the right account.
    r = await api.client.put(
        "/v1/compliance/GB/local", json={"bundle_sid": "BU123"}, headers=api.platform
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = await api.client.put("/v1/compliance/GB/local", json={}, headers=api.platform)
    assert r.status_code == 422
    r = await api.client.put(
        "/v1/compliance/GB/local", json={"bundle_sid": "BU" + "0" * 32}, headers=api.platform
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_bundle"
    r = await api.client.put(
        "/v1/compliance/XX/local", json={"bundle_sid": bundle}, headers=api.platform
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_country"
    r = await api.client.put(
        "/v1/compliance/GB/landline", json={"bundle_sid": bundle}, headers=api.platform
    )
    assert r.status_code == 422

    # The platform route is platform-only; in the master model so is the tenant's profile.
    r = await api.client.put(
        "/v1/compliance/GB/local", json={"bundle_sid": bundle}, headers=t.headers()
    )
    assert r.status_code == 403
    r = await api.client.put(
        f"/v1/tenants/{t.id}/compliance/GB/local", json={"bundle_sid": bundle}, headers=t.headers()
    )
    assert r.status_code == 403
    r = await api.client.put(
        f"/v1/tenants/{t.id}/compliance/GB/local", json={"bundle_sid": bundle}, headers=api.platform
    )
    assert r.status_code == 200 and r.json()["scope"] == "tenant"
    r = await api.client.get(f"/v1/tenants/{t.id}/compliance/GB/local", headers=t.headers("member"))
    assert r.status_code == 200 and r.json()["bundle_sid"] == bundle

    # A byo tenant sets its own, but only with SIDs of its own account.
    byo_tenant = await api.tenant()
    await numbers.connect(byo_tenant, "byo")
    r = await api.client.put(
        f"/v1/tenants/{byo_tenant.id}/compliance/GB/local",
        json={"bundle_sid": bundle},
        headers=byo_tenant.headers(),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_bundle"

    r = await api.client.put(
        "/v1/compliance/GB/local", json={"bundle_sid": bundle}, headers=api.platform
    )
    assert r.status_code == 200
    r = await api.client.get("/v1/compliance/gb/local", headers=api.platform)
    assert (
        r.status_code == 200 and r.json()["bundle_sid"] == bundle and r.json()["tenant_id"] is None
    )
    r = await api.client.delete("/v1/compliance/GB/local", headers=api.platform)
    assert r.status_code == 204
    r = await api.client.get("/v1/compliance/GB/local", headers=api.platform)
    assert r.status_code == 404
