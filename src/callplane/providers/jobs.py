"""Provider syncs as durable work on the job engine (jobs/engine.py).

Each attempt at a number's registration is a DBOS workflow on the `callplane-provider-sync`
queue, partitioned by tenant (one sync of a tenant at a time, any number of tenants at once). A
failed attempt that may succeed later enqueues the next one with a delay (doubling, capped:
`retry_delay`), so a failing provider costs no worker meanwhile, and both the running attempt and
the delayed next one survive a restart (DBOS recovers the one, the queue keeps the other). The
request that made the change only enqueues: it never waits for a provider.

Without the engine (an app handed a runtime in tests, an embedding), the attempts run in an
in-process task, as `jobs.engine.submit_release` does; the daily reconciliation is the safety net.
"""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from contextvars import ContextVar
from dataclasses import asdict
from typing import Any

from dbos import DBOS, SetEnqueueOptions, SetWorkflowID

from callplane.jobs import engine
from callplane.log import get_logger
from callplane.providers.sync import Outcome, retry_delay, sync_number
from callplane.runtime import Runtime

log = get_logger(__name__)

QUEUE_NAME = "callplane-provider-sync"


def register_queue() -> None:
    """Declare the queue in this process (every replica, before it takes work)."""
    DBOS.register_queue(QUEUE_NAME, partition_concurrency=1, polling_interval_sec=1.0)


# Syncs an attempt queues for other numbers (its tenant's trunk was set up anew: every
# registration needs the new password). A step may not enqueue workflows: the attempt's step
# returns them and its workflow enqueues them, so they are as durable as the step's result.
_deferred: ContextVar[list[list[Any]] | None] = ContextVar("provider_sync_deferred", default=None)
_tasks: set[asyncio.Task[Any]] = set()


@DBOS.step(name="callplane.provider_sync_attempt")
async def _attempt(number_id: str, generation: int, attempt: int) -> dict[str, Any]:
    token = _deferred.set([])
    try:
        outcome = await sync_number(
            engine.job_runtime(), uuid.UUID(number_id), generation=generation, attempt=attempt
        )
        follow = _deferred.get() or []
    finally:
        _deferred.reset(token)
    return {**asdict(outcome), "follow": follow}


@DBOS.workflow(name="callplane.provider_sync")
async def provider_sync(
    number_id: str, tenant_id: str, generation: int, attempt: int
) -> dict[str, Any]:
    """One attempt at a number's registration; the next one enqueued (delayed) if it may help."""
    outcome = await _attempt(number_id, generation, attempt)
    for other, other_tenant, other_generation in outcome.get("follow") or []:
        await _enqueue(other, other_tenant, other_generation, 1, 0.0)
    if outcome["retryable"]:
        delay = retry_delay(engine.job_runtime().settings, attempt)
        if delay is not None:
            await _enqueue(number_id, tenant_id, generation, attempt + 1, delay)
    return outcome


def workflow_id(number_id: str, generation: int, attempt: int) -> str:
    """One workflow per number, change and attempt: enqueuing it twice is a no-op."""
    return f"provider-sync-{number_id}-{generation}-{attempt}"


async def _enqueue(
    number_id: str, tenant_id: str, generation: int, attempt: int, delay: float
) -> None:
    queue = await DBOS.retrieve_queue_async(QUEUE_NAME)
    assert queue is not None
    with (
        SetWorkflowID(workflow_id(number_id, generation, attempt)),
        SetEnqueueOptions(queue_partition_key=tenant_id, delay_seconds=delay or None),
    ):
        await queue.enqueue_async(provider_sync, number_id, tenant_id, generation, attempt)


async def submit(
    runtime: Runtime,
    *,
    tenant_id: uuid.UUID,
    number_id: uuid.UUID,
    generation: int,
    attempt: int = 1,
    delay: float = 0.0,
) -> str:
    """Sync the number's registration in the background (durably when the engine runs)."""
    wid = workflow_id(str(number_id), generation, attempt)
    if engine.engine_running() and await DBOS.retrieve_queue_async(QUEUE_NAME) is not None:
        work = (str(number_id), str(tenant_id), generation, attempt, delay)
        if DBOS.step_id is None:
            await _enqueue(*work)
            return wid
        deferred = _deferred.get()
        if deferred is not None and attempt == 1 and not delay:
            deferred.append(list(work[:3]))  # enqueued by the attempt's workflow
            return wid
        # Another job's step (a reconciliation, a release): enqueued from outside the step,
        # as the application would (a lost enqueue leaves the registration pending, which the
        # daily reconciliation retries).
        task = asyncio.get_running_loop().create_task(
            _enqueue(*work), name=wid, context=contextvars.Context()
        )
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)
        return wid
    engine.spawn(_inline(runtime, number_id, generation, attempt, delay), name=wid)
    return wid


async def _inline(
    runtime: Runtime, number_id: uuid.UUID, generation: int, attempt: int, delay: float
) -> None:
    """The attempts in this process (no engine): retried with the same backoff."""
    try:
        if delay:
            await asyncio.sleep(delay)
        while True:
            outcome: Outcome = await sync_number(
                runtime, number_id, generation=generation, attempt=attempt
            )
            wait = retry_delay(runtime.settings, attempt) if outcome.retryable else None
            if wait is None:
                return
            await asyncio.sleep(wait)
            attempt += 1
    except Exception:  # a background task reports; the daily reconciliation retries
        log.exception("background provider sync failed", number_id=str(number_id))
