"""v2010 SIP CredentialLists and Credentials, and Addresses (with their DependentPhoneNumbers)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import phonenumbers

from callplane.sandbox.accounts import require_not_closed
from callplane.sandbox.errors import TwilioError, invalid_param, missing_param
from callplane.sandbox.paging import page_request, select, v2010_envelope
from callplane.sandbox.routing import Ctx, Reply, Router
from callplane.sandbox.state import Address, Credential, CredentialList, PhoneNumber
from callplane.sandbox.util import new_sid, now, rfc2822

API = "/2010-04-01"
USERNAME_RE = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=%-]{1,32}$")


def password_problem(password: str) -> str | None:
    """Twilio's SIP password rules: 12+ characters, a digit, upper and lower case."""
    if len(password) < 12:
        return "must be at least 12 characters long"
    if not re.search(r"\d", password):
        return "must contain at least one digit"
    if not (re.search(r"[a-z]", password) and re.search(r"[A-Z]", password)):
        return "must contain both upper and lower case letters"
    return None


def credential_list_json(cl: CredentialList) -> dict[str, Any]:
    """A SIP CredentialList as v2010 shows it."""
    base = f"{API}/Accounts/{cl.account_sid}/SIP/CredentialLists/{cl.sid}"
    return {
        "account_sid": cl.account_sid,
        "date_created": rfc2822(cl.date_created),
        "date_updated": rfc2822(cl.date_updated),
        "friendly_name": cl.friendly_name,
        "sid": cl.sid,
        "subresource_uris": {"credentials": f"{base}/Credentials.json"},
        "uri": f"{base}.json",
    }


def credential_json(cred: Credential) -> dict[str, Any]:
    """A SIP Credential (the password is never shown, as on Twilio)."""
    return {
        "account_sid": cred.account_sid,
        "credential_list_sid": cred.credential_list_sid,
        "date_created": rfc2822(cred.date_created),
        "date_updated": rfc2822(cred.date_updated),
        "sid": cred.sid,
        "uri": (
            f"{API}/Accounts/{cred.account_sid}/SIP/CredentialLists/"
            f"{cred.credential_list_sid}/Credentials/{cred.sid}.json"
        ),
        "username": cred.username,
    }


def address_json(addr: Address) -> dict[str, Any]:
    """An Address as v2010 shows it."""
    return {
        "account_sid": addr.account_sid,
        "city": addr.city,
        "customer_name": addr.customer_name,
        "date_created": rfc2822(addr.date_created),
        "date_updated": rfc2822(addr.date_updated),
        "emergency_enabled": addr.emergency_enabled,
        "friendly_name": addr.friendly_name,
        "iso_country": addr.iso_country,
        "postal_code": addr.postal_code,
        "region": addr.region,
        "sid": addr.sid,
        "street": addr.street,
        "street_secondary": addr.street_secondary,
        "uri": f"{API}/Accounts/{addr.account_sid}/Addresses/{addr.sid}.json",
        "validated": addr.validated,
        "verified": addr.verified,
    }


# -- CredentialLists ------------------------------------------------------------------------


def create_credential_list(ctx: Ctx) -> Reply:
    """POST /SIP/CredentialLists.json (FriendlyName required, up to 64 characters)."""
    account = ctx.account()
    require_not_closed(ctx.state, account)
    name = ctx.form.text("FriendlyName", max_len=64)
    if not name:
        raise missing_param("FriendlyName")
    cl = ctx.state.credential_lists.add(
        CredentialList(sid=new_sid("CL"), account_sid=account.sid, friendly_name=name)
    )
    return 201, credential_list_json(cl)


def _credential_list(ctx: Ctx, key: str = "Sid") -> CredentialList:
    account = ctx.account()
    cl = ctx.state.credential_lists.get(ctx.args[key])
    if cl is None or cl.account_sid != account.sid:
        raise ctx.not_found()
    return cl


