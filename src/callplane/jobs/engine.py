"""The job engine: DBOS schedules and durable workflows (DESIGN section 8).

Every replica that runs the engine (`callplane serve`, `callplane worker`) launches DBOS on the
same system database (PostgreSQL: the `dbos` schema of the service's database; SQLite: a file
next to the service's database) and applies the same schedules:

- `callplane-reconcile` (CALLPLANE_RECONCILE_CRON): drift reconciliation;
- `callplane-health` (CALLPLANE_HEALTH_CRON): credential health of every connection;
- `callplane-retention` (CALLPLANE_RETENTION_CRON): old events deleted (`jobs/retention.py`);
- `callplane-sends` (CALLPLANE_SENDS_CRON): outbound sends of unknown outcome looked up at
  Twilio again (`jobs/sends.py`);
- `callplane-recovery` (CALLPLANE_JOBS_RECOVERY_CRON, PostgreSQL only): live replicas resume the
  workflows of replicas that died.

Exactly once per slot: DBOS names a slot's workflow `sched-<schedule>-<slot time>`, so however
many replicas fire the slot, one workflow exists and one replica dequeues it; its JobRun row is
unique by (job, slot) as well. A replica that dies mid-run leaves its workflow PENDING with its
executor id. Each replica holds a PostgreSQL advisory lock named after its executor id for as
long as it lives; the recovery schedule finds PENDING workflows whose executor's lock is free
(the process is gone) and hands them to the queue again, where a live replica picks them up and
resumes them from their last completed step (a reconciliation resumes from its recorded
progress). On SQLite (the embedded, single-process default) the executor id is stable ("local"),
so the restarted process recovers its own workflows at launch.

Background work that must not be lost (releasing a canceled tenant's numbers) is enqueued on the
`callplane-jobs` queue. A process that does not run the engine (tests, embedding) runs that work
in an in-process task instead; the daily job is the safety net either way.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import socket
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dbos import DBOS, DBOSConfig, SetWorkflowID

from callplane.db.uow import UnitOfWork
from callplane.jobs import health as health_job
from callplane.jobs import retention as retention_job
from callplane.jobs import sends as sends_job
from callplane.jobs.reconcile.run import execute_run
from callplane.jobs.releasing import release_reason_for, release_tenant_numbers
from callplane.jobs.runs import create_run
from callplane.log import get_logger
from callplane.runtime import Runtime
from callplane.settings import Settings

log = get_logger(__name__)

APP_NAME = "callplane"
QUEUE_NAME = "callplane-jobs"
RECONCILE_SCHEDULE = "callplane-reconcile"
HEALTH_SCHEDULE = "callplane-health"
RECOVERY_SCHEDULE = "callplane-recovery"
# DBOS recovers a workflow only on the application version that started it (by default a hash
# of the workflows' code, so any deploy would strand the runs of replicas it stopped). The steps
# here are coarse and a reconciliation resumes from its own recorded progress, so one version
# is safe across deploys: bump it only when a workflow's sequence of steps changes.
JOBS_VERSION = "callplane-jobs-1"
# Advisory-lock namespace (the two-key form, apart from callplane's named locks).
LIVENESS_LOCK_CLASS = 0x6370


class _Engine:
    """The process's engine state (DBOS itself is a per-process singleton)."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.executor_id: str | None = None
        self.liveness: Any = None  # psycopg connection holding this replica's liveness lock
        self.running = False
        self.lock = threading.Lock()
        self.runtimes: dict[int, tuple[asyncio.AbstractEventLoop, Runtime]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()


_engine = _Engine()


def engine_running() -> bool:
    """Whether this process runs the job engine."""
    return _engine.running


def executor_id() -> str | None:
    """This replica's DBOS executor id (None without the engine)."""
    return _engine.executor_id


def _job_runtime() -> Runtime:
    """A runtime for the current event loop (DBOS runs workflows on its own loop)."""
    settings = _engine.settings
    if settings is None:
        raise RuntimeError("the job engine is not started")
    loop = asyncio.get_running_loop()
    found = _engine.runtimes.get(id(loop))
    if found is None or found[0] is not loop:
        found = (loop, Runtime.create(settings))
        _engine.runtimes[id(loop)] = found
    return found[1]


def job_runtime() -> Runtime:
    """The runtime background work of this process runs on (on the engine's event loop)."""
    return _job_runtime()


def slot_of(scheduled_at: datetime) -> str:
    """A scheduled slot's name in its runs (ISO 8601, UTC)."""
    return scheduled_at.astimezone(UTC).isoformat()


# -- workflows and steps (registered at import, before DBOS launches) -----------------------


@DBOS.step(name="callplane.begin_slot_run")
async def _begin_slot_run(job: str, slot: str) -> str:
    run_id = await create_run(
        _job_runtime(), job=job, trigger="schedule", slot=slot, workflow_id=DBOS.workflow_id
    )
    return str(run_id)


@DBOS.step(name="callplane.execute_reconcile")
async def _execute_reconcile(run_id: str) -> dict[str, Any]:
    return await execute_run(_job_runtime(), uuid.UUID(run_id), executor=DBOS.executor_id or "dbos")


@DBOS.step(name="callplane.execute_health")
async def _execute_health(run_id: str) -> dict[str, Any]:
    return await health_job.execute_health_run(
        _job_runtime(), uuid.UUID(run_id), executor=DBOS.executor_id or "dbos"
    )


@DBOS.workflow(name="callplane.reconcile_slot")
async def reconcile_slot(scheduled_at: datetime, context: Any) -> dict[str, Any]:
    """The daily reconciliation of one slot."""
    run_id = await _begin_slot_run("reconcile", slot_of(scheduled_at))
    return await _execute_reconcile(run_id)


@DBOS.workflow(name="callplane.reconcile_requested")
async def reconcile_requested(run_id: str) -> dict[str, Any]:
    """A reconciliation asked for through the API (recorded beforehand)."""
    return await _execute_reconcile(run_id)


@DBOS.workflow(name="callplane.health_slot")
async def health_slot(scheduled_at: datetime, context: Any) -> dict[str, Any]:
    """The hourly credential health check of one slot."""
    run_id = await _begin_slot_run("health", slot_of(scheduled_at))
    return await _execute_health(run_id)


@DBOS.step(name="callplane.release_tenant_numbers")
async def _release_step(tenant_id: str, reason: str) -> dict[str, Any]:
    runtime = _job_runtime()
    tid = uuid.UUID(tenant_id)
    due = await release_reason_for(runtime, tid)
    if due is None:  # re-subscribed meanwhile: nothing to release any more
        return {"released": 0, "failed": 0, "skipped": 0, "errors": [], "not_due": True}
    return asdict(await release_tenant_numbers(runtime, tid, due))


@DBOS.workflow(name="callplane.release_numbers")
async def release_numbers(tenant_id: str, reason: str) -> dict[str, Any]:
    """Release every number of a tenant whose subscription ended (or who was offboarded)."""
    return await _release_step(tenant_id, reason)


@DBOS.step(name="callplane.recover_dead_executors")
def _recover_step() -> list[str]:
    return recover_dead_executors()


@DBOS.workflow(name="callplane.recovery_slot")
def recovery_slot(scheduled_at: datetime, context: Any) -> list[str]:
    """Hand the workflows of dead replicas to live ones."""
    return _recover_step()


# -- liveness and recovery ------------------------------------------------------------------


def _lock_key(executor: str) -> int:
    return int.from_bytes(hashlib.sha256(executor.encode()).digest()[:4], "big", signed=True)


def _pg_dsn(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def _is_postgres(settings: Settings) -> bool:
    return settings.database_url.startswith("postgresql")


def recover_dead_executors() -> list[str]:
    """Recover PENDING workflows of replicas whose liveness lock is free; the executors recovered."""
    settings = _engine.settings
    if settings is None or not _is_postgres(settings):
        return []
    import psycopg

    pending = DBOS.list_workflows(
        status="PENDING", load_input=False, load_output=False, application_name=APP_NAME
    )
    mine = _engine.executor_id
    others = sorted({w.executor_id for w in pending if w.executor_id and w.executor_id != mine})
    if not others:
        return []
    dead: list[str] = []
    with psycopg.connect(_pg_dsn(settings.database_url), autocommit=True) as conn:
        for executor in others:
            key = _lock_key(executor)
            row = conn.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (LIVENESS_LOCK_CLASS, key)
            ).fetchone()
            if row and row[0]:
                conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LIVENESS_LOCK_CLASS, key))
                dead.append(executor)
    if dead:
        handles = DBOS._recover_pending_workflows(dead)
        log.warning(
            "recovered workflows of dead replicas",
            executors=dead,
            workflows=[h.get_workflow_id() for h in handles],
        )
    return dead


