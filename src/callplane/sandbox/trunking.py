"""trunking v1: Trunks, OriginationUrls, CredentialLists and PhoneNumbers associations.

Trunk resources belong to the account the credentials authenticate (Twilio's non-v2010 APIs
do not let a parent act in a subaccount). Domain names are unique across the whole sandbox,
as they are across Twilio, and must end with `pstn.twilio.com`.
"""

from __future__ import annotations

import re
from typing import Any

from callplane.sandbox.errors import TwilioError, invalid_param, missing_param
from callplane.sandbox.paging import meta_envelope, page_request, select
from callplane.sandbox.routing import Ctx, Reply, Router
from callplane.sandbox.state import OriginationUrl, PhoneNumber, Trunk, TrunkCredentialList
from callplane.sandbox.urls import is_valid_sip_uri, url_param
from callplane.sandbox.util import iso8601, new_sid, now

HOST = "https://trunking.twilio.com"
DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+pstn\.twilio\.com$"
)
TRANSFER_MODES = ("disable-all", "enable-all", "sip-only")
TRANSFER_CALLER_IDS = ("from-transferee", "from-transferor")


def trunk_url(sid: str) -> str:
    """The trunk's absolute URL on the real Twilio host."""
    return f"{HOST}/v1/Trunks/{sid}"


def trunk_json(ctx: Ctx, trunk: Trunk) -> dict[str, Any]:
    """A Trunk as trunking v1 shows it."""
    has_lists = len(ctx.state.trunk_credential_lists.owned(trunk.sid)) > 0
    url = trunk_url(trunk.sid)
    return {
        "sid": trunk.sid,
        "account_sid": trunk.account_sid,
        "domain_name": trunk.domain_name,
        "disaster_recovery_method": trunk.disaster_recovery_method,
        "disaster_recovery_url": trunk.disaster_recovery_url,
        "friendly_name": trunk.friendly_name,
        "secure": trunk.secure,
        "cnam_lookup_enabled": trunk.cnam_lookup_enabled,
        "symmetric_rtp_enabled": trunk.symmetric_rtp_enabled,
        "recording": recording_json(trunk),
        "transfer_mode": trunk.transfer_mode,
        "transfer_caller_id": trunk.transfer_caller_id,
        "auth_type": "CREDENTIAL_LIST" if has_lists else "",
        "auth_type_set": ["CREDENTIAL_LIST"] if has_lists else [],
        "date_created": iso8601(trunk.date_created),
        "date_updated": iso8601(trunk.date_updated),
        "url": url,
        "links": {
            "origination_urls": f"{url}/OriginationUrls",
            "credential_lists": f"{url}/CredentialLists",
            "ip_access_control_lists": f"{url}/IpAccessControlLists",
            "phone_numbers": f"{url}/PhoneNumbers",
        },
    }


def recording_json(trunk: Trunk) -> dict[str, str]:
    """A trunk's recording settings (its `recording` field and its Recording resource)."""
    return {"mode": trunk.recording_mode, "trim": trunk.recording_trim}


def origination_json(ou: OriginationUrl) -> dict[str, Any]:
    """An OriginationUrl."""
    return {
        "weight": ou.weight,
        "date_updated": iso8601(ou.date_updated),
        "enabled": ou.enabled,
        "friendly_name": ou.friendly_name,
        "account_sid": ou.account_sid,
        "priority": ou.priority,
        "sip_url": ou.sip_url,
        "sid": ou.sid,
        "date_created": iso8601(ou.date_created),
        "trunk_sid": ou.trunk_sid,
        "url": f"{trunk_url(ou.trunk_sid)}/OriginationUrls/{ou.sid}",
    }


def trunk_credential_list_json(ctx: Ctx, assoc: TrunkCredentialList) -> dict[str, Any]:
    """A credential list as associated with a trunk."""
    cl = ctx.state.credential_lists.get(assoc.sid)
    return {
        "account_sid": assoc.account_sid,
        "trunk_sid": assoc.trunk_sid,
        "date_created": iso8601(assoc.date_created),
        "date_updated": iso8601(cl.date_updated if cl else assoc.date_created),
        "friendly_name": cl.friendly_name if cl else None,
        "sid": assoc.sid,
        "url": f"{trunk_url(assoc.trunk_sid)}/CredentialLists/{assoc.sid}",
    }


