"""Credential health of every connection: hourly (the job engine) and on demand.

HEALTHY: the account answered within 2 s; DEGRADED: slower, or Twilio answered an error;
DOWN: Twilio refused the credentials, or the account is suspended or closed; NOT_CONFIGURED: no
account yet (a subaccount not made, or no platform account). Tenants that reach Twilio with the
same credentials are probed once (the master account once for all its tenants), and the result is
recorded on each connection (`health` of `GET /v1/tenants/{tid}/connection`).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from twilio.base.exceptions import TwilioRestException

from callplane.connections import access
from callplane.connections import service as connections
from callplane.connections.models import Connection, ConnectionStatus
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.events.service import health_changed
from callplane.jobs.models import JobRun
from callplane.jobs.releasing import JOB_ACTOR
from callplane.jobs.runs import execute_recorded
from callplane.jobs.schemas import ConnectionHealthOut
from callplane.log import get_logger
from callplane.runtime import Runtime
from callplane.tenancy import TenantScope
from callplane.tenants.models import Tenant, TenantStatus

log = get_logger(__name__)

STATUSES = ("HEALTHY", "DEGRADED", "DOWN", "NOT_CONFIGURED")


async def probe_connection(
    *, uow: UnitOfWork, conn: Connection
) -> tuple[str, int | None, str | None]:
    """`connections.service.probe`, with the cause spelled out when a subaccount is refused.

    A suspended or closed subaccount refuses its own token (20003) like a wrong token does; its
    parent still sees it, so the parent's credentials tell which it is.
    """
    status, latency, detail = await connections.probe(uow=uow, conn=conn)
    refused = status == "DOWN" and conn.model == "subaccount" and "refused" in (detail or "")
    parent = access.parent_credentials(uow, conn.account_sid) if conn.account_sid else None
    if refused and parent is not None:
        client = access.twilio_client(uow, parent)
        try:
            account = await client.api.v2010.accounts(conn.account_sid).fetch_async()
        except (TwilioRestException, Exception):  # noqa: BLE001 - keep the first answer
            return status, latency, detail
        if account.status != "active":
            return "DOWN", latency, f"the Twilio account is {account.status}"
    return status, latency, detail


def _probe_key(uow: UnitOfWork, conn: Connection) -> tuple[Any, ...]:
    """Connections with the same key get the same answer from Twilio."""
    if conn.model == "master":
        return ("master",)
    if conn.status != ConnectionStatus.active or not conn.account_sid:
        return ("conn", conn.id)
    try:
        creds = access.credentials(uow, conn)
    except Exception:  # noqa: BLE001 - unreadable secret: probe it alone (it will say why)
        return ("conn", conn.id)
    return (
        conn.model,
        creds.account_sid,
        creds.auth_token,
        creds.api_key_sid,
        creds.api_key_secret,
    )


async def check_all(
    runtime: Runtime, *, tenant_id: uuid.UUID | None = None, concurrency: int | None = None
) -> dict[str, Any]:
    """Probe every tenant's connection (offboarded tenants aside) and record the results."""
    started = time.monotonic()
    async with runtime.uow() as uow:
        stmt = select(Tenant.id).where(Tenant.status != TenantStatus.offboarded)
        if tenant_id is not None:
            stmt = stmt.where(Tenant.id == tenant_id)
        tenant_ids = list((await uow.session.execute(stmt)).scalars())
        wanted = set(tenant_ids)
        conns = {
            c.tenant_id: c
            for c in (await uow.session.execute(select(Connection))).scalars()
            if c.tenant_id in wanted
        }
        # A tenant that never chose gets its default (master) connection stored, like
        # `POST connection/health` does, so that its last result has a place.
        missing = [tid for tid in tenant_ids if tid not in conns]
        if missing:
            for tid in missing:
                scope = TenantScope(tenant_id=tid, actor=JOB_ACTOR)
                uow.repo(Connection, scope).add(
                    connections.default_connection(uow=uow, scope=scope)
                )
            try:
                await uow.commit()
            except IntegrityError:  # a request stored one meanwhile: use what is there
                await uow.rollback()
            conns = {
                c.tenant_id: c
                for c in (await uow.session.execute(select(Connection))).scalars()
                if c.tenant_id in wanted
            }
        groups: dict[tuple[Any, ...], list[Connection]] = {}
        for conn in conns.values():
            groups.setdefault(_probe_key(uow, conn), []).append(conn)

        slots = asyncio.Semaphore(concurrency or runtime.settings.twilio_concurrency)
        results: dict[tuple[Any, ...], tuple[str, int | None, str | None]] = {}

        async def one(key: tuple[Any, ...], conn: Connection) -> None:
            async with slots:
                try:
                    results[key] = await probe_connection(uow=uow, conn=conn)
                except Exception as exc:  # noqa: BLE001 - a check reports, never raises
                    results[key] = ("DOWN", None, f"check failed: {type(exc).__name__}")

        await asyncio.gather(*(one(key, members[0]) for key, members in groups.items()))
        now = utcnow()
        counts = dict.fromkeys(STATUSES, 0)
        for key, members in groups.items():
            status, latency, detail = results[key]
            for conn in members:
                counts[status] += 1
                health_changed(
                    uow,
                    tenant_id=conn.tenant_id,
                    previous=conn.health_status,
                    status=status,
                    detail=detail,
                )
                await uow.session.execute(
                    update(Connection)
                    .where(Connection.id == conn.id)
                    .values(
                        health_status=status,
                        health_latency_ms=latency,
                        health_detail=(detail or None) and detail[:500],
                        health_checked_at=now,
                    )
                    .execution_options(synchronize_session=False)
                )
        await uow.commit()
    summary = {
        "connections": sum(counts.values()),
        "accounts_probed": len(groups),
        **counts,
        "duration_ms": int((time.monotonic() - started) * 1000),
    }
    log.info("credential health checked", **summary)
    return summary


async def execute_health_run(
    runtime: Runtime, run_id: uuid.UUID, *, executor: str
) -> dict[str, Any]:
    """Run a recorded health check (a scheduled slot, or on demand) and keep its summary."""

    async def work(run: JobRun) -> dict[str, Any]:
        return await check_all(runtime, tenant_id=run.scope_tenant_id)

    return await execute_recorded(runtime, run_id, executor=executor, work=work)


async def list_health(runtime: Runtime) -> list[dict[str, Any]]:
    """The last result of every tenant's connection (tenants without one: not checked yet)."""
    async with runtime.uow() as uow:
        rows = (
            await uow.session.execute(
                select(Tenant, Connection)
                .outerjoin(Connection, Connection.tenant_id == Tenant.id)
                .where(Tenant.status != TenantStatus.offboarded)
                .order_by(Tenant.created_at, Tenant.id)
            )
        ).all()
        platform = access.platform_credentials(uow)
        return [
            ConnectionHealthOut.from_model(tenant, conn, platform).model_dump()
            for tenant, conn in rows
        ]
