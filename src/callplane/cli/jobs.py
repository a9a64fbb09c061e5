"""The jobs' commands: `reconcile`, `webhooks rewire`, `health`, `retention` and `worker` (the
job engine alone); each on-demand run is recorded as a job run, as the daily slots' are."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import typer

from callplane.cli.roles import require_ordinary_role
from callplane.settings import get_settings

webhooks_app = typer.Typer(help="Webhook wiring of managed numbers.", no_args_is_help=True)


async def _job_tenant(rt: Any, tenant: str | None) -> uuid.UUID | None:
    """A tenant given by id or slug (None: every tenant)."""
    if tenant is None:
        return None
    from callplane.tenants.service import find_tenant_by_ref

    async with rt.uow() as uow:
        found = await find_tenant_by_ref(uow=uow, ref=tenant)
        found_id = found.id if found is not None else None
    if found_id is None:
        raise typer.BadParameter(f"no tenant {tenant!r}")
    return found_id


def _run_reconcile(job: str, dry_run: bool, tenant: str | None, as_json: bool) -> dict[str, Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from callplane.db import models  # noqa: F401  (every table, for foreign keys)
    from callplane.jobs import runs
    from callplane.jobs.reconcile.run import execute_run
    from callplane.runtime import Runtime

    require_ordinary_role(get_settings())

    async def run() -> dict[str, Any]:
        async with Runtime.create(get_settings()) as rt:
            tenant_id = await _job_tenant(rt, tenant)
            run_id = await runs.create_run(
                rt, job=job, trigger="cli", dry_run=dry_run, tenant_id=tenant_id
            )
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, transient=True, disable=as_json) as bar:
                task = bar.add_task("accounts" + (" (dry run)" if dry_run else ""), total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                await execute_run(rt, run_id, executor="cli", progress=progress)
            found = await runs.get_run(rt, run_id)
            assert found is not None
            return {
                "id": str(found.id),
                "dry_run": found.dry_run,
                "status": found.status,
                "summary": found.summary,
                "orphans": found.orphans,
                "failures": (found.progress or {}).get("failures", []),
            }

    return asyncio.run(run())


def _print_run(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report, indent=2, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    title = f"run {report['id']}" + (" (dry run: nothing changed)" if report["dry_run"] else "")
    table = Table(title=title)
    table.add_column("counter")
    table.add_column("value", justify="right")
    for key, value in report["summary"].items():
        table.add_row(key, str(value))
    console.print(table)
    for orphan in report["orphans"][:20]:
        console.print(
            f"orphan: {orphan.get('phone_number')} ({orphan.get('sid')}) "
            f"in {orphan.get('account_sid')}"
        )
    for failure in report["failures"][:20]:
        console.print(f"not checked: account {failure.get('account_sid')} ({failure.get('code')})")


def reconcile_cmd(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would change; change nothing."
    ),
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant (id or slug)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run as JSON."),
) -> None:
    """Bring Twilio and the database back into agreement now (what the daily job does)."""
    _print_run(_run_reconcile("reconcile", dry_run, tenant, as_json), as_json)


@webhooks_app.command("rewire")
def webhooks_rewire(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would change; change nothing."
    ),
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant (id or slug)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run as JSON."),
) -> None:
    """Point every managed number whose URLs differ (e.g. a new CALLPLANE_PUBLIC_BASE_URL) at the
    generic webhook URLs; unmanaged numbers are never touched."""
    _print_run(_run_reconcile("rewire", dry_run, tenant, as_json), as_json)


def health_cmd(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant (id or slug)."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Check every connection's Twilio credentials now and print the results."""
    from callplane.db import models  # noqa: F401  (every table, for foreign keys)
    from callplane.jobs import health, runs
    from callplane.runtime import Runtime

    require_ordinary_role(get_settings())

    async def run() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        async with Runtime.create(get_settings()) as rt:
            tenant_id = await _job_tenant(rt, tenant)
            run_id = await runs.create_run(rt, job="health", trigger="cli", tenant_id=tenant_id)
            summary = await health.execute_health_run(rt, run_id, executor="cli")
            rows = await health.list_health(rt)
            if tenant_id is not None:
                rows = [r for r in rows if r["tenant_id"] == tenant_id]
            return summary, rows

    summary, rows = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps({"summary": summary, "data": rows}, indent=2, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    colours = {"HEALTHY": "green", "DEGRADED": "yellow", "DOWN": "red", "NOT_CONFIGURED": "dim"}
    table = Table(title="connection health")
    for column in ("tenant", "model", "account", "status", "latency", "detail"):
        table.add_column(column)
    for row in rows:
        h = row["health"]
        table.add_row(
            row["slug"],
            row["model"],
            row["account_sid"] or "-",
            f"[{colours.get(h['status'], 'white')}]{h['status']}[/]",
            f"{h['latency_ms']} ms" if h["latency_ms"] is not None else "-",
            h["detail"] or "",
        )
    Console().print(table)
    typer.echo(", ".join(f"{k}: {summary.get(k, 0)}" for k in health.STATUSES))


def worker_cmd() -> None:
    """Run the job engine only (schedules and durable jobs), without the HTTP API."""
    import signal
    import threading

    from callplane.db import models  # noqa: F401  (every table, for foreign keys)
    from callplane.jobs import engine as jobs

    require_ordinary_role(get_settings())
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    executor = jobs.start_engine(get_settings())
    typer.echo(f"callplane worker {executor} running (Ctrl-C to stop)", err=True)
    try:
        stop.wait()
    finally:
        jobs.stop_engine()


def retention_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
) -> None:
    """Delete events older than CALLPLANE_EVENTS_RETENTION_DAYS now, but what is still owed."""
    from callplane.db import models  # noqa: F401  (every table, for foreign keys)
    from callplane.jobs.retention import retention_now
    from callplane.runtime import Runtime

    require_ordinary_role(get_settings())

    async def run() -> dict[str, Any]:
        async with Runtime.create(get_settings()) as rt:
            return await retention_now(rt, trigger="cli")

    summary = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    typer.echo(", ".join(f"{key}: {value}" for key, value in summary.items()))


def register(app: typer.Typer) -> None:
    """Add the jobs' commands to the `callplane` command line."""
    app.command("reconcile")(reconcile_cmd)
    app.add_typer(webhooks_app, name="webhooks")
    app.command("health")(health_cmd)
    app.command("retention")(retention_cmd)
    app.command("worker")(worker_cmd)
