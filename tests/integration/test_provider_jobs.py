"""Provider syncs on the job engine (DBOS): durable work on the provider queue, retried while the
provider fails, and not lost across a restart of the service (PostgreSQL, separate processes)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dbos import DBOS

from callplane.jobs import engine as jobs
from callplane.providers import jobs as provider_jobs
from callplane.sandbox.server import SandboxServer
from callplane.settings import Settings
from tests.fixtures.api import Api
from tests.fixtures.db import PUBLIC_BASE_URL, TEST_KEY
from tests.fixtures.logscan import register_secret
from tests.fixtures.providers import ProvidersKit, eventually
from tests.integration.test_replicas import Replica

NEVER = "0 0 1 1 *"


async def _start(settings: Settings) -> str:
    values = {"reconcile_cron": NEVER, "health_cron": NEVER, "jobs_recovery_cron": NEVER}
    return await jobs.start_engine_async(settings.model_copy(update=values))


@pytest.fixture
async def engine(api: Api) -> AsyncIterator[Any]:
    """Starts the engine on the test's database when asked; stopped after the test."""
    started: list[bool] = []

    async def start() -> str:
        started.append(True)
        return await _start(api.runtime.settings)

    yield start
    if started:
        await jobs.stop_engine_async()


async def _workflows(number_id: str) -> list[Any]:
    found = await asyncio.to_thread(
        DBOS.list_workflows, workflow_id_prefix=f"provider-sync-{number_id}-", load_input=False
    )
    return sorted(found, key=lambda w: w.created_at or 0)


async def test_syncs_are_durable_workflows_retried_while_the_provider_fails(
    providers: ProvidersKit, engine: Any
) -> None:
    await engine()
    tenant, _, _, agent = await providers.setup("retell")
    number = await providers.buy(tenant, agent)
    nid = number["id"]
    await providers.provider_status(tenant, nid, "synced")
    before = await _workflows(nid)
    assert before and all(w.queue_name == provider_jobs.QUEUE_NAME for w in before)
    assert before[0].workflow_id == f"provider-sync-{nid}-1-1"

    def generations(flows: list[Any]) -> set[str]:
        return {w.workflow_id.rsplit("-", 2)[-2] for w in flows}

    await providers.fault("retell")
    await providers.rotate(tenant)
    failed = await providers.provider_status(tenant, nid, "failed")
    assert "retrying in" in failed["detail"], failed

    async def retried() -> bool:  # a delayed workflow per attempt, on the same queue
        return len([w for w in await _workflows(nid) if w.workflow_id.endswith("-3")]) > 0

    await eventually(retried, timeout=30)
    await providers.clear_faults()
    await providers.provider_status(tenant, nid, "synced", timeout=30)
    assert (await providers.outbound("retell", number["phone_number"]))["status"] == "ok"
    flows = await _workflows(nid)
    # One more change (the rotation), retried as attempts of that one change.
    assert len(generations(flows) - generations(before)) == 1, [w.workflow_id for w in flows]
    assert all(w.queue_name == provider_jobs.QUEUE_NAME for w in flows)


async def test_numbers_released_by_another_job_leave_their_provider(
    providers: ProvidersKit, engine: Any
) -> None:
    """A cancellation releases the numbers in a job of its own (jobs/engine.py): the removals
    it causes are enqueued from that job's step, and done."""
    await engine()
    tenant, _, _, agent = await providers.setup("elevenlabs")
    number = await providers.buy(tenant, agent)
    await providers.provider_status(tenant, number["id"], "synced")
    r = await providers.api.client.put(
        f"/v1/tenants/{tenant.id}/subscription",
        json={"plan": "plan-10", "status": "canceled"},
        headers=providers.api.platform,
    )
    assert r.status_code == 200, r.text

    async def removed() -> bool:
        gone = await providers.registration("elevenlabs", number["phone_number"]) is None
        return gone and (await providers.number(tenant, number["id"]))["provider"] is None

    await eventually(removed, timeout=30)
    assert (await providers.number(tenant, number["id"]))["status"] == "released"
    flows = await _workflows(number["id"])
    assert flows and all(w.queue_name == provider_jobs.QUEUE_NAME for w in flows)


