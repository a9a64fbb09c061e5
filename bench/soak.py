"""Soak: `python -m bench.soak --minutes N` (PostgreSQL by default, `--sqlite` possible).

Starts the Twilio sandbox and `callplane serve` (job engine included, as in production) as
processes of their own, plus a tenant app that receives the outbox's events, then for N minutes
drives, together:

- webhooks through the sandbox's inbound simulation (signed by the owning account, posted to
  the service's public URL): calls, SMS, and status callbacks of earlier calls;
- API calls with tenant keys: search, buy, attach to another agent, release numbers; create,
  change and delete agents; list events and numbers; send messages;

while the sandbox fails a share of callplane's Twilio API calls (`--fault-rate`, default 10%:
half 500/20500, half 429/20429). At the end it prints the requests and their answers by kind
(status and error code), the events recorded against the webhooks Twilio delivered (nothing
lost), the outbox rows delivered to the tenant app (signatures checked), the 500s (must be 0),
the unhandled errors the service logged, and the service's resident memory at start, after
warm-up and at the end.

    python -m bench.soak --minutes 10
    python -m bench.soak --minutes 0.5 --sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.common import DEFAULT_PG, Process, base_env, free_port, rss_mb

TWILIO_API = r"^/(api|trunking|pricing|numbers)/"  # callplane's calls, not the test controls


@dataclass
class SoakConfig:
    """What to run and how hard."""

    minutes: float = 10.0
    sqlite: bool = False
    postgres_url: str = DEFAULT_PG
    tenants: int = 6
    numbers_per_tenant: int = 3
    webhook_rate: float = 40.0  # inbound calls/SMS/status callbacks per second
    api_rate: float = 12.0  # API requests per second
    fault_rate: float = 0.10
    warmup: float | None = None  # seconds; default: 10% of the run, at most 60 s
    log_level: str = "INFO"
    workdir: Path | None = None
    # Fixed by tests (which register them as secrets); generated otherwise.
    platform_key: str = field(default_factory=lambda: "cpk_" + secrets.token_urlsafe(32))
    sandbox_sid: str = field(default_factory=lambda: "AC" + uuid.uuid4().hex)
    sandbox_token: str = field(default_factory=lambda: secrets.token_hex(16))
    encryption_keys: str = field(
        default_factory=lambda: "soak:" + base64.b64encode(secrets.token_bytes(32)).decode()
    )

    @property
    def warmup_seconds(self) -> float:
        if self.warmup is not None:
            return self.warmup
        return min(60.0, self.minutes * 60 * 0.1)


@dataclass
class Report:
    """What a soak saw."""

    database: str
    seconds: float
    fault_rate: float
    api: Counter[str] = field(default_factory=Counter)
    webhooks: Counter[str] = field(default_factory=Counter)
    events_sent: int = 0
    events_recorded: int = 0
    events_duplicated: int = 0
    outbox_rows: int = 0
    outbox_delivered: int = 0
    outbox_pending: int = 0
    outbox_failed: int = 0
    outbox_agent_deleted: int = 0  # failed because the agent was deleted before delivery
    app_received: int = 0
    app_bad_signatures: int = 0
    server_errors: int = 0  # answers with status 500 (API and webhooks)
    webhook_failures: int = 0  # webhooks answered 5xx (503: not recorded)
    unhandled_logged: int = 0
    not_recorded_logged: int = 0
    twilio_faults: int = 0
    # Resident memory of the service, MB (VmRSS; the peak is VmHWM).
    rss_start: float = 0.0
    rss_warm: float = 0.0
    rss_end: float = 0.0
    rss_peak: float = 0.0
    rss_samples: list[tuple[float, float]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list, repr=False)  # for the test's log scan

    @property
    def lost_events(self) -> int:
        return self.events_sent - self.events_recorded

    @property
    def lost_deliveries(self) -> int:
        return (
            self.outbox_rows - self.outbox_delivered - self.outbox_pending
            - self.outbox_agent_deleted
        )

    @property
    def memory_growth(self) -> float:
        """End over after-warm-up, minus one (0.05 = +5%)."""
        return self.rss_end / self.rss_warm - 1 if self.rss_warm else 0.0

    @property
    def ok(self) -> bool:
        return (
            self.lost_events == 0
            and self.events_duplicated == 0
            and self.lost_deliveries == 0
            and self.outbox_pending == 0
            and self.app_bad_signatures == 0
            and self.server_errors == 0
            and self.webhook_failures == 0
            and self.unhandled_logged == 0
            and self.not_recorded_logged == 0
        )

    def text(self) -> str:
        api_total, hooks_total = sum(self.api.values()), sum(self.webhooks.values())
        out = [
            (f"soak: {self.seconds / 60:.1f} min on {self.database}; the sandbox failed "
            f"{self.fault_rate:.0%} of callplane's Twilio API calls ({self.twilio_faults} faults "
            "injected: half 500/20500, half 429/20429)"),
            (f"requests: {api_total + hooks_total:,} ({api_total:,} API, {hooks_total:,} webhooks; "
            f"{(api_total + hooks_total) / max(self.seconds, 1):.0f}/s)"),
            "API answers by kind:",
            *(f"  {k:<58} {v:>7,}" for k, v in sorted(self.api.items())),
            "webhooks (as delivered by the sandbox) by kind:",
            *(f"  {k:<58} {v:>7,}" for k, v in sorted(self.webhooks.items())),
            (f"events: {self.events_sent:,} delivered by Twilio and answered 200, "
            f"{self.events_recorded:,} recorded: {self.lost_events} lost, "
            f"{self.events_duplicated} recorded twice"),
            (f"outbox: {self.outbox_rows:,} rows, {self.outbox_delivered:,} delivered, "
            f"{self.outbox_pending} pending, {self.outbox_failed} given up ("
            f"{self.outbox_agent_deleted} because their agent was deleted first; "
            f"{self.lost_deliveries} lost); the tenant app "
            f"received {self.app_received:,} distinct events ({self.app_bad_signatures} bad "
            "signatures)"),
            (f"500s: {self.server_errors}; webhooks answered 5xx: {self.webhook_failures}; "
            f"unhandled errors in the service log: {self.unhandled_logged}; events not "
            f"recorded in the service log: {self.not_recorded_logged}"),
            (f"service RSS: start {self.rss_start:.1f} MB, after warm-up "
            f"{self.rss_warm:.1f} MB, end {self.rss_end:.1f} MB "
            f"({self.memory_growth:+.1%} since warm-up), peak {self.rss_peak:.1f} MB"),
            f"verdict: {'OK' if self.ok else 'FAILED'}",
        ]
        return "\n".join(out)


# -- the tenant's app (the outbox delivers here) -----------------------------------------------


class TenantApp:
    """An HTTP server in a thread that checks and counts the events it receives."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/events"
        self.secrets: dict[str, str] = {}  # agent id -> events signing secret
        self.received: set[str] = set()
        self.bad_signatures = 0
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        import uvicorn
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        from callplane.gateway.signing import verify

        async def events(request: Request) -> JSONResponse:
            body = await request.body()
            data = json.loads(body)
            secret = self.secrets.get(str(data.get("agent_id")))
            signature = request.headers.get("callplane-signature", "")
            if secret is None or not verify(secret, signature, body):
                self.bad_signatures += 1
                return JSONResponse({"ok": False}, status_code=401)
            self.received.add(str(data["id"]))
            return JSONResponse({"ok": True})

        app = Starlette(routes=[Route("/events", events, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None,
                                access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="tenant-app")
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the tenant app did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)


# -- processes ---------------------------------------------------------------------------------


async def _wait_ready(url: str, proc: Process, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited; see {proc.log}")
            try:
                if (await http.get(url)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{proc.name} did not start; see {proc.log}")


# -- the database ----------------------------------------------------------------------------


COUNTS = {
    "events": "SELECT count(*) FROM events WHERE kind IN ('voice', 'sms', 'status')",
    # One call or message is one voice/sms event, and one status event per callback.
    "event_sids": "SELECT count(*) FROM (SELECT DISTINCT kind, sid FROM events "
    "WHERE kind IN ('voice', 'sms', 'status')) AS d",
    "outbox": "SELECT count(*) FROM outbox",
    "delivered": "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL",
    "failed": "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL",
    # Given up by design: the agent (its URL and signing secret) was deleted first.
    "agent_gone": "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL "
    "AND last_error LIKE '%no longer exists%'",
    "pending": "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL",
}


class Database:
    """The service's database, and the counts the report needs (read as the platform)."""

    def __init__(self, config: SoakConfig, workdir: Path) -> None:
        self.kind = "SQLite" if config.sqlite else "PostgreSQL"
        self._drop: Any = None
        if config.sqlite:
            self.url = f"sqlite+aiosqlite:///{workdir / 'soak.db'}"
            return
        from bench import pgdb

        # Owned by the service's ordinary role: row-level security applies.
        self.url, name = pgdb.create_database(config.postgres_url, "callplane_soak")
        self._drop = functools.partial(pgdb.drop_database, config.postgres_url, name)

    async def counts(self) -> dict[str, int]:
        """What the report needs, read across tenants (platform scope)."""
        from sqlalchemy import text

        from callplane.db import rls
        from callplane.db.engine import create_engine

        engine = create_engine(self.url)
        try:
            async with engine.begin() as conn:
                await rls.apply(conn, rls.PLATFORM_SCOPE)
                return {
                    k: int((await conn.execute(text(q))).scalar_one()) for k, q in COUNTS.items()
                }
        finally:
            await engine.dispose()

    def drop(self) -> None:
        if self._drop is not None:
            self._drop()


# -- the load --------------------------------------------------------------------------------


@dataclass
class Tenant:
    id: str
    key: str
    agents: list[str] = field(default_factory=list)
    numbers: dict[str, str] = field(default_factory=dict)  # number id -> E.164

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


class Load:
    """The webhook and API traffic, and what it saw."""

    def __init__(self, config: SoakConfig, base: str, sandbox: str, app: TenantApp,
                 report: Report) -> None:
        self.config = config
        self.app = app
        self.report = report
        self.tenants: list[Tenant] = []
        self.calls: list[str] = []  # call SIDs waiting for their status callback
        self.rng = random.Random(7)
        self.api = httpx.AsyncClient(base_url=base, timeout=60)
        self.ctl = httpx.AsyncClient(base_url=sandbox, timeout=60)
        self.inflight = asyncio.Semaphore(48)
        self.tasks: set[asyncio.Task[None]] = set()

    async def close(self) -> None:
        await self.api.aclose()
        await self.ctl.aclose()

    # -- setup ---------------------------------------------------------------------------------

    async def setup(self) -> None:
        platform = {"Authorization": f"Bearer {self.config.platform_key}"}

        async def ok(method: str, path: str, headers: dict[str, str] = platform, **kw: Any) -> Any:
            r = await self.api.request(method, path, headers=headers, **kw)
            if r.status_code not in (200, 201):
                raise RuntimeError(f"setup {method} {path}: {r.status_code} {r.text[:300]}")
            return r.json()

        await ok("PUT", "/v1/plans/soak", json={"quota_phone_numbers": self.config.numbers_per_tenant + 2})
        for i in range(self.config.tenants):
            tid = (await ok("POST", "/v1/tenants", json={"slug": f"soak-{i}", "name": f"Soak {i}"}))["id"]
            await ok("PUT", f"/v1/tenants/{tid}/subscription", json={"plan": "soak", "status": "active"})
            key = (await ok("POST", f"/v1/tenants/{tid}/api-keys", json={"role": "admin"}))["key"]
            tenant = Tenant(tid, key)
            self.report.secrets.append(key)
            if i % 3 == 2:  # a tenant on its own Twilio account
                acct = (await self.ctl.post("/__sandbox/accounts", json={"friendly_name": f"own {i}"})).json()
                self.report.secrets.append(acct["auth_token"])
                await ok("PUT", f"/v1/tenants/{tid}/connection", tenant.headers,
                         json={"model": "byo", "account_sid": acct["sid"], "auth_token": acct["auth_token"]})
            for _ in range(2):
                await self._create_agent(tenant, strict=True)
            for _ in range(self.config.numbers_per_tenant):
                await self._buy(tenant, strict=True)
            self.tenants.append(tenant)

    async def faults(self, on: bool) -> None:
        await self.ctl.delete("/__sandbox/faults")
        if on and self.config.fault_rate > 0:
            half = self.config.fault_rate / 2
            # The second rule sees the calls the first let through: ~rate in all.
            for status, code, rate in ((500, 20500, half), (429, 20429, half / (1 - half))):
                r = await self.ctl.post("/__sandbox/faults", json={
                    "path": TWILIO_API, "rate": rate, "status": status, "code": code})
                r.raise_for_status()

    async def fault_count(self) -> int:
        r = await self.ctl.get("/__sandbox/faults")
        return sum(int(rule.get("fired", 0)) for rule in r.json().get("faults", []))

    # -- API operations ------------------------------------------------------------------------

    def _count(self, what: str, r: httpx.Response) -> None:
        code = ""
        if r.status_code >= 400:
            try:
                code = " " + str(r.json()["error"]["code"])
            except (ValueError, KeyError, TypeError):
                code = " (no error body)"
        if r.status_code == 500:
            self.report.server_errors += 1
        self.report.api[f"{what} -> {r.status_code}{code}"] += 1

    async def _call(self, what: str, method: str, path: str, tenant: Tenant, **kw: Any) -> httpx.Response:
        r = await self.api.request(method, path, headers={**tenant.headers, **kw.pop("headers", {})}, **kw)
        self._count(what, r)
        return r

    async def _create_agent(self, tenant: Tenant, strict: bool = False) -> None:
        body = {
            "name": f"agent {len(tenant.agents)}",
            "voice": {"mode": "stream", "stream_url": "wss://ai.example.com/stream"},
            "sms": {"mode": "reply", "reply": "Thanks, we will call you back."},
            "events_url": self.app.url,
        }
        r = await self._call("POST agents", "POST", f"/v1/tenants/{tenant.id}/agents", tenant, json=body)
        if r.status_code == 201:
            agent = r.json()
            self.app.secrets[agent["id"]] = agent["events_secret"]
            self.report.secrets.append(agent["events_secret"])
            tenant.agents.append(agent["id"])
        elif strict:
            raise RuntimeError(f"setup agent: {r.status_code} {r.text[:300]}")

    async def _buy(self, tenant: Tenant, strict: bool = False) -> None:
        r = await self._call(
            "GET available", "GET", f"/v1/tenants/{tenant.id}/phone-numbers/available", tenant,
            params={"country": "US", "type": "local", "limit": 5},
        )
        if r.status_code != 200 or not r.json()["data"]:
            if strict:
                raise RuntimeError(f"setup search: {r.status_code} {r.text[:300]}")
            return
        e164 = self.rng.choice(r.json()["data"])["phone_number"]
        agent = self.rng.choice(tenant.agents) if tenant.agents else None
        r = await self._call(
            "POST phone-numbers (buy)", "POST", f"/v1/tenants/{tenant.id}/phone-numbers", tenant,
            json={"phone_number": e164, "agent_id": agent}, headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        if r.status_code == 201:
            tenant.numbers[r.json()["id"]] = r.json()["phone_number"]
        elif strict:
            raise RuntimeError(f"setup buy: {r.status_code} {r.text[:300]}")

    async def api_op(self) -> None:
        tenant = self.rng.choice(self.tenants)
        tid = f"/v1/tenants/{tenant.id}"
        op = self.rng.choices(
            ["events", "numbers", "search", "buy", "attach", "release", "agent_new", "agent_edit",
             "agent_delete", "message"],
            weights=[14, 10, 10, 8, 14, 6, 5, 8, 4, 21],
        )[0]
        if op == "events":
            await self._call("GET events", "GET", f"{tid}/events", tenant, params={"limit": 50})
        elif op == "numbers":
            await self._call("GET phone-numbers", "GET", f"{tid}/phone-numbers", tenant)
        elif op == "search":
            await self._call("GET available", "GET", f"{tid}/phone-numbers/available", tenant,
                             params={"country": "US", "type": "local", "limit": 5})
        elif op == "buy" and len(tenant.numbers) < self.config.numbers_per_tenant + 1:
            await self._buy(tenant)
        elif op == "attach" and tenant.numbers and tenant.agents:
            nid = self.rng.choice(list(tenant.numbers))
            await self._call("PATCH phone-numbers (attach)", "PATCH", f"{tid}/phone-numbers/{nid}", tenant,
                             json={"agent_id": self.rng.choice(tenant.agents)})
        elif op == "release" and len(tenant.numbers) > 1:
            nid = self.rng.choice(list(tenant.numbers))
            e164 = tenant.numbers.pop(nid)  # no new webhooks aimed at it from now on
            r = await self._call("DELETE phone-numbers (release)", "DELETE", f"{tid}/phone-numbers/{nid}", tenant)
            if r.status_code != 200:
                tenant.numbers[nid] = e164  # still held (Twilio refused): try again later
        elif op == "agent_new" and len(tenant.agents) < 5:
            await self._create_agent(tenant)
        elif op == "agent_edit" and tenant.agents:
            aid = self.rng.choice(tenant.agents)
            await self._call("PATCH agents", "PATCH", f"{tid}/agents/{aid}", tenant, json={
                "voice": {"mode": "stream", "stream_url": f"wss://ai.example.com/{self.rng.randrange(1000)}"}})
        elif op == "agent_delete" and len(tenant.agents) > 2:
            aid = tenant.agents.pop(self.rng.randrange(len(tenant.agents)))
            await self._call("DELETE agents", "DELETE", f"{tid}/agents/{aid}", tenant)
        elif op == "message" and tenant.numbers:
            frm = self.rng.choice(list(tenant.numbers.values()))
            await self._call("POST messages", "POST", f"{tid}/messages", tenant, json={
                "from": frm, "to": f"+1415555{self.rng.randrange(10000):04d}", "body": "Your appointment is at 3pm."})

    # -- webhooks ------------------------------------------------------------------------------

    async def webhook(self) -> None:
        kind = self.rng.choices(["call", "sms", "status"], weights=[5, 4, 2])[0]
        if kind == "status" and self.calls:
            sid = self.calls.pop(self.rng.randrange(len(self.calls)))
            r = await self.ctl.post("/__sandbox/inbound/status", json={"call_sid": sid, "status": "completed"})
        else:
            kind = "sms" if kind == "status" else kind
            held = [n for t in self.tenants for n in t.numbers.values()]
            if not held:
                return
            e164 = self.rng.choice(held)
            body = {"from": f"+1212555{self.rng.randrange(10000):04d}", "to": e164}
            if kind == "sms":
                body["body"] = "Hi, can you call me back?"
            r = await self.ctl.post(f"/__sandbox/inbound/{kind}", json=body)
        if r.status_code == 404:  # released meanwhile: Twilio has no such number any more
            self.report.webhooks[f"{kind}: number no longer at Twilio (released meanwhile)"] += 1
            return
        answer = r.json()
        status = answer.get("status")
        if status is None:
            reason = answer.get("error_code") or "no webhook (no status callback URL)"
            self.report.webhooks[f"{kind}: not delivered ({reason})"] += 1
            return
        if status == 500:
            self.report.server_errors += 1
        self.report.webhooks[f"{kind}: answered {status}"] += 1
        if status >= 500:  # Twilio would retry (or use the fallback URL): a failure all the same
            self.report.webhook_failures += 1
        if status == 200:
            self.report.events_sent += 1
            if kind == "call" and answer.get("call_sid"):
                self.calls.append(answer["call_sid"])
                del self.calls[:-500]

    # -- pacing --------------------------------------------------------------------------------

    async def _guarded(self, fn: Any, label: str) -> None:
        async with self.inflight:
            try:
                await fn()
            except httpx.HTTPError as exc:
                # Counted with the answers of its own kind of traffic.
                counter = self.report.webhooks if label == "webhook" else self.report.api
                counter[f"{label}: transport error {type(exc).__name__}"] += 1

    async def paced(self, fn: Any, rate: float, until: float, label: str) -> None:
        if rate <= 0:
            return
        interval, due = 1.0 / rate, time.monotonic()
        while time.monotonic() < until:
            task = asyncio.create_task(self._guarded(fn, label))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            due += interval
            await asyncio.sleep(max(0.0, due - time.monotonic()))

    async def drain(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


# -- the run ---------------------------------------------------------------------------------


async def _run(config: SoakConfig, workdir: Path) -> Report:
    db = Database(config, workdir)
    report = Report(database=db.kind, seconds=config.minutes * 60, fault_rate=config.fault_rate)
    report.secrets += [config.platform_key, config.sandbox_token]
    sandbox_port, service_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    base = f"http://127.0.0.1:{service_port}"
    env = base_env()
    sandbox = Process(
        "sandbox",
        [sys.executable, "-m", "callplane.cli", "sandbox", "--port", str(sandbox_port)],
        {**env, "CALLPLANE_TWILIO_ACCOUNT_SID": config.sandbox_sid,
         "CALLPLANE_TWILIO_AUTH_TOKEN": config.sandbox_token, "CALLPLANE_LOG_LEVEL": "WARNING"},
        workdir / "sandbox.log",
    )
    service = Process(
        "service",
        [sys.executable, "-m", "callplane.cli", "serve", "--port", str(service_port)],
        {**env,
         "CALLPLANE_DATABASE_URL": db.url,
         "CALLPLANE_PUBLIC_BASE_URL": base,
         "CALLPLANE_ENCRYPTION_KEYS": config.encryption_keys,
         "CALLPLANE_TWILIO_ACCOUNT_SID": config.sandbox_sid,
         "CALLPLANE_TWILIO_AUTH_TOKEN": config.sandbox_token,
         "CALLPLANE_TWILIO_BASE_URL": sandbox_url,
         "CALLPLANE_BOOTSTRAP_PLATFORM_KEY": config.platform_key,
         "CALLPLANE_LOG_LEVEL": config.log_level},
        workdir / "service.log",
    )
    report.logs = [sandbox.log, service.log]
    app = TenantApp()
    app.start()
    load: Load | None = None
    try:
        await _wait_ready(f"{sandbox_url}/__sandbox/state", sandbox)
        await _wait_ready(f"{base}/readyz", service)
        load = Load(config, base, sandbox_url, app, report)
        await load.setup()
        report.api.clear()  # setup is not the soak
        report.server_errors = 0
        await load.faults(on=True)
        report.rss_start = rss_mb(service.pid)[0]
        started = time.monotonic()
        until = started + config.minutes * 60
        warm_at = started + config.warmup_seconds

        async def sample() -> None:
            while time.monotonic() < until:
                await asyncio.sleep(min(5.0, max(0.1, until - time.monotonic())))
                now, rss = time.monotonic(), rss_mb(service.pid)[0]
                report.rss_samples.append((round(now - started, 1), rss))
                if not report.rss_warm and now >= warm_at:
                    report.rss_warm = rss

        await asyncio.gather(
            load.paced(load.webhook, config.webhook_rate, until, "webhook"),
            load.paced(load.api_op, config.api_rate, until, "api"),
            sample(),
        )
        await load.drain()
        report.seconds = time.monotonic() - started
        report.rss_end, report.rss_peak = rss_mb(service.pid)
        if not report.rss_warm:
            report.rss_warm = report.rss_samples[0][1] if report.rss_samples else report.rss_end
        report.twilio_faults = await load.fault_count()
        await load.faults(on=False)
        # Let the outbox finish (the tenant app is up: nothing should stay pending).
        deadline = time.monotonic() + 120
        counts = await db.counts()
        while counts["pending"] and time.monotonic() < deadline:
            await asyncio.sleep(1)
            counts = await db.counts()
        report.events_recorded = counts["events"]
        report.events_duplicated = counts["events"] - counts["event_sids"]
        report.outbox_rows, report.outbox_delivered = counts["outbox"], counts["delivered"]
        report.outbox_pending, report.outbox_failed = counts["pending"], counts["failed"]
        report.outbox_agent_deleted = counts["agent_gone"]
        report.app_received, report.app_bad_signatures = len(app.received), app.bad_signatures
    finally:
        if load is not None:
            await load.close()
        service.stop()
        sandbox.stop()
        app.stop()
        db.drop()
    log = service.log.read_text(errors="replace")
    report.unhandled_logged = log.count("unhandled error") + log.count("Traceback")
    report.not_recorded_logged = log.count("event could not be recorded") + log.count(
        "event not recorded"
    )
    return report


def run(config: SoakConfig) -> Report:
    """Run a soak (blocking) and answer its report; logs stay in `config.workdir`."""
    workdir = config.workdir or Path(tempfile.mkdtemp(prefix="callplane-soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    return asyncio.run(_run(config, workdir))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--postgres-url", default=os.environ.get("CALLPLANE_BENCH_POSTGRES_URL", DEFAULT_PG),
                        help="a server to make the soak's database on (as a superuser)")
    parser.add_argument("--tenants", type=int, default=6)
    parser.add_argument("--webhook-rate", type=float, default=40.0, help="webhooks per second")
    parser.add_argument("--api-rate", type=float, default=12.0, help="API requests per second")
    parser.add_argument("--fault-rate", type=float, default=0.10, help="share of Twilio calls failed")
    parser.add_argument("--warmup", type=float, default=None, help="seconds (default 10%%, max 60)")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--workdir", type=Path, default=None, help="keep logs here")
    parser.add_argument("--json", type=Path, help="also write the report's figures here")
    args = parser.parse_args(argv)
    config = SoakConfig(
        minutes=args.minutes, sqlite=args.sqlite, postgres_url=args.postgres_url,
        tenants=args.tenants, webhook_rate=args.webhook_rate, api_rate=args.api_rate,
        fault_rate=args.fault_rate, warmup=args.warmup, log_level=args.log_level,
        workdir=args.workdir,
    )
    report = run(config)
    print(report.text())
    print(f"logs: {', '.join(str(p) for p in report.logs)}")
    if args.json:
        figures = {k: v for k, v in report.__dict__.items() if k not in ("secrets", "logs")}
        figures.update(
            lost_events=report.lost_events, lost_deliveries=report.lost_deliveries,
            memory_growth=report.memory_growth, ok=report.ok,
        )
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    if args.workdir is None and report.ok:
        shutil.rmtree(report.logs[0].parent, ignore_errors=True)
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
