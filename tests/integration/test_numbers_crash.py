"""The service is SIGKILLed while a purchase is in flight at Twilio; nothing is lost or doubled.

The real service runs as a subprocess (`callplane serve`) on a SQLite file, against a sandbox
started here. A latency fault on the IncomingPhoneNumbers POST holds the purchase at "Twilio"
long enough to kill the service in the middle of it, before Twilio buys or after (Twilio has
acted; its answer never arrives). After a restart, the daily reconciliation
must leave the number owned exactly once in the database and held
exactly once at Twilio, and the same Idempotency-Key must answer that number without buying.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from callplane.numbers.purchase import PENDING_GRACE
from callplane.runtime import Runtime
from callplane.sandbox.server import SandboxServer
from callplane.settings import Settings
from tests.fixtures.contract import ContractRecorder
from tests.fixtures.db import PUBLIC_BASE_URL, TEST_KEY
from tests.fixtures.jobs import backdate, reconcile
from tests.fixtures.logscan import record_output
from tests.fixtures.numbers import IPN_POST
from tests.fixtures.processes import free_port

PLATFORM_KEY = "cpk_crash_test_" + uuid.uuid4().hex


def _wait(predicate: Any, what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Service:
    """`callplane serve` in a subprocess."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = Path(sys.executable).with_name("callplane")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "callplane.cli"]
        self.proc = subprocess.Popen(
            [*cmd, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

        def ready() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"the service exited: {self.proc.stderr.read().decode()[-3000:]}"
                )  # type: ignore[union-attr]
            try:
                return httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        _wait(ready, "the service to be ready", timeout=60)

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._record()

    def _record(self) -> None:
        if self.proc is not None and self.proc.stderr is not None and not self.proc.stderr.closed:
            record_output("callplane serve (numbers crash test)", self.proc.stderr.read())
            self.proc.stderr.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._record()


@pytest.fixture
def crash_world(
    tmp_path: Path, twilio_contract: ContractRecorder
) -> Iterator[tuple[SandboxServer, Service, str]]:
    with SandboxServer(observer=twilio_contract) as sandbox:
        database = f"sqlite+aiosqlite:///{tmp_path / 'callplane.db'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALLPLANE_")}
        env.update(
            CALLPLANE_DATABASE_URL=database,
            CALLPLANE_PUBLIC_BASE_URL=PUBLIC_BASE_URL,
            CALLPLANE_ENCRYPTION_KEYS=TEST_KEY,
            CALLPLANE_TWILIO_ACCOUNT_SID=sandbox.account_sid,
            CALLPLANE_TWILIO_AUTH_TOKEN=sandbox.auth_token,
            CALLPLANE_TWILIO_BASE_URL=sandbox.url,
            CALLPLANE_BOOTSTRAP_PLATFORM_KEY=PLATFORM_KEY,
            CALLPLANE_LOG_LEVEL="WARNING",
        )
        service = Service(env, tmp_path)
        try:
            yield sandbox, service, database
        finally:
            service.stop()


def _rows(database: str, e164: str) -> list[tuple[str, str | None]]:
    path = database.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as conn:
        return list(
            conn.execute("SELECT status, twilio_sid FROM phone_numbers WHERE e164 = ?", (e164,))
        )


def _held(sandbox: SandboxServer, e164: str) -> list[dict[str, Any]]:
    state = httpx.get(f"{sandbox.url}/__sandbox/state").json()
    return [n for n in state["numbers"] if n["phone_number"] == e164]


def _fired(sandbox: SandboxServer, rule_id: int) -> int:
    rules = httpx.get(f"{sandbox.url}/__sandbox/faults").json()["faults"]
    return next(r["fired"] for r in rules if r["id"] == rule_id)


def _resolve(sandbox: SandboxServer, database: str) -> dict[str, int]:
    """The daily reconciliation after a restart, once the pending purchases are old enough to be
    settled (adopted when Twilio holds the number, failed when not); what it did about them."""
    settings = Settings(
        database_url=database,
        public_base_url=PUBLIC_BASE_URL,
        encryption_keys=TEST_KEY,  # type: ignore[arg-type]
        twilio_account_sid=sandbox.account_sid,
        twilio_auth_token=sandbox.auth_token,  # type: ignore[arg-type]
        twilio_base_url=sandbox.url,
        pending_timeout_seconds=int(PENDING_GRACE.total_seconds()),
    )

    async def run() -> dict[str, int]:
        rt = Runtime.create(settings)
        try:
            await backdate(rt, PENDING_GRACE.total_seconds() + 1)
            summary = await reconcile(rt)
        finally:
            await rt.close()
        return {
            "adopted": summary["adopted"],
            "failed": summary["pending_failed"],
            "unresolved": summary["accounts_failed"],
        }

    return asyncio.run(run())


