"""A tenant's SIP trunk: set up, numbers on it, password rotation: `/admin/t/{tid}/trunk...`.

The SIP password appears on the answer that issued it and nowhere else (never in a flash cookie).
"""

from __future__ import annotations

import uuid

from fastapi import Request
from starlette.responses import HTMLResponse, Response

from callplane.admin import forms, reports
from callplane.admin.session import Flash
from callplane.admin.web import TenantPage, failed, ok, page_router, tenant_view, tenant_write
from callplane.errors import ApiError
from callplane.trunks import service as trunks

router = page_router()


async def _trunk_page(
    page: TenantPage,
    *,
    password: str | None = None,
    status: int = 200,
    flashes: list[Flash] | None = None,
) -> HTMLResponse:
    view = await reports.trunk_view(uow=page.ctx.uow, scope=page.scope)
    return page.render(
        "tenant/trunk.html",
        status=status,
        title="SIP trunk",
        section="trunk",
        trunk=view.trunk,
        password=password,
        numbers=view.numbers,
        flashes=flashes or [],
        default_origination=page.ctx.runtime.settings.origination_sip_uri or "",
    )


@router.get("/t/{tid}/trunk")
async def trunk_page(request: Request, tid: uuid.UUID) -> Response:
    """The tenant's trunk: termination, origination, SIP user, numbers on it."""
    return await _trunk_page(await tenant_view(request, tid))


@router.post("/t/{tid}/trunk")
async def trunk_ensure(request: Request, tid: uuid.UUID) -> Response:
    """Set up the trunk (or change its origination), as `PUT trunk` does."""
    page = await tenant_write(request, tid)
    try:
        result = await trunks.ensure_trunk(
            uow=page.ctx.uow,
            scope=page.scope,
            origination_sip_uri=forms.text(page.ctx.form, "origination_sip_uri"),
        )
    except ApiError as exc:
        return page.redirect("/trunk", failed(exc.message))
    if result.sip_password:
        return await _trunk_page(
            page,
            password=result.sip_password,
            status=201 if result.created else 200,
            flashes=[ok("The trunk is ready. Copy the SIP password now: it is not shown again.")],
        )
    return page.redirect("/trunk", ok("The trunk is up to date."))


@router.post("/t/{tid}/trunk/add")
async def trunk_add(request: Request, tid: uuid.UUID) -> Response:
    """Put the chosen number on the trunk (`PUT trunk/phone-numbers/{nid}`)."""
    page = await tenant_write(request, tid)
    try:
        number_id = uuid.UUID(forms.text(page.ctx.form, "number_id") or "")
    except ValueError:
        return page.redirect("/trunk", failed("choose a number from the list"))
    try:
        number, _ = await trunks.attach_number(
            uow=page.ctx.uow, scope=page.scope, number_id=number_id
        )
    except ApiError as exc:
        return page.redirect("/trunk", failed(exc.message))
    return page.redirect(
        "/trunk", ok(f"{number.e164} is on the trunk: calls go to the origination URI.")
    )


@router.post("/t/{tid}/trunk/rotate")
async def trunk_rotate(request: Request, tid: uuid.UUID) -> Response:
    """A new SIP password; this answer is the only place it appears."""
    page = await tenant_write(request, tid)
    try:
        result = await trunks.rotate_credentials(uow=page.ctx.uow, scope=page.scope)
    except ApiError as exc:
        return page.redirect("/trunk", failed(exc.message))
    return await _trunk_page(
        page,
        password=result.sip_password,
        flashes=[ok("New SIP password set. Copy it now: it is not shown again.")],
    )
