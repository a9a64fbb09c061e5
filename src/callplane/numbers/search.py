"""Numbers on offer and their prices, in the tenant's account."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import phonenumbers
from twilio.base.exceptions import TwilioRestException

from callplane.connections.clients import TenantTwilio, tenant_client
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, NotFound, Unprocessable
from callplane.log import get_logger
from callplane.numbers.remote import TwilioNumbers
from callplane.numbers.schemas import AvailableNumberOut, PriceOut, PricingOut, money
from callplane.tenancy import TenantScope

log = get_logger(__name__)

PRICE_TTL_SECONDS = 600
NANP_COUNTRIES = {"US", "CA"}  # Twilio's AreaCode filter exists for these only
PRICING_TYPES = {
    "local": "local",
    "mobile": "mobile",
    "toll free": "toll_free",
    "toll-free": "toll_free",
    "tollfree": "toll_free",
    "toll_free": "toll_free",
}
TYPE_ORDER = ("local", "mobile", "toll_free")


class InvalidCountry(Unprocessable):
    """Not an ISO 3166-1 alpha-2 country with phone numbers."""

    code = "invalid_country"


def normalize_country(raw: str | None) -> str:
    """ISO-2, upper case; 422 invalid_country for anything else."""
    text = (raw or "").strip().upper()
    if len(text) != 2 or not text.isalpha() or text not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidCountry(
            f"{raw!r} is not a country: use its ISO 3166-1 alpha-2 code (US, GB, DE, ...)"
        )
    return text


def number_type_of(e164: str) -> str:
    """local, mobile or toll_free, as Twilio sells it, from the number itself."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return "mobile"
    if kind == phonenumbers.PhoneNumberType.TOLL_FREE:
        return "toll_free"
    return "local"


def _search_filters(
    contains: str | None, area_code: str | None, capabilities: dict[str, bool | None]
) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if contains:
        filters["contains"] = contains
    if area_code:
        filters["area_code"] = area_code
    for name, value in capabilities.items():
        if value is not None:
            filters[f"{name}_enabled"] = value
    return filters


async def search_available(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    country: str,
    number_type: str,
    contains: str | None = None,
    area_code: str | None = None,
    sms: bool | None = None,
    voice: bool | None = None,
    mms: bool | None = None,
    limit: int = 20,
) -> list[AvailableNumberOut]:
    """Numbers Twilio offers in the tenant's account; an empty list when it has none of the kind."""
    country = normalize_country(country)
    if area_code and country not in NANP_COUNTRIES:
        raise Unprocessable(
            "area_code works for US and CA numbers only; use contains for other countries",
            code="area_code_not_supported",
        )
    tw = await tenant_client(uow=uow, scope=scope)
    filters = _search_filters(contains, area_code, {"sms": sms, "voice": voice, "mms": mms})
    try:
        found = await TwilioNumbers(tw).available(
            country, number_type, limit=limit, filters=filters
        )
    except ApiError as exc:
        cause = exc.__cause__
        if exc.details.get("twilio_code") == 20404:
            return []  # Twilio has no inventory of that kind in that country
        if isinstance(cause, TwilioRestException) and cause.status == 400:
            raise Unprocessable(
                f"Twilio refused the search: {cause.msg}",
                code="invalid_search",
                twilio_code=cause.code,
            ) from exc
        raise
    price, unit = await price_for(tw, country, number_type) if found else (None, None)
    return [
        AvailableNumberOut.from_twilio(
            item, country=country, number_type=number_type, price=price, unit=unit
        )
        for item in found[:limit]
    ]


async def get_pricing(*, uow: UnitOfWork, scope: TenantScope, country: str) -> PricingOut:
    """Monthly number prices of a country in the tenant's account."""
    country = normalize_country(country)
    tw = await tenant_client(uow=uow, scope=scope)
    try:
        return await _pricing(tw, country)
    except ApiError as exc:
        if exc.details.get("twilio_code") == 20404:
            raise NotFound(
                f"pricing for {country} (Twilio sells no numbers there)",
                code="country_not_supported",
            ) from exc
        raise


_price_cache: dict[tuple[str, str, str], tuple[float, PricingOut]] = {}


async def _pricing(tw: TenantTwilio, country: str) -> PricingOut:
    key = (tw.api_base or "", tw.account_sid, country)
    cached = _price_cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = await TwilioNumbers(tw).pricing(country)
    prices: dict[str, PriceOut] = {}
    for item in found.phone_number_prices or []:
        kind = PRICING_TYPES.get(str(item.get("number_type", "")).strip().lower())
        monthly = money(item.get("current_price") or item.get("base_price"))
        if kind is None or monthly is None or kind in prices:
            continue
        base = money(item.get("base_price"))
        prices[kind] = PriceOut(type=kind, monthly=monthly, base=base)  # type: ignore[arg-type]
    out = PricingOut(
        country=found.iso_country or country,
        currency=found.price_unit or "USD",
        prices=sorted(prices.values(), key=lambda p: TYPE_ORDER.index(p.type)),
    )
    _price_cache[key] = (time.monotonic() + PRICE_TTL_SECONDS, out)
    return out


async def price_for(
    tw: TenantTwilio, country: str, number_type: str
) -> tuple[Decimal | None, str | None]:
    """(monthly price, currency) of a number type, or (None, None): prices never block a flow."""
    try:
        pricing = await _pricing(tw, country)
    except ApiError as exc:
        log.info("no price for numbers", country=country, code=exc.code)
        return None, None
    for price in pricing.prices:
        if price.type == number_type:
            return Decimal(price.monthly), pricing.currency
    return None, pricing.currency
