"""Inbound simulation: what Twilio does when a call or SMS reaches a number.

The number's owner is found in any account; a call to a number on a trunk goes to the trunk's
origination URL (Twilio ignores the voice URL then); otherwise the webhook form Twilio sends is
built, signed with the OWNING account's auth token (`X-Twilio-Signature`, exactly as Twilio
computes it) and POSTed (or GET) to the number's voice or SMS URL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import httpx
import phonenumbers
from twilio.request_validator import RequestValidator

from callplane.sandbox import inventory
from callplane.sandbox.messaging import segments, set_call_status
from callplane.sandbox.state import Account, Call, Message, PhoneNumber, SandboxState
from callplane.sandbox.util import new_sid, now

if TYPE_CHECKING:
    from callplane.sandbox.providers import ProviderHub

WEBHOOK_TIMEOUT = 15.0


class InboundError(Exception):
    """A simulation request that cannot be carried out (answered 4xx by the control)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Delivery:
    """A webhook request ready to send: where, how, what and the owner's token."""

    url: str
    method: str
    params: dict[str, str]
    token: str


def _geo(e164: str, prefix: str) -> dict[str, str]:
    """City/State/Zip/Country fields Twilio adds for a number (empty when unknown)."""
    block = inventory.block_of(e164)
    country = ""
    if block is not None:
        country = block.country
    else:
        try:
            country = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None)) or ""
        except phonenumbers.NumberParseException:
            country = ""
    return {
        f"{prefix}City": (block.locality or "").upper() if block else "",
        f"{prefix}State": (block.region or "") if block else "",
        f"{prefix}Zip": (block.postal_code or "") if block else "",
        f"{prefix}Country": country,
    }


def _resolve(url: str, origin: str) -> str:
    """A relative webhook URL is taken relative to the server the sandbox runs on."""
    if url.startswith(("http://", "https://")):
        return url
    return urljoin(origin, url)


def find_number(state: SandboxState, raw_to: str) -> tuple[PhoneNumber, Account]:
    """The number dialled and its owner, from any account."""
    to = inventory.normalize(raw_to)
    number = state.number_by_e164.get(to) if to else None
    if number is None:
        raise InboundError(404, f"no account owns {raw_to}")
    account = state.account(number.account_sid)
    if account is None:  # cannot happen: numbers die with their account
        raise InboundError(404, f"no account owns {raw_to}")
    return number, account


def prepare_call(
    state: SandboxState,
    raw_from: str,
    raw_to: str,
    origin: str,
    providers: ProviderHub | None = None,
) -> tuple[dict[str, Any] | None, Delivery | None, Call | None]:
    """Route an inbound call: a trunk answer, or a webhook delivery (under the state lock).

    A trunk whose origination URL is a provider's SIP host adds which agent took the call.
    """
    number, account = find_number(state, raw_to)
    caller = inventory.normalize(raw_from) or raw_from
    if not state.is_usable(account):
        return {"url": None, "status": None, "twiml": None, "error_code": 10003}, None, None
    call = Call(
        sid=new_sid("CA"),
        account_sid=account.sid,
        from_=caller,
        to=number.phone_number,
        direction="inbound",
        status="ringing",
        phone_number_sid=number.sid,
        trunk_sid=number.trunk_sid,
        status_callback=number.status_callback or None,
        status_callback_method=number.status_callback_method,
    )
    state.calls.add(call)
    if number.trunk_sid:
        trunk = state.trunks.get(number.trunk_sid)
        urls = [u for u in state.origination_urls.owned(number.trunk_sid) if u.enabled]
        urls.sort(key=lambda u: (u.priority, -u.weight))
        answer: dict[str, Any] = {
            "url": urls[0].sip_url if urls else None,
            "status": None,
            "twiml": None,
            "trunk_sid": number.trunk_sid,
            "domain_name": trunk.domain_name if trunk else None,
            "call_sid": call.sid,
        }
        if not urls:
            answer["error_code"] = 32010  # no valid origination URI on the trunk
            set_call_status(call, "failed")
        else:
            set_call_status(call, "in-progress")
            if providers is not None:
                routed = providers.route_inbound(urls[0].sip_url, number.phone_number, caller)
                if routed is not None:
                    answer["provider"] = routed
        return answer, None, call
    if not number.voice_url:
        set_call_status(call, "failed")
        return {"url": None, "status": None, "twiml": None, "call_sid": call.sid}, None, call
    params = {
        "AccountSid": account.sid,
        "ApiVersion": number.api_version,
        "CallSid": call.sid,
        "CallStatus": "ringing",
        "Called": number.phone_number,
        "Caller": caller,
        "Direction": "inbound",
        "From": caller,
        "To": number.phone_number,
    }
    for prefix, e164 in (
        ("Called", number.phone_number),
        ("Caller", caller),
        ("From", caller),
        ("To", number.phone_number),
    ):
        params.update(_geo(e164, prefix))
    delivery = Delivery(
        url=_resolve(number.voice_url, origin),
        method=number.voice_method or "POST",
        params=params,
        token=account.auth_token,
    )
    return None, delivery, call