def _purchase_in_background(service: Service, tenant: str, e164: str, key: str) -> threading.Thread:
    def post() -> None:
        try:
            httpx.post(
                f"{service.url}/v1/tenants/{tenant}/phone-numbers",
                json={"phone_number": e164},
                headers={"Authorization": f"Bearer {PLATFORM_KEY}", "Idempotency-Key": key},
                timeout=30,
            )
        except httpx.HTTPError:
            pass  # the service dies under it

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
@pytest.mark.parametrize("timing", ["before", "after"])
def test_sigkill_during_purchase(
    crash_world: tuple[SandboxServer, Service, str], timing: str
) -> None:
    """`timing`: alpha's purchase is held at Twilio before the work ("before": the number is
    bought during the kill), or Twilio buys at once and holds its answer ("after": acted, then
    the answer never arrives, issue 16)."""
    sandbox, service, database = crash_world
    service.start()
    auth = {"Authorization": f"Bearer {PLATFORM_KEY}"}
    own = httpx.post(f"{sandbox.url}/__sandbox/accounts", json={"friendly_name": "Own"}).json()
    with httpx.Client(base_url=service.url, headers=auth, timeout=30) as api:
        assert api.put("/v1/plans/basic", json={"quota_phone_numbers": 5}).status_code == 200
        tenants = []
        for slug in ("alpha", "beta"):
            tid = api.post("/v1/tenants", json={"slug": slug, "name": slug.title()}).json()["id"]
            r = api.put(
                f"/v1/tenants/{tid}/subscription", json={"plan": "basic", "status": "active"}
            )
            assert r.status_code == 200, r.text
            tenants.append(tid)
        alpha, beta = tenants  # alpha: master model; beta: its own (byo) account
        r = api.put(
            f"/v1/tenants/{beta}/connection",
            json={"model": "byo", "account_sid": own["sid"], "auth_token": own["auth_token"]},
        )
        assert r.status_code == 200, r.text
        r = api.get(
            f"/v1/tenants/{alpha}/phone-numbers/available", params={"country": "US", "limit": 2}
        )
        bought_one, lost_one = (n["phone_number"] for n in r.json()["data"])

    # Two purchases held at "Twilio" when the service is killed: alpha's completes there
    # (bought, the database still says pending); beta's is failing there (nothing bought).
    def ipn_post(account: str) -> str:
        return f"/Accounts/{account}{IPN_POST}"

    faults = f"{sandbox.url}/__sandbox/faults"
    slow = httpx.post(
        faults,
        json={
            "method": "POST",
            "path": ipn_post(sandbox.account_sid),
            "latency_ms": 1500,
            "after": timing == "after",
        },
    )
    failing = httpx.post(
        faults,
        json={"method": "POST", "path": ipn_post(own["sid"]), "latency_ms": 1500, "status": 500},
    )
    rules = [slow.json()["id"], failing.json()["id"]]
    key, lost_key = "crash-" + uuid.uuid4().hex, "crash-" + uuid.uuid4().hex
    threads = [
        _purchase_in_background(service, alpha, bought_one, key),
        _purchase_in_background(service, beta, lost_one, lost_key),
    ]
    _wait(lambda: all(_fired(sandbox, r) == 1 for r in rules), "both purchases to reach Twilio")
    service.kill()
    for thread in threads:
        thread.join(timeout=10)
    assert _rows(database, bought_one) == [("pending", None)]
    assert _rows(database, lost_one) == [("pending", None)]
    _wait(lambda: _held(sandbox, bought_one), "the sandbox to finish the purchase", timeout=10)
    httpx.delete(faults)

    # Restart, resolve what is pending: the first is adopted, the second failed.
    service.start()
    assert _resolve(sandbox, database) == {"adopted": 1, "failed": 1, "unresolved": 0}
    (held,) = _held(sandbox, bought_one)
    assert held["account_sid"] == sandbox.account_sid
    assert _rows(database, bought_one) == [("active", held["sid"])]
    assert held["voice_url"] == f"{PUBLIC_BASE_URL}/webhooks/twilio/voice"
    assert _held(sandbox, lost_one) == []
    assert _rows(database, lost_one) == [("failed", None)]

    # The same keys, to the restarted service: the same number, never a second purchase.
    spy = httpx.post(faults, json={"method": "POST", "path": IPN_POST, "latency_ms": 1}).json()[
        "id"
    ]
    with httpx.Client(base_url=service.url, headers=auth, timeout=30) as api:
        r = api.post(
            f"/v1/tenants/{alpha}/phone-numbers",
            json={"phone_number": bought_one},
            headers={"Idempotency-Key": key},
        )
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "active" and r.json()["twilio_sid"] == held["sid"]
        r = api.post(
            f"/v1/tenants/{beta}/phone-numbers",
            json={"phone_number": lost_one},
            headers={"Idempotency-Key": lost_key},
        )
        assert r.status_code == 409 and r.json()["error"]["code"] == "purchase_not_completed"
        listed = api.get(f"/v1/tenants/{alpha}/phone-numbers", params={"status": "active"}).json()
    assert [n["phone_number"] for n in listed["data"]] == [bought_one]
    assert _fired(sandbox, spy) == 0
    assert len(_held(sandbox, bought_one)) == 1
    assert _rows(database, bought_one) == [("active", held["sid"])]
