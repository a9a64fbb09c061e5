"""Interleaved A/B of `callplane serve` variants on one seeded database (the evidence of issue
20's passes): each round starts every variant in turn, fresh, on a copy of the same database
(SQLite: the file; PostgreSQL: `CREATE DATABASE ... TEMPLATE`, then ANALYZE as the benchmark
does), warms it up, sends a few closed-loop bursts of signed voice webhooks (every number in
turn, wrk 1 x 32), optionally a fixed-rate slice with API calls alongside (`--fixed`, as the
benchmark's), and stops it; the medians come at the end. Optionally py-spy (nonblocking)
records one burst of each start.

    python -m bench.interleave --numbers 100000 --rounds 3 --bursts 3 \\
        before=PYTHONPATH=/path/to/old/src:. after=

A variant is `label=K=V,K=V`: the service's extra environment (PYTHONPATH selects a tree; a
`sitecustomize` on it can change anything). The seeded database and webhook lines are kept in
WORKDIR/N (seeding 100,000 numbers takes a few seconds), each start copies them; on
PostgreSQL the seeded database is made anew for each run of this command and dropped after.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import services
from bench.common import warn_of_others
from bench.harness import analyze, api_calls_alongside, seed_database
from bench.load import Sample, Target, fixed_rate, run_wrk
from bench.seeding import VOICE_PATH, Seeded, write_lines


def _variant(spec: str) -> tuple[str, dict[str, str]]:
    label, _, rest = spec.partition("=")
    return label, dict(kv.split("=", 1) for kv in rest.split(",") if kv)


def _fresh_copy(base: Path, db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(base, db)


class _Copies:
    """Fresh copies of one seeded database, one per start."""

    def __init__(self, db: str, work: Path, pg_admin: str) -> None:
        self.db, self.work, self.pg_admin = db, work, pg_admin
        self.base_name: str | None = None
        self.copies: list[str] = []

    def base(self) -> str:
        """The seeded database's URL (made empty; the caller seeds it)."""
        if self.db == "sqlite":
            return f"sqlite+aiosqlite:///{self.work / 'base.db'}"
        from tests.fixtures import pgdb

        url, self.base_name = pgdb.create_database(self.pg_admin, "callplane_ab_base")
        return url

    def fresh(self, label: str) -> str:
        """A copy of the base for one start."""
        if self.db == "sqlite":
            db = self.work / f"run-{label}.db"
            _fresh_copy(self.work / "base.db", db)
            return f"sqlite+aiosqlite:///{db}"
        import psycopg

        from tests.fixtures import pgdb

        for name in self.copies:
            pgdb.drop_database(self.pg_admin, name)
        name = f"callplane_ab_{label}"[:40]
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.base_name}" OWNER {pgdb.ROLE}')
        self.copies = [name]
        return pgdb.role_url(self.pg_admin, name)

    def drop(self) -> None:
        """Drop what this run made (PostgreSQL)."""
        if self.db == "sqlite":
            return
        from tests.fixtures import pgdb

        for name in [*self.copies, *([self.base_name] if self.base_name else [])]:
            pgdb.drop_database(self.pg_admin, name)


def _spy(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    py_spy = Path(sys.executable).parent / "py-spy"
    args = [str(py_spy), "record", "--nonblocking", "-r", "200", "-f", "raw"]
    args += ["-d", str(round(seconds)), "-p", str(pid), "-o", str(out)]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    """Seed once, then rounds of every variant; print each burst and the medians."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("variants", nargs="+", help="label=K=V,K=V (the service's extra environment)")
    p.add_argument("--numbers", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--bursts", type=int, default=3)
    p.add_argument("--seconds", type=float, default=5.0, help="per burst")
    p.add_argument("--warmup", type=float, default=2.0)
    p.add_argument("--form", choices=list(services.FORMS), default="console")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/callplane-interleave"))
    p.add_argument("--spy", type=Path, help="py-spy raw profiles of each start's first burst here")
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--fixed", type=float, default=0.0, help="seconds at 200 webhooks/s after")
    args = p.parse_args()
    variants = [_variant(spec) for spec in args.variants]
    warn_of_others(print)
    work = args.workdir / args.db / str(args.numbers)
    work.mkdir(parents=True, exist_ok=True)
    lines = work / "lines.txt"
    copies = _Copies(args.db, work, args.postgres_url)
    sandbox = services.sandbox(work)
    try:
        if args.db == "postgres" or not (work / "base.db").exists() or not lines.exists():
            seeded = seed_database(copies.base(), args.numbers, None, print)
            (work / "key.txt").write_text(f"{seeded.api_key} {seeded.tenant_id} {seeded.agent_id}")
            write_lines(lines, args.numbers)
        key, tenant_id, agent_id = (work / "key.txt").read_text().split()
        api = api_calls_alongside(Seeded(args.numbers, tenant_id, agent_id, key))
        samples: dict[str, list[Sample]] = {label: [] for label, _ in variants}
        fixed: dict[str, list[Sample]] = {label: [] for label, _ in variants}
        offset = 0
        for r in range(args.rounds):
            for label, env in variants:
                url = copies.fresh(label)
                svc = services.callplane(f"ab-{label}", url, args.form, work, sandbox.url, env)
                try:
                    target = Target(label, svc.url, VOICE_PATH, svc.pid, lines, offset=offset)
                    run_wrk(target, args.warmup, 32)
                    analyze([url])
                    for b in range(args.bursts):
                        spy = None
                        if args.spy is not None and b == 0:
                            args.spy.mkdir(parents=True, exist_ok=True)
                            spy = _spy(svc.pid, args.seconds, args.spy / f"{label}-r{r}.txt")
                            time.sleep(0.3)  # py-spy attached
                        s = run_wrk(target, args.seconds, 32)
                        if spy is not None:
                            spy.wait()
                        samples[label].append(s)
                        print(
                            f"round {r} {label:12s} {s.rps:7.0f} rps, p99 {s.p99_ms:6.1f} ms, "
                            f"{s.cpu_us:5.0f} µs CPU per request, {s.errors} errors",
                            flush=True,
                        )
                    if args.fixed:
                        hooks, _ = fixed_rate(
                            target, _lines(lines), 200.0, args.fixed, api, 5.0, f"Bearer {key}"
                        )
                        fixed[label].append(hooks)
                        print(f"round {r} {label:12s} fixed 200/s: p99 {hooks.p99_ms:6.1f} ms")
                    offset = target.offset  # the next start meets numbers not seen yet
                finally:
                    svc.process.stop()
        print(f"medians of {args.rounds} x {args.bursts} bursts at {args.numbers:,} numbers:")
        for label, got in samples.items():
            rps = statistics.median(s.rps for s in got)
            p99 = statistics.median(s.p99_ms for s in got)
            cpu = statistics.median(s.cpu_us for s in got)
            print(f"  {label:12s} {rps:7.0f} rps, p99 {p99:6.1f} ms, {cpu:5.0f} µs CPU per request")
            if fixed[label]:
                p99s = [s.p99_ms for s in fixed[label]]
                print(f"  {label:12s} fixed 200/s: p99 {statistics.median(p99s):6.1f} ms {p99s}")
    finally:
        sandbox.process.stop()
        copies.drop()


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


if __name__ == "__main__":
    main()
