"""A tenant app down for a while, then up, gets every event in order per call, though the
service (`callplane serve --sandbox`, a real process) was restarted in between."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from callplane.webhooks import verify
from tests.fixtures.clients import _wait_ready, serve_sink
from tests.fixtures.db import TEST_KEY
from tests.fixtures.logscan import register_log_file, register_secret
from tests.fixtures.processes import free_port


class Service:
    """`callplane serve --sandbox` on one database and port, that can be stopped and started."""

    def __init__(self, work: Path, port: int, platform_key: str) -> None:
        self.work, self.port, self.platform_key = work, port, platform_key
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.sandbox_url = ""
        self.runs = 0

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLPLANE_", "DBOS__"))}
        env.update(
            {
                "CALLPLANE_DATABASE_URL": f"sqlite+aiosqlite:///{self.work / 'callplane.db'}",
                "CALLPLANE_ENCRYPTION_KEYS": TEST_KEY,
                "CALLPLANE_BOOTSTRAP_PLATFORM_KEY": self.platform_key,
                "CALLPLANE_LOG_LEVEL": "INFO",
            }
        )
        self.runs += 1
        log, banner = self.work / f"serve{self.runs}.log", self.work / f"banner{self.runs}.txt"
        register_log_file(log)
        with open(log, "wb") as err, open(banner, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "callplane.cli", "serve", "--sandbox"]
                + ["--port", str(self.port)],
                cwd=self.work,
                env=env,
                stdout=out,
                stderr=err,
            )
        _wait_ready(self.url, self.proc, log)
        found = re.search(r"Twilio sandbox:\s+(http://\S+)", banner.read_text())
        assert found, banner.read_text()
        self.sandbox_url = found.group(1)
        ident = json.loads((self.work / ".callplane-sandbox.json").read_text())
        register_secret(ident["auth_token"], "sandbox auth token")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def api(self, method: str, path: str, key: str | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {key or self.platform_key}", **kw.pop("headers", {})}
        r = httpx.request(method, self.url + path, headers=headers, timeout=30, **kw)
        assert r.status_code < 300, r.text
        return r.json() if r.content else None

    def sandbox(self, path: str, body: dict[str, str]) -> dict[str, Any]:
        r = httpx.post(self.sandbox_url + path, json=body, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    key = "cpk_" + secrets.token_urlsafe(32)
    register_secret(key, "callplane API key")
    svc = Service(tmp_path, free_port(), key)
    svc.start()
    try:
        yield svc
    finally:
        svc.stop()


def test_receiver_down_then_up_across_a_restart(service: Service) -> None:
    # The app is down: nothing listens on its port yet (the sandbox allows local URLs).
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}/hooks"
    tid = service.api("POST", "/v1/tenants", json={"slug": "restart", "name": "R"})["id"]
    service.api("PUT", "/v1/plans/p", json={"quota_phone_numbers": 2})
    service.api("PUT", f"/v1/tenants/{tid}/subscription", json={"plan": "p", "status": "active"})
    admin = service.api("POST", f"/v1/tenants/{tid}/api-keys", json={"role": "admin"})["key"]
    register_secret(admin, "callplane API key")
    endpoint = service.api(
        "POST",
        f"/v1/tenants/{tid}/webhook-endpoints",
        key=admin,
        json={"url": app_url, "events": ["call.*"]},
    )
    register_secret(endpoint["secret"], "webhook secret")
    agent = service.api(
        "POST",
        f"/v1/tenants/{tid}/agents",
        key=admin,
        json={"name": "A", "voice": {"mode": "stream", "stream_url": "wss://ai.example.com/s"}},
    )
    found = service.api("GET", f"/v1/tenants/{tid}/phone-numbers/available?country=US&limit=1")
    e164 = found["data"][0]["phone_number"]
    service.api(
        "POST",
        f"/v1/tenants/{tid}/phone-numbers",
        key=admin,
        json={"phone_number": e164, "agent_id": agent["id"]},
        headers={"Idempotency-Key": "buy-1"},
    )
    calls = []
    for _ in range(2):
        call = service.sandbox("/__sandbox/inbound/call", {"from": "+14155550123", "to": e164})
        calls.append(call["call_sid"])
        for status in ("in-progress", "completed"):
            service.sandbox(
                "/__sandbox/inbound/status", {"call_sid": call["call_sid"], "status": status}
            )
    # Attempts fail while the app is down; the log shows them.
    deadline = time.monotonic() + 20
    log: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not log:
        log = service.api(
            "GET", f"/v1/tenants/{tid}/webhook-endpoints/{endpoint['id']}/deliveries", key=admin
        )["data"]
        time.sleep(0.2)
    assert log and all(a["status_code"] is None and a["error"] for a in log)

    service.stop()
    service.start()
    sink, stop_sink = serve_sink(app_port, "/hooks")
    try:
        expected = ["call.received", "call.status_changed", "call.status_changed", "call.completed"]
        got = sink.wait(len(expected) * 2, timeout=60)
        time.sleep(0.5)
        assert len(sink.received) == len(expected) * 2  # each once (the sink answered 204)
    finally:
        stop_sink()
    for delivery in got:
        assert verify(delivery.body, delivery.headers["Callplane-Signature"], endpoint["secret"])
    bodies = [json.loads(d.body) for d in got]
    for sid in calls:
        assert [b["type"] for b in bodies if b["data"]["sid"] == sid] == expected
