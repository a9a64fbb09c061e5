"""The API's direct answers (`dispatch.directly`) answer every request exactly as the same
route answers it through FastAPI: status, headers and body, for every kind of caller."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from callplane.dispatch import FrontDoor
from callplane.tenancy import Role, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.schemas import TenantPatch
from tests.fixtures.api import Api
from tests.fixtures.numbers import NumbersKit

NOBODY = "00000000-0000-0000-0000-000000000000"


def _whole_way(app: Any) -> Any:
    """The app as it answers without the front door (FastAPI's routing and dependencies)."""

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        scope["app"] = app
        door = app.middleware_stack
        assert isinstance(door, FrontDoor)
        await door.whole(scope, receive, send)

    return asgi


def _answer(response: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    return response.status_code, dict(response.headers), response.content


def page_queries(cursor: str, *filters: str) -> list[str]:
    """The queries a list's direct answer must answer as FastAPI does: limits and cursors good
    and bad, repeated parameters, the list's `filters` (`name=value`), an unknown parameter."""
    return [
        "",
        "?limit=100",
        "?limit=2",
        f"?limit=2&cursor={cursor}",
        f"?cursor={cursor}",
        "?cursor=",
        "?cursor=bad",
        "?limit=0",
        "?limit=201",
        "?limit=abc",
        "?limit=",
        "?limit=%2010",
        "?limit=1.0",
        "?limit=5&limit=1",
        "?limit=1&limit=500",
        *(f"?{f}" for f in filters),
        "?other=1&limit=1",
    ]


async def answered_alike(
    client: httpx.AsyncClient, callers: dict[str, dict[str, str]], paths: list[str]
) -> None:
    """Every caller's GET of every path is answered by the app as it is through FastAPI's
    routing and dependencies (status, headers, body)."""
    app = client._transport.app  # type: ignore[attr-defined]
    whole = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_whole_way(app)), base_url="http://testserver"
    )
    async with whole:
        for name, headers in callers.items():
            for path in paths:
                got = await client.get(path, headers=headers)
                expected = await whole.get(path, headers=headers)
                assert _answer(got) == _answer(expected), (name, path)


async def test_a_tenant_read_directly_answers_as_through_fastapi(api: Api) -> None:
    a = await api.tenant("acme-direct")
    b = await api.tenant("globex-direct")
    async with api.runtime.uow() as uow:
        revoked, revoked_plain = await tenants.create_api_key(
            uow=uow, actor=a.scope.actor, role=Role.member, tenant_id=a.id
        )
        await tenants.revoke_api_key(uow=uow, scope=a.scope, key_id=revoked.id)
        await tenants.update_tenant(
            uow=uow,
            scope=TenantScope(tenant_id=a.id, actor=a.scope.actor),
            data=TenantPatch(name="Acme, renamed"),
        )
    app = api.client._transport.app  # type: ignore[attr-defined]
    whole = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_whole_way(app)), base_url="http://testserver"
    )
    bearer = {
        "platform": api.platform,
        "admin": a.headers("admin"),
        "member": a.headers("member"),
        "other tenant": b.headers("admin"),
        "revoked": {"Authorization": f"Bearer {revoked_plain}"},
        "unknown key": {"Authorization": "Bearer cpk_nope"},
        "no key": {},
        "basic": {"Authorization": "Basic eDp5"},
    }
    ids = [str(a.id), str(a.id).upper(), a.id.hex, f"{{{a.id}}}", str(b.id), NOBODY, "nope"]
    direct_paths = 0
    async with whole:
        for name, headers in bearer.items():
            for tid in ids:
                path = f"/v1/tenants/{tid}"
                got = await api.client.get(path, headers=headers)
                expected = await whole.get(path, headers=headers)
                assert _answer(got) == _answer(expected), (name, tid)
                direct_paths += app.middleware_stack.direct_paths.get(("GET", path)) is not None
    # What each caller sees (the point of comparing): its own tenant, 404 for another's.
    own = await api.client.get(f"/v1/tenants/{a.id}", headers=a.headers("member"))
    assert own.status_code == 200 and own.json()["name"] == "Acme, renamed"
    other = await api.client.get(f"/v1/tenants/{a.id}", headers=b.headers("admin"))
    assert other.status_code == 404
    assert (await api.client.get(f"/v1/tenants/{a.id}")).status_code == 401
    assert (await api.client.get("/v1/tenants/nope", headers=api.platform)).status_code == 422
    # Every id but the one Pydantic refuses was answered directly; the rest went the whole way.
    assert direct_paths == len(bearer) * (len(ids) - 1)
    assert app.middleware_stack.direct_paths[("GET", "/v1/tenants/nope")] is None
    renamed = await api.client.get(f"/v1/tenants/{uuid.UUID(str(a.id))}", headers=api.platform)
    assert renamed.json()["slug"] == "acme-direct"


async def test_a_page_of_numbers_directly_answers_as_through_fastapi(numbers: NumbersKit) -> None:
    api = numbers.api
    a = await api.tenant("acme-pages", quota=10)
    b = await api.tenant("globex-pages")
    for _ in range(3):
        await numbers.bought(a)
    app = api.client._transport.app  # type: ignore[attr-defined]
    first = await api.client.get(f"/v1/tenants/{a.id}/phone-numbers?limit=2", headers=a.headers())
    cursor = first.json()["next_cursor"]
    assert cursor and len(first.json()["data"]) == 2
    callers = {
        "admin": a.headers(),
        "member": a.headers("member"),
        "other": b.headers(),
        "none": {},
    }
    door = app.middleware_stack
    await answered_alike(
        api.client,
        callers,
        [
            f"/v1/tenants/{tid}/phone-numbers{query}"
            for tid in (str(a.id), NOBODY, "nope")
            for query in page_queries(cursor, "status=active", "status=nope")
        ],
    )
    assert door.direct_paths[("GET", f"/v1/tenants/{a.id}/phone-numbers")] is not None
    everything = await api.client.get(f"/v1/tenants/{a.id}/phone-numbers", headers=a.headers())
    assert [n["id"] for n in everything.json()["data"]][:2] == [
        n["id"] for n in first.json()["data"]
    ]
    assert len(everything.json()["data"]) == 3
