"""`POST /v1/billing/stripe`: Stripe subscription events (signature-verified)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from callplane.billing import service
from callplane.billing.schemas import StripeEventOut
from callplane.db.rls import PLATFORM_SCOPE
from callplane.deps import AppSettings, UoW
from callplane.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/v1/billing", tags=["billing"], responses=ERROR_RESPONSES)


# The body is read raw (the signature covers its bytes): declared here for the document.
STRIPE_REQUEST = {
    "parameters": [
        {
            "name": "Stripe-Signature",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "Stripe's signature of the raw body (`t=...,v1=...`)",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "additionalProperties": True, "title": "StripeEvent"}
            }
        },
    },
}


@router.post("/stripe", response_model=StripeEventOut, openapi_extra=STRIPE_REQUEST)
async def stripe_webhook(request: Request, uow: UoW, settings: AppSettings) -> StripeEventOut:
    """Stripe's customer.subscription.created/updated/deleted events.

    Enabled by CALLPLANE_STRIPE_WEBHOOK_SECRET (404 otherwise). The `Stripe-Signature` header is
    checked with the `stripe` library (400 `invalid_signature`); the tenant is the subscription's
    `metadata.tenant_id` (or `metadata.tenant_slug`); the plan is the price's metadata `plan`, its
    lookup key, or the subscription's metadata `plan` (422 `unknown_plan`, so that Stripe retries
    once the plan exists). An event already handled, or older than one applied, changes nothing.
    """
    secret = settings.stripe_webhook_secret
    if secret is None:
        raise service.StripeDisabled()
    payload = await request.body()
    event = service.verify_stripe(
        payload=payload,
        signature=request.headers.get("stripe-signature"),
        secret=secret.get_secret_value(),
    )
    # A verified Stripe event is the platform's billing speaking: it may name any tenant.
    await uow.set_db_scope(PLATFORM_SCOPE)
    return await service.handle_stripe_event(uow=uow, event=event)
