"""The daily retention slot (`callplane-retention`, CALLPLANE_RETENTION_CRON) as a job run:
recorded, executed, its summary kept (`events.retention` decides what goes)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from callplane.db.base import utcnow
from callplane.events.retention import prune_events
from callplane.jobs.models import JobRun
from callplane.jobs.runs import create_run, execute_recorded
from callplane.jobs.slots import slot_workflow
from callplane.runtime import Runtime

JOB = "retention"
SCHEDULE = "callplane-retention"


async def execute_retention_run(
    runtime: Runtime, run_id: uuid.UUID, *, executor: str, now: datetime | None = None
) -> dict[str, Any]:
    """Run a recorded retention pass and keep its summary (a finished run: its summary)."""

    async def work(_run: JobRun) -> dict[str, Any]:
        days = runtime.settings.events_retention_days
        return (await prune_events(runtime, now=now or utcnow(), days=days)).summary()

    return await execute_recorded(runtime, run_id, executor=executor, work=work)


async def retention_now(
    runtime: Runtime, *, trigger: str, now: datetime | None = None
) -> dict[str, Any]:
    """Record a retention run and execute it in this process now; its summary."""
    run_id = await create_run(runtime, job=JOB, trigger=trigger)
    return await execute_retention_run(runtime, run_id, executor=trigger, now=now)


# The slot's workflow, registered when jobs/engine.py imports this module.
retention_slot = slot_workflow(JOB, execute_retention_run)
