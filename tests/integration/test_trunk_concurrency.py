"""Concurrent `ensure_trunk` calls for one tenant make exactly one trunk.

Within one process (SQLite: the in-process lock; PostgreSQL: the advisory lock), and across
several processes on PostgreSQL (the advisory lock is the only thing they share). Run as a
script, this file is the worker process of the multi-process test.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from callplane.runtime import Runtime
from callplane.tenancy import SYSTEM, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.schemas import TenantCreate
from callplane.trunks.models import Trunk
from callplane.trunks.service import ensure_trunk
from tests.fixtures.logscan import record_output

ROOT = Path(__file__).resolve().parents[2]
ORIGINATION = "sip:agent.voice-ai.example"


async def _tenant(rt: Runtime, slug: str) -> TenantScope:
    async with rt.uow() as uow:
        row = await tenants.create_tenant(
            uow=uow, actor=SYSTEM, data=TenantCreate(slug=slug, name=slug)
        )
    return TenantScope(tenant_id=row.id, actor=SYSTEM)


async def _ensure(rt: Runtime, scope: TenantScope) -> tuple[str, str, bool]:
    async with rt.uow() as uow:
        result = await ensure_trunk(uow=uow, scope=scope, origination_sip_uri=ORIGINATION)
        return result.trunk.twilio_sid, result.outcome, result.sip_password is not None


def _assert_one_trunk(results: list[tuple[str, str, bool]], state: dict[str, Any]) -> None:
    assert len({sid for sid, _, _ in results}) == 1, results
    outcomes = Counter(outcome for _, outcome, _ in results)
    assert outcomes == {"created": 1, "existing": len(results) - 1}, outcomes
    assert sum(shown for _, _, shown in results) == 1  # the password is shown once
    [trunk] = state["trunks"]
    assert trunk["sid"] == results[0][0]
    assert len(trunk["credential_lists"]) == 1 and trunk["origination_urls"] == [ORIGINATION]
    [cl] = state["credential_lists"]
    assert len(cl["usernames"]) == 1


async def test_twenty_concurrent_ensures_in_one_process_make_one_trunk(
    db: Runtime, sandbox_view
) -> None:
    scope = await _tenant(db, "concurrent")
    results = await asyncio.gather(*(_ensure(db, scope) for _ in range(20)))
    _assert_one_trunk(list(results), sandbox_view.state())


async def test_concurrent_ensures_after_a_lost_row_refind_the_same_trunk(
    db: Runtime, sandbox_view
) -> None:
    scope = await _tenant(db, "lost-row")
    sid, _, _ = await _ensure(db, scope)
    async with db.uow() as uow:
        await uow.session.execute(delete(Trunk))
        await uow.commit()
    results = await asyncio.gather(*(_ensure(db, scope) for _ in range(20)))
    assert {r[0] for r in results} == {sid}
    assert Counter(r[1] for r in results) == {"found": 1, "existing": 19}
    assert sum(r[2] for r in results) == 1  # one reissued password, shown once
    assert len(sandbox_view.trunks()) == 1 and len(sandbox_view.credential_lists()) == 1


async def test_concurrent_ensures_for_two_tenants_make_two_trunks(
    db: Runtime, sandbox_view
) -> None:
    a, b = await _tenant(db, "tenant-a"), await _tenant(db, "tenant-b")
    results = await asyncio.gather(*(_ensure(db, s) for s in [a, b] * 10))
    by_tenant = {str(a.tenant_id): set(), str(b.tenant_id): set()}
    for scope, (sid, _, _) in zip([a, b] * 10, results, strict=True):
        by_tenant[str(scope.tenant_id)].add(sid)
    assert all(len(s) == 1 for s in by_tenant.values())
    assert by_tenant[str(a.tenant_id)] != by_tenant[str(b.tenant_id)]
    assert len(sandbox_view.trunks()) == 2


@pytest.mark.slow
@pytest.mark.postgres_only
async def test_concurrent_ensures_across_processes_make_one_trunk(
    db: Runtime, sandbox_view
) -> None:
    """4 processes x 5 concurrent ensures, one PostgreSQL database, one sandbox: one trunk."""
    settings = db.settings
    assert settings.database_url.startswith("postgresql")  # marked postgres_only
    scope = await _tenant(db, "multi-process")
    config = {
        "database_url": settings.database_url,
        "encryption_keys": settings.encryption_keys.get_secret_value(),  # type: ignore[union-attr]
        "twilio_account_sid": settings.twilio_account_sid,
        "twilio_auth_token": settings.twilio_auth_token.get_secret_value(),  # type: ignore[union-attr]
        "twilio_base_url": settings.twilio_base_url,
        "tenant_id": str(scope.tenant_id),
        "concurrency": 5,
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CALLPLANE_LOG_LEVEL": "WARNING"}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            json.dumps(config),
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(4)
    ]
    try:
        for proc in procs:  # every worker is up and connected before any starts
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)  # type: ignore[union-attr]
            assert line.strip() == b"ready", line
        for proc in procs:
            proc.stdin.write(b"go\n")  # type: ignore[union-attr]
            await proc.stdin.drain()  # type: ignore[union-attr]
        outputs = [await asyncio.wait_for(proc.communicate(), timeout=120) for proc in procs]
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
    results: list[tuple[str, str, bool]] = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        record_output("trunk concurrency worker", err)
        assert proc.returncode == 0, err.decode()[-3000:]
        results += [tuple(r) for r in json.loads(out.decode().strip().splitlines()[-1])]  # type: ignore[misc]
    assert len(results) == 20
    _assert_one_trunk(results, sandbox_view.state())


async def _worker(config: dict[str, Any]) -> None:
    import uuid

    from callplane.db import models  # noqa: F401  (every table)
    from callplane.settings import Settings

    rt = Runtime.create(
        Settings(
            database_url=config["database_url"],
            encryption_keys=config["encryption_keys"],
            twilio_account_sid=config["twilio_account_sid"],
            twilio_auth_token=config["twilio_auth_token"],
            twilio_base_url=config["twilio_base_url"],
        )
    )
    scope = TenantScope(tenant_id=uuid.UUID(config["tenant_id"]), actor=SYSTEM)
    try:
        async with rt.uow() as uow:  # connect (and import everything) before the start signal
            await uow.session.get(Trunk, uuid.uuid4())
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        results = await asyncio.gather(*(_ensure(rt, scope) for _ in range(config["concurrency"])))
        print(json.dumps(results), flush=True)
    finally:
        await rt.close()


if __name__ == "__main__":
    asyncio.run(_worker(json.loads(sys.argv[1])))
