"""Stripe (`POST /v1/billing/stripe`): customer.subscription.created/updated/deleted events,
verified with `stripe.Webhook.construct_event`, applied once per event id, newest state wins.

What a subscription change does to the tenant (provisioning, releasing its numbers) is the
tenant lifecycle's (`tenants.lifecycle`); billing only turns Stripe's words into ours.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from callplane.billing.models import StripeEvent
from callplane.billing.schemas import Outcome, StripeEventOut
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, NotFound, Unprocessable
from callplane.log import get_logger
from callplane.tenancy import Actor, Role, TenantScope
from callplane.tenants import lifecycle
from callplane.tenants.models import Plan, Subscription, SubscriptionStatus, Tenant, TenantStatus
from callplane.tenants.schemas import SubscriptionOut, SubscriptionPut

log = get_logger(__name__)

SUBSCRIPTION_EVENTS = {
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
}
S = SubscriptionStatus
STRIPE_STATUS = {
    "active": S.active,
    "trialing": S.active,
    "past_due": S.past_due,
    "unpaid": S.past_due,
    "incomplete": S.past_due,
    "paused": S.past_due,
    "canceled": S.canceled,
    "incomplete_expired": S.canceled,
}
STRIPE_ACTOR = Actor(role=Role.platform, label="stripe")


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
        S.canceled
        if event_type.endswith(".deleted")
        else STRIPE_STATUS.get(str(sub.get("status")), S.past_due)
    )
    canceled_at: datetime | None = None
    at_period_end = False
    if status == S.canceled:
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
        status=status.value,
        cancel_at_period_end=at_period_end,
        canceled_at=canceled_at,
        external_id=str(sub.get("id")) if sub.get("id") else None,
    )


async def handle_stripe_event(*, uow: UnitOfWork, event: dict[str, Any]) -> StripeEventOut:
    """Apply a verified Stripe event once; a replay or an older event changes nothing."""
    event_id = str(event["id"])
    event_type = str(event["type"])
    created = int(event.get("created") or 0)
    if await uow.session.get(StripeEvent, event_id) is not None:
        return StripeEventOut(event_id=event_id, outcome="duplicate")
    obj = (event.get("data") or {}).get("object") or {}
    object_id = str(obj.get("id")) if isinstance(obj, dict) and obj.get("id") else None

    async def record(
        outcome: Outcome, tenant_id: uuid.UUID | None = None, detail: str | None = None
    ) -> StripeEventOut:
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
            return StripeEventOut(event_id=event_id, outcome="duplicate")
        return StripeEventOut(
            event_id=event_id, outcome=outcome, tenant_id=tenant_id, detail=detail
        )

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
    newer = await _newer_event(uow, object_id, created)
    if newer is not None:
        return await record("stale", tenant.id, detail=f"{newer} is newer")
    scope = TenantScope(tenant_id=tenant.id, actor=STRIPE_ACTOR)
    data = subscription_put_of(event_type, obj, await _plan_of(uow, scope, obj), created)
    if tenant.status == TenantStatus.offboarded and data.status == S.active:
        return await record("ignored", tenant.id, detail="the tenant is offboarded")
    sub, effects = await lifecycle.change_subscription(uow=uow, scope=scope, data=data)
    log.info(
        "stripe subscription applied",
        event_id=event_id,
        tenant_id=str(tenant.id),
        status=data.status,
        plan=data.plan,
        effects=effects,
    )
    shown = SubscriptionOut.from_model(sub)
    out = await record("applied", tenant.id)
    return out.model_copy(update={"subscription": shown, "effects": effects})


async def _newer_event(uow: UnitOfWork, object_id: str | None, created: int) -> str | None:
    """An event about the same subscription, newer than this one, that was applied."""
    if not object_id:
        return None
    return await uow.session.scalar(
        select(StripeEvent.id)
        .where(
            StripeEvent.object_id == object_id,
            StripeEvent.outcome == "applied",
            StripeEvent.event_created > created,
        )
        .limit(1)
    )


async def _plan_of(uow: UnitOfWork, scope: TenantScope, obj: dict[str, Any]) -> str:
    """The callplane plan of a Stripe subscription (422 unknown_plan, so that Stripe retries)."""
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
    return plan
