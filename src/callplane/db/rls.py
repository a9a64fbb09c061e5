"""PostgreSQL row-level security: the second wall between tenants (DESIGN section 11).

Every table with a `tenant_id` column (and `tenants` itself, by `id`) has RLS enabled and
forced (migration 0004), with one policy keyed on two transaction-local settings:

    callplane_scope: CASE WHEN current_setting('callplane.scope') = 'platform' THEN true
                          ELSE tenant_id = current_setting('callplane.tenant_id')::uuid END

- platform scope (`callplane.scope = 'platform'`), the explicit cross-tenant branch: every row
  (jobs, the CLI, platform keys outside tenant routes, the gateway, the outbox worker);
- tenant scope (`callplane.tenant_id`): that tenant's rows, for reads and writes.

With neither set a connection sees no row at all. Rows without a tenant (platform API keys,
unrouted events, platform audit rows, Stripe events for no tenant) are platform-only, except the
platform's compliance profiles, which any tenant scope may read (not write): they are the
defaults a tenant's purchases use.

The application sets the scope in each transaction (`set_config(..., true)`, transaction-local,
so a pooled connection never carries it to the next user): the unit of work's session applies
its `DbScope` whenever it begins a transaction (so again after every commit), and changes it
mid-transaction when the request learns who is calling. SQLite has no RLS; all of this is a
no-op there. Policies apply to the table owner only because they are FORCEd, and never to a
superuser or a BYPASSRLS role: `require_role` refuses to start the service, the worker or a CLI
job as one, unless CALLPLANE_ALLOW_RLS_BYPASS=true (then `check_role` warns).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import Session, SessionTransaction

from callplane.db import changes
from callplane.log import get_logger

log = get_logger(__name__)

TENANT_SETTING = "callplane.tenant_id"
SCOPE_SETTING = "callplane.scope"
PLATFORM = "platform"
# Where a session keeps its DbScope (Session.info).
INFO_KEY = "callplane_db_scope"

# One statement sets both settings for the rest of the transaction.
_SET = text(
    f"SELECT set_config('{SCOPE_SETTING}', :scope, true), "
    f"set_config('{TENANT_SETTING}', :tenant, true)"
)


@dataclass(frozen=True)
class DbScope:
    """What the database lets a transaction see: every tenant, one tenant, or nothing."""

    platform: bool = False
    tenant_id: uuid.UUID | None = None

    @classmethod
    def tenant(cls, tenant_id: uuid.UUID) -> DbScope:
        """One tenant's rows."""
        return cls(tenant_id=tenant_id)

    def params(self) -> dict[str, str]:
        """The values of the two settings."""
        return {
            "scope": PLATFORM if self.platform else ("tenant" if self.tenant_id else ""),
            "tenant": str(self.tenant_id) if self.tenant_id else "",
        }

    def __str__(self) -> str:
        if self.platform:
            return "platform"
        return f"tenant {self.tenant_id}" if self.tenant_id else "none"


PLATFORM_SCOPE = DbScope(platform=True)
NO_SCOPE = DbScope()


def _is_postgres(conn: Connection | AsyncConnection) -> bool:
    return conn.dialect.name == "postgresql"


def apply_sync(conn: Connection, scope: DbScope) -> None:
    """Set `scope` for the rest of this connection's current transaction (PostgreSQL only)."""
    if _is_postgres(conn):
        conn.execute(_SET, scope.params())


async def apply(conn: AsyncConnection, scope: DbScope) -> None:
    """Set `scope` for the rest of this connection's current transaction (PostgreSQL only)."""
    if _is_postgres(conn):
        await conn.execute(_SET, scope.params())


class ScopedSession(Session):
    """The service's sessions: each transaction starts with the session's DbScope applied, and
    notes whether it wrote a table whose rows are kept between changes (db/changes.py)."""


changes.track(ScopedSession)


@event.listens_for(ScopedSession, "after_begin")
def _after_begin(session: Session, _tx: SessionTransaction, connection: Connection) -> None:
    apply_sync(connection, session.info.get(INFO_KEY, NO_SCOPE))


def platform_options(connect_args: dict[str, Any]) -> dict[str, Any]:
    """libpq connect arguments that put every connection of an engine in platform scope for its
    whole life (a session-level setting, sent in the startup packet: no round trip). Only for
    engines that serve platform work and nothing else (the gateway's own pool)."""
    options = connect_args.get("options", "")
    extra = f"-c {SCOPE_SETTING}={PLATFORM}"
    return {**connect_args, "options": f"{options} {extra}".strip()}


class RlsBypassRefused(RuntimeError):
    """The database role bypasses row-level security, and CALLPLANE_ALLOW_RLS_BYPASS is not set."""


REFUSAL = (
    "refusing to start: the database role bypasses row-level security (a superuser or a "
    "BYPASSRLS role), so the second wall between tenants would be off. Connect as an ordinary "
    "role (docs/operations.md), or set CALLPLANE_ALLOW_RLS_BYPASS=true to run without it"
)


async def require_role(engine: AsyncEngine, *, allow_bypass: bool) -> None:
    """Refuse (`RlsBypassRefused`, one error line) a database role that bypasses row-level
    security, unless `allow_bypass` (then one warning, as `check_role`)."""
    bypassing = await _bypassing_role(engine)
    if bypassing is None:
        return
    if allow_bypass:
        _warn(bypassing)
        return
    log.error(REFUSAL, **bypassing)
    raise RlsBypassRefused(f"{REFUSAL} (role {bypassing['role']})")


async def check_role(engine: AsyncEngine) -> bool:
    """Warn when the database role bypasses row-level security; True when RLS applies."""
    bypassing = await _bypassing_role(engine)
    if bypassing is not None:
        _warn(bypassing)
    return bypassing is None


def _warn(bypassing: dict[str, Any]) -> None:
    log.warning(
        "the database role bypasses row-level security: tenant isolation rests on the "
        "application's filters alone; connect as an ordinary role (docs/operations.md)",
        **bypassing,
    )


async def _bypassing_role(engine: AsyncEngine) -> dict[str, Any] | None:
    """The role and why, when it bypasses row-level security; None when RLS binds it, on
    SQLite, or when the role cannot be read (the service then cannot serve anyway: /readyz)."""
    if engine.dialect.name != "postgresql":
        return None
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
                        "WHERE rolname = current_user"
                    )
                )
            ).first()
    except Exception as exc:  # noqa: BLE001 - a check at start must not stop the service
        log.warning("could not check the database role", error=type(exc).__name__)
        return None
    if row is None or not (row.rolsuper or row.rolbypassrls):
        return None
    return {
        "role": row.current_user,
        "superuser": bool(row.rolsuper),
        "bypassrls": bool(row.rolbypassrls),
    }
