"""Two replicas on one PostgreSQL: a change through one is routed by the other on the next call.

Two `callplane serve` processes (each with its own gateway and job engine) share one database
and one Twilio sandbox, behind a "load balancer": the sandbox's webhook transport sends each of
Twilio's webhooks to the replica the test picks. Both have the same CALLPLANE_PUBLIC_BASE_URL,
as replicas behind one proxy do, so either verifies the signature. A number attached to another
agent, released, and bought again by another tenant through replica A is routed accordingly by
replica B on the very next call (no cache to expire, nothing to restart), and the daily job's
slot runs once across both.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import psycopg
import pytest
from twilio.request_validator import RequestValidator

from callplane.sandbox.server import SandboxServer
from tests.fixtures.db import PUBLIC_BASE_URL, TEST_KEY
from tests.fixtures.logscan import register_log_file, register_secret
from tests.fixtures.processes import free_port

pytestmark = pytest.mark.slow

STREAM_A = "wss://ai.example.com/agent-a"
STREAM_B = "wss://ai.example.com/agent-b"
STREAM_C = "wss://ai.example.com/agent-c"


class Balancer(httpx.AsyncBaseTransport):
    """Twilio's webhooks go to whichever replica `target` names (the sandbox's transport)."""

    def __init__(self) -> None:
        self.target = ""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        url = self.target + request.url.raw_path.decode()
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
        }
        async with httpx.AsyncClient(timeout=15) as client:
            r = await client.request(request.method, url, headers=headers, content=body)
        return httpx.Response(r.status_code, headers=r.headers.multi_items(), content=r.content)


class Replica:
    """One `callplane serve` process."""

    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = logs / f"replica-{name}.log"
        register_log_file(self.log)
        self._out = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "callplane.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    async def ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url) as http:
            while time.monotonic() < deadline:
                assert self.proc.poll() is None, f"replica {self.name} exited"
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"replica {self.name} not ready")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


def _env(database_url: str, sandbox: SandboxServer, platform_key: str, cron: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLPLANE_", "DBOS__"))}
    env.update(
        {
            "CALLPLANE_DATABASE_URL": database_url,
            "CALLPLANE_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "CALLPLANE_ENCRYPTION_KEYS": TEST_KEY,
            "CALLPLANE_TWILIO_ACCOUNT_SID": sandbox.account_sid,
            "CALLPLANE_TWILIO_AUTH_TOKEN": sandbox.auth_token,
            "CALLPLANE_TWILIO_BASE_URL": sandbox.url,
            "CALLPLANE_BOOTSTRAP_PLATFORM_KEY": platform_key,
            "CALLPLANE_RECONCILE_CRON": cron,
            "CALLPLANE_HEALTH_CRON": "0 0 1 1 *",
            "CALLPLANE_LOG_LEVEL": "INFO",
        }
    )
    return env


async def test_a_change_through_one_replica_is_routed_by_the_other(
    empty_pg: str, sandbox: SandboxServer, tmp_path: Path
) -> None:
    platform_key = "cpk_" + secrets.token_urlsafe(24)
    register_secret(platform_key)
    # The daily job's slot, a few seconds ahead (6-field cron, to the second).
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=15)
    cron = f"{at.second} {at.minute} {at.hour} {at.day} {at.month} *"
    env = _env(empty_pg, sandbox, platform_key, cron)
    # Both start at once: each runs the migrations (serialised by an advisory lock).
    a, b = Replica("a", env, tmp_path), Replica("b", env, tmp_path)
    balancer = Balancer()
    sandbox.sandbox.webhook_transport = balancer
    try:
        await asyncio.gather(a.ready(), b.ready())
        auth = {"Authorization": f"Bearer {platform_key}"}
        async with httpx.AsyncClient(base_url=a.url, headers=auth, timeout=30) as via_a:

            async def ok(method: str, path: str, expect: int = 200, **kw: Any) -> dict[str, Any]:
                r = await via_a.request(method, path, **kw)
                assert r.status_code == expect, (path, r.status_code, r.text)
                return r.json()  # type: ignore[no-any-return]

            await ok("PUT", "/v1/plans/replicas", json={"quota_phone_numbers": 5})
            tenants = []
            for slug in ("one", "two"):
                t = await ok("POST", "/v1/tenants", 201, json={"slug": slug, "name": slug.title()})
                await ok(
                    "PUT",
                    f"/v1/tenants/{t['id']}/subscription",
                    json={"plan": "replicas", "status": "active"},
                )
                tenants.append(t["id"])
            one, two = tenants

            async def agent(tid: str, url: str) -> str:
                body = {
                    "name": url.rsplit("/", 1)[1],
                    "voice": {"mode": "stream", "stream_url": url},
                }
                return str((await ok("POST", f"/v1/tenants/{tid}/agents", 201, json=body))["id"])

            agent_a, agent_b, agent_c = (
                await agent(one, STREAM_A),
                await agent(one, STREAM_B),
                await agent(two, STREAM_C),
            )
            found = await ok(
                "GET",
                f"/v1/tenants/{one}/phone-numbers/available",
                params={"country": "US", "type": "local", "limit": 1},
            )
            e164 = found["data"][0]["phone_number"]
            bought = await ok(
                "POST",
                f"/v1/tenants/{one}/phone-numbers",
                201,
                json={"phone_number": e164, "agent_id": agent_a},
                headers={"Idempotency-Key": "buy-1"},
            )

            async def call_via_b() -> dict[str, Any]:
                balancer.target = b.url
                async with httpx.AsyncClient(base_url=sandbox.url, timeout=30) as ctl:
                    r = await ctl.post(
                        "/__sandbox/inbound/call", json={"from": "+12125550123", "to": e164}
                    )
                assert r.status_code == 200, r.text
                return r.json()  # type: ignore[no-any-return]

            # Bought through A: B routes it to agent A.
            answer = await call_via_b()
            assert answer["status"] == 200 and STREAM_A in answer["twiml"], answer
            assert one in answer["twiml"]

            # Re-attached through A: the very next call through B reaches agent B.
            await ok(
                "PATCH",
                f"/v1/tenants/{one}/phone-numbers/{bought['id']}",
                json={"agent_id": agent_b},
            )
            answer = await call_via_b()
            assert STREAM_B in answer["twiml"] and STREAM_A not in answer["twiml"], answer

            # Released through A: Twilio no longer sends its calls; one that still reaches
            # B (signed as Twilio signs) is not in service.
            await ok("DELETE", f"/v1/tenants/{one}/phone-numbers/{bought['id']}")
            params = {
                "AccountSid": sandbox.account_sid,
                "CallSid": "CA" + secrets.token_hex(16),
                "CallStatus": "ringing",
                "Direction": "inbound",
                "From": "+12125550123",
                "To": e164,
                "ApiVersion": "2010-04-01",
            }
            path = "/webhooks/twilio/voice"
            signature = RequestValidator(sandbox.auth_token).compute_signature(
                PUBLIC_BASE_URL + path, params
            )
            async with httpx.AsyncClient(base_url=b.url) as http:
                r = await http.post(
                    path,
                    content=urlencode(params),
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": signature,
                        "I-Twilio-Idempotency-Token": secrets.token_hex(8),
                    },
                )
            assert r.status_code == 200 and "not in service" in r.text, r.text
            assert STREAM_B not in r.text

            # Bought again by the other tenant through A: B routes it to that tenant's agent.
            await ok(
                "POST",
                f"/v1/tenants/{two}/phone-numbers",
                201,
                json={"phone_number": e164, "agent_id": agent_c},
                headers={"Idempotency-Key": "buy-2"},
            )
            answer = await call_via_b()
            assert STREAM_C in answer["twiml"] and two in answer["twiml"], answer
            assert one not in answer["twiml"]

            # And A agrees with B.
            balancer.target = a.url
            async with httpx.AsyncClient(base_url=sandbox.url, timeout=30) as ctl:
                r = await ctl.post("/__sandbox/inbound/call", json={"from": "+1212555", "to": e164})
            assert STREAM_C in r.json()["twiml"]

            # The events of those calls, recorded by B, are listed by A for their tenants.
            events = await ok("GET", f"/v1/tenants/{one}/events")
            # The released number's call was recorded unrouted (no tenant): two for tenant one.
            assert len([e for e in events["data"] if e["kind"] == "voice"]) == 2
            events = await ok("GET", f"/v1/tenants/{two}/events")
            assert len([e for e in events["data"] if e["kind"] == "voice"]) == 2

            # The daily job: its slot runs once across the two replicas.
            deadline = time.monotonic() + 90
            runs: list[dict[str, Any]] = []
            while time.monotonic() < deadline:
                runs = (await ok("GET", "/v1/reconcile/runs"))["data"]
                if any(r["finished_at"] for r in runs):
                    break
                await asyncio.sleep(0.5)
            assert len(runs) == 1, runs
            assert runs[0]["finished_at"] and runs[0]["summary"]["tenants_failed"] == 0
        await asyncio.sleep(2)  # past the slot: a late scheduler would have made a second run
        dsn = empty_pg.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(dsn) as conn:
            rows = conn.execute(
                "SELECT slot, attempts, status FROM job_runs WHERE job = 'reconcile'"
            ).fetchall()
            workflows = conn.execute(
                "SELECT count(*) FROM dbos.workflow_status WHERE name = 'callplane.reconcile_slot'"
            ).fetchone()
        assert [(r[0], r[1], r[2]) for r in rows] == [(at.isoformat(), 1, "succeeded")]
        assert workflows == (1,)
    finally:
        sandbox.sandbox.webhook_transport = None
        a.stop()
        b.stop()
    # Each replica really ran its own job engine: two schedulers competed for the one slot.
    for replica in (a, b):
        assert "job engine started" in replica.log.read_text(), replica.name
