"""On PostgreSQL the API keeps its key, tenant and page answers between changes: a change made
through this process is seen by its very next request, one made elsewhere as soon as its
notification arrives, and while nobody listens nothing is kept."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from callplane.db import changes, rls
from callplane.gateway.lifespan import gateway_of
from callplane.gateway.pg_direct import conninfo
from callplane.tenants import service as tenants
from callplane.tenants.schemas import TenantPatch
from tests.fixtures.api import Api

pytestmark = pytest.mark.postgres_only


def _elsewhere(database_url: str) -> psycopg.Connection[Any]:
    """Another connection to the database, as a job or another process has (platform scope)."""
    return psycopg.connect(conninfo(database_url), **rls.platform_options({}))


def _counting_reads(api: Api) -> list[str]:
    """Every read the gateway's store sends to PostgreSQL from now on."""
    app = api.client._transport.app  # type: ignore[attr-defined]
    store = gateway_of(app).store
    direct = store._direct
    seen: list[str] = []
    for name in ("fetch", "fetch_in"):
        original = getattr(direct, name)

        def counted(*args: Any, _original: Any = original, _name: str = name) -> Any:
            seen.append(_name)
            return _original(*args)

        setattr(direct, name, counted)
    return seen


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> float:
    """How long `check` took to hold (fails after `seconds`)."""
    start = time.monotonic()
    while not await check():
        assert time.monotonic() - start < seconds, "not seen in time"
        await asyncio.sleep(0.01)
    return time.monotonic() - start


async def _listening(api: Api, headers: dict[str, str], path: str) -> None:
    """Wait until the process listens (the first requests read: nothing kept yet)."""

    async def kept() -> bool:
        reads = _counting_reads(api)
        await api.client.get(path, headers=headers)
        await api.client.get(path, headers=headers)
        return len(reads) <= 1

    await _eventually(kept)


async def test_answers_are_kept_and_follow_every_change(api: Api, database_url: str) -> None:
    a = await api.tenant("kept-a")
    path = f"/v1/tenants/{a.id}"
    await _listening(api, a.headers(), path)
    reads = _counting_reads(api)
    for _ in range(5):
        r = await api.client.get(path, headers=a.headers())
        assert r.status_code == 200 and r.json()["name"] == "Kept-A"
        page = await api.client.get(f"{path}/phone-numbers?limit=100", headers=a.headers())
        assert page.status_code == 200 and page.json()["data"] == []
    assert reads == ["fetch_in"]  # the page, once; the key and the tenant were kept already

    # Through this process (its unit of work): the very next request.
    async with api.runtime.uow() as uow:
        await tenants.update_tenant(uow=uow, scope=a.scope, data=TenantPatch(name="Renamed"))
    assert (await api.client.get(path, headers=a.headers())).json()["name"] == "Renamed"

    # Elsewhere (another connection: another process, a job, psql): once notified.
    with _elsewhere(database_url) as other:
        other.execute("UPDATE tenants SET name = 'Elsewhere' WHERE id = %s", (a.id,))

    async def renamed() -> bool:
        r = await api.client.get(path, headers=a.headers())
        return bool(r.json()["name"] == "Elsewhere")

    assert await _eventually(renamed) < 2.0
    with _elsewhere(database_url) as other:
        other.execute("UPDATE api_keys SET revoked_at = now() WHERE tenant_id = %s", (a.id,))

    async def revoked() -> bool:
        return (await api.client.get(path, headers=a.headers())).status_code == 401

    assert await _eventually(revoked) < 2.0
    # A rolled-back change notifies nothing, and nothing changed: still refused.
    with (
        _elsewhere(database_url) as other,
        other.transaction(force_rollback=True),
    ):
        other.execute("UPDATE api_keys SET revoked_at = NULL WHERE tenant_id = %s", (a.id,))
    assert (await api.client.get(path, headers=a.headers())).status_code == 401


def test_every_kept_table_notifies_its_changes(database_url: str) -> None:
    with _elsewhere(database_url) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE '%%_changed' AND NOT t.tgisinternal"
        ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(changes.WATCHED)


async def test_nothing_is_kept_while_nobody_listens(
    api: Api, database_url: str, postgres_admin_url: str
) -> None:
    a = await api.tenant("kept-b")
    path = f"/v1/tenants/{a.id}"
    await _listening(api, a.headers(), path)
    # The listening connection is lost (a restart of the server, a proxy's timeout).
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND query LIKE 'LISTEN%%'",
            (make_url(database_url).database,),
        ).fetchall()
    assert killed == [(True,)]
    reads = _counting_reads(api)
    # Until it listens again, a change elsewhere is seen at once: every request reads.
    with _elsewhere(database_url) as other:
        other.execute("UPDATE tenants SET name = 'While deaf' WHERE id = %s", (a.id,))
    r = await api.client.get(path, headers=a.headers())
    assert r.json()["name"] == "While deaf"
    assert reads  # read, not kept
    await _listening(api, a.headers(), path)  # and it listens again by itself
