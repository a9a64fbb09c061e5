"""The `callplane` command line: the service, the sandbox, migrations, keys, trunks and
`explain`; the jobs' commands are in `cli/jobs.py`."""

from __future__ import annotations

import asyncio
import json
import os
import secrets as pysecrets
import uuid
from pathlib import Path
from typing import Any

import typer

from callplane.cli import jobs
from callplane.cli.roles import require_ordinary_role
from callplane.log import configure_logging, get_logger
from callplane.settings import Settings, get_settings

app = typer.Typer(
    help="callplane: multi-tenant telephony control plane for Twilio.", no_args_is_help=True
)
apikeys_app = typer.Typer(help="API keys.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
app.add_typer(apikeys_app, name="apikeys")
app.add_typer(keys_app, name="keys")
log = get_logger("callplane.cli")

SANDBOX_STATE_FILE = Path(".callplane-sandbox.json")


@app.callback()
def _main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)


def _run_migrations(database_url: str) -> None:
    from callplane.db.migrate import upgrade

    upgrade(database_url)


def _sandbox_identity() -> dict[str, str]:
    """Stable sandbox credentials and platform key for `serve --sandbox`, kept in a local file."""
    if SANDBOX_STATE_FILE.exists():
        return json.loads(SANDBOX_STATE_FILE.read_text())  # type: ignore[no-any-return]
    ident = {
        "account_sid": "AC" + uuid.uuid4().hex,
        "auth_token": pysecrets.token_hex(16),
        "platform_key": "cpk_" + pysecrets.token_urlsafe(32),
    }
    SANDBOX_STATE_FILE.write_text(json.dumps(ident, indent=2) + "\n")
    os.chmod(SANDBOX_STATE_FILE, 0o600)
    return ident


async def _seed_demo(settings: Settings) -> str:
    """A demo tenant with a plan and an active subscription; returns its id."""
    from sqlalchemy import select

    from callplane.runtime import Runtime
    from callplane.tenancy import SYSTEM, TenantScope
    from callplane.tenants import service
    from callplane.tenants.models import Tenant
    from callplane.tenants.schemas import PlanPut, SubscriptionPut, TenantCreate

    async with Runtime.create(settings) as rt, rt.uow() as uow:
        tenant = (
            await uow.session.execute(select(Tenant).where(Tenant.slug == "demo"))
        ).scalar_one_or_none()
        if tenant is None:
            tenant = await service.create_tenant(
                uow=uow, actor=SYSTEM, data=TenantCreate(slug="demo", name="Demo Company")
            )
            await service.put_plan(
                uow=uow, actor=SYSTEM, name="starter", data=PlanPut(quota_phone_numbers=5)
            )
            await service.put_subscription(
                uow=uow,
                scope=TenantScope(tenant_id=tenant.id, actor=SYSTEM),
                data=SubscriptionPut(plan="starter", status="active"),
            )
        return str(tenant.id)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Run with the Twilio sandbox in-process and a demo tenant."
    ),
    migrate: bool = typer.Option(True, help="Upgrade the database before serving."),
    workers: int = typer.Option(
        1,
        min=1,
        envvar="CALLPLANE_WORKERS",
        help="HTTP worker processes on one port (uvicorn's); the job engine runs once, in "
        "this supervising process. See docs/deploy.md for SQLite and PostgreSQL.",
    ),
) -> None:
    """Run the HTTP service."""
    import uvicorn

    from callplane.app import create_app

    settings = get_settings()
    sandbox_server = None
    if workers > 1 and sandbox:
        typer.echo("error: --sandbox runs in one process: leave --workers out", err=True)
        raise typer.Exit(2)
    if sandbox:
        from callplane.sandbox.server import SandboxServer

        ident = _sandbox_identity()
        sid = settings.twilio_account_sid or ident["account_sid"]
        token = (
            settings.twilio_auth_token.get_secret_value()
            if settings.twilio_auth_token
            else ident["auth_token"]
        )
        sandbox_server = SandboxServer(account_sid=sid, auth_token=token)
        sandbox_server.start()
        settings = settings.model_copy(
            update={
                "twilio_account_sid": sid,
                "twilio_auth_token": _secret(token),
                "twilio_base_url": sandbox_server.url,
                # The sandbox's tenant apps run on this machine (DESIGN section 14).
                "allow_private_urls": True,
                "bootstrap_platform_key": settings.bootstrap_platform_key
                or _secret(ident["platform_key"]),
            }
        )
        if "public_base_url" not in settings.model_fields_set:
            # The sandbox calls this service back: wire numbers to where it really listens.
            settings = settings.model_copy(update={"public_base_url": f"http://{host}:{port}"})
    require_ordinary_role(settings)
    if migrate:
        _run_migrations(settings.database_url)
    if sandbox:
        tenant_id = asyncio.run(_seed_demo(settings))
        key = settings.bootstrap_platform_key.get_secret_value()  # type: ignore[union-attr]
        typer.echo(
            "\ncallplane sandbox mode\n"
            f"  API:            http://{host}:{port}/docs\n"
            f"  Twilio sandbox: {sandbox_server.url if sandbox_server else ''}\n"
            f"  Demo tenant:    {tenant_id} (slug 'demo')\n"
            f"  Platform key:   {key}\n"
            f"  Try:            curl -H 'Authorization: Bearer {key}' http://{host}:{port}/v1/tenants\n"
        )
    if workers > 1:
        _serve_workers(settings, host=host, port=port, workers=workers)
        return
    try:
        uvicorn.run(create_app(settings), **_server_options(host, port))
    finally:
        if sandbox_server is not None:
            sandbox_server.stop()


