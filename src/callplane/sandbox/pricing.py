"""pricing v1: monthly phone-number prices per country and number type."""

from __future__ import annotations

from typing import Any

from callplane.sandbox.inventory import CATALOGUE, NUMBER_TYPES, PRICING_LABEL, Country
from callplane.sandbox.paging import meta_envelope, page_request, select
from callplane.sandbox.routing import Ctx, Reply, Router

HOST = "https://pricing.twilio.com"


def country_url(iso: str) -> str:
    """The country's absolute pricing URL on the real Twilio host."""
    return f"{HOST}/v1/PhoneNumbers/Countries/{iso}"


def country_json(country: Country) -> dict[str, Any]:
    """A PhoneNumberCountry in a list."""
    return {"country": country.name, "iso_country": country.iso, "url": country_url(country.iso)}


def country_instance_json(country: Country) -> dict[str, Any]:
    """A PhoneNumberCountry with its prices (decimal strings, as Twilio sends them)."""
    return {
        "country": country.name,
        "iso_country": country.iso,
        "phone_number_prices": [
            {
                "number_type": PRICING_LABEL[t],
                "base_price": country.types[t].monthly_price,
                "current_price": country.types[t].monthly_price,
            }
            for t in NUMBER_TYPES
            if t in country.types
        ],
        "price_unit": country.price_unit,
        "url": country_url(country.iso),
    }


def list_countries(ctx: Ctx) -> Reply:
    """GET /v1/PhoneNumbers/Countries (sorted by name, as Twilio lists them)."""
    req = page_request(ctx.query)
    countries = sorted(CATALOGUE.values(), key=lambda c: c.name)
    items, more = select(countries, req)
    base = f"{HOST}/v1/PhoneNumbers/Countries"
    body = meta_envelope(base, "countries", [country_json(c) for c in items], req, False, None)
    if more:
        # A short static list: the next page is addressed by its number alone.
        body["meta"]["next_page_url"] = f"{base}?PageSize={req.page_size}&Page={req.page + 1}"
    return 200, body


def fetch_country(ctx: Ctx) -> Reply:
    """GET /v1/PhoneNumbers/Countries/{IsoCountry}; 20404 for a country without numbers."""
    country = CATALOGUE.get(ctx.args["IsoCountry"].upper())
    if country is None:
        raise ctx.not_found()
    return 200, country_instance_json(country)


def register(router: Router) -> None:
    """Add the pricing v1 phone-number routes."""
    router.add("/v1/PhoneNumbers/Countries", get=list_countries)
    router.add("/v1/PhoneNumbers/Countries/{IsoCountry}", get=fetch_country)
