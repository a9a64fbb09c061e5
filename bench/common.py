"""What the benchmarks share: child processes, ports, resident memory and CPU time of a process."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import httpx

from tests.fixtures.processes import free_port, rss_mb

__all__ = ["free_port", "rss_mb"]

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
_TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found += [int(c) for c in text]
    except OSError:
        pass
    return found


def other_services() -> list[int]:
    """Pids of `callplane serve` processes running on this box (the benchmark's own are stopped
    between units): idle ones still poll their jobs and share the cores with what is measured
    (a first run 35 did, docs/benchmarks.md)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        names = [Path(a.decode(errors="replace")).name for a in args]
        if any(n == "callplane" and nxt == "serve" for n, nxt in pairwise(names)):
            found.append(int(entry.name))
    return sorted(found)


def warn_of_others(log: Callable[[str], None]) -> None:
    """Say so when other callplane services run beside the benchmark."""
    if others := other_services():
        log(
            f"WARNING: {len(others)} other `callplane serve` running on this box "
            f"(pids {', '.join(map(str, others))}): they share its cores with what is measured"
        )


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and of its live children (gunicorn's workers)."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    return total


def settle(pid: int, share: float = 0.1, window: float = 0.5, timeout: float = 20.0) -> None:
    """Wait until a process uses under `share` of a core (a service that has just answered its
    readiness check may still be starting: the job engine, first imports)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(window)
        if cpu_seconds(pid) - before < share * window:
            return


def median(values: list[float]) -> float:
    """The median, 0 for no values."""
    return statistics.median(values) if values else 0.0


def base_env() -> dict[str, str]:
    """This process's environment without callplane's or DBOS's settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CALLPLANE_", "DBOS__"))}


class Process:
    """A child process with its output in a log file."""

    def __init__(
        self, name: str, args: list[str], env: dict[str, str], log: Path, cwd: Path | None = None
    ) -> None:
        self.name = name
        self.log = log
        # Appended: each start of a name (every repetition of the benchmark, every round of
        # bench.interleave) keeps its lines, after a line that says when it began.
        self._out = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self._out.write(
            f"--- {name} started {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n".encode()
        )
        self._out.flush()
        self.proc = subprocess.Popen(
            args, env=env, stdout=self._out, stderr=subprocess.STDOUT, cwd=cwd
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_http(self, url: str, timeout: float = 120) -> None:
        """Block until `url` answers below 500 (raises if the process exits or time runs out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited; see {self.log}")
            try:
                if httpx.get(url, timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start; see {self.log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()
