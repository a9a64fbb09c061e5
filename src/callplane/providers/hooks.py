"""What other features call when something changes that matters to a provider.

Each hook is one call at the place the change is made (numbers, agents, trunks, tenants): it
checks what must hold before the change is written, or, once it is committed, marks the affected
registrations `pending` (a new generation) and hands them to the job engine. Nothing here waits
for a provider.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from callplane.agents.models import Agent
from callplane.db.uow import UnitOfWork
from callplane.errors import Conflict
from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import HELD_STATUSES
from callplane.providers import names
from callplane.providers.models import ProviderAccount, ProviderRegistration
from callplane.providers.sync import NotConnected, Status, desired_for
from callplane.tenancy import TenantScope
from callplane.tenants.models import Tenant, TenantStatus

log = get_logger(__name__)


# -- checks before a change is written ----------------------------------------------------------


async def check_attach(uow: UnitOfWork, scope: TenantScope, agent: Agent) -> None:
    """A number may go to this agent: a provider agent needs its provider's credentials."""
    if agent.voice_mode != "provider" or not agent.provider:
        return
    account = await uow.repo(ProviderAccount, scope).find(ProviderAccount.name == agent.provider)
    if account is None:
        raise NotConnected(
            f"agent {agent.name!r} is at {names.label(agent.provider)}, and the tenant has no "
            f"{names.label(agent.provider)} credentials: PUT /v1/tenants/{scope.tenant_id}/"
            f"providers/{agent.provider} first"
        )


async def check_trunk_attach(uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID) -> None:
    """`PUT trunk/phone-numbers/{nid}` leaves a provider agent's number on its provider's trunk."""
    reg = await uow.repo(ProviderRegistration, scope).find(
        ProviderRegistration.number_id == number_id
    )
    if reg is not None:
        raise Conflict(
            f"the number's agent is at {names.label(reg.provider)}: it is on the tenant's "
            f"{names.label(reg.provider)} trunk; attach it to another agent first",
            code="phone_number_on_provider_trunk",
        )


async def guard_trunk_delete(uow: UnitOfWork, scope: TenantScope) -> None:
    """The tenant's own trunk carries the SIP credential every provider registration uses."""
    tenant = await uow.session.get(Tenant, scope.tenant_id)
    if tenant is not None and tenant.status == TenantStatus.offboarded:
        return
    count = await uow.repo(ProviderRegistration, scope).count()
    if count:
        raise Conflict(
            f"{count} number(s) are registered at voice-AI providers with this trunk's SIP "
            "credentials: attach them to other agents (or release them) first",
            code="trunk_in_use_by_providers",
            registrations=count,
        )


# -- after a change is committed ----------------------------------------------------------------


async def numbers_changed(
    uow: UnitOfWork, scope: TenantScope, number_ids: Iterable[uuid.UUID], *, submit: bool = True
) -> int:
    """Re-sync these numbers' registrations (made for a number newly on a provider agent,
    removed for one that left); how many were queued. Commits; `submit=False` leaves the sync to
    the caller."""
    queued: list[tuple[uuid.UUID, int]] = []
    for number_id in dict.fromkeys(number_ids):
        number = await uow.repo(PhoneNumber, scope).find(PhoneNumber.id == number_id)
        if number is None:
            continue
        reg = await uow.repo(ProviderRegistration, scope).find(
            ProviderRegistration.number_id == number_id
        )
        desired = await desired_for(uow, scope, number)
        if reg is None:
            if desired is None:
                continue
            reg = uow.repo(ProviderRegistration, scope).add(
                ProviderRegistration(
                    id=uuid.uuid4(),
                    number_id=number.id,
                    phone_number=number.e164,
                    provider=desired.provider,
                    provider_agent_id=desired.provider_agent_id,
                    refs={},
                    status=Status.pending,
                    detail=f"queued: registering at {names.label(desired.provider)}",
                    generation=1,
                    attempts=0,
                )
            )
        else:
            reg.generation += 1
            reg.status = Status.pending
            reg.attempts = 0
            reg.detail = _why(reg, desired)
        queued.append((number_id, reg.generation))
    # Committed even with nothing queued: the read's transaction ends here, so the caller's
    # objects stay loaded after its unit of work closes (expire_on_commit is off).
    await uow.commit()
    if not queued:
        return 0
    if submit:
        await _submit(uow, scope, queued)
    return len(queued)


def _why(reg: ProviderRegistration, desired: object) -> str:
    if desired is None:
        return f"queued: removing from {names.label(reg.provider)}"
    provider = getattr(desired, "provider", reg.provider)
    if provider != reg.provider:
        return f"queued: moving from {names.label(reg.provider)} to {names.label(provider)}"
    return f"queued: updating at {names.label(provider)}"


async def _submit(uow: UnitOfWork, scope: TenantScope, queued: list[tuple[uuid.UUID, int]]) -> None:
    from callplane.jobs.engine import runtime_of
    from callplane.providers import jobs  # the engine's workflows (imported late: no cycle)

    for number_id, generation in queued:
        await jobs.submit(
            runtime_of(uow), tenant_id=scope.tenant_id, number_id=number_id, generation=generation
        )


async def agent_numbers(
    uow: UnitOfWork, scope: TenantScope, agent_id: uuid.UUID
) -> list[uuid.UUID]:
    """The held numbers of an agent (read before the agent changes or goes)."""
    rows = await uow.repo(PhoneNumber, scope).all(
        PhoneNumber.agent_id == agent_id, PhoneNumber.status.in_(HELD_STATUSES)
    )
    return [r.id for r in rows]


async def tenant_credentials_changed(uow: UnitOfWork, scope: TenantScope) -> int:
    """The tenant's SIP password (or credential list, or trunk) changed: every registration is
    stale. Commits."""
    regs = await uow.repo(ProviderRegistration, scope).all()
    if regs:
        log.info(
            "provider registrations queued after a trunk credential change",
            tenant_id=str(scope.tenant_id),
            registrations=len(regs),
        )
    return await numbers_changed(uow, scope, [r.number_id for r in regs])


async def provider_changed(uow: UnitOfWork, scope: TenantScope, provider: str) -> int:
    """The tenant's credentials at `provider` changed: its registrations are synced again."""
    regs = await uow.repo(ProviderRegistration, scope).all(
        ProviderRegistration.provider == provider
    )
    return await numbers_changed(uow, scope, [r.number_id for r in regs])
