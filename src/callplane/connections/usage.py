"""Which features still hold resources in a tenant's Twilio account (blocks a model change)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from callplane.db.uow import UnitOfWork
from callplane.tenancy import TenantScope

UsageCheck = Callable[..., Awaitable[str | None]]
_checks: list[UsageCheck] = []


def register_usage_check(check: UsageCheck) -> UsageCheck:
    """Register `async def check(*, uow, scope) -> str | None` (a description when in use)."""
    _checks.append(check)
    return check


async def resources_in_account(*, uow: UnitOfWork, scope: TenantScope) -> list[str]:
    """Descriptions of what the tenant still has in its current account."""
    found = []
    for check in _checks:
        what = await check(uow=uow, scope=scope)
        if what:
            found.append(what)
    return found
