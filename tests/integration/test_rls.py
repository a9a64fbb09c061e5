"""PostgreSQL row-level security: the second wall between tenants (DESIGN section 11).

Raw SQL on the service's own role, past every filter the application writes, sees exactly the
tenant named in the transaction's setting, nothing without a setting, and everything in platform
scope; a tenant cannot write another tenant's rows. And the application's own requests run
inside that wall: with the repository's tenant filter removed, a tenant's request still sees only
its tenant's rows.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import psycopg
import pytest
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import select

from callplane.agents.models import Agent
from callplane.billing import service as billing
from callplane.db import rls
from callplane.db.migrate import alembic_config, downgrade, upgrade
from callplane.db.models import Base
from callplane.db.repository import Repository
from callplane.gateway.pg_direct import Query
from callplane.gateway.store import GatewayStore
from tests.fixtures.api import Api, TenantKit
from tests.fixtures.gateway import GatewayKit
from tests.fixtures.providers import ProvidersKit


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def pg_api(api: Api) -> Api:
    """The API on PostgreSQL (tests using it are marked postgres_only)."""
    assert api.runtime.settings.database_url.startswith("postgresql")
    return api


def _tenant_columns() -> set[str]:
    return {t.name for t in Base.metadata.sorted_tables if "tenant_id" in t.c}


# Every tenant-owned table, and the column that names its tenant (`tenants` by its own id).
TABLES = [("tenants", "id"), *((t, "tenant_id") for t in sorted(_tenant_columns()))]


def test_every_tenant_owned_table_is_covered() -> None:
    """A new table with a tenant_id column must join the policies (in a migration like 0004:
    each revision that adds tenant-owned tables lists them in its TENANT_TABLES)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    covered: set[str] = set()
    for revision in script.walk_revisions():
        covered |= set(getattr(revision.module, "TENANT_TABLES", ()))
    assert _tenant_columns() == covered


async def _build(gw: GatewayKit, providers: ProvidersKit) -> tuple[TenantKit, TenantKit]:
    """Two tenants with a row in every tenant-owned table, and platform rows without a tenant."""
    api, numbers = gw.api, gw.numbers
    bundle = await numbers.approved_bundle("GB", "local")
    r = await api.client.put(
        "/v1/compliance/GB/local", json={"bundle_sid": bundle}, headers=api.platform
    )
    assert r.status_code == 200, r.text
    kits = []
    for _ in range(2):
        t, _account = await gw.tenant("master")
        agent_id, _secret = await gw.agent(t)
        held = await gw.buy(t, agent_id)
        r = await api.client.put(
            f"/v1/tenants/{t.id}/compliance/GB/local",
            json={"bundle_sid": bundle},
            headers=api.platform,
        )
        assert r.status_code == 200, r.text
        r = await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())
        assert r.status_code in (200, 201), r.text
        call = await gw.inbound_call(held.e164)  # an event, and its outbox row
        assert call["status"] == 200, call
        recording = {  # a recording of the call
            "AccountSid": held.account_sid,
            "CallSid": call["call_sid"],
            "RecordingSid": "RE" + uuid.uuid4().hex,
            "RecordingStatus": "completed",
            "RecordingDuration": "3",
        }
        assert (await gw.post("recording", recording)).status_code == 200
        # Provider credentials, and a number registered there.
        _, _, _, provider_agent = await providers.setup("retell", t)
        registered = await providers.buy(t, provider_agent)
        await providers.provider_status(t, registered["id"], "synced")
        # A webhook endpoint, its test event, that delivery and its logged attempt.
        r = await api.client.post(
            f"/v1/tenants/{t.id}/webhook-endpoints",
            json={"url": "https://hooks.example.test/rls", "events": ["*"]},
            headers=t.headers(),
        )
        assert r.status_code == 201, r.text
        endpoint = r.json()["id"]
        r = await api.client.post(
            f"/v1/tenants/{t.id}/webhook-endpoints/{endpoint}/test", headers=t.headers()
        )
        assert r.status_code == 202, r.text
        await gw.gateway.endpoints.run_once()
        kits.append(t)
    # Platform rows: an unrouted call (no tenant), a Stripe event for nobody, the platform key.
    r = await gw.post("voice", gw.call_params(gw.platform_sid, "+14155550000"))
    assert r.status_code == 200, r.text
    async with api.runtime.uow() as uow:
        await billing.handle_stripe_event(
            uow=uow,
            event={
                "id": f"evt_{uuid.uuid4().hex}",
                "type": "invoice.paid",
                "created": 1,
                "data": {"object": {"id": "in_2"}},
            },
        )
    # A Stripe event names its tenant when it is about the tenant's subscription.
    for t in kits:
        async with api.runtime.uow() as uow:
            await billing.handle_stripe_event(
                uow=uow,
                event={
                    "id": f"evt_{uuid.uuid4().hex}",
                    "type": "customer.subscription.updated",
                    "created": 2,
                    "data": {
                        "object": {
                            "id": f"sub_{t.id.hex[:8]}",
                            "status": "active",
                            "metadata": {"tenant_id": str(t.id), "plan": "plan-10"},
                        }
                    },
                },
            )
    return kits[0], kits[1]


