"""Phone numbers and the compliance profiles used to buy them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from callplane.db.base import Base, CreatedMixin, IdMixin, utcnow
from callplane.numbers.states import HELD_SQL, NumberOrigin, NumberStatus, status_change_allowed

_HELD_SQL = text(HELD_SQL)


class PhoneNumber(IdMixin, CreatedMixin, Base):
    """A tenant's number. E.164 only; one held row per number across all tenants."""

    __tablename__ = "phone_numbers"
    __resource_name__ = "phone number"
    __table_args__ = (
        # The database, not only a check, keeps one number in one tenant at a time.
        Index(
            "uq_phone_numbers_e164_held",
            "e164",
            unique=True,
            postgresql_where=_HELD_SQL,
            sqlite_where=_HELD_SQL,
        ),
        # The gateway's lookup: (AccountSid, To) -> the held number.
        Index("ix_phone_numbers_account_e164", "account_sid", "e164"),
        UniqueConstraint("tenant_id", "idempotency_key", name="uq_phone_numbers_idempotency"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL"), default=None
    )
    account_sid: Mapped[str] = mapped_column(String(34))
    e164: Mapped[str] = mapped_column(String(20))
    twilio_sid: Mapped[str | None] = mapped_column(String(34), index=True, default=None)
    country: Mapped[str] = mapped_column(String(2))
    type: Mapped[str] = mapped_column(String(16))  # local|mobile|toll_free
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=NumberStatus.pending)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True, default=None
    )
    trunk_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("trunks.id", ondelete="SET NULL"), index=True, default=None
    )
    # Which channels callplane owns at Twilio (numbers.channels keeps `managed` = either one).
    managed: Mapped[bool] = mapped_column(Boolean, default=True)
    manage_voice: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    manage_sms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The number's Twilio configuration before callplane took a channel over (import, PATCH
    # manage, a trunk): what releasing or giving a channel back restores (numbers.channels).
    original_config: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    label: Mapped[str | None] = mapped_column(String(100), default=None)
    origin: Mapped[str] = mapped_column(String(16), default=NumberOrigin.purchased)
    # What the purchase passed to Twilio (from the compliance profile, or a clone of it).
    bundle_sid: Mapped[str | None] = mapped_column(String(34), default=None)
    address_sid: Mapped[str | None] = mapped_column(String(34), default=None)
    monthly_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 4), default=None)
    price_unit: Mapped[str | None] = mapped_column(String(3), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    purchased_at: Mapped[datetime | None] = mapped_column(default=None)
    released_at: Mapped[datetime | None] = mapped_column(default=None)
    release_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    failure_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    failure_code: Mapped[str | None] = mapped_column(String(64), default=None)
    # The rest of a failed purchase's first answer (HTTP status, `twilio_code`, ...), so that a
    # repeated Idempotency-Key answers every field of it again.
    failure_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @validates("status")
    def _status_by_lifecycle(self, _key: str, value: str) -> str:
        # One owner per lifecycle: a status set anywhere but numbers/lifecycle.py is a bug.
        if not status_change_allowed():
            raise TypeError("a number's status changes only through callplane.numbers.lifecycle")
        return value


class ComplianceProfile(IdMixin, CreatedMixin, Base):
    """Bundle and addresses to buy a country's numbers of one type (tenant's, or the platform's)."""

    __tablename__ = "compliance_profiles"
    __resource_name__ = "compliance profile"
    __table_args__ = (
        Index(
            "uq_compliance_profiles_tenant",
            "tenant_id",
            "country",
            "number_type",
            unique=True,
            postgresql_where=text("tenant_id IS NOT NULL"),
            sqlite_where=text("tenant_id IS NOT NULL"),
        ),
        Index(
            "uq_compliance_profiles_platform",
            "country",
            "number_type",
            unique=True,
            postgresql_where=text("tenant_id IS NULL"),
            sqlite_where=text("tenant_id IS NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), default=None
    )
    country: Mapped[str] = mapped_column(String(2))
    number_type: Mapped[str] = mapped_column(String(16))
    bundle_sid: Mapped[str | None] = mapped_column(String(34), default=None)
    address_sid: Mapped[str | None] = mapped_column(String(34), default=None)
    emergency_address_sid: Mapped[str | None] = mapped_column(String(34), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ClonedBundle(IdMixin, CreatedMixin, Base):
    """A platform bundle cloned into a subaccount (DESIGN section 1: regulated numbers)."""

    __tablename__ = "cloned_bundles"
    __table_args__ = (UniqueConstraint("source_bundle_sid", "account_sid"),)

    source_bundle_sid: Mapped[str] = mapped_column(String(34))
    account_sid: Mapped[str] = mapped_column(String(34))
    bundle_sid: Mapped[str] = mapped_column(String(34))


class CopiedAddress(IdMixin, CreatedMixin, Base):
    """A platform Address copied into a subaccount (addresses cannot be shared across accounts)."""

    __tablename__ = "copied_addresses"
    __table_args__ = (UniqueConstraint("source_address_sid", "account_sid"),)

    source_address_sid: Mapped[str] = mapped_column(String(34))
    account_sid: Mapped[str] = mapped_column(String(34))
    address_sid: Mapped[str] = mapped_column(String(34))
