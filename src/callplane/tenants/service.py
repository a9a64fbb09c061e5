"""Tenants, API keys, plans and subscriptions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.errors import Conflict, Forbidden, NotFound, Unprocessable
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import NumberStatus
from callplane.phone import normalize_e164
from callplane.security.apikeys import display_prefix, generate_api_key, hash_api_key
from callplane.tenancy import Actor, Role, TenantScope
from callplane.tenants.models import (
    ApiKey,
    Plan,
    Subscription,
    SubscriptionStatus,
    Tenant,
    TenantStatus,
)
from callplane.tenants.schemas import (
    PlanPut,
    SubscriptionPut,
    TenantCreate,
    TenantPatch,
)


async def create_tenant(*, uow: UnitOfWork, actor: Actor, data: TenantCreate) -> Tenant:
    """Create a tenant; a taken slug is 409 `slug_taken` and nothing is written."""
    exists = await uow.session.execute(select(Tenant.id).where(Tenant.slug == data.slug))
    if exists.first() is not None:
        raise Conflict(f"the slug {data.slug!r} is taken", code="slug_taken")
    tenant = Tenant(id=uuid.uuid4(), slug=data.slug, name=data.name, status=TenantStatus.active)
    uow.add(tenant)
    record_audit(
        uow=uow,
        actor=actor,
        action="tenant.create",
        tenant_id=tenant.id,
        target=tenant.id,
        detail={"slug": data.slug},
    )
    try:
        await uow.commit()
    except IntegrityError as exc:  # a concurrent create won the race for the slug
        await uow.rollback()
        raise Conflict(f"the slug {data.slug!r} is taken", code="slug_taken") from exc
    return tenant


async def find_tenant_by_ref(*, uow: UnitOfWork, ref: str) -> Tenant | None:
    """A tenant by its id or its slug (for the CLI and operators)."""
    conditions = [Tenant.slug == ref]
    try:
        conditions.append(Tenant.id == uuid.UUID(ref))
    except ValueError:
        pass
    return (await uow.session.execute(select(Tenant).where(or_(*conditions)))).scalar_one_or_none()


async def list_tenants(
    *, uow: UnitOfWork, cursor: str | None, limit: int
) -> tuple[list[Tenant], str | None]:
    """A page of tenants, oldest first."""
    return await uow.repo(Tenant, None).page(cursor=cursor, limit=limit)


async def get_tenant(*, uow: UnitOfWork, scope: TenantScope) -> Tenant:
    """The scope's tenant."""
    tenant = await uow.session.get(Tenant, scope.tenant_id)
    if tenant is None:
        raise NotFound("tenant")
    return tenant


async def update_tenant(*, uow: UnitOfWork, scope: TenantScope, data: TenantPatch) -> Tenant:
    """Rename, suspend or reactivate a tenant (platform keys); set its default SMS sender."""
    tenant = await get_tenant(uow=uow, scope=scope)
    if tenant.status == TenantStatus.offboarded:
        raise Conflict("this tenant is offboarded", code="tenant_offboarded")
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude_none=True)
    if (changes.keys() & {"name", "status"}) and not scope.actor.is_platform:
        raise Forbidden("renaming, suspending or reactivating a tenant needs a platform API key")
    if "default_sms_from" in data.model_fields_set:
        changes["default_sms_from"] = await _default_sender(uow, scope, data.default_sms_from)
    for field, value in changes.items():
        setattr(tenant, field, value)
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="tenant.update",
        tenant_id=tenant.id,
        target=tenant.id,
        detail=changes,
    )
    await uow.commit()
    return tenant


async def _default_sender(uow: UnitOfWork, scope: TenantScope, raw: str | None) -> str | None:
    """The E.164 of one of the tenant's active SMS-capable numbers (None clears); 422 else."""
    if raw is None:
        return None
    e164 = normalize_e164(raw)
    number = await uow.repo(PhoneNumber, scope).find(
        PhoneNumber.e164 == e164, PhoneNumber.status == NumberStatus.active
    )
    if number is None or not (number.capabilities or {}).get("sms"):
        raise Unprocessable(
            f"{e164} is not an active SMS-capable number of this tenant: the default sender must "
            "be one",
            code="invalid_default_sms_from",
            field="default_sms_from",
        )
    return e164


async def forget_default_sender(*, uow: UnitOfWork, scope: TenantScope, e164: str) -> None:
    """A number leaving the tenant stops being its default sender (not committed)."""
    tenant = await uow.session.get(Tenant, scope.tenant_id)
    if tenant is not None and tenant.default_sms_from == e164:
        tenant.default_sms_from = None