def _counts(dsn: str, setting: dict[str, str] | None) -> dict[str, list[Any]]:
    """Each table's tenant column, as seen by a raw connection with these settings."""
    seen: dict[str, list[Any]] = {}
    with psycopg.connect(dsn) as conn:
        for name, value in (setting or {}).items():
            conn.execute("SELECT set_config(%s, %s, true)", (name, value))
        for table, column in TABLES:
            rows = conn.execute(
                sql.SQL("SELECT {} FROM {}").format(sql.Identifier(column), sql.Identifier(table))
            ).fetchall()
            seen[table] = [r[0] for r in rows]
        conn.rollback()
    return seen


@pytest.mark.postgres_only
async def test_raw_sql_as_a_tenant_sees_only_that_tenant(
    pg_api: Api, gw: GatewayKit, providers: ProvidersKit, postgres_admin_url: str
) -> None:
    a, b = await _build(gw, providers)
    dsn = _dsn(pg_api.runtime.settings.database_url)
    database = dsn.rsplit("/", 1)[1]
    admin = postgres_admin_url.rsplit("/", 1)[0] + "/" + database

    # The truth, read by a superuser (who bypasses row-level security).
    truth = _counts(admin, None)
    for table, _ in TABLES:
        owners = set(truth[table])
        assert {a.id, b.id} <= owners, f"{table}: the test needs rows of both tenants"
    for table in ("api_keys", "audit_log", "compliance_profiles", "events", "stripe_events"):
        assert None in truth[table], f"{table}: the test needs a row without a tenant"

    # The service's own role is an ordinary one: the policies apply to it.
    with psycopg.connect(dsn) as conn:
        su, bypass = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert not su and not bypass

    # As tenant A: A's rows only (plus the platform's compliance defaults, by policy).
    as_a = await asyncio.to_thread(_counts, dsn, {rls.TENANT_SETTING: str(a.id)})
    for table, _ in TABLES:
        expected = [v for v in truth[table] if v == a.id]
        if table == "compliance_profiles":
            expected += [v for v in truth[table] if v is None]
        assert sorted(as_a[table], key=str) == sorted(expected, key=str), table
        assert as_a[table], table
    # No setting: nothing at all, rows without a tenant included.
    nothing = await asyncio.to_thread(_counts, dsn, None)
    assert all(not rows for rows in nothing.values()), nothing
    # A scope that is not "platform" opens nothing either.
    other = await asyncio.to_thread(_counts, dsn, {rls.SCOPE_SETTING: "tenant"})
    assert all(not rows for rows in other.values()), other
    # Platform scope: everything.
    everything = await asyncio.to_thread(_counts, dsn, {rls.SCOPE_SETTING: rls.PLATFORM})
    for table, _ in TABLES:
        assert sorted(everything[table], key=str) == sorted(truth[table], key=str), table

    # Writes: A can neither change B's rows nor make rows for B.
    def writes() -> None:
        with psycopg.connect(dsn) as conn:
            conn.execute("SELECT set_config(%s, %s, true)", (rls.TENANT_SETTING, str(a.id)))
            for table, column in TABLES:
                cur = conn.execute(
                    sql.SQL("UPDATE {t} SET {c} = {c} WHERE {c} = %s").format(
                        t=sql.Identifier(table), c=sql.Identifier(column)
                    ),
                    (b.id,),
                )
                assert cur.rowcount == 0, table
                cur = conn.execute(
                    sql.SQL("DELETE FROM {t} WHERE {c} = %s").format(
                        t=sql.Identifier(table), c=sql.Identifier(column)
                    ),
                    (b.id,),
                )
                assert cur.rowcount == 0, table
            conn.execute("SAVEPOINT s")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                conn.execute("UPDATE agents SET tenant_id = %s", (b.id,))
            conn.execute("ROLLBACK TO SAVEPOINT s")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                conn.execute(
                    "INSERT INTO audit_log (id, actor, tenant_id, action, at) "
                    "VALUES (%s, 'x', %s, 'x', now())",
                    (uuid.uuid4(), b.id),
                )
            conn.rollback()

    await asyncio.to_thread(writes)


