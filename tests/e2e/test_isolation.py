"""Every tenant-scoped route: foreign keys see 404, member keys cannot write, bad keys get 401."""

from __future__ import annotations

import re
import uuid

from tests.fixtures.api import Api, TenantKit

WRITE_METHODS = {"post", "put", "patch", "delete"}
# Routes that authenticate by another means than an API key (their own tests cover that).
OTHER_AUTH = {"/v1/billing/stripe"}  # Stripe's signature
# Writes a member key may do (DESIGN section 5: members read and send messages).
MEMBER_WRITES = {("post", "/v1/tenants/{tid}/messages")}


def _routes(spec: dict) -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in {"get", *WRITE_METHODS}
    ]


def _fill(path: str, tid: uuid.UUID) -> str:
    path = path.replace("{tid}", str(tid))
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


async def _call(api: Api, method: str, url: str, headers: dict[str, str]) -> int:
    kwargs: dict = {"headers": headers}
    if method in {"post", "put", "patch"}:
        kwargs["json"] = {}
    return (await api.client.request(method.upper(), url, **kwargs)).status_code


async def test_every_tenant_route_is_isolated(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    tenant_routes = [(m, p) for m, p in _routes(spec) if "{tid}" in p]
    assert len(tenant_routes) >= 10, tenant_routes
    alice: TenantKit = await api.tenant("alice")
    bob: TenantKit = await api.tenant("bob")
    revoked = await api.tenant("carol")
    r = await api.client.get(f"/v1/tenants/{revoked.id}/api-keys", headers=revoked.headers())
    carol_member = next(k for k in r.json()["data"] if k["role"] == "member")
    await api.client.delete(
        f"/v1/tenants/{revoked.id}/api-keys/{carol_member['id']}", headers=revoked.headers()
    )

    failures = []
    for method, path in tenant_routes:
        url = _fill(path, alice.id)
        for role in ("admin", "member"):
            status = await _call(api, method, url, bob.headers(role))
            if status != 404:
                failures.append(f"{method} {path} with bob's {role} key: {status} (want 404)")
        if method in WRITE_METHODS and (method, path) not in MEMBER_WRITES:
            status = await _call(api, method, url, alice.headers("member"))
            if status != 403:
                failures.append(f"{method} {path} with a member key: {status} (want 403)")
        for headers in (
            {},
            {"Authorization": "Bearer cpk_wrong"},
            {"Authorization": "Basic Zm9vOmJhcg=="},
            revoked.headers("member"),
        ):
            status = await _call(api, method, _fill(path, revoked.id), headers)
            if status != 401:
                failures.append(f"{method} {path} with {headers or 'no key'}: {status} (want 401)")
        unknown = _fill(path, uuid.uuid4())
        status = await _call(api, method, unknown, api.platform)
        if status not in (404, 422):
            failures.append(f"{method} {path} for an unknown tenant: {status} (want 404)")
    assert not failures, "\n".join(failures)


async def test_platform_routes_refuse_tenant_keys(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    platform_routes = [
        (m, p)
        for m, p in _routes(spec)
        if "{tid}" not in p and p.startswith("/v1/") and p not in OTHER_AUTH
    ]
    assert ("post", "/v1/tenants") in platform_routes
    t = await api.tenant()
    failures = []
    for method, path in platform_routes:
        url = re.sub(r"\{[^}]+\}", "x", path)
        for role in ("admin", "member"):
            status = await _call(api, method, url, t.headers(role))
            if status not in (403, 404):
                failures.append(f"{method} {path} with a tenant {role} key: {status}")
        status = await _call(api, method, url, {})
        if status != 401:
            failures.append(f"{method} {path} with no key: {status}")
    assert not failures, "\n".join(failures)