def _take_liveness_lock(settings: Settings, executor: str) -> Any:
    import psycopg

    conn = psycopg.connect(_pg_dsn(settings.database_url), autocommit=True)
    conn.execute("SELECT pg_advisory_lock(%s, %s)", (LIVENESS_LOCK_CLASS, _lock_key(executor)))
    return conn


# -- configuration --------------------------------------------------------------------------


def system_database_url(settings: Settings) -> str:
    """Where DBOS keeps workflows and schedules."""
    url = settings.database_url
    if url.startswith("postgresql"):
        return url
    if url.startswith("sqlite"):
        _, _, path = url.partition(":///")
        path = path.split("?", 1)[0]
        if not path or path == ":memory:":
            path = str(Path(tempfile.gettempdir()) / f"callplane-{os.getpid()}.db")
        p = Path(path)
        return f"sqlite:///{p.with_name(p.stem + '.dbos' + (p.suffix or '.db'))}"
    raise ValueError(f"unsupported database for the job engine: {url.split(':', 1)[0]}")


def new_executor_id(settings: Settings) -> str:
    """A replica's identity: stable on SQLite (one process), unique per process on PostgreSQL."""
    env = os.environ.get("DBOS__VMID")
    if env:
        return env
    if not _is_postgres(settings):
        return "local"
    return f"{socket.gethostname()[:60]}-{os.getpid()}-{secrets.token_hex(3)}"