def trunk_number_json(number: PhoneNumber) -> dict[str, Any]:
    """A phone number as associated with a trunk (ISO dates, absolute links)."""
    caps = number.capabilities
    return {
        "sid": number.sid,
        "date_created": iso8601(number.date_created),
        "date_updated": iso8601(number.date_updated),
        "friendly_name": number.friendly_name,
        "account_sid": number.account_sid,
        "phone_number": number.phone_number,
        "api_version": number.api_version,
        "voice_caller_id_lookup": number.voice_caller_id_lookup,
        "voice_url": number.voice_url,
        "voice_method": number.voice_method,
        "voice_fallback_url": number.voice_fallback_url,
        "voice_fallback_method": number.voice_fallback_method,
        "status_callback": number.status_callback,
        "status_callback_method": number.status_callback_method,
        "voice_application_sid": number.voice_application_sid,
        "trunk_sid": number.trunk_sid,
        "sms_url": number.sms_url,
        "sms_method": number.sms_method,
        "sms_fallback_url": number.sms_fallback_url,
        "sms_fallback_method": number.sms_fallback_method,
        "sms_application_sid": number.sms_application_sid,
        "address_requirements": number.address_requirements,
        "beta": number.beta,
        "url": f"{trunk_url(number.trunk_sid or '')}/PhoneNumbers/{number.sid}",
        "capabilities": {
            "voice": caps.get("voice", False),
            "sms": caps.get("sms", False),
            "mms": caps.get("mms", False),
        },
        "links": {
            "phone_number": (
                f"https://api.twilio.com/2010-04-01/Accounts/{number.account_sid}"
                f"/IncomingPhoneNumbers/{number.sid}"
            )
        },
    }


# -- Trunks ---------------------------------------------------------------------------------


def _apply_trunk_fields(ctx: Ctx, trunk: Trunk) -> None:
    """Check every field of a create or update, then apply them (nothing half-written)."""
    form = ctx.form
    changes: dict[str, Any] = {}
    name = form.text("FriendlyName", max_len=64)
    if name is not None:
        changes["friendly_name"] = name
    if "DomainName" in form:
        changes["domain_name"] = _domain(ctx, trunk, (form.get("DomainName") or "").strip())
    url = url_param(form, "DisasterRecoveryUrl", 21502)
    if url is not None:
        changes["disaster_recovery_url"] = url or None
    method = form.method("DisasterRecoveryMethod")
    if method is not None:
        changes["disaster_recovery_method"] = method
    mode = form.get("TransferMode")
    if mode is not None:
        if mode not in TRANSFER_MODES:
            raise invalid_param("TransferMode")
        changes["transfer_mode"] = mode
    caller = form.get("TransferCallerId")
    if caller is not None:
        if caller not in TRANSFER_CALLER_IDS:
            raise invalid_param("TransferCallerId")
        changes["transfer_caller_id"] = caller
    for param, attr in (("Secure", "secure"), ("CnamLookupEnabled", "cnam_lookup_enabled")):
        value = form.boolean(param)
        if value is not None:
            changes[attr] = value
    if "domain_name" in changes:
        if trunk.domain_name:
            ctx.state.trunk_domains.pop(trunk.domain_name.lower(), None)
        if changes["domain_name"]:
            ctx.state.trunk_domains[changes["domain_name"]] = trunk.sid
    for attr, value in changes.items():
        setattr(trunk, attr, value)


def _domain(ctx: Ctx, trunk: Trunk, domain: str) -> str | None:
    """A trunk's new domain name: 21232 when malformed, 21248 when another trunk has it."""
    if domain == "":
        return None
    if not DOMAIN_RE.match(domain):
        raise TwilioError(
            400,
            21232,
            f"Invalid Domain: {domain} must use letters, digits and '-' and end with "
            "pstn.twilio.com",
        )
    owner = ctx.state.trunk_domains.get(domain.lower())
    if owner is not None and owner != trunk.sid:
        raise TwilioError(400, 21248, f"Trunk Domain already taken: {domain}")
    return domain.lower()


