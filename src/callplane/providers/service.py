"""A tenant's providers: credentials (set, list, test, remove), provider agents, forced syncs,
and what offboarding and trunk deletion do to provider registrations.

Registering numbers is `providers.sync` (run by `providers.jobs`, queued by `providers.hooks`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, NotFound, ProviderError, Unprocessable
from callplane.log import get_logger, register_secret
from callplane.numbers.models import PhoneNumber
from callplane.providers import access, names
from callplane.providers import trunks as provider_trunks
from callplane.providers.adapters import ProviderCallError, adapter_for
from callplane.providers.hooks import guard_trunk_delete, numbers_changed, provider_changed
from callplane.providers.models import ProviderAccount, ProviderRegistration
from callplane.providers.schemas import NumberProviderOut, ProviderOut, ProviderPut
from callplane.providers.sync import desired_for, retry_delay, sync_number
from callplane.security.public_urls import UrlNotAllowed, check_public_url
from callplane.tenancy import TenantScope
from callplane.trunks import service as trunks
from callplane.trunks.models import Trunk

log = get_logger(__name__)

LIVEKIT_FIELDS = ("url", "api_secret", "sip_host")


class InvalidProviderCredentials(Unprocessable):
    """The provider refused the key (nothing was stored)."""

    code = "invalid_provider_credentials"


class UnknownProviderAgent(Unprocessable):
    """The provider does not know this agent id (in the tenant's account there)."""

    code = "unknown_provider_agent"


def _validation(field: str, problem: str) -> ApiError:
    return ApiError(
        "the request is not valid",
        code="validation_error",
        status_code=422,
        fields=[{"field": field, "problem": problem, "type": "value_error"}],
    )


def _check_fields(name: str, data: ProviderPut) -> None:
    """LiveKit takes a URL, a secret and a SIP host; the others a key (and a base URL) only."""
    for field in LIVEKIT_FIELDS:
        given = getattr(data, field) is not None
        if name == "livekit" and not given:
            raise _validation(field, f"LiveKit needs {field}")
        if name != "livekit" and given:
            raise _validation(field, f"{field} is for LiveKit only")


def _refusal(exc: ProviderCallError, what: str) -> ApiError:
    """A provider's refusal as the API's answer."""
    label = names.label(exc.provider)
    if exc.kind == "auth":
        return InvalidProviderCredentials(
            f"{label} refused the API key ({exc.message}): check the key (and the secret)",
            provider_status=exc.status,
        )
    if exc.kind == "refused":
        return UrlNotAllowed(exc.message)
    if exc.kind == "unavailable":
        return ProviderError(
            f"{label} did not answer ({exc.message}); nothing was changed, try again",
            code="provider_unavailable",
        )
    return Unprocessable(
        f"{label} refused {what}: {exc.message}",
        code="provider_refused",
        provider_status=exc.status,
    )


# -- credentials ----------------------------------------------------------------------------


async def put_account(
    *, uow: UnitOfWork, scope: TenantScope, name: str, data: ProviderPut
) -> tuple[ProviderAccount, bool]:
    """Verify the credentials with one harmless read, then store them sealed; (account, created).

    Nothing is stored when the provider refuses them (422 invalid_provider_credentials).
    """
    _check_fields(name, data)
    key = data.api_key.get_secret_value()
    secret = data.api_secret.get_secret_value() if data.api_secret else None
    register_secret(key)  # masked in every log line from now on, refused or not
    register_secret(secret)
    settings = uow.runtime.settings
    for url in (data.base_url, data.url):
        if url:
            check_public_url(
                url.replace("wss://", "https://", 1).replace("ws://", "http://", 1),
                allow_private=settings.allow_private_urls,
            )
    creds = access.given(
        uow,
        name,
        api_key=key,
        api_secret=secret,
        url=data.url,
        sip_host=data.sip_host,
        base_url=data.base_url,
    )
    try:
        await adapter_for(name).verify(creds)
    except ProviderCallError as exc:
        log.info("provider credentials refused", provider=name, kind=exc.kind)
        raise _refusal(exc, "the credentials") from None
    repo = uow.repo(ProviderAccount, scope)
    account = await repo.find(ProviderAccount.name == name)
    created = account is None
    if account is None:
        account = repo.add(ProviderAccount(id=uuid.uuid4(), name=name, refs={}))
    if not created and (
        access.credentials(uow, account).api_key != key
        or (account.base_url, account.url) != (data.base_url, data.url)
    ):
        # Maybe another workspace: what was made with the old key is found again (or made) with
        # the new one, never trusted by id.
        account.refs = {}
    access.seal(uow, account, "api_key", key)
    access.seal(uow, account, "api_secret", secret)
    account.url = data.url
    account.sip_host = data.sip_host
    account.base_url = data.base_url
    account.status = "connected"
    account.detail = None
    account.checked_at = utcnow()
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="provider.connect" if created else "provider.update",
        tenant_id=scope.tenant_id,
        target=name,
        detail={"provider": name, "base_url": data.base_url, "url": data.url},
    )
    await uow.commit()
    if not created:
        # Other credentials (a rotated key, a moved base URL): the registrations are pushed
        # again with them (those that failed for the old key recover).
        await provider_changed(uow, scope, name)
    return account, created