def schedules(settings: Settings) -> list[dict[str, Any]]:
    """The schedules every replica applies (idempotent upserts)."""
    out: list[dict[str, Any]] = [
        {
            "schedule_name": RECONCILE_SCHEDULE,
            "workflow_fn": reconcile_slot,
            "schedule": settings.reconcile_cron,
            "context": None,
        },
        {
            "schedule_name": HEALTH_SCHEDULE,
            "workflow_fn": health_slot,
            "schedule": settings.health_cron,
            "context": None,
        },
        {
            "schedule_name": retention_job.SCHEDULE,
            "workflow_fn": retention_job.retention_slot,
            "schedule": settings.retention_cron,
            "context": None,
        },
        {
            "schedule_name": sends_job.SCHEDULE,
            "workflow_fn": sends_job.sends_slot,
            "schedule": settings.sends_cron,
            "context": None,
        },
    ]
    if _is_postgres(settings):
        out.append(
            {
                "schedule_name": RECOVERY_SCHEDULE,
                "workflow_fn": recovery_slot,
                "schedule": settings.jobs_recovery_cron,
                "context": None,
            }
        )
    return out


def start_engine(settings: Settings) -> str:
    """Launch DBOS with callplane's schedules in this process (blocking); the executor id."""
    with _engine.lock:
        if _engine.running:
            if _engine.settings is not None and (
                _engine.settings.database_url == settings.database_url
            ):
                _engine.settings = settings
                DBOS.apply_schedules(schedules(settings))  # type: ignore[arg-type]
                return _engine.executor_id or ""
            _stop_locked()
        executor = new_executor_id(settings)
        if _is_postgres(settings):
            # Before launching: from its first workflow on, this replica is seen alive.
            _engine.liveness = _take_liveness_lock(settings, executor)
        config: DBOSConfig = {
            "name": APP_NAME,
            "system_database_url": system_database_url(settings),
            "executor_id": executor,
            "application_version": JOBS_VERSION,
            "log_level": "WARNING",
            "scheduler_polling_interval_sec": 10.0,
        }
        _engine.settings = settings
        _engine.executor_id = executor
        # Workflows of features beyond the jobs' own, registered before DBOS launches.
        from callplane.providers import jobs as provider_jobs

        try:
            DBOS(config=config)
            DBOS.launch()
            DBOS.register_queue(QUEUE_NAME, polling_interval_sec=1.0)
            provider_jobs.register_queue()
            DBOS.apply_schedules(schedules(settings))  # type: ignore[arg-type]
        except BaseException:
            _stop_locked()
            raise
        _engine.running = True
        log.info(
            "job engine started",
            executor=executor,
            reconcile_cron=settings.reconcile_cron,
            health_cron=settings.health_cron,
        )
        return executor


def _stop_locked() -> None:
    # Job runtimes live on DBOS's own event loop: close them there while it still runs.
    for key, (loop, rt) in list(_engine.runtimes.items()):
        try:
            if loop.is_running() and not _on_loop(loop):
                asyncio.run_coroutine_threadsafe(rt.close(), loop).result(timeout=5)
                _engine.runtimes.pop(key, None)
        except Exception as exc:  # noqa: BLE001 - best effort: the process may be going away
            log.debug("job runtime not closed", error=type(exc).__name__)
    try:
        DBOS.destroy(workflow_completion_timeout_sec=0)
    except Exception as exc:  # noqa: BLE001 - shutting down: report, carry on
        log.warning("job engine did not stop cleanly", error=type(exc).__name__)
    if _engine.liveness is not None:
        try:
            _engine.liveness.close()
        except Exception as exc:  # noqa: BLE001 - closing a connection that may be gone
            log.debug("liveness connection not closed", error=type(exc).__name__)
        _engine.liveness = None
    _engine.running = False
    _engine.executor_id = None


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def stop_engine() -> None:
    """Stop DBOS in this process (running workflows are resumed later, by this or another replica)."""
    with _engine.lock:
        if _engine.running:
            _stop_locked()
            log.info("job engine stopped")


