"""A tenant's API keys (admins only): list, create (shown once), revoke: `/admin/t/{tid}/keys...`."""

from __future__ import annotations

import uuid

from fastapi import Request
from starlette.responses import Response

from callplane.admin import forms
from callplane.admin.web import failed, ok, page_router, tenant_view, tenant_write
from callplane.errors import ApiError
from callplane.tenancy import Role
from callplane.tenants import service as tenants

router = page_router()


@router.get("/t/{tid}/keys")
async def keys_page(request: Request, tid: uuid.UUID) -> Response:
    """The tenant's API keys (admins; as `GET api-keys`)."""
    page = await tenant_view(request, tid, admin=True)
    rows = await tenants.list_api_keys(uow=page.ctx.uow, scope=page.scope)
    return page.render(
        "tenant/keys.html", title="API keys", section="keys", keys=rows, new_key=None
    )


@router.post("/t/{tid}/keys")
async def create_key(request: Request, tid: uuid.UUID) -> Response:
    """Create a key; shown on this answer only."""
    page = await tenant_write(request, tid)
    role = forms.text(page.ctx.form, "role")
    if role not in ("admin", "member"):
        return page.redirect("/keys", failed("choose the role admin or member"))
    try:
        row, plain = await tenants.create_api_key(
            uow=page.ctx.uow,
            actor=page.scope.actor,
            role=Role(role),
            tenant_id=page.scope.tenant_id,
            name=(forms.text(page.ctx.form, "name") or "")[:200] or None,
        )
    except ApiError as exc:
        return page.redirect("/keys", failed(exc.message))
    rows = await tenants.list_api_keys(uow=page.ctx.uow, scope=page.scope)
    return page.render(
        "tenant/keys.html",
        status=201,
        title="API keys",
        section="keys",
        keys=rows,
        new_key=plain,
        flashes=[
            ok(
                f"{role.capitalize()} key {row.prefix}… created. "
                "Copy it now: it is not shown again."
            )
        ],
    )


@router.post("/t/{tid}/keys/{key_id}/revoke")
async def revoke_key(request: Request, tid: uuid.UUID, key_id: uuid.UUID) -> Response:
    """Revoke a key (revoking your own signs you out)."""
    page = await tenant_write(request, tid)
    try:
        row = await tenants.revoke_api_key(uow=page.ctx.uow, scope=page.scope, key_id=key_id)
    except ApiError as exc:
        return page.redirect("/keys", failed(exc.message))
    return page.redirect("/keys", ok(f"Key {row.prefix}… revoked."))
