"""v2010 Messages and Calls: outbound traffic from an account's numbers, with Twilio's checks.

Twilio's magic test numbers give their documented errors here whatever the credentials:
From +15005550001 (invalid), +15005550007 (not owned), +15005550008 (queue full, SMS);
To +15005550001 (invalid), +15005550002 (unroutable), +15005550003 (no geo permission),
+15005550004 (blocked), +15005550009 (not SMS-capable). From +15005550006 always works.
"""

from __future__ import annotations

import math
from typing import Any

from callplane.sandbox import inventory
from callplane.sandbox.accounts import require_not_closed
from callplane.sandbox.auth import require_active
from callplane.sandbox.errors import TwilioError, invalid_param
from callplane.sandbox.paging import page_request, select, v2010_envelope
from callplane.sandbox.routing import Ctx, Reply, Router
from callplane.sandbox.state import Account, Call, Message, PhoneNumber, SandboxState
from callplane.sandbox.urls import url_param, url_params
from callplane.sandbox.util import new_sid, now, rfc2822

API = "/2010-04-01"
MAGIC_FROM_OK = "+15005550006"

SMS_FROM_ERRORS = {
    "+15005550001": (
        21212,
        "The 'From' number {n} is not a valid phone number, shortcode, or alphanumeric sender ID.",
    ),
    "+15005550007": (
        21606,
        (
            "The 'From' phone number {n} is not a valid, SMS-capable inbound phone number or "
            "short code for your account."
        ),
    ),
    "+15005550008": (
        21611,
        "This 'From' number {n} has exceeded the maximum number of queued messages",
    ),
}
SMS_TO_ERRORS = {
    "+15005550001": (21211, "Invalid 'To' Phone Number: {n}"),
    "+15005550002": (
        21612,
        (
            "The 'To' phone number: {n}, is not currently reachable using the 'From' phone "
            "number via SMS."
        ),
    ),
    "+15005550003": (
        21408,
        (
            "Permission to send an SMS has not been enabled for the region indicated by the "
            "'To' number: {n}."
        ),
    ),
    "+15005550004": (21610, "Attempt to send to unsubscribed recipient {n}"),
    "+15005550009": (21614, "'To' number {n} is not a valid mobile number"),
}
CALL_FROM_ERRORS = {
    "+15005550001": (21212, "Invalid Caller Phone Number: {n}"),
}
CALL_TO_ERRORS = {
    "+15005550001": (21217, "Phone number {n} does not appear to be valid"),
    "+15005550002": (21214, "'To' phone number {n} cannot be reached"),
    "+15005550003": (21215, "Geo Permission configuration is not permitting call to {n}"),
    "+15005550004": (21216, "Account not allowed to call {n}"),
}
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)
# URL parameters of Calls.json the sandbox accepts and checks but never requests.
CALL_CALLBACK_URLS = ("FallbackUrl", "AsyncAmdStatusCallback", "ClientNotificationUrl")
CALL_STATUSES = (
    "queued",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "failed",
    "no-answer",
    "canceled",
)


def segments(body: str) -> int:
    """How many SMS segments Twilio would bill for a body (GSM-7 or UCS-2)."""
    if not body:
        return 1
    if all(ch in GSM7 for ch in body):
        return 1 if len(body) <= 160 else math.ceil(len(body) / 153)
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def message_json(msg: Message) -> dict[str, Any]:
    """A Message as v2010 shows it."""
    base = f"{API}/Accounts/{msg.account_sid}/Messages/{msg.sid}"
    return {
        "account_sid": msg.account_sid,
        "api_version": "2010-04-01",
        "body": msg.body,
        "date_created": rfc2822(msg.date_created),
        "date_sent": rfc2822(msg.date_sent),
        "date_updated": rfc2822(msg.date_updated),
        "direction": msg.direction,
        "error_code": msg.error_code,
        "error_message": msg.error_message,
        "from": msg.from_,
        "messaging_service_sid": msg.messaging_service_sid,
        "num_media": str(msg.num_media),
        "num_segments": str(msg.num_segments),
        "price": None,
        "price_unit": "USD",
        "sid": msg.sid,
        "status": msg.status,
        "subresource_uris": {
            "media": f"{base}/Media.json",
            "feedback": f"{base}/Feedback.json",
        },
        "to": msg.to,
        "uri": f"{base}.json",
    }


