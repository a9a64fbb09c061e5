"""`POST /v1/billing/stripe`: Stripe subscription events, signed as Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from tests.fixtures.api import Api
from tests.fixtures.jobs import Twin, buy, eventually, number_row

SECRET = "whsec_" + "c" * 32


@pytest.fixture
def stripe_api(api: Api) -> Iterator[Api]:
    """The api with CALLPLANE_STRIPE_WEBHOOK_SECRET set."""
    saved = api.runtime.settings
    api.runtime.settings = saved.model_copy(update={"stripe_webhook_secret": SecretStr(SECRET)})
    yield api
    api.runtime.settings = saved


def sign(payload: bytes, secret: str = SECRET, at: int | None = None) -> str:
    """A `Stripe-Signature` header, computed as Stripe does."""
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(
    kind: str,
    *,
    tenant: Any = None,
    status: str = "active",
    plan: str | None = "pro",
    created: int | None = None,
    event_id: str | None = None,
    sub_id: str = "sub_123",
    **fields: Any,
) -> bytes:
    """A customer.subscription.* event as Stripe sends it."""
    sub: dict[str, Any] = {
        "id": sub_id,
        "object": "subscription",
        "status": status,
        "cancel_at_period_end": False,
        "cancel_at": None,
        "canceled_at": None,
        "ended_at": None,
        "metadata": {"tenant_id": str(tenant)} if tenant else {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "object": "subscription_item",
                    "current_period_end": int(time.time()) + 30 * 86400,
                    "price": {
                        "id": "price_1",
                        "object": "price",
                        "lookup_key": plan,
                        "metadata": {},
                    },
                }
            ],
        },
    }
    sub.update(fields)
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "type": kind,
            "created": created or int(time.time()),
            "data": {"object": sub},
        }
    ).encode()


async def post(api: Api, payload: bytes, signature: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not False:
        headers["Stripe-Signature"] = signature or sign(payload)
    return await api.client.post("/v1/billing/stripe", content=payload, headers=headers)


async def _subscription(api: Api, tid: Any) -> dict[str, Any]:
    r = await api.client.get(f"/v1/tenants/{tid}/subscription", headers=api.platform)
    return r.json()


async def test_disabled_without_a_secret(api: Api) -> None:
    r = await post(api, event("customer.subscription.created"))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "billing_not_configured"


async def test_bad_signatures_are_refused(stripe_api: Api) -> None:
    api = stripe_api
    t = await api.tenant(quota=None)
    await api.client.put("/v1/plans/pro", json={"quota_phone_numbers": 5}, headers=api.platform)
    payload = event("customer.subscription.created", tenant=t.id)
    for signature in (
        sign(payload, secret="whsec_wrong"),
        sign(payload + b" "),
        sign(payload, at=int(time.time()) - 3600),  # too old: a replayed capture
        "garbage",
    ):
        r = await post(api, payload, signature)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "invalid_signature"
    r = await api.client.post("/v1/billing/stripe", content=payload)
    assert r.status_code == 400
    r = await api.client.get(f"/v1/tenants/{t.id}/subscription", headers=api.platform)
    assert r.status_code == 404  # nothing was applied


async def test_created_updated_deleted_and_replays(
    stripe_api: Api, twin: Twin, background: Any
) -> None:
    api = stripe_api
    t = await api.tenant(quota=None)
    await api.client.put("/v1/plans/pro", json={"quota_phone_numbers": 5}, headers=api.platform)
    await api.client.put("/v1/plans/max", json={"quota_phone_numbers": 50}, headers=api.platform)

    created = event("customer.subscription.created", tenant=t.id, created=1000)
    r = await post(api, created)
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "applied"
    sub = await _subscription(api, t.id)
    assert (sub["plan"], sub["status"], sub["external_id"]) == ("pro", "active", "sub_123")

    # A replay (Stripe retries; or someone resends a captured event) changes nothing.
    r = await post(api, created)
    assert r.status_code == 200 and r.json()["outcome"] == "duplicate"

    n = await buy(api, t)
    # Upgraded, and set to cancel at period end: the numbers stay.
    ends = int(time.time()) + 7 * 86400
    r = await post(
        api,
        event(
            "customer.subscription.updated",
            tenant=t.id,
            plan="max",
            created=1010,
            cancel_at_period_end=True,
            cancel_at=ends,
        ),
    )
    assert r.json()["outcome"] == "applied"
    sub = await _subscription(api, t.id)
    assert (sub["plan"], sub["status"], sub["cancel_at_period_end"]) == ("max", "active", True)
    assert sub["canceled_at"].startswith(time.strftime("%Y-%m-%d", time.gmtime(ends)))
    await background.wait_background()
    assert (await number_row(api, n.id)).status == "active"

    # An older event arriving late does not undo the newer state.
    r = await post(
        api, event("customer.subscription.updated", tenant=t.id, plan="pro", created=1005)
    )
    assert r.json()["outcome"] == "stale"
    assert (await _subscription(api, t.id))["plan"] == "max"

    # Deleted: canceled now, the numbers go (in the background).
    r = await post(
        api,
        event(
            "customer.subscription.deleted",
            tenant=t.id,
            status="canceled",
            plan="max",
            created=1020,
            ended_at=int(time.time()),
        ),
    )
    assert r.json()["outcome"] == "applied"
    sub = await _subscription(api, t.id)
    assert sub["status"] == "canceled" and sub["cancel_at_period_end"] is False

    async def released() -> bool:
        return (await number_row(api, n.id)).status == "released"

    await eventually(released)
    assert (await number_row(api, n.id)).release_reason == "subscription_canceled"
    assert n.e164 not in twin.numbers()


async def test_tenant_by_slug_and_plan_by_price_metadata(stripe_api: Api) -> None:
    api = stripe_api
    t = await api.tenant("globex", quota=None)
    await api.client.put("/v1/plans/gold", json={"quota_phone_numbers": 7}, headers=api.platform)
    payload = event(
        "customer.subscription.created",
        plan=None,
        metadata={"tenant_slug": "globex"},
        items={
            "object": "list",
            "data": [{"price": {"lookup_key": None, "metadata": {"plan": "gold"}}}],
        },
    )
    r = await post(api, payload)
    assert r.json()["outcome"] == "applied", r.text
    assert (await _subscription(api, t.id))["plan"] == "gold"
    r = await post(
        api, event("customer.subscription.updated", tenant=t.id, status="past_due", plan="gold")
    )
    assert (await _subscription(api, t.id))["status"] == "past_due"


async def test_unknown_tenant_ignored_unknown_plan_retried(stripe_api: Api) -> None:
    api = stripe_api
    r = await post(api, event("customer.subscription.created", tenant=uuid.uuid4()))
    assert r.status_code == 200 and r.json()["outcome"] == "ignored"
    r = await post(api, event("invoice.paid"))
    assert r.status_code == 200 and r.json()["outcome"] == "ignored"

    t = await api.tenant(quota=None)
    payload = event("customer.subscription.created", tenant=t.id, plan="platinum")
    r = await post(api, payload)
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_plan"
    # Not recorded: once the plan exists, Stripe's retry of the same event applies.
    await api.client.put(
        "/v1/plans/platinum", json={"quota_phone_numbers": 9}, headers=api.platform
    )
    r = await post(api, payload)
    assert r.json()["outcome"] == "applied"
    assert (await _subscription(api, t.id))["plan"] == "platinum"
