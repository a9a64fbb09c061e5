"""Tenant, API key, plan and subscription shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from callplane.schemas import JsonDatetime, StrictModel
from callplane.tenants.models import ApiKey, Subscription

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"


class TenantCreate(StrictModel):
    """A new tenant."""

    slug: str = Field(pattern=SLUG_PATTERN, description="Unique, lower-case, URL-safe")
    name: str = Field(min_length=1, max_length=200)


class TenantPatch(StrictModel):
    """Changes to a tenant (offboarding is DELETE). `name` and `status` need a platform key;
    the tenant's admins may set `default_sms_from` (null clears it)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    status: Literal["active", "suspended"] | None = None
    default_sms_from: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="The sender of messages sent without `from`: one of the tenant's active "
        "SMS-capable numbers",
    )


class TenantOut(BaseModel):
    """A tenant."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str
    status: str
    default_sms_from: str | None = None
    created_at: datetime


_TENANT_JSON: dict[Any, bytes] = {}


def tenant_json(row: Any) -> bytes:
    """A tenant row's `TenantOut` JSON, rendered once per distinct row (a hashable, frozen
    `access.TenantRow`: a renamed tenant is another row), as FastAPI renders a response model."""
    found = _TENANT_JSON.get(row)
    if found is None:
        if len(_TENANT_JSON) >= 10_000:  # a flood of tenants costs renders, never memory
            _TENANT_JSON.clear()
        found = _TENANT_JSON[row] = TenantOut.model_validate(row).model_dump_json().encode()
    return found


class ApiKeyCreate(StrictModel):
    """A new tenant API key."""

    role: Literal["admin", "member"]
    name: str | None = Field(default=None, max_length=200)


class ApiKeyOut(BaseModel):
    """An API key; `key` is present only in the answer that created it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    role: str
    prefix: str
    name: str | None = None
    tenant_id: uuid.UUID | None = None
    created_at: datetime
    revoked_at: datetime | None = None
    key: str | None = None

    @classmethod
    def from_model(cls, row: ApiKey, *, key: str | None = None) -> ApiKeyOut:
        """The public view of a key; the plain `key` only in the answer that created it."""
        return cls.model_validate(row).model_copy(update={"key": key})


class PlanPut(StrictModel):
    """A plan's quota."""

    quota_phone_numbers: int = Field(ge=0, le=1_000_000)


class PlanOut(BaseModel):
    """A plan."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    quota_phone_numbers: int


class SubscriptionPut(StrictModel):
    """A tenant's subscription."""

    plan: str = Field(min_length=1, max_length=63)
    status: Literal["active", "past_due", "canceled"]
    cancel_at_period_end: bool = False
    canceled_at: JsonDatetime | None = None
    external_id: str | None = Field(default=None, max_length=255)


class SubscriptionOut(BaseModel):
    """A tenant's subscription."""

    plan: str
    status: str
    cancel_at_period_end: bool
    canceled_at: datetime | None
    external_id: str | None = None

    @classmethod
    def from_model(cls, sub: Subscription) -> SubscriptionOut:
        """The public view of a subscription."""
        return cls(
            plan=sub.plan_name,
            status=sub.status,
            cancel_at_period_end=sub.cancel_at_period_end,
            canceled_at=sub.canceled_at,
            external_id=sub.external_id,
        )
