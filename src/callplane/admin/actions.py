"""Changes the console makes in one step where the API takes two calls.

The console's own service module for writes: each function composes the same service functions as
the API, so that a page calls one function and the rules stay in the features' services.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from callplane.admin.reports import agent_names
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError
from callplane.numbers import service as numbers
from callplane.numbers.models import PhoneNumber
from callplane.numbers.schemas import NumberPatch
from callplane.tenancy import Actor, TenantScope
from callplane.tenants import lifecycle
from callplane.tenants import service as tenants
from callplane.tenants.schemas import SubscriptionPut, TenantCreate


@dataclass
class NewTenant:
    """A tenant just created; `plan_error` says why its subscription was not set, if it was not."""

    id: uuid.UUID
    slug: str
    plan_error: str | None = None


async def create_tenant(
    *, uow: UnitOfWork, actor: Actor, data: TenantCreate, plan: str | None
) -> NewTenant:
    """Create a tenant (`POST /v1/tenants`) and, with a plan, its active subscription (`PUT
    .../subscription`); the tenant stays when the subscription is refused."""
    tenant = await tenants.create_tenant(uow=uow, actor=actor, data=data)
    made = NewTenant(tenant.id, tenant.slug)  # plain values: a refused subscription rolls back
    if not plan:
        return made
    scope = TenantScope(tenant_id=tenant.id, actor=actor)
    try:
        await lifecycle.change_subscription(
            uow=uow, scope=scope, data=SubscriptionPut(plan=plan, status="active")
        )
    except ApiError as exc:
        made.plan_error = exc.message
    return made


async def set_number_agent(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID, agent_id: uuid.UUID | None
) -> tuple[PhoneNumber, str | None]:
    """Attach a number to an agent or detach it (`PATCH phone-numbers/{nid}`); with the agent's
    name for the answer."""
    number = await numbers.update_number(
        uow=uow, scope=scope, number_id=number_id, data=NumberPatch(agent_id=agent_id)
    )
    if agent_id is None:
        return number, None
    names = await agent_names(uow=uow, scope=scope)
    return number, names.get(agent_id)