@pytest.mark.postgres_only
async def test_requests_run_inside_the_wall(
    pg_api: Api, gw: GatewayKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the application's tenant filter gone, a tenant's request still sees its own rows."""
    api = pg_api
    a, _ = await gw.tenant("master")
    b, _ = await gw.tenant("master")
    mine, _ = await gw.agent(a, name="A's agent")
    theirs, _ = await gw.agent(b, name="B's agent")

    monkeypatch.setattr(Repository, "select", lambda self: select(self.model))  # the bug

    for headers in (a.headers(), api.platform):  # a platform key in A's routes sees A's rows
        r = await api.client.get(f"/v1/tenants/{a.id}/agents", headers=headers)
        assert r.status_code == 200, r.text
        assert [x["id"] for x in r.json()["data"]] == [str(mine)]
        r = await api.client.get(f"/v1/tenants/{a.id}/agents/{theirs}", headers=headers)
        assert r.status_code == 404, r.text
    # Platform routes still see every tenant.
    r = await api.client.get("/v1/tenants", headers=api.platform)
    assert {t["id"] for t in r.json()["data"]} >= {str(a.id), str(b.id)}
    # A unit of work in A's scope sees A's rows even through an unscoped repository, until it
    # asks for the platform scope explicitly.
    async with api.runtime.uow(rls.DbScope.tenant(a.id)) as uow:
        assert [x.id for x in await uow.repo(Agent, None).all()] == [mine]
        async with uow.platform_scope():
            assert {x.id for x in await uow.repo(Agent, None).all()} == {mine, theirs}
        assert [x.id for x in await uow.repo(Agent, None).all()] == [mine]
        # `platform_repo` enters the platform scope for each of its statements, and leaves it.
        assert {x.id for x in await uow.platform_repo(Agent).all()} == {mine, theirs}
        assert await uow.platform_repo(Agent).count() == 2
        assert (await uow.platform_repo(Agent).get(theirs)).id == theirs
        assert [x.id for x in await uow.repo(Agent, None).all()] == [mine]
        await uow.commit()  # the next transaction starts in A's scope again
        assert [x.id for x in await uow.repo(Agent, None).all()] == [mine]


@pytest.mark.postgres_only
async def test_direct_reads_run_inside_the_wall(pg_api: Api, gw: GatewayKit) -> None:
    """The hot reads on psycopg's own connections (gateway/pg_direct.py) are confined to the
    scope they are given, whatever their statement filters: one tenant, or every tenant."""
    a, _ = await gw.tenant("master")
    b, _ = await gw.tenant("master")
    mine, _ = await gw.agent(a)
    theirs, _ = await gw.agent(b)
    store = GatewayStore(pg_api.runtime.settings.database_url)
    every_agent = Query(select(Agent.id).where(Agent.id.in_([mine, theirs])))
    try:
        rows = await store.fetch(every_agent, {}, scope=rls.DbScope.tenant(a.id))
        assert [r.id for r in rows] == [mine]
        rows = await store.fetch(every_agent, {}, scope=rls.DbScope.tenant(uuid.uuid4()))
        assert rows == []
        assert {r.id for r in await store.fetch(every_agent, {})} == {mine, theirs}
        # The scope ends with its transaction: the connection is platform-scoped again.
        assert {r.id for r in await store.fetch(every_agent, {})} == {mine, theirs}
    finally:
        await store.close()


@pytest.mark.postgres_only
async def test_role_check_warns_about_roles_that_bypass_rls(
    pg_api: Api, postgres_admin_url: str
) -> None:
    from callplane.db.engine import create_engine

    assert await rls.check_role(pg_api.runtime.engine) is True
    database = pg_api.runtime.settings.database_url.rsplit("/", 1)[1]
    superuser = create_engine(
        postgres_admin_url.replace("postgresql://", "postgresql+psycopg://", 1).rsplit("/", 1)[0]
        + "/"
        + database
    )
    try:
        assert await rls.check_role(superuser) is False
    finally:
        await superuser.dispose()


def _policies(dsn: str) -> tuple[dict[str, tuple[bool, bool]], set[tuple[str, str]]]:
    with psycopg.connect(dsn) as conn:
        flags = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
            )
        }
        policies = {
            (r[0], r[1])
            for r in conn.execute(
                "SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public'"
            )
        }
    return flags, policies


def test_migration_adds_and_removes_the_policies(empty_pg: str) -> None:
    def walk() -> None:
        upgrade(empty_pg)
        flags, policies = _policies(_dsn(empty_pg))
        for table, _ in TABLES:
            assert flags[table] == (True, True), table
            assert (table, "callplane_scope") in policies
        assert ("compliance_profiles", "callplane_platform_defaults") in policies
        # Platform-owned tables without a tenant stay open to the service.
        for table in ("plans", "job_runs", "cloned_bundles", "copied_addresses"):
            assert flags[table] == (False, False), table
        downgrade(empty_pg, "0003")
        flags, policies = _policies(_dsn(empty_pg))
        assert not policies
        assert all(v == (False, False) for v in flags.values())
        upgrade(empty_pg)
        assert len(_policies(_dsn(empty_pg))[1]) == len(TABLES) + 1

    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # alembic runs its own event loop
        pool.submit(walk).result()
