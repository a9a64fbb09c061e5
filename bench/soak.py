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

The soak itself lives in `tests/fixtures/soak.py`: the test suite runs it briefly.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from tests.fixtures.soak import DEFAULT_PG, SoakConfig, run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CALLPLANE_BENCH_POSTGRES_URL", DEFAULT_PG),
        help="a server to make the soak's database on (as a superuser)",
    )
    parser.add_argument("--tenants", type=int, default=6)
    parser.add_argument("--webhook-rate", type=float, default=40.0, help="webhooks per second")
    parser.add_argument("--api-rate", type=float, default=12.0, help="API requests per second")
    parser.add_argument(
        "--fault-rate", type=float, default=0.10, help="share of Twilio calls failed"
    )
    parser.add_argument("--warmup", type=float, default=None, help="seconds (default 10%%, max 60)")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--workdir", type=Path, default=None, help="keep logs here")
    parser.add_argument("--json", type=Path, help="also write the report's figures here")
    args = parser.parse_args(argv)
    config = SoakConfig(
        minutes=args.minutes,
        sqlite=args.sqlite,
        postgres_url=args.postgres_url,
        tenants=args.tenants,
        webhook_rate=args.webhook_rate,
        api_rate=args.api_rate,
        fault_rate=args.fault_rate,
        warmup=args.warmup,
        log_level=args.log_level,
        workdir=args.workdir,
    )
    report = run(config)
    print(report.text())
    print(f"logs: {', '.join(str(p) for p in report.logs)}")
    if args.json:
        figures = {k: v for k, v in report.__dict__.items() if k not in ("secrets", "logs")}
        figures.update(
            lost_events=report.lost_events,
            lost_deliveries=report.lost_deliveries,
            memory_growth=report.memory_growth,
            ok=report.ok,
        )
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    if args.workdir is None and report.ok:
        shutil.rmtree(report.logs[0].parent, ignore_errors=True)
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
