"""Exactly once per slot across replicas, and no slot left half-done when a replica dies.

Real processes (`callplane worker`), each with its own DBOS scheduler, on one PostgreSQL (and,
for the embedded default, one SQLite file): a per-second cron makes many slots in a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from callplane.connections import service as connections
from callplane.connections.schemas import ConnectionPut
from callplane.db.migrate import upgrade
from callplane.jobs.models import JobRun
from callplane.runtime import Runtime
from callplane.sandbox.server import SandboxServer
from callplane.settings import Settings
from callplane.tenancy import SYSTEM, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.schemas import PlanPut, SubscriptionPut, TenantCreate
from tests.fixtures.db import TEST_KEY, make_settings
from tests.fixtures.logscan import register_log_file

pytestmark = pytest.mark.slow

NEVER = "0 0 1 1 *"
ACCOUNTS = 5


class Replicas:
    """`callplane worker` processes sharing one database."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self.settings = settings
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []
        self.started = 0

    def env(self, **overrides: str) -> dict[str, str]:
        s = self.settings
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLPLANE_", "DBOS__"))}
        env.update(
            {
                "CALLPLANE_DATABASE_URL": s.database_url,
                "CALLPLANE_PUBLIC_BASE_URL": s.public_base_url,
                "CALLPLANE_ENCRYPTION_KEYS": TEST_KEY,
                "CALLPLANE_TWILIO_ACCOUNT_SID": s.twilio_account_sid or "",
                "CALLPLANE_TWILIO_AUTH_TOKEN": s.twilio_auth_token.get_secret_value()
                if s.twilio_auth_token
                else "",
                "CALLPLANE_TWILIO_BASE_URL": s.twilio_base_url or "",
                "CALLPLANE_TWILIO_CONCURRENCY": "1",
                "CALLPLANE_HEALTH_CRON": NEVER,
                "CALLPLANE_JOBS_RECOVERY_CRON": "* * * * * *",
                "CALLPLANE_LOG_LEVEL": "INFO",
            }
        )
        env.update(overrides)
        return env

    def start(self, count: int, **env: str) -> list[subprocess.Popen[bytes]]:
        started = []
        for _ in range(count):
            n = self.started
            self.started += 1
            register_log_file(self.logs / f"worker-{n}.log")  # scanned for secrets at the end
            out = open(self.logs / f"worker-{n}.log", "wb")  # noqa: SIM115 - closed with the process
            proc = subprocess.Popen(
                [sys.executable, "-m", "callplane.cli", "worker"],
                env=self.env(**env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            self.procs.append(proc)
            started.append(proc)
        return started

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []

    def pid_of(self, executor: str) -> int:
        return int(executor.rsplit("-", 2)[-2])


async def _seed(settings: Settings, sandbox: SandboxServer) -> None:
    """byo tenants with an account of their own each (one page per account)."""
    rt = Runtime.create(settings)
    try:
        async with rt.uow() as uow:
            await tenants.put_plan(
                uow=uow, actor=SYSTEM, name="p", data=PlanPut(quota_phone_numbers=5)
            )
        async with httpx.AsyncClient(base_url=sandbox.url) as http:
            for i in range(ACCOUNTS):
                async with rt.uow() as uow:
                    t = await tenants.create_tenant(
                        uow=uow, actor=SYSTEM, data=TenantCreate(slug=f"t{i}", name=f"T{i}")
                    )
                    scope = TenantScope(tenant_id=t.id, actor=SYSTEM)
                    await tenants.put_subscription(
                        uow=uow, scope=scope, data=SubscriptionPut(plan="p", status="active")
                    )
                    acct = (
                        await http.post("/__sandbox/accounts", json={"friendly_name": f"a{i}"})
                    ).json()
                    await connections.put_connection(
                        uow=uow,
                        scope=scope,
                        data=ConnectionPut(
                            model="byo",
                            account_sid=acct["sid"],
                            auth_token=SecretStr(acct["auth_token"]),
                        ),
                    )
    finally:
        await rt.close()


async def _runs(settings: Settings) -> list[JobRun]:
    rt = Runtime.create(settings)
    try:
        async with rt.uow() as uow:
            rows = list(
                (
                    await uow.session.execute(select(JobRun).where(JobRun.job == "reconcile"))
                ).scalars()
            )
            uow.session.expunge_all()
            return rows
    finally:
        await rt.close()


async def _wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def _slow_listing(sandbox: SandboxServer) -> None:
    """800 ms per listing page: a run lasts long enough to be killed halfway."""
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        r = await http.post(
            "/__sandbox/faults",
            json={"method": "GET", "path": "IncomingPhoneNumbers", "latency_ms": 800},
        )
        r.raise_for_status()


async def _clear_faults(sandbox: SandboxServer) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        await http.delete("/__sandbox/faults")


def _slot_cron(at: datetime) -> str:
    """A 6-field cron that fires once, at `at` (UTC, to the second)."""
    return f"{at.second} {at.minute} {at.hour} {at.day} {at.month} *"


@pytest.fixture
def pg(empty_pg: str) -> str:
    upgrade(empty_pg)
    return empty_pg


async def test_three_replicas_one_run_per_slot_and_a_killed_run_resumed(
    pg: str, sandbox: SandboxServer, tmp_path: Path
) -> None:
    settings = make_settings(pg, sandbox, twilio_concurrency=1)
    await _seed(settings, sandbox)
    replicas = Replicas(settings, tmp_path)
    try:
        # -- every slot once, across three schedulers ------------------------------------------
        replicas.start(3, CALLPLANE_RECONCILE_CRON="* * * * * *")

        async def enough() -> bool:
            done = [r for r in await _runs(settings) if r.status == "succeeded"]
            return len(done) >= 5

        await _wait(enough, 40, "five slots")
        replicas.stop()
        runs = await _runs(settings)
        slots = [r.slot for r in runs]
        assert len(slots) == len(set(slots))
        for run in runs:
            if run.status == "succeeded":
                assert run.attempts == 1, (run.slot, run.attempts)  # executed once
                assert run.summary["tenants_checked"] == ACCOUNTS
        with psycopg.connect(pg.replace("+psycopg", "")) as conn:
            rows = conn.execute(
                "SELECT workflow_uuid, executor_id FROM dbos.workflow_status "
                "WHERE name = 'callplane.reconcile_slot'"
            ).fetchall()
        per_slot: dict[str, int] = {}
        for wf, _ in rows:
            per_slot[wf] = per_slot.get(wf, 0) + 1
        assert all(v == 1 for v in per_slot.values())
        assert {r.workflow_id for r in runs} <= set(per_slot)

        # -- a replica killed mid-run: a live one resumes the slot ------------------------------
        await _slow_listing(sandbox)
        at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=12)
        replicas.start(3, CALLPLANE_RECONCILE_CRON=_slot_cron(at))
        slot = at.isoformat()

        async def running() -> JobRun | None:
            for r in await _runs(settings):
                if r.slot == slot and r.status == "running" and r.progress.get("done"):
                    return r
            return None

        victim_run = await _wait(running, 30, "the slot to be halfway")
        victim = replicas.pid_of(victim_run.executor)
        done_before = len(victim_run.progress["done"])
        assert 0 < done_before < ACCOUNTS
        os.kill(victim, signal.SIGKILL)

        async def finished() -> JobRun | None:
            for r in await _runs(settings):
                if r.slot == slot and r.status != "running":
                    return r
            return None

        final = await _wait(finished, 40, "a live replica to finish the slot")
        assert final.status == "succeeded"
        assert final.attempts == 2  # the killed attempt, and the resumed one
        assert replicas.pid_of(final.executor) != victim
        # Resumed, not redone: every account counted once.
        assert final.summary["tenants_checked"] == ACCOUNTS
        assert final.summary["accounts_checked"] == ACCOUNTS
        assert sorted(final.progress["done"]) == sorted(set(final.progress["done"]))
        assert len([r for r in await _runs(settings) if r.slot == slot]) == 1
    finally:
        replicas.stop()
        await _clear_faults(sandbox)


async def test_embedded_sqlite_resumes_after_a_restart(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """One process on SQLite (the default): killed mid-run, the restarted process resumes it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'embedded.db'}"
    await asyncio.to_thread(upgrade, url)
    settings = make_settings(url, sandbox, twilio_concurrency=1)
    await _seed(settings, sandbox)
    replicas = Replicas(settings, tmp_path)
    try:
        await _slow_listing(sandbox)
        at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)
        slot = at.isoformat()
        (first,) = replicas.start(1, CALLPLANE_RECONCILE_CRON=_slot_cron(at))

        async def running() -> JobRun | None:
            for r in await _runs(settings):
                if r.slot == slot and r.status == "running" and r.progress.get("done"):
                    return r
            return None

        await _wait(running, 30, "the slot to be halfway")
        first.kill()
        first.wait()
        replicas.start(1, CALLPLANE_RECONCILE_CRON=NEVER)

        async def finished() -> JobRun | None:
            for r in await _runs(settings):
                if r.slot == slot and r.status != "running":
                    return r
            return None

        final = await _wait(finished, 40, "the restarted process to finish the slot")
        assert (final.status, final.attempts) == ("succeeded", 2)
        assert final.summary["tenants_checked"] == ACCOUNTS
    finally:
        replicas.stop()
        await _clear_faults(sandbox)
