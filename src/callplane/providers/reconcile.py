"""The daily reconciliation's provider pass: per tenant and provider, what the provider holds
compared with what callplane registered there, and put right.

- registered here, missing there       -> registered again          (`provider_reregistered`)
- credentials or agent differ from what
  callplane would push now (stale)      -> pushed                    (`provider_pushed`)
- pending or failed here                -> synced again              (`provider_retried`)
- a number on a provider agent without
  a registration here                   -> registered                (`provider_registered`)
- registered here, no longer wanted     -> removed                   (`provider_removed`)
- registered there, unknown here        -> reported, never deleted   (`provider_unknown`)

Each fix is a full sync of the number (`providers.sync.sync_number`, Twilio and the provider
looked at). An account the provider does not answer for is counted (`provider_accounts_failed`)
and left for the next run. `dry_run` counts what it would do and changes nothing. The counters
are among the run's (`jobs.reconcile.state.EXTRA_FIELDS`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.providers import access
from callplane.providers.adapters import ProviderCallError, adapter_for
from callplane.providers.hooks import numbers_changed
from callplane.providers.models import ProviderAccount, ProviderRegistration
from callplane.providers.sync import (
    SYNC_ACTOR,
    Status,
    desired_for,
    expected_fingerprint,
    retry_delay,
)
from callplane.providers.sync import sync_number as sync
from callplane.runtime import Runtime
from callplane.tenancy import TenantScope
from callplane.tenants.models import Tenant, TenantStatus

log = get_logger(__name__)


def done_key(tenant_id: uuid.UUID, provider: str) -> str:
    """How a run's progress remembers a tenant's provider as checked."""
    return f"provider:{tenant_id}:{provider}"


async def provider_pass(
    runtime: Runtime,
    *,
    tenant_id: uuid.UUID | None,
    dry_run: bool,
    done: set[str],
    count: Callable[[str, int], None],
    report: Callable[[dict[str, Any]], None],
    failed: Callable[[dict[str, Any]], None],
) -> None:
    """Every tenant's provider accounts (or one tenant's), each checked once per run."""
    async with runtime.uow() as uow:
        stmt = (
            select(ProviderAccount.tenant_id, ProviderAccount.name)
            .join(Tenant, Tenant.id == ProviderAccount.tenant_id)
            .where(Tenant.status != TenantStatus.offboarded)
            .order_by(ProviderAccount.tenant_id, ProviderAccount.name)
        )
        if tenant_id is not None:
            stmt = stmt.where(ProviderAccount.tenant_id == tenant_id)
        accounts = list((await uow.session.execute(stmt)).all())
    for tid, name in accounts:
        key = done_key(tid, name)
        if key in done:
            continue
        try:
            await _account(runtime, tid, name, dry_run=dry_run, count=count, report=report)
        except ProviderCallError as exc:
            count("provider_accounts_failed", 1)
            failed({"tenant_id": str(tid), "provider": name, "kind": exc.kind, "error": str(exc)})
            log.warning("provider not checked", tenant_id=str(tid), provider=name, kind=exc.kind)
        done.add(key)


async def _account(
    runtime: Runtime,
    tenant_id: uuid.UUID,
    name: str,
    *,
    dry_run: bool,
    count: Callable[[str, int], None],
    report: Callable[[dict[str, Any]], None],
) -> None:
    scope = TenantScope(tenant_id=tenant_id, actor=SYNC_ACTOR)
    todo: dict[uuid.UUID, str] = {}
    async with runtime.uow() as uow:
        account = await uow.repo(ProviderAccount, scope).find(ProviderAccount.name == name)
        if account is None:
            return
        held = {
            r.phone_number: r
            for r in await adapter_for(name).inventory(access.credentials(uow, account))
        }
        regs = await uow.repo(ProviderRegistration, scope).all()
        mine = [r for r in regs if r.provider == name]
        for reg in mine:
            number = await uow.repo(PhoneNumber, scope).get(reg.number_id)
            desired = await desired_for(uow, scope, number)
            if desired is None or desired.provider != name:
                todo[reg.number_id] = "provider_removed"
            elif reg.registration_id and reg.phone_number not in held:
                todo[reg.number_id] = "provider_reregistered"
            elif reg.status != Status.synced:
                todo[reg.number_id] = "provider_retried"
            else:
                there = held.get(reg.phone_number)
                stale = reg.fingerprint != await expected_fingerprint(uow, scope, number, desired)
                moved = there is not None and there.agent_id not in (
                    None,
                    desired.provider_agent_id,
                )
                if stale or moved:  # other credentials, or another agent set behind our back
                    todo[reg.number_id] = "provider_pushed"
        for number in await uow.repo(PhoneNumber, scope).all(PhoneNumber.status == "active"):
            if any(r.number_id == number.id for r in regs):
                continue
            desired = await desired_for(uow, scope, number)
            if desired is not None and desired.provider == name:
                todo[number.id] = "provider_registered"
        known = {r.phone_number for r in mine}
        for e164, remote in sorted(held.items()):
            if e164 not in known:
                count("provider_unknown", 1)
                report(
                    {
                        "kind": "provider_registration",
                        "provider": name,
                        "tenant_id": str(tenant_id),
                        "phone_number": e164,
                        "registration_id": remote.registration_id,
                        "agent_id": remote.agent_id,
                    }
                )
        if todo and not dry_run:
            await numbers_changed(uow, scope, list(todo), submit=False)
    count("provider_accounts_checked", 1)
    for number_id, counter in todo.items():
        if dry_run:
            count(counter, 1)
            continue
        outcome = await sync(runtime, number_id, full=True)
        if outcome.state in ("synced", "removed"):
            count(counter, 1)
        elif outcome.state == "failed":
            count("provider_sync_failed", 1)
            if outcome.retryable:  # the job engine keeps trying, with backoff
                await _retry(runtime, tenant_id, number_id)


async def _retry(runtime: Runtime, tenant_id: uuid.UUID, number_id: uuid.UUID) -> None:
    from callplane.providers import jobs

    async with runtime.uow() as uow:
        reg = (
            await uow.session.execute(
                select(ProviderRegistration).where(ProviderRegistration.number_id == number_id)
            )
        ).scalar_one_or_none()
        if reg is None:
            return
        generation = reg.generation
    await jobs.submit(
        runtime,
        tenant_id=tenant_id,
        number_id=number_id,
        generation=generation,
        attempt=2,
        delay=retry_delay(runtime.settings, 1) or 0.0,
    )
