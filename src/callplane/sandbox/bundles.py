"""numbers v2 RegulatoryCompliance Bundles and their Clones.

A bundle submitted for review (`Status=pending-review`) is twilio-approved at once. A clone
(`POST Bundles/{BundleSid}/Clones` with `TargetAccountSid`) is a copy owned by the target
account, still twilio-approved unless `MoveToDraft=true`: the path that lets a subaccount buy
regulated numbers.
"""

from __future__ import annotations

import hashlib
from typing import Any

from callplane.sandbox.errors import TwilioError, invalid_param, missing_param
from callplane.sandbox.inventory import CATALOGUE
from callplane.sandbox.numbers import BUNDLE_NUMBER_TYPES
from callplane.sandbox.paging import meta_envelope, page_request, select
from callplane.sandbox.routing import Ctx, Reply, Router
from callplane.sandbox.state import Bundle
from callplane.sandbox.urls import url_param
from callplane.sandbox.util import iso8601, new_sid, now

HOST = "https://numbers.twilio.com"
BASE = "/v2/RegulatoryCompliance/Bundles"
STATUSES = (
    "draft",
    "pending-review",
    "in-review",
    "twilio-rejected",
    "twilio-approved",
    "provisionally-approved",
)
END_USER_TYPES = ("individual", "business")


def regulation_sid(iso: str, number_type: str, end_user_type: str) -> str:
    """A stable Regulation SID for a country, number type and end-user type."""
    digest = hashlib.sha256(f"{iso}|{number_type}|{end_user_type}".encode()).hexdigest()
    return "RN" + digest[:32]


REGULATIONS: dict[str, tuple[str, str, str]] = {
    regulation_sid(iso, t, e): (iso, t, e)
    for iso, country in CATALOGUE.items()
    for t in country.types
    for e in END_USER_TYPES
}


def bundle_url(sid: str) -> str:
    """The bundle's absolute URL on the real Twilio host."""
    return f"{HOST}{BASE}/{sid}"


def bundle_json(bundle: Bundle) -> dict[str, Any]:
    """A Bundle as numbers v2 shows it."""
    url = bundle_url(bundle.sid)
    return {
        "sid": bundle.sid,
        "account_sid": bundle.account_sid,
        "regulation_sid": bundle.regulation_sid,
        "friendly_name": bundle.friendly_name,
        "status": bundle.status,
        "valid_until": iso8601(bundle.valid_until),
        "email": bundle.email,
        "status_callback": bundle.status_callback,
        "date_created": iso8601(bundle.date_created),
        "date_updated": iso8601(bundle.date_updated),
        "url": url,
        "links": {
            "evaluations": f"{url}/Evaluations",
            "item_assignments": f"{url}/ItemAssignments",
            "bundle_copies": f"{url}/Copies",
        },
    }


def clone_json(bundle: Bundle) -> dict[str, Any]:
    """A BundleClone answer."""
    return {
        "bundle_sid": bundle.sid,
        "account_sid": bundle.account_sid,
        "regulation_sid": bundle.regulation_sid,
        "friendly_name": bundle.friendly_name,
        "status": bundle.status,
        "valid_until": iso8601(bundle.valid_until),
        "email": bundle.email,
        "status_callback": bundle.status_callback,
        "date_created": iso8601(bundle.date_created),
        "date_updated": iso8601(bundle.date_updated),
        "url": f"{bundle_url(bundle.sid)}/Clones",
    }


def create_bundle(ctx: Ctx) -> Reply:
    """POST /v2/RegulatoryCompliance/Bundles (FriendlyName and Email required)."""
    form = ctx.form
    name = form.text("FriendlyName", max_len=64)
    email = form.text("Email", max_len=255)
    if not name:
        raise missing_param("FriendlyName")
    if not email:
        raise missing_param("Email")
    iso = (form.get("IsoCountry") or "").strip().upper() or None
    raw_type = form.get("NumberType")
    number_type = None
    if raw_type:
        number_type = BUNDLE_NUMBER_TYPES.get(raw_type.strip().lower())
        if number_type is None:
            raise TwilioError(400, 22200, f"Invalid Number Type: {raw_type}")
    end_user = form.get("EndUserType")
    if end_user is not None and end_user not in END_USER_TYPES:
        raise TwilioError(400, 22200, f"Invalid End-User Type: {end_user}")
    reg_sid = form.get("RegulationSid")
    if reg_sid:
        regulation = REGULATIONS.get(reg_sid)
        if regulation is None:
            raise invalid_param("RegulationSid", f"{reg_sid} is not a known Regulation")
        iso, number_type, end_user = regulation
    elif iso and number_type:
        reg_sid = regulation_sid(iso, number_type, end_user or "business")
    callback = url_param(form, "StatusCallback", 20001)
    form.boolean("IsTest")
    bundle = Bundle(
        sid=new_sid("BU"),
        account_sid=ctx.principal.account.sid,
        friendly_name=name,
        email=email,
        status_callback=callback or None,
        regulation_sid=reg_sid or regulation_sid(iso or "", number_type or "", end_user or ""),
        iso_country=iso,
        number_type=number_type,
        end_user_type=end_user,
    )
    ctx.state.bundles.add(bundle)
    return 201, bundle_json(bundle)


def _bundle(ctx: Ctx, key: str = "Sid") -> Bundle:
    bundle = ctx.state.bundles.get(ctx.args[key])
    if bundle is None or bundle.account_sid != ctx.principal.account.sid:
        raise ctx.not_found()
    return bundle