async def list_accounts(*, uow: UnitOfWork, scope: TenantScope) -> list[ProviderAccount]:
    """The tenant's provider accounts, by name."""
    return await uow.repo(ProviderAccount, scope).all(order_by=(ProviderAccount.name,))


async def get_account(*, uow: UnitOfWork, scope: TenantScope, name: str) -> ProviderAccount:
    """One provider account of the tenant (404 when it has none there)."""
    account = await uow.repo(ProviderAccount, scope).find(ProviderAccount.name == name)
    if account is None:
        raise NotFound(f"{names.label(name)} credentials")
    return account


async def registration_counts(*, uow: UnitOfWork, scope: TenantScope) -> dict[str, int]:
    """How many numbers are registered (or being registered) at each provider."""
    counts: dict[str, int] = {}
    for reg in await uow.repo(ProviderRegistration, scope).all():
        counts[reg.provider] = counts.get(reg.provider, 0) + 1
    return counts


async def describe(
    *, uow: UnitOfWork, scope: TenantScope, accounts: Sequence[ProviderAccount]
) -> list[ProviderOut]:
    """The accounts as the API shows them: where their trunks send calls, how many numbers."""
    counts = await registration_counts(uow=uow, scope=scope)
    out = []
    for account in accounts:
        adapter = adapter_for(account.name)
        out.append(
            ProviderOut(
                name=account.name,  # type: ignore[arg-type]
                status=account.status,
                base_url=account.base_url,
                checked_at=account.checked_at,
                detail=account.detail,
                url=account.url,
                sip_host=account.sip_host,
                origination_uri=adapter.origination_uri(
                    access.credentials(uow, account), account.refs or {}
                ),
                registrations=counts.get(account.name, 0),
            )
        )
    return out


async def board(*, uow: UnitOfWork, scope: TenantScope) -> dict[str, ProviderOut | None]:
    """Every provider callplane knows, with the tenant's account there (None: not connected)."""
    accounts = await list_accounts(uow=uow, scope=scope)
    shown = {a.name: a for a in await describe(uow=uow, scope=scope, accounts=accounts)}
    return {name: shown.get(name) for name in names.PROVIDERS}


async def test_account(*, uow: UnitOfWork, scope: TenantScope, name: str) -> ProviderAccount:
    """Check the stored credentials again (one harmless read); the account with the result."""
    account = await get_account(uow=uow, scope=scope, name=name)
    try:
        await adapter_for(name).verify(access.credentials(uow, account))
    except ProviderCallError as exc:
        if exc.kind == "unavailable":
            raise _refusal(exc, "the check") from None
        account.status = "rejected"
        account.detail = str(_refusal(exc, "the credentials"))[:500]
    else:
        account.status = "connected"
        account.detail = None
    account.checked_at = utcnow()
    await uow.commit()
    return account


