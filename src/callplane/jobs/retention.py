"""The daily retention slot (`callplane-retention`, CALLPLANE_RETENTION_CRON) as a job run:
recorded, executed, its summary kept (`events.retention` decides what goes)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from dbos import DBOS

from callplane.db.base import utcnow
from callplane.events.retention import prune_events
from callplane.jobs.models import JobRun
from callplane.jobs.runs import create_run, execute_recorded
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


# -- on the job engine (registered when jobs/engine.py imports this module) -----------------


@DBOS.step(name="callplane.execute_retention")
async def _execute(run_id: str) -> dict[str, Any]:
    from callplane.jobs.engine import job_runtime

    return await execute_retention_run(
        job_runtime(), uuid.UUID(run_id), executor=DBOS.executor_id or "dbos"
    )


@DBOS.step(name="callplane.begin_retention_run")
async def _begin(slot: str) -> str:
    from callplane.jobs.engine import job_runtime

    run_id = await create_run(
        job_runtime(), job=JOB, trigger="schedule", slot=slot, workflow_id=DBOS.workflow_id
    )
    return str(run_id)


@DBOS.workflow(name="callplane.retention_slot")
async def retention_slot(scheduled_at: datetime, context: Any) -> dict[str, Any]:
    """The daily retention pass of one slot."""
    from callplane.jobs.engine import slot_of

    return await _execute(await _begin(slot_of(scheduled_at)))
