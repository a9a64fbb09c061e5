"""Keeping a number's provider registration true: the one owner of a registration's status.

`sync_number` is one attempt, level-triggered: it reads what callplane wants for the number now
(its agent's provider and provider agent, the tenant's trunk termination and SIP credentials) and
brings the provider and Twilio to it, whatever happened before (a move between providers removes
the old registration first; a detached or released number is removed). Each step looks before it
creates, so an attempt cut short is finished by the next. Attempts are run by the job engine
(providers/jobs.py) with retries and backoff; a change bumps the registration's `generation`, and
an attempt for an older generation does nothing.

What was pushed is remembered as a fingerprint (providers never hand a password back): a
registration whose fingerprint differs from what callplane would push now is stale.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from callplane.agents.models import Agent
from callplane.connections import access as connection_access
from callplane.connections import service as connections
from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict
from callplane.events.service import emit
from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import NumberStatus
from callplane.providers import access, names
from callplane.providers import trunks as provider_trunks
from callplane.providers.adapters import Placed, ProviderCallError, Push, adapter_for
from callplane.providers.models import ProviderAccount, ProviderRegistration
from callplane.runtime import Runtime
from callplane.settings import Settings
from callplane.tenancy import Actor, Role, TenantScope
from callplane.tenants.models import Tenant, TenantStatus
from callplane.trunks import service as trunks
from callplane.trunks.converge import TrunkAccess, open_password
from callplane.trunks.ensure import load_row
from callplane.trunks.models import Trunk

log = get_logger(__name__)

SYNC_ACTOR = Actor(role=Role.platform, label="job:provider-sync")


class Status:
    """A registration's statuses (what the API shows)."""

    synced = "synced"
    pending = "pending"
    failed = "failed"


@dataclass(frozen=True)
class Desired:
    """What callplane wants registered for a number."""

    provider: str
    provider_agent_id: str
    agent_id: uuid.UUID


@dataclass(frozen=True)
class Outcome:
    """What one attempt did: synced | removed | failed | superseded | gone."""

    state: str
    detail: str | None = None
    retryable: bool = False


class NotConnected(Conflict):
    """An agent's provider has no credentials in the tenant."""

    code = "provider_not_connected"


def retry_delay(settings: Settings, attempt: int) -> float | None:
    """Seconds before the attempt after `attempt` (doubling, capped); None: no more attempts."""
    if attempt >= settings.provider_sync_attempts:
        return None
    return float(
        min(
            settings.provider_sync_retry_seconds * 2 ** (attempt - 1),
            settings.provider_sync_retry_max_seconds,
        )
    )


# -- what callplane wants -------------------------------------------------------------------


async def desired_for(uow: UnitOfWork, scope: TenantScope, number: PhoneNumber) -> Desired | None:
    """The provider registration the number should have now (None: none)."""
    if number.status != NumberStatus.active or number.agent_id is None:
        return None
    tenant = await uow.session.get(Tenant, scope.tenant_id)
    if tenant is None or tenant.status == TenantStatus.offboarded:
        return None
    agent = await uow.repo(Agent, scope).find(Agent.id == number.agent_id)
    if (
        agent is None
        or agent.voice_mode != "provider"
        or not agent.provider
        or not agent.provider_agent_id
    ):
        return None
    return Desired(agent.provider, agent.provider_agent_id, agent.id)


@dataclass(frozen=True)
class MainTrunk:
    """The tenant's own trunk: its credential list and the SIP user and password on it."""

    row: Trunk
    password: str


async def main_trunk(uow: UnitOfWork, scope: TenantScope, *, check: bool) -> MainTrunk:
    """The tenant's own trunk, set up (or found again, or given a password) when it must be.

    `check` also asks Twilio whether the stored trunk still exists. Setting it up commits and
    issues a new password, which re-queues every registration of the tenant (providers/hooks.py).
    """
    row = await load_row(uow, scope)
    password = open_password(uow.runtime.secrets, row) if row is not None else None
    usable = bool(row is not None and password and row.credential_list_sid and row.sip_username)
    if usable and check and row is not None:
        access_ = await trunks.access_for(uow, scope)
        usable = (
            row.account_sid == access_.tw.account_sid
            and await access_.tw.fetch_trunk(row.twilio_sid) is not None
        )
    if not usable:
        result = await trunks.ensure_trunk(uow=uow, scope=scope)
        row = result.trunk
        password = result.sip_password or open_password(uow.runtime.secrets, row)
    assert row is not None
    if not password:
        raise Conflict(
            "the tenant's SIP password cannot be read (its encryption key left the ring): "
            "rotate it with POST trunk/credentials/rotate",
            code="sip_password_unreadable",
        )
    return MainTrunk(row, password)