async def delete_account(*, uow: UnitOfWork, scope: TenantScope, name: str) -> None:
    """Forget the credentials (409 provider_in_use while numbers are registered there); the
    tenant-wide resources callplane made there and its trunk toward the provider go too."""
    account = await get_account(uow=uow, scope=scope, name=name)
    used = await uow.repo(ProviderRegistration, scope).count(ProviderRegistration.provider == name)
    if used:
        raise Conflict(
            f"{used} number(s) are registered at {names.label(name)}: attach them to other "
            "agents (or release them) first",
            code="provider_in_use",
            registrations=used,
        )
    await _cleanup(uow, account)
    tw = await trunks.access_for(uow, scope)
    row = await provider_trunks.provider_trunk(uow, scope, name)
    if row is not None and row.account_sid == tw.tw.account_sid:
        for n in await tw.tw.list_trunk_numbers(row.twilio_sid):
            await tw.tw.disassociate_number(row.twilio_sid, n.sid)
        await tw.tw.delete_trunk(row.twilio_sid)
    if row is not None:
        await uow.repo(PhoneNumber, scope).update(PhoneNumber.trunk_id == row.id, trunk_id=None)
        await uow.session.delete(row)
    await uow.session.delete(account)
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="provider.disconnect",
        tenant_id=scope.tenant_id,
        target=name,
        detail={"provider": name, "trunk_deleted": row.twilio_sid if row is not None else None},
    )
    await uow.commit()


async def _cleanup(uow: UnitOfWork, account: ProviderAccount) -> None:
    """Tenant-wide resources made at the provider (Vapi's credential). A key the provider no
    longer accepts cannot remove them: they are left, with a warning."""
    try:
        account.refs = await adapter_for(account.name).cleanup(
            access.credentials(uow, account), dict(account.refs or {})
        )
    except ProviderCallError as exc:
        if exc.kind == "unavailable":
            raise _refusal(exc, "the clean-up") from None
        log.warning(
            "provider resources left behind", provider=account.name, kind=exc.kind, error=str(exc)
        )


# -- agents ---------------------------------------------------------------------------------


async def check_agent(
    *, uow: UnitOfWork, scope: TenantScope, provider: str, provider_agent_id: str
) -> None:
    """The provider knows the agent in the tenant's account there (422 otherwise; 409 when the
    tenant has no credentials there)."""
    account = await uow.repo(ProviderAccount, scope).find(ProviderAccount.name == provider)
    label = names.label(provider)
    if account is None:
        raise Conflict(
            f"the tenant has no {label} credentials: PUT /v1/tenants/{scope.tenant_id}/"
            f"providers/{provider} first",
            code="provider_not_connected",
            field="voice.provider",
        )
    try:
        await adapter_for(provider).check_agent(access.credentials(uow, account), provider_agent_id)
    except ProviderCallError as exc:
        if exc.kind == "not_found":
            raise UnknownProviderAgent(
                f"{label} has no agent {provider_agent_id!r} in the tenant's account there",
                field="voice.provider_agent_id",
                provider_status=exc.status,
            ) from None
        if exc.kind == "invalid":
            raise Unprocessable(
                f"{label} refused the agent id {provider_agent_id!r}: {exc.message}",
                code="invalid_provider_agent",
                field="voice.provider_agent_id",
            ) from None
        raise _refusal(exc, "the agent check") from None


# -- numbers --------------------------------------------------------------------------------


def view(reg: ProviderRegistration) -> NumberProviderOut:
    """A number's provider registration as the API shows it."""
    return NumberProviderOut(
        name=reg.provider,  # type: ignore[arg-type]
        agent_id=reg.provider_agent_id,
        registration_id=reg.registration_id,
        status=reg.status,
        detail=reg.detail,
        synced_at=reg.synced_at,
    )


async def views_of(
    *, uow: UnitOfWork, scope: TenantScope, numbers: Sequence[PhoneNumber]
) -> dict[uuid.UUID, NumberProviderOut]:
    """The registrations of these numbers, by number id."""
    ids = [n.id for n in numbers]
    if not ids:
        return {}
    regs = await uow.repo(ProviderRegistration, scope).all(ProviderRegistration.number_id.in_(ids))
    return {r.number_id: view(r) for r in regs}