async def mark_offboarded(*, uow: UnitOfWork, scope: TenantScope) -> Tenant:
    """Mark the tenant offboarded and revoke its API keys (the caller releases its resources)."""
    tenant = await get_tenant(uow=uow, scope=scope)
    tenant.status = TenantStatus.offboarded
    await uow.session.execute(
        update(ApiKey)
        .where(ApiKey.tenant_id == tenant.id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    record_audit(
        uow=uow, actor=scope.actor, action="tenant.offboard", tenant_id=tenant.id, target=tenant.id
    )
    await uow.commit()
    return tenant


async def create_api_key(
    *,
    uow: UnitOfWork,
    actor: Actor,
    role: Role,
    tenant_id: uuid.UUID | None,
    name: str | None = None,
    key: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the plain key, which is never stored or shown again."""
    if (role is Role.platform) != (tenant_id is None):
        raise Unprocessable(
            "platform keys have no tenant; tenant keys need one", code="invalid_role"
        )
    plain = key or generate_api_key()
    row = ApiKey(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        role=role.value,
        key_hash=hash_api_key(plain),
        prefix=display_prefix(plain),
        name=name,
    )
    uow.add(row)
    record_audit(
        uow=uow,
        actor=actor,
        action="api_key.create",
        tenant_id=tenant_id,
        target=row.id,
        detail={"role": role.value, "prefix": row.prefix},
    )
    await uow.commit()
    return row, plain


async def list_api_keys(*, uow: UnitOfWork, scope: TenantScope) -> list[ApiKey]:
    """The tenant's keys (hashes are never returned)."""
    return await uow.repo(ApiKey, scope).all(order_by=[ApiKey.created_at])


async def revoke_api_key(*, uow: UnitOfWork, scope: TenantScope, key_id: uuid.UUID) -> ApiKey:
    """Revoke a key of the tenant, idempotently."""
    row = await uow.repo(ApiKey, scope).get(key_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="api_key.revoke",
            tenant_id=scope.tenant_id,
            target=row.id,
        )
        await uow.commit()
    return row


async def ensure_bootstrap_key(*, uow: UnitOfWork, actor: Actor, key: str) -> None:
    """Make sure a platform key with this exact value exists (CALLPLANE_BOOTSTRAP_PLATFORM_KEY)."""
    found = await uow.session.execute(select(ApiKey).where(ApiKey.key_hash == hash_api_key(key)))
    row = found.scalar_one_or_none()
    if row is None:
        try:
            await create_api_key(
                uow=uow, actor=actor, role=Role.platform, tenant_id=None, name="bootstrap", key=key
            )
        except IntegrityError:  # another replica created it at the same moment
            await uow.rollback()
    elif row.revoked_at is not None or row.role != Role.platform.value:
        row.revoked_at = None
        row.role = Role.platform.value
        await uow.commit()


async def put_plan(*, uow: UnitOfWork, actor: Actor, name: str, data: PlanPut) -> Plan:
    """Create or update a plan."""
    plan = await uow.session.get(Plan, name)
    if plan is None:
        plan = Plan(name=name, quota_phone_numbers=data.quota_phone_numbers)
        uow.add(plan)
    else:
        plan.quota_phone_numbers = data.quota_phone_numbers
    record_audit(
        uow=uow,
        actor=actor,
        action="plan.put",
        target=name,
        detail={"quota_phone_numbers": data.quota_phone_numbers},
    )
    await uow.commit()
    return plan


async def get_plan(*, uow: UnitOfWork, name: str) -> Plan:
    """A plan by name."""
    plan = await uow.session.get(Plan, name)
    if plan is None:
        raise NotFound("plan")
    return plan


async def list_plans(*, uow: UnitOfWork) -> list[Plan]:
    """Every plan."""
    return list((await uow.session.execute(select(Plan).order_by(Plan.name))).scalars())


async def get_subscription(*, uow: UnitOfWork, scope: TenantScope) -> Subscription:
    """The tenant's subscription."""
    sub = await uow.repo(Subscription, scope).find()
    if sub is None:
        raise NotFound("subscription")
    return sub


async def put_subscription(
    *, uow: UnitOfWork, scope: TenantScope, data: SubscriptionPut
) -> Subscription:
    """Create or replace the tenant's subscription."""
    if await uow.session.get(Plan, data.plan) is None:
        raise Unprocessable(f"unknown plan {data.plan!r}", code="unknown_plan")
    if data.canceled_at is not None and data.canceled_at.tzinfo is None:
        raise Unprocessable("canceled_at needs a time zone", code="validation_error")
    repo = uow.repo(Subscription, scope)
    sub = await repo.find()
    canceled_at = data.canceled_at
    if data.status == SubscriptionStatus.canceled and canceled_at is None:
        canceled_at = utcnow()
    if sub is None:
        sub = repo.add(Subscription(id=uuid.uuid4(), plan_name=data.plan, status=data.status))
    sub.plan_name = data.plan
    sub.status = data.status
    sub.cancel_at_period_end = data.cancel_at_period_end
    sub.canceled_at = canceled_at
    if data.external_id is not None:
        sub.external_id = data.external_id
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="subscription.put",
        tenant_id=scope.tenant_id,
        target=sub.id,
        detail=data.model_dump(mode="json"),
    )
    await uow.commit()
    return sub


def cancellation_due(sub: Subscription | None, *, now: datetime | None = None) -> bool:
    """Whether a subscription's numbers must go now: canceled, or ended at period end, in the past."""
    if sub is None or sub.canceled_at is None:
        return False
    if sub.canceled_at > (now or utcnow()):
        return False
    return sub.status == SubscriptionStatus.canceled or sub.cancel_at_period_end


async def phone_number_quota(*, uow: UnitOfWork, scope: TenantScope) -> int:
    """The number quota in force: the plan's while the subscription is active, else 0."""
    sub = await uow.repo(Subscription, scope).find()
    if sub is None or sub.status != SubscriptionStatus.active:
        return 0
    plan = await uow.session.get(Plan, sub.plan_name)
    return plan.quota_phone_numbers if plan else 0
