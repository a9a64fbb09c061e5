"""Drift reconciliation benchmark: `python -m bench.reconcile`.

The world (issue 7): the Twilio sandbox, with 20 ms added to every Twilio API call, holds one
master account with 50,000 numbers and 2,000 byo accounts with 5 numbers each; the database
holds the same numbers, except that some were released at Twilio behind callplane's back (drift:
their rows are still active) and some at Twilio are unknown to the database (orphans). Every
managed number is wired to callplane's webhook URLs, as in production, so nothing needs rewiring.

It then runs one reconciliation (`callplane.jobs.reconcile`, the code the daily job and `callplane
reconcile` run) and prints the wall time, the Twilio calls made (counted by the sandbox), the
pages there are to read, and the lower bound `pages x latency / concurrency`. The goal: calls equal
to the pages, wall time under 1.5x the bound.

The sandbox runs in a process of its own (as Twilio would be remote; one Python process for both
would share one GIL). The database is SQLite by default (the embedded default), or PostgreSQL
with `--db postgres`.

    python -m bench.reconcile
    python -m bench.reconcile --db postgres --runs 3
    python -m bench.reconcile --master 5000 --byo 200          # quicker
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import hashlib
import json
import logging
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import DEFAULT_PG, free_port

PUBLIC_BASE = "https://bench.callplane.test"
PLATFORM_SID = "AC" + "c" * 32
PLATFORM_TOKEN = hashlib.sha256(b"bench-reconcile").hexdigest()[:32]
ENCRYPTION_KEYS = "bench:" + base64.b64encode(hashlib.sha256(b"bench-key").digest()).decode()
MASTER_TENANT_SIZE = 500
PAGE = 1000


# -- the sandbox process ----------------------------------------------------------------------


def serve_sandbox(args: argparse.Namespace) -> None:
    """Seed a sandbox in this process, write the manifest, then serve it (blocking)."""
    import uvicorn

    from callplane.sandbox.app import create_sandbox_app

    app = create_sandbox_app(account_sid=PLATFORM_SID, auth_token=PLATFORM_TOKEN)
    state = app.state.sandbox.state
    rng = random.Random(args.seed)
    wiring = {
        "voice_url": PUBLIC_BASE + "/webhooks/twilio/voice",
        "sms_url": PUBLIC_BASE + "/webhooks/twilio/sms",
        "status_callback": PUBLIC_BASE + "/webhooks/twilio/status",
    }

    async def seed() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:

            async def numbers(account_sid: str, count: int) -> list[Any]:
                r = await http.post(
                    "/__sandbox/seed", json={"account_sid": account_sid, "count": count}
                )
                r.raise_for_status()
                with state.lock:
                    owned = list(state.numbers.owned(account_sid))
                for n in owned:
                    for field, value in wiring.items():
                        setattr(n, field, value)
                return owned

            # Numbers released at Twilio behind callplane's back (drift) are released only once
            # every account is seeded: a released number is on offer again.
            gone: list[tuple[str, Any]] = []
            owned = await numbers(PLATFORM_SID, args.master + args.master_drift)
            gone_master = rng.sample(owned, args.master_drift)
            gone += [(PLATFORM_SID, n) for n in gone_master]
            skip = {n.sid for n in gone_master}
            master = [[n.phone_number, n.sid] for n in owned if n.sid not in skip]
            byo = []
            drifted_accounts = set(rng.sample(range(args.byo), args.byo_drift))
            for i in range(args.byo):
                r = await http.post("/__sandbox/accounts", json={"friendly_name": f"byo {i}"})
                r.raise_for_status()
                acct = r.json()
                extra = 1 if i in drifted_accounts else 0
                owned = await numbers(acct["sid"], args.per_byo + extra)
                if extra:
                    gone.append((acct["sid"], owned[-1]))
                    owned = owned[:-1]
                byo.append(
                    {
                        "sid": acct["sid"],
                        "token": acct["auth_token"],
                        "numbers": [[n.phone_number, n.sid] for n in owned],
                    }
                )
            drift = []
            with state.lock:
                for account_sid, n in gone:
                    state.release_number(n)
                    drift.append({"account_sid": account_sid, "e164": n.phone_number, "sid": n.sid})
        return {"master": master, "byo": byo, "drift": drift}

    started = time.monotonic()
    manifest = asyncio.run(seed())
    manifest["seed_seconds"] = round(time.monotonic() - started, 2)
    Path(args.manifest).write_text(json.dumps(manifest))
    uvicorn.run(
        app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, lifespan="off"
    )


# -- the benchmark ----------------------------------------------------------------------------


def start_sandbox(
    args: argparse.Namespace, workdir: Path
) -> tuple[subprocess.Popen[bytes], str, dict[str, Any]]:
    port = free_port()
    manifest = workdir / "manifest.json"
    cmd = [
        sys.executable,
        "-m",
        "bench.reconcile",
        "--role",
        "sandbox",
        "--port",
        str(port),
        "--manifest",
        str(manifest),
        "--master",
        str(args.master),
        "--byo",
        str(args.byo),
        "--per-byo",
        str(args.per_byo),
        "--master-drift",
        str(args.master_drift),
        "--byo-drift",
        str(args.byo_drift),
        "--seed",
        str(args.seed),
    ]
    log = open(workdir / "sandbox.log", "wb")  # noqa: SIM115 - lives as long as the process
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the sandbox exited: see {workdir / 'sandbox.log'}")
        if manifest.exists():
            try:
                httpx.get(f"{url}/__sandbox/faults", timeout=2).raise_for_status()
                return proc, url, json.loads(manifest.read_text())
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the sandbox did not start")


async def build_database(
    url: str, manifest: dict[str, Any], rng: random.Random, orphans: int
) -> dict[str, Any]:
    """Tenants, connections and numbers as callplane would hold them (inserted in bulk)."""
    from sqlalchemy import insert

    from callplane.connections.models import Connection
    from callplane.db import rls
    from callplane.db.base import utcnow
    from callplane.db.engine import create_engine
    from callplane.numbers.models import PhoneNumber
    from callplane.security.secrets import SecretBox, load_key_ring
    from callplane.tenants.models import Plan, Subscription, Tenant

    box = SecretBox(load_key_ring(ENCRYPTION_KEYS))
    now = utcnow()
    past = now - timedelta(days=1)
    all_numbers = [(PLATFORM_SID, e, s) for e, s in manifest["master"]] + [
        (b["sid"], e, s) for b in manifest["byo"] for e, s in b["numbers"]
    ]
    orphan_set = {e for _, e, _ in rng.sample(all_numbers, orphans)}
    tenants: list[dict[str, Any]] = []
    subs: list[dict[str, Any]] = []
    conns: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []

    def tenant(slug: str) -> uuid.UUID:
        tid = uuid.uuid4()
        tenants.append(
            {
                "id": tid,
                "slug": slug,
                "name": slug,
                "status": "active",
                "created_at": past,
                "updated_at": past,
            }
        )
        subs.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": tid,
                "plan_name": "bench",
                "status": "active",
                "cancel_at_period_end": False,
                "created_at": past,
                "updated_at": past,
            }
        )
        return tid

    def number(tid: uuid.UUID, account: str, e164: str, sid: str) -> None:
        if e164 in orphan_set:
            return
        rows.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": tid,
                "account_sid": account,
                "e164": e164,
                "twilio_sid": sid,
                "country": "US",
                "type": "local",
                "capabilities": {"voice": True, "sms": True, "mms": False},
                "status": "active",
                "managed": True,
                "origin": "purchased",
                "purchased_at": past,
                "created_at": past,
                "updated_at": past,
            }
        )

    drift = manifest["drift"]
    master = [(e, s) for e, s in manifest["master"]] + [
        (d["e164"], d["sid"]) for d in drift if d["account_sid"] == PLATFORM_SID
    ]
    for start in range(0, len(master), MASTER_TENANT_SIZE):
        tid = tenant(f"master-{start // MASTER_TENANT_SIZE}")
        for e164, sid in master[start : start + MASTER_TENANT_SIZE]:
            number(tid, PLATFORM_SID, e164, sid)
    byo_drift = {d["account_sid"]: d for d in drift if d["account_sid"] != PLATFORM_SID}
    for i, acct in enumerate(manifest["byo"]):
        tid = tenant(f"byo-{i}")
        conns.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": tid,
                "model": "byo",
                "account_sid": acct["sid"],
                "auth_token": box.seal(
                    acct["token"], tenant_id=tid, field="connections.auth_token"
                ),
                "status": "active",
                "created_at": past,
                "updated_at": past,
            }
        )
        for e164, sid in acct["numbers"]:
            number(tid, acct["sid"], e164, sid)
        if acct["sid"] in byo_drift:
            d = byo_drift[acct["sid"]]
            number(tid, acct["sid"], d["e164"], d["sid"])

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await rls.apply(conn, rls.PLATFORM_SCOPE)  # row-level security: every tenant
            await conn.execute(
                insert(Plan.__table__),
                [
                    {
                        "name": "bench",
                        "quota_phone_numbers": 10**6,
                        "created_at": past,
                        "updated_at": past,
                    }
                ],
            )
            for table, items in (
                (Tenant, tenants),
                (Subscription, subs),
                (Connection, conns),
                (PhoneNumber, rows),
            ):
                for start in range(0, len(items), 5000):
                    await conn.execute(insert(table.__table__), items[start : start + 5000])
    finally:
        await engine.dispose()
    return {
        "tenants": len(tenants),
        "rows": len(rows),
        "orphans": len(orphan_set),
        "drift": len(drift),
    }


def pages_of(manifest: dict[str, Any]) -> int:
    """The IncomingPhoneNumbers pages there are to read (an empty account still has one)."""
    sizes = [len(manifest["master"])] + [len(b["numbers"]) for b in manifest["byo"]]
    return sum(max(1, math.ceil(n / PAGE)) for n in sizes)


async def run_once(url: str, sandbox_url: str, args: argparse.Namespace) -> dict[str, Any]:
    from callplane.jobs import runs
    from callplane.jobs.reconcile.run import execute_run
    from callplane.runtime import Runtime
    from callplane.settings import Settings

    settings = Settings(
        database_url=url,
        public_base_url=PUBLIC_BASE,
        encryption_keys=ENCRYPTION_KEYS,
        twilio_account_sid=PLATFORM_SID,
        twilio_auth_token=PLATFORM_TOKEN,
        twilio_base_url=sandbox_url,
        twilio_concurrency=args.concurrency,
        jobs_enabled=False,
        log_level="WARNING",
    )
    async with httpx.AsyncClient(base_url=sandbox_url) as http:
        await http.delete("/__sandbox/faults")
        rule = (await http.post("/__sandbox/faults", json={"latency_ms": args.latency_ms})).json()[
            "id"
        ]
        rt = Runtime.create(settings)
        try:
            run_id = await runs.create_run(rt, trigger="cli", dry_run=args.dry_run)
            started = time.perf_counter()
            summary = await execute_run(rt, run_id, executor="bench")
            wall = time.perf_counter() - started
        finally:
            await rt.close()
        faults = (await http.get("/__sandbox/faults")).json()["faults"]
    calls = next(f["fired"] for f in faults if f["id"] == rule)
    return {"wall_s": wall, "calls": calls, "summary": summary}


async def make_database(kind: str, workdir: Path, index: int) -> tuple[str, Any]:
    """A fresh, migrated database (one per run: a run changes what it finds)."""
    from callplane.db.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / f'bench{index}.db'}"
        cleanup = None
    else:
        from tests.fixtures import pgdb

        admin = os.environ.get("CALLPLANE_TEST_POSTGRES_URL", DEFAULT_PG)
        url, name = pgdb.create_database(admin, "callplane_bench")  # row-level security applies
        cleanup = functools.partial(pgdb.drop_database, admin, name)

    await asyncio.to_thread(upgrade, url)
    return url, cleanup


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cp-bench-reconcile-") as tmp:
        workdir = Path(tmp)
        t0 = time.monotonic()
        proc, sandbox_url, manifest = start_sandbox(args, workdir)
        try:
            seeded = time.monotonic() - t0
            pages = pages_of(manifest)
            results = []
            for i in range(args.runs):
                url, cleanup = await make_database(args.db, workdir, i)
                try:
                    world = await build_database(
                        url, manifest, random.Random(args.seed + i), args.orphans
                    )
                    result = await run_once(url, sandbox_url, args)
                finally:
                    if cleanup:
                        cleanup()
                result["world"] = world
                results.append(result)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    bound = pages * args.latency_ms / 1000 / args.concurrency
    walls = [r["wall_s"] for r in results]
    last = results[-1]
    return {
        "db": args.db,
        "master_numbers": len(manifest["master"]),
        "byo_accounts": len(manifest["byo"]),
        "byo_numbers": sum(len(b["numbers"]) for b in manifest["byo"]),
        "latency_ms": args.latency_ms,
        "concurrency": args.concurrency,
        "pages": pages,
        "twilio_calls": [r["calls"] for r in results],
        "wall_s": [round(w, 3) for w in walls],
        "wall_s_median": round(statistics.median(walls), 3),
        "lower_bound_s": round(bound, 3),
        "ratio_to_bound": round(statistics.median(walls) / bound, 3),
        "summary": last["summary"],
        "world": last["world"],
        "sandbox_seed_s": round(seeded, 1),
        "goal_calls_equal_pages": all(r["calls"] == pages for r in results),
        "goal_under_1_5x_bound": statistics.median(walls) < 1.5 * bound,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reconcile", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--role", choices=("bench", "sandbox"), default="bench", help=argparse.SUPPRESS
    )
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--manifest", default="", help=argparse.SUPPRESS)
    parser.add_argument("--master", type=int, default=50_000, help="numbers in the master account")
    parser.add_argument("--byo", type=int, default=2_000, help="byo accounts")
    parser.add_argument("--per-byo", type=int, default=5, help="numbers per byo account")
    parser.add_argument(
        "--master-drift", type=int, default=100, help="master numbers released at Twilio only"
    )
    parser.add_argument(
        "--byo-drift", type=int, default=40, help="byo accounts with one such number"
    )
    parser.add_argument(
        "--orphans", type=int, default=60, help="numbers at Twilio unknown to the database"
    )
    parser.add_argument("--latency-ms", type=int, default=20, help="added to every Twilio call")
    parser.add_argument("--concurrency", type=int, default=8, help="CALLPLANE_TWILIO_CONCURRENCY")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dry-run", action="store_true", help="a dry run (changes nothing)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.role == "sandbox":
        serve_sandbox(args)
        return
    logging.basicConfig(level=logging.WARNING)
    for name in ("twilio", "callplane", "sqlalchemy"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from callplane.log import configure_logging

    configure_logging("WARNING", False)
    result = asyncio.run(bench(args))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    s = result["summary"]
    print(
        f"reconcile benchmark ({result['db']}): master {result['master_numbers']:,} numbers, "
        f"{result['byo_accounts']:,} byo accounts x {args.per_byo}; +{result['latency_ms']} ms "
        f"per Twilio call, concurrency {result['concurrency']}"
    )
    print(f"  wall time        {result['wall_s_median']:.2f} s  (runs: {result['wall_s']})")
    print(f"  Twilio calls     {result['twilio_calls']}  (pages: {result['pages']:,})")
    print(
        f"  lower bound      {result['lower_bound_s']:.2f} s  = {result['pages']:,} pages x "
        f"{result['latency_ms']} ms / {result['concurrency']}"
    )
    print(f"  wall / bound     {result['ratio_to_bound']:.2f}  (goal < 1.5)")
    print(
        f"  found            drift_released={s['drift_released']} (seeded {result['world']['drift']}), "
        f"orphans={s['orphans']} (seeded {result['world']['orphans']}), rewired={s['rewired']}, "
        f"tenants_checked={s['tenants_checked']}, tenants_failed={s['tenants_failed']}"
    )
    print(
        f"  goals            calls == pages: {result['goal_calls_equal_pages']}; "
        f"wall < 1.5 x bound: {result['goal_under_1_5x_bound']}"
    )


if __name__ == "__main__":
    main()