async def force_sync(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID
) -> NumberProviderOut | None:
    """Sync the number's registration now (Twilio and the provider looked at, not trusted), and
    answer how it ended; a failure that may pass is retried in the background after this."""
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    reg = await uow.repo(ProviderRegistration, scope).find(
        ProviderRegistration.number_id == number_id
    )
    if reg is None and await desired_for(uow, scope, number) is None:
        raise Conflict(
            "the number's agent is not at a voice-AI provider: nothing to sync",
            code="phone_number_not_on_provider",
        )
    from callplane.jobs.engine import runtime_of
    from callplane.providers import jobs  # the engine's workflows (imported late: no cycle)

    # A new generation: attempts queued before this one stand down.
    await numbers_changed(uow, scope, [number_id], submit=False)
    reg = await uow.repo(ProviderRegistration, scope).find(
        ProviderRegistration.number_id == number_id
    )
    if reg is None:  # pragma: no cover - numbers_changed made it
        return None
    generation = reg.generation
    runtime = runtime_of(uow)
    outcome = await sync_number(runtime, number_id, generation=generation, full=True)
    delay = retry_delay(runtime.settings, 1) if outcome.retryable else None
    if delay is not None:
        await jobs.submit(
            runtime,
            tenant_id=scope.tenant_id,
            number_id=number_id,
            generation=generation,
            attempt=2,
            delay=delay,
        )
    uow.session.expire_all()
    reg = await uow.repo(ProviderRegistration, scope).find(
        ProviderRegistration.number_id == number_id
    )
    return view(reg) if reg is not None else None


# -- the tenant going ---------------------------------------------------------------------------


@dataclass
class OffboardReport:
    """What offboarding did at the providers."""

    removed: int = 0
    pending: int = 0
    trunks_deleted: int = 0


async def offboard(*, uow: UnitOfWork, scope: TenantScope) -> OffboardReport:
    """Remove the tenant's registrations at its providers (the tenant is offboarded already, so
    each sync removes), then its provider trunks and the resources made at the providers.
    Registrations a provider did not let go are retried in the background."""
    from callplane.jobs.engine import runtime_of
    from callplane.providers import jobs  # the engine's workflows (imported late: no cycle)

    report = OffboardReport()
    runtime = runtime_of(uow)
    regs = await uow.repo(ProviderRegistration, scope).all()
    for reg in regs:
        outcome = await sync_number(runtime, reg.number_id, full=True)
        if outcome.state in ("removed", "gone"):
            report.removed += 1
            continue
        report.pending += 1
        await jobs.submit(
            runtime,
            tenant_id=scope.tenant_id,
            number_id=reg.number_id,
            generation=reg.generation,
            attempt=2,
            delay=retry_delay(runtime.settings, 1) or 0.0,
        )
    uow.session.expire_all()
    try:
        tw = await trunks.access_for(uow, scope)
        report.trunks_deleted = len(
            await provider_trunks.delete_all(uow=uow, scope=scope, access=tw)
        )
    except ApiError as exc:
        await uow.rollback()
        log.warning("provider trunks not deleted", tenant_id=str(scope.tenant_id), code=exc.code)
    if report.pending == 0:
        for account in await uow.repo(ProviderAccount, scope).all():
            try:
                await _cleanup(uow, account)
            except ApiError:
                continue
            await uow.session.delete(account)
    await uow.commit()
    return report


async def before_trunk_delete(*, uow: UnitOfWork, scope: TenantScope) -> None:
    """The tenant's own trunk goes: its provider trunks (which use its credential list) first."""
    await guard_trunk_delete(uow, scope)
    if await uow.repo(Trunk, scope).count(Trunk.provider.is_not(None)):
        tw = await trunks.access_for(uow, scope)
        await provider_trunks.delete_all(uow=uow, scope=scope, access=tw)
