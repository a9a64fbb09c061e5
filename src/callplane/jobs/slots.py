"""A job run on a schedule and on demand (retention, open sends): each run recorded, executed
and kept with its summary (`runs.execute_recorded`); on the job engine, a slot's DBOS workflow
of two steps, recording the slot's run (unique by job and slot) and executing it. The DBOS
names are the keys of a workflow left pending by a process that died, so they never change."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dbos import DBOS

from callplane.db.base import utcnow
from callplane.jobs.models import JobRun
from callplane.jobs.runs import create_run, execute_recorded
from callplane.runtime import Runtime

Work = Callable[[Runtime, datetime], Awaitable[dict[str, Any]]]  # (runtime, now) -> summary


@dataclass(frozen=True)
class ScheduledJob:
    """A job's name (its runs' `job`) and its work."""

    name: str
    work: Work

    async def execute(
        self, runtime: Runtime, run_id: uuid.UUID, *, executor: str, now: datetime | None = None
    ) -> dict[str, Any]:
        """Run a recorded run and keep its summary (a finished run: its summary)."""

        async def work(_run: JobRun) -> dict[str, Any]:
            return await self.work(runtime, now or utcnow())

        return await execute_recorded(runtime, run_id, executor=executor, work=work)

    async def run_now(
        self, runtime: Runtime, *, trigger: str, now: datetime | None = None
    ) -> dict[str, Any]:
        """Record a run and execute it in this process now; its summary."""
        run_id = await create_run(runtime, job=self.name, trigger=trigger)
        return await self.execute(runtime, run_id, executor=trigger, now=now)


def slot_workflow(job: ScheduledJob) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Register `callplane.<job>_slot` (and its steps) with DBOS; the workflow a schedule runs."""

    @DBOS.step(name=f"callplane.execute_{job.name}")
    async def _execute(run_id: str) -> dict[str, Any]:
        from callplane.jobs.engine import job_runtime

        executor = DBOS.executor_id or "dbos"
        return await job.execute(job_runtime(), uuid.UUID(run_id), executor=executor)

    @DBOS.step(name=f"callplane.begin_{job.name}_run")
    async def _begin(slot: str) -> str:
        from callplane.jobs.engine import job_runtime

        run_id = await create_run(
            job_runtime(), job=job.name, trigger="schedule", slot=slot, workflow_id=DBOS.workflow_id
        )
        return str(run_id)

    @DBOS.workflow(name=f"callplane.{job.name}_slot")
    async def _slot(scheduled_at: datetime, context: Any) -> dict[str, Any]:
        from callplane.jobs.engine import slot_of

        return await _execute(await _begin(slot_of(scheduled_at)))

    return _slot
