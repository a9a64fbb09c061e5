"""What the console's pages show, read in one call per page.

The console's own service module for reads: each function composes the same service functions as
the API (and, where the API has no list for it, a read of its own: newest-first activity, daily
counts, the platform's tenant table) into what one page shows. Tenant data is read through
`uow.repo(Model, scope)`, which adds the tenant filter; pages never touch a repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func

from callplane.agents import service as agents
from callplane.agents.models import Agent
from callplane.agents.schemas import AgentOut
from callplane.connections import service as connections
from callplane.connections.schemas import ConnectionOut
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, NotFound
from callplane.gateway import service as gateway
from callplane.gateway.models import Event
from callplane.gateway.schemas import ExplainOut
from callplane.jobs import health
from callplane.numbers import guards, search
from callplane.numbers import service as numbers
from callplane.numbers.models import PhoneNumber
from callplane.numbers.schemas import AvailableNumberOut, NumberOut, PricingOut
from callplane.numbers.states import HELD_STATUSES
from callplane.runtime import Runtime
from callplane.tenancy import Actor, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.models import Plan, Subscription, Tenant
from callplane.trunks import service as trunks
from callplane.trunks.schemas import TrunkOut

CALL_KINDS = ("voice", "outbound_call")
MESSAGE_KINDS = ("sms", "outbound_sms")
ACTIVITY_KINDS = CALL_KINDS + MESSAGE_KINDS
ACTIVITY_SHOWS = {"calls": CALL_KINDS, "messages": MESSAGE_KINDS}
MANY = 200  # the console lists up to this many agents / numbers on one page


# -- reads the API has no list for ------------------------------------------------------------


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
    return list((await uow.session.execute(stmt)).scalars().all())


async def daily_counts(
    *, uow: UnitOfWork, scope: TenantScope, days: int = 14, now: datetime | None = None
) -> tuple[date, dict[date, tuple[int, int]]]:
    """(today in UTC, {day: (calls, messages)}) over the last `days` days, counted in SQL."""
    now = now or utcnow()
    today = now.date()
    since = datetime.combine(
        today - timedelta(days=days - 1), datetime.min.time(), tzinfo=now.tzinfo
    )
    if uow.session.get_bind().dialect.name == "postgresql":
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


async def _unheld_count(uow: UnitOfWork, scope: TenantScope) -> int:
    """The tenant's numbers no longer held (released or failed)."""
    return await uow.repo(PhoneNumber, scope).count(PhoneNumber.status.not_in(HELD_STATUSES))


async def _subscription(uow: UnitOfWork, scope: TenantScope) -> Subscription | None:
    try:
        return await tenants.get_subscription(uow=uow, scope=scope)
    except NotFound:
        return None


async def _trunk(uow: UnitOfWork, scope: TenantScope) -> TrunkOut | None:
    try:
        return TrunkOut.from_result(await trunks.get_trunk(uow=uow, scope=scope))
    except NotFound:
        return None


# -- the platform's pages -----------------------------------------------------------------------


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


@dataclass
class TenantTable:
    """A page of the platform's tenant table, and the plans a new tenant may start on."""

    rows: list[TenantRow]
    next_cursor: str | None
    plans: list[Plan]


async def tenant_table(
    *, uow: UnitOfWork, runtime: Runtime, actor: Actor, cursor: str | None, limit: int
) -> TenantTable:
    """A page of tenants with their connection, health, numbers used / quota and subscription."""
    page, next_cursor = await tenants.list_tenants(uow=uow, cursor=cursor, limit=limit)
    by_tenant = {row["tenant_id"]: row for row in await health.list_health(runtime)}
    rows = []
    for tenant in page:
        scope = TenantScope(tenant_id=tenant.id, actor=actor)
        conn = by_tenant.get(tenant.id)
        sub = await _subscription(uow, scope)
        rows.append(
            TenantRow(
                tenant=tenant,
                model=conn["model"] if conn else "—",
                account_sid=conn["account_sid"] if conn else None,
                connection_status=conn["status"] if conn else tenant.status,
                health=conn["health"] if conn else {"status": "NOT_CONFIGURED"},
                used=await guards.held_count(uow=uow, scope=scope),
                quota=await tenants.phone_number_quota(uow=uow, scope=scope),
                plan=sub.plan_name if sub else None,
                subscription_status=sub.status if sub else None,
            )
        )
    return TenantTable(rows, next_cursor, await tenants.list_plans(uow=uow))