def list_credential_lists(ctx: Ctx) -> Reply:
    """GET /SIP/CredentialLists.json."""
    account = ctx.account()
    req = page_request(ctx.query)
    index = ctx.state.credential_lists.owned(account.sid)
    items, more = select(index, req)
    path = f"{API}/Accounts/{account.sid}/SIP/CredentialLists.json"
    return 200, v2010_envelope(
        path, "credential_lists", [credential_list_json(c) for c in items], req, more, items
    )


def fetch_credential_list(ctx: Ctx) -> Reply:
    """GET /SIP/CredentialLists/{Sid}.json."""
    return 200, credential_list_json(_credential_list(ctx))


def update_credential_list(ctx: Ctx) -> Reply:
    """POST /SIP/CredentialLists/{Sid}.json (FriendlyName)."""
    cl = _credential_list(ctx)
    name = ctx.form.text("FriendlyName", max_len=64)
    if not name:
        raise missing_param("FriendlyName")
    cl.friendly_name = name
    cl.date_updated = now()
    return 200, credential_list_json(cl)


def delete_credential_list(ctx: Ctx) -> Reply:
    """DELETE /SIP/CredentialLists/{Sid}.json (its credentials and trunk links go too)."""
    cl = _credential_list(ctx)
    state = ctx.state
    for cred in state.credentials.owned(cl.sid):
        state.credentials.remove(cred)
    for assoc in [a for a in state.trunk_credential_lists.values() if a.sid == cl.sid]:
        state.trunk_credential_lists.remove(assoc)
    state.credential_lists.remove(cl)
    return 204, None


# -- Credentials ----------------------------------------------------------------------------


def create_credential(ctx: Ctx) -> Reply:
    """POST .../Credentials.json: Username (unique in the list, up to 32) and Password."""
    cl = _credential_list(ctx, "CredentialListSid")
    username = ctx.form.get("Username")
    password = ctx.form.get("Password")
    if not username:
        raise missing_param("Username")
    if not password:
        raise missing_param("Password")
    if not USERNAME_RE.match(username):
        raise invalid_param("Username", "up to 32 characters allowed in a SIP user name")
    problem = password_problem(password)
    if problem:
        raise invalid_param("Password", problem)
    if any(c.username == username for c in ctx.state.credentials.owned(cl.sid)):
        raise invalid_param("Username", f"{username} already exists in this credential list")
    cred = ctx.state.credentials.add(
        Credential(
            sid=new_sid("CR"),
            account_sid=cl.account_sid,
            credential_list_sid=cl.sid,
            username=username,
            password=password,
        )
    )
    return 201, credential_json(cred)


def _credential(ctx: Ctx) -> Credential:
    cl = _credential_list(ctx, "CredentialListSid")
    cred = ctx.state.credentials.get(ctx.args["Sid"])
    if cred is None or cred.credential_list_sid != cl.sid:
        raise ctx.not_found()
    return cred


def list_credentials(ctx: Ctx) -> Reply:
    """GET .../Credentials.json."""
    cl = _credential_list(ctx, "CredentialListSid")
    req = page_request(ctx.query)
    index = ctx.state.credentials.owned(cl.sid)
    items, more = select(index, req)
    path = f"{API}/Accounts/{cl.account_sid}/SIP/CredentialLists/{cl.sid}/Credentials.json"
    return 200, v2010_envelope(
        path, "credentials", [credential_json(c) for c in items], req, more, items
    )


def fetch_credential(ctx: Ctx) -> Reply:
    """GET .../Credentials/{Sid}.json."""
    return 200, credential_json(_credential(ctx))


def update_credential(ctx: Ctx) -> Reply:
    """POST .../Credentials/{Sid}.json: a new Password (same rules)."""
    cred = _credential(ctx)
    password = ctx.form.get("Password")
    if password is not None:
        problem = password_problem(password)
        if problem:
            raise invalid_param("Password", problem)
        cred.password = password
        cred.date_updated = now()
    return 200, credential_json(cred)


def delete_credential(ctx: Ctx) -> Reply:
    """DELETE .../Credentials/{Sid}.json."""
    ctx.state.credentials.remove(_credential(ctx))
    return 204, None


