"""Inbound gateway benchmark: `python -m bench.gateway` (or `make bench`).

For PostgreSQL and SQLite it:

1. makes two databases, migrated and seeded with 1,000 and with 200,000 active numbers (tenants of
   100 numbers each, one in five on its own "byo" account with an encrypted token, the others on
   the platform account; one stream agent per tenant);
2. for each database starts the service as a subprocess (uvicorn, one process, uvloop/httptools,
   the same `create_app` as production plus one bench-only route, `POST /__bench/bare`, which
   reads the body and answers constant TwiML, placed next to the webhooks in the route table);
3. drives, with a load generator on the same machine (`wrk` when installed, else a built-in
   asyncio client), signed voice webhooks for a fixed time, each with its own idempotency token
   (so every request records a new event), aimed at a sample of the seeded numbers, and the bare
   endpoint with the same bodies and connections;
4. measures p50/p99 at a fixed 200 requests per second (an open-loop generator: latency counts
   from the moment a request was due, so a stall cannot hide), and the service's resident memory.

It prints requests per second and p50/p99 for both endpoints and their ratio, the webhook's
throughput at 200,000 numbers over that at 1,000, p99 at 200 rps and the peak RSS; each repeated
`--runs` times (medians; ratios are taken within one run). The machine is shared: expect noise.

    python -m bench.gateway --runs 3 --duration 10
    python -m bench.gateway --dbs sqlite --runs 1 --duration 5 --small 1000 --large 20000
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import hashlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.fixtures.processes import free_port, rss_mb

PUBLIC_BASE = "https://bench.callplane.test"
PLATFORM_SID = "AC" + "b" * 32
PLATFORM_TOKEN = hashlib.sha256(b"bench-platform").hexdigest()[:32]
ENCRYPTION_KEYS = "bench:" + base64.b64encode(hashlib.sha256(b"bench-key").digest()).decode()
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
VOICE_PATH = "/webhooks/twilio/voice"
BARE_PATH = "/__bench/bare"
CACHE_PATH = "/__bench/route-cache"
NUMBERS_PER_TENANT = 100
AREA_CODES = (415, 212, 646, 312, 617, 206, 303, 512, 305, 404)
SAMPLE = 2000  # distinct numbers the load is spread over
BARE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://ai.example.com/s">'
    '<Parameter name="tenant_id" value="00000000-0000-0000-0000-000000000000" /></Stream>'
    "</Connect></Response>"
)

WRK_SCRIPT = r"""
local counter = 1
local threads = {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
local reqs = {}
local idx = 0
function init(args)
  wpath = args[1]
  nonce = args[3]
  for line in io.lines(args[2]) do
    local sig, body = line:match("^([^\t]*)\t(.*)$")
    table.insert(reqs, {sig, body})
  end
end
function request()
  idx = idx + 1
  local r = reqs[(idx % #reqs) + 1]
  return wrk.format("POST", wpath, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = r[1],
    ["I-Twilio-Idempotency-Token"] = nonce .. "-" .. id .. "-" .. idx,
  }, r[2])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"socket_errors":%d,"status_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


# -- data -------------------------------------------------------------------------------------


def e164_of(i: int) -> str:
    """The i-th seeded number: valid NANP numbers spread over ten area codes."""
    area = AREA_CODES[i % len(AREA_CODES)]
    rest = i // len(AREA_CODES)
    exchange = 200 + (rest // 10_000) % 800
    return f"+1{area}{exchange:03d}{rest % 10_000:04d}"


def tenant_account(j: int) -> tuple[str, str, str]:
    """(model, account SID, auth token) of the j-th tenant: every fifth is byo."""
    if j % 5 == 4:
        digest = hashlib.sha256(f"byo-{j}".encode()).hexdigest()
        return "byo", "AC" + digest[:32], digest[32:64]
    return "master", PLATFORM_SID, PLATFORM_TOKEN


def settings_env(database_url: str, jobs: bool = False) -> dict[str, str]:
    """The service's environment (the job engine runs in `callplane worker` unless `jobs`)."""
    return {
        "CALLPLANE_DATABASE_URL": database_url,
        "CALLPLANE_PUBLIC_BASE_URL": PUBLIC_BASE,
        "CALLPLANE_TWILIO_ACCOUNT_SID": PLATFORM_SID,
        "CALLPLANE_TWILIO_AUTH_TOKEN": PLATFORM_TOKEN,
        "CALLPLANE_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
        "CALLPLANE_LOG_LEVEL": "WARNING",
        "CALLPLANE_JOBS_ENABLED": "true" if jobs else "false",
    }


async def seed(database_url: str, count: int) -> None:
    """Tenants, subscriptions, connections, agents and `count` active numbers (bulk inserts:
    this is load for a benchmark, not state a test relies on)."""
    from sqlalchemy import insert, text

    from callplane.agents.models import Agent
    from callplane.agents.service import SECRET_FIELD
    from callplane.connections.models import Connection
    from callplane.db import models, rls  # noqa: F401
    from callplane.db.base import utcnow
    from callplane.numbers.models import PhoneNumber
    from callplane.runtime import Runtime
    from callplane.settings import Settings
    from callplane.tenants.models import Plan, Subscription, Tenant

    rt = Runtime.create(
        Settings(
            **{
                k.removeprefix("CALLPLANE_").lower(): v
                for k, v in settings_env(database_url).items()
            }
        )
    )
    now = utcnow()
    tenants = (count + NUMBERS_PER_TENANT - 1) // NUMBERS_PER_TENANT
    try:
        async with rt.engine.begin() as conn:
            await rls.apply(conn, rls.PLATFORM_SCOPE)  # row-level security: every tenant
            await conn.execute(
                insert(Plan.__table__),
                [
                    {
                        "name": "bench",
                        "quota_phone_numbers": 1000,
                        "created_at": now,
                        "updated_at": now,
                    }
                ],
            )
            for start in range(0, tenants, 1000):
                rows_t, rows_s, rows_c, rows_a = [], [], [], []
                for j in range(start, min(tenants, start + 1000)):
                    tid = uuid.uuid5(uuid.NAMESPACE_URL, f"bench-tenant-{j}")
                    model, sid, token = tenant_account(j)
                    rows_t.append(
                        {
                            "id": tid,
                            "slug": f"bench-{j}",
                            "name": f"Bench {j}",
                            "status": "active",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    rows_s.append(
                        {
                            "id": uuid.uuid4(),
                            "tenant_id": tid,
                            "plan_name": "bench",
                            "status": "active",
                            "cancel_at_period_end": False,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    rows_c.append(
                        {
                            "id": uuid.uuid4(),
                            "tenant_id": tid,
                            "model": model,
                            "account_sid": sid,
                            "auth_token": rt.secrets.seal(
                                token, tenant_id=tid, field="connections.auth_token"
                            )
                            if model == "byo"
                            else None,
                            "status": "active",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    rows_a.append(
                        {
                            "id": uuid.uuid5(uuid.NAMESPACE_URL, f"bench-agent-{j}"),
                            "tenant_id": tid,
                            "name": "Receptionist",
                            "voice_mode": "stream",
                            "stream_url": "wss://ai.example.com/stream?voice=alloy",
                            "stream_parameters": {"lang": "en", "plan": "pro"},
                            "record": False,
                            "sms_mode": "none",
                            "events_secret": rt.secrets.seal(
                                "whsec_bench", tenant_id=tid, field=SECRET_FIELD
                            ),
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                await conn.execute(insert(Tenant.__table__), rows_t)
                await conn.execute(insert(Subscription.__table__), rows_s)
                await conn.execute(insert(Connection.__table__), rows_c)
                await conn.execute(insert(Agent.__table__), rows_a)
            for start in range(0, count, 5000):
                rows = []
                for i in range(start, min(count, start + 5000)):
                    j = i // NUMBERS_PER_TENANT
                    _, sid, _ = tenant_account(j)
                    rows.append(
                        {
                            "id": uuid.uuid4(),
                            "tenant_id": uuid.uuid5(uuid.NAMESPACE_URL, f"bench-tenant-{j}"),
                            "account_sid": sid,
                            "e164": e164_of(i),
                            "twilio_sid": "PN" + uuid.uuid4().hex,
                            "country": "US",
                            "type": "local",
                            "capabilities": {"voice": True, "sms": True},
                            "status": "active",
                            "agent_id": uuid.uuid5(uuid.NAMESPACE_URL, f"bench-agent-{j}"),
                            "managed": True,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                await conn.execute(insert(PhoneNumber.__table__), rows)
        async with rt.engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    finally:
        await rt.close()


def request_lines(count: int, rng: random.Random) -> list[str]:
    """`signature<TAB>form body` for voice webhooks to SAMPLE numbers among the first `count`."""
    from twilio.request_validator import RequestValidator

    lines = []
    validators: dict[str, RequestValidator] = {}
    for i in rng.sample(range(count), min(SAMPLE, count)):
        _, sid, token = tenant_account(i // NUMBERS_PER_TENANT)
        to = e164_of(i)
        params = {
            "AccountSid": sid,
            "ApiVersion": "2010-04-01",
            "CallSid": "CA" + uuid.uuid4().hex,
            "CallStatus": "ringing",
            "Called": to,
            "CalledCity": "SAN FRANCISCO",
            "CalledCountry": "US",
            "CalledState": "CA",
            "CalledZip": "94105",
            "Caller": "+12125550199",
            "CallerCity": "NEW YORK",
            "CallerCountry": "US",
            "CallerState": "NY",
            "CallerZip": "10001",
            "Direction": "inbound",
            "From": "+12125550199",
            "FromCity": "NEW YORK",
            "FromCountry": "US",
            "FromState": "NY",
            "FromZip": "10001",
            "To": to,
            "ToCity": "SAN FRANCISCO",
            "ToCountry": "US",
            "ToState": "CA",
            "ToZip": "94105",
        }
        validator = validators.setdefault(token, RequestValidator(token))
        signature = validator.compute_signature(PUBLIC_BASE + VOICE_PATH, params)
        lines.append(f"{signature}\t{urlencode(params)}")
    return lines


# -- databases --------------------------------------------------------------------------------


@dataclass
class Database:
    kind: str
    numbers: int
    url: str
    cleanup: Any = None


def make_database(kind: str, numbers: int, workdir: Path, pg_admin: str) -> Database:
    from callplane.db.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir}/bench-{numbers}.db"
        cleanup = None
    else:
        from tests.fixtures import pgdb

        url, name = pgdb.create_database(pg_admin, f"callplane_bench_{numbers}")
        cleanup = functools.partial(pgdb.drop_database, pg_admin, name)

    upgrade(url)
    started = time.monotonic()
    asyncio.run(seed(url, numbers))
    print(
        f"  seeded {kind} with {numbers:,} numbers in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    return Database(kind, numbers, url, cleanup)


# -- the service ------------------------------------------------------------------------------


def serve(database_url: str, port: int, jobs: bool = False) -> None:
    """The service under test (run as a subprocess): production app + the bare route."""
    import uvicorn
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from callplane.app import create_app
    from callplane.log import configure_logging
    from callplane.settings import Settings

    env = settings_env(database_url, jobs)
    settings = Settings(**{k.removeprefix("CALLPLANE_").lower(): v for k, v in env.items()})
    configure_logging("WARNING")
    app = create_app(settings)

    async def bare(request: Request) -> Response:
        await request.body()
        return Response(BARE_TWIML, media_type="application/xml")

    async def route_cache(request: Request) -> Response:
        # Bench-only: size -1 restores the default, 0 turns the SQLite route cache off. Off, the
        # cache is bypassed but kept: what it holds is still checked against the database's
        # version when it is back on, so the next cached slice finds it as a running service has
        # it (emptying it made every such slice re-read each sampled number).
        from callplane.gateway import lookup

        size = int(request.query_params["size"])
        request.app.state.gateway.lookup._cache_size = lookup.ROUTE_CACHE_SIZE if size < 0 else size
        return Response("ok")

    # The bare route goes where the webhooks are, first in the route table (just before the
    # voice webhook), so that both pay the same routing: FastAPI matches the routes of included
    # routers one by one, and a route at the end of the table costs ~100 µs more to reach.
    paths = [getattr(r, "path", "") for r in app.router.routes]
    app.router.routes.insert(paths.index(VOICE_PATH), Route(BARE_PATH, bare, methods=["POST"]))
    app.router.routes.append(Route(CACHE_PATH, route_cache, methods=["POST"]))
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        log_config=None,
        lifespan="on",
    )


@contextmanager
def service(database_url: str, jobs: bool = False) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        **settings_env(database_url, jobs),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    cmd = [
        sys.executable,
        "-m",
        "bench.gateway",
        "serve",
        "--database-url",
        database_url,
        "--port",
        str(port),
    ] + (["--jobs"] if jobs else [])
    proc = subprocess.Popen(cmd, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- load -------------------------------------------------------------------------------------


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def run_wrk(url: str, path: str, lines_file: Path, duration: float, connections: int) -> Load:
    script = lines_file.with_suffix(".lua")
    script.write_text(WRK_SCRIPT)
    nonce = uuid.uuid4().hex[:12]
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        url + path,
        "--",
        path,
        str(lines_file),
        nonce,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    line = next((l for l in done.stdout.splitlines() if l.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    data = json.loads(line.split(" ", 1)[1])
    seconds = data["duration_us"] / 1e6
    return Load(
        rps=data["requests"] / seconds,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        errors=data["socket_errors"] + data["status_errors"],
    )


class _Conn:
    """One keep-alive HTTP/1.1 connection (a load generator needs nothing more)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def post(self, host: str, path: str, headers: dict[str, str], body: bytes) -> int:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length:
            await self.reader.readexactly(length)
        return status


async def _python_load(
    url: str, path: str, lines: list[str], duration: float, connections: int, rate: float | None
) -> Load:
    """Closed loop over `connections` keep-alive connections, or open loop at `rate` per second
    (latency counted from when each request was due, so a stall in the server cannot hide)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    nonce = uuid.uuid4().hex[:12]
    pool: asyncio.Queue[_Conn] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(_Conn(*await asyncio.open_connection(host, port)))
    latencies: list[float] = []
    errors = 0
    counter = 0

    async def one(due: float) -> None:
        nonlocal errors, counter
        counter += 1
        sig, body = lines[counter % len(lines)].split("\t", 1)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sig,
            "I-Twilio-Idempotency-Token": f"{nonce}-{counter}",
        }
        conn = await pool.get()
        try:
            if await conn.post(host, path, headers, body.encode()) != 200:
                errors += 1
            pool.put_nowait(conn)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            errors += 1
            conn.writer.close()
            pool.put_nowait(_Conn(*await asyncio.open_connection(host, port)))
        latencies.append(time.perf_counter() - due)

    started = time.perf_counter()
    end = started + duration
    if rate is None:

        async def worker() -> None:
            while time.perf_counter() < end:
                await one(time.perf_counter())

        await asyncio.gather(*(worker() for _ in range(connections)))
    else:
        tasks = []
        n = 0
        while True:
            due = started + n / rate
            if due >= end:
                break
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due)))
            n += 1
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    while not pool.empty():
        pool.get_nowait().writer.close()
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0
        )

    return Load(len(latencies) / elapsed, pct(0.50), pct(0.99), len(latencies), errors)


def _run_load(*args: Any) -> Load:
    try:
        import uvloop

        return uvloop.run(_python_load(*args))
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.run(_python_load(*args))


def drive(
    url: str,
    path: str,
    lines: list[str],
    lines_file: Path,
    duration: float,
    connections: int,
    use_wrk: bool,
) -> Load:
    if use_wrk:
        return run_wrk(url, path, lines_file, duration, connections)
    return _run_load(url, path, lines, duration, connections, None)


# -- the run ----------------------------------------------------------------------------------


@dataclass
class RunResult:
    db: str
    run: int
    # "<numbers>" -> Load, per endpoint: bare, webhook, and (SQLite) webhook without route cache
    bare: dict[str, Load] = field(default_factory=dict)
    webhook: dict[str, Load] = field(default_factory=dict)
    uncached: dict[str, Load] = field(default_factory=dict)
    fixed_200: Load | None = None
    fixed_200_uncached: Load | None = None
    rss_mb: float = 0.0
    peak_rss_mb: float = 0.0

    def ratios(self, small: int, large: int) -> dict[str, float]:
        out = {}
        for size in (small, large):
            key = str(size)
            out[f"webhook/bare@{size}"] = self.webhook[key].rps / self.bare[key].rps
            if key in self.uncached:
                out[f"uncached/bare@{size}"] = self.uncached[key].rps / self.bare[key].rps
        out[f"{large}/{small}"] = self.webhook[str(large)].rps / self.webhook[str(small)].rps
        if self.uncached:
            out[f"uncached {large}/{small}"] = (
                self.uncached[str(large)].rps / self.uncached[str(small)].rps
            )
        return out


def _combine(slices: list[Load]) -> Load:
    """One figure from interleaved slices: total throughput, median of the slices' latencies."""
    requests = sum(s.requests for s in slices)
    seconds = sum(s.requests / s.rps for s in slices if s.rps)
    return Load(
        rps=requests / seconds if seconds else 0.0,
        p50_ms=_median([s.p50_ms for s in slices]),
        p99_ms=_median([s.p99_ms for s in slices]),
        requests=requests,
        errors=sum(s.errors for s in slices),
    )


def _route_cache(url: str, size: int) -> None:
    import httpx

    httpx.post(f"{url}{CACHE_PATH}", params={"size": size}, timeout=10).raise_for_status()


def one_run(
    db_small: Database,
    db_large: Database,
    run: int,
    args: argparse.Namespace,
    workdir: Path,
    use_wrk: bool,
) -> RunResult:
    """Bare and webhook (and, on SQLite, webhook without its route cache) measured in
    interleaved slices, so that the machine's noise hits them alike."""
    result = RunResult(db=db_small.kind, run=run)
    rng = random.Random(run)
    sqlite = db_small.kind == "sqlite"
    for db in (db_small, db_large):
        lines = request_lines(db.numbers, rng)
        lines_file = workdir / f"requests-{db.kind}-{db.numbers}.txt"
        lines_file.write_text("\n".join(lines) + "\n")
        key = str(db.numbers)
        with service(db.url, args.jobs) as (url, pid):
            drive(url, VOICE_PATH, lines, lines_file, 2, args.connections, use_wrk)  # warm up
            drive(url, BARE_PATH, lines, lines_file, 1, args.connections, use_wrk)
            slice_s = max(1.0, args.duration / args.slices)
            slices: dict[str, list[Load]] = {"bare": [], "webhook": [], "uncached": []}
            for _ in range(args.slices):
                slices["bare"].append(
                    drive(url, BARE_PATH, lines, lines_file, slice_s, args.connections, use_wrk)
                )
                slices["webhook"].append(
                    drive(url, VOICE_PATH, lines, lines_file, slice_s, args.connections, use_wrk)
                )
                if sqlite:
                    _route_cache(url, 0)
                    slices["uncached"].append(
                        drive(
                            url, VOICE_PATH, lines, lines_file, slice_s, args.connections, use_wrk
                        )
                    )
                    _route_cache(url, -1)
            result.bare[key] = _combine(slices["bare"])
            result.webhook[key] = _combine(slices["webhook"])
            if sqlite:
                result.uncached[key] = _combine(slices["uncached"])
            if db is db_large:
                result.fixed_200 = _run_load(url, VOICE_PATH, lines, args.fixed_duration, 32, 200.0)
                if sqlite:
                    _route_cache(url, 0)
                    result.fixed_200_uncached = _run_load(
                        url, VOICE_PATH, lines, args.fixed_duration, 32, 200.0
                    )
                    _route_cache(url, -1)
            rss, peak = rss_mb(pid)
            result.rss_mb = max(result.rss_mb, rss)
            result.peak_rss_mb = max(result.peak_rss_mb, peak)
        for name, table in (
            ("bare", result.bare),
            ("webhook", result.webhook),
            ("uncached", result.uncached),
        ):
            if key in table and table[key].errors:
                raise RuntimeError(f"{name} on {db.kind}/{db.numbers}: {table[key].errors} errors")
    for fixed in (result.fixed_200, result.fixed_200_uncached):
        if fixed and fixed.errors:
            raise RuntimeError(f"fixed-rate run on {db_small.kind}: {fixed.errors} errors")
    return result


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _runs(values: list[float], fmt: str = "{:.2f}") -> str:
    return ", ".join(fmt.format(v) for v in values)


def report(results: list[RunResult], small: int, large: int) -> str:
    out = []
    for db in sorted({r.db for r in results}, key=lambda d: d != "postgres"):
        runs = [r for r in results if r.db == db]
        out.append(f"\n== {db} ({len(runs)} run{'s' if len(runs) > 1 else ''}; medians) ==")
        names = [("bare", "bare"), ("webhook", "webhook")]
        if any(r.uncached for r in runs):
            names.append(("uncached", "webhook, no route cache"))
        for size in (small, large):
            key = str(size)
            for attr, label in names:
                loads = [getattr(r, attr)[key] for r in runs]
                line = (
                    f"  {size:>7,} numbers  {label:<24} {_median([x.rps for x in loads]):7.0f} rps"
                    f"  p50 {_median([x.p50_ms for x in loads]):6.2f} ms"
                    f"  p99 {_median([x.p99_ms for x in loads]):6.2f} ms"
                )
                if attr != "bare":
                    ratio = [getattr(r, attr)[key].rps / r.bare[key].rps for r in runs]
                    line += f"  /bare {_median(ratio):.2f} (runs: {_runs(ratio)})"
                out.append(line)
        for attr, label in names[1:]:
            scale = [
                getattr(r, attr)[str(large)].rps / getattr(r, attr)[str(small)].rps for r in runs
            ]
            out.append(
                f"  {label}: {large:,}/{small:,} numbers {_median(scale):.2f} (runs: {_runs(scale)})"
            )
        for attr, label in (
            ("fixed_200", "webhook"),
            ("fixed_200_uncached", "webhook, no route cache"),
        ):
            fixed = [getattr(r, attr) for r in runs if getattr(r, attr)]
            if fixed:
                out.append(
                    f"  {label} at a fixed 200 rps ({large:,} numbers): achieved "
                    f"{_median([f.rps for f in fixed]):.0f} rps, p50 {_median([f.p50_ms for f in fixed]):.2f} ms, "
                    f"p99 {_median([f.p99_ms for f in fixed]):.2f} ms (runs: {_runs([f.p99_ms for f in fixed])})"
                )
        out.append(
            f"  service RSS: {_median([r.rss_mb for r in runs]):.0f} MB at the end (median), "
            f"peak {max(r.peak_rss_mb for r in runs):.0f} MB"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.gateway",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command")
    srv = sub.add_parser("serve", help="(internal) the service under test")
    srv.add_argument("--database-url", required=True)
    srv.add_argument("--port", type=int, required=True)
    srv.add_argument("--jobs", action="store_true")
    parser.add_argument("--dbs", default="postgres,sqlite", help="postgres,sqlite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--duration",
        type=float,
        default=10.0,
        help="seconds of load per endpoint and database size, in --slices slices",
    )
    parser.add_argument(
        "--slices", type=int, default=5, help="interleave bare and webhook in this many slices"
    )
    parser.add_argument("--fixed-duration", type=float, default=15.0, help="seconds at 200 rps")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--load", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--jobs",
        action="store_true",
        help="also run the job engine in the service (default: `callplane worker` runs it)",
    )
    parser.add_argument("--json", type=Path, help="also write every run's figures to this file")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("CALLPLANE_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.database_url, args.port, args.jobs)
        return

    use_wrk = args.load == "wrk" or (args.load == "auto" and shutil.which("wrk") is not None)
    print(
        f"load generator: {'wrk (1 thread)' if use_wrk else 'python asyncio/httpx'}, "
        f"{args.connections} connections; {os.cpu_count()} CPUs",
        flush=True,
    )
    results: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="callplane-bench-") as tmp:
        workdir = Path(tmp)
        for kind in [d.strip() for d in args.dbs.split(",") if d.strip()]:
            print(f"{kind}: preparing databases", flush=True)
            small = make_database(kind, args.small, workdir, args.postgres_url)
            large = make_database(kind, args.large, workdir, args.postgres_url)
            try:
                for run in range(1, args.runs + 1):
                    result = one_run(small, large, run, args, workdir, use_wrk)
                    results.append(result)
                    r = result.ratios(args.small, args.large)
                    print(
                        f"  run {run}: "
                        + ", ".join(f"{k} {v:.2f}" for k, v in r.items())
                        + f"; webhook {result.webhook[str(args.small)].rps:.0f}/"
                        + f"{result.webhook[str(args.large)].rps:.0f} rps"
                        + f"; p99@200rps {result.fixed_200.p99_ms if result.fixed_200 else 0:.2f} ms",
                        flush=True,
                    )
            finally:
                for db in (small, large):
                    if db.cleanup:
                        db.cleanup()
    print(report(results, args.small, args.large))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
