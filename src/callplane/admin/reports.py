"""Read-only views the console needs and the API has no list for (newest-first activity, daily
counts, the platform's tenant table). Tenant data is read through `uow.repo(Model, scope)`, which
adds the tenant filter; the platform table composes the same service functions as the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func

from callplane.agents.models import Agent
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.gateway.models import Event
from callplane.numbers import service as numbers
from callplane.reconcile import health
from callplane.tenancy import Actor, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.models import Subscription, Tenant

CALL_KINDS = ("voice", "outbound_call")
MESSAGE_KINDS = ("sms", "outbound_sms")
ACTIVITY_KINDS = CALL_KINDS + MESSAGE_KINDS


async def recent_events(
    *, uow: UnitOfWork, scope: TenantScope, limit: int = 20, kinds: tuple[str, ...] = ACTIVITY_KINDS
) -> list[Event]:
    """The tenant's latest calls and messages, newest first."""
    stmt = (
        uow.repo(Event, scope)
        .select()
        .where(Event.kind.in_(kinds))
        .order_by(Event.received_at.desc(), Event.id.desc())
        .limit(limit)
    )
    return list((await uow.session.execute(stmt)).scalars())


async def daily_counts(
    *, uow: UnitOfWork, scope: TenantScope, days: int = 14, now: datetime | None = None
) -> tuple[date, dict[date, tuple[int, int]]]:
    """(today in UTC, {day: (calls, messages)}) over the last `days` days, counted in SQL."""
    now = now or utcnow()
    today = now.date()
    since = datetime.combine(
        today - timedelta(days=days - 1), datetime.min.time(), tzinfo=now.tzinfo
    )
    if uow.session.bind.dialect.name == "postgresql":
        day = func.date(func.timezone("UTC", Event.received_at))
    else:  # SQLite keeps UTC timestamps as ISO text: date() reads the day from it
        day = func.date(Event.received_at)
    stmt = (
        uow.repo(Event, scope)
        .select()
        .where(Event.kind.in_(ACTIVITY_KINDS), Event.received_at >= since)
        .with_only_columns(day.label("day"), Event.kind, func.count().label("n"))
        .group_by(day, Event.kind)
    )
    counts: dict[date, list[int]] = {}
    for row in (await uow.session.execute(stmt)).all():
        when = row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day)[:10])
        slot = counts.setdefault(when, [0, 0])
        slot[0 if row.kind in CALL_KINDS else 1] += int(row.n)
    return today, {k: (v[0], v[1]) for k, v in counts.items()}


async def agent_names(*, uow: UnitOfWork, scope: TenantScope) -> dict[uuid.UUID, str]:
    """{agent id: name} of the tenant's agents."""
    return {a.id: a.name for a in await uow.repo(Agent, scope).all(order_by=[Agent.created_at])}


@dataclass
class TenantRow:
    """One line of the platform's tenant table."""

    tenant: Tenant
    model: str
    account_sid: str | None
    connection_status: str
    health: dict[str, Any]
    used: int
    quota: int
    plan: str | None
    subscription_status: str | None


async def tenant_rows(
    *, uow: UnitOfWork, actor: Actor, cursor: str | None, limit: int
) -> tuple[list[TenantRow], str | None]:
    """A page of tenants with their connection, health, numbers used / quota and subscription."""
    page, next_cursor = await tenants.list_tenants(uow=uow, cursor=cursor, limit=limit)
    by_tenant = {row["tenant_id"]: row for row in await health.list_health(uow.runtime)}
    rows = []
    for tenant in page:
        scope = TenantScope(tenant_id=tenant.id, actor=actor)
        conn = by_tenant.get(tenant.id)
        sub = await uow.repo(Subscription, scope).find()
        rows.append(
            TenantRow(
                tenant=tenant,
                model=conn["model"] if conn else "—",
                account_sid=conn["account_sid"] if conn else None,
                connection_status=conn["status"] if conn else tenant.status,
                health=conn["health"] if conn else {"status": "NOT_CONFIGURED"},
                used=await numbers.held_count(uow=uow, scope=scope),
                quota=await tenants.phone_number_quota(uow=uow, scope=scope),
                plan=sub.plan_name if sub else None,
                subscription_status=sub.status if sub else None,
            )
        )
    return rows, next_cursor
