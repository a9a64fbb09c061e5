"""`callplane serve --workers 2` on SQLite: two processes answer one port, and the gateway's
batching stays correct across them: webhooks sent twice at once (the same idempotency token,
possibly to both processes) are answered alike and recorded once."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.fixtures.db import PUBLIC_BASE_URL, TEST_KEY
from tests.fixtures.logscan import register_log_file, register_secret
from tests.fixtures.processes import free_port

pytestmark = pytest.mark.slow

ACCOUNT = "AC" + "7" * 32
VOICE = "/webhooks/twilio/voice"
ROUNDS = 10  # of 120 webhooks at most, until both workers have taken some


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _cpu(pid: int) -> int:
    """utime + stime of a process, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


async def _webhooks(url: str, token: str, tokens: list[str]) -> list[httpx.Response]:
    validator = RequestValidator(token)
    gate = asyncio.Semaphore(24)

    async def post(client: httpx.AsyncClient, idem: str) -> httpx.Response:
        params = {
            "AccountSid": ACCOUNT,
            "CallSid": "CA" + uuid.uuid5(uuid.NAMESPACE_URL, idem).hex,
            "From": "+12125550199",
            "To": "+14155550100",
            "CallStatus": "ringing",
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": validator.compute_signature(PUBLIC_BASE_URL + VOICE, params),
            "I-Twilio-Idempotency-Token": idem,
        }
        async with gate:
            return await client.post(VOICE, content=urlencode(params), headers=headers)

    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await asyncio.gather(*(post(client, t) for t in tokens))


def test_two_workers_record_each_webhook_once(tmp_path: Path) -> None:
    token = secrets.token_hex(16)
    register_secret(token, "Twilio auth token")
    db = tmp_path / "workers.db"
    port = free_port()
    log = tmp_path / "serve.log"
    register_log_file(log)
    env = {
        **os.environ,
        "CALLPLANE_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "CALLPLANE_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "CALLPLANE_TWILIO_ACCOUNT_SID": ACCOUNT,
        "CALLPLANE_TWILIO_AUTH_TOKEN": token,
        "CALLPLANE_ENCRYPTION_KEYS": TEST_KEY,
        "CALLPLANE_JOBS_ENABLED": "false",
    }
    # The worker count from the environment, as a container sets it (`--workers 2` alike).
    env["CALLPLANE_WORKERS"] = "2"
    args = [sys.executable, "-m", "callplane.cli", "serve", "--port", str(port)]
    with open(log, "w") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        workers = [
            p for p in _children(proc.pid) if b"spawn" in Path(f"/proc/{p}/cmdline").read_bytes()
        ]
        assert len(workers) == 2, [_cmdline(p) for p in _children(proc.pid)]
        before = {p: _cpu(p) for p in workers}

        recorded: list[str] = []
        for _ in range(ROUNDS):
            unique = [str(uuid.uuid4()) for _ in range(80)]
            sent = unique + unique[:40]  # 40 tokens twice, in flight together
            answers = asyncio.run(_webhooks(url, token, sent))
            assert [a.status_code for a in answers] == [200] * len(sent)
            by_token: dict[str, set[str]] = {}
            for idem, answer in zip(sent, answers, strict=True):
                by_token.setdefault(idem, set()).add(answer.text)
            assert all(len(texts) == 1 for texts in by_token.values())
            recorded += unique
            # Both processes took a share of the webhooks: their CPU time grew. Counted in clock
            # ticks (10 ms), so a worker that took a few webhooks of a round may not show yet.
            if all(_cpu(p) > before[p] for p in workers):
                break
        else:
            raise AssertionError((before, {p: _cpu(p) for p in workers}))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT idempotency_token FROM events").fetchall()
    assert len(rows) == len({r[0] for r in rows}) == len(recorded)
