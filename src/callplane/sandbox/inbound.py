"""Inbound simulation: what Twilio does when a call or SMS reaches a number.

The number's owner is found in any account; a call to a number on a trunk goes to the trunk's
origination URL (Twilio ignores the voice URL then); otherwise the webhook form Twilio sends is
built, signed with the OWNING account's auth token (`X-Twilio-Signature`, over exactly the URL
requested) and POSTed (or GET) to the number's voice or SMS URL. When that request fails (no
connection, a timeout, a 4xx/5xx answer) Twilio records the error (11205, 11200, 11217) and
requests the number's fallback URL with `ErrorCode` and `ErrorUrl` added to the form.
"""

from __future__ import annotations

import asyncio
import ssl
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import phonenumbers
from twilio.request_validator import RequestValidator

from callplane.sandbox import inventory
from callplane.sandbox.messaging import segments, set_call_status
from callplane.sandbox.state import Account, Call, Message, PhoneNumber, SandboxState
from callplane.sandbox.util import new_sid, now

# Twilio's webhook timers (ms) and the URL-fragment overrides that change them, with their
# documented bounds (docs/sandbox.md, "Webhooks (HTTP callbacks): Connection Overrides").
TIMERS = {"ct": (5000, 100, 10000), "rt": (15000, 100, 15000), "tt": (15000, 100, 15000)}
HTTP_RETRIEVAL_FAILURE = 11200
HTTP_CONNECTION_FAILURE = 11205  # no connection, or a timer expired
HTTP_ERROR_RESPONSE = 11217  # the webhook answered 4xx or 5xx

if TYPE_CHECKING:
    from callplane.sandbox.providers import ProviderHub


class InboundError(Exception):
    """A simulation request that cannot be carried out (answered 4xx by the control)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Delivery:
    """A webhook request ready to send: where, how, what, the owner's token and the fallback."""

    url: str
    method: str
    params: dict[str, str]
    token: str
    fallback_url: str = ""
    fallback_method: str = "POST"
    number_sid: str | None = None
    resource_sid: str | None = None


@dataclass
class Attempt:
    """One webhook request and what came of it."""

    url: str
    status: int | None = None
    body: str | None = None
    error_code: int | None = None
    error: str | None = None


@dataclass
class Outcome:
    """The control's answer and the errors Twilio would record (alerts)."""

    answer: dict[str, Any]
    alerts: list[Attempt] = field(default_factory=list)
    fallback_used: bool = False

    @property
    def ok(self) -> bool:
        """Whether the last request answered 2xx."""
        status = self.answer.get("status")
        return isinstance(status, int) and 200 <= status < 300


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
        url=number.voice_url,
        method=number.voice_method or "POST",
        params=params,
        token=account.auth_token,
        fallback_url=number.voice_fallback_url,
        fallback_method=number.voice_fallback_method or "POST",
        number_sid=number.sid,
        resource_sid=call.sid,
    )
    return None, delivery, call


def prepare_sms(
    state: SandboxState, raw_from: str, raw_to: str, body: str
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
        url=number.sms_url,
        method=number.sms_method or "POST",
        params=params,
        token=account.auth_token,
        fallback_url=number.sms_fallback_url,
        fallback_method=number.sms_fallback_method or "POST",
        number_sid=number.sid,
        resource_sid=message.sid,
    )
    return None, delivery, message


def prepare_status(
    state: SandboxState, call_sid: str, status: str
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
        url=call.status_callback,
        method=call.status_callback_method or "POST",
        params=params,
        token=account.auth_token,
        number_sid=call.phone_number_sid,
        resource_sid=call.sid,
    )
    return None, delivery


