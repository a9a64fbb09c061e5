"""Job runs: each run of a job is recorded before it starts and kept with its summary."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Counter
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from callplane.db.base import utcnow
from callplane.db.repository import after_cursor, cut_page, decode_cursor
from callplane.jobs.models import RECONCILING, JobRun, RunStatus
from callplane.jobs.reconcile.state import empty_summary
from callplane.runtime import Runtime

RUNS = Counter("callplane_job_runs_total", "Job runs finished", ["job", "status"])


async def create_run(
    runtime: Runtime,
    *,
    job: str = "reconcile",
    trigger: str,
    dry_run: bool = False,
    tenant_id: uuid.UUID | None = None,
    slot: str | None = None,
    workflow_id: str | None = None,
) -> uuid.UUID:
    """Record a run before it starts; a slot's run is created once (the existing id otherwise)."""
    async with runtime.uow() as uow:
        if slot is not None:
            found = await uow.session.scalar(
                select(JobRun.id).where(JobRun.job == job, JobRun.slot == slot)
            )
            if found is not None:
                return found
        run = JobRun(
            id=uuid.uuid4(),
            job=job,
            slot=slot,
            trigger=trigger,
            dry_run=dry_run,
            scope_tenant_id=tenant_id,
            status=RunStatus.running,
            attempts=0,
            workflow_id=workflow_id,
            summary=empty_summary() if job in RECONCILING else {},
            orphans=[],
            progress={},
        )
        uow.add(run)
        try:
            await uow.commit()
        except IntegrityError:  # another replica recorded the slot first
            await uow.rollback()
            found = await uow.session.scalar(
                select(JobRun.id).where(JobRun.job == job, JobRun.slot == slot)
            )
            if found is None:
                raise
            return found
    return run.id


async def start_attempt(runtime: Runtime, run_id: uuid.UUID, *, executor: str) -> JobRun:
    """The run (detached), one more attempt counted when it is still running; a finished run is
    answered as it is (LookupError for an unknown one)."""
    async with runtime.uow() as uow:
        run = await uow.session.get(JobRun, run_id)
        if run is None:
            raise LookupError(f"no job run {run_id}")
        if run.status == RunStatus.running:
            run.attempts += 1
            run.executor = executor[:120]
            await uow.commit()
        uow.session.expunge(run)
        return run


async def finish_run(
    runtime: Runtime,
    run_id: uuid.UUID,
    status: RunStatus | None,
    *,
    error: str | None = None,
    **values: Any,
) -> None:
    """Write a run's columns; with a status, the run is over (succeeded or failed)."""
    if status is not None:
        values.update(status=status, finished_at=utcnow())
        if error:
            values["error"] = error[:1000]
    async with runtime.uow() as uow:
        await uow.session.execute(update(JobRun).where(JobRun.id == run_id).values(**values))
        await uow.commit()


async def execute_recorded(
    runtime: Runtime,
    run_id: uuid.UUID,
    *,
    executor: str,
    work: Callable[[JobRun], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Run a recorded one-pass job (`work`, given the run) and keep its summary, or its error;
    a run already finished answers its summary."""
    run = await start_attempt(runtime, run_id, executor=executor)
    if run.status != RunStatus.running:
        return dict(run.summary)
    try:
        summary = await work(run)
    except Exception as exc:
        RUNS.labels(job=run.job, status=RunStatus.failed).inc()
        await finish_run(runtime, run_id, RunStatus.failed, error=f"{type(exc).__name__}: {exc}")
        raise
    await finish_run(runtime, run_id, RunStatus.succeeded, summary=summary)
    RUNS.labels(job=run.job, status=RunStatus.succeeded).inc()
    return summary


async def get_run(runtime: Runtime, run_id: uuid.UUID) -> JobRun | None:
    """A run by id."""
    async with runtime.uow() as uow:
        run = await uow.session.get(JobRun, run_id)
        if run is not None:
            uow.session.expunge(run)
        return run


async def last_runs(
    runtime: Runtime, *, job: str | None, cursor: str | None, limit: int
) -> tuple[list[JobRun], str | None]:
    """Runs, newest first."""
    async with runtime.uow() as uow:
        stmt = select(JobRun)
        if job:
            stmt = stmt.where(JobRun.job == job)
        if cursor:
            at, rid = decode_cursor(cursor)
            stmt = stmt.where(
                after_cursor(JobRun.started_at, JobRun.id, at, rid, newest_first=True)
            )
        stmt = stmt.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit + 1)
        rows = list((await uow.session.execute(stmt)).scalars())
        uow.session.expunge_all()
    return cut_page(rows, limit, lambda run: (run.started_at, run.id))
