"""What a number must pass before it becomes a tenant's: an active tenant, its quota, its own
agent, and nobody else holding it."""

from __future__ import annotations

import uuid

from callplane.agents.models import Agent
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, NotFound
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import HELD_STATUSES
from callplane.tenancy import TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.models import Tenant, TenantStatus


class QuotaExceeded(ApiError):
    """The tenant's plan allows no more numbers."""

    status_code = 402
    code = "phone_number_quota_exceeded"


async def require_active_tenant(uow: UnitOfWork, scope: TenantScope) -> None:
    """The tenant may take new numbers (409 tenant_not_active otherwise)."""
    tenant = await uow.session.get(Tenant, scope.tenant_id)
    if tenant is None:
        raise NotFound("tenant")
    if tenant.status != TenantStatus.active:
        raise Conflict(
            f"the tenant is {tenant.status}: it cannot take new numbers", code="tenant_not_active"
        )


async def held_count(*, uow: UnitOfWork, scope: TenantScope) -> int:
    """How many numbers count against the tenant's quota (pending, active, releasing)."""
    return await uow.repo(PhoneNumber, scope).count(PhoneNumber.status.in_(HELD_STATUSES))


async def check_quota(uow: UnitOfWork, scope: TenantScope) -> None:
    """One more number fits the plan (402 phone_number_quota_exceeded otherwise)."""
    quota = await tenants.phone_number_quota(uow=uow, scope=scope)
    used = await held_count(uow=uow, scope=scope)
    if used >= quota:
        why = (
            "the tenant has no active subscription"
            if quota == 0
            else f"the plan allows {quota} phone number{'s' if quota != 1 else ''}"
        )
        raise QuotaExceeded(
            f"{why} and {used} {'is' if used == 1 else 'are'} held: release a number or "
            "upgrade the plan",
            used=used,
            quota=quota,
        )


async def holder(uow: UnitOfWork, e164: str) -> PhoneNumber | None:
    """The row holding this number in any tenant (the unique index allows one).

    Across tenants by design (row-level security's explicit platform scope): "another tenant
    holds it" is an answer the API gives (409), never the row itself.
    """
    return await uow.platform_repo(PhoneNumber).find(
        PhoneNumber.e164 == e164, PhoneNumber.status.in_(HELD_STATUSES)
    )


async def check_agent(uow: UnitOfWork, scope: TenantScope, agent_id: uuid.UUID | None) -> None:
    """The agent is the tenant's (404 otherwise) and can take a number (a provider agent's
    provider is connected: 409 provider_not_connected); None passes."""
    if agent_id is not None:
        from callplane.providers.hooks import check_attach

        await check_attach(uow, scope, await uow.repo(Agent, scope).get(agent_id))
