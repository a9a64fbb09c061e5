"""`POST /webhooks/twilio/voice-fallback`: what a caller gets when the voice webhook failed.

Every managed number has it as its VoiceFallbackUrl. Twilio requests it when the primary
webhook fails, times out or answers an error (with `ErrorCode`, e.g. 11200, 11205, 11217, and
`ErrorUrl`); it is signed and verified like the other webhooks (`intake.authenticate`) and
answers the number's agent's voice fallback (`gateway.answers`; no agent, or no number: the
apology). The call's event is recorded with `fallback_used` and the error code, once per
Twilio idempotency token. When the routing database cannot be read (the likely reason the
primary failed), the apology is answered all the same: a caller always gets an answer.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Counter
from starlette.requests import Request
from starlette.responses import Response

from callplane.gateway import answers, events
from callplane.gateway.intake import Refusal, authenticate
from callplane.gateway.lifespan import gateway_of
from callplane.gateway.recorder import Draft
from callplane.gateway.webhooks import IDEMPOTENCY_HEADER, XML, _latency, _record
from callplane.log import get_logger

log = get_logger(__name__)
KIND = "voice_fallback"

FALLBACKS = Counter(
    "callplane_voice_fallbacks_total",
    "Calls answered by the voice fallback URL (their primary webhook failed)",
    ["outcome"],
)


async def voice_fallback(request: Request) -> Response:
    """POST /webhooks/twilio/voice-fallback: the agent's fallback for a call whose voice
    webhook failed."""
    started = time.perf_counter()
    gateway = gateway_of(request.app)
    try:
        fields, auth, _to, route = await authenticate(gateway, request, KIND)
    except Refusal as refusal:
        if refusal.status != 503:
            FALLBACKS.labels(outcome="refused").inc()
            return refusal.response()
        # Nothing can be read: no agent, no event, but the caller still hears something.
        log.error("voice fallback without the database: apology answered")
        FALLBACKS.labels(outcome="apology_unrecorded").inc()
        twiml, _ = answers.action_answer(None, gateway.settings)
        return Response(twiml, media_type=XML)
    agent = route.agent if route is not None else None
    rejected = route is not None and (
        route.tenant_status != "active" or route.subscription_status == "canceled"
    )
    action = None if rejected else answers.fallback_of(agent)
    twiml, gets = answers.action_answer(
        {"action": "reject"} if rejected else action, gateway.settings
    )
    error_code = fields.get("ErrorCode")
    detail: dict[str, Any] = {
        "reason": "voice_fallback",
        "mode": "fallback",
        "fallback": (action or answers.DEFAULT_FALLBACK)["action"] if not rejected else "reject",
        "explanation": f"the voice webhook failed ({error_code or 'no error code'}): the caller "
        f"is {gets}",
        "error_url": fields.get("ErrorUrl"),
        "direction": fields.get("Direction"),
    }
    decision = "rejected" if rejected else ("routed" if route is not None else "unrouted")
    event = events.event_row(
        kind="voice",
        fields=fields,
        account_sid=auth.account_sid,
        sid=fields.get("CallSid"),
        decision=decision,
        state=fields.get("CallStatus"),
        idempotency_token=events.idempotency_key(request.headers.get(IDEMPOTENCY_HEADER)),
        tenant_id=route.tenant_id if route is not None else None,
        number_id=route.number_id if route is not None else None,
        agent_id=agent.id if agent is not None else None,
        detail=detail,
        fallback_used=True,
        error_code=error_code,
    )
    draft = Draft(event)
    if route is not None and agent is not None and agent.events_url and not rejected:
        draft.outbox = events.outbox_rows(
            event,
            [(agent.events_url, "events")],
            agent_id=agent.id,
            tenant_id=route.tenant_id,
            event_type="call.received",
            fields=fields,
            number=route.e164,
            reason="voice_fallback",
        )
    if route is not None:
        types = ["call.fallback_used", *events.call_types(decision)]
        draft.tenant_events = events.tenant_event_rows(
            event, types, tenant_id=route.tenant_id, fields=fields, number=route.e164
        )
    recorded = await _record(gateway, draft, KIND)
    outcome = "duplicate" if recorded is not None and not recorded.new else decision
    FALLBACKS.labels(outcome=outcome).inc()
    _latency(KIND).observe(time.perf_counter() - started)
    return Response(twiml, media_type=XML)