def _server_options(host: str, port: int) -> dict[str, Any]:
    """uvicorn's options for `serve`, one process or many: callplane's own logging and access
    line (none of uvicorn's), each response head and body in one write (`http_protocol`)."""
    from callplane.http_protocol import WholeResponseProtocol

    return {
        "host": host,
        "port": port,
        "log_config": None,
        "access_log": False,
        "http": WholeResponseProtocol,
    }


def _serve_workers(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """`workers` processes (uvicorn's supervisor, spawned, one shared socket) each building the
    app from the environment (`app.worker_app`); the job engine, when enabled, once, here."""
    import uvicorn

    engine = None
    if settings.jobs_enabled:
        from callplane.db import models  # noqa: F401  (every table, for foreign keys)
        from callplane.jobs import engine as jobs

        engine = jobs
        jobs.start_engine(settings)
    # The workers inherit the environment: no job engine of their own.
    os.environ["CALLPLANE_JOBS_ENABLED"] = "false"
    try:
        uvicorn.run(
            "callplane.app:worker_app",
            factory=True,
            workers=workers,
            **_server_options(host, port),
        )
    finally:
        if engine is not None:
            engine.stop_engine()


def _secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)


@app.command()
def sandbox(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8100, help="Port to listen on."),
) -> None:
    """Run the Twilio sandbox alone (point any Twilio SDK at it)."""
    from callplane.sandbox.server import run_sandbox

    settings = get_settings()
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else None
    run_sandbox(host=host, port=port, account_sid=settings.twilio_account_sid, auth_token=token)


@app.command("migrate")
def migrate_cmd(
    revision: str = typer.Option("head", help="Target revision."),
    downgrade: bool = typer.Option(False, help="Downgrade to --revision instead."),
) -> None:
    """Apply database migrations."""
    from callplane.db import migrate as m

    url = get_settings().database_url
    if downgrade:
        m.downgrade(url, revision)
    else:
        m.upgrade(url, revision)
    typer.echo(f"database at {'downgraded to' if downgrade else 'upgraded to'} {revision}")


@apikeys_app.command("create")
def apikeys_create(
    platform: bool = typer.Option(False, "--platform", help="A platform key (all tenants)."),
    tenant: str | None = typer.Option(None, "--tenant", help="Tenant id or slug."),
    role: str = typer.Option("admin", "--role", help="admin or member (tenant keys)."),
    name: str | None = typer.Option(None, "--name", help="A label for the key."),
) -> None:
    """Create an API key and print it (it is shown once)."""
    if platform == bool(tenant):
        raise typer.BadParameter("give either --platform or --tenant T")
    key = asyncio.run(_create_key(platform=platform, tenant=tenant, role=role, name=name))
    typer.echo(key)


