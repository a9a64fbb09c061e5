"""The inbound webhooks, in the order of DESIGN section 6: steps 1-3 (the form, the account,
its signature) are `intake.authenticate`; then

4. find the active number by the normalised `To` within that account and answer TwiML;
5. record the event once per `I-Twilio-Idempotency-Token` and queue it in the outbox.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from callplane.gateway import events, twiml
from callplane.gateway.decision import NumberRoute, decide_sms, decide_voice
from callplane.gateway.intake import Refusal, authenticate, lookup, normalized
from callplane.gateway.lifespan import Gateway, gateway_of
from callplane.gateway.lookup import CallRef
from callplane.gateway.recorder import Advance, Draft, Recorded
from callplane.gateway.route_cache import AccountAuth
from callplane.gateway.twilio_signature import FormParams
from callplane.log import get_logger
from callplane.recordings import store as recordings

log = get_logger(__name__)

RECORD_TIMEOUT = 5.0  # seconds an answer waits for its event to be committed
IDEMPOTENCY_HEADER = "i-twilio-idempotency-token"
XML = "application/xml"

WEBHOOKS = Counter(
    "callplane_webhook_requests_total", "Inbound Twilio webhooks answered", ["kind", "outcome"]
)
LATENCY = Histogram(
    "callplane_webhook_seconds",
    "Time to answer an inbound webhook",
    ["kind"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
_counters: dict[tuple[str, str], Any] = {}


def _count(kind: str, outcome: str) -> None:
    child = _counters.get((kind, outcome))
    if child is None:
        child = _counters[(kind, outcome)] = WEBHOOKS.labels(kind=kind, outcome=outcome)
    child.inc()


@lru_cache(maxsize=16)
def _latency(kind: str) -> Any:
    return LATENCY.labels(kind=kind)


# -- steps 4 and 5 --------------------------------------------------------------------------


async def _record(gateway: Gateway, draft: Draft, kind: str) -> Recorded | None:
    """Record and wait for the commit; None when the database failed or was too slow."""
    try:
        async with asyncio.timeout(RECORD_TIMEOUT):
            return await gateway.writer.record(draft)
    except TimeoutError:
        log.error("event not committed in time", kind=kind, sid=draft.event.get("sid"))
    except Exception as exc:  # noqa: BLE001 - the caller still gets an answer
        log.error(
            "event not recorded", kind=kind, sid=draft.event.get("sid"), error=type(exc).__name__
        )
    return None


async def voice(request: Request) -> Response:
    """POST /webhooks/twilio/voice: a call to one of the numbers."""
    return await _handle(request, "voice")


async def sms(request: Request) -> Response:
    """POST /webhooks/twilio/sms: a message to one of the numbers."""
    return await _handle(request, "sms")


async def status(request: Request) -> Response:
    """POST /webhooks/twilio/status: call (or message) status callbacks."""
    return await _handle(request, "status")


async def recording(request: Request) -> Response:
    """POST /webhooks/twilio/recording: `<Record action>` and recording status callbacks."""
    return await _handle(request, "recording")


async def _handle(request: Request, kind: str) -> Response:
    started = time.perf_counter()
    gateway = gateway_of(request.app)
    try:
        fields, auth, to, route = await authenticate(gateway, request, kind)
        if kind in ("voice", "sms"):
            response, outcome = await _inbound(gateway, request, kind, fields, auth, to, route)
        else:
            response, outcome = await _CALLBACKS[kind](gateway, request, fields, auth)
    except Refusal as refusal:
        _count(kind, "refused")
        return refusal.response()
    _count(kind, outcome)
    _latency(kind).observe(time.perf_counter() - started)
    return response


@dataclass(slots=True)
class _Owner:
    """Whose call (or message) an event is about, the decision taken, where its events go."""

    tenant_id: uuid.UUID | None = None
    number_id: uuid.UUID | None = None
    agent_id: uuid.UUID | None = None
    decision: str = "unrouted"
    events_url: str | None = None


def _event(
    request: Request,
    kind: str,
    fields: FormParams,
    auth: AccountAuth,
    owner: _Owner,
    *,
    sid: str | None,
    state: str | None,
    detail: dict[str, Any],
) -> dict[str, Any]:
    """The event of this webhook (`events.event_row`)."""
    return events.event_row(
        kind=kind,
        fields=fields,
        account_sid=auth.account_sid,
        sid=sid,
        decision=owner.decision,
        state=state,
        idempotency_token=events.idempotency_key(request.headers.get(IDEMPOTENCY_HEADER)),
        tenant_id=owner.tenant_id,
        number_id=owner.number_id,
        agent_id=owner.agent_id,
        detail=detail,
    )


async def _inbound(
    gateway: Gateway,
    request: Request,
    kind: str,
    fields: FormParams,
    auth: AccountAuth,
    to: str | None,
    route: NumberRoute | None,
) -> tuple[Response, str]:
    """A call or a message to one of the numbers: the decision's TwiML, once recorded."""
    agent = route.agent if route else None
    if kind == "voice":
        decision = decide_voice(
            route, settings=gateway.settings, caller=fields.get("From"), to_e164=to
        )
        sid, state, event_type = fields.get("CallSid"), fields.get("CallStatus"), "call.received"
        detail: dict[str, Any] = {"direction": fields.get("Direction")}
        if decision.mode == "webhook" and route is not None:
            # Mode webhook only: the tenant's app is asked, within its deadline.
            routed = await gateway.hook.route(route, decision, fields)
            decision, detail["hook"] = routed.decision, routed.detail
            if routed.agent is not None:  # the agent the app chose takes the call
                route = replace(route, agent=routed.agent)
                agent = routed.agent
    else:
        decision = decide_sms(route, to_e164=to)
        sid = fields.get("MessageSid") or fields.get("SmsSid")
        state, event_type = fields.get("SmsStatus") or "received", "message.received"
        detail = {"body": fields.get("Body"), "num_media": fields.get("NumMedia")}
    owner = _Owner(
        tenant_id=route.tenant_id if route else None,
        number_id=route.number_id if route else None,
        agent_id=agent.id if agent else None,
        decision=decision.outcome,
    )
    detail = {"reason": decision.reason, "mode": decision.mode, **detail}
    event = _event(request, kind, fields, auth, owner, sid=sid, state=state, detail=detail)
    draft = Draft(event)
    if route is not None and agent is not None:
        draft.outbox = events.outbox_rows(
            event,
            events.routed_deliveries(route, decision),
            agent_id=agent.id,
            tenant_id=route.tenant_id,
            event_type=event_type,
            fields=fields,
            number=route.e164,
            reason=decision.reason,
        )
    if route is not None:
        draft.tenant_events = events.tenant_event_rows(
            event,
            events.call_types(decision.outcome) if kind == "voice" else ["message.received"],
            tenant_id=route.tenant_id,
            fields=fields,
            number=route.e164,
            reason=decision.reason,
        )
    recorded = await _record(gateway, draft, kind)
    outcome = decision.outcome if recorded is None or recorded.new else "duplicate"
    return Response(decision.twiml, media_type=XML), outcome


