"""Tenants, plans, subscriptions and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from callplane.db.base import Base, CreatedMixin, IdMixin, utcnow


class TenantStatus(StrEnum):
    """A tenant's standing: served, suspended (its calls are rejected), or gone."""

    active = "active"
    suspended = "suspended"
    offboarded = "offboarded"


class SubscriptionStatus(StrEnum):
    """A subscription's state, as billing reports it."""

    active = "active"
    past_due = "past_due"
    canceled = "canceled"


class Tenant(IdMixin, CreatedMixin, Base):
    """A customer company of the platform."""

    __tablename__ = "tenants"
    __resource_name__ = "tenant"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=TenantStatus.active)
    # The sender of `POST messages` without `from` (one of the tenant's active SMS numbers).
    default_sms_from: Mapped[str | None] = mapped_column(String(20), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Plan(CreatedMixin, Base):
    """A billing plan and the quota it grants."""

    __tablename__ = "plans"
    __resource_name__ = "plan"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    quota_phone_numbers: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Subscription(IdMixin, CreatedMixin, Base):
    """A tenant's subscription to a plan (one per tenant)."""

    __tablename__ = "subscriptions"
    __resource_name__ = "subscription"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), unique=True
    )
    plan_name: Mapped[str] = mapped_column(ForeignKey("plans.name"))
    status: Mapped[str] = mapped_column(String(16))  # SubscriptionStatus
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    canceled_at: Mapped[datetime | None] = mapped_column(default=None)
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApiKey(IdMixin, CreatedMixin, Base):
    """An API key: only its sha256 hash and a short prefix are kept."""

    __tablename__ = "api_keys"
    __resource_name__ = "api key"

    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True, default=None
    )
    role: Mapped[str] = mapped_column(String(16))  # platform|admin|member
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