@dataclass
class HealthBoard:
    """Every connection's last credential health, and how many are in each status."""

    rows: list[dict[str, Any]]
    counts: dict[str, int]


async def health_board(runtime: Runtime) -> HealthBoard:
    """The credential health page: every connection, counted by status."""
    rows = await health.list_health(runtime)
    counts = dict.fromkeys(health.STATUSES, 0)
    for row in rows:
        counts[row["health"]["status"]] = counts.get(row["health"]["status"], 0) + 1
    return HealthBoard(rows, counts)


# -- a tenant's pages ---------------------------------------------------------------------------


@dataclass
class Usage:
    """Numbers held against the plan's quota, and the subscription."""

    used: int
    quota: int
    subscription: Subscription | None

    def values(self) -> dict[str, Any]:
        """The template's `used`, `quota` and `subscription`."""
        return {"used": self.used, "quota": self.quota, "subscription": self.subscription}


async def usage(*, uow: UnitOfWork, scope: TenantScope) -> Usage:
    """The tenant's numbers used, its quota and its subscription (None without one)."""
    return Usage(
        used=await guards.held_count(uow=uow, scope=scope),
        quota=await tenants.phone_number_quota(uow=uow, scope=scope),
        subscription=await _subscription(uow, scope),
    )


@dataclass
class Activity:
    """Calls and messages: per day (the chart) and the latest ones, with their agents' names."""

    today: date
    counts: dict[date, tuple[int, int]]
    events: list[Event]
    agents: dict[uuid.UUID, str]


async def activity(
    *, uow: UnitOfWork, scope: TenantScope, show: str | None = None, limit: int = 50
) -> Activity:
    """14 days of counts and the latest `limit` events (`show`: calls, messages, else both)."""
    today, counts = await daily_counts(uow=uow, scope=scope)
    kinds = ACTIVITY_SHOWS.get(show or "", ACTIVITY_KINDS)
    return Activity(
        today=today,
        counts=counts,
        events=await recent_events(uow=uow, scope=scope, limit=limit, kinds=kinds),
        agents=await agent_names(uow=uow, scope=scope),
    )


@dataclass
class Overview:
    """The tenant at a glance."""

    activity: Activity
    conn: ConnectionOut
    trunk: TrunkOut | None
    usage: Usage


async def overview(*, uow: UnitOfWork, scope: TenantScope) -> Overview:
    """Usage, connection, trunk, 14 days of activity and the latest 8 events."""
    return Overview(
        activity=await activity(uow=uow, scope=scope, limit=8),
        conn=ConnectionOut.from_model(await connections.get_connection(uow=uow, scope=scope)),
        trunk=await _trunk(uow, scope),
        usage=await usage(uow=uow, scope=scope),
    )


@dataclass
class NumbersTable:
    """A page of the tenant's numbers, with what the table needs around them."""

    numbers: list[NumberOut]
    next_cursor: str | None
    hidden: int  # released and failed numbers left out (0 when every number is shown)
    agents: dict[uuid.UUID, str]
    usage: Usage


async def numbers_table(
    *, uow: UnitOfWork, scope: TenantScope, show_all: bool, cursor: str | None, limit: int = 100
) -> NumbersTable:
    """The numbers held (or every number, `show_all`), agents to attach, usage against quota."""
    rows, next_cursor = await numbers.list_numbers(
        uow=uow,
        scope=scope,
        statuses=None if show_all else list(HELD_STATUSES),
        cursor=cursor,
        limit=limit,
    )
    from callplane.providers.views import numbers_out

    return NumbersTable(
        numbers=await numbers_out(uow, scope, rows),  # with their provider registration
        next_cursor=next_cursor,
        hidden=0 if show_all else await _unheld_count(uow, scope),
        agents=await agent_names(uow=uow, scope=scope),
        usage=await usage(uow=uow, scope=scope),
    )


