"""v2010 AvailablePhoneNumbers (search) and IncomingPhoneNumbers (buy, wire, move, release)."""

from __future__ import annotations

import re
from typing import Any

from callplane.sandbox import inventory
from callplane.sandbox.accounts import require_not_closed
from callplane.sandbox.auth import reach_account
from callplane.sandbox.errors import TwilioError, invalid_param, missing_param, unauthorized
from callplane.sandbox.inventory import CATALOGUE, PATH_OF_TYPE, TYPE_PATHS, Block, Search
from callplane.sandbox.paging import MAX_PAGE_SIZE, page_request, select, v2010_envelope
from callplane.sandbox.routing import Ctx, Reply, Router
from callplane.sandbox.state import Account, Bundle, PhoneNumber, SandboxState
from callplane.sandbox.util import Params, is_sid, new_sid, now, rfc2822

API = "/2010-04-01"
OTHER_AVAILABLE_TYPES = ("National", "Voip", "SharedCost", "MachineToMachine")
IPN_TYPE = {"local": "local", "mobile": "mobile", "toll_free": "toll-free"}
BUNDLE_NUMBER_TYPES = {
    "local": "local",
    "mobile": "mobile",
    "national": "national",
    "toll-free": "toll_free",
    "toll_free": "toll_free",
    "tollfree": "toll_free",
}
URL_FIELDS = {
    "VoiceUrl": "voice_url",
    "VoiceFallbackUrl": "voice_fallback_url",
    "SmsUrl": "sms_url",
    "SmsFallbackUrl": "sms_fallback_url",
    "StatusCallback": "status_callback",
}
METHOD_FIELDS = {
    "VoiceMethod": "voice_method",
    "VoiceFallbackMethod": "voice_fallback_method",
    "SmsMethod": "sms_method",
    "SmsFallbackMethod": "sms_fallback_method",
    "StatusCallbackMethod": "status_callback_method",
}


# -- representations ------------------------------------------------------------------------


def ipn_json(number: PhoneNumber) -> dict[str, Any]:
    """An IncomingPhoneNumber as v2010 shows it (unset application SIDs are "", as Twilio's)."""
    base = f"{API}/Accounts/{number.account_sid}/IncomingPhoneNumbers/{number.sid}"
    caps = number.capabilities
    return {
        "account_sid": number.account_sid,
        "address_requirements": number.address_requirements,
        "address_sid": number.address_sid,
        "api_version": number.api_version,
        "beta": number.beta,
        "capabilities": {
            "voice": caps.get("voice", False),
            "sms": caps.get("sms", False),
            "mms": caps.get("mms", False),
            "fax": caps.get("fax", False),
        },
        "date_created": rfc2822(number.date_created),
        "date_updated": rfc2822(number.date_updated),
        "emergency_status": number.emergency_status,
        "emergency_address_sid": number.emergency_address_sid,
        "emergency_address_status": "registered"
        if number.emergency_address_sid
        else "unregistered",
        "friendly_name": number.friendly_name,
        "identity_sid": number.identity_sid,
        "origin": number.origin,
        "phone_number": number.phone_number,
        "sid": number.sid,
        "sms_application_sid": number.sms_application_sid,
        "sms_fallback_method": number.sms_fallback_method,
        "sms_fallback_url": number.sms_fallback_url,
        "sms_method": number.sms_method,
        "sms_url": number.sms_url,
        "status_callback": number.status_callback,
        "status_callback_method": number.status_callback_method,
        "trunk_sid": number.trunk_sid,
        "uri": f"{base}.json",
        "voice_application_sid": number.voice_application_sid,
        "voice_caller_id_lookup": number.voice_caller_id_lookup,
        "voice_fallback_method": number.voice_fallback_method,
        "voice_fallback_url": number.voice_fallback_url,
        "voice_method": number.voice_method,
        "voice_url": number.voice_url,
        "bundle_sid": number.bundle_sid,
        "voice_receive_mode": number.voice_receive_mode,
        "status": "in-use",
        "type": IPN_TYPE.get(number.number_type, number.number_type),
        "subresource_uris": {"assigned_add_ons": f"{base}/AssignedAddOns.json"},
    }


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
    if area not in (None, "") and not re.fullmatch(r"\d{3}", area.strip()):  # type: ignore[union-attr]
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


# -- IncomingPhoneNumbers -------------------------------------------------------------------


