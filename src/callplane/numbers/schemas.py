"""Phone number and compliance shapes (DESIGN section 5)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from callplane.numbers import channels
from callplane.numbers.models import ComplianceProfile, PhoneNumber
from callplane.numbers.remote import capabilities_of
from callplane.numbers.states import NumberStatus
from callplane.providers.schemas import NumberProviderOut
from callplane.schemas import JsonUUID, StrictModel

NumberType = Literal["local", "mobile", "toll_free"]
COUNTRY = r"^[A-Za-z]{2}$"
BUNDLE_SID = r"^BU[0-9a-fA-F]{32}$"
ADDRESS_SID = r"^AD[0-9a-fA-F]{32}$"


def money(value: Any) -> str | None:
    """A price as a decimal string with at least two decimals ("1.15", "0.0075")."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    cents = amount.quantize(Decimal("0.01"))
    return str(cents if cents == amount else amount.normalize())


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

    @classmethod
    def from_twilio(
        cls, item: Any, *, country: str, number_type: str, price: Any, unit: str | None
    ) -> AvailableNumberOut:
        """The view of one AvailablePhoneNumber, with the type's monthly price."""
        return cls(
            phone_number=item.phone_number,
            friendly_name=item.friendly_name,
            country=item.iso_country or country,
            type=number_type,  # type: ignore[arg-type]
            capabilities=Capabilities(**capabilities_of(item.capabilities)),
            locality=item.locality or None,
            region=item.region or None,
            postal_code=item.postal_code or None,
            address_requirements=item.address_requirements,
            monthly_price=money(price),
            price_unit=unit,
        )


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


class Manage(StrictModel):
    """Which channels callplane owns at Twilio: it wires, rewires and restores only these."""

    voice: bool = True
    sms: bool = True


class ManagePatch(StrictModel):
    """Take channels over (true: what was there is saved) or give them back (false: restored)."""

    voice: bool | None = None
    sms: bool | None = None


class NumberBuy(StrictModel):
    """Buy a number found by a search."""

    phone_number: str = Field(min_length=1, max_length=40)
    agent_id: JsonUUID | None = None
    country: str | None = Field(
        default=None, pattern=COUNTRY, description="How to read a number written without +"
    )
    manage: Manage = Field(
        default_factory=Manage, description="The channels callplane wires (default: both)"
    )
    label: str | None = Field(default=None, min_length=1, max_length=100)


class NumberImport(StrictModel):
    """Claim a number already in the tenant's Twilio account; say which channels callplane
    takes over (`manage`, or `manage_webhooks` for both at once)."""

    phone_number: str = Field(min_length=1, max_length=40)
    manage: Manage | None = Field(
        default=None,
        description="The channels callplane takes over (their configuration is saved and "
        "restored on release); the others are never touched",
    )
    manage_webhooks: bool | None = Field(
        default=None,
        description="Shorthand: true for both channels, false for none",
    )
    agent_id: JsonUUID | None = None
    country: str | None = Field(default=None, pattern=COUNTRY)
    label: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_choice(self) -> NumberImport:
        _check_channels(self.manage, self.manage_webhooks)
        return self

    @property
    def channels(self) -> Manage:
        """The channels chosen, whichever way."""
        return _channels_of(self.manage, self.manage_webhooks)


def _check_channels(manage: Manage | None, manage_webhooks: bool | None) -> None:
    if manage is None and manage_webhooks is None:
        raise ValueError("say which channels callplane manages: manage or manage_webhooks")
    if manage is not None and manage_webhooks is not None:
        both = manage.voice and manage.sms
        none = not (manage.voice or manage.sms)
        if not (both if manage_webhooks else none):
            raise ValueError("manage and manage_webhooks disagree: give one of them")


def _channels_of(manage: Manage | None, manage_webhooks: bool | None) -> Manage:
    if manage is not None:
        return manage
    return Manage(voice=bool(manage_webhooks), sms=bool(manage_webhooks))


IMPORT_BATCH_MAX = 1000


class NumberImportBatch(StrictModel):
    """Claim many numbers already in the tenant's Twilio account at once: a list, or `all`
    (every number the account holds that no tenant holds yet). The account is read once, page by
    page; each number is imported on its own (all or nothing per number) and reported."""

    phone_numbers: list[str] | None = Field(default=None, min_length=1, max_length=IMPORT_BATCH_MAX)
    all: bool = Field(
        default=False, description="Every number of the account that no tenant holds yet"
    )
    manage: Manage | None = Field(
        default=None, description="The channels callplane takes over, for every number"
    )
    manage_webhooks: bool | None = Field(
        default=None, description="Shorthand: true for both channels, false for none"
    )
    agent_id: JsonUUID | None = None
    country: str | None = Field(default=None, pattern=COUNTRY)

    @model_validator(mode="after")
    def _one_source(self) -> NumberImportBatch:
        if (self.phone_numbers is None) == (not self.all):
            raise ValueError("give phone_numbers or all: true (one of them)")
        for number in self.phone_numbers or []:
            if not number or len(number) > 40:
                raise ValueError("each phone number has 1 to 40 characters")
        _check_channels(self.manage, self.manage_webhooks)
        return self

    @property
    def channels(self) -> Manage:
        """The channels chosen, whichever way."""
        return _channels_of(self.manage, self.manage_webhooks)


