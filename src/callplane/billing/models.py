"""Stripe events already handled: a replay (Stripe retries, or an attacker) changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from callplane.db.base import Base, utcnow


class StripeEvent(Base):
    """One verified Stripe event, by its id, with what was done with it."""

    __tablename__ = "stripe_events"
    __table_args__ = (Index("ix_stripe_events_object", "object_id", "event_created"),)

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # evt_...
    type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(255), default=None)  # sub_...
    # Stripe's `created` (epoch seconds): events arrive out of order, the newest state wins.
    event_created: Mapped[int] = mapped_column(BigInteger, default=0)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="SET NULL"), default=None
    )
    outcome: Mapped[str] = mapped_column(String(32))  # applied|stale|ignored
    detail: Mapped[str | None] = mapped_column(String(500), default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