def list_bundles(ctx: Ctx) -> Reply:
    """GET /v2/RegulatoryCompliance/Bundles with Status/FriendlyName/IsoCountry/... filters."""
    q = ctx.query
    req = page_request(q)
    status = q.get("Status")
    if status is not None and status not in STATUSES:
        raise TwilioError(400, 22203, f"Unable to parse bundle status {status}")
    name = q.get("FriendlyName")
    reg = q.get("RegulationSid")
    iso = q.get("IsoCountry")
    raw_type = q.get("NumberType")
    number_type = BUNDLE_NUMBER_TYPES.get(raw_type.lower()) if raw_type else None
    end_user = q.get("EndUserType")
    sids = {s.strip() for s in (q.get("BundleSids") or "").split(",") if s.strip()}

    def keep(b: Bundle) -> bool:
        return (
            (status is None or b.status == status)
            and (name is None or b.friendly_name == name)
            and (reg is None or b.regulation_sid == reg)
            and (iso is None or (b.iso_country or "") == iso.upper())
            and (raw_type is None or b.number_type == number_type)
            and (end_user is None or b.end_user_type == end_user)
            and (not sids or b.sid in sids)
        )

    index = ctx.state.bundles.owned(ctx.principal.account.sid)
    items, more = select(index, req, keep)
    filters = [
        (k, v)
        for k, v in (
            ("Status", status),
            ("FriendlyName", name),
            ("RegulationSid", reg),
            ("IsoCountry", iso),
            ("NumberType", raw_type),
            ("EndUserType", end_user),
        )
        if v is not None
    ]
    return 200, meta_envelope(
        f"{HOST}{BASE}", "results", [bundle_json(b) for b in items], req, more, items, filters
    )


def fetch_bundle(ctx: Ctx) -> Reply:
    """GET /v2/RegulatoryCompliance/Bundles/{Sid}."""
    return 200, bundle_json(_bundle(ctx))


def update_bundle(ctx: Ctx) -> Reply:
    """POST /v2/RegulatoryCompliance/Bundles/{Sid}: pending-review is approved at once."""
    bundle = _bundle(ctx)
    form = ctx.form
    status = form.get("Status")
    if status is not None:
        if status not in STATUSES:
            raise TwilioError(400, 22203, f"Unable to parse bundle status {status}")
        if status not in ("draft", "pending-review"):
            raise invalid_param("Status", "can only be set to draft or pending-review")
    texts = {
        attr: form.text(param, max_len=limit)
        for param, attr, limit in (("FriendlyName", "friendly_name", 64), ("Email", "email", 255))
    }
    callback = url_param(form, "StatusCallback", 20001)
    if status is not None:
        # The sandbox's reviewer is instant: submitted means approved.
        bundle.status = "twilio-approved" if status == "pending-review" else "draft"
    for attr, value in texts.items():
        if value is not None:
            setattr(bundle, attr, value)
    if callback is not None:
        bundle.status_callback = callback or None
    bundle.date_updated = now()
    return 200, bundle_json(bundle)


def delete_bundle(ctx: Ctx) -> Reply:
    """DELETE /v2/RegulatoryCompliance/Bundles/{Sid}; 21648 while numbers use it."""
    bundle = _bundle(ctx)
    if any(n.bundle_sid == bundle.sid for n in ctx.state.numbers.owned(bundle.account_sid)):
        raise TwilioError(
            400, 21648, "Regulatory Bundle cannot be deleted due to an active number assignment"
        )
    ctx.state.bundles.remove(bundle)
    return 204, None


def create_clone(ctx: Ctx) -> Reply:
    """POST .../Bundles/{BundleSid}/Clones: copy an approved bundle into a related account."""
    source = _bundle(ctx, "BundleSid")
    target_sid = ctx.form.get("TargetAccountSid")
    if not target_sid:
        raise missing_param("TargetAccountSid")
    target = ctx.state.account(target_sid)
    owner = ctx.principal.account
    related = target is not None and (
        target.owner_account_sid == owner.sid or target.sid == owner.owner_account_sid
    )
    if target is None or not related or target.sid == owner.sid:
        raise invalid_param("TargetAccountSid", f"{target_sid} is not a related account")
    if not ctx.state.is_usable(target):
        raise TwilioError(400, 21472, f"TargetAccountSid {target_sid} is not an active account")
    if source.status != "twilio-approved":
        raise invalid_param("BundleSid", "only twilio-approved bundles can be cloned")
    move_to_draft = bool(ctx.form.boolean("MoveToDraft", False))
    clone = Bundle(
        sid=new_sid("BU"),
        account_sid=target.sid,
        friendly_name=ctx.form.text("FriendlyName", max_len=64) or source.friendly_name,
        email=source.email,
        status_callback=source.status_callback,
        status="draft" if move_to_draft else "twilio-approved",
        regulation_sid=source.regulation_sid,
        iso_country=source.iso_country,
        number_type=source.number_type,
        end_user_type=source.end_user_type,
        valid_until=source.valid_until,
    )
    ctx.state.bundles.add(clone)
    return 201, clone_json(clone)


def register(router: Router) -> None:
    """Add the numbers v2 bundle routes."""
    router.add(BASE, get=list_bundles, post=create_bundle)
    router.add(f"{BASE}/{{Sid}}", get=fetch_bundle, post=update_bundle, delete=delete_bundle)
    router.add(f"{BASE}/{{BundleSid}}/Clones", post=create_clone)
