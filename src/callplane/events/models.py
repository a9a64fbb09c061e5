"""Tenant webhook endpoints, the events they are sent, each delivery and each attempt."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, synonym

from callplane.db.base import STILL_TO_SEND, Base, CreatedMixin, IdMixin, utcnow
from callplane.security.secrets import register_encrypted


class WebhookEndpoint(IdMixin, CreatedMixin, Base):
    """A URL of the tenant's that receives the event types it subscribes to, signed."""

    __tablename__ = "webhook_endpoints"
    __resource_name__ = "webhook endpoint"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)  # patterns: "call.*", "*"
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    secret: Mapped[str] = mapped_column(Text)  # ciphertext
    # During a rotation the previous secret also signs, until `previous_until`.
    previous_secret: Mapped[str | None] = mapped_column(Text, default=None)  # ciphertext
    previous_until: Mapped[datetime | None] = mapped_column(default=None)
    failing_since: Mapped[datetime | None] = mapped_column(default=None)
    disabled_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


register_encrypted(WebhookEndpoint, "secret", "previous_secret")


class TenantEvent(IdMixin, Base):
    """One event of a tenant as its endpoints receive it (`body`: the signed JSON envelope)."""

    __tablename__ = "tenant_events"
    __resource_name__ = "event"
    # Two partial indexes that split the rows, so that neither read can take the other's:
    # the fan-out reads the events still to fan out oldest first (events/carry.py), and stops
    # at its limit; retention reads the events fanned out before a cutoff.
    __table_args__ = (
        Index(
            "ix_tenant_events_to_fan_out",
            "created_at",
            postgresql_where=text("fanned_out_at IS NULL"),
            sqlite_where=text("fanned_out_at IS NULL"),
        ),
        Index(
            "ix_tenant_events_fanned_out",
            "fanned_out_at",
            postgresql_where=text("fanned_out_at IS NOT NULL"),
            sqlite_where=text("fanned_out_at IS NOT NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    order_key: Mapped[str | None] = mapped_column(String(64), default=None)  # e.g. a CallSid
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once deliveries to the endpoints subscribed at that moment were written.
    fanned_out_at: Mapped[datetime | None] = mapped_column(default=None)
    # Only to this endpoint (test events); None: every subscribed endpoint.
    only_endpoint_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class WebhookDelivery(IdMixin, Base):
    """One event to deliver to one endpoint: the endpoints' outbox row."""

    __tablename__ = "webhook_deliveries"
    __resource_name__ = "delivery"
    __table_args__ = (
        # The deliveries still to try, and only those: with an index over all of them, a claim
        # planned from statistics of an empty table read every delivery an endpoint ever had
        # (docs/benchmarks.md, twenty-eighth pass).
        Index(
            "ix_webhook_deliveries_pending",
            "next_attempt_at",
            postgresql_where=STILL_TO_SEND,
            sqlite_where=STILL_TO_SEND,
        ),
        Index(
            "ix_webhook_deliveries_pending_order",
            "endpoint_id",
            "order_key",
            postgresql_where=STILL_TO_SEND,
            sqlite_where=STILL_TO_SEND,
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenant_events.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(64))
    order_key: Mapped[str | None] = mapped_column(String(64), default=None)
    event_at: Mapped[datetime] = mapped_column(default=utcnow)  # the event's time: the order
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    failed_at: Mapped[datetime | None] = mapped_column(default=None)
    lease: Mapped[str | None] = mapped_column(String(32), default=None)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookAttempt(IdMixin, Base):
    """One attempt of a delivery, as the delivery log shows it."""

    __tablename__ = "webhook_attempts"
    __resource_name__ = "delivery"
    __table_args__ = (Index("ix_webhook_attempts_endpoint_at", "endpoint_id", "at"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenant_events.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    latency_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Lists page by (created_at, id); for attempts that is when they were made.
    created_at: Mapped[datetime] = synonym("at")