@dataclass
class NumberSearch:
    """Numbers available to buy with their prices (when a country was given), and usage."""

    found: list[AvailableNumberOut] | None
    pricing: PricingOut | None
    error: str | None
    usage: Usage


async def number_search(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    country: str | None,
    number_type: str,
    contains: str | None,
    limit: int = 12,
) -> NumberSearch:
    """Search when a country is given; a failed price lookup never blocks the search."""
    found = pricing = error = None
    if country:
        try:
            found = await search.search_available(
                uow=uow,
                scope=scope,
                country=country,
                number_type=number_type,
                contains=contains,
                limit=limit,
            )
        except ApiError as exc:
            error = exc.message
        if found is not None:
            try:
                pricing = await search.get_pricing(uow=uow, scope=scope, country=country)
            except ApiError:
                pricing = None
    return NumberSearch(found, pricing, error, await usage(uow=uow, scope=scope))


@dataclass
class NumberView:
    """One number, the agents it may route to, and the tenant's trunk (if any)."""

    number: NumberOut
    agents: dict[uuid.UUID, str]
    trunk: TrunkOut | None


async def number_view(*, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID) -> NumberView:
    """A number's page."""
    number = await numbers.get_number(uow=uow, scope=scope, number_id=number_id)
    return NumberView(
        number=NumberOut.from_model(number),
        agents=await agent_names(uow=uow, scope=scope),
        trunk=await _trunk(uow, scope),
    )


@dataclass
class NumberExplained:
    """A number and, while it is held, how the gateway routes its calls and messages."""

    number: NumberOut
    result: ExplainOut | None


async def explain_number(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID
) -> NumberExplained:
    """`explain` for one of the tenant's numbers; a tenant key sees only its own tenant in it."""
    number = await numbers.get_number(uow=uow, scope=scope, number_id=number_id)
    result = None
    if number.status in HELD_STATUSES:
        result = await gateway.explain(uow=uow, to=number.e164, account_sid=number.account_sid)
        if not scope.actor.is_platform:
            result = _tenant_view_of(result)
    return NumberExplained(NumberOut.from_model(number), result)


def _tenant_view_of(result: ExplainOut) -> ExplainOut:
    """What a tenant key may see of an explanation: not which other tenants share an account."""
    steps = []
    for step in result.steps:
        if step.step == "account":
            step = step.model_copy(
                update={
                    "summary": f"the gateway knows the account {result.account_sid}"
                    if step.ok
                    else f"the gateway does not know the account {result.account_sid}",
                    "data": {},
                }
            )
        steps.append(step)
    return result.model_copy(update={"steps": steps})


@dataclass
class AgentsTable:
    """The tenant's agents and the numbers routed to each."""

    agents: list[AgentOut]
    numbers_of: dict[uuid.UUID, list[str]]


async def agents_table(*, uow: UnitOfWork, scope: TenantScope) -> AgentsTable:
    """The agents page: every agent (up to 200) and the held numbers attached to it."""
    rows, _ = await agents.list_agents(uow=uow, scope=scope, cursor=None, limit=MANY)
    held, _ = await numbers.list_numbers(
        uow=uow, scope=scope, statuses=list(HELD_STATUSES), cursor=None, limit=MANY
    )
    return AgentsTable([AgentOut.from_model(a) for a in rows], _numbers_by_agent(held))


def _numbers_by_agent(held: Sequence[PhoneNumber]) -> dict[uuid.UUID, list[str]]:
    by_agent: dict[uuid.UUID, list[str]] = {}
    for n in held:
        if n.agent_id:
            by_agent.setdefault(n.agent_id, []).append(n.e164)
    return by_agent


@dataclass
class TrunkView:
    """The tenant's trunk (None before it is set up) and the numbers that may go on it."""

    trunk: TrunkOut | None
    numbers: list[PhoneNumber]


async def trunk_view(*, uow: UnitOfWork, scope: TenantScope) -> TrunkView:
    """The trunk page: the stored trunk (no Twilio call) and the tenant's active numbers."""
    held, _ = await numbers.list_numbers(
        uow=uow, scope=scope, statuses=["active"], cursor=None, limit=MANY
    )
    return TrunkView(await _trunk(uow, scope), held)