def create_trunk(ctx: Ctx) -> Reply:
    """POST /v1/Trunks."""
    account = ctx.principal.account
    trunk = Trunk(sid=new_sid("TK"), account_sid=account.sid)
    _apply_trunk_fields(ctx, trunk)
    ctx.state.trunks.add(trunk)
    return 201, trunk_json(ctx, trunk)


def _trunk(ctx: Ctx, key: str = "Sid") -> Trunk:
    trunk = ctx.state.trunks.get(ctx.args[key])
    if trunk is None or trunk.account_sid != ctx.principal.account.sid:
        raise ctx.not_found()
    return trunk


def list_trunks(ctx: Ctx) -> Reply:
    """GET /v1/Trunks (the authenticated account's trunks)."""
    req = page_request(ctx.query)
    index = ctx.state.trunks.owned(ctx.principal.account.sid)
    items, more = select(index, req)
    return 200, meta_envelope(
        f"{HOST}/v1/Trunks", "trunks", [trunk_json(ctx, t) for t in items], req, more, items
    )


def fetch_trunk(ctx: Ctx) -> Reply:
    """GET /v1/Trunks/{Sid}."""
    return 200, trunk_json(ctx, _trunk(ctx))


def update_trunk(ctx: Ctx) -> Reply:
    """POST /v1/Trunks/{Sid}."""
    trunk = _trunk(ctx)
    _apply_trunk_fields(ctx, trunk)
    trunk.date_updated = now()
    return 200, trunk_json(ctx, trunk)


def delete_trunk(ctx: Ctx) -> Reply:
    """DELETE /v1/Trunks/{Sid}: its numbers lose their trunk_sid; the domain is free again."""
    ctx.state.delete_trunk(_trunk(ctx))
    return 204, None


# -- Recording --------------------------------------------------------------------------------

RECORDING_MODES = (
    "do-not-record",
    "record-from-ringing",
    "record-from-answer",
    "record-from-ringing-dual",
    "record-from-answer-dual",
)
RECORDING_TRIMS = ("trim-silence", "do-not-trim")


def fetch_recording(ctx: Ctx) -> Reply:
    """GET /v1/Trunks/{TrunkSid}/Recording."""
    return 200, recording_json(_trunk(ctx, "TrunkSid"))


def update_recording(ctx: Ctx) -> Reply:
    """POST /v1/Trunks/{TrunkSid}/Recording: Mode and Trim (checked before anything changes)."""
    trunk = _trunk(ctx, "TrunkSid")
    mode, trim = ctx.form.get("Mode"), ctx.form.get("Trim")
    if mode is not None and mode not in RECORDING_MODES:
        raise invalid_param("Mode", f"must be one of {', '.join(RECORDING_MODES)}")
    if trim is not None and trim not in RECORDING_TRIMS:
        raise invalid_param("Trim", f"must be one of {', '.join(RECORDING_TRIMS)}")
    trunk.recording_mode = mode or trunk.recording_mode
    trunk.recording_trim = trim or trunk.recording_trim
    trunk.date_updated = now()
    return 200, recording_json(trunk)


# -- OriginationUrls ------------------------------------------------------------------------


def _origination_fields(ctx: Ctx, ou: OriginationUrl, *, creating: bool) -> None:
    form = ctx.form
    if creating:
        for name in ("Weight", "Priority", "Enabled", "FriendlyName", "SipUrl"):
            if form.get(name) in (None, ""):
                raise missing_param(name)
    changes: dict[str, Any] = {
        "weight": form.integer("Weight", lo=1, hi=65535),
        "priority": form.integer("Priority", lo=0, hi=65535),
        "enabled": form.boolean("Enabled"),
        "friendly_name": form.text("FriendlyName", max_len=64),
        "sip_url": form.get("SipUrl"),
    }
    if changes["sip_url"] is not None and not is_valid_sip_uri(changes["sip_url"]):
        raise invalid_param("SipUrl", "must be a sip: URI")
    for attr, value in changes.items():
        if value is not None:
            setattr(ou, attr, value)


