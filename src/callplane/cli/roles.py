"""The check `serve`, `worker` and the jobs' commands run before they open the database."""

from __future__ import annotations

import asyncio

import typer

from callplane.settings import Settings


def require_ordinary_role(settings: Settings) -> None:
    """Exit 1 with a clear error when the database role bypasses row-level security (a
    superuser or BYPASSRLS role on PostgreSQL), unless CALLPLANE_ALLOW_RLS_BYPASS=true."""
    if not settings.database_url.startswith("postgresql"):
        return
    from callplane.db.engine import create_engine
    from callplane.db.rls import RlsBypassRefused, require_role

    async def check() -> None:
        engine = create_engine(settings.database_url)
        try:
            await require_role(engine, allow_bypass=settings.allow_rls_bypass)
        finally:
            await engine.dispose()

    try:
        asyncio.run(check())
    except RlsBypassRefused as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
