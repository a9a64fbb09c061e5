"""Credential health of every connection: each status, for each of its causes."""

from __future__ import annotations

from typing import Any

from callplane.connections import access
from callplane.connections import service as connections
from callplane.jobs import health
from tests.fixtures.api import Api, TenantKit
from tests.fixtures.jobs import Twin, connect_byo, runs


async def _subaccount(api: Api, t: TenantKit) -> str:
    await api.client.put(
        f"/v1/tenants/{t.id}/connection", json={"model": "subaccount"}, headers=t.headers()
    )
    async with api.runtime.uow() as uow:
        conn = await connections.ensure_account(uow=uow, scope=t.scope)
        assert conn.account_sid
        return conn.account_sid


async def test_every_status_and_cause(api: Api, twin: Twin) -> None:
    master = await api.tenant("master-one")
    master_too = await api.tenant("master-two")
    pending = await api.tenant("pending-sub")
    await api.client.put(
        f"/v1/tenants/{pending.id}/connection",
        json={"model": "subaccount"},
        headers=pending.headers(),
    )
    wrong = await api.tenant("wrong-token")
    acct = twin.new_account("wrong")
    await connect_byo(api, wrong, acct)
    async with api.runtime.uow() as uow:  # the token was changed in the Twilio console since
        conn = await connections.get_connection(uow=uow, scope=wrong.scope)
        access.seal(uow, conn, "auth_token", "f" * 32)
        await uow.commit()
    suspended = await api.tenant("suspended-sub")
    sub_s = await _subaccount(api, suspended)
    twin.platform.api.v2010.accounts(sub_s).update(status="suspended")
    closed = await api.tenant("closed-sub")
    sub_c = await _subaccount(api, closed)
    twin.platform.api.v2010.accounts(sub_c).update(status="closed")
    slow = await api.tenant("slow-byo")
    slow_acct = twin.new_account("slow")
    await connect_byo(api, slow, slow_acct)
    twin.fault(method="GET", path=rf"/Accounts/{slow_acct.sid}\.json$", latency_ms=2100)

    r = await api.client.get("/v1/health/connections?check=true", headers=api.platform)
    assert r.status_code == 200, r.text
    body = r.json()
    by_slug = {row["slug"]: row["health"] for row in body["data"]}
    assert by_slug["master-one"]["status"] == "HEALTHY"
    assert by_slug["master-two"]["status"] == "HEALTHY"
    assert by_slug["pending-sub"]["status"] == "NOT_CONFIGURED"
    assert by_slug["wrong-token"]["status"] == "DOWN"
    assert "20003" in by_slug["wrong-token"]["detail"]
    assert by_slug["suspended-sub"] == {**by_slug["suspended-sub"], "status": "DOWN"}
    assert "suspended" in by_slug["suspended-sub"]["detail"]
    assert by_slug["closed-sub"]["status"] == "DOWN" and "closed" in by_slug["closed-sub"]["detail"]
    assert by_slug["slow-byo"]["status"] == "DEGRADED"
    assert by_slug["slow-byo"]["latency_ms"] >= 2000
    assert body["summary"] == {"HEALTHY": 2, "DEGRADED": 1, "DOWN": 3, "NOT_CONFIGURED": 1}

    # The last result is kept on each connection.
    r = await api.client.get(f"/v1/tenants/{slow.id}/connection", headers=slow.headers())
    assert r.json()["health"]["status"] == "DEGRADED" and r.json()["health"]["checked_at"]
    r = await api.client.get(f"/v1/tenants/{master.id}/connection", headers=master.headers())
    assert r.json()["health"]["status"] == "HEALTHY"
    # Read again without checking: the stored results.
    r = await api.client.get("/v1/health/connections", headers=api.platform)
    assert {row["slug"]: row["health"]["status"] for row in r.json()["data"]} == {
        k: v["status"] for k, v in by_slug.items()
    }
    # The check was a job run.
    (run,) = await runs(api, "health")
    assert run.trigger == "api" and run.status == "succeeded"
    assert run.summary["connections"] == 7 and run.summary["accounts_probed"] == 6
    assert master_too  # (shares the master account: probed once)


async def test_platform_only(api: Api) -> None:
    t = await api.tenant()
    r = await api.client.get("/v1/health/connections", headers=t.headers())
    assert r.status_code == 403


async def test_check_all_is_the_scheduled_job(api: Api) -> None:
    await api.tenant("one")
    summary: dict[str, Any] = await health.check_all(api.runtime)
    assert summary["HEALTHY"] == 1 and summary["connections"] == 1