class ImportItemError(BaseModel):
    """Why one number was not imported (the code a single import would answer)."""

    code: str
    message: str


class ImportItemOut(BaseModel):
    """One number of a batch: imported (now), already the tenant's, or refused (and why)."""

    phone_number: str
    result: Literal["imported", "already_held", "failed"]
    id: uuid.UUID | None = None
    status: NumberStatus | None = None
    error: ImportItemError | None = None


class NumberImportBatchOut(BaseModel):
    """What a batch import did, number by number, in the order asked."""

    imported: int
    already_held: int
    failed: int
    data: list[ImportItemOut]


class NumberPatch(StrictModel):
    """Attach the number to an agent or detach it (null), change its channels, its label."""

    agent_id: JsonUUID | None = None
    manage: ManagePatch | None = None
    label: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _something(self) -> NumberPatch:
        if not self.model_fields_set:
            raise ValueError("give agent_id, manage or label")
        if "manage" in self.model_fields_set and self.manage is None:
            raise ValueError("manage is an object: {voice?, sms?}")
        return self


class NumberRelease(StrictModel):
    """The confirmation that deleting an imported number at Twilio takes."""

    confirm: str | None = Field(
        default=None, max_length=40, description="The number's E.164, to delete it at Twilio"
    )


class ChannelOwners(BaseModel):
    """Who owns each channel: callplane, the customer, or what takes the voice channel (a trunk,
    a provider)."""

    voice: str
    sms: str


class OriginalConfig(BaseModel):
    """The number's Twilio configuration saved at import or take-over."""

    voice_url: str | None = None
    voice_method: str | None = None
    voice_fallback_url: str | None = None
    voice_fallback_method: str | None = None
    status_callback: str | None = None
    status_callback_method: str | None = None
    voice_application_sid: str | None = None
    sms_url: str | None = None
    sms_method: str | None = None
    sms_fallback_url: str | None = None
    sms_fallback_method: str | None = None
    sms_application_sid: str | None = None
    trunk_sid: str | None = None


class NumberOut(BaseModel):
    """A tenant's phone number."""

    id: uuid.UUID
    phone_number: str
    status: NumberStatus
    agent_id: uuid.UUID | None
    trunk_id: uuid.UUID | None
    managed: bool
    manage: Manage
    channels: ChannelOwners
    origin: str
    original_config: OriginalConfig | None
    label: str | None
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
    provider: NumberProviderOut | None = Field(
        default=None, description="Its registration at its agent's voice-AI provider, if any"
    )

    @classmethod
    def from_model(
        cls, number: PhoneNumber, provider: NumberProviderOut | None = None
    ) -> NumberOut:
        """The public view of a number (with its provider registration, when it has one)."""
        return cls.model_validate(number_fields(number, provider))


def number_fields(
    number: PhoneNumber,
    provider: NumberProviderOut | None = None,
    *,
    capabilities: dict[str, bool] | None = None,
) -> dict[str, Any]:
    """`NumberOut`'s fields as plain values (nested objects as dicts): what `from_model` validates
    and what the list serialises as it is (numbers/pages.py), so both show a number alike.
    `capabilities`: the number's as `capabilities_of` gives them, when already worked out."""
    saved = channels.saved(number)
    return {
        "id": number.id,
        "phone_number": number.e164,
        "status": number.status,
        "agent_id": number.agent_id,
        "trunk_id": number.trunk_id,
        "managed": number.managed,
        "manage": {"voice": number.manage_voice, "sms": number.manage_sms},
        "channels": channels.owners(number, provider=provider.name if provider else None),
        "origin": number.origin,
        "original_config": saved,
        "label": number.label,
        "country": number.country,
        "type": number.type,
        "capabilities": capabilities_of(number.capabilities)
        if capabilities is None
        else capabilities,
        "monthly_price": money(number.monthly_price),
        "price_unit": number.price_unit,
        "twilio_sid": number.twilio_sid,
        "account_sid": number.account_sid,
        "bundle_sid": number.bundle_sid,
        "address_sid": number.address_sid,
        "purchased_at": number.purchased_at,
        "released_at": number.released_at,
        "release_reason": number.release_reason,
        "failure_reason": number.failure_reason,
        "failure_code": number.failure_code,
        "created_at": number.created_at,
        "provider": provider.model_dump() if provider is not None else None,
    }


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

    @classmethod
    def from_model(
        cls, profile: ComplianceProfile, bundle_status: str | None = None
    ) -> ComplianceOut:
        """The public view of a profile (with the bundle's status when it was just checked)."""
        return cls(
            scope="platform" if profile.tenant_id is None else "tenant",
            tenant_id=profile.tenant_id,
            country=profile.country,
            type=profile.number_type,  # type: ignore[arg-type]
            bundle_sid=profile.bundle_sid,
            address_sid=profile.address_sid,
            emergency_address_sid=profile.emergency_address_sid,
            updated_at=profile.updated_at,
            bundle_status=bundle_status,
        )
