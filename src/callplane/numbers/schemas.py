"""Phone number and compliance shapes (DESIGN section 5)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from callplane.schemas import StrictModel

NumberType = Literal["local", "mobile", "toll_free"]
NumberStatus = Literal["pending", "active", "releasing", "released", "failed"]
COUNTRY = r"^[A-Za-z]{2}$"
BUNDLE_SID = r"^BU[0-9a-fA-F]{32}$"
ADDRESS_SID = r"^AD[0-9a-fA-F]{32}$"


class Capabilities(BaseModel):
    """What a number can do."""

    voice: bool = False
    sms: bool = False
    mms: bool = False


class AvailableNumberOut(BaseModel):
    """A number Twilio offers for purchase."""

    phone_number: str
    friendly_name: str | None = None
    country: str
    type: NumberType
    capabilities: Capabilities
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    address_requirements: str | None = None
    monthly_price: str | None = None
    price_unit: str | None = None


class PriceOut(BaseModel):
    """The monthly price of one number type."""

    type: NumberType
    monthly: str
    base: str | None = None


class PricingOut(BaseModel):
    """Monthly number prices of one country."""

    country: str
    currency: str
    prices: list[PriceOut]


class NumberBuy(StrictModel):
    """Buy a number found by a search."""

    phone_number: str = Field(min_length=1, max_length=40)
    agent_id: uuid.UUID | None = None
    country: str | None = Field(
        default=None, pattern=COUNTRY, description="How to read a number written without +"
    )


class NumberImport(StrictModel):
    """Claim a number already in the tenant's Twilio account."""

    phone_number: str = Field(min_length=1, max_length=40)
    manage_webhooks: bool = Field(
        description="true: callplane wires the number to its webhook URLs and keeps them so; "
        "false: the number's Twilio configuration is never touched"
    )
    agent_id: uuid.UUID | None = None
    country: str | None = Field(default=None, pattern=COUNTRY)


class NumberPatch(StrictModel):
    """Attach the number to an agent, or detach it (null)."""

    agent_id: uuid.UUID | None


class NumberOut(BaseModel):
    """A tenant's phone number."""

    id: uuid.UUID
    phone_number: str
    status: NumberStatus
    agent_id: uuid.UUID | None
    trunk_id: uuid.UUID | None
    managed: bool
    origin: str
    country: str
    type: str
    capabilities: Capabilities
    monthly_price: str | None
    price_unit: str | None
    twilio_sid: str | None
    account_sid: str
    bundle_sid: str | None = None
    address_sid: str | None = None
    purchased_at: datetime | None
    released_at: datetime | None
    release_reason: str | None
    failure_reason: str | None
    failure_code: str | None
    created_at: datetime


class ComplianceIn(StrictModel):
    """Which bundle and addresses buy a country's numbers of one type."""

    bundle_sid: str | None = Field(default=None, pattern=BUNDLE_SID)
    address_sid: str | None = Field(default=None, pattern=ADDRESS_SID)
    emergency_address_sid: str | None = Field(default=None, pattern=ADDRESS_SID)

    @model_validator(mode="after")
    def _something(self) -> ComplianceIn:
        if not (self.bundle_sid or self.address_sid or self.emergency_address_sid):
            raise ValueError("give bundle_sid, address_sid or emergency_address_sid")
        return self


class ComplianceOut(BaseModel):
    """A compliance profile: the platform's (tenant_id null) or a tenant's."""

    scope: Literal["platform", "tenant"]
    tenant_id: uuid.UUID | None
    country: str
    type: NumberType
    bundle_sid: str | None
    address_sid: str | None
    emergency_address_sid: str | None
    updated_at: datetime
    bundle_status: str | None = Field(
        default=None, description="The bundle's status at Twilio when the profile was written"
    )
