"""A tenant's lifecycle: subscription side effects and offboarding.

- A subscription that becomes active provisions the tenant's connection (the subaccount, in that
  model). A failure there does not refuse the subscription: the account is made on first need.
- An immediate cancellation (status canceled, not at period end) releases every number of the
  tenant in the background (`jobs.engine.submit_release`): the request does not wait on Twilio.
- A cancellation at period end keeps the numbers until `canceled_at` passes; the daily
  reconciliation then releases them (reason `subscription_canceled`).
- Offboarding marks the tenant offboarded (its keys stop working at once), releases its numbers
  (`offboarded`; imported ones are handed back, never deleted), deletes its trunk and closes a
  subaccount (unless imported numbers live in it).

Where the change comes from (`PUT .../subscription`, a Stripe event, the console) does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from callplane.connections import access
from callplane.connections import service as connections
from callplane.connections.models import ConnectionStatus
from callplane.db.audit import record_audit
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, NotFound, ProviderError
from callplane.jobs import engine as jobs
from callplane.jobs.releasing import release_tenant_numbers
from callplane.log import get_logger
from callplane.numbers import lifecycle
from callplane.numbers.lifecycle import Change
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import HELD_STATUSES, NumberOrigin, ReleaseReason
from callplane.tenancy import TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.models import Subscription, SubscriptionStatus, Tenant
from callplane.tenants.schemas import SubscriptionPut
from callplane.trunks import service as trunks

log = get_logger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """A subscription's state before a change."""

    status: str
    cancel_at_period_end: bool
    canceled_at: datetime | None


def snapshot(sub: Subscription | None) -> Snapshot | None:
    """What a subscription looked like (None: there was none)."""
    if sub is None:
        return None
    return Snapshot(sub.status, sub.cancel_at_period_end, sub.canceled_at)


# -- subscriptions --------------------------------------------------------------------------


async def change_subscription(
    *, uow: UnitOfWork, scope: TenantScope, data: SubscriptionPut
) -> tuple[Subscription, dict[str, Any]]:
    """`PUT .../subscription` with its side effects; returns the subscription and what they did."""
    before = snapshot(await uow.repo(Subscription, scope).find())
    sub = await tenants.put_subscription(uow=uow, scope=scope, data=data)
    effects = await after_subscription_change(uow=uow, scope=scope, before=before, sub=sub)
    return sub, effects


async def after_subscription_change(
    *, uow: UnitOfWork, scope: TenantScope, before: Snapshot | None, sub: Subscription
) -> dict[str, Any]:
    """Provision on activation; release now on an immediate cancellation; later at period end."""
    effects: dict[str, Any] = {}
    active = SubscriptionStatus.active
    if sub.status == active and (before is None or before.status != active):
        effects["connection"] = await _provision(uow, scope)
        await uow.session.refresh(sub)  # a failed provisioning rolled the session back
        kept = await _keep_interrupted_releases(uow, scope, sub)
        if kept:
            effects["numbers_kept"] = kept
    if tenants.cancellation_due(sub):
        assert sub.canceled_at is not None
        key = sub.canceled_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
        job = await jobs.submit_release(
            jobs.runtime_of(uow), scope.tenant_id, ReleaseReason.subscription_canceled, key=key
        )
        effects["numbers"] = "releasing"
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="subscription.release_scheduled",
            tenant_id=scope.tenant_id,
            target=sub.id,
            detail={"job": job},
        )
        await uow.commit()
    elif sub.canceled_at is not None and (
        sub.cancel_at_period_end or sub.status == SubscriptionStatus.canceled
    ):
        effects["numbers"] = f"released after {sub.canceled_at.isoformat()}"
    return effects


async def _keep_interrupted_releases(uow: UnitOfWork, scope: TenantScope, sub: Subscription) -> int:
    """Numbers whose cancellation release Twilio interrupted are the tenant's again (active).

    Had Twilio released one after all, the daily reconciliation finds it gone and releases the
    row as drift.
    """
    kept = await lifecycle.apply_many(
        uow=uow,
        scope=scope,
        change=Change.abandon_release(),
        where=[PhoneNumber.release_reason == ReleaseReason.subscription_canceled],
    )
    for row in kept:
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="phone_number.release_abandoned",
            tenant_id=scope.tenant_id,
            target=row.id,
            detail={"phone_number": row.e164, "why": "the subscription is active again"},
        )
    if kept:
        await uow.commit()
        await uow.session.refresh(sub)
    return len(kept)