def prepare_sms(
    state: SandboxState, raw_from: str, raw_to: str, body: str, origin: str
) -> tuple[dict[str, Any] | None, Delivery | None, Message | None]:
    """Route an inbound SMS to the number's SMS URL (under the state lock)."""
    number, account = find_number(state, raw_to)
    sender = inventory.normalize(raw_from) or raw_from
    if not state.is_usable(account):
        return {"url": None, "status": None, "twiml": None, "error_code": 10001}, None, None
    message = Message(
        sid=new_sid("SM"),
        account_sid=account.sid,
        from_=sender,
        to=number.phone_number,
        body=body,
        status="received",
        direction="inbound",
        num_segments=segments(body),
    )
    message.date_sent = now()
    state.messages.add(message)
    if not number.sms_url:
        return (
            {"url": None, "status": None, "twiml": None, "message_sid": message.sid},
            None,
            message,
        )
    params = {
        "AccountSid": account.sid,
        "ApiVersion": number.api_version,
        "Body": body,
        "From": sender,
        "MessageSid": message.sid,
        "NumMedia": "0",
        "NumSegments": str(message.num_segments),
        "SmsMessageSid": message.sid,
        "SmsSid": message.sid,
        "SmsStatus": "received",
        "To": number.phone_number,
    }
    params.update(_geo(sender, "From"))
    params.update(_geo(number.phone_number, "To"))
    delivery = Delivery(
        url=_resolve(number.sms_url, origin),
        method=number.sms_method or "POST",
        params=params,
        token=account.auth_token,
    )
    return None, delivery, message


def prepare_status(
    state: SandboxState, call_sid: str, status: str, origin: str
) -> tuple[dict[str, Any] | None, Delivery | None]:
    """Move a call to `status` and build its status callback, if it has one."""
    call = state.calls.get(call_sid)
    if call is None:
        raise InboundError(404, f"no call {call_sid}")
    account = state.account(call.account_sid)
    if account is None:
        raise InboundError(404, f"no call {call_sid}")
    set_call_status(call, status)
    if not call.status_callback:
        return {"url": None, "status": None, "twiml": None, "call_sid": call.sid}, None
    params = {
        "AccountSid": account.sid,
        "ApiVersion": "2010-04-01",
        "CallSid": call.sid,
        "CallStatus": status,
        "Called": call.to,
        "Caller": call.from_,
        "Direction": call.direction,
        "From": call.from_,
        "To": call.to,
        "Timestamp": now().strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "CallbackSource": "call-progress-events",
        "SequenceNumber": "0",
    }
    if call.duration is not None:
        params["CallDuration"] = call.duration
        params["Duration"] = str(max(1, (int(call.duration) + 59) // 60))
    delivery = Delivery(
        url=_resolve(call.status_callback, origin),
        method=call.status_callback_method or "POST",
        params=params,
        token=account.auth_token,
    )
    return None, delivery


def signed_request(delivery: Delivery) -> tuple[str, str, dict[str, str], bytes | None]:
    """Method, URL, headers and body of the webhook request, signed as Twilio signs it."""
    validator = RequestValidator(delivery.token)
    headers = {
        "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        "User-Agent": "TwilioProxy/1.1",
        "Accept": "*/*",
    }
    if delivery.method == "GET":
        parts = urlsplit(delivery.url)
        query = "&".join(q for q in (parts.query, urlencode(delivery.params)) if q)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
        headers["X-Twilio-Signature"] = validator.compute_signature(url, {})
        return "GET", url, headers, None
    headers["X-Twilio-Signature"] = validator.compute_signature(delivery.url, delivery.params)
    headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    return "POST", delivery.url, headers, urlencode(delivery.params).encode()


async def deliver(delivery: Delivery, transport: httpx.AsyncBaseTransport | None) -> dict[str, Any]:
    """Send the webhook and answer {"url", "status", "twiml"} with what it returned."""
    method, url, headers, body = signed_request(delivery)
    try:
        async with httpx.AsyncClient(transport=transport, timeout=WEBHOOK_TIMEOUT) as client:
            response = await client.request(method, url, headers=headers, content=body)
    except httpx.HTTPError as exc:
        # Twilio logs 11200 (HTTP retrieval failure) when the webhook cannot be reached.
        return {"url": url, "status": None, "twiml": None, "error_code": 11200, "error": str(exc)}
    return {"url": url, "status": response.status_code, "twiml": response.text}
