"""A tenant's Twilio connection: which account its resources live in, and the credentials."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callplane.db.base import Base, CreatedMixin, IdMixin, utcnow
from callplane.security.secrets import register_encrypted


class ConnectionStatus(StrEnum):
    """Whether the tenant's account is usable: not made yet, usable, or closed (offboarding)."""

    pending = "pending"
    active = "active"
    closed = "closed"


class Connection(IdMixin, CreatedMixin, Base):
    """One per tenant. Secret columns hold key-ring ciphertext, never plain text."""

    __tablename__ = "connections"
    __resource_name__ = "connection"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), unique=True
    )
    model: Mapped[str] = mapped_column(String(16))  # master|subaccount|byo
    # Indexed: the inbound gateway finds connections by the webhook's AccountSid.
    account_sid: Mapped[str | None] = mapped_column(String(34), index=True, default=None)
    auth_token: Mapped[str | None] = mapped_column(Text, default=None)
    previous_auth_token: Mapped[str | None] = mapped_column(Text, default=None)
    token_rotated_at: Mapped[datetime | None] = mapped_column(default=None)
    api_key_sid: Mapped[str | None] = mapped_column(String(34), default=None)
    api_key_secret: Mapped[str | None] = mapped_column(Text, default=None)
    region: Mapped[str | None] = mapped_column(String(16), default=None)
    edge: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[str] = mapped_column(String(16), default=ConnectionStatus.active)
    health_status: Mapped[str | None] = mapped_column(String(16), default=None)
    health_latency_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    health_checked_at: Mapped[datetime | None] = mapped_column(default=None)
    health_detail: Mapped[str | None] = mapped_column(String(500), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


register_encrypted(Connection, "auth_token", "previous_auth_token", "api_key_secret")