# -- Addresses ------------------------------------------------------------------------------

ADDRESS_REQUIRED = ("CustomerName", "Street", "City", "Region", "PostalCode", "IsoCountry")


def create_address(ctx: Ctx) -> Reply:
    """POST /Addresses.json (CustomerName, Street, City, Region, PostalCode, IsoCountry)."""
    account = ctx.account()
    require_not_closed(ctx.state, account)
    form = ctx.form
    for name in ADDRESS_REQUIRED:
        if not form.get(name):
            raise missing_param(name)
    iso = (form.get("IsoCountry") or "").strip().upper()
    if iso not in phonenumbers.SUPPORTED_REGIONS:
        raise TwilioError(
            400,
            21238,
            f"Address Validation Error: IsoCountry {form.get('IsoCountry')!r} is not an ISO "
            "3166-1 alpha-2 country code",
        )
    addr = Address(
        sid=new_sid("AD"),
        account_sid=account.sid,
        customer_name=form.text("CustomerName", max_len=255) or "",
        street=form.text("Street", max_len=255) or "",
        street_secondary=form.text("StreetSecondary", max_len=255),
        city=form.text("City", max_len=255) or "",
        region=form.text("Region", max_len=255) or "",
        postal_code=form.text("PostalCode", max_len=32) or "",
        iso_country=iso,
        friendly_name=form.text("FriendlyName", max_len=64) or "",
        emergency_enabled=bool(form.boolean("EmergencyEnabled", False)),
    )
    form.boolean("AutoCorrectAddress")
    ctx.state.addresses.add(addr)
    return 201, address_json(addr)


def _address(ctx: Ctx) -> Address:
    account = ctx.account()
    addr = ctx.state.addresses.get(ctx.args["Sid"])
    if addr is None or addr.account_sid != account.sid:
        raise ctx.not_found()
    return addr


def list_addresses(ctx: Ctx) -> Reply:
    """GET /Addresses.json (CustomerName, FriendlyName, IsoCountry filters)."""
    account = ctx.account()
    req = page_request(ctx.query)
    customer = ctx.query.get("CustomerName")
    name = ctx.query.get("FriendlyName")
    iso = ctx.query.get("IsoCountry")

    def keep(a: Address) -> bool:
        return (
            (customer is None or a.customer_name == customer)
            and (name is None or a.friendly_name == name)
            and (iso is None or a.iso_country == iso.upper())
        )

    index = ctx.state.addresses.owned(account.sid)
    items, more = select(index, req, keep)
    filters = [
        (k, v)
        for k, v in (("CustomerName", customer), ("FriendlyName", name), ("IsoCountry", iso))
        if v is not None
    ]
    path = f"{API}/Accounts/{account.sid}/Addresses.json"
    return 200, v2010_envelope(
        path, "addresses", [address_json(a) for a in items], req, more, items, filters
    )


def fetch_address(ctx: Ctx) -> Reply:
    """GET /Addresses/{Sid}.json."""
    return 200, address_json(_address(ctx))


def update_address(ctx: Ctx) -> Reply:
    """POST /Addresses/{Sid}.json."""
    addr = _address(ctx)
    form = ctx.form
    for param, attr, limit in (
        ("FriendlyName", "friendly_name", 64),
        ("CustomerName", "customer_name", 255),
        ("Street", "street", 255),
        ("StreetSecondary", "street_secondary", 255),
        ("City", "city", 255),
        ("Region", "region", 255),
        ("PostalCode", "postal_code", 32),
    ):
        value = form.text(param, max_len=limit)
        if value is not None:
            setattr(addr, attr, value)
    emergency = form.boolean("EmergencyEnabled")
    if emergency is not None:
        addr.emergency_enabled = emergency
    addr.date_updated = now()
    return 200, address_json(addr)


