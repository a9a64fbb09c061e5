"""Row-level security where it counts (issue 16): on PostgreSQL the service, the worker and the
CLI's jobs refuse to start as a role that bypasses RLS (superuser or BYPASSRLS), unless told to
(CALLPLANE_ALLOW_RLS_BYPASS=true: a warning); as the ordinary role they serve."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from callplane.app import create_app
from callplane.db.migrate import upgrade
from callplane.db.rls import RlsBypassRefused
from callplane.sandbox.server import SandboxServer
from tests.fixtures.db import make_settings
from tests.fixtures.logscan import record_output
from tests.fixtures.processes import free_port

pytestmark = [pytest.mark.postgres]

REFUSAL = "refusing to start: the database role bypasses row-level security"


@pytest.fixture
def urls(empty_pg: str, postgres_admin_url: str) -> tuple[str, str]:
    """(the migrated database as the ordinary role, the same database as the superuser)."""
    upgrade(empty_pg)
    database = empty_pg.rsplit("/", 1)[1]
    admin = postgres_admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    return empty_pg, admin.rsplit("/", 1)[0] + "/" + database


def _cli(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("callplane")
    return [
        str(exe) if exe.exists() else sys.executable,
        *([] if exe.exists() else ["-m", "callplane.cli"]),
        *args,
    ]


def _env(database_url: str, sandbox: SandboxServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLPLANE_", "DBOS__"))}
    settings = make_settings(database_url, sandbox)
    env.update(
        {
            "CALLPLANE_DATABASE_URL": database_url,
            "CALLPLANE_PUBLIC_BASE_URL": settings.public_base_url,
            "CALLPLANE_ENCRYPTION_KEYS": settings.encryption_keys.get_secret_value(),  # type: ignore[union-attr]
            "CALLPLANE_TWILIO_ACCOUNT_SID": sandbox.account_sid,
            "CALLPLANE_TWILIO_AUTH_TOKEN": sandbox.auth_token,
            "CALLPLANE_TWILIO_BASE_URL": sandbox.url,
            "CALLPLANE_JOBS_ENABLED": "false",
            **extra,
        }
    )
    return env


def _refused(cmd: list[str], env: dict[str, str], what: str) -> None:
    """`cmd` exits non-zero at once, saying why in one line, without a traceback."""
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)
    record_output(what, done.stdout + done.stderr)
    assert done.returncode != 0, (what, done.stdout, done.stderr)
    assert done.stderr.count(REFUSAL) >= 1 and "Traceback" not in done.stderr, done.stderr
    assert "CALLPLANE_ALLOW_RLS_BYPASS=true" in done.stderr


def _serves(env: dict[str, str], what: str, expect_warning: bool) -> None:
    """`callplane serve` starts and answers /readyz; the bypass warned about or not."""
    port = free_port()
    proc = subprocess.Popen(
        _cli("serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"{what} exited: {proc.stderr.read()[-2000:]}"  # type: ignore[union-attr]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{what} never became ready"
            time.sleep(0.1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        err = proc.stderr.read() if proc.stderr else ""  # type: ignore[union-attr]
        record_output(what, err)
    assert ("bypasses row-level security" in err) is expect_warning, err[-2000:]
    assert REFUSAL not in err


@pytest.mark.slow
def test_the_service_refuses_a_role_that_bypasses_rls(
    urls: tuple[str, str], sandbox: SandboxServer
) -> None:
    ordinary, superuser = urls
    env = _env(superuser, sandbox)
    _refused(_cli("serve", "--port", str(free_port())), env, "serve as superuser")
    _refused(_cli("worker"), env, "worker as superuser")
    _refused(_cli("reconcile", "--dry-run"), env, "reconcile as superuser")
    _refused(_cli("health"), env, "health as superuser")
    # Told to: it serves, with a warning.
    _serves(_env(superuser, sandbox, CALLPLANE_ALLOW_RLS_BYPASS="true"), "serve allowed", True)
    # The ordinary role (the documented deployment): it serves, nothing to warn about.
    _serves(_env(ordinary, sandbox), "serve as the ordinary role", False)


async def test_the_app_refuses_to_start_as_a_role_that_bypasses_rls(
    urls: tuple[str, str], sandbox: SandboxServer
) -> None:
    # The app itself (any ASGI server: `uvicorn --factory`), not only the CLI, refuses it.
    ordinary, superuser = urls
    app = create_app(make_settings(superuser, sandbox, jobs_enabled=False))
    with pytest.raises(RlsBypassRefused):
        async with LifespanManager(app):
            pass
    app = create_app(make_settings(superuser, sandbox, jobs_enabled=False, allow_rls_bypass=True))
    async with LifespanManager(app):
        pass
    app = create_app(make_settings(ordinary, sandbox, jobs_enabled=False))
    async with LifespanManager(app):
        pass
