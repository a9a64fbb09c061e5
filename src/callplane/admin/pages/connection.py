"""A tenant's Twilio connection: account model, credentials, health: `/admin/t/{tid}/connection...`."""

from __future__ import annotations

import uuid

from fastapi import Request
from starlette.responses import Response

from callplane.admin import forms
from callplane.admin.web import failed, ok, page_router, tenant_view, tenant_write
from callplane.connections import service as connections
from callplane.connections.schemas import ConnectionOut
from callplane.errors import ApiError

router = page_router()


@router.get("/t/{tid}/connection")
async def connection_page(request: Request, tid: uuid.UUID) -> Response:
    """The tenant's Twilio connection and its credential health."""
    page = await tenant_view(request, tid)
    conn = ConnectionOut.from_model(
        await connections.get_connection(uow=page.ctx.uow, scope=page.scope)
    )
    return page.render(
        "tenant/connection.html", title="Connection", section="connection", conn=conn
    )


@router.post("/t/{tid}/connection/health")
async def connection_test(request: Request, tid: uuid.UUID) -> Response:
    """Check the credentials now ("test now")."""
    page = await tenant_write(request, tid)
    try:
        conn = await connections.check_health(uow=page.ctx.uow, scope=page.scope)
    except ApiError as exc:
        return page.redirect("/connection", failed(exc.message))
    status = conn.health_status or "NOT_CONFIGURED"
    text = f"Connection test: {status}"
    if conn.health_latency_ms is not None:
        text += f" in {conn.health_latency_ms} ms"
    if conn.health_detail:
        text += f" ({conn.health_detail})"
    return page.redirect("/connection", ok(text) if status == "HEALTHY" else failed(text))


@router.post("/t/{tid}/connection")
async def connection_change(request: Request, tid: uuid.UUID) -> Response:
    """Choose the account model (byo credentials are verified at Twilio first)."""
    page = await tenant_write(request, tid)
    try:
        data = forms.connection_put(page.ctx.form)
        await connections.put_connection(uow=page.ctx.uow, scope=page.scope, data=data)
    except forms.Invalid as exc:
        return page.redirect("/connection", failed(str(exc)))
    except ApiError as exc:
        return page.redirect("/connection", failed(exc.message))
    return page.redirect("/connection", ok(f"The tenant now uses the {data.model} account model."))
