"""Sends whose answer was lost: what Twilio made of them, or a clear "not known".

A create that fails in a way that may come after Twilio acted (a 5xx, a timeout, a dropped
connection: `twilio.errors.refused_before_acting` says which) is not forgotten, and its
Idempotency-Key is not freed: a retry could send the message or start the call twice (Twilio
has no idempotency key for creates). Twilio's list of the account's messages (or calls) from
the sender to the recipient is read instead: one made since the send was recorded (its body
too, for a message) and recorded by no other event is the send's, and is adopted. None, or
more than one, leaves the send `unknown`: 502 `send_outcome_unknown`, also to every repeat of
the key (each looks again). To send once more, the caller uses a new key.

A send still in flight when its process died (recorded, never answered) is looked up the same
way when its key is repeated after `IN_FLIGHT`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from twilio.rest import Client

from callplane.connections import access
from callplane.connections.clients import tenant_client
from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, ProviderError
from callplane.gateway.models import Event
from callplane.log import get_logger
from callplane.tenancy import TenantScope
from callplane.twilio.errors import call_twilio

log = get_logger(__name__)

UNKNOWN = "unknown"
# The states a send is recorded in before Twilio answers (messaging.service).
INTENT_STATES = ("sending", "initiating")
# Longer than any create can take (the Twilio client's timeout is 15 s, rate limits retried
# twice): a send recorded this long ago and never answered lost its process.
IN_FLIGHT = timedelta(minutes=2)
# Twilio's clock against ours, and the newest of the pair's sends read.
CLOCK_SKEW = timedelta(minutes=5)
LOOKUP_LIMIT = 50


class SendOutcomeUnknown(ProviderError):
    """Twilio failed after it may have sent, and what it did could not be found."""

    code = "send_outcome_unknown"


def unknown(event: Event) -> SendOutcomeUnknown:
    """The error a send of unknown outcome answers, its first request and every repeat."""
    what = "message" if event.kind == "outbound_sms" else "call"
    return SendOutcomeUnknown(
        f"Twilio failed after it may have accepted this {what}, and it is not among the "
        f"account's {what}s from {event.from_number} to {event.to_number}: it may or may not "
        "have gone out. It is not sent again under this Idempotency-Key; to send again, use a "
        "new one.",
        event_id=str(event.id),
        hint=f"GET the tenant's events (kind={event.kind}) for this event's status",
    )


def stale(event: Event) -> bool:
    """Whether a repeated key's send must be looked up: unknown, or never answered in time."""
    if event.sid is not None:
        return False
    if event.state == UNKNOWN:
        return True
    return event.state in INTENT_STATES and utcnow() - event.received_at > IN_FLIGHT


async def client_for(*, uow: UnitOfWork, scope: TenantScope, account_sid: str) -> Client | None:
    """A client of the account a send went through (the tenant's, or the platform's for its SMS
    pool), or None when the tenant no longer reaches that account."""
    platform = access.platform_credentials(uow)
    if platform is not None and platform.account_sid == account_sid:
        return access.platform_client(uow)
    try:
        tw = await tenant_client(uow=uow, scope=scope, ensure=False)
    except ApiError:
        return None
    return tw.client if tw.account_sid == account_sid else None


async def find_made(*, uow: UnitOfWork, scope: TenantScope, client: Client, event: Event) -> Any:
    """The message or call Twilio made for `event`, or None (none, or more than one)."""
    account = client.api.v2010.accounts(event.account_sid)
    resource = account.messages if event.kind == "outbound_sms" else account.calls

    async def listing() -> list[Any]:
        found: list[Any] = await resource.list_async(
            from_=event.from_number,
            to=event.to_number,
            limit=LOOKUP_LIMIT,
            page_size=LOOKUP_LIMIT,
        )
        return found

    try:
        made = await call_twilio(listing, retry=True, action="look up a send")
    except ApiError:
        return None
    # Both times are aware: ours by `UTCDateTime`, Twilio's as the SDK parses them.
    since = event.received_at - CLOCK_SKEW
    body = (event.detail or {}).get("body")
    candidates = [
        r
        for r in made
        if r.date_created is not None
        and r.date_created >= since
        and (event.kind != "outbound_sms" or r.body == body)
    ]
    if not candidates:
        return None
    recorded = await uow.repo(Event, scope).all(
        Event.account_sid == event.account_sid,
        Event.sid.in_([r.sid for r in candidates]),
        Event.id != event.id,
    )
    taken = {e.sid for e in recorded}
    left = [r for r in candidates if r.sid not in taken]
    return left[0] if len(left) == 1 else None


async def settle(
    *, uow: UnitOfWork, scope: TenantScope, client: Client | None, event: Event, action: str
) -> bool:
    """Look `event` up at Twilio and record what was found (adopted: True) or that nothing
    was (`unknown`: False), in one commit; `action` names the audit of an adoption."""
    made = None
    if client is not None:
        made = await find_made(uow=uow, scope=scope, client=client, event=event)
    detail = dict(event.detail or {})
    if made is None:
        event.state = UNKNOWN
        event.detail = {**detail, "outcome": UNKNOWN}
        await uow.commit()
        log.warning("send outcome unknown", tenant_id=str(scope.tenant_id), event_id=str(event.id))
        return False
    event.sid = made.sid
    event.state = made.status or "queued"
    detail["outcome"] = "found after a failed answer"
    if event.kind == "outbound_sms":  # as a send answered in time records them
        detail.update(num_segments=made.num_segments, price=made.price)
    event.detail = detail
    record_audit(
        uow=uow,
        actor=scope.actor,
        action=action,
        tenant_id=scope.tenant_id,
        target=made.sid,
        detail={"from": event.from_number, "to": event.to_number, "found": True},
    )
    await uow.commit()
    log.warning("send found after a failed answer", tenant_id=str(scope.tenant_id), sid=made.sid)
    return True