@pytest.mark.slow
async def test_a_failing_sync_survives_a_restart_of_the_service(
    empty_pg: str, sandbox: SandboxServer, tmp_path: Path
) -> None:
    platform_key = "cpk_" + secrets.token_urlsafe(24)
    register_secret(platform_key)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLPLANE_", "DBOS__"))}
    env.update(
        {
            "CALLPLANE_DATABASE_URL": empty_pg,
            "CALLPLANE_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "CALLPLANE_ENCRYPTION_KEYS": TEST_KEY,
            "CALLPLANE_TWILIO_ACCOUNT_SID": sandbox.account_sid,
            "CALLPLANE_TWILIO_AUTH_TOKEN": sandbox.auth_token,
            "CALLPLANE_TWILIO_BASE_URL": sandbox.url,
            "CALLPLANE_BOOTSTRAP_PLATFORM_KEY": platform_key,
            "CALLPLANE_RECONCILE_CRON": NEVER,
            "CALLPLANE_HEALTH_CRON": NEVER,
            "CALLPLANE_JOBS_RECOVERY_CRON": "*/2 * * * * *",
            "CALLPLANE_ALLOW_PRIVATE_URLS": "true",
            "CALLPLANE_PROVIDER_SYNC_RETRY_SECONDS": "1",
            "CALLPLANE_PROVIDER_SYNC_RETRY_MAX_SECONDS": "2",
            "CALLPLANE_PROVIDER_SYNC_ATTEMPTS": "100",
        }
    )
    ctl = httpx.AsyncClient(base_url=sandbox.url, timeout=30)
    first = Replica("first", env, tmp_path)
    second: Replica | None = None
    try:
        await first.ready()
        auth = {"Authorization": f"Bearer {platform_key}"}
        async with httpx.AsyncClient(base_url=first.url, headers=auth, timeout=30) as api:

            async def ok(method: str, path: str, expect: int = 200, **kw: Any) -> Any:
                r = await api.request(method, path, **kw)
                assert r.status_code == expect, (path, r.status_code, r.text)
                return r.json() if r.content else None

            await ok("PUT", "/v1/plans/p", json={"quota_phone_numbers": 5})
            t = (await ok("POST", "/v1/tenants", 201, json={"slug": "acme", "name": "Acme"}))["id"]
            await ok("PUT", f"/v1/tenants/{t}/subscription", json={"plan": "p", "status": "active"})
            key = (await ctl.post("/__sandbox/providers/retell/keys")).json()
            remote = (
                await ctl.post(
                    "/__sandbox/providers/retell/agents",
                    json={"name": "Support", "api_key": key["api_key"]},
                )
            ).json()["agent_id"]
            await ok(
                "PUT",
                f"/v1/tenants/{t}/providers/retell",
                201,
                json={"api_key": key["api_key"], "base_url": key["base_url"]},
            )
            voice = {"mode": "provider", "provider": "retell", "provider_agent_id": remote}
            agent = (
                await ok(
                    "POST", f"/v1/tenants/{t}/agents", 201, json={"name": "AI", "voice": voice}
                )
            )["id"]
            e164 = (
                await ok(
                    "GET",
                    f"/v1/tenants/{t}/phone-numbers/available",
                    params={"country": "US", "type": "local", "limit": 1},
                )
            )["data"][0]["phone_number"]
            number = await ok(
                "POST",
                f"/v1/tenants/{t}/phone-numbers",
                201,
                json={"phone_number": e164, "agent_id": agent},
                headers={"Idempotency-Key": "buy-1"},
            )

            async def status(client: httpx.AsyncClient, wanted: str) -> dict[str, Any]:
                async def check() -> Any:
                    r = await client.get(f"/v1/tenants/{t}/phone-numbers/{number['id']}")
                    p = r.json()["provider"] if r.status_code == 200 else None
                    return p if p and p["status"] == wanted else None

                return await eventually(check, timeout=60, every=0.25)  # type: ignore[no-any-return]

            synced = await status(api, "synced")
            # Retell fails; the password rotates; the registration fails, and keeps retrying.
            r = await ctl.post(
                "/__sandbox/faults", json={"path": "^/provider/retell/", "rate": 1, "status": 503}
            )
            assert r.status_code in (200, 201), r.text
            await ok("POST", f"/v1/tenants/{t}/trunk/credentials/rotate")
            failed = await status(api, "failed")
            assert "retrying" in failed["detail"]
        _kill(first)  # the service dies while the sync is still owed

        await ctl.delete("/__sandbox/faults")  # Retell recovers while nothing runs
        stale = (
            await ctl.post(
                "/__sandbox/providers/retell/outbound-call",
                json={"from": e164, "to": "+14155550123"},
            )
        ).json()
        assert stale["sip_status"] == 403, "nobody pushed the new password yet"

        second = Replica("second", env, tmp_path)
        await second.ready()
        async with httpx.AsyncClient(base_url=second.url, headers=auth, timeout=30) as api:
            done = await status(api, "synced")
        assert done["synced_at"] > synced["synced_at"]
        out = (
            await ctl.post(
                "/__sandbox/providers/retell/outbound-call",
                json={"from": e164, "to": "+14155550123"},
            )
        ).json()
        assert out["status"] == "ok", out
    finally:
        await ctl.aclose()
        _kill(first)
        if second is not None:
            _kill(second)


def _kill(service: Replica) -> None:
    """Gone at once, mid-work (no shutdown): its workflows are left as they were."""
    if service.proc.poll() is None:
        service.proc.send_signal(signal.SIGKILL)
        service.proc.wait()
    service.stop()  # closes its log
