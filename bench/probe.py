"""`python -m bench.probe`: one seeded `callplane serve`, as the benchmark starts it, kept up
for profiling by hand (py-spy, wrk) until interrupted (Ctrl-C or `kill`: both stop what it started).

    python -m bench.probe --db postgres --form json --numbers 1000
    python -m bench.probe --db sqlite --fixed 20      # and a fixed-rate slice of 20 s

It prints the service's URL, pid, the tenant's key and the file of signed webhook lines
(`wrk -s bench/lua/webhooks.lua` reads it from LINES), and writes them to WORKDIR/info.json.
"""

from __future__ import annotations

import argparse
import json
import signal
import time
from contextlib import ExitStack
from pathlib import Path

from bench import services
from bench.harness import api_calls_alongside, database, seed_database
from bench.load import fixed_rate
from bench.seeding import write_lines


def main() -> None:
    """Start, print, wait."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--form", choices=list(services.FORMS), default="console")
    p.add_argument("--numbers", type=int, default=1000)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/callplane-probe"))
    p.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--fixed", type=float, default=0.0, help="seconds at a fixed rate, then wait")
    p.add_argument("--rate", type=float, default=200.0)
    p.add_argument("--env", action="append", default=[], help="K=V for the service")
    args = p.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for old in args.workdir.glob("probe*.db*"):  # a new SQLite database each time
        old.unlink()
    extra = dict(kv.split("=", 1) for kv in args.env)
    # `kill` (SIGTERM) stops the service and the sandbox too, as Ctrl-C does: a probe's service
    # left running polls its jobs beside whatever is measured next.
    signal.signal(signal.SIGTERM, _interrupt)
    with ExitStack() as stack:
        sandbox = services.sandbox(args.workdir)
        stack.callback(sandbox.process.stop)
        url = stack.enter_context(database(args.db, "probe", args.workdir, args.postgres_url))
        seeded = seed_database(url, args.numbers, None, print)
        lines_file = args.workdir / "lines.txt"
        lines = write_lines(lines_file, args.numbers)
        svc = services.callplane("probe", url, args.form, args.workdir, sandbox.url, extra)
        stack.callback(svc.process.stop)
        info = {
            "url": svc.url,
            "pid": svc.pid,
            "tenant_id": seeded.tenant_id,
            "api_key": seeded.api_key,
            "lines": str(lines_file),
            "database_url": url,
        }
        (args.workdir / "info.json").write_text(json.dumps(info, indent=2))
        print(json.dumps(info, indent=2), flush=True)
        if args.fixed:
            from bench.load import Target
            from bench.seeding import VOICE_PATH

            target = Target("webhook", svc.url, VOICE_PATH, svc.pid, lines_file)
            hooks, api = fixed_rate(
                target,
                lines,
                args.rate,
                args.fixed,
                api_calls_alongside(seeded),
                5.0,
                f"Bearer {seeded.api_key}",
            )
            print(f"webhooks: {hooks}\napi: {api}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