async def _create_key(*, platform: bool, tenant: str | None, role: str, name: str | None) -> str:
    from callplane.runtime import Runtime
    from callplane.tenancy import SYSTEM, Role
    from callplane.tenants.service import create_api_key, find_tenant_by_ref

    async with Runtime.create(get_settings()) as rt, rt.uow() as uow:
        tenant_id = None
        if not platform:
            if role not in ("admin", "member"):
                raise typer.BadParameter("--role must be admin or member")
            row = await find_tenant_by_ref(uow=uow, ref=str(tenant))
            if row is None:
                raise typer.BadParameter(f"no tenant {tenant!r}")
            tenant_id = row.id
        _, plain = await create_api_key(
            uow=uow,
            actor=SYSTEM,
            role=Role.platform if platform else Role(role),
            tenant_id=tenant_id,
            name=name,
        )
        return plain


@keys_app.command("rotate")
def keys_rotate(batch_size: int = typer.Option(200, help="Rows per transaction.")) -> None:
    """Re-encrypt every stored secret under the first key of CALLPLANE_ENCRYPTION_KEYS."""
    from rich.progress import Progress

    from callplane.runtime import Runtime
    from callplane.security.rotation import rotate_keys

    async def run() -> None:
        async with Runtime.create(get_settings()) as rt:
            with Progress(transient=True) as bar:
                task = bar.add_task("re-encrypting", total=None)
                report = await rotate_keys(
                    runtime=rt, batch_size=batch_size, progress=lambda n: bar.advance(task, n)
                )
        typer.echo(
            f"primary key {report.primary_kid}: {report.rotated} re-encrypted, "
            f"{report.already_current} already current, {report.raced} changed meanwhile"
        )

    asyncio.run(run())


# -- trunks (issue 6) -------------------------------------------------------------------------
trunks_app = typer.Typer(help="Per-tenant SIP trunks.", no_args_is_help=True)
app.add_typer(trunks_app, name="trunks")


@trunks_app.command("migrate")
def trunks_migrate(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant (id or slug)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report only; change nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Move numbers from legacy shared trunks to each owner's isolated trunk."""
    from callplane.db import models  # noqa: F401  (every table, for foreign keys)
    from callplane.runtime import Runtime
    from callplane.tenancy import Actor, Role
    from callplane.tenants.service import find_tenant_by_ref
    from callplane.trunks.migrate import migrate_legacy_trunks

    async def run() -> Any:
        async with Runtime.create(get_settings()) as rt, rt.uow() as uow:
            tenant_id = None
            if tenant:
                row = await find_tenant_by_ref(uow=uow, ref=tenant)
                if row is None:
                    raise typer.BadParameter(f"no tenant {tenant!r}")
                tenant_id = row.id
            actor = Actor(role=Role.platform, label="cli:trunks-migrate")
            return await migrate_legacy_trunks(
                uow=uow, actor=actor, tenant_id=tenant_id, dry_run=dry_run
            )

    report = asyncio.run(run())
    typer.echo(json.dumps(report.as_dict(), indent=2) if as_json else "\n".join(report.lines()))
    if report.errors:
        raise typer.Exit(1)


# -- jobs: reconcile, health, webhooks rewire, worker (issue 7) -------------------------------
# -- explain (issue 5) ------------------------------------------------------------------------
@app.command("explain")
def explain_cmd(
    to: str = typer.Option(..., "--to", help="The called number (any common format)."),
    account_sid: str | None = typer.Option(
        None, "--account-sid", help="The AccountSid Twilio would send (default: the number's own)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the explanation as JSON."),
) -> None:
    """Explain every step of the routing decision for calls and messages to a number."""
    from callplane.db import models  # noqa: F401  (every table, for foreign keys)
    from callplane.gateway.service import describe, explain
    from callplane.runtime import Runtime

    async def run() -> Any:
        async with Runtime.create(get_settings()) as rt, rt.uow() as uow:
            return await explain(uow=uow, to=to, account_sid=account_sid)

    result = asyncio.run(run())
    typer.echo(result.model_dump_json(indent=2) if as_json else describe(result))


jobs.register(app)
