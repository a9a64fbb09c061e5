"""Interleaved A/B of `callplane serve` variants on one seeded SQLite database (the evidence of
issue 20's passes): each round starts every variant in turn, fresh, on a copy of the same
database, warms it up, sends a few closed-loop bursts of signed voice webhooks (every number in
turn, wrk 1 x 32) and stops it; the medians come at the end. Optionally py-spy (nonblocking)
records one burst of each start.

    python -m bench.interleave --numbers 100000 --rounds 3 --bursts 3 \\
        before=PYTHONPATH=/path/to/old/src:. after=

A variant is `label=K=V,K=V`: the service's extra environment (PYTHONPATH selects a tree; a
`sitecustomize` on it can change anything). The seeded database and webhook lines are kept in
WORKDIR/N (seeding 100,000 numbers takes a few seconds), each start copies them.
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
from bench.harness import _seed
from bench.load import Sample, Target, run_wrk
from bench.seeding import VOICE_PATH, write_lines


def _variant(spec: str) -> tuple[str, dict[str, str]]:
    label, _, rest = spec.partition("=")
    return label, dict(kv.split("=", 1) for kv in rest.split(",") if kv)


def _fresh_copy(base: Path, db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(base, db)


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
    args = p.parse_args()
    variants = [_variant(spec) for spec in args.variants]
    work = args.workdir / str(args.numbers)
    work.mkdir(parents=True, exist_ok=True)
    base, lines = work / "base.db", work / "lines.txt"
    sandbox = services.sandbox(work)
    try:
        if not base.exists() or not lines.exists():
            _seed(f"sqlite+aiosqlite:///{base}", args.numbers, None, print)
            write_lines(lines, args.numbers)
        samples: dict[str, list[Sample]] = {label: [] for label, _ in variants}
        offset = 0
        for r in range(args.rounds):
            for label, env in variants:
                db = work / f"run-{label}.db"
                _fresh_copy(base, db)
                url = f"sqlite+aiosqlite:///{db}"
                svc = services.callplane(f"ab-{label}", url, args.form, work, sandbox.url, env)
                try:
                    target = Target(label, svc.url, VOICE_PATH, svc.pid, lines, offset=offset)
                    run_wrk(target, args.warmup, 32)
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
                    offset = target.offset  # the next start meets numbers not seen yet
                finally:
                    svc.process.stop()
        print(f"medians of {args.rounds} x {args.bursts} bursts at {args.numbers:,} numbers:")
        for label, got in samples.items():
            rps = statistics.median(s.rps for s in got)
            p99 = statistics.median(s.p99_ms for s in got)
            cpu = statistics.median(s.cpu_us for s in got)
            print(f"  {label:12s} {rps:7.0f} rps, p99 {p99:6.1f} ms, {cpu:5.0f} µs CPU per request")
    finally:
        sandbox.process.stop()


if __name__ == "__main__":
    main()
