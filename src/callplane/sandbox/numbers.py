"""v2010 IncomingPhoneNumbers: buy, wire, move, release (the search is available.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from callplane.sandbox import inventory
from callplane.sandbox.accounts import require_not_closed
from callplane.sandbox.auth import reach_account
from callplane.sandbox.errors import TwilioError, invalid_param, missing_param, unauthorized
from callplane.sandbox.inventory import PATH_OF_TYPE, TYPE_PATHS, Block
from callplane.sandbox.paging import page_request, select, v2010_envelope
from callplane.sandbox.routing import Ctx, Reply, Router
from callplane.sandbox.state import Account, Bundle, PhoneNumber, SandboxState
from callplane.sandbox.urls import url_param
from callplane.sandbox.util import Params, is_sid, new_sid, now, rfc2822

API = "/2010-04-01"
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


# -- IncomingPhoneNumbers -------------------------------------------------------------------


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


def is_nanp_area_code(area: str) -> bool:
    """NXX with N in 2-9, no N11 service code and no N9X (reserved for the plan's expansion)."""
    return bool(re.fullmatch(r"[2-9][0-8][0-9]", area)) and area[1:] != "11"


def _choose_number(
    ctx: Ctx, account: Account, typed: str | None
) -> tuple[str, Block | None, PhoneNumber | None]:
    """The number a create asks for (PhoneNumber or AreaCode), or Twilio's error.

    The third item is the account's own number when it asks for one it already has: Twilio
    then answers 201 with that number, the request acting as an update (docs/decisions.md).
    """
    owned = ctx.state.number_by_e164
    raw = ctx.form.get("PhoneNumber")
    area = ctx.form.get("AreaCode")
    if raw:
        if raw.strip() == inventory.MAGIC_INVALID:
            raise TwilioError(400, 21421, f"PhoneNumber {raw} is invalid")
        e164 = inventory.normalize(raw)
        if e164 is None:
            raise TwilioError(400, 21421, f"PhoneNumber {raw} is invalid")
        held = owned.get(e164)
        if (
            held is not None
            and held.account_sid == account.sid
            and (typed is None or held.number_type == typed)
        ):
            return e164, inventory.block_of(e164), held
        if e164 == inventory.MAGIC_VALID and held is None:
            return e164, None, None
        block = inventory.block_of(e164)
        if block is None or held is not None or (typed is not None and block.number_type != typed):
            raise TwilioError(400, 21422, f"PhoneNumber {e164} is not available")
        return e164, block, None
    if area:
        area = area.strip()
        if not is_nanp_area_code(area):
            raise TwilioError(
                400, 21451, f"AreaCode {area} is not a valid North American area code"
            )
        if area == inventory.MAGIC_AREA_CODE_VALID and inventory.MAGIC_VALID not in owned:
            return inventory.MAGIC_VALID, None, None
        hit = None
        if area != inventory.MAGIC_AREA_CODE_EMPTY and typed in (None, "local"):
            hit = inventory.first_in_area_code(area, owned)
        if hit is None:
            raise TwilioError(400, 21452, f"No phone numbers found in area code {area}")
        return hit[0], hit[1], None
    raise missing_param("PhoneNumber")


def _wiring_changes(state: SandboxState, account: Account, params: Params) -> dict[str, Any]:
    """The attributes a create or update sets, all validated before anything changes."""
    changes: dict[str, Any] = {}
    for param, attr in URL_FIELDS.items():
        url = url_param(params, param, 21502)
        if url is not None:
            changes[attr] = url
    for param, attr in METHOD_FIELDS.items():
        method = params.method(param)
        if method is not None:
            changes[attr] = method
    name = params.text("FriendlyName", max_len=64)
    if name is not None:
        changes["friendly_name"] = name
    lookup = params.boolean("VoiceCallerIdLookup")
    if lookup is not None:
        changes["voice_caller_id_lookup"] = lookup
    for param, attr in (
        ("VoiceApplicationSid", "voice_application_sid"),
        ("SmsApplicationSid", "sms_application_sid"),
    ):
        value = params.get(param)
        if value is not None:
            if value and not is_sid(value, "AP"):
                raise invalid_param(param, "not an Application SID")
            changes[attr] = value
    identity = params.get("IdentitySid")
    if identity is not None:
        if identity and not is_sid(identity, "RI"):
            raise invalid_param("IdentitySid")
        changes["identity_sid"] = identity or None
    mode = params.get("VoiceReceiveMode")
    if mode is not None:
        if mode not in ("voice", "fax"):
            raise invalid_param("VoiceReceiveMode", "must be voice or fax")
        changes["voice_receive_mode"] = mode
    emergency = params.get("EmergencyStatus")
    if emergency is not None:
        if emergency not in ("Active", "Inactive"):
            raise invalid_param("EmergencyStatus", "must be Active or Inactive")
        changes["emergency_status"] = emergency
    emergency_address = params.get("EmergencyAddressSid")
    if emergency_address is not None:
        if emergency_address:
            address = state.addresses.get(emergency_address)
            if address is None or address.account_sid != account.sid:
                raise invalid_param("EmergencyAddressSid", "not an Address of this account")
        changes["emergency_address_sid"] = emergency_address or None
    api_version = params.get("ApiVersion")
    if api_version is not None:
        if api_version not in ("2010-04-01", "2008-08-01"):
            raise invalid_param("ApiVersion")
        changes["api_version"] = api_version
    return changes


def _apply(number: PhoneNumber, changes: dict[str, Any]) -> None:
    for attr, value in changes.items():
        setattr(number, attr, value)


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
    e164, block, held = _choose_number(ctx, account, typed)
    if held is not None:
        return 201, ipn_json(_update(ctx, account, held))
    address_sid, bundle_sid = _check_requirements(ctx.state, account, e164, block, ctx.form)
    trunk_sid = ctx.form.get("TrunkSid")
    trunk = _trunk_for(ctx.state, account, trunk_sid) if trunk_sid is not None else None
    changes = _wiring_changes(ctx.state, account, ctx.form)
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
    _apply(number, changes)
    ctx.state.add_number(number)
    if trunk is not None:
        ctx.state.set_number_trunk(number, trunk)
    return 201, ipn_json(number)


def create_number(ctx: Ctx) -> Reply:
    """POST /IncomingPhoneNumbers.json: buy by PhoneNumber or AreaCode."""
    return _create(ctx, None)


def _typed(number_type: str) -> tuple[Callable[[Ctx], Reply], Callable[[Ctx], Reply]]:
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
        items, more = select(index, req, keep)
    return 200, v2010_envelope(
        path, "incoming_phone_numbers", [ipn_json(n) for n in items], req, more, items, filters
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


def _move_target(
    ctx: Ctx, account: Account, number: PhoneNumber, target_sid: str
) -> tuple[Account, str | None, str | None]:
    """Where a transfer goes (same family, parent credentials) and the number's address and
    bundle there; nothing changes yet."""
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
    return target, address_sid, bundle_sid


def _update(ctx: Ctx, account: Account, number: PhoneNumber) -> PhoneNumber:
    """Wiring, AddressSid/BundleSid, TrunkSid and transfer: everything is checked, then applied."""
    form = ctx.form
    target_sid = form.get("AccountSid")
    moving = bool(target_sid) and target_sid != account.sid
    changes: dict[str, Any] = {}
    if moving:
        account, changes["address_sid"], changes["bundle_sid"] = _move_target(
            ctx,
            account,
            number,
            target_sid,  # type: ignore[arg-type]
        )
    else:
        for param, attr in (("AddressSid", "address_sid"), ("BundleSid", "bundle_sid")):
            value = form.get(param)
            if value is None:
                continue
            if value:
                table = ctx.state.addresses if attr == "address_sid" else ctx.state.bundles
                record = table.get(value)
                if record is None or record.account_sid != account.sid:
                    raise invalid_param(param, f"{value} does not belong to this account")
            changes[attr] = value or None
    changes.update(_wiring_changes(ctx.state, account, form))
    trunk_sid = form.get("TrunkSid")
    trunk = _trunk_for(ctx.state, account, trunk_sid) if trunk_sid is not None else None
    if moving:
        ctx.state.set_number_trunk(number, None)  # trunks belong to the old account
        ctx.state.numbers.move(number, account.sid)
    _apply(number, changes)
    if trunk_sid is not None:
        ctx.state.set_number_trunk(number, trunk)
    number.date_updated = now()
    return number


def update_number(ctx: Ctx) -> Reply:
    """POST /IncomingPhoneNumbers/{Sid}.json: wiring, TrunkSid, or AccountSid (transfer)."""
    account, number = _number(ctx)
    require_not_closed(ctx.state, account)
    return 200, ipn_json(_update(ctx, account, number))


def delete_number(ctx: Ctx) -> Reply:
    """DELETE /IncomingPhoneNumbers/{Sid}.json: release; the number is available again."""
    _account, number = _number(ctx)
    ctx.state.release_number(number)
    return 204, None


def register(router: Router) -> None:
    """Add the IncomingPhoneNumbers routes."""
    acct = f"{API}/Accounts/{{AccountSid}}"
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
