"""What `POST /v1/billing/stripe` answers about an event."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel

from callplane.tenants.schemas import SubscriptionOut

Outcome = Literal["applied", "stale", "ignored", "duplicate"]


class StripeEventOut(BaseModel):
    """What became of a Stripe event."""

    received: bool = True
    event_id: str
    outcome: Outcome
    tenant_id: uuid.UUID | None = None
    detail: str | None = None
    subscription: SubscriptionOut | None = None
    effects: dict[str, Any] | None = None
