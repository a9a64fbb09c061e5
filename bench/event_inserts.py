"""What a webhook's two rows cost to insert (its event and its tenant event), group-committed 16
at a time as the gateway's writer does, over 10 or over 1,000 tenants, with and without an index
of the tenant events' tenant (issue 20, nineteenth pass; docs/benchmarks.md).

    python -m bench.event_inserts WORKDIR/sqlite/100000/run-before.db --runs 5

DB: a SQLite database of the benchmark after a run (`bench.interleave` keeps them), holding its
1,000 tenants and some events, whose first rows are the templates. Each case works on a fresh
copy; CPU time of this process (the driver's work and its system calls), medians of `--runs`.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import time
import uuid
from pathlib import Path

PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "mmap_size=268435456")
BATCH = 16


def _copy(source: Path, target: Path, *, tenant_index: bool) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, target)
    conn = sqlite3.connect(target, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(f"PRAGMA {pragma}")
    conn.execute(
        "CREATE INDEX IF NOT EXISTS ix_tenant_events_tenant_id ON tenant_events (tenant_id)"
    )
    if not tenant_index:
        conn.execute("DROP INDEX ix_tenant_events_tenant_id")
    return conn


def _insert(table: str, columns: list[str]) -> str:
    marks = ",".join("?" * len(columns))
    return f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks}) ON CONFLICT DO NOTHING"


def _cpu_per_webhook(conn: sqlite3.Connection, tenants: list[str], count: int) -> float:
    """µs of CPU per webhook: `count` webhooks' rows, `BATCH` per transaction."""
    event = list(conn.execute("SELECT * FROM events LIMIT 1").fetchone())
    told = list(conn.execute("SELECT * FROM tenant_events LIMIT 1").fetchone())
    e_cols = [r[1] for r in conn.execute("PRAGMA table_info(events)")]
    t_cols = [r[1] for r in conn.execute("PRAGMA table_info(tenant_events)")]
    e_at = {name: i for i, name in enumerate(e_cols)}
    t_at = {name: i for i, name in enumerate(t_cols)}
    e_sql, t_sql = _insert("events", e_cols), _insert("tenant_events", t_cols)
    start = time.process_time()
    for batch in range(count // BATCH):
        conn.execute("BEGIN IMMEDIATE")
        for _ in range(BATCH):
            ident, tenant = uuid.uuid4().hex, random.choice(tenants)
            at = f"2026-12-06 23:{batch % 60:02d}:00.000000"
            for name, value in (("id", ident), ("tenant_id", tenant), ("received_at", at)):
                event[e_at[name]] = value
            event[e_at["idempotency_token"]], event[e_at["sid"]] = ident, "CA" + ident
            for name, value in (("id", ident), ("tenant_id", tenant), ("created_at", at)):
                told[t_at[name]] = value
            told[t_at["fanned_out_at"]] = None
            conn.execute(e_sql, event)
            conn.execute(t_sql, told)
        conn.execute("COMMIT")
    return (time.process_time() - start) / count * 1e6


def main() -> None:
    """Print each case's µs per webhook, every run, then the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--webhooks", type=int, default=8000)
    parser.add_argument("--copy", type=Path, default=Path("/tmp/callplane-event-inserts.db"))
    args = parser.parse_args()
    with sqlite3.connect(args.database) as conn:
        tenants = [str(row[0]) for row in conn.execute("SELECT id FROM tenants ORDER BY id")]
    found: dict[tuple[bool, int], list[float]] = {}
    for run in range(args.runs):
        for tenant_index in (True, False):
            for spread in (10, 1000):
                conn = _copy(args.database, args.copy, tenant_index=tenant_index)
                random.seed(run)
                us = _cpu_per_webhook(conn, tenants[:spread], args.webhooks)
                conn.close()
                found.setdefault((tenant_index, spread), []).append(us)
                label = "with" if tenant_index else "without"
                print(f"run {run}: {label} the tenant index, {spread} tenants: {us:.1f} µs")
    for (tenant_index, spread), values in found.items():
        label = "with" if tenant_index else "without"
        print(
            f"{label} the tenant index, {spread} tenants: median {statistics.median(values):.1f} µs"
        )


if __name__ == "__main__":
    main()