def call_json(call: Call) -> dict[str, Any]:
    """A Call as v2010 shows it."""
    base = f"{API}/Accounts/{call.account_sid}/Calls/{call.sid}"
    subs = (
        "notifications",
        "recordings",
        "payments",
        "events",
        "siprec",
        "streams",
        "user_defined_message_subscriptions",
        "user_defined_messages",
    )
    names = {
        "notifications": "Notifications",
        "recordings": "Recordings",
        "payments": "Payments",
        "events": "Events",
        "siprec": "Siprec",
        "streams": "Streams",
        "user_defined_message_subscriptions": "UserDefinedMessageSubscriptions",
        "user_defined_messages": "UserDefinedMessages",
    }
    return {
        "account_sid": call.account_sid,
        "annotation": None,
        "answered_by": None,
        "api_version": "2010-04-01",
        "caller_name": None,
        "date_created": rfc2822(call.date_created),
        "date_updated": rfc2822(call.date_updated),
        "direction": call.direction,
        "duration": call.duration,
        "end_time": rfc2822(call.end_time),
        "forwarded_from": None,
        "from": call.from_,
        "from_formatted": inventory.friendly_name(call.from_)
        if call.from_.startswith("+")
        else call.from_,
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": call.phone_number_sid,
        "price": None,
        "price_unit": "USD",
        "sid": call.sid,
        "start_time": rfc2822(call.start_time),
        "status": call.status,
        "subresource_uris": {k: f"{base}/{names[k]}.json" for k in subs},
        "to": call.to,
        "to_formatted": inventory.friendly_name(call.to) if call.to.startswith("+") else call.to,
        "trunk_sid": call.trunk_sid,
        "uri": f"{base}.json",
        "queue_time": "0",
    }


def _own_number(state: SandboxState, account: Account, e164: str | None) -> PhoneNumber | None:
    if e164 is None:
        return None
    number = state.number_by_e164.get(e164)
    if number is None or number.account_sid != account.sid:
        return None
    return number


def _magic(table: dict[str, tuple[int, str]], raw: str) -> None:
    hit = table.get(raw.strip())
    if hit is not None:
        raise TwilioError(400, hit[0], hit[1].format(n=raw.strip()))


def _valid_to(raw: str) -> str | None:
    e164 = inventory.normalize(raw)
    if e164 is None or not inventory.is_valid_number(e164):
        return None
    return e164


# -- Messages -------------------------------------------------------------------------------