async def _owner(gateway: Gateway, account_sid: str, sid: str, fields: FormParams) -> _Owner:
    """The call or message a callback is about; else the number it involves, in this account."""
    ref = await lookup(gateway.lookup.call(account_sid, sid))
    if ref is not None:
        return _owner_of_call(ref)
    for field_name in ("To", "From"):  # inbound: our number is To; outbound: From
        e164 = normalized(fields.get(field_name))
        if e164:
            route = await lookup(gateway.lookup.number(account_sid, e164))
            if route is not None:
                agent = route.agent
                return _Owner(
                    tenant_id=route.tenant_id,
                    number_id=route.number_id,
                    agent_id=agent.id if agent else None,
                    decision="routed" if agent else "unrouted",
                    events_url=agent.events_url if agent else None,
                )
    return _Owner()


def _owner_of_call(ref: CallRef) -> _Owner:
    return _Owner(
        tenant_id=ref.tenant_id,
        number_id=ref.number_id,
        agent_id=ref.agent_id,
        decision=ref.decision if ref.tenant_id else "unrouted",
        events_url=ref.events_url,
    )


async def _callback(
    gateway: Gateway,
    request: Request,
    fields: FormParams,
    auth: AccountAuth,
    kind: str,
    *,
    sid: str,
    state: str,
    advance: Advance | None,
    event_type: str,
    detail: dict[str, Any],
    also: Callable[[_Owner], Awaitable[bool]] | None = None,
    endpoint_types: list[str] | None = None,
) -> tuple[Response, str]:
    owner = await _owner(gateway, auth.account_sid, sid, fields)
    event = _event(request, kind, fields, auth, owner, sid=sid, state=state, detail=detail)
    draft = Draft(event, advance=advance)
    if owner.tenant_id and owner.agent_id and owner.events_url and owner.decision != "rejected":
        draft.outbox = events.outbox_rows(
            event,
            [(owner.events_url, "events")],
            agent_id=owner.agent_id,
            tenant_id=owner.tenant_id,
            event_type=event_type,
            fields=fields,
        )
    if owner.tenant_id and owner.decision != "rejected" and endpoint_types:
        draft.tenant_events = events.tenant_event_rows(
            event, endpoint_types, tenant_id=owner.tenant_id, fields=fields
        )
    recorded = await _record(gateway, draft, kind)
    if recorded is not None and also is not None and not await also(owner):
        recorded = None
    if recorded is None:
        # Nothing waits on this answer but Twilio; a 503 lets a retrying sender try again.
        return JSONResponse(
            {"error": {"code": "unavailable", "message": "the event could not be recorded"}},
            status_code=503,
        ), "record_failed"
    outcome = "stale" if recorded.stale else ("recorded" if recorded.new else "duplicate")
    return Response(twiml.empty_voice(), media_type=XML), outcome


