"""A tenant at a glance (`/admin/t/{tid}`) and its calls and messages (`/admin/t/{tid}/activity`)."""

from __future__ import annotations

import uuid

from fastapi import Request
from starlette.responses import Response

from callplane.admin import reports
from callplane.admin.chart import activity_chart, last_days
from callplane.admin.web import page_router, tenant_view
from callplane.events import service as webhook_endpoints

router = page_router()


@router.get("/t/{tid}")
async def tenant_overview(request: Request, tid: uuid.UUID) -> Response:
    """The tenant at a glance: usage, connection, trunk, 14 days of activity, the latest events."""
    page = await tenant_view(request, tid)
    seen = await reports.overview(uow=page.ctx.uow, scope=page.scope)
    endpoints = await webhook_endpoints.list_endpoints(uow=page.ctx.uow, scope=page.scope)
    return page.render(
        "tenant/overview.html",
        title=page.tenant.name,
        section="overview",
        chart=activity_chart(last_days(seen.activity.counts, today=seen.activity.today)),
        events=seen.activity.events,
        agents=seen.activity.agents,
        conn=seen.conn,
        trunk=seen.trunk,
        disabled_endpoints=[e for e in endpoints if not e.enabled and e.disabled_reason],
        **seen.usage.values(),
    )


@router.get("/t/{tid}/activity")
async def tenant_activity(request: Request, tid: uuid.UUID, show: str | None = None) -> Response:
    """Recent calls and messages with their route decision."""
    page = await tenant_view(request, tid)
    seen = await reports.activity(uow=page.ctx.uow, scope=page.scope, show=show)
    return page.render(
        "tenant/activity.html",
        title="Activity",
        section="activity",
        chart=activity_chart(last_days(seen.counts, today=seen.today)),
        events=seen.events,
        agents=seen.agents,
        show=show if show in reports.ACTIVITY_SHOWS else "",
    )
