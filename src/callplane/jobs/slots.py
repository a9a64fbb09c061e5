"""A daily or hourly job's slot on the job engine: a DBOS workflow of two steps, recording the
slot's run (unique by job and slot) and executing it. The names are DBOS's keys for a workflow
left pending by a process that died, so they never change."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from dbos import DBOS

from callplane.jobs.runs import create_run
from callplane.runtime import Runtime

Execute = Callable[..., Awaitable[dict[str, Any]]]  # (runtime, run_id, *, executor) -> summary


def slot_workflow(job: str, execute: Execute) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Register `callplane.<job>_slot` (and its steps) with DBOS; the workflow a schedule runs."""

    @DBOS.step(name=f"callplane.execute_{job}")
    async def _execute(run_id: str) -> dict[str, Any]:
        from callplane.jobs.engine import job_runtime

        runtime: Runtime = job_runtime()
        return await execute(runtime, uuid.UUID(run_id), executor=DBOS.executor_id or "dbos")

    @DBOS.step(name=f"callplane.begin_{job}_run")
    async def _begin(slot: str) -> str:
        from callplane.jobs.engine import job_runtime

        run_id = await create_run(
            job_runtime(), job=job, trigger="schedule", slot=slot, workflow_id=DBOS.workflow_id
        )
        return str(run_id)

    @DBOS.workflow(name=f"callplane.{job}_slot")
    async def _slot(scheduled_at: datetime, context: Any) -> dict[str, Any]:
        from callplane.jobs.engine import slot_of

        return await _execute(await _begin(slot_of(scheduled_at)))

    return _slot
