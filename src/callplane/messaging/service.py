"""Outbound SMS and calls, with the tenant's credentials, from numbers it owns.

Who may send is `messaging.senders` (the tenant's active numbers, its default sender, the
platform's SMS pool). The request goes through the connection of the account the number lives
in. Twilio's refusals keep their code in
`twilio_code` and get a stable code (21211 `invalid_to_number`, 21212 `invalid_from_number`, 21606
`from_number_not_sms_capable`, 21610 `recipient_unsubscribed`, 21614 `to_number_not_mobile`).
Every send is recorded as an event (`outbound_sms`, `outbound_call`) whose status callbacks the
gateway moves forward. An `Idempotency-Key` makes a repeated request answer the first send.
A send Twilio refused is forgotten (its key is free again); one whose answer was lost is looked
up at Twilio, and is never sent twice under one key (`messaging.outcomes`).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from callplane.agents.models import Agent
from callplane.connections import access
from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, NotFound, Unprocessable
from callplane.gateway import decision as routing
from callplane.gateway import events
from callplane.gateway.models import Event
from callplane.log import get_logger
from callplane.messaging import outcomes, senders
from callplane.tenancy import TenantScope
from callplane.tenants.models import Subscription, SubscriptionStatus, Tenant, TenantStatus
from callplane.twilio.errors import TWILIO_ERRORS, call_twilio, refused_before_acting

log = get_logger(__name__)

CALL_STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
SEND_AUDIT = "message.send"
CALL_AUDIT = "call.start"


class AgentNotCallable(Unprocessable):
    """The agent has no complete voice routing to connect the call to."""

    code = "agent_incomplete"


def _outbound_event(
    kind: str,
    number: Any,
    to_e164: str,
    token: str | None,
    *,
    agent_id: uuid.UUID | None,
    state: str,
    detail: dict[str, Any],
) -> Event:
    """The event row that records an outbound send before Twilio is called."""
    return Event(
        id=uuid.uuid4(),
        kind=kind,
        account_sid=number.account_sid,
        from_number=number.e164,
        to_number=to_e164,
        number_id=number.id,
        agent_id=agent_id,
        decision="routed",
        state=state,
        idempotency_token=token,
        detail=detail,
        received_at=utcnow(),
    )


async def _require_sending_tenant(uow: UnitOfWork, scope: TenantScope) -> None:
    tenant = await uow.session.get(Tenant, scope.tenant_id)
    if tenant is None:
        raise NotFound("tenant")
    if tenant.status != TenantStatus.active:
        raise Conflict(f"the tenant is {tenant.status}: it cannot send", code="tenant_not_active")
    sub = await uow.repo(Subscription, scope).find()
    if sub is not None and sub.status == SubscriptionStatus.canceled:
        raise Conflict(
            "the tenant's subscription is canceled: it cannot send", code="subscription_canceled"
        )


async def _replayed(uow: UnitOfWork, scope: TenantScope, token: str | None) -> Event | None:
    if token is None:
        return None
    return await uow.repo(Event, scope).find(Event.idempotency_token == token)


def _token(scope: TenantScope, kind: str, key: str | None) -> str | None:
    if not key:
        return None
    return f"{events.OUTBOUND_TOKEN_PREFIX}{kind}:{scope.tenant_id}:{key}"[:255]


async def _create(op: Any, *, action: str) -> Any:
    """A create that must not be repeated blindly: only a rate limit (nothing done) is retried."""
    for attempt in range(3):
        try:
            return await call_twilio(op, retry=False, action=action)
        except ApiError as exc:
            if exc.details.get("twilio_code") == 20429 and attempt < 2:
                await asyncio.sleep(0.5 * 2**attempt)
                continue
            cause = exc.__cause__
            code = exc.details.get("twilio_code")
            if (
                isinstance(cause, TwilioRestException)
                and 400 <= cause.status < 500
                and code not in TWILIO_ERRORS
                and code not in (20003, 20429)
            ):
                # Twilio refused this request for a reason of its own: the caller can act on it.
                raise Unprocessable(
                    f"Twilio refused the request ({code}): {cause.msg}",
                    code="twilio_rejected",
                    twilio_code=code,
                ) from cause
            raise
    raise AssertionError("unreachable")  # pragma: no cover


async def _intent(uow: UnitOfWork, scope: TenantScope, event: Event) -> tuple[Event, bool]:
    """Record the send before it happens (the idempotency key's claim); (event, new)."""
    uow.repo(Event, scope).add(event)
    try:
        await uow.commit()
    except IntegrityError:
        await uow.rollback()
        found = await _replayed(uow, scope, event.idempotency_token)
        if found is None:
            raise
        return found, False
    return event, True


async def _forget(uow: UnitOfWork, event_id: uuid.UUID) -> None:
    await uow.rollback()
    await uow.session.execute(delete(Event).where(Event.id == event_id))
    await uow.commit()


async def _failed(
    uow: UnitOfWork,
    scope: TenantScope,
    *,
    client: Client,
    event: Event,
    error: ApiError,
    action: str,
) -> Event:
    """After a create failed: a send Twilio refused is forgotten and `error` raised; one it may
    have made is looked up, and returned when found (else 502 `send_outcome_unknown`)."""
    if refused_before_acting(error):
        await _forget(uow, event.id)
        raise error
    if await outcomes.settle(uow=uow, scope=scope, client=client, event=event, action=action):
        return event
    raise outcomes.unknown(event) from error


async def _repeated(
    uow: UnitOfWork, scope: TenantScope, prior: Event, *, action: str
) -> tuple[Event, bool]:
    """A repeated Idempotency-Key's answer: its send, looked up again while its outcome is not
    known (502 `send_outcome_unknown` while it still is not)."""
    if not outcomes.stale(prior):
        return prior, False
    client = await outcomes.client_for(uow=uow, scope=scope, account_sid=prior.account_sid or "")
    if await outcomes.settle(uow=uow, scope=scope, client=client, event=prior, action=action):
        return prior, False
    raise outcomes.unknown(prior)


async def send_message(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    from_: str | None,
    to: str,
    body: str,
    idempotency_key: str | None = None,
) -> tuple[Event, bool]:
    """Send an SMS from one of the tenant's active numbers (without `from_`: its default
    sender, else the platform's pool); returns (event, created)."""
    token = _token(scope, "sms", idempotency_key)
    prior = await _replayed(uow, scope, token)
    if prior is not None:
        return await _repeated(uow, scope, prior, action=SEND_AUDIT)
    to_e164 = senders.normalized(to, "to")
    number, client, status_url = await senders.choose(uow=uow, scope=scope, from_=from_, to=to_e164)
    await _require_sending_tenant(uow, scope)
    event, new = await _intent(
        uow,
        scope,
        _outbound_event(
            "outbound_sms",
            number,
            to_e164,
            token,
            agent_id=number.agent_id,
            state="sending",
            detail={"body": body, "direction": "outbound-api", **number.detail},
        ),
    )
    if not new:
        return event, False

    async def create() -> Any:
        return await client.api.v2010.accounts(number.account_sid).messages.create_async(
            from_=number.e164, to=to_e164, body=body, status_callback=status_url
        )

    try:
        message = await _create(create, action="send message")
    except ApiError as exc:
        return await _failed(
            uow, scope, client=client, event=event, error=exc, action=SEND_AUDIT
        ), True
    event.sid = message.sid
    event.state = message.status or "queued"
    event.detail = {
        **(event.detail or {}),
        "num_segments": message.num_segments,
        "price": message.price,
    }
    record_audit(
        uow=uow,
        actor=scope.actor,
        action=SEND_AUDIT,
        tenant_id=scope.tenant_id,
        target=message.sid,
        detail={"from": number.e164, "to": to_e164},
    )
    await uow.commit()
    log.info("message sent", tenant_id=str(scope.tenant_id), sid=message.sid, from_=number.e164)
    return event, True


async def start_call(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    from_: str,
    to: str,
    agent_id: uuid.UUID,
    idempotency_key: str | None = None,
) -> tuple[Event, bool]:
    """Call `to` from one of the tenant's active numbers; the answered call goes to the agent.

    The agent's voice routing (stream, SIP, forward, voicemail) is turned into TwiML by the
    gateway's own decision, so an outbound call reaches the agent exactly as an inbound one would.
    """
    token = _token(scope, "call", idempotency_key)
    prior = await _replayed(uow, scope, token)
    if prior is not None:
        return await _repeated(uow, scope, prior, action=CALL_AUDIT)
    number = await senders.own_number(uow, scope, from_)
    to_e164 = senders.normalized(to, "to")
    agent = await uow.repo(Agent, scope).get(agent_id)
    await _require_sending_tenant(uow, scope)
    tw = await senders.twilio_for(uow, scope, number)
    route = routing.NumberRoute(
        number_id=number.id,
        tenant_id=scope.tenant_id,
        account_sid=number.account_sid,
        e164=number.e164,
        status=number.status,
        managed=number.managed,
        tenant_status=TenantStatus.active,
        subscription_status=None,
        agent=routing.AgentRoute.from_agent(agent),
        trunk=None,
    )
    decision = routing.decide_voice(
        route, settings=access.settings(uow), caller=to_e164, to_e164=number.e164
    )
    if decision.outcome != "routed":
        raise AgentNotCallable(
            f"the call cannot be connected to agent {agent.name!r}: {decision.explanation}",
            reason=decision.reason,
        )
    event, new = await _intent(
        uow,
        scope,
        _outbound_event(
            "outbound_call",
            number,
            to_e164,
            token,
            agent_id=agent.id,
            state="initiating",
            detail={"direction": "outbound-api", "mode": decision.mode, "reason": decision.reason},
        ),
    )
    if not new:
        return event, False
    client, status_url = tw.client, tw.urls.status

    async def create() -> Any:
        return await client.api.v2010.accounts(number.account_sid).calls.create_async(
            from_=number.e164,
            to=to_e164,
            twiml=decision.twiml,
            status_callback=status_url,
            status_callback_event=CALL_STATUS_EVENTS,
            status_callback_method="POST",
        )

    try:
        call = await _create(create, action="start call")
    except ApiError as exc:
        return await _failed(
            uow, scope, client=client, event=event, error=exc, action=CALL_AUDIT
        ), True
    event.sid = call.sid
    event.state = call.status or "queued"
    record_audit(
        uow=uow,
        actor=scope.actor,
        action=CALL_AUDIT,
        tenant_id=scope.tenant_id,
        target=call.sid,
        detail={"from": number.e164, "to": to_e164, "agent_id": str(agent.id)},
    )
    await uow.commit()
    log.info("call started", tenant_id=str(scope.tenant_id), sid=call.sid, from_=number.e164)
    return event, True
