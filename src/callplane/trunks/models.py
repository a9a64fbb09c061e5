"""A tenant's Elastic SIP trunk toward its voice-AI provider."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from callplane.db.base import Base, CreatedMixin, IdMixin, utcnow
from callplane.security.secrets import register_encrypted


class Trunk(IdMixin, CreatedMixin, Base):
    """The tenant's own trunk (`provider` NULL), in whatever account the tenant's connection
    points at, and one per voice-AI provider its agents use (docs/decisions.md: a number follows
    its trunk's origination, so each provider's numbers need a trunk of their own)."""

    __tablename__ = "trunks"
    __resource_name__ = "trunk"
    __table_args__ = (
        Index(
            "uq_trunks_tenant_provider", "tenant_id", text("coalesce(provider, '')"), unique=True
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    # None: the tenant's own trunk (the one `PUT trunk` manages); else the provider's name.
    provider: Mapped[str | None] = mapped_column(String(16), default=None)
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL"), default=None
    )
    account_sid: Mapped[str] = mapped_column(String(34))
    twilio_sid: Mapped[str] = mapped_column(String(34), index=True)
    friendly_name: Mapped[str] = mapped_column(String(64))
    domain_name: Mapped[str] = mapped_column(String(255))
    origination_uri: Mapped[str | None] = mapped_column(String(2048), default=None)
    origination_url_sid: Mapped[str | None] = mapped_column(String(34), default=None)
    credential_list_sid: Mapped[str | None] = mapped_column(String(34), default=None)
    # The one SIP credential callplane manages in that list (rotation updates it in place).
    credential_sid: Mapped[str | None] = mapped_column(String(34), default=None)
    sip_username: Mapped[str | None] = mapped_column(String(64), default=None)
    sip_password: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # How callplane came to hold it: created | found (re-found by its tag) | adopted (legacy).
    origin: Mapped[str] = mapped_column(String(16), default="created")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


register_encrypted(Trunk, "sip_password")
