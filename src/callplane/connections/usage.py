"""What a tenant still holds in its Twilio account: while anything does, its model cannot change.

The checks are listed here, explicitly: a feature whose resources live in the tenant's account
adds its check to `USAGE_CHECKS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from callplane.db.uow import UnitOfWork
from callplane.numbers.service import numbers_in_account
from callplane.tenancy import TenantScope
from callplane.trunks.service import trunk_in_account

# `async def check(*, uow, scope) -> str | None`: a description of what is in use, or None.
UsageCheck = Callable[..., Awaitable[str | None]]
USAGE_CHECKS: tuple[UsageCheck, ...] = (numbers_in_account, trunk_in_account)


async def resources_in_account(*, uow: UnitOfWork, scope: TenantScope) -> list[str]:
    """Descriptions of what the tenant still has in its current account."""
    found = []
    for check in USAGE_CHECKS:
        what = await check(uow=uow, scope=scope)
        if what:
            found.append(what)
    return found