def create_message(ctx: Ctx) -> Reply:
    """POST /Messages.json: From one of the account's SMS-capable numbers, To a valid number."""
    account = ctx.account()
    require_not_closed(ctx.state, account)
    require_active(ctx.state, account)
    form = ctx.form
    to_raw = form.get("To")
    from_raw = form.get("From")
    service = form.get("MessagingServiceSid")
    body = form.get("Body") or ""
    media = url_params(form, "MediaUrl", 21620)
    callback = url_param(form, "StatusCallback", 21609) or None
    if not to_raw:
        raise TwilioError(400, 21604, "A 'To' phone number is required.")
    if not from_raw:
        if service:
            raise TwilioError(400, 21701, f"The Messaging Service Sid {service} is invalid.")
        raise TwilioError(400, 21603, "A 'From' phone number is required.")
    if not body and not media and not form.get("ContentSid"):
        raise TwilioError(400, 21602, "Message body is required.")
    if len(body) > 1600:
        raise TwilioError(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    _magic(SMS_FROM_ERRORS, from_raw)
    _magic(SMS_TO_ERRORS, to_raw)
    from_e164 = inventory.normalize(from_raw)
    sender = _own_number(ctx.state, account, from_e164)
    if from_e164 != MAGIC_FROM_OK and (sender is None or not sender.capabilities.get("sms")):
        raise TwilioError(
            400,
            21606,
            f"The 'From' phone number {from_raw} is not a valid, SMS-capable inbound phone number "
            "or short code for your account.",
        )
    to = _valid_to(to_raw)
    if to is None:
        raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {to_raw}")
    if to == from_e164:
        raise TwilioError(400, 21266, "'To' and 'From' number cannot be the same")
    message = Message(
        sid=new_sid("MM" if media else "SM"),
        account_sid=account.sid,
        from_=from_e164 or from_raw,
        to=to,
        body=body,
        num_segments=segments(body),
        num_media=len(media),
        messaging_service_sid=service or None,
        status_callback=callback,
    )
    ctx.state.messages.add(message)
    answer = message_json(message)
    # Twilio answers "queued"; a later fetch finds the message sent.
    message.status = "sent"
    message.date_sent = now()
    message.date_updated = message.date_sent
    return 201, answer


def _message(ctx: Ctx) -> Message:
    account = ctx.account()
    message = ctx.state.messages.get(ctx.args["Sid"])
    if message is None or message.account_sid != account.sid:
        raise ctx.not_found()
    return message


def fetch_message(ctx: Ctx) -> Reply:
    """GET /Messages/{Sid}.json."""
    return 200, message_json(_message(ctx))


def update_message(ctx: Ctx) -> Reply:
    """POST /Messages/{Sid}.json: redact (Body="") or cancel a scheduled message."""
    message = _message(ctx)
    body = ctx.form.get("Body")
    if body is not None:
        if body != "":
            raise invalid_param("Body", "can only be set to an empty string (redaction)")
        message.body = ""
    status = ctx.form.get("Status")
    if status is not None:
        if status != "canceled":
            raise invalid_param("Status", "can only be canceled")
        message.status = "canceled"
    message.date_updated = now()
    return 200, message_json(message)


def delete_message(ctx: Ctx) -> Reply:
    """DELETE /Messages/{Sid}.json."""
    ctx.state.messages.remove(_message(ctx))
    return 204, None


def list_messages(ctx: Ctx) -> Reply:
    """GET /Messages.json, newest first, with To/From filters."""
    account = ctx.account()
    req = page_request(ctx.query)
    to = ctx.query.get("To")
    frm = ctx.query.get("From")
    to_n = inventory.normalize(to) or to if to else None
    from_n = inventory.normalize(frm) or frm if frm else None

    def keep(m: Message) -> bool:
        return (to_n is None or m.to == to_n) and (from_n is None or m.from_ == from_n)

    index = ctx.state.messages.owned(account.sid)
    items, more = select(index, req, keep, newest_first=True)
    filters = [(k, v) for k, v in (("To", to), ("From", frm)) if v is not None]
    path = f"{API}/Accounts/{account.sid}/Messages.json"
    return 200, v2010_envelope(
        path, "messages", [message_json(m) for m in items], req, more, items, filters
    )


# -- Calls ----------------------------------------------------------------------------------


def create_call(ctx: Ctx) -> Reply:
    """POST /Calls.json: From a voice number of the account, with Url, Twiml or ApplicationSid."""
    account = ctx.account()
    require_not_closed(ctx.state, account)
    require_active(ctx.state, account)
    form = ctx.form
    to_raw = form.get("To")
    from_raw = form.get("From")
    if not to_raw:
        raise TwilioError(400, 21201, "No 'To' number is specified")
    if not from_raw:
        raise TwilioError(400, 21213, "No 'From' number is specified")
    url = url_param(form, "Url", 21205)
    twiml = form.get("Twiml")
    app_sid = form.get("ApplicationSid")
    if not url and not twiml and not app_sid:
        raise TwilioError(400, 21205, "Url parameter is required (or Twiml, or ApplicationSid)")
    callback = url_param(form, "StatusCallback", 21609) or None
    for name in CALL_CALLBACK_URLS:
        url_param(form, name, 21502)
    method = form.method("Method", "POST") or "POST"
    status_method = form.method("StatusCallbackMethod", "POST") or "POST"
    _magic(CALL_FROM_ERRORS, from_raw)
    _magic(CALL_TO_ERRORS, to_raw)
    from_e164 = inventory.normalize(from_raw)
    caller = _own_number(ctx.state, account, from_e164)
    if from_e164 != MAGIC_FROM_OK and (caller is None or not caller.capabilities.get("voice")):
        raise TwilioError(
            400,
            21210,
            f"The source phone number provided, {from_raw}, is not yet verified for your account.",
        )
    if to_raw.startswith(("sip:", "client:")):
        to = to_raw
    else:
        to = _valid_to(to_raw) or ""
        if not to:
            raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {to_raw}")
    call = Call(
        sid=new_sid("CA"),
        account_sid=account.sid,
        from_=from_e164 or from_raw,
        to=to,
        phone_number_sid=caller.sid if caller else None,
        url=url,
        method=method,
        twiml=twiml,
        status_callback=callback,
        status_callback_method=status_method,
    )
    ctx.state.calls.add(call)
    return 201, call_json(call)


def _call(ctx: Ctx) -> Call:
    account = ctx.account()
    call = ctx.state.calls.get(ctx.args["Sid"])
    if call is None or call.account_sid != account.sid:
        raise ctx.not_found()
    return call


def fetch_call(ctx: Ctx) -> Reply:
    """GET /Calls/{Sid}.json."""
    return 200, call_json(_call(ctx))


def set_call_status(call: Call, status: str) -> None:
    """Move a call's status, stamping start/end times as Twilio does."""
    stamp = now()
    if status == "in-progress" and call.start_time is None:
        call.start_time = stamp
    if status in ("completed", "busy", "failed", "no-answer", "canceled"):
        if call.start_time is None:
            call.start_time = stamp
        call.end_time = stamp
        call.duration = str(int((call.end_time - call.start_time).total_seconds()))
    call.status = status
    call.date_updated = stamp


def update_call(ctx: Ctx) -> Reply:
    """POST /Calls/{Sid}.json: Status completed|canceled, new Url/Twiml, FallbackUrl, StatusCallback."""
    call = _call(ctx)
    form = ctx.form
    status = form.get("Status")
    if status is not None and status not in ("completed", "canceled"):
        raise invalid_param("Status", "must be completed or canceled")
    url = url_param(form, "Url", 21205)
    url_param(form, "FallbackUrl", 21502)
    callback = url_param(form, "StatusCallback", 21609)
    callback_method = form.method("StatusCallbackMethod")
    if status is not None:
        set_call_status(call, status)
    if url:
        call.url = url
    twiml = form.get("Twiml")
    if twiml is not None:
        call.twiml = twiml
    if callback is not None:
        call.status_callback = callback or None
    if callback_method is not None:
        call.status_callback_method = callback_method
    call.date_updated = now()
    return 200, call_json(call)


def delete_call(ctx: Ctx) -> Reply:
    """DELETE /Calls/{Sid}.json."""
    ctx.state.calls.remove(_call(ctx))
    return 204, None


def list_calls(ctx: Ctx) -> Reply:
    """GET /Calls.json, newest first, with To/From/Status filters."""
    account = ctx.account()
    req = page_request(ctx.query)
    to = ctx.query.get("To")
    frm = ctx.query.get("From")
    status = ctx.query.get("Status")
    if status is not None and status not in CALL_STATUSES:
        raise invalid_param("Status")
    to_n = (inventory.normalize(to) or to) if to else None
    from_n = (inventory.normalize(frm) or frm) if frm else None

    def keep(c: Call) -> bool:
        return (
            (to_n is None or c.to == to_n)
            and (from_n is None or c.from_ == from_n)
            and (status is None or c.status == status)
        )

    index = ctx.state.calls.owned(account.sid)
    items, more = select(index, req, keep, newest_first=True)
    filters = [(k, v) for k, v in (("To", to), ("From", frm), ("Status", status)) if v is not None]
    path = f"{API}/Accounts/{account.sid}/Calls.json"
    return 200, v2010_envelope(
        path, "calls", [call_json(c) for c in items], req, more, items, filters
    )


def register(router: Router) -> None:
    """Add the Messages and Calls routes."""
    acct = f"{API}/Accounts/{{AccountSid}}"
    router.add(f"{acct}/Messages.json", get=list_messages, post=create_message)
    router.add(
        f"{acct}/Messages/{{Sid}}.json",
        get=fetch_message,
        post=update_message,
        delete=delete_message,
    )
    router.add(f"{acct}/Calls.json", get=list_calls, post=create_call)
    router.add(f"{acct}/Calls/{{Sid}}.json", get=fetch_call, post=update_call, delete=delete_call)