def create_origination(ctx: Ctx) -> Reply:
    """POST /v1/Trunks/{TrunkSid}/OriginationUrls."""
    trunk = _trunk(ctx, "TrunkSid")
    ou = OriginationUrl(sid=new_sid("OU"), account_sid=trunk.account_sid, trunk_sid=trunk.sid)
    _origination_fields(ctx, ou, creating=True)
    ctx.state.origination_urls.add(ou)
    return 201, origination_json(ou)


def _origination(ctx: Ctx) -> OriginationUrl:
    trunk = _trunk(ctx, "TrunkSid")
    ou = ctx.state.origination_urls.get(ctx.args["Sid"])
    if ou is None or ou.trunk_sid != trunk.sid:
        raise ctx.not_found()
    return ou


def list_originations(ctx: Ctx) -> Reply:
    """GET /v1/Trunks/{TrunkSid}/OriginationUrls."""
    trunk = _trunk(ctx, "TrunkSid")
    req = page_request(ctx.query)
    index = ctx.state.origination_urls.owned(trunk.sid)
    items, more = select(index, req)
    return 200, meta_envelope(
        f"{trunk_url(trunk.sid)}/OriginationUrls",
        "origination_urls",
        [origination_json(o) for o in items],
        req,
        more,
        items,
    )


def fetch_origination(ctx: Ctx) -> Reply:
    """GET /v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}."""
    return 200, origination_json(_origination(ctx))


def update_origination(ctx: Ctx) -> Reply:
    """POST /v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}."""
    ou = _origination(ctx)
    _origination_fields(ctx, ou, creating=False)
    ou.date_updated = now()
    return 200, origination_json(ou)


def delete_origination(ctx: Ctx) -> Reply:
    """DELETE /v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}."""
    ctx.state.origination_urls.remove(_origination(ctx))
    return 204, None


# -- CredentialLists association ------------------------------------------------------------


def create_trunk_credential_list(ctx: Ctx) -> Reply:
    """POST /v1/Trunks/{TrunkSid}/CredentialLists (CredentialListSid of the same account)."""
    trunk = _trunk(ctx, "TrunkSid")
    cl_sid = ctx.form.get("CredentialListSid")
    if not cl_sid:
        raise missing_param("CredentialListSid")
    cl = ctx.state.credential_lists.get(cl_sid)
    if cl is None or cl.account_sid != trunk.account_sid:
        raise invalid_param(
            "CredentialListSid", f"{cl_sid} is not a CredentialList of this account"
        )
    if ctx.state.trunk_credential_lists.get(f"{trunk.sid}/{cl.sid}") is not None:
        raise invalid_param("CredentialListSid", f"{cl_sid} is already associated with this trunk")
    assoc = ctx.state.trunk_credential_lists.add(
        TrunkCredentialList(sid=cl.sid, trunk_sid=trunk.sid, account_sid=trunk.account_sid)
    )
    return 201, trunk_credential_list_json(ctx, assoc)


def _trunk_credential_list(ctx: Ctx) -> TrunkCredentialList:
    trunk = _trunk(ctx, "TrunkSid")
    assoc = ctx.state.trunk_credential_lists.get(f"{trunk.sid}/{ctx.args['Sid']}")
    if assoc is None:
        raise ctx.not_found()
    return assoc


def list_trunk_credential_lists(ctx: Ctx) -> Reply:
    """GET /v1/Trunks/{TrunkSid}/CredentialLists."""
    trunk = _trunk(ctx, "TrunkSid")
    req = page_request(ctx.query)
    index = ctx.state.trunk_credential_lists.owned(trunk.sid)
    items, more = select(index, req)
    return 200, meta_envelope(
        f"{trunk_url(trunk.sid)}/CredentialLists",
        "credential_lists",
        [trunk_credential_list_json(ctx, a) for a in items],
        req,
        more,
        items,
    )