async def _status(
    gateway: Gateway, request: Request, fields: FormParams, auth: AccountAuth
) -> tuple[Response, str]:
    call_sid, call_status = fields.get("CallSid"), fields.get("CallStatus")
    message_sid = fields.get("MessageSid") or fields.get("SmsSid")
    message_status = fields.get("MessageStatus") or fields.get("SmsStatus")
    if call_sid and call_status:
        sid, state, messages, event_type = call_sid, call_status, False, "call.status"
    elif message_sid and message_status:
        sid, state, messages, event_type = message_sid, message_status, True, "message.status"
    else:
        raise Refusal(
            400,
            "bad_request",
            "a status callback needs CallSid and CallStatus (or MessageSid and MessageStatus)",
        )
    detail = {
        "status": state,
        "duration": fields.get("CallDuration"),
        "sequence": fields.get("SequenceNumber"),
        "error_code": fields.get("ErrorCode"),
    }
    return await _callback(
        gateway,
        request,
        fields,
        auth,
        "status",
        sid=sid,
        state=state,
        advance=Advance(sid=sid[:34], account_sid=auth.account_sid, state=state, messages=messages),
        event_type=event_type,
        detail=detail,
        endpoint_types=events.status_types(state, messages),
    )


async def _recording(
    gateway: Gateway, request: Request, fields: FormParams, auth: AccountAuth
) -> tuple[Response, str]:
    call_sid = fields.get("CallSid")
    if not call_sid:
        raise Refusal(400, "bad_request", "a recording callback needs CallSid")
    rec_status = fields.get("RecordingStatus")
    if not rec_status:
        # The `<Record action>` request after a voicemail: the call is done.
        return Response(twiml.hangup(), media_type=XML), "record_action"
    detail = {
        "recording_sid": fields.get("RecordingSid"),
        "recording_url": fields.get("RecordingUrl"),
        "recording_status": rec_status,
        "recording_duration": fields.get("RecordingDuration"),
    }

    async def keep(owner: _Owner) -> bool:
        """The tenant's recording, listed (`GET .../recordings`); False when not written."""
        if owner.tenant_id is None:
            return True
        return await recordings.keep(
            gateway.store,
            fields,
            account_sid=auth.account_sid,
            tenant_id=owner.tenant_id,
            number_id=owner.number_id,
        )

    return await _callback(
        gateway,
        request,
        fields,
        auth,
        "recording",
        sid=call_sid,
        state=rec_status,
        advance=None,
        event_type=f"recording.{rec_status}",
        detail=detail,
        also=keep,
        endpoint_types=_recording_types(rec_status),
    )


def _recording_types(status: str) -> list[str]:
    """`recording.<status>` for the statuses Twilio documents (others reach no endpoint)."""
    name = "recording." + status.replace("-", "_")
    return [name] if status in ("completed", "in-progress", "failed", "absent") else []


_CALLBACKS = {"status": _status, "recording": _recording}


async def whisper(request: Request) -> Response:
    """POST /webhooks/twilio/whisper?agent=<id>: what the answering party of a forward hears."""
    gateway = gateway_of(request.app)
    try:
        auth = (await authenticate(gateway, request, "whisper")).account
        agent_id = _uuid(request.query_params.get("agent"))
        text = None
        if agent_id is not None:
            text = await lookup(gateway.lookup.whisper(agent_id, auth.account_sid))
    except Refusal as refusal:
        _count("whisper", "refused")
        return refusal.response()
    if text is None:
        _count("whisper", "unrouted")
        return Response(twiml.empty_voice(), media_type=XML)
    _count("whisper", "routed")
    return Response(twiml.whisper(text), media_type=XML)


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None
