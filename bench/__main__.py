"""`python -m bench` (`make bench`): callplane as deployed, against what users would write instead.

In one run, per database (SQLite, then PostgreSQL as an ordinary role), with every process up
at once and the endpoints measured in turn within each repetition:

- `callplane serve` (the real CLI) on a small database in three forms that differ only in
  logging: `console` (its defaults), `json` (CALLPLANE_LOG_JSON=true, production) and `quiet`
  (CALLPLANE_LOG_LEVEL=WARNING); each with signed voice webhooks (every number in turn, each
  request its own idempotency token), GET /healthz, GET /v1/tenants/{tid} and a page of 100
  numbers;
- the deployed form on a large database (every number in turn: no number repeats until all
  have been called);
- the naive handlers of bench/naive (FastAPI sync, async, sync recording the call; Flask on
  gunicorn with 4 workers) and a bare Starlette app on uvicorn;
- webhooks at a fixed rate with API calls alongside (open loop), for `console` and `json`;
- importing the numbers an account already holds, through the API and the Twilio sandbox.

It prints issue 20's goals (ratios within each repetition, medians over repetitions) and every
figure as Markdown (for docs/benchmarks.md); `--json` writes every repetition's samples.

    python -m bench                       # the full run (~35 minutes)
    python -m bench --quick               # a smoke run (~3 minutes)
    python -m bench --dbs sqlite --runs 3 --markdown /tmp/bench.md --json /tmp/bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import DEFAULT_PG, warn_of_others
from bench.harness import Config, run
from bench.report import as_json, errors, markdown

QUICK = {
    "runs": 1,
    "slice_seconds": 1.0,
    "warmup_seconds": 1.0,
    "small": 200,
    "large": 2_000,
    "fixed_seconds": 3.0,
    "import_count": 40,
    "import_runs": 1,
}


def parse(argv: list[str] | None = None) -> tuple[Config, argparse.Namespace]:
    """The command line as a Config (and the output options)."""
    d = Config()
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: " + ", ".join(f"{k}={v}" for k, v in QUICK.items()),
    )
    p.add_argument("--dbs", default=",".join(d.dbs), help="sqlite,postgres")
    p.add_argument("--runs", type=int, help=f"repetitions (default {d.runs})")
    p.add_argument(
        "--slice-seconds",
        type=float,
        help=f"seconds per endpoint and repetition (default {d.slice_seconds:g})",
    )
    p.add_argument("--warmup-seconds", type=float, help=f"default {d.warmup_seconds:g}")
    p.add_argument("--connections", type=int, help=f"wrk connections (default {d.connections})")
    p.add_argument("--small", type=int, help=f"numbers in the small database (default {d.small:,})")
    p.add_argument("--large", type=int, help=f"numbers in the large database (default {d.large:,})")
    p.add_argument("--rate", type=float, help=f"fixed webhook rate (default {d.rate:g}/s)")
    p.add_argument("--fixed-seconds", type=float, help=f"default {d.fixed_seconds:g}")
    p.add_argument("--api-rate", type=float, help=f"API calls/s alongside (default {d.api_rate:g})")
    p.add_argument(
        "--no-naive",
        dest="naive",
        action="store_false",
        default=None,
        help="leave the naive handlers out",
    )
    p.add_argument(
        "--import-count", type=int, help=f"numbers to import (default {d.import_count:,})"
    )
    p.add_argument(
        "--import-runs",
        type=int,
        help=f"imports per database, 0 for none (default {d.import_runs})",
    )
    p.add_argument(
        "--import-mode",
        choices=("auto", "single", "bulk"),
        help="bulk: a list per request; auto: bulk when /openapi.json offers it",
    )
    p.add_argument("--import-field", help="the bulk import body's list property")
    p.add_argument("--import-concurrency", type=int, help="import requests in flight (default 1)")
    p.add_argument(
        "--postgres-url",
        default=os.environ.get("CALLPLANE_BENCH_POSTGRES_URL", DEFAULT_PG),
        help="a server to make the databases on (as a superuser)",
    )
    p.add_argument("--json", type=Path, help="write every figure here")
    p.add_argument("--markdown", type=Path, help="write the Markdown tables here")
    p.add_argument("--workdir", type=Path, help="keep the logs and request files here")
    args = p.parse_args(argv)
    values: dict[str, Any] = {**(QUICK if args.quick else {})}
    for f in fields(Config):
        given = getattr(args, f.name, None)
        if given is not None:
            values[f.name] = given
    values["dbs"] = tuple(x.strip() for x in args.dbs.split(",") if x.strip())
    bad = set(values["dbs"]) - {"sqlite", "postgres"}
    if bad:
        p.error(f"unknown database {', '.join(sorted(bad))}")
    if shutil.which("wrk") is None:
        p.error("wrk is needed (apt-get install wrk)")
    return Config(**values), args


def main(argv: list[str] | None = None) -> int:
    cfg, args = parse(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="callplane-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)

    def log(line: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)

    log(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; logs in {workdir}")
    warn_of_others(log)
    started = time.monotonic()
    results = run(cfg, workdir, log)
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    text = markdown(results, cfg, when)
    print("\n" + text + "\n")
    log(f"done in {(time.monotonic() - started) / 60:.1f} min")
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if args.json:
        args.json.write_text(json.dumps(as_json(results, cfg, when), indent=2))
    problems = errors(results)
    for line in problems:
        log(f"ERRORS: {line}")
    if args.workdir is None and not problems:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
