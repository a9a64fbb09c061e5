"""The processes under test, each started as its users start it.

- callplane: the real CLI, `callplane serve --host 127.0.0.1 --port P`, in three forms that
  differ only in logging: `console` (the defaults: INFO, access log, console renderer), `json`
  (CALLPLANE_LOG_JSON=true, the production image's setting) and `quiet`
  (CALLPLANE_LOG_LEVEL=WARNING: no access log). Everything else is the default, the job engine
  included. Its log goes to a file, as a service manager would keep it.
- the naive handlers (bench/naive): `uvicorn module:factory --factory` with uvicorn's defaults
  (access log on), and Flask on `gunicorn -w 4` (its defaults: sync workers, no access log).
- the bare Starlette app (bench/bare.py) on uvicorn, no access log.
- the Twilio sandbox: `callplane sandbox`, the Twilio the services talk to (imports, jobs).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.common import Process, base_env, free_port
from bench.seeding import PLATFORM_SID, PLATFORM_TOKEN, PUBLIC_BASE, service_env

ROOT = Path(__file__).resolve().parents[1]
FORMS = {
    "console": {},
    "json": {"CALLPLANE_LOG_JSON": "true"},
    "quiet": {"CALLPLANE_LOG_LEVEL": "WARNING"},
}
NAIVE = {
    "fastapi-sync": "bench.naive.fastapi_app:sync_app",
    "fastapi-async": "bench.naive.fastapi_app:async_app",
    "flask-gunicorn-4": "bench.naive.flask_app:create_app()",
    "fastapi-sync-record": "bench.naive.fastapi_app:record_app",
}


@dataclass
class Service:
    """A running process under test."""

    name: str
    url: str
    process: Process

    @property
    def pid(self) -> int:
        return self.process.pid


def _bin(name: str) -> list[str]:
    """The console script of this environment (`python -m` when there is none)."""
    script = Path(sys.executable).parent / name
    module = {"callplane": "callplane.cli"}.get(name, name)
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


def _env(extra: dict[str, str]) -> dict[str, str]:
    # The source tree this bench lives in (a second checkout measures its own code).
    return {**base_env(), "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}", **extra}


def _start(
    name: str, args: list[str], env: dict[str, str], workdir: Path, ready: str, port: int
) -> Service:
    url = f"http://127.0.0.1:{port}"
    process = Process(name, args, env, workdir / f"{name}.log", cwd=ROOT)
    try:
        process.wait_http(url + ready)
    except BaseException:
        process.stop()
        raise
    return Service(name, url, process)


def callplane(
    name: str,
    database_url: str,
    form: str,
    workdir: Path,
    twilio_base_url: str | None,
    extra: dict[str, str] | None = None,
) -> Service:
    """`callplane serve` on `database_url` in one of FORMS."""
    port = free_port()
    env = _env({**service_env(database_url, twilio_base_url), **FORMS[form], **(extra or {})})
    args = [*_bin("callplane"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return _start(name, args, env, workdir, "/readyz", port)


def naive(name: str, kind: str, database_url: str, workdir: Path) -> Service:
    """One of the NAIVE handlers, served as its users serve it."""
    port = free_port()
    env = _env({"NAIVE_DATABASE_URL": database_url, "NAIVE_PUBLIC_BASE_URL": PUBLIC_BASE})
    if kind.startswith("flask"):
        args = [*_bin("gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}", NAIVE[kind]]
    else:
        args = [
            *_bin("uvicorn"),
            NAIVE[kind],
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    return _start(name, args, env, workdir, "/", port)


def bare(name: str, workdir: Path) -> Service:
    """The bare Starlette app on uvicorn."""
    port = free_port()
    args = [
        *_bin("uvicorn"),
        "bench.bare:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return _start(name, args, _env({}), workdir, "/healthz", port)


def sandbox(workdir: Path) -> Service:
    """The Twilio sandbox, holding the platform account."""
    port = free_port()
    env = _env(
        {
            "CALLPLANE_TWILIO_ACCOUNT_SID": PLATFORM_SID,
            "CALLPLANE_TWILIO_AUTH_TOKEN": PLATFORM_TOKEN,
            "CALLPLANE_LOG_LEVEL": "WARNING",
        }
    )
    args = [*_bin("callplane"), "sandbox", "--port", str(port)]
    return _start("sandbox", args, env, workdir, "/__sandbox/state", port)
