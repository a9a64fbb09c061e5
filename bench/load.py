"""Load generators: wrk (closed loop, Lua scripts in bench/lua) and an open-loop generator at a
fixed rate, with API calls alongside.

wrk runs one thread with N keep-alive connections; webhooks come from a file of signed requests
(`bench.seeding.write_lines`), one number after another, continuing where the previous run of
the same target stopped (`Target.offset`), each with its own idempotency token. The open-loop
generator counts latency from when a request was due, so a stall cannot hide behind a slow
sender (coordinated omission).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import cpu_seconds

LUA = Path(__file__).resolve().parent / "lua"


@dataclass
class Sample:
    """One measurement of one endpoint."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    cpu_us: float = 0.0  # the server's CPU time per request (all its processes)


@dataclass
class Target:
    """An endpoint to load: GET `path` (with an API key) or signed webhooks from `lines`."""

    name: str
    url: str
    path: str
    pid: int
    lines: Path | None = None
    authorization: str | None = None
    offset: int = 0  # the next webhook line to send


def run_wrk(target: Target, duration: float, connections: int) -> Sample:
    """Closed-loop load on one target for `duration` seconds (whole seconds, at least one)."""
    seconds = max(1, round(duration))
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    env = dict(os.environ)
    if target.lines is not None:
        cmd += [
            "-s",
            str(LUA / "webhooks.lua"),
            target.url + target.path,
            "--",
            target.path,
            str(target.lines),
            uuid.uuid4().hex[:12],
            str(target.offset),
        ]
    else:
        cmd += ["-s", str(LUA / "get.lua"), target.url + target.path]
        env["BENCH_AUTHORIZATION"] = target.authorization or ""
    cpu_before = cpu_seconds(target.pid)
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=seconds + 120, check=False, env=env
    )
    cpu = cpu_seconds(target.pid) - cpu_before
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed on {target.name}: {done.stdout}\n{done.stderr}")
    data = json.loads(line.split(" ", 1)[1])
    target.offset += int(data["issued"])
    requests = int(data["requests"])
    return Sample(
        rps=requests / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=requests,
        errors=int(data["socket_errors"]) + int(data["status_errors"]),
        cpu_us=cpu / requests * 1e6 if requests else 0.0,
    )


# -- the open-loop generator ----------------------------------------------------------------------


class _Conn:
    """One keep-alive HTTP/1.1 connection (a load generator needs nothing more)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def request(
        self, method: str, host: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> int:
        head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.writer.write(head.encode() + body)
        status = int((await self.reader.readline()).split()[1])
        length, chunked = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            while size := int((await self.reader.readline()).strip() or b"0", 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readline()
        elif length:
            await self.reader.readexactly(length)
        return status


@dataclass
class ApiCall:
    """A request the API load makes (with the tenant's key)."""

    method: str
    path: str
    json_body: dict[str, object] | None = None


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    if not latencies:
        return 0.0, 0.0
    ordered = sorted(latencies)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return at(0.50), at(0.99)


class _Pool:
    def __init__(self, url: str, size: int) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.size = size
        self.free: asyncio.Queue[_Conn] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            self.free.put_nowait(_Conn(*await asyncio.open_connection(self.host, self.port)))

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        conn = await self.free.get()
        try:
            status = await conn.request(method, self.host, path, headers, body)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            conn.writer.close()
            conn = _Conn(*await asyncio.open_connection(self.host, self.port))
            status = 0
        self.free.put_nowait(conn)
        return status

    def close(self) -> None:
        while not self.free.empty():
            self.free.get_nowait().writer.close()


async def _paced(
    rate: float, duration: float, fire: Callable[[int, float], Coroutine[Any, Any, None]]
) -> list[asyncio.Task[None]]:
    """Start `fire(n, due)` at `rate` per second for `duration` seconds, never waiting for one."""
    tasks: list[asyncio.Task[None]] = []
    if rate <= 0:
        return tasks
    started = time.perf_counter()
    n = 0
    while (due := started + n / rate) < started + duration:
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fire(n, due)))
        n += 1
    return tasks


async def _fixed_rate(
    target: Target,
    lines: list[str],
    rate: float,
    duration: float,
    api: list[ApiCall],
    api_rate: float,
    authorization: str,
    connections: int,
) -> tuple[Sample, Sample]:
    hooks, calls = _Pool(target.url, connections), _Pool(target.url, 4)
    await hooks.open()
    await calls.open()
    nonce = uuid.uuid4().hex[:12]
    first = target.offset
    hook_lat: list[float] = []
    api_lat: list[float] = []
    errors = {"hooks": 0, "api": 0}

    async def webhook(n: int, due: float) -> None:
        sig, body = lines[(first + n) % len(lines)].split("\t", 1)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sig,
            "I-Twilio-Idempotency-Token": f"{nonce}-{n}",
        }
        if await hooks.request("POST", target.path, headers, body.encode()) != 200:
            errors["hooks"] += 1
        hook_lat.append(time.perf_counter() - due)

    async def api_call(n: int, due: float) -> None:
        call = api[n % len(api)]
        headers = {"Authorization": authorization}
        body = b""
        if call.json_body is not None:
            body = json.dumps(call.json_body).encode()
            headers["Content-Type"] = "application/json"
        if not 200 <= await calls.request(call.method, call.path, headers, body) < 300:
            errors["api"] += 1
        api_lat.append(time.perf_counter() - due)

    cpu_before = cpu_seconds(target.pid)
    started = time.perf_counter()
    hook_tasks, api_tasks = await asyncio.gather(
        _paced(rate, duration, webhook), _paced(api_rate if api else 0, duration, api_call)
    )
    await asyncio.gather(*hook_tasks, *api_tasks)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(target.pid) - cpu_before
    hooks.close()
    calls.close()
    target.offset += len(hook_tasks)
    total = len(hook_lat) + len(api_lat)
    cpu_us = cpu / total * 1e6 if total else 0.0
    samples = []
    for lat, err in ((hook_lat, errors["hooks"]), (api_lat, errors["api"])):
        p50, p99 = _percentiles(lat)
        samples.append(Sample(len(lat) / elapsed, p50, p99, len(lat), err, cpu_us))
    return samples[0], samples[1]


def fixed_rate(
    target: Target,
    lines: list[str],
    rate: float,
    duration: float,
    api: list[ApiCall],
    api_rate: float,
    authorization: str,
    connections: int = 32,
) -> tuple[Sample, Sample]:
    """Webhooks at `rate` per second and API calls at `api_rate` alongside (with the key in
    `authorization`), open loop: (webhooks, API calls), latencies from when each was due."""
    import uvloop

    return uvloop.run(
        _fixed_rate(target, lines, rate, duration, api, api_rate, authorization, connections)
    )