def fetch_trunk_credential_list(ctx: Ctx) -> Reply:
    """GET /v1/Trunks/{TrunkSid}/CredentialLists/{Sid}."""
    return 200, trunk_credential_list_json(ctx, _trunk_credential_list(ctx))


def delete_trunk_credential_list(ctx: Ctx) -> Reply:
    """DELETE /v1/Trunks/{TrunkSid}/CredentialLists/{Sid}."""
    ctx.state.trunk_credential_lists.remove(_trunk_credential_list(ctx))
    return 204, None


# -- PhoneNumbers association ---------------------------------------------------------------


def create_trunk_number(ctx: Ctx) -> Reply:
    """POST /v1/Trunks/{TrunkSid}/PhoneNumbers: the number's trunk_sid becomes this trunk."""
    trunk = _trunk(ctx, "TrunkSid")
    pn_sid = ctx.form.get("PhoneNumberSid")
    if not pn_sid:
        raise missing_param("PhoneNumberSid")
    number = ctx.state.numbers.get(pn_sid)
    if number is None or number.account_sid != trunk.account_sid:
        raise invalid_param("PhoneNumberSid", f"{pn_sid} is not a phone number of this account")
    ctx.state.set_number_trunk(number, trunk.sid)
    return 201, trunk_number_json(number)


def _trunk_number(ctx: Ctx) -> PhoneNumber:
    trunk = _trunk(ctx, "TrunkSid")
    number = ctx.state.numbers.get(ctx.args["Sid"])
    if number is None or number.trunk_sid != trunk.sid:
        raise ctx.not_found()
    return number


def list_trunk_numbers(ctx: Ctx) -> Reply:
    """GET /v1/Trunks/{TrunkSid}/PhoneNumbers."""
    trunk = _trunk(ctx, "TrunkSid")
    req = page_request(ctx.query)
    index = ctx.state.trunk_numbers.owned(trunk.sid)
    links, more = select(index, req)
    numbers = [ctx.state.numbers.get(link.sid) for link in links]
    return 200, meta_envelope(
        f"{trunk_url(trunk.sid)}/PhoneNumbers",
        "phone_numbers",
        [trunk_number_json(n) for n in numbers if n is not None],
        req,
        more,
        links,
    )


def fetch_trunk_number(ctx: Ctx) -> Reply:
    """GET /v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}."""
    return 200, trunk_number_json(_trunk_number(ctx))


def delete_trunk_number(ctx: Ctx) -> Reply:
    """DELETE /v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}: the number's trunk_sid is cleared."""
    ctx.state.set_number_trunk(_trunk_number(ctx), None)
    return 204, None


def register(router: Router) -> None:
    """Add the trunking v1 routes."""
    router.add("/v1/Trunks", get=list_trunks, post=create_trunk)
    router.add("/v1/Trunks/{Sid}", get=fetch_trunk, post=update_trunk, delete=delete_trunk)
    base = "/v1/Trunks/{TrunkSid}"
    router.add(f"{base}/OriginationUrls", get=list_originations, post=create_origination)
    router.add(
        f"{base}/OriginationUrls/{{Sid}}",
        get=fetch_origination,
        post=update_origination,
        delete=delete_origination,
    )
    router.add(
        f"{base}/CredentialLists",
        get=list_trunk_credential_lists,
        post=create_trunk_credential_list,
    )
    router.add(
        f"{base}/CredentialLists/{{Sid}}",
        get=fetch_trunk_credential_list,
        delete=delete_trunk_credential_list,
    )
    router.add(f"{base}/Recording", get=fetch_recording, post=update_recording)
    router.add(f"{base}/PhoneNumbers", get=list_trunk_numbers, post=create_trunk_number)
    router.add(
        f"{base}/PhoneNumbers/{{Sid}}",
        get=fetch_trunk_number,
        delete=delete_trunk_number,
    )
