"""v2010 AvailablePhoneNumbers: the countries and number types on offer, and the search."""

from __future__ import annotations

import re
from typing import Any

from callplane.sandbox import inventory
from callplane.sandbox.errors import invalid_param
from callplane.sandbox.inventory import CATALOGUE, PATH_OF_TYPE, TYPE_PATHS, Block, Search
from callplane.sandbox.paging import MAX_PAGE_SIZE, page_request
from callplane.sandbox.routing import Ctx, Reply, Router
from callplane.sandbox.util import Params

API = "/2010-04-01"


def available_json(e164: str, block: Block) -> dict[str, Any]:
    """An AvailablePhoneNumber (lat/long are decimal strings, as Twilio sends them)."""
    return {
        "address_requirements": inventory.type_info(block).address_requirements,
        "beta": False,
        "capabilities": {"mms": block.mms, "sms": block.sms, "voice": block.voice},
        "friendly_name": inventory.friendly_name(e164),
        "iso_country": block.country,
        "lata": block.lata,
        "latitude": block.latitude,
        "locality": block.locality,
        "longitude": block.longitude,
        "phone_number": e164,
        "postal_code": block.postal_code,
        "rate_center": block.rate_center,
        "region": block.region,
    }


def country_json(account_sid: str, country: inventory.Country) -> dict[str, Any]:
    """An AvailablePhoneNumberCountry."""
    base = f"{API}/Accounts/{account_sid}/AvailablePhoneNumbers/{country.iso}"
    return {
        "country_code": country.iso,
        "country": country.name,
        "uri": f"{base}.json",
        "beta": False,
        "subresource_uris": {
            {"local": "local", "mobile": "mobile", "toll_free": "toll_free"}[t]: (
                f"{base}/{PATH_OF_TYPE[t]}.json"
            )
            for t in inventory.NUMBER_TYPES
            if t in country.blocks
        },
    }


# -- AvailablePhoneNumbers ------------------------------------------------------------------


def list_countries(ctx: Ctx) -> Reply:
    """GET /Accounts/{AccountSid}/AvailablePhoneNumbers.json."""
    account = ctx.account()
    return 200, {
        "countries": [country_json(account.sid, c) for c in CATALOGUE.values()],
        "uri": f"{API}/Accounts/{account.sid}/AvailablePhoneNumbers.json",
    }


def fetch_country(ctx: Ctx) -> Reply:
    """GET /Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}.json."""
    account = ctx.account()
    country = CATALOGUE.get(ctx.args["CountryCode"].upper())
    if country is None:
        raise ctx.not_found()
    return 200, country_json(account.sid, country)


def _search_criteria(params: Params) -> Search:
    area = params.get("AreaCode")
    if area not in (None, "") and not re.fullmatch(r"\d{3}", area.strip()):
        raise invalid_param("AreaCode", "must be a 3-digit area code")
    near: tuple[float, float] | None = None
    near_latlong = params.get("NearLatLong")
    if near_latlong:
        try:
            lat_text, lon_text = near_latlong.split(",", 1)
            near = (float(lat_text), float(lon_text))
        except ValueError:
            raise invalid_param("NearLatLong", "use latitude,longitude") from None
        if not (-90 <= near[0] <= 90 and -180 <= near[1] <= 180):
            raise invalid_param("NearLatLong", "out of range")
    near_number = params.get("NearNumber")
    if near is None and near_number:
        e164 = inventory.normalize(near_number)
        block = inventory.block_of(e164) if e164 else None
        if block is None or block.latitude is None or block.longitude is None:
            raise invalid_param("NearNumber", "unknown or not geographic")
        near = (float(block.latitude), float(block.longitude))
    return Search(
        area_code=area.strip() if area else None,
        contains=inventory.contains_regex(params.get("Contains")),
        sms=params.boolean("SmsEnabled"),
        mms=params.boolean("MmsEnabled"),
        voice=params.boolean("VoiceEnabled"),
        fax=params.boolean("FaxEnabled"),
        exclude_all_address=bool(params.boolean("ExcludeAllAddressRequired", False)),
        exclude_local_address=bool(params.boolean("ExcludeLocalAddressRequired", False)),
        exclude_foreign_address=bool(params.boolean("ExcludeForeignAddressRequired", False)),
        beta=params.boolean("Beta"),
        near=near,
        distance=params.integer("Distance", 25, lo=0, hi=500) or 0,
        in_postal_code=params.get("InPostalCode") or None,
        in_region=params.get("InRegion") or None,
        in_rate_center=params.get("InRateCenter") or None,
        in_lata=params.get("InLata") or None,
        in_locality=params.get("InLocality") or None,
    )


def list_available(ctx: Ctx) -> Reply:
    """GET .../AvailablePhoneNumbers/{CountryCode}/{Type}.json with Twilio's filters."""
    account = ctx.account()
    country = CATALOGUE.get(ctx.args["CountryCode"].upper())
    number_type = TYPE_PATHS.get(ctx.args["Type"])
    if country is None or number_type is None or number_type not in country.blocks:
        # Twilio answers 404 for a country or type it has no inventory for (e.g. US Mobile).
        raise ctx.not_found()
    req = page_request(ctx.query)
    size = min(req.page_size, MAX_PAGE_SIZE)
    criteria = _search_criteria(ctx.query)
    hits = inventory.search(country, number_type, criteria, ctx.state.number_by_e164, size)
    uri = f"{API}/Accounts/{account.sid}/AvailablePhoneNumbers/{country.iso}/{ctx.args['Type']}"
    return 200, {
        "available_phone_numbers": [available_json(n, b) for n, b in hits],
        "uri": f"{uri}.json",
    }


def register(router: Router) -> None:
    """Add the AvailablePhoneNumbers routes."""
    acct = f"{API}/Accounts/{{AccountSid}}"
    router.add(f"{acct}/AvailablePhoneNumbers.json", get=list_countries)
    router.add(f"{acct}/AvailablePhoneNumbers/{{CountryCode}}.json", get=fetch_country)
    router.add(f"{acct}/AvailablePhoneNumbers/{{CountryCode}}/{{Type}}.json", get=list_available)