def delete_address(ctx: Ctx) -> Reply:
    """DELETE /Addresses/{Sid}.json; refused while numbers depend on the address."""
    addr = _address(ctx)
    if any(map(_uses(addr), ctx.state.numbers.owned(addr.account_sid))):
        raise TwilioError(
            400,
            20001,
            f"Address {addr.sid} cannot be deleted: phone numbers depend on it "
            "(see its DependentPhoneNumbers)",
        )
    ctx.state.addresses.remove(addr)
    return 204, None


def _uses(addr: Address) -> Callable[[PhoneNumber], bool]:
    """Whether a number depends on the address (as its AddressSid or EmergencyAddressSid)."""
    return lambda n: addr.sid in (n.address_sid, n.emergency_address_sid)


def dependent_number_json(n: PhoneNumber) -> dict[str, Any]:
    """A DependentPhoneNumber: the number as the address sees it (capabilities capitalised)."""
    caps = n.capabilities
    return {
        "sid": n.sid,
        "account_sid": n.account_sid,
        "friendly_name": n.friendly_name,
        "phone_number": n.phone_number,
        "voice_url": n.voice_url,
        "voice_method": n.voice_method,
        "voice_fallback_method": n.voice_fallback_method,
        "voice_fallback_url": n.voice_fallback_url,
        "voice_caller_id_lookup": n.voice_caller_id_lookup,
        "date_created": rfc2822(n.date_created),
        "date_updated": rfc2822(n.date_updated),
        "sms_fallback_method": n.sms_fallback_method,
        "sms_fallback_url": n.sms_fallback_url,
        "sms_method": n.sms_method,
        "sms_url": n.sms_url,
        "address_requirements": n.address_requirements,
        "capabilities": {
            "Voice": caps.get("voice", False),
            "SMS": caps.get("sms", False),
            "MMS": caps.get("mms", False),
        },
        "status_callback": n.status_callback,
        "status_callback_method": n.status_callback_method,
        "api_version": n.api_version,
        "sms_application_sid": n.sms_application_sid,
        "voice_application_sid": n.voice_application_sid,
        "trunk_sid": n.trunk_sid,
        "emergency_status": n.emergency_status,
        "emergency_address_sid": n.emergency_address_sid,
        "uri": f"{API}/Accounts/{n.account_sid}/IncomingPhoneNumbers/{n.sid}.json",
    }


def list_dependent_numbers(ctx: Ctx) -> Reply:
    """GET /Addresses/{AddressSid}/DependentPhoneNumbers.json."""
    account = ctx.account()
    addr = ctx.state.addresses.get(ctx.args["AddressSid"])
    if addr is None or addr.account_sid != account.sid:
        raise ctx.not_found()
    req = page_request(ctx.query)
    items, more = select(ctx.state.numbers.owned(account.sid), req, _uses(addr))
    path = f"{API}/Accounts/{account.sid}/Addresses/{addr.sid}/DependentPhoneNumbers.json"
    return 200, v2010_envelope(
        path, "dependent_phone_numbers", [dependent_number_json(n) for n in items], req, more, items
    )


def register(router: Router) -> None:
    """Add the SIP credential and Address routes."""
    acct = f"{API}/Accounts/{{AccountSid}}"
    cls = f"{acct}/SIP/CredentialLists"
    router.add(f"{cls}.json", get=list_credential_lists, post=create_credential_list)
    router.add(
        f"{cls}/{{Sid}}.json",
        get=fetch_credential_list,
        post=update_credential_list,
        delete=delete_credential_list,
    )
    router.add(
        f"{cls}/{{CredentialListSid}}/Credentials.json",
        get=list_credentials,
        post=create_credential,
    )
    router.add(
        f"{cls}/{{CredentialListSid}}/Credentials/{{Sid}}.json",
        get=fetch_credential,
        post=update_credential,
        delete=delete_credential,
    )
    router.add(f"{acct}/Addresses.json", get=list_addresses, post=create_address)
    router.add(
        f"{acct}/Addresses/{{Sid}}.json",
        get=fetch_address,
        post=update_address,
        delete=delete_address,
    )
    router.add(
        f"{acct}/Addresses/{{AddressSid}}/DependentPhoneNumbers.json", get=list_dependent_numbers
    )
