"""A tenant's provider credentials, and each number's registration at its provider."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callplane.db.base import Base, CreatedMixin, IdMixin, utcnow
from callplane.security.secrets import register_encrypted


class ProviderAccount(IdMixin, CreatedMixin, Base):
    """The tenant's account at one provider: write-only secrets, verified before they are kept."""

    __tablename__ = "provider_accounts"
    __resource_name__ = "provider"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(16))  # retell|elevenlabs|vapi|livekit
    api_key: Mapped[str] = mapped_column(Text)  # ciphertext
    api_secret: Mapped[str | None] = mapped_column(Text, default=None)  # ciphertext (LiveKit)
    url: Mapped[str | None] = mapped_column(String(2048), default=None)  # LiveKit project URL
    sip_host: Mapped[str | None] = mapped_column(String(255), default=None)  # LiveKit SIP host
    base_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    status: Mapped[str] = mapped_column(String(16), default="connected")  # connected|rejected
    detail: Mapped[str | None] = mapped_column(String(500), default=None)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Tenant-wide resources made at the provider (Vapi's SIP trunk credential) and their
    # fingerprints: ids only, never a secret.
    refs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


register_encrypted(ProviderAccount, "api_key", "api_secret")


class ProviderRegistration(IdMixin, CreatedMixin, Base):
    """A number as registered (or to be registered, or removed) at a provider.

    `fingerprint` is a hash of what was last pushed (termination, SIP user and password, agent):
    no provider hands a stored password back, so this is how a stale registration is known.
    Its status changes only in `providers.sync`.
    """

    __tablename__ = "provider_registrations"
    __resource_name__ = "provider registration"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    number_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("phone_numbers.id", ondelete="CASCADE"), unique=True
    )
    phone_number: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(16))
    provider_agent_id: Mapped[str | None] = mapped_column(String(255), default=None)
    registration_id: Mapped[str | None] = mapped_column(String(255), default=None)
    refs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # synced|pending|failed
    detail: Mapped[str | None] = mapped_column(String(1000), default=None)
    fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    synced_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
