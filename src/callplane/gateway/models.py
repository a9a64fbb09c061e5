"""Inbound events (recorded once) and the outbox that delivers them to tenants' apps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, synonym

from callplane.db.base import STILL_TO_SEND, Base, IdMixin, utcnow


class Event(IdMixin, Base):
    """A call, message, status or recording callback as Twilio sent it, and what we decided."""

    __tablename__ = "events"
    __resource_name__ = "event"
    __table_args__ = (
        Index("ix_events_tenant_received", "tenant_id", "received_at"),
        Index("ix_events_sid", "sid"),
        # An event is (account, token): another account's webhook with the same token is
        # another event, never a retry of this one (issue 16).
        UniqueConstraint("account_sid", "idempotency_token", name="uq_events_account_token"),
    )

    # Null when the number is unknown: the event is still recorded (and explained).
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), default=None
    )
    kind: Mapped[str] = mapped_column(String(16))  # voice|sms|status|recording|outbound_*
    sid: Mapped[str | None] = mapped_column(String(34), default=None)  # CallSid / MessageSid
    account_sid: Mapped[str | None] = mapped_column(String(34), default=None)
    from_number: Mapped[str | None] = mapped_column(String(32), default=None)
    to_number: Mapped[str | None] = mapped_column(String(32), default=None)
    number_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("phone_numbers.id", ondelete="SET NULL"), default=None
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    decision: Mapped[str] = mapped_column(String(16))  # routed|unrouted|rejected
    state: Mapped[str | None] = mapped_column(String(32), default=None)
    # Twilio's I-Twilio-Idempotency-Token (or an outbound send's key, `outbound:...`, a prefix
    # no webhook's token is stored with: gateway.events.idempotency_key). Recorded once per
    # account: unique with `account_sid`, and a webhook event's id is derived from both
    # (gateway.events.event_id), so a retry meets its first recording either way.
    idempotency_token: Mapped[str | None] = mapped_column(String(255), default=None)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A call Twilio sent to the voice fallback URL (its primary webhook failed), and the error
    # Twilio reported for the primary (`ErrorCode`: 11200, 11205, 11217...).
    fallback_used: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    error_code: Mapped[str | None] = mapped_column(String(16), default=None)
    # Lists page by (created_at, id); for events that is when they were received.
    created_at: Mapped[datetime] = synonym("received_at")


class OutboxMessage(IdMixin, Base):
    """An event to deliver to a tenant's app, with retries; survives restarts.

    A worker claims due rows by writing a fresh `lease` and pushing `next_attempt_at` past the
    lease time in one statement (so two replicas never send the same row at once, and a crash
    mid-delivery only delays it); success sets `delivered_at`, giving up sets `failed_at`.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # The rows still to send, and only those: every row's `delivered_at` is set within a
        # second; with an index over all of them and statistics taken during a burst, each
        # worker's pass scanned the whole table (docs/benchmarks.md, seventh pass).
        Index(
            "ix_outbox_pending",
            "purpose",
            "next_attempt_at",
            postgresql_where=STILL_TO_SEND,
            sqlite_where=STILL_TO_SEND,
        ),
        Index("ix_outbox_lease", "lease"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    url: Mapped[str] = mapped_column(String(2048))
    payload: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    failed_at: Mapped[datetime | None] = mapped_column(default=None)
    lease: Mapped[str | None] = mapped_column(String(32), default=None)
    purpose: Mapped[str] = mapped_column(
        String(16), default="events", server_default="events"
    )  # events|sms
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