def webhook_timers(url: str) -> tuple[float, float, float]:
    """Connect, read and total timeouts (seconds) with the URL's `#ct=&rt=&tt=` overrides."""
    overrides = dict(parse_qsl(urlsplit(url).fragment))
    values = []
    for key, (default, low, high) in TIMERS.items():
        try:
            ms = min(max(int(overrides[key]), low), high)
        except (KeyError, ValueError):
            ms = default
        values.append(ms / 1000)
    return values[0], values[1], values[2]


@cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every webhook: building one per request costs tens of milliseconds."""
    return ssl.create_default_context()


def signed_request(url: str, method: str, params: dict[str, str], token: str) -> httpx.Request:
    """The webhook request, signed over exactly the URL it requests (as a receiver sees it)."""
    headers = {
        "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        "User-Agent": "TwilioProxy/1.1",
        "Accept": "*/*",
    }
    validator = RequestValidator(token)
    if method == "GET":
        parts = urlsplit(url)
        query = "&".join(q for q in (parts.query, urlencode(params)) if q)
        request = httpx.Request("GET", urlunsplit(parts._replace(query=query)), headers=headers)
        signed, form = request.url.copy_with(fragment=None), {}
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        request = httpx.Request("POST", url, headers=headers, content=urlencode(params).encode())
        signed, form = request.url.copy_with(fragment=None), params
    # The fragment (connection overrides) is never sent; what is sent is what gets signed.
    request.headers["X-Twilio-Signature"] = validator.compute_signature(str(signed), form)
    return request


async def attempt(
    url: str,
    method: str,
    params: dict[str, str],
    token: str,
    transport: httpx.AsyncBaseTransport | None,
) -> Attempt:
    """Send one signed webhook request; classify a failure as Twilio's error log does."""
    request = signed_request(url, method, params, token)
    requested = str(request.url.copy_with(fragment=None))
    connect, read, total = webhook_timers(url)
    timeout = httpx.Timeout(read, connect=connect)
    try:
        async with httpx.AsyncClient(transport=transport, timeout=timeout, verify=_tls()) as client:
            response = await asyncio.wait_for(client.send(request), total)
    except (httpx.ConnectError, httpx.TimeoutException, TimeoutError) as exc:
        return Attempt(requested, error_code=HTTP_CONNECTION_FAILURE, error=repr(exc))
    except httpx.HTTPError as exc:
        return Attempt(requested, error_code=HTTP_RETRIEVAL_FAILURE, error=repr(exc))
    code = HTTP_ERROR_RESPONSE if response.status_code >= 400 else None
    return Attempt(requested, response.status_code, response.text, code)


def _answer(result: Attempt) -> dict[str, Any]:
    answer: dict[str, Any] = {"url": result.url, "status": result.status, "twiml": result.body}
    if result.error_code is not None:
        answer["error_code"] = result.error_code
    if result.error is not None:
        answer["error"] = result.error
    return answer


async def deliver(delivery: Delivery, transport: httpx.AsyncBaseTransport | None) -> Outcome:
    """Send the webhook; on failure, Twilio's error and the fallback URL's request."""
    first = await attempt(delivery.url, delivery.method, delivery.params, delivery.token, transport)
    outcome = Outcome(_answer(first))
    if first.error_code is None:
        return outcome
    outcome.alerts.append(first)
    if not delivery.fallback_url:
        return outcome
    error_url = delivery.url.split("#", 1)[0]  # as configured, without connection overrides
    params = {**delivery.params, "ErrorCode": str(first.error_code), "ErrorUrl": error_url}
    second = await attempt(
        delivery.fallback_url, delivery.fallback_method, params, delivery.token, transport
    )
    if second.error_code is not None:
        outcome.alerts.append(second)
    outcome.fallback_used = True
    outcome.answer = {
        **_answer(second),
        "error_code": first.error_code,
        "fallback": {
            "url": second.url,
            "method": delivery.fallback_method,
            "error_code": first.error_code,
            "error_url": error_url,
            "primary_status": first.status,
            "status": second.status,
            "fallback_error_code": second.error_code,
        },
    }
    return outcome
