"""Tenants, API keys, plans and subscriptions through the HTTP API."""

from __future__ import annotations

from sqlalchemy import func, select

from callplane.db.audit import AuditLog
from callplane.tenants import service as tenants
from callplane.tenants.models import Tenant
from callplane.tenants.schemas import TenantPatch
from tests.fixtures.api import Api


async def test_platform_creates_and_lists_tenants(api: Api) -> None:
    created = []
    for slug in ("acme", "globex", "initech"):
        r = await api.client.post(
            "/v1/tenants", json={"slug": slug, "name": slug.title()}, headers=api.platform
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["slug"] == slug and body["status"] == "active" and body["id"]
        created.append(body["id"])
    page1 = await api.client.get("/v1/tenants?limit=2", headers=api.platform)
    assert page1.status_code == 200
    assert [t["id"] for t in page1.json()["data"]] == created[:2]
    cursor = page1.json()["next_cursor"]
    assert cursor
    page2 = await api.client.get(f"/v1/tenants?limit=2&cursor={cursor}", headers=api.platform)
    assert [t["id"] for t in page2.json()["data"]] == created[2:]
    assert page2.json()["next_cursor"] is None


async def test_duplicate_slug_is_409_and_writes_nothing(api: Api) -> None:
    r = await api.client.post(
        "/v1/tenants", json={"slug": "dup", "name": "One"}, headers=api.platform
    )
    assert r.status_code == 201
    r = await api.client.post(
        "/v1/tenants", json={"slug": "dup", "name": "Two"}, headers=api.platform
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "slug_taken"
    async with api.runtime.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Tenant)) == 1
        audits = await uow.session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "tenant.create")
        )
        assert audits == 1


async def test_bad_input_gets_stable_codes(api: Api) -> None:
    h = {**api.platform, "content-type": "application/json"}
    r = await api.client.post("/v1/tenants", content=b"{not json", headers=h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
    r = await api.client.post(
        "/v1/tenants", json={"slug": "ok", "name": "Ok", "extra": 1}, headers=api.platform
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert any(f["field"] == "extra" for f in r.json()["error"]["fields"])
    r = await api.client.post(
        "/v1/tenants", json={"slug": "Not A Slug!", "name": "x"}, headers=api.platform
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = await api.client.post(
        "/v1/tenants", content=b'{"slug":"big","name":"' + b"x" * 2_000_000 + b'"}', headers=h
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    r = await api.client.get("/v1/tenants?cursor=%%%garbage", headers=api.platform)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"
    r = await api.client.get("/v1/tenants/not-a-uuid", headers=api.platform)
    assert r.status_code == 422
    async with api.runtime.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Tenant)) == 0


async def test_api_keys_are_shown_once_and_revocable(api: Api) -> None:
    t = await api.tenant()
    r = await api.client.post(
        f"/v1/tenants/{t.id}/api-keys", json={"role": "member"}, headers=t.headers()
    )
    assert r.status_code == 201
    key = r.json()["key"]
    assert key.startswith("cpk_") and r.json()["role"] == "member"
    listed = await api.client.get(f"/v1/tenants/{t.id}/api-keys", headers=t.headers())
    assert all(k["key"] is None for k in listed.json()["data"])
    assert key not in listed.text
    me = {"Authorization": f"Bearer {key}"}
    assert (await api.client.get(f"/v1/tenants/{t.id}", headers=me)).status_code == 200
    r = await api.client.delete(
        f"/v1/tenants/{t.id}/api-keys/{r.json()['id']}", headers=t.headers()
    )
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert (await api.client.get(f"/v1/tenants/{t.id}", headers=me)).status_code == 401
    r = await api.client.post(
        f"/v1/tenants/{t.id}/api-keys", json={"role": "platform"}, headers=t.headers()
    )
    assert r.status_code == 422


async def test_plans_and_subscription(api: Api) -> None:
    t = await api.tenant(quota=None)
    r = await api.client.put(
        "/v1/plans/pro", json={"quota_phone_numbers": 25}, headers=api.platform
    )
    assert r.status_code == 200 and r.json() == {"name": "pro", "quota_phone_numbers": 25}
    r = await api.client.get(f"/v1/tenants/{t.id}/subscription", headers=t.headers())
    assert r.status_code == 404
    body = {"plan": "pro", "status": "active", "cancel_at_period_end": False, "canceled_at": None}
    r = await api.client.put(f"/v1/tenants/{t.id}/subscription", json=body, headers=api.platform)
    assert r.status_code == 200, r.text
    assert r.json()["plan"] == "pro" and r.json()["status"] == "active"
    r = await api.client.put(
        f"/v1/tenants/{t.id}/subscription", json={**body, "plan": "nope"}, headers=api.platform
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_plan"
    r = await api.client.put(
        f"/v1/tenants/{t.id}/subscription",
        json={**body, "status": "canceled"},
        headers=api.platform,
    )
    assert r.json()["status"] == "canceled" and r.json()["canceled_at"]
    r = await api.client.put(f"/v1/tenants/{t.id}/subscription", json=body, headers=t.headers())
    assert r.status_code == 403


async def test_patch_and_offboard_tenant(api: Api) -> None:
    t = await api.tenant()
    r = await api.client.patch(
        f"/v1/tenants/{t.id}", json={"name": "Renamed", "status": "suspended"}, headers=api.platform
    )
    assert (
        r.status_code == 200 and r.json()["name"] == "Renamed" and r.json()["status"] == "suspended"
    )
    r = await api.client.delete(f"/v1/tenants/{t.id}", headers=api.platform)
    assert r.status_code == 200 and r.json()["status"] == "offboarded"
    assert (await api.client.get(f"/v1/tenants/{t.id}", headers=t.headers())).status_code == 401


async def test_ops_endpoints(api: Api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    assert (await api.client.get("/readyz")).json() == {"status": "ready"}
    assert (await api.client.get("/metrics")).status_code == 200
    spec = (await api.client.get("/openapi.json")).json()
    assert "/v1/tenants" in spec["paths"]
    assert (await api.client.get("/docs")).status_code == 200


async def test_keys_and_tenants_changed_elsewhere_are_seen_by_the_next_request(api: Api) -> None:
    """The API's key and tenant reads are kept between requests on SQLite (tenants/access.py):
    a change committed by another connection (a job, the CLI, another process) shows at once."""
    t = await api.tenant()
    url = f"/v1/tenants/{t.id}"
    r = await api.client.get(url, headers=t.headers("member"))
    assert r.status_code == 200 and r.json()["name"] == t.slug.title()
    async with api.runtime.uow() as uow:
        await tenants.update_tenant(uow=uow, scope=t.scope, data=TenantPatch(name="Renamed Co"))
        await uow.commit()
    assert (await api.client.get(url, headers=t.headers("member"))).json()["name"] == "Renamed Co"
    async with api.runtime.uow() as uow:
        (member,) = [
            k
            for k in await tenants.list_api_keys(uow=uow, scope=t.scope)
            if k.role == "member" and k.revoked_at is None
        ]
        await tenants.revoke_api_key(uow=uow, scope=t.scope, key_id=member.id)
        await uow.commit()
    assert (await api.client.get(url, headers=t.headers("member"))).status_code == 401
    assert (
        await api.client.get(f"{url}/phone-numbers", headers=t.headers("member"))
    ).status_code == 401
    assert (await api.client.get(url, headers=t.headers())).status_code == 200
