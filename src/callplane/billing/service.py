"""A tenant's lifecycle: subscription side effects, Stripe events, offboarding.

- A subscription that becomes active provisions the tenant's connection (the subaccount, in that
  model). A failure there does not refuse the subscription: the account is made on first need.
- An immediate cancellation (status canceled, not at period end) releases every number of the
  tenant in the background (`reconcile.jobs.submit_release`): the request does not wait on Twilio.
- A cancellation at period end keeps the numbers until `canceled_at` passes; the daily
  reconciliation then releases them (reason `subscription_canceled`).
- Offboarding marks the tenant offboarded (its keys stop working at once), releases its numbers
  (`offboarded`), deletes its trunk and closes a subaccount.
- Stripe (`POST /v1/billing/stripe`): customer.subscription.created/updated/deleted, verified
  with `stripe.Webhook.construct_event`, applied once per event id, newest state wins.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from callplane.billing.models import StripeEvent
from callplane.connections import service as connections
from callplane.db.audit import record_audit
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, NotFound, ProviderError, Unprocessable
from callplane.log import get_logger
from callplane.reconcile import jobs
from callplane.reconcile.releasing import cancellation_due, release_tenant_numbers
from callplane.tenancy import Actor, Role, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.models import Plan, Subscription, Tenant
from callplane.tenants.schemas import SubscriptionPut

log = get_logger(__name__)

SUBSCRIPTION_EVENTS = {
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
}
STRIPE_STATUS = {
    "active": "active",
    "trialing": "active",
    "past_due": "past_due",
    "unpaid": "past_due",
    "incomplete": "past_due",
    "paused": "past_due",
    "canceled": "canceled",
    "incomplete_expired": "canceled",
}
STRIPE_ACTOR = Actor(role=Role.platform, label="stripe")


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
    if sub.status == "active" and (before is None or before.status != "active"):
        effects["connection"] = await _provision(uow, scope)
        await uow.session.refresh(sub)  # a failed provisioning rolled the session back
        kept = await _keep_interrupted_releases(uow, scope, sub)
        if kept:
            effects["numbers_kept"] = kept
    if cancellation_due(sub):
        assert sub.canceled_at is not None
        key = sub.canceled_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
        job = await jobs.submit_release(
            uow.runtime, scope.tenant_id, "subscription_canceled", key=key
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
    elif sub.canceled_at is not None and (sub.cancel_at_period_end or sub.status == "canceled"):
        effects["numbers"] = f"released after {sub.canceled_at.isoformat()}"
    return effects


async def _keep_interrupted_releases(uow: UnitOfWork, scope: TenantScope, sub: Subscription) -> int:
    """Numbers whose cancellation release Twilio interrupted are the tenant's again (active).

    Had Twilio released one after all, the daily reconciliation finds it gone and releases the
    row as drift.
    """
    from callplane.numbers.models import PhoneNumber

    repo = uow.repo(PhoneNumber, scope)
    rows = await repo.all(
        PhoneNumber.status == "releasing", PhoneNumber.release_reason == "subscription_canceled"
    )
    for row in rows:
        row.status = "active"
        row.release_reason = None
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="phone_number.release_abandoned",
            tenant_id=scope.tenant_id,
            target=row.id,
            detail={"phone_number": row.e164, "why": "the subscription is active again"},
        )
    if rows:
        await uow.commit()
        await uow.session.refresh(sub)
    return len(rows)


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
    return "ready" if conn.status == "active" else conn.status


# -- offboarding ----------------------------------------------------------------------------


async def offboard(*, uow: UnitOfWork, scope: TenantScope) -> Tenant:
    """Offboard: keys revoked and status offboarded first, then numbers, trunk, subaccount.

    Idempotent: repeating it finishes what a Twilio failure left (which the daily job also does
    for the numbers). A Twilio failure on the trunk or the subaccount answers 502 after the rest
    is done.
    """
    tenant = await tenants.mark_offboarded(uow=uow, scope=scope)
    conn = await connections.find_connection(uow=uow, scope=scope)
    problems: list[str] = []
    subaccount = conn is not None and conn.model == "subaccount" and conn.status == "active"
    usable = (conn is not None and conn.status == "active") or (
        (conn is None or conn.model == "master")
        and uow.runtime.twilio.platform_credentials is not None
    )
    if usable:
        try:
            from callplane.trunks import service as trunks
        except ImportError:  # pragma: no cover - the trunks feature is optional at build time
            trunks = None  # type: ignore[assignment]
        if trunks is not None and hasattr(trunks, "delete_trunk"):
            try:
                await trunks.delete_trunk(uow=uow, scope=scope)
            except NotFound:
                pass
            except ApiError as exc:
                await uow.rollback()
                problems.append(f"trunk: {exc.code}")
    if subaccount:
        # Closing a subaccount releases its numbers at Twilio: close first, then the rows follow
        # without one DELETE per number.
        try:
            await connections.close_account(uow=uow, scope=scope)
        except ApiError as exc:
            await uow.rollback()
            problems.append(f"subaccount: {exc.code}")
    report = await release_tenant_numbers(
        uow.runtime, scope.tenant_id, "offboarded", actor=scope.actor
    )
    if report.failed:
        problems.append(f"{report.failed} number(s) not released yet")
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="tenant.offboarded_resources",
        tenant_id=scope.tenant_id,
        target=scope.tenant_id,
        detail={"numbers_released": report.released, "problems": problems},
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


# -- Stripe ---------------------------------------------------------------------------------


class StripeDisabled(NotFound):
    """CALLPLANE_STRIPE_WEBHOOK_SECRET is not set."""

    code = "billing_not_configured"

    def __init__(self) -> None:
        super().__init__("the Stripe webhook (set CALLPLANE_STRIPE_WEBHOOK_SECRET to enable it)")


class InvalidSignature(ApiError):
    """The Stripe-Signature header does not match the payload and the endpoint secret."""

    status_code = 400
    code = "invalid_signature"


def verify_stripe(*, payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The event, if Stripe signed it (and recently); 400 otherwise."""
    if not signature:
        raise InvalidSignature("the Stripe-Signature header is missing")
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature("the Stripe signature does not match this payload") from exc
    except ValueError as exc:
        raise ApiError("the payload is not a Stripe event", code="invalid_payload") from exc
    event = json.loads(payload)
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise ApiError("the payload is not a Stripe event", code="invalid_payload")
    return event


