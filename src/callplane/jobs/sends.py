"""The hourly sends slot (`callplane-sends`, CALLPLANE_SENDS_CRON) as a job run: outbound sends
whose outcome is not known (their answer was lost and they were not found, or their process
died before Twilio answered) are looked up at Twilio again (`messaging.outcomes`), so that a
message or call Twilio did make gets its SID and its status callbacks, even when nobody repeats
the request."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from callplane.db.base import utcnow
from callplane.gateway.models import Event
from callplane.jobs.models import JobRun
from callplane.jobs.releasing import JOB_ACTOR
from callplane.jobs.runs import create_run, execute_recorded
from callplane.jobs.slots import slot_workflow
from callplane.messaging import outcomes
from callplane.runtime import Runtime
from callplane.tenancy import TenantScope

JOB = "sends"
SCHEDULE = "callplane-sends"
# Sends recorded this long ago or less are looked up (an hourly slot looks at each ~24 times).
WINDOW = timedelta(days=1)
AUDIT = {"outbound_sms": "message.send", "outbound_call": "call.start"}


async def settle_open_sends(runtime: Runtime, *, now: datetime | None = None) -> dict[str, int]:
    """Look up every send of the last `WINDOW` whose outcome is not known; the counts."""
    now = now or utcnow()
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


async def execute_sends_run(
    runtime: Runtime, run_id: uuid.UUID, *, executor: str, now: datetime | None = None
) -> dict[str, Any]:
    """Run a recorded sends pass and keep its summary (a finished run: its summary)."""

    async def work(_run: JobRun) -> dict[str, Any]:
        return dict(await settle_open_sends(runtime, now=now))

    return await execute_recorded(runtime, run_id, executor=executor, work=work)


async def sends_now(
    runtime: Runtime, *, trigger: str, now: datetime | None = None
) -> dict[str, Any]:
    """Record a sends pass and execute it in this process now; its summary."""
    run_id = await create_run(runtime, job=JOB, trigger=trigger)
    return await execute_sends_run(runtime, run_id, executor=trigger, now=now)


# The slot's workflow, registered when jobs/engine.py imports this module.
sends_slot = slot_workflow(JOB, execute_sends_run)