def label_of(e164: str) -> str:
    """How callplane names a number at a provider."""
    return f"callplane {e164}"


def push_for(number: PhoneNumber, desired: Desired, main: MainTrunk, domain: str) -> Push:
    """What a registration must carry."""
    return Push(
        phone_number=number.e164,
        agent_id=desired.provider_agent_id,
        termination_host=domain,
        username=main.row.sip_username or "",
        password=main.password,
        label=label_of(number.e164),
    )


async def expected_fingerprint(
    uow: UnitOfWork, scope: TenantScope, number: PhoneNumber, desired: Desired
) -> str | None:
    """The fingerprint a registration pushed now would have (no remote call); None when it
    cannot be known yet (no provider trunk, no readable password, no credentials)."""
    row = await load_row(uow, scope)
    ptrunk = await provider_trunks.provider_trunk(uow, scope, desired.provider)
    account = await _account(uow, scope, desired.provider)
    if row is None or ptrunk is None or account is None:
        return None
    password = open_password(uow.runtime.secrets, row)
    if not password or not row.sip_username:
        return None
    push = push_for(number, desired, MainTrunk(row, password), ptrunk.domain_name)
    adapter = adapter_for(desired.provider)
    return push.fingerprint(desired.provider, adapter.account_part(account.refs or {}))


# -- one attempt ------------------------------------------------------------------------------


