"""Routing explanations: any number (`/admin/explain`, platform) and one of a tenant's numbers
(`/admin/t/{tid}/numbers/{nid}/explain`)."""

from __future__ import annotations

import uuid

from fastapi import Request
from starlette.responses import Response

from callplane.admin import reports
from callplane.admin.web import failed, page_router, platform_view, tenant_view
from callplane.errors import ApiError
from callplane.gateway import service as gateway

router = page_router()


@router.get("/explain")
async def platform_explain(
    request: Request, to: str | None = None, account_sid: str | None = None
) -> Response:
    """Every step of the routing decision for any number (platform)."""
    ctx = await platform_view(request)
    result = error = None
    if to:
        try:
            result = await gateway.explain(
                uow=ctx.uow, to=to[:64], account_sid=(account_sid or "").strip()[:34] or None
            )
        except ApiError as exc:
            error = exc.message
    return ctx.render(
        "platform/explain.html",
        title="Explain a number",
        section="explain",
        result=result,
        to=to or "",
        account_sid=account_sid or "",
        flashes=[failed(error)] if error else [],
    )


@router.get("/t/{tid}/numbers/{nid}/explain")
async def explain_number(request: Request, tid: uuid.UUID, nid: uuid.UUID) -> Response:
    """Every step of the routing decision for one of the tenant's numbers."""
    page = await tenant_view(request, tid)
    found = await reports.explain_number(uow=page.ctx.uow, scope=page.scope, number_id=nid)
    return page.render(
        "tenant/explain.html",
        title=f"Explain {found.number.phone_number}",
        section="numbers",
        number=found.number,
        result=found.result,
    )