def _url(params: Params, name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return value
    if not re.match(r"^https?://[^\s/]+", value):
        raise TwilioError(400, 21502, f"{name} is not a valid URL: {value}")
    return value


def _approved_bundle(
    state: SandboxState, sid: str | None, account: Account, block: Block | None
) -> Bundle | None:
    """The bundle if it is twilio-approved, the account's own, and for this country and type."""
    bundle = state.bundles.get(sid)
    if bundle is None or block is None:
        return None
    if (
        bundle.account_sid != account.sid
        or bundle.status != "twilio-approved"
        or (bundle.iso_country or "").upper() != block.country
        or bundle.number_type != block.number_type
    ):
        return None
    return bundle


def _check_requirements(
    state: SandboxState, account: Account, e164: str, block: Block | None, params: Params
) -> tuple[str | None, str | None]:
    """21649 (bundle) and 21631 (address) as Twilio applies them; answers (address, bundle)."""
    info = inventory.type_info(block) if block is not None else None
    bundle_sid = params.get("BundleSid") or None
    address_sid = params.get("AddressSid") or None
    bundle = _approved_bundle(state, bundle_sid, account, block)
    if info is not None and info.regulated and bundle is None:
        raise TwilioError(
            400,
            21649,
            f"Phone Number Requires a Bundle: {e164} ({block.country} {block.number_type}) "  # type: ignore[union-attr]
            "can only be bought with a twilio-approved Bundle of this account for that country "
            "and number type",
        )
    if bundle_sid is not None and bundle is None:
        owned = state.bundles.get(bundle_sid)
        if owned is None or owned.account_sid != account.sid:
            raise invalid_param("BundleSid", f"{bundle_sid} is not a Bundle of this account")
    address = None
    if address_sid is not None:
        address = state.addresses.get(address_sid)
        if address is None or address.account_sid != account.sid:
            raise TwilioError(
                400,
                21631,
                f"Phone Number Requires an Address: {address_sid} is not an Address of this "
                "account",
            )
    requirement = info.address_requirements if info is not None else "none"
    if requirement != "none" and bundle is None:
        country = block.country  # type: ignore[union-attr]
        ok = address is not None and (
            requirement == "any"
            or (requirement == "local" and address.iso_country.upper() == country)
            or (requirement == "foreign" and address.iso_country.upper() != country)
        )
        if not ok:
            raise TwilioError(
                400,
                21631,
                f"Phone Number Requires an Address: {e164} needs an AddressSid of this account "
                f"({requirement} address requirement)",
            )
    return (address.sid if address else None), (bundle.sid if bundle else bundle_sid)


def _choose_number(ctx: Ctx, typed: str | None) -> tuple[str, Block | None]:
    """The number a create asks for (PhoneNumber or AreaCode), or Twilio's error."""
    owned = ctx.state.number_by_e164
    raw = ctx.form.get("PhoneNumber")
    area = ctx.form.get("AreaCode")
    if raw:
        if raw.strip() == inventory.MAGIC_INVALID:
            raise TwilioError(400, 21421, f"PhoneNumber {raw} is invalid")
        e164 = inventory.normalize(raw)
        if e164 is None:
            raise TwilioError(400, 21421, f"PhoneNumber {raw} is invalid")
        if e164 == inventory.MAGIC_VALID and e164 not in owned:
            return e164, None
        block = inventory.block_of(e164)
        if block is None or e164 in owned or (typed is not None and block.number_type != typed):
            raise TwilioError(400, 21422, f"PhoneNumber {e164} is not available")
        return e164, block
    if area:
        area = area.strip()
        if not re.fullmatch(r"\d{3}", area):
            raise TwilioError(400, 21451, f"AreaCode {area} is invalid")
        if area == inventory.MAGIC_AREA_CODE_VALID and inventory.MAGIC_VALID not in owned:
            return inventory.MAGIC_VALID, None
        hit = None
        if area != inventory.MAGIC_AREA_CODE_EMPTY and typed in (None, "local"):
            hit = inventory.first_in_area_code(area, owned)
        if hit is None:
            raise TwilioError(400, 21452, f"No phone numbers found in area code {area}")
        return hit
    raise missing_param("PhoneNumber")


def _apply_wiring(
    state: SandboxState, number: PhoneNumber, account: Account, params: Params
) -> None:
    """URL, method and misc fields shared by create and update."""
    for name, attr in URL_FIELDS.items():
        value = _url(params, name)
        if value is not None:
            setattr(number, attr, value)
    for name, attr in METHOD_FIELDS.items():
        value = params.method(name)
        if value is not None:
            setattr(number, attr, value)
    name = params.text("FriendlyName", max_len=64)
    if name is not None:
        number.friendly_name = name
    lookup = params.boolean("VoiceCallerIdLookup")
    if lookup is not None:
        number.voice_caller_id_lookup = lookup
    for param, attr in (
        ("VoiceApplicationSid", "voice_application_sid"),
        ("SmsApplicationSid", "sms_application_sid"),
    ):
        value = params.get(param)
        if value is not None:
            if value and not is_sid(value, "AP"):
                raise invalid_param(param, "not an Application SID")
            setattr(number, attr, value)
    identity = params.get("IdentitySid")
    if identity is not None:
        if identity and not is_sid(identity, "RI"):
            raise invalid_param("IdentitySid")
        number.identity_sid = identity or None
    mode = params.get("VoiceReceiveMode")
    if mode is not None:
        if mode not in ("voice", "fax"):
            raise invalid_param("VoiceReceiveMode", "must be voice or fax")
        number.voice_receive_mode = mode
    emergency = params.get("EmergencyStatus")
    if emergency is not None:
        if emergency not in ("Active", "Inactive"):
            raise invalid_param("EmergencyStatus", "must be Active or Inactive")
        number.emergency_status = emergency
    emergency_address = params.get("EmergencyAddressSid")
    if emergency_address is not None:
        if emergency_address:
            address = state.addresses.get(emergency_address)
            if address is None or address.account_sid != account.sid:
                raise invalid_param("EmergencyAddressSid", "not an Address of this account")
        number.emergency_address_sid = emergency_address or None
    api_version = params.get("ApiVersion")
    if api_version is not None:
        if api_version not in ("2010-04-01", "2008-08-01"):
            raise invalid_param("ApiVersion")
        number.api_version = api_version


def _trunk_for(state: SandboxState, account: Account, trunk_sid: str) -> str | None:
    if trunk_sid == "":
        return None
    trunk = state.trunks.get(trunk_sid)
    if trunk is None or trunk.account_sid != account.sid:
        raise invalid_param("TrunkSid", f"{trunk_sid} is not a Trunk of this account")
    return trunk.sid


def _create(ctx: Ctx, typed: str | None) -> Reply:
    account = ctx.account()
    require_not_closed(ctx.state, account)
    e164, block = _choose_number(ctx, typed)
    address_sid, bundle_sid = _check_requirements(ctx.state, account, e164, block, ctx.form)
    trunk_sid = ctx.form.get("TrunkSid")
    trunk = _trunk_for(ctx.state, account, trunk_sid) if trunk_sid is not None else None
    number = PhoneNumber(
        sid=new_sid("PN"),
        account_sid=account.sid,
        phone_number=e164,
        iso_country=block.country if block else "US",
        number_type=block.number_type if block else "local",
        friendly_name=inventory.friendly_name(e164),
        capabilities={
            "voice": block.voice if block else True,
            "sms": block.sms if block else True,
            "mms": block.mms if block else True,
            "fax": False,
        },
        address_requirements=inventory.type_info(block).address_requirements if block else "none",
        address_sid=address_sid,
        bundle_sid=bundle_sid,
    )
    _apply_wiring(ctx.state, number, account, ctx.form)
    ctx.state.add_number(number)
    if trunk is not None:
        ctx.state.set_number_trunk(number, trunk)
    return 201, ipn_json(number)


def create_number(ctx: Ctx) -> Reply:
    """POST /IncomingPhoneNumbers.json: buy by PhoneNumber or AreaCode."""
    return _create(ctx, None)


def _typed(number_type: str):
    def create(ctx: Ctx) -> Reply:
        return _create(ctx, number_type)

    def list_(ctx: Ctx) -> Reply:
        return _list(ctx, number_type)

    return create, list_


def _phone_filter(raw: str) -> tuple[str | None, re.Pattern[str] | None]:
    """Twilio's PhoneNumber filter: an exact number, or partial digits with `*` wildcards."""
    text = raw.strip().replace(" ", "").replace("-", "")
    e164 = inventory.normalize(text) if text.startswith("+") else None
    if e164 and "*" not in text:
        return e164, None
    digits = re.sub(r"[^0-9*]", "", text)
    if not digits:
        raise invalid_param("PhoneNumber", "use digits and * wildcards")
    return None, re.compile(digits.replace("*", r"\d"))


def _list(ctx: Ctx, typed: str | None) -> Reply:
    account = ctx.account()
    req = page_request(ctx.query)
    raw_number = ctx.query.get("PhoneNumber")
    name = ctx.query.get("FriendlyName")
    origin = ctx.query.get("Origin")
    ctx.query.boolean("Beta")  # validated; no sandbox number is beta
    filters = [
        (k, v)
        for k, v in (("FriendlyName", name), ("PhoneNumber", raw_number), ("Origin", origin))
        if v is not None
    ]
    if typed is None:
        path = f"{API}/Accounts/{account.sid}/IncomingPhoneNumbers.json"
    else:
        path = f"{API}/Accounts/{account.sid}/IncomingPhoneNumbers/{PATH_OF_TYPE[typed]}.json"
    exact, pattern = _phone_filter(raw_number) if raw_number else (None, None)

    def keep(n: PhoneNumber) -> bool:
        if typed is not None and n.number_type != typed:
            return False
        if name is not None and n.friendly_name != name:
            return False
        if origin is not None and n.origin != origin:
            return False
        return pattern is None or bool(pattern.search(n.phone_number[1:]))

    if exact is not None:
        # The gateway and reconcilers look numbers up one by one: answer from the E.164 index.
        hit = ctx.state.number_by_e164.get(exact)
        source: list[PhoneNumber] = (
            [hit] if hit is not None and hit.account_sid == account.sid else []
        )
        items, more = select(source, req, keep)
    else:
        index = ctx.state.numbers.owned(account.sid)
        items, more = select(index, req, keep, after=index.after)
    last = items[-1].seq if items else None
    return 200, v2010_envelope(
        path, "incoming_phone_numbers", [ipn_json(n) for n in items], req, more, last, filters
    )


def list_numbers(ctx: Ctx) -> Reply:
    """GET /IncomingPhoneNumbers.json (PhoneNumber, FriendlyName, Origin filters; paging)."""
    return _list(ctx, None)


def _number(ctx: Ctx) -> tuple[Account, PhoneNumber]:
    account = ctx.account()
    number = ctx.state.numbers.get(ctx.args["Sid"])
    if number is None or number.account_sid != account.sid:
        raise ctx.not_found()
    return account, number


def fetch_number(ctx: Ctx) -> Reply:
    """GET /IncomingPhoneNumbers/{Sid}.json."""
    return 200, ipn_json(_number(ctx)[1])


def _move(ctx: Ctx, account: Account, number: PhoneNumber, target_sid: str) -> Account:
    """Transfer a number to another account of the same family (parent credentials)."""
    target = ctx.state.account(target_sid)
    if target is None or not is_sid(target_sid, "AC"):
        raise TwilioError(400, 21472, f"AccountSid {target_sid} is not an active Twilio Account")
    reach_account(ctx.state, ctx.principal, target.sid, ctx.path)
    if ctx.principal.account.sid not in (account.sid, account.owner_account_sid):
        raise unauthorized()
    if not ctx.state.is_usable(target):
        raise TwilioError(400, 21472, f"AccountSid {target_sid} is not an active Twilio Account")
    block = inventory.block_of(number.phone_number)
    address_sid, bundle_sid = _check_requirements(
        ctx.state, target, number.phone_number, block, ctx.form
    )
    ctx.state.set_number_trunk(number, None)  # trunks belong to the old account
    ctx.state.numbers.move(number, target.sid)
    number.address_sid = address_sid
    number.bundle_sid = bundle_sid
    return target


def update_number(ctx: Ctx) -> Reply:
    """POST /IncomingPhoneNumbers/{Sid}.json: wiring, TrunkSid, or AccountSid (transfer)."""
    account, number = _number(ctx)
    require_not_closed(ctx.state, account)
    target_sid = ctx.form.get("AccountSid")
    if target_sid and target_sid != account.sid:
        account = _move(ctx, account, number, target_sid)
    _apply_wiring(ctx.state, number, account, ctx.form)
    for param, attr in (("AddressSid", "address_sid"), ("BundleSid", "bundle_sid")):
        value = ctx.form.get(param)
        if value is not None and not target_sid:
            if value:
                table = ctx.state.addresses if attr == "address_sid" else ctx.state.bundles
                record = table.get(value)
                if record is None or record.account_sid != account.sid:
                    raise invalid_param(param, f"{value} does not belong to this account")
            setattr(number, attr, value or None)
    trunk_sid = ctx.form.get("TrunkSid")
    if trunk_sid is not None:
        ctx.state.set_number_trunk(number, _trunk_for(ctx.state, account, trunk_sid))
    number.date_updated = now()
    return 200, ipn_json(number)


def delete_number(ctx: Ctx) -> Reply:
    """DELETE /IncomingPhoneNumbers/{Sid}.json: release; the number is available again."""
    _account, number = _number(ctx)
    ctx.state.release_number(number)
    return 204, None


def register(router: Router) -> None:
    """Add the AvailablePhoneNumbers and IncomingPhoneNumbers routes."""
    acct = f"{API}/Accounts/{{AccountSid}}"
    router.add(f"{acct}/AvailablePhoneNumbers.json", get=list_countries)
    router.add(f"{acct}/AvailablePhoneNumbers/{{CountryCode}}.json", get=fetch_country)
    router.add(f"{acct}/AvailablePhoneNumbers/{{CountryCode}}/{{Type}}.json", get=list_available)
    router.add(f"{acct}/IncomingPhoneNumbers.json", get=list_numbers, post=create_number)
    for path_name, number_type in TYPE_PATHS.items():
        create, list_ = _typed(number_type)
        router.add(f"{acct}/IncomingPhoneNumbers/{path_name}.json", get=list_, post=create)
    router.add(
        f"{acct}/IncomingPhoneNumbers/{{Sid}}.json",
        get=fetch_number,
        post=update_number,
        delete=delete_number,
    )
