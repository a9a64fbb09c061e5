"""The admin console at `/admin`: server-rendered pages over the same service functions as the API.

One module a feature in admin/pages/ (sign-in, the platform's tenants, reconciliation, health and
explain, a tenant's overview and activity, numbers, agents, trunk, providers, connection, webhooks, API keys); this
module only mounts them. Every page goes through admin/web.py: a POST checks the CSRF token before
anything else (403 without it), tenant pages go through `deps.tenant_scope` (another tenant's
pages are 404, as in the API), writes through `deps.admin_scope` (members read only) and platform
pages through `deps.platform_actor`. Pages stay thin: parse the form, call one service (a feature's,
or the console's own reads and compositions in admin/reports.py and admin/actions.py), and render
its answer or flash its ApiError's message.
"""

from __future__ import annotations

from fastapi import APIRouter

from callplane.admin.pages import (
    agents,
    auth,
    connection,
    explain,
    health,
    keys,
    numbers,
    overview,
    providers,
    reconcile,
    static,
    tenants,
    trunk,
    webhooks,
)

router = APIRouter()
for page in (
    auth,
    static,
    tenants,
    reconcile,
    health,
    explain,
    overview,
    numbers,
    agents,
    trunk,
    providers,
    connection,
    webhooks,
    keys,
):
    router.include_router(page.router)

__all__ = ["router"]
