"""Numbers as the API shows them, with their provider registration."""

from __future__ import annotations

from collections.abc import Sequence

from callplane.db.uow import UnitOfWork
from callplane.numbers.models import PhoneNumber
from callplane.numbers.schemas import NumberOut
from callplane.providers.service import views_of
from callplane.tenancy import TenantScope


async def numbers_out(
    uow: UnitOfWork, scope: TenantScope, numbers: Sequence[PhoneNumber]
) -> list[NumberOut]:
    """The numbers' public views, each with its `provider` (one read for all of them)."""
    regs = await views_of(uow=uow, scope=scope, numbers=numbers)
    return [NumberOut.from_model(n, regs.get(n.id)) for n in numbers]


async def number_out(uow: UnitOfWork, scope: TenantScope, number: PhoneNumber) -> NumberOut:
    """One number's public view with its `provider`."""
    return (await numbers_out(uow, scope, [number]))[0]
