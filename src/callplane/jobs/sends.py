"""The hourly sends slot (`callplane-sends`, CALLPLANE_SENDS_CRON) as a job run: outbound sends
whose outcome is not known (their answer was lost and they were not found, or their process
died before Twilio answered) are looked up at Twilio again (`messaging.outcomes`), so that a
message or call Twilio did make gets its SID and its status callbacks, even when nobody repeats
the request."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from callplane.gateway.models import Event
from callplane.jobs.releasing import JOB_ACTOR
from callplane.jobs.slots import ScheduledJob, slot_workflow
from callplane.messaging import outcomes
from callplane.runtime import Runtime
from callplane.tenancy import TenantScope

JOB = "sends"
SCHEDULE = "callplane-sends"
# Sends recorded this long ago or less are looked up (an hourly slot looks at each ~24 times).
WINDOW = timedelta(days=1)
AUDIT = {"outbound_sms": "message.send", "outbound_call": "call.start"}


async def settle_open_sends(runtime: Runtime, *, now: datetime) -> dict[str, int]:
    """Look up every send of the last `WINDOW` whose outcome is not known; the counts."""
    counts = {"looked_up": 0, "found": 0, "unknown": 0}
    async with runtime.uow() as uow:
        open_sends = (
            await uow.session.execute(
                select(Event)
                .where(
                    Event.kind.in_(tuple(AUDIT)),
                    Event.sid.is_(None),
                    Event.state.in_((outcomes.UNKNOWN, *outcomes.INTENT_STATES)),
                    Event.received_at >= now - WINDOW,
                )
                .order_by(Event.received_at)
            )
        ).scalars()
        for event in list(open_sends):
            if event.tenant_id is None or not outcomes.stale(event):
                continue  # still in flight: its request will answer
            scope = TenantScope(tenant_id=event.tenant_id, actor=JOB_ACTOR)
            client = await outcomes.client_for(
                uow=uow, scope=scope, account_sid=event.account_sid or ""
            )
            found = await outcomes.settle(
                uow=uow, scope=scope, client=client, event=event, action=AUDIT[event.kind]
            )
            counts["looked_up"] += 1
            counts["found" if found else "unknown"] += 1
    return counts


async def _settle(runtime: Runtime, now: datetime) -> dict[str, Any]:
    return dict(await settle_open_sends(runtime, now=now))


SENDS = ScheduledJob(JOB, _settle)
# A sends pass now; its summary.
sends_now = SENDS.run_now
# The slot's workflow, registered when jobs/engine.py imports this module.
sends_slot = slot_workflow(SENDS)