_thread_locks: dict[uuid.UUID, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


@asynccontextmanager
async def tenant_lock(uow: UnitOfWork, tenant_id: uuid.UUID) -> AsyncIterator[None]:
    """One provider sync of a tenant at a time, across replicas (PostgreSQL advisory lock, held
    for the transaction) or in this process (SQLite: the API's loop and the job engine's loop
    may both sync, so a thread lock, waited for without blocking either loop)."""
    if uow.session.get_bind().dialect.name == "postgresql":
        async with named_lock(uow, f"providers:{tenant_id}"):
            yield
        return
    with _thread_locks_guard:
        lock = _thread_locks.setdefault(tenant_id, threading.Lock())
    while not lock.acquire(blocking=False):
        await asyncio.sleep(0.02)
    try:
        yield
    finally:
        lock.release()


async def _registration(uow: UnitOfWork, number_id: uuid.UUID) -> ProviderRegistration | None:
    stmt = (
        select(ProviderRegistration)
        .where(ProviderRegistration.number_id == number_id)
        .execution_options(populate_existing=True)
    )
    return (await uow.session.execute(stmt)).scalar_one_or_none()


async def sync_number(
    runtime: Runtime,
    number_id: uuid.UUID,
    *,
    generation: int | None = None,
    attempt: int = 1,
    full: bool = False,
) -> Outcome:
    """One attempt at the number's registration (see the module doc); never raises for a
    provider's or Twilio's failure: the registration says `failed` and why."""
    async with runtime.uow() as uow:
        reg = await _registration(uow, number_id)
        if reg is None:
            return Outcome("gone")
        if generation is not None and reg.generation != generation:
            return Outcome("superseded")
        generation = reg.generation
        tenant_id = reg.tenant_id
        scope = TenantScope(tenant_id=tenant_id, actor=SYNC_ACTOR)
        try:
            state = await _converge(uow, scope, number_id, generation, full=full)
        except (ProviderCallError, ApiError) as exc:
            await uow.rollback()
            return await _failed(uow, runtime.settings, number_id, generation, attempt, exc)
    return Outcome(state)


async def _failed(
    uow: UnitOfWork,
    settings: Settings,
    number_id: uuid.UUID,
    generation: int,
    attempt: int,
    exc: ProviderCallError | ApiError,
) -> Outcome:
    retryable = exc.retryable if isinstance(exc, ProviderCallError) else exc.status_code >= 500
    delay = retry_delay(settings, attempt) if retryable else None
    why = _explain_failure(exc)
    if delay is not None:
        detail = f"{why} (attempt {attempt} of {settings.provider_sync_attempts}; retrying in {delay:g}s)"
    elif retryable:
        detail = (
            f"{why} (gave up after {attempt} attempts: the daily reconciliation tries again, "
            "POST .../provider/sync tries now)"
        )
    else:
        detail = why
    before = (
        await uow.session.execute(
            select(
                ProviderRegistration.tenant_id,
                ProviderRegistration.provider,
                ProviderRegistration.phone_number,
                ProviderRegistration.status,
            ).where(
                ProviderRegistration.number_id == number_id,
                ProviderRegistration.generation == generation,
            )
        )
    ).first()
    if before is not None and before.status != Status.failed:  # once per failure, not per retry
        emit(
            uow,
            tenant_id=before.tenant_id,
            event_type="provider.registration_failed",
            data={
                "number_id": str(number_id),
                "phone_number": before.phone_number,
                "provider": before.provider,
                "status": Status.failed,
                "detail": detail[:1000],
            },
        )
    await uow.session.execute(
        update(ProviderRegistration)
        .where(
            ProviderRegistration.number_id == number_id,
            ProviderRegistration.generation == generation,
        )
        .values(
            status=Status.failed,
            detail=detail[:1000],
            attempts=attempt,
            updated_at=utcnow(),
        )
    )
    await uow.commit()
    log.warning(
        "provider registration not synced",
        number_id=str(number_id),
        error=str(exc)[:300],
        attempt=attempt,
        retry_in=delay,
    )
    return Outcome("failed", detail, retryable and delay is not None)


def _explain_failure(exc: ProviderCallError | ApiError) -> str:
    """What went wrong, in words a person can act on."""
    if isinstance(exc, ApiError):
        return f"Twilio: {exc.message}" if exc.code == "provider_error" else exc.message
    label = names.label(exc.provider)
    if exc.kind == "auth":
        return (
            f"{label} refused the tenant's API key ({exc.message}): "
            f"PUT /v1/tenants/{{tid}}/providers/{exc.provider} with a working one"
        )
    if exc.kind == "unavailable":
        return f"{label} did not answer ({exc.message})"
    if exc.kind == "refused":
        return f"{label}'s base URL is not allowed: {exc.message}"
    return f"{label} refused the registration: {exc.message}"


async def _converge(
    uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID, generation: int, *, full: bool
) -> str:
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    desired = await desired_for(uow, scope, number)
    main = await main_trunk(uow, scope, check=full) if desired is not None else None
    async with tenant_lock(uow, scope.tenant_id):
        reg = await _registration(uow, number_id)
        if reg is None:
            return "gone"
        await uow.session.refresh(number)
        if reg.registration_id and (desired is None or desired.provider != reg.provider):
            await _remove_at_provider(uow, scope, reg)
        if desired is None:
            await _off_provider_trunk(uow, scope, number, reg.provider)
            record_audit(
                uow=uow,
                actor=scope.actor,
                action="provider.unregistered",
                tenant_id=scope.tenant_id,
                target=number.id,
                detail={"provider": reg.provider, "phone_number": number.e164},
            )
            await uow.session.delete(reg)
            await uow.commit()
            return "removed"
        assert main is not None
        await _register(uow, scope, reg, number, desired, main, generation, full=full)
        await uow.commit()
        return "synced"


async def _account(uow: UnitOfWork, scope: TenantScope, provider: str) -> ProviderAccount | None:
    return await uow.repo(ProviderAccount, scope).find(ProviderAccount.name == provider)


async def _remove_at_provider(
    uow: UnitOfWork, scope: TenantScope, reg: ProviderRegistration
) -> None:
    """The registration removed at its provider (a move or a removal), fields cleared."""
    account = await _account(uow, scope, reg.provider)
    if account is None:
        # Its credentials were removed: nothing callplane can reach. (DELETE providers/{name}
        # refuses while numbers are registered, so this is a tenant deleted mid-way.)
        log.warning("registration left at a provider without credentials", provider=reg.provider)
    else:
        placed = Placed(reg.registration_id or reg.phone_number, dict(reg.refs or {}))
        await adapter_for(reg.provider).remove(
            access.credentials(uow, account), placed, reg.phone_number
        )
    reg.registration_id = None
    reg.refs = {}
    reg.fingerprint = None


async def _twilio(uow: UnitOfWork, scope: TenantScope) -> TrunkAccess | None:
    """Trunk work in the tenant's account; None when it cannot be reached any more (a closed
    subaccount, an offboarded tenant: its trunks are going with it)."""
    conn = await connections.find_connection(uow=uow, scope=scope)
    if conn is not None and conn.status != "active":
        return None
    tenant = await uow.session.get(Tenant, scope.tenant_id)
    if tenant is not None and tenant.status == TenantStatus.offboarded:
        return None
    if (conn is None or conn.model == "master") and connection_access.platform_credentials(
        uow
    ) is None:
        return None
    return await trunks.access_for(uow, scope)


async def _off_provider_trunk(
    uow: UnitOfWork, scope: TenantScope, number: PhoneNumber, provider: str
) -> None:
    tw = await _twilio(uow, scope)
    if tw is not None:
        await provider_trunks.take_off(
            uow=uow, scope=scope, access=tw, number=number, provider=provider
        )
    else:
        row = await provider_trunks.provider_trunk(uow, scope, provider)
        if row is not None and number.trunk_id == row.id:
            number.trunk_id = None


async def _register(
    uow: UnitOfWork,
    scope: TenantScope,
    reg: ProviderRegistration,
    number: PhoneNumber,
    desired: Desired,
    main: MainTrunk,
    generation: int,
    *,
    full: bool,
) -> None:
    """Provider trunk, tenant-wide resources, the registration, origination, the number on the
    trunk; then the registration row (its status only if no newer change came meanwhile)."""
    if reg.provider != desired.provider:
        reg.provider = desired.provider
        reg.registration_id = None
        reg.refs = {}
    account = await _account(uow, scope, desired.provider)
    if account is None:
        raise NotConnected(
            f"the tenant has no {names.label(desired.provider)} credentials: "
            f"PUT /v1/tenants/{scope.tenant_id}/providers/{desired.provider}"
        )
    adapter = adapter_for(desired.provider)
    creds = access.credentials(uow, account)
    tw = await trunks.access_for(uow, scope)
    ptrunk = await provider_trunks.ensure(
        uow=uow, scope=scope, access=tw, main=main.row, provider=desired.provider, full=full
    )
    push = push_for(number, desired, main, ptrunk.domain_name)
    refs: dict[str, Any] = await adapter.prepare(creds, dict(account.refs or {}), push)
    if refs != (account.refs or {}):
        account.refs = refs
    current = Placed(reg.registration_id, dict(reg.refs or {})) if reg.registration_id else None
    placed = await adapter.upsert(creds, refs, current, push)
    await provider_trunks.originate(
        access=tw, row=ptrunk, uri=adapter.origination_uri(creds, refs), full=full
    )
    await provider_trunks.put_number(
        uow=uow, scope=scope, access=tw, row=ptrunk, number=number, full=full
    )
    fingerprint = push.fingerprint(desired.provider, adapter.account_part(refs))
    changed = fingerprint != reg.fingerprint or placed.registration_id != reg.registration_id
    now = utcnow()
    reg.registration_id = placed.registration_id
    reg.refs = placed.refs
    reg.provider_agent_id = desired.provider_agent_id
    reg.fingerprint = fingerprint
    reg.synced_at = now
    await uow.session.flush()
    written = await uow.session.execute(
        update(ProviderRegistration)
        .where(ProviderRegistration.id == reg.id, ProviderRegistration.generation == generation)
        .values(status=Status.synced, detail=None, attempts=0, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    # A newer change (generation) won meanwhile: its own attempt reports the outcome, not this one.
    current_generation = written.rowcount == 1  # type: ignore[attr-defined]
    if current_generation and (changed or reg.status != Status.synced):
        emit(
            uow,
            tenant_id=scope.tenant_id,
            event_type="provider.registration_synced",
            data={
                "number_id": str(number.id),
                "phone_number": number.e164,
                "provider": desired.provider,
                "status": Status.synced,
                "detail": None,
            },
        )
    if changed:
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="provider.registered",
            tenant_id=scope.tenant_id,
            target=number.id,
            detail={
                "provider": desired.provider,
                "phone_number": number.e164,
                "provider_agent_id": desired.provider_agent_id,
                "registration_id": placed.registration_id,
                "termination": ptrunk.domain_name,
                "sip_username": push.username,
            },
        )
    log.info(
        "provider registration synced",
        tenant_id=str(scope.tenant_id),
        provider=desired.provider,
        phone_number=number.e164,
        registration_id=placed.registration_id,
    )