async def start_engine_async(settings: Settings) -> str:
    """`start_engine` from async code (DBOS's launch blocks)."""
    executor: str = await _off_loop(start_engine, settings)
    return executor


async def stop_engine_async() -> None:
    """`stop_engine` from async code; the loop gets a working default executor back.

    DBOS's async calls make the calling loop run `asyncio.to_thread` on DBOS's own executor,
    which stopping DBOS shuts down.
    """
    await _off_loop(stop_engine)
    loop = asyncio.get_running_loop()
    current = getattr(loop, "_default_executor", None)
    if current is not None and type(current).__name__ == "_SharedExecutor":
        loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="asyncio"))


async def _off_loop(fn: Any, *args: Any) -> Any:
    """Run a blocking call in a thread of its own (not the loop's default executor)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="callplane-jobs") as pool:
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)


# -- background work ------------------------------------------------------------------------


def runtime_of(uow: UnitOfWork) -> Runtime:
    """The process runtime of a request's unit of work: background work opens its own units of
    work on it (outside the request's transaction and scope)."""
    return uow.runtime


async def submit_release(runtime: Runtime, tenant_id: uuid.UUID, reason: str, *, key: str) -> str:
    """Release a tenant's numbers in the background; `key` makes a repeated request a no-op.

    With the engine: a durable workflow on the jobs queue (any replica runs it; it survives a
    crash). Without: an in-process task (the daily reconciliation finishes what it leaves).
    """
    workflow_id = f"release-{tenant_id}-{reason}-{key}"
    if _engine.running:
        queue = await DBOS.retrieve_queue_async(QUEUE_NAME)
        if queue is not None:
            with SetWorkflowID(workflow_id):
                await queue.enqueue_async(release_numbers, str(tenant_id), reason)
            log.info(
                "release enqueued", tenant_id=str(tenant_id), reason=reason, workflow_id=workflow_id
            )
            return workflow_id

    async def inline() -> None:
        try:
            due = await release_reason_for(runtime, tenant_id)
            if due is not None:
                await release_tenant_numbers(runtime, tenant_id, due)
        except Exception:  # a background task reports; the daily job retries
            log.exception("background release failed", tenant_id=str(tenant_id))

    task = asyncio.get_running_loop().create_task(inline(), name=workflow_id)
    _engine.tasks.add(task)
    task.add_done_callback(_engine.tasks.discard)
    return workflow_id


async def wait_background(timeout: float = 30.0) -> None:
    """Wait for in-process background tasks (tests, shutdown)."""
    tasks = [t for t in _engine.tasks if not t.done()]
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)


async def reconcile_now(runtime: Runtime, *, trigger: str, dry_run: bool = False) -> dict[str, Any]:
    """Record a reconciliation run and execute it in this process now; its summary."""
    run_id = await create_run(runtime, trigger=trigger, dry_run=dry_run)
    return await execute_run(runtime, run_id, executor=executor_id() or trigger)


async def check_health_now(runtime: Runtime, *, trigger: str) -> dict[str, Any]:
    """Record a credential health run and execute it in this process now; its summary."""
    run_id = await create_run(runtime, job="health", trigger=trigger)
    return await health_job.execute_health_run(runtime, run_id, executor=executor_id() or trigger)


async def submit_reconcile(run_id: uuid.UUID) -> str | None:
    """Run a recorded reconciliation in the background on the engine; None without it."""
    if not _engine.running:
        return None
    queue = await DBOS.retrieve_queue_async(QUEUE_NAME)
    if queue is None:
        return None
    workflow_id = f"reconcile-run-{run_id}"
    with SetWorkflowID(workflow_id):
        await queue.enqueue_async(reconcile_requested, str(run_id))
    return workflow_id


def spawn(coro: Any, *, name: str) -> None:
    """Keep an in-process background task referenced until it ends."""
    task = asyncio.get_running_loop().create_task(coro, name=name)
    _engine.tasks.add(task)
    task.add_done_callback(_engine.tasks.discard)
