"""The platform's tenant table and the new tenant form: `/admin/tenants`."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from callplane.admin import actions, forms, reports
from callplane.admin.web import failed, ok, page_router, platform_view, platform_write
from callplane.errors import ApiError

router = page_router()


@router.get("/tenants")
async def tenants_page(request: Request, cursor: str | None = None) -> Response:
    """Every tenant: account model, connection health, numbers used / quota, subscription."""
    ctx = await platform_view(request)
    table = await reports.tenant_table(
        uow=ctx.uow, runtime=ctx.runtime, actor=ctx.me, cursor=cursor, limit=25
    )
    return ctx.render(
        "platform/tenants.html",
        title="Tenants",
        section="tenants",
        rows=table.rows,
        next_cursor=table.next_cursor,
        plans=table.plans,
        values={},
    )


@router.post("/tenants")
async def create_tenant(request: Request) -> Response:
    """Create a tenant (and, when a plan is chosen, its active subscription)."""
    ctx = await platform_write(request)
    plan = forms.text(ctx.form, "plan")
    try:
        made = await actions.create_tenant(
            uow=ctx.uow, actor=ctx.me, data=forms.tenant_create(ctx.form), plan=plan
        )
    except forms.Invalid as exc:
        return ctx.redirect("/admin/tenants", failed(str(exc)))
    except ApiError as exc:
        return ctx.redirect("/admin/tenants", failed(exc.message))
    if made.plan_error is not None:
        return ctx.redirect(
            f"/admin/t/{made.id}",
            ok(f"Tenant {made.slug} created."),
            failed(f"The subscription was not set: {made.plan_error}"),
        )
    if plan:
        return ctx.redirect(
            f"/admin/t/{made.id}",
            ok(f"Tenant {made.slug} created with an active {plan} subscription."),
        )
    return ctx.redirect(f"/admin/t/{made.id}", ok(f"Tenant {made.slug} created."))
