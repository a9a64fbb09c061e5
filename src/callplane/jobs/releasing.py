"""Releasing many numbers of a tenant at once: on cancellation, offboarding, and by the daily job.

Each number goes through the numbers service (`release_number`: releasing, Twilio DELETE,
released; a crash midway leaves it `releasing` and a repeat finishes it). Twilio calls are bounded
by CALLPLANE_TWILIO_CONCURRENCY; one number failing does not stop the others, and what failed is
retried by the next pass (the daily job looks for canceled subscriptions and offboarded tenants
that still hold numbers).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from callplane.db.base import utcnow
from callplane.errors import ApiError
from callplane.log import get_logger
from callplane.numbers import service as numbers
from callplane.numbers.models import PhoneNumber
from callplane.numbers.purchase import PENDING_GRACE
from callplane.numbers.states import HELD_STATUSES, NumberStatus, ReleaseReason
from callplane.runtime import Runtime
from callplane.tenancy import Actor, Role, TenantScope
from callplane.tenants.models import Subscription, SubscriptionStatus, Tenant, TenantStatus
from callplane.tenants.service import cancellation_due

log = get_logger(__name__)

JOB_ACTOR = Actor(role=Role.platform, label="job")


@dataclass
class ReleaseReport:
    """What a bulk release did (or, dry, would do)."""

    released: int = 0
    failed: int = 0
    skipped: int = 0  # purchases still in flight, left for the next pass
    errors: list[str] = field(default_factory=list)

    def add(self, other: ReleaseReport) -> None:
        """Fold another report into this one."""
        self.released += other.released
        self.failed += other.failed
        self.skipped += other.skipped
        self.errors.extend(other.errors[: max(0, 20 - len(self.errors))])


async def release_reason_for(runtime: Runtime, tenant_id: uuid.UUID) -> str | None:
    """Why the tenant's numbers must be released now (offboarded, canceled), or None."""
    async with runtime.uow() as uow:
        tenant = await uow.session.get(Tenant, tenant_id)
        if tenant is None:
            return None
        if tenant.status == TenantStatus.offboarded:
            return ReleaseReason.offboarded
        sub = await uow.repo(Subscription, TenantScope(tenant_id=tenant_id, actor=JOB_ACTOR)).find()
        return ReleaseReason.subscription_canceled if cancellation_due(sub) else None


async def tenants_due(
    runtime: Runtime, *, tenant_id: uuid.UUID | None = None
) -> dict[uuid.UUID, str]:
    """Tenants that still hold numbers they must not: {tenant: release reason}."""
    now = utcnow()
    async with runtime.uow() as uow:
        held = select(PhoneNumber.tenant_id).where(PhoneNumber.status.in_(HELD_STATUSES))
        subs = select(Subscription).where(
            Subscription.canceled_at.is_not(None),
            Subscription.canceled_at <= now,
            or_(
                Subscription.status == SubscriptionStatus.canceled,
                Subscription.cancel_at_period_end.is_(True),
            ),
            Subscription.tenant_id.in_(held),
        )
        off = select(Tenant.id).where(Tenant.status == TenantStatus.offboarded, Tenant.id.in_(held))
        if tenant_id is not None:
            subs = subs.where(Subscription.tenant_id == tenant_id)
            off = off.where(Tenant.id == tenant_id)
        due: dict[uuid.UUID, str] = {
            s.tenant_id: ReleaseReason.subscription_canceled
            for s in (await uow.session.execute(subs)).scalars()
        }
        for tid in (await uow.session.execute(off)).scalars():
            due[tid] = ReleaseReason.offboarded
    return due


async def release_tenant_numbers(
    runtime: Runtime,
    tenant_id: uuid.UUID,
    reason: str,
    *,
    dry_run: bool = False,
    slots: asyncio.Semaphore | None = None,
    actor: Actor = JOB_ACTOR,
) -> ReleaseReport:
    """Release every number the tenant holds (pending purchases still in flight are skipped)."""
    report = ReleaseReport()
    grace_start = utcnow() - PENDING_GRACE
    async with runtime.uow() as uow:
        rows = (
            await uow.session.execute(
                select(PhoneNumber.id, PhoneNumber.status, PhoneNumber.created_at).where(
                    PhoneNumber.tenant_id == tenant_id,
                    PhoneNumber.status.in_(HELD_STATUSES),
                )
            )
        ).all()
    todo = []
    for number_id, status, created_at in rows:
        if status == NumberStatus.pending and created_at > grace_start:
            report.skipped += 1
        else:
            todo.append(number_id)
    if dry_run:
        report.released = len(todo)
        return report
    slots = slots or asyncio.Semaphore(runtime.settings.twilio_concurrency)
    scope = TenantScope(tenant_id=tenant_id, actor=actor)

    async def one(number_id: uuid.UUID) -> None:
        async with slots, runtime.uow() as uow:
            try:
                row = await numbers.release_number(
                    uow=uow, scope=scope, number_id=number_id, reason=reason
                )
            except ApiError as exc:
                report.failed += 1
                if len(report.errors) < 20:
                    report.errors.append(f"{number_id}: {exc.code}")
                log.warning(
                    "number not released",
                    tenant_id=str(tenant_id),
                    number_id=str(number_id),
                    reason=reason,
                    code=exc.code,
                )
                return
        if row.status == NumberStatus.released:
            report.released += 1
        elif row.status == NumberStatus.failed:
            pass  # a pending purchase that turned out never to have happened
        else:
            report.skipped += 1

    for start in range(0, len(todo), 500):  # bounded memory for tenants with many numbers
        await asyncio.gather(*(one(n) for n in todo[start : start + 500]))
    log.info(
        "tenant numbers released",
        tenant_id=str(tenant_id),
        reason=reason,
        released=report.released,
        failed=report.failed,
        skipped=report.skipped,
    )
    return report
