"""The production topology as processes: nginx (TLS) -> two replicas + one worker on PostgreSQL.

`deploy/processes/callplane-stack up` starts what compose.yaml describes, as plain processes
(no container can be pulled here): the Twilio sandbox in place of Twilio, migrations as their own
step, two `callplane serve` replicas without jobs, one `callplane worker`, and Debian's nginx
terminating TLS in front. Through the proxy's public HTTPS URL (the one Twilio signs): a tenant
buys a number through one replica and the other sees it; signed webhooks are answered; one
replica is SIGKILLed in the middle of a stream of webhooks and not one webhook fails, and every
one is recorded exactly once; the worker's scheduled jobs run once per slot, on the worker. The
service connects as an ordinary role (no superuser, no BYPASSRLS), so row-level security binds it.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.fixtures.db import TEST_KEY
from tests.fixtures.logscan import register_log_file, register_secret

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "deploy" / "processes" / "callplane-stack"
STREAM = "wss://ai.example.com/deployed-agent"
VOICE = "/webhooks/twilio/voice"


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def _nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    tools = ("openssl", "curl", "envsubst")
    if found is None or not all(shutil.which(tool) for tool in tools):
        message = (
            "the process layout needs nginx, openssl, curl and envsubst "
            "(apt-get install nginx openssl curl gettext-base; .ci/run installs them)"
        )
        if os.environ.get("CALLPLANE_TEST_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)
    return found


class Stack:
    """The stack of `deploy/processes/callplane-stack`, in a test's folder."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.proxy_port, api1, api2, sandbox = _free_ports(4)
        self.api_urls = [f"http://127.0.0.1:{api1}", f"http://127.0.0.1:{api2}"]
        self.public = f"https://127.0.0.1:{self.proxy_port}"
        self.dir = workdir / "stack"
        self.account_sid = "AC" + secrets.token_hex(16)
        self.auth_token = secrets.token_hex(16)
        self.platform_key = "cpk_" + secrets.token_urlsafe(24)
        for secret in (self.auth_token, self.platform_key):
            register_secret(secret)
        # A 6-field cron: a reconciliation slot every 4 seconds, to count runs per slot.
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("CALLPLANE_", "DBOS__"))
        }
        self.env.update(
            {
                "PATH": f"{Path(sys.executable).parent}:/usr/sbin:{os.environ.get('PATH', '')}",
                "NGINX_BIN": _nginx(),
                "CALLPLANE_BIN": str(Path(sys.executable).parent / "callplane"),
                "CALLPLANE_STACK_DIR": str(self.dir),
                "CALLPLANE_STACK_PROXY_PORT": str(self.proxy_port),
                "CALLPLANE_STACK_API_PORTS": f"{api1} {api2}",
                "CALLPLANE_STACK_SANDBOX_PORT": str(sandbox),
                "CALLPLANE_DATABASE_URL": database_url,
                "CALLPLANE_ENCRYPTION_KEYS": TEST_KEY,
                "CALLPLANE_TWILIO_ACCOUNT_SID": self.account_sid,
                "CALLPLANE_TWILIO_AUTH_TOKEN": self.auth_token,
                "CALLPLANE_BOOTSTRAP_PLATFORM_KEY": self.platform_key,
                "CALLPLANE_RECONCILE_CRON": "*/4 * * * * *",
                "CALLPLANE_HEALTH_CRON": "0 0 1 1 *",
            }
        )

    def run(self, command: str) -> str:
        done = subprocess.run(
            [str(STACK), command],
            check=False,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        for log in sorted((self.dir / "logs").glob("*.log")):
            register_log_file(log)
        assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}\n{self.logs()}"
        return done.stdout

    def logs(self) -> str:
        out = []
        for log in sorted((self.dir / "logs").glob("*.log")):
            out.append(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        return "\n".join(out)

    def pid(self, name: str) -> int:
        return int((self.dir / "pids" / f"{name}.pid").read_text())

    @property
    def cert(self) -> str:
        return str(self.dir / "tls" / "cert.pem")

    def worker_executor(self) -> str:
        text = (self.dir / "logs" / "worker.log").read_text(errors="replace")
        found = re.search(r"callplane worker (\S+) running", text)
        assert found, text[-2000:]
        return found.group(1)


@pytest.fixture
def stack(empty_pg: str, tmp_path: Path) -> Any:
    s = Stack(empty_pg, tmp_path)
    try:
        s.run("up")
        yield s
    finally:
        subprocess.run(
            [str(STACK), "down"], check=False, env=s.env, capture_output=True, timeout=60
        )


def _signed(stack: Stack, to: str, token: str) -> tuple[str, dict[str, str]]:
    params = {
        "AccountSid": stack.account_sid,
        "CallSid": "CA" + secrets.token_hex(16),
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": "+12125550123",
        "To": to,
        "ApiVersion": "2010-04-01",
    }
    signature = RequestValidator(stack.auth_token).compute_signature(stack.public + VOICE, params)
    return urlencode(params), {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
        "I-Twilio-Idempotency-Token": token,
    }


async def test_the_process_layout_behind_a_tls_proxy(stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {stack.platform_key}"}
    async with (
        httpx.AsyncClient(
            base_url=stack.public,
            verify=ssl.create_default_context(cafile=stack.cert),
            headers=auth,
            timeout=30,
        ) as proxy,
        httpx.AsyncClient(base_url=stack.api_urls[0], headers=auth, timeout=30) as replica_a,
        httpx.AsyncClient(base_url=stack.api_urls[1], headers=auth, timeout=30) as replica_b,
    ):

        async def ok(
            http: httpx.AsyncClient, method: str, path: str, expect: int = 200, **kw: Any
        ) -> Any:
            r = await http.request(method, path, **kw)
            assert r.status_code == expect, (path, r.status_code, r.text)
            return r.json()

        # The platform's set-up, through the public URL.
        await ok(proxy, "PUT", "/v1/plans/deployed", json={"quota_phone_numbers": 3})
        tenant = await ok(proxy, "POST", "/v1/tenants", 201, json={"slug": "dep", "name": "Dep"})
        tid = tenant["id"]
        await ok(
            proxy,
            "PUT",
            f"/v1/tenants/{tid}/subscription",
            json={"plan": "deployed", "status": "active"},
        )
        agent = await ok(
            proxy,
            "POST",
            f"/v1/tenants/{tid}/agents",
            201,
            json={"name": "Desk", "voice": {"mode": "stream", "stream_url": STREAM}},
        )

        # A purchase through replica A is seen by replica B.
        found = await ok(
            replica_a,
            "GET",
            f"/v1/tenants/{tid}/phone-numbers/available",
            params={"country": "US", "type": "local", "limit": 1},
        )
        e164 = found["data"][0]["phone_number"]
        bought = await ok(
            replica_a,
            "POST",
            f"/v1/tenants/{tid}/phone-numbers",
            201,
            json={"phone_number": e164, "agent_id": agent["id"]},
            headers={"Idempotency-Key": "deploy-buy"},
        )
        seen = await ok(replica_b, "GET", f"/v1/tenants/{tid}/phone-numbers/{bought['id']}")
        assert seen["status"] == "active" and seen["agent_id"] == agent["id"]

        # A webhook signed over the proxy's public URL is answered through the proxy.
        body, headers = _signed(stack, e164, "first")
        r = await proxy.post(VOICE, content=body, headers=headers)
        assert r.status_code == 200 and STREAM in r.text, r.text
        # Verified against the public URL, not what a replica sees: the same request sent to a
        # replica directly is still accepted (the URL is rebuilt), a wrong signature is not.
        good = headers["X-Twilio-Signature"]
        # Another first character (one signature in 64 starts with "x": the same signature).
        wrong = ("y" if good[0] == "x" else "x") + good[1:]
        bad = dict(headers, **{"X-Twilio-Signature": wrong})
        r = await proxy.post(VOICE, content=body, headers=bad)
        assert r.status_code == 403

        # A stream of webhooks; replica A is killed in its middle. None fails.
        tokens = [f"kill-{i}" for i in range(240)]
        statuses: list[int | str] = []
        queue: asyncio.Queue[str] = asyncio.Queue()
        for token in tokens:
            queue.put_nowait(token)

        async def sender() -> None:
            while not queue.empty():
                token = queue.get_nowait()
                body, headers = _signed(stack, e164, token)
                try:
                    res = await proxy.post(VOICE, content=body, headers=headers)
                    statuses.append(
                        res.status_code if STREAM in res.text else f"{res.status_code}?"
                    )
                except httpx.HTTPError as exc:
                    statuses.append(type(exc).__name__)
                await asyncio.sleep(0.01)

        async def killer() -> None:
            while len(statuses) < len(tokens) // 3:
                await asyncio.sleep(0.01)
            os.kill(stack.pid("api1"), signal.SIGKILL)

        await asyncio.gather(killer(), *(sender() for _ in range(6)))
        failed = [s for s in statuses if s != 200]
        assert len(statuses) == len(tokens) and not failed, failed
        with pytest.raises(httpx.TransportError):
            await replica_a.get("/healthz")

        # Every one of them recorded exactly once (a retry on the other replica is answered
        # again, not recorded twice).
        events: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = await ok(
                proxy,
                "GET",
                f"/v1/tenants/{tid}/events",
                params={"limit": 100, **({"cursor": cursor} if cursor else {})},
            )
            events.extend(page["data"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        voice = [e for e in events if e["kind"] == "voice"]
        assert len(voice) == len(tokens) + 1, len(voice)

        # The worker runs the scheduled jobs: one run per slot, all of them on the worker.
        deadline = time.monotonic() + 60
        runs: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            runs = (await ok(proxy, "GET", "/v1/reconcile/runs", params={"limit": 100}))["data"]
            if len([x for x in runs if x["finished_at"] and x["slot"]]) >= 2:
                break
            await asyncio.sleep(0.5)
        scheduled = [x for x in runs if x["slot"]]
        assert len([x for x in scheduled if x["finished_at"]]) >= 2, runs
        slots = [x["slot"] for x in scheduled]
        assert len(slots) == len(set(slots)), slots
        # (A slot that came due meanwhile may be listed before any executor took it.)
        finished = [x for x in scheduled if x["finished_at"]]
        assert {x["executor"] for x in finished} == {stack.worker_executor()}, scheduled
        assert all(x["status"] == "succeeded" for x in scheduled if x["finished_at"]), scheduled

    # Down stops every process it started.
    pids = [stack.pid(name) for name in ("api2", "worker", "nginx", "sandbox")]
    stack.run("down")
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