async def _provision(uow: UnitOfWork, scope: TenantScope) -> str:
    """Make the tenant's account ready (a subaccount is created here); never refuses the change."""
    try:
        conn = await connections.ensure_account(uow=uow, scope=scope)
    except IntegrityError:  # a concurrent first need stored the connection: it is there now
        await uow.rollback()
        return "ready"
    except ApiError as exc:
        await uow.rollback()
        log.warning(
            "connection not provisioned on subscription start",
            tenant_id=str(scope.tenant_id),
            code=exc.code,
        )
        return f"not ready: {exc.code}"
    return "ready" if conn.status == ConnectionStatus.active else conn.status


# -- offboarding ----------------------------------------------------------------------------


async def offboard(*, uow: UnitOfWork, scope: TenantScope) -> Tenant:
    """Offboard: keys revoked and status offboarded first, then numbers, trunk, subaccount.

    Numbers go first, while the trunk (and the addresses they use) still exist: an imported
    number is handed back as it was, including the trunk it was on. A subaccount is closed
    (which releases what callplane bought there) only when no imported number lives in it:
    callplane never deletes what it did not create. Idempotent: repeating it finishes what a
    Twilio failure left (which the daily job also does for the numbers). A Twilio failure on the
    trunk or the subaccount answers 502 after the rest is done.
    """
    tenant = await tenants.mark_offboarded(uow=uow, scope=scope)
    conn = await connections.find_connection(uow=uow, scope=scope)
    problems: list[str] = []
    kept: list[str] = []
    active = conn is not None and conn.status == ConnectionStatus.active
    # A pending subaccount too: a create may have failed after Twilio made it (close_account
    # looks for it by name).
    subaccount = (
        conn is not None and conn.model == "subaccount" and conn.status != ConnectionStatus.closed
    )
    usable = active or (
        (conn is None or conn.model == "master") and access.platform_credentials(uow) is not None
    )
    from callplane.providers.service import offboard as offboard_providers

    # Registrations at the voice-AI providers go first (with the provider trunks): they hang on
    # the tenant's trunk credentials.
    try:
        left = await offboard_providers(uow=uow, scope=scope)
    except ApiError as exc:
        await uow.rollback()
        problems.append(f"providers: {exc.code}")
    else:
        if left.pending:
            problems.append(f"{left.pending} provider registration(s) not removed yet")
    imported = await _held_imports(uow, scope)
    if subaccount and imported:
        kept.append(f"subaccount kept open: it holds {imported} imported number(s)")
    close = subaccount and not imported
    released = 0
    if not close:
        # Each number is released (bought) or handed back (imported) at Twilio.
        report = await release_tenant_numbers(
            jobs.runtime_of(uow), scope.tenant_id, ReleaseReason.offboarded, actor=scope.actor
        )
        released = report.released
        if report.failed:
            problems.append(f"{report.failed} number(s) not released yet")
    if usable:
        try:
            await trunks.delete_trunk(uow=uow, scope=scope)
        except NotFound:
            pass
        except ApiError as exc:
            await uow.rollback()
            problems.append(f"trunk: {exc.code}")
    if close:
        # Closing a subaccount releases its numbers at Twilio: close first, then the rows follow
        # without one DELETE per number.
        try:
            await connections.close_account(uow=uow, scope=scope)
        except ApiError as exc:
            await uow.rollback()
            problems.append(f"subaccount: {exc.code}")
        report = await release_tenant_numbers(
            jobs.runtime_of(uow), scope.tenant_id, ReleaseReason.offboarded, actor=scope.actor
        )
        released = report.released
        if report.failed:
            problems.append(f"{report.failed} number(s) not released yet")
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="tenant.offboarded_resources",
        tenant_id=scope.tenant_id,
        target=scope.tenant_id,
        detail={"numbers_released": released, "problems": problems, "kept": kept},
    )
    await uow.commit()
    if problems:
        raise ProviderError(
            "the tenant is offboarded but some of its Twilio resources could not be removed yet ("
            + "; ".join(problems)
            + "); repeat the request to finish (the daily reconciliation releases the numbers)",
            problems=problems,
        )
    await uow.session.refresh(tenant)
    return tenant


async def _held_imports(uow: UnitOfWork, scope: TenantScope) -> int:
    """How many imported numbers the tenant still holds (they stay the customer's)."""
    return await uow.repo(PhoneNumber, scope).count(
        PhoneNumber.origin == NumberOrigin.imported, PhoneNumber.status.in_(HELD_STATUSES)
    )