def _ts(value: Any) -> datetime | None:
    if value in (None, "", 0):
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _first_item(sub: dict[str, Any]) -> dict[str, Any]:
    items = (sub.get("items") or {}).get("data") or []
    return items[0] if items and isinstance(items[0], dict) else {}


def plan_name_of(sub: dict[str, Any]) -> str | None:
    """The plan a Stripe subscription is for: price metadata `plan`, the price's lookup key, or
    the subscription's metadata `plan`."""
    item = _first_item(sub)
    price = item.get("price") or item.get("plan") or {}
    for candidate in (
        (price.get("metadata") or {}).get("plan"),
        price.get("lookup_key"),
        (sub.get("metadata") or {}).get("plan"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return None


async def _tenant_of(uow: UnitOfWork, sub: dict[str, Any]) -> Tenant | None:
    meta = sub.get("metadata") or {}
    raw_id = meta.get("tenant_id")
    if raw_id:
        try:
            found = await uow.session.get(Tenant, uuid.UUID(str(raw_id)))
        except ValueError:
            found = None
        if found is not None:
            return found
    slug = meta.get("tenant_slug") or meta.get("tenant")
    if slug:
        found = (
            await uow.session.execute(select(Tenant).where(Tenant.slug == str(slug)))
        ).scalar_one_or_none()
        if found is not None:
            return found
    if sub.get("id"):
        tid = await uow.session.scalar(
            select(Subscription.tenant_id).where(Subscription.external_id == str(sub["id"]))
        )
        if tid is not None:
            return await uow.session.get(Tenant, tid)
    return None


def subscription_put_of(
    event_type: str, sub: dict[str, Any], plan: str, event_created: int
) -> SubscriptionPut:
    """Our subscription for a Stripe subscription object."""
    status = (
        "canceled"
        if event_type.endswith(".deleted")
        else STRIPE_STATUS.get(str(sub.get("status")), "past_due")
    )
    canceled_at: datetime | None = None
    at_period_end = False
    if status == "canceled":
        canceled_at = _ts(sub.get("ended_at")) or _ts(sub.get("canceled_at")) or _ts(event_created)
    else:
        ends = _ts(sub.get("cancel_at"))
        if sub.get("cancel_at_period_end") or ends is not None:
            at_period_end = True
            canceled_at = (
                ends
                or _ts(_first_item(sub).get("current_period_end"))
                or _ts(sub.get("current_period_end"))
            )
    return SubscriptionPut(
        plan=plan,
        status=status,  # type: ignore[arg-type]
        cancel_at_period_end=at_period_end,
        canceled_at=canceled_at,
        external_id=str(sub.get("id")) if sub.get("id") else None,
    )


async def handle_stripe_event(*, uow: UnitOfWork, event: dict[str, Any]) -> dict[str, Any]:
    """Apply a verified Stripe event once; a replay or an older event changes nothing."""
    event_id = str(event["id"])
    event_type = str(event["type"])
    created = int(event.get("created") or 0)
    if await uow.session.get(StripeEvent, event_id) is not None:
        return {"received": True, "event_id": event_id, "outcome": "duplicate"}
    obj = (event.get("data") or {}).get("object") or {}
    object_id = str(obj.get("id")) if isinstance(obj, dict) and obj.get("id") else None

    async def record(
        outcome: str, tenant_id: uuid.UUID | None = None, detail: str | None = None
    ) -> dict[str, Any]:
        uow.add(
            StripeEvent(
                id=event_id,
                type=event_type[:80],
                object_id=object_id,
                event_created=created,
                tenant_id=tenant_id,
                outcome=outcome,
                detail=detail[:500] if detail else None,
            )
        )
        try:
            await uow.commit()
        except IntegrityError:  # the same event, delivered twice at once: the other one won
            await uow.rollback()
            return {"received": True, "event_id": event_id, "outcome": "duplicate"}
        out: dict[str, Any] = {"received": True, "event_id": event_id, "outcome": outcome}
        if tenant_id:
            out["tenant_id"] = str(tenant_id)
        if detail:
            out["detail"] = detail
        return out

    if event_type not in SUBSCRIPTION_EVENTS or not isinstance(obj, dict):
        return await record("ignored", detail=f"{event_type} is not handled")
    tenant = await _tenant_of(uow, obj)
    if tenant is None:
        log.warning(
            "stripe subscription for no known tenant", event_id=event_id, subscription=object_id
        )
        return await record(
            "ignored",
            detail="no tenant: set metadata.tenant_id (or tenant_slug) on the subscription",
        )
    if object_id:
        newer = await uow.session.scalar(
            select(StripeEvent.id)
            .where(
                StripeEvent.object_id == object_id,
                StripeEvent.outcome == "applied",
                StripeEvent.event_created > created,
            )
            .limit(1)
        )
        if newer is not None:
            return await record("stale", tenant.id, detail=f"{newer} is newer")
    scope = TenantScope(tenant_id=tenant.id, actor=STRIPE_ACTOR)
    current = await uow.repo(Subscription, scope).find()
    plan = plan_name_of(obj) or (current.plan_name if current else None)
    if plan is None or await uow.session.get(Plan, plan) is None:
        # Not recorded: Stripe retries, and the event applies once the plan exists.
        raise Unprocessable(
            f"the subscription's plan {plan!r} is not a callplane plan: create it with PUT "
            "/v1/plans/{name}, or set the price's metadata `plan` (or its lookup key)",
            code="unknown_plan",
            plan=plan,
        )
    data = subscription_put_of(event_type, obj, plan, created)
    if tenant.status == "offboarded" and data.status == "active":
        return await record("ignored", tenant.id, detail="the tenant is offboarded")
    _sub, effects = await change_subscription(uow=uow, scope=scope, data=data)
    log.info(
        "stripe subscription applied",
        event_id=event_id,
        tenant_id=str(tenant.id),
        status=data.status,
        plan=plan,
        effects=effects,
    )
    out = await record("applied", tenant.id)
    out["subscription"] = {
        "plan": plan,
        "status": data.status,
        "cancel_at_period_end": data.cancel_at_period_end,
        "canceled_at": data.canceled_at.isoformat() if data.canceled_at else None,
    }
    out["effects"] = effects
    return out
