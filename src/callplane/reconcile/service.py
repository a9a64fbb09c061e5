"""Drift reconciliation (DESIGN section 8): Twilio and the database brought back into agreement.

A run first releases the numbers tenants must no longer hold (subscriptions canceled in the past,
offboarded tenants), then visits every account once (CALLPLANE_TWILIO_CONCURRENCY at a time,
biggest first), pages through its IncomingPhoneNumbers 1000 at a time and compares:

- active here, gone there            -> released here (`drift`); Twilio is not called;
- there, pending here                -> adopted (the purchase happened);
- there, unknown here                -> reported as an orphan, never released by the job;
- managed, wired to other URLs       -> rewired to the generic webhook URLs;
- on another trunk than ours         -> put back on the tenant's trunk;
- pending too long, not there        -> failed (the purchase never happened).

Safety: an account whose listing did not complete (after retries) is counted in
`tenants_failed` and nothing of it changes; a row that changed after the listing started is
left alone (it is compared again by the next run). `dry_run` changes nothing, here or at Twilio.
A run records its progress in its JobRun row, so a run whose process died resumes where it was.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from prometheus_client import Counter, Gauge
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.errors import ApiError
from callplane.log import get_logger
from callplane.numbers import service as numbers
from callplane.numbers.models import HELD_STATUSES, PhoneNumber
from callplane.reconcile.accounts import AccountTarget, JobTwilio, list_numbers, plan_accounts
from callplane.reconcile.models import JobRun
from callplane.reconcile.releasing import release_tenant_numbers, tenants_due
from callplane.runtime import Runtime
from callplane.tenancy import Actor, Role, TenantScope
from callplane.trunks.models import Trunk
from callplane.twilio.factory import TwilioCredentials

log = get_logger(__name__)

ACTIONS = frozenset({"bulk", "drift", "adopt", "orphans", "rewire", "trunk", "pending"})
REWIRE_ONLY = frozenset({"rewire"})
SUMMARY_FIELDS = (
    "tenants_checked",
    "tenants_failed",
    "drift_released",
    "bulk_released",
    "orphans",
    "adopted",
    "rewired",
    "duration_ms",
)
EXTRA_FIELDS = (
    "accounts_checked",
    "accounts_failed",
    "pages",
    "twilio_calls",
    "trunks_fixed",
    "pending_failed",
    "releases_completed",
    "bulk_failed",
    "writes_failed",
)
MAX_ORPHANS_KEPT = 1000
MAX_FAILURES_KEPT = 200
FLUSH_EVERY_SECONDS = 1.0
EXTRA_WORKERS: int | None = None  # accounts in hand beyond the Twilio concurrency (None: C/2)
JOB_ACTOR = Actor(role=Role.platform, label="job:reconcile")

Progress = Callable[[int, int], None]

RUNS = Counter("callplane_job_runs_total", "Job runs finished", ["job", "status"])
LAST = Gauge("callplane_reconcile_last", "Counters of the last reconciliation", ["counter"])


def empty_summary() -> dict[str, int]:
    """Every counter at zero."""
    return {k: 0 for k in (*SUMMARY_FIELDS, *EXTRA_FIELDS)}


@dataclass(frozen=True)
class RunOptions:
    """What a run does: everything, or only rewiring; for all tenants or one; for real or dry."""

    dry_run: bool = False
    tenant_id: uuid.UUID | None = None
    actions: frozenset[str] = ACTIONS


def options_of(run: JobRun) -> RunOptions:
    """A stored run's options."""
    return RunOptions(
        dry_run=run.dry_run,
        tenant_id=run.scope_tenant_id,
        actions=REWIRE_ONLY if run.job == "rewire" else ACTIONS,
    )


# -- runs -----------------------------------------------------------------------------------


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
            status="running",
            attempts=0,
            workflow_id=workflow_id,
            summary=empty_summary() if job != "health" else {},
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


async def get_run(runtime: Runtime, run_id: uuid.UUID) -> JobRun | None:
    """A run by id."""
    async with runtime.uow() as uow:
        run = await uow.session.get(JobRun, run_id)
        if run is not None:
            uow.session.expunge(run)
        return run


async def execute_run(
    runtime: Runtime,
    run_id: uuid.UUID,
    *,
    executor: str,
    progress: Progress | None = None,
    concurrency: int | None = None,
) -> dict[str, Any]:
    """Run (or resume) a recorded reconciliation; returns its summary. A finished run is not redone."""
    async with runtime.uow() as uow:
        run = await uow.session.get(JobRun, run_id)
        if run is None:
            raise LookupError(f"no job run {run_id}")
        if run.status != "running":
            return dict(run.summary)
        run.attempts += 1
        run.executor = executor[:120]
        await uow.commit()
        opts = options_of(run)
        state = _RunState.load(run)
    log.info(
        "reconciliation started",
        run_id=str(run_id),
        job=run.job,
        dry_run=opts.dry_run,
        tenant_id=str(opts.tenant_id) if opts.tenant_id else None,
        attempt=run.attempts,
        resumed_accounts=len(state.done),
    )
    reconciler = Reconciler(
        runtime, run_id, opts, state, progress=progress, concurrency=concurrency
    )
    try:
        await reconciler.run()
    except asyncio.CancelledError:
        # Shutting down: keep the progress and leave the run open, so that it is resumed.
        await asyncio.shield(reconciler.flush())
        raise
    except Exception as exc:
        await reconciler.flush(final_status="failed", error=f"{type(exc).__name__}: {exc}")
        RUNS.labels(job=run.job, status="failed").inc()
        log.error("reconciliation failed", run_id=str(run_id), error=type(exc).__name__)
        raise
    await reconciler.flush(final_status="succeeded")
    summary = state.summary
    RUNS.labels(job=run.job, status="succeeded").inc()
    if not opts.dry_run and opts.tenant_id is None and run.job == "reconcile":
        for key in (*SUMMARY_FIELDS, *EXTRA_FIELDS):
            LAST.labels(counter=key).set(summary.get(key, 0))
    log.info(
        "reconciliation finished", run_id=str(run_id), **{k: summary[k] for k in SUMMARY_FIELDS}
    )
    return dict(summary)


@dataclass
class _RunState:
    """A run's counters and progress, as kept in its JobRun row."""

    summary: dict[str, int]
    orphans: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    done: set[str]
    bulk_done: bool
    duration_before_ms: int

    @classmethod
    def load(cls, run: JobRun) -> _RunState:
        summary = empty_summary()
        summary.update({k: int(v) for k, v in (run.summary or {}).items() if k in summary})
        progress = run.progress or {}
        return cls(
            summary=summary,
            orphans=list(run.orphans or []),
            failures=list(progress.get("failures") or []),
            done=set(progress.get("done") or []),
            bulk_done=bool(progress.get("bulk_done")),
            duration_before_ms=summary["duration_ms"],
        )


@dataclass
class _Row:
    id: uuid.UUID
    tenant_id: uuid.UUID
    e164: str
    status: str
    twilio_sid: str | None
    managed: bool
    trunk_id: uuid.UUID | None
    created_at: Any
    updated_at: Any
    release_reason: str | None


@dataclass
class _Changes:
    """What one account needs (computed from one listing)."""

    drift: list[_Row] = field(default_factory=list)
    complete: list[_Row] = field(default_factory=list)
    retry_release: list[_Row] = field(default_factory=list)
    fail: list[_Row] = field(default_factory=list)
    adopt: list[tuple[_Row, dict[str, Any]]] = field(default_factory=list)
    resid: list[tuple[_Row, dict[str, Any]]] = field(default_factory=list)
    rewire: list[tuple[_Row, dict[str, Any]]] = field(default_factory=list)
    retrunk: list[tuple[_Row, dict[str, Any], str]] = field(default_factory=list)
    orphans: list[dict[str, Any]] = field(default_factory=list)


ROWS_PER_BATCH = 20_000
STREAM_ROWS = 2_000
ACCOUNTS_PER_BATCH = 400


class _RowCache:
    """The database's held numbers of the accounts to visit, read a batch of accounts at a time.

    One query per batch instead of one per account: with thousands of small accounts the
    per-account round trips, not Twilio, would set the pace. The batch an account belongs to is
    read when the first of its accounts asks for it (the next batch is read ahead meanwhile).
    What changes after a batch is read is caught by the conditional updates (a row is changed
    only if it is still as it was read) and by the orphan check.
    """

    def __init__(self, runtime: Runtime, accounts: list[AccountTarget]) -> None:
        self.runtime = runtime
        self.batches: list[list[str]] = []
        self.batch_of: dict[str, int] = {}
        current: list[str] = []
        size = 0
        for account in accounts:
            if current and (
                size + account.held > ROWS_PER_BATCH or len(current) >= ACCOUNTS_PER_BATCH
            ):
                self.batches.append(current)
                current, size = [], 0
            current.append(account.account_sid)
            size += account.held
        if current:
            self.batches.append(current)
        for index, batch in enumerate(self.batches):
            for sid in batch:
                self.batch_of[sid] = index
        self.loads: dict[int, asyncio.Task[dict[str, tuple[list[_Row], dict[uuid.UUID, str]]]]] = {}

    def _load(self, index: int) -> asyncio.Task[dict[str, tuple[list[_Row], dict[uuid.UUID, str]]]]:
        task = self.loads.get(index)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._read(self.batches[index]))
            self.loads[index] = task
        return task

    async def get(self, account_sid: str) -> tuple[list[_Row], dict[uuid.UUID, str]]:
        """The held rows of one account and the Twilio SIDs of the trunks they are on."""
        index = self.batch_of[account_sid]
        task = self._load(index)
        if index + 1 < len(self.batches):
            self._load(index + 1)  # read ahead
        rows = await task
        found = rows.pop(account_sid, None)
        if not rows and index in self.loads:
            del self.loads[index]  # every account of the batch served: let it go
        return found or ([], {})

    async def _read(self, sids: list[str]) -> dict[str, tuple[list[_Row], dict[uuid.UUID, str]]]:
        out: dict[str, tuple[list[_Row], dict[uuid.UUID, str]]] = {sid: ([], {}) for sid in sids}
        async with self.runtime.uow() as uow:
            # Streamed in parts, with a pause between parts: a big account's rows are many, and
            # the other accounts' calls must go on meanwhile.
            result = await uow.session.stream(
                select(
                    PhoneNumber.account_sid,
                    PhoneNumber.id,
                    PhoneNumber.tenant_id,
                    PhoneNumber.e164,
                    PhoneNumber.status,
                    PhoneNumber.twilio_sid,
                    PhoneNumber.managed,
                    PhoneNumber.trunk_id,
                    PhoneNumber.created_at,
                    PhoneNumber.updated_at,
                    PhoneNumber.release_reason,
                )
                .where(
                    PhoneNumber.account_sid.in_(sids),
                    PhoneNumber.status.in_(HELD_STATUSES),
                )
                .execution_options(yield_per=STREAM_ROWS)
            )
            trunk_ids: set[uuid.UUID] = set()
            async for part in result.partitions(STREAM_ROWS):
                for account_sid, *fields in part:
                    row = _Row(*fields)
                    out[account_sid][0].append(row)
                    if row.trunk_id is not None:
                        trunk_ids.add(row.trunk_id)
                await asyncio.sleep(0)
            if trunk_ids:
                found = await uow.session.execute(
                    select(Trunk.id, Trunk.twilio_sid).where(Trunk.id.in_(trunk_ids))
                )
                trunks = {tid: sid for tid, sid in found}
                for rows, account_trunks in out.values():
                    for row in rows:
                        if row.trunk_id in trunks:
                            account_trunks[row.trunk_id] = trunks[row.trunk_id]
        return out


class Reconciler:
    """One run: the bulk release, then every account."""

    def __init__(
        self,
        runtime: Runtime,
        run_id: uuid.UUID,
        opts: RunOptions,
        state: _RunState,
        *,
        progress: Progress | None = None,
        concurrency: int | None = None,
    ) -> None:
        self.runtime = runtime
        self.run_id = run_id
        self.opts = opts
        self.state = state
        self.progress = progress
        self.jt = JobTwilio(runtime, concurrency)
        self.started = time.monotonic()
        self._last_flush = time.monotonic()
        self._flush_lock = asyncio.Lock()
        settings = runtime.settings
        self.wiring = numbers.wiring(settings)
        self.pending_timeout = timedelta(seconds=settings.pending_timeout_seconds)

    # -- bookkeeping ------------------------------------------------------------------------

    def _count(self, key: str, n: int = 1) -> None:
        self.state.summary[key] = self.state.summary.get(key, 0) + n

    async def flush(self, *, final_status: str | None = None, error: str | None = None) -> None:
        """Write the counters and progress to the run's row (and finish it when told)."""
        async with self._flush_lock:
            s = self.state
            s.summary["duration_ms"] = s.duration_before_ms + int(
                (time.monotonic() - self.started) * 1000
            )
            s.summary["twilio_calls"] = s.summary.get("twilio_calls", 0)
            values: dict[str, Any] = {
                "summary": dict(s.summary),
                "orphans": s.orphans[:MAX_ORPHANS_KEPT],
                "progress": {
                    "bulk_done": s.bulk_done,
                    "done": sorted(s.done),
                    "failures": s.failures[:MAX_FAILURES_KEPT],
                },
            }
            if final_status is not None:
                values["status"] = final_status
                values["finished_at"] = utcnow()
                if error:
                    values["error"] = error[:1000]
            async with self.runtime.uow() as uow:
                await uow.session.execute(
                    update(JobRun).where(JobRun.id == self.run_id).values(**values)
                )
                await uow.commit()
            self._last_flush = time.monotonic()

    async def _maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= FLUSH_EVERY_SECONDS:
            await self.flush()

    # -- the run ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Bulk release, then every account not done yet."""
        try:
            await self._run()
        finally:
            await self.jt.close()

    async def _run(self) -> None:
        calls_before = self.state.summary.get("twilio_calls", 0)
        if "bulk" in self.opts.actions and not self.state.bulk_done:
            await self._bulk_release()
            self.state.bulk_done = True
            await self.flush()
        async with self.runtime.uow() as uow:
            accounts, _idle = await plan_accounts(uow=uow, tenant_id=self.opts.tenant_id)
        total = len(accounts)
        todo = [a for a in accounts if a.account_sid not in self.state.done]
        if self.progress:
            self.progress(total - len(todo), total)
        self.rows = _RowCache(self.runtime, todo)
        queue: asyncio.Queue[AccountTarget] = asyncio.Queue()
        for account in todo:
            queue.put_nowait(account)

        async def worker() -> None:
            while True:
                try:
                    account = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await self._account(account)
                self.state.done.add(account.account_sid)
                self.state.summary["twilio_calls"] = calls_before + self.jt.calls
                if self.progress:
                    self.progress(len(self.state.done), total)
                await self._maybe_flush()

        # At most `concurrency` Twilio calls at once (the semaphore); a few more accounts than
        # that are in hand, so that reading the database and comparing one account overlaps
        # another's call instead of leaving a Twilio slot idle.
        extra = max(2, self.jt.concurrency // 2) if EXTRA_WORKERS is None else EXTRA_WORKERS
        workers = min(self.jt.concurrency + extra, max(1, len(todo)))
        await asyncio.gather(*(worker() for _ in range(workers)))
        self.state.summary["twilio_calls"] = calls_before + self.jt.calls

    async def _bulk_release(self) -> None:
        due = await tenants_due(self.runtime, tenant_id=self.opts.tenant_id)
        for tenant_id, reason in due.items():
            report = await release_tenant_numbers(
                self.runtime,
                tenant_id,
                reason,
                dry_run=self.opts.dry_run,
                slots=self.jt.slots,
                actor=JOB_ACTOR,
            )
            self._count("bulk_released", report.released)
            self._count("bulk_failed", report.failed)

    async def _account(self, account: AccountTarget) -> None:
        tenants = 1 if self.opts.tenant_id else len(account.tenant_ids)
        listing_started = utcnow()
        try:
            listing, pages, creds = await list_numbers(self.jt, account)
        except ApiError as exc:
            self._count("accounts_failed")
            self._count("tenants_failed", tenants)
            self.state.failures.append(
                {
                    "account_sid": account.account_sid,
                    "kind": account.kind,
                    "tenants": [str(t) for t in account.tenant_ids[:20]],
                    "code": exc.code,
                    "twilio_code": exc.details.get("twilio_code"),
                }
            )
            log.warning(
                "account not checked",
                account_sid=account.account_sid,
                kind=account.kind,
                code=exc.code,
                twilio_code=exc.details.get("twilio_code"),
            )
            return
        self._count("pages", pages)
        try:
            rows, trunks = await self.rows.get(account.account_sid)
            changes = self._compare(listing, rows, trunks, listing_started)
            if changes.orphans:
                changes.orphans = await self._really_orphans(changes.orphans)
            await self._apply(account, creds, changes, listing_started)
        except ApiError as exc:  # a database-side refusal: count it, keep going
            self._count("accounts_failed")
            self._count("tenants_failed", tenants)
            self.state.failures.append(
                {"account_sid": account.account_sid, "kind": account.kind, "code": exc.code}
            )
            return
        self._count("accounts_checked")
        self._count("tenants_checked", tenants)

    async def _really_orphans(self, candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Candidates the database still does not hold now (rows are read in batches, possibly
        before a number bought meanwhile was listed: that one is not an orphan)."""
        e164s = [c.get("phone_number") for c in candidates]
        async with self.runtime.uow() as uow:
            held = set(
                (
                    await uow.session.execute(
                        select(PhoneNumber.e164).where(
                            PhoneNumber.e164.in_(e164s), PhoneNumber.status.in_(HELD_STATUSES)
                        )
                    )
                ).scalars()
            )
        return [c for c in candidates if c.get("phone_number") not in held]

    def _wired(self, rec: dict[str, Any]) -> bool:
        return all(
            (rec.get(k) or "") == v
            for k, v in self.wiring.items()
            if k.endswith("url") or k == "status_callback"
        )

    def _compare(
        self,
        listing: dict[str, dict[str, Any]],
        rows: list[_Row],
        trunks: dict[uuid.UUID, str],
        listing_started: Any,
    ) -> _Changes:
        acts = self.opts.actions
        now = utcnow()
        adopt_before = now - numbers.PENDING_GRACE
        fail_before = now - self.pending_timeout
        changes = _Changes()
        held = {r.e164 for r in rows}
        if "orphans" in acts:
            changes.orphans = [rec for e164, rec in listing.items() if e164 not in held]
        for row in rows:
            if self.opts.tenant_id is not None and row.tenant_id != self.opts.tenant_id:
                continue
            rec = listing.get(row.e164)
            # A row that changed after the listing began is compared by the next run instead.
            settled = row.updated_at < listing_started
            if rec is None:
                if not settled:
                    continue
                if row.status == "active" and "drift" in acts:
                    changes.drift.append(row)
                elif row.status == "releasing" and "drift" in acts:
                    changes.complete.append(row)
                elif row.status == "pending" and "pending" in acts and row.created_at < fail_before:
                    changes.fail.append(row)
                continue
            if row.status == "pending":
                if "adopt" not in acts or row.created_at >= adopt_before or not settled:
                    continue
                changes.adopt.append((row, rec))
            elif row.status == "releasing":
                if "drift" in acts and settled and row.updated_at < fail_before:
                    changes.retry_release.append(row)
                continue
            elif row.twilio_sid != rec.get("sid") and "drift" in acts:
                changes.resid.append((row, rec))
            if row.managed and "rewire" in acts and not self._wired(rec):
                changes.rewire.append((row, rec))
            expected = trunks.get(row.trunk_id) if row.trunk_id else None
            if expected and "trunk" in acts and rec.get("trunk_sid") != expected:
                changes.retrunk.append((row, rec, expected))
        return changes

    async def _apply(
        self, account: AccountTarget, creds: TwilioCredentials, ch: _Changes, listing_started: Any
    ) -> None:
        for rec in ch.orphans:
            self._count("orphans")
            if len(self.state.orphans) < MAX_ORPHANS_KEPT:
                self.state.orphans.append(
                    {
                        "account_sid": account.account_sid,
                        "account_kind": account.kind,
                        "phone_number": rec.get("phone_number"),
                        "sid": rec.get("sid"),
                        "voice_url": rec.get("voice_url") or None,
                        "trunk_sid": rec.get("trunk_sid"),
                    }
                )
        if self.opts.dry_run:
            self._count("drift_released", len(ch.drift))
            self._count("releases_completed", len(ch.complete) + len(ch.retry_release))
            self._count("pending_failed", len(ch.fail))
            self._count("adopted", len(ch.adopt))
            self._count("rewired", len(ch.rewire))
            self._count("trunks_fixed", len(ch.retrunk))
            return
        rewired, retrunked = await self._twilio_writes(account, creds, ch)
        for row in ch.retry_release:
            await self._finish_release(row)
        if not (ch.drift or ch.complete or ch.fail or ch.adopt or ch.resid or rewired or retrunked):
            return  # nothing to write: no transaction at all
        now = utcnow()
        adopt_before = now - numbers.PENDING_GRACE
        fail_before = now - self.pending_timeout
        async with self.runtime.uow() as uow:
            table = PhoneNumber

            async def change(
                row: _Row, *where: Any, action: str, detail: dict[str, Any], **values: Any
            ) -> bool:
                stmt = (
                    update(table)
                    .where(table.id == row.id, *where)
                    .values(updated_at=now, **values)
                    .execution_options(synchronize_session=False)
                )
                done = (await uow.session.execute(stmt)).rowcount or 0
                if done:
                    record_audit(
                        uow=uow,
                        actor=JOB_ACTOR,
                        action=action,
                        tenant_id=row.tenant_id,
                        target=row.id,
                        detail={
                            "phone_number": row.e164,
                            "account_sid": account.account_sid,
                            **detail,
                        },
                    )
                return bool(done)

            unchanged = table.updated_at < listing_started
            for row in ch.drift:
                if await change(
                    row,
                    table.status == "active",
                    unchanged,
                    action="phone_number.drift_released",
                    detail={"reason": "drift", "twilio_sid": row.twilio_sid},
                    status="released",
                    released_at=now,
                    release_reason="drift",
                    agent_id=None,
                    trunk_id=None,
                ):
                    self._count("drift_released")
            for row in ch.complete:
                if await change(
                    row,
                    table.status == "releasing",
                    unchanged,
                    action="phone_number.release",
                    detail={"reason": row.release_reason or "drift", "completed_by": "reconcile"},
                    status="released",
                    released_at=now,
                    release_reason=row.release_reason or "drift",
                    agent_id=None,
                    trunk_id=None,
                ):
                    self._count("releases_completed")
            for row in ch.fail:
                if await change(
                    row,
                    table.status == "pending",
                    unchanged,
                    table.created_at < fail_before,
                    action="phone_number.purchase_failed",
                    detail={"resolved": True, "by": "reconcile"},
                    status="failed",
                    failure_code="purchase_not_completed",
                    failure_reason=(
                        f"the purchase was interrupted and Twilio does not hold {row.e164} in "
                        f"account {account.account_sid}: nothing was bought. Search again and "
                        "buy with a new Idempotency-Key."
                    ),
                ):
                    self._count("pending_failed")
            for row, rec in ch.adopt:
                if await change(
                    row,
                    table.status == "pending",
                    unchanged,
                    table.created_at < adopt_before,
                    action="phone_number.adopted",
                    detail={"twilio_sid": rec.get("sid"), "resolved": True, "by": "reconcile"},
                    status="active",
                    twilio_sid=rec.get("sid"),
                    capabilities=numbers.capabilities_of(rec.get("capabilities")),
                    purchased_at=now,
                    failure_code=None,
                    failure_reason=None,
                ):
                    self._count("adopted")
            for row, rec in ch.resid:
                await change(
                    row,
                    table.status == "active",
                    unchanged,
                    action="phone_number.sid_fixed",
                    detail={"previous": row.twilio_sid, "twilio_sid": rec.get("sid")},
                    twilio_sid=rec.get("sid"),
                )
            for row in rewired:
                record_audit(
                    uow=uow,
                    actor=JOB_ACTOR,
                    action="phone_number.rewired",
                    tenant_id=row.tenant_id,
                    target=row.id,
                    detail={"phone_number": row.e164, **self.wiring},
                )
            for row, expected in retrunked:
                record_audit(
                    uow=uow,
                    actor=JOB_ACTOR,
                    action="phone_number.trunk_fixed",
                    tenant_id=row.tenant_id,
                    target=row.id,
                    detail={"phone_number": row.e164, "trunk_sid": expected},
                )
            await uow.commit()

    async def _twilio_writes(
        self, account: AccountTarget, creds: TwilioCredentials, ch: _Changes
    ) -> tuple[list[_Row], list[tuple[_Row, str]]]:
        """Rewire and re-trunk at Twilio (updates: safe to repeat); what succeeded."""
        if not ch.rewire and not ch.retrunk:
            return [], []
        client = self.jt.client(creds)
        ipns = client.api.v2010.accounts(account.account_sid).incoming_phone_numbers
        rewired: list[_Row] = []
        retrunked: list[tuple[_Row, str]] = []
        wanted = self.wiring

        async def rewire(row: _Row, rec: dict[str, Any]) -> None:
            sid = rec["sid"]
            try:
                await self.jt.call(
                    lambda: ipns(sid).update_async(**wanted), retry=True, action="rewire number"
                )
            except ApiError as exc:
                self._count("writes_failed")
                log.warning("number not rewired", phone_number=row.e164, code=exc.code)
                return
            self._count("rewired")
            rewired.append(row)

        async def retrunk(row: _Row, rec: dict[str, Any], expected: str) -> None:
            sid = rec["sid"]
            try:
                await self.jt.call(
                    lambda: ipns(sid).update_async(trunk_sid=expected),
                    retry=True,
                    action="fix number trunk",
                )
            except ApiError as exc:
                self._count("writes_failed")
                log.warning("number trunk not fixed", phone_number=row.e164, code=exc.code)
                return
            self._count("trunks_fixed")
            retrunked.append((row, expected))

        await asyncio.gather(
            *(rewire(r, rec) for r, rec in ch.rewire),
            *(retrunk(r, rec, exp) for r, rec, exp in ch.retrunk),
        )
        return rewired, retrunked

    async def _finish_release(self, row: _Row) -> None:
        """A release stuck midway (its process died) and the number still at Twilio: finish it."""
        scope = TenantScope(tenant_id=row.tenant_id, actor=JOB_ACTOR)
        async with self.jt.slots, self.runtime.uow() as uow:
            try:
                done = await numbers.release_number(
                    uow=uow, scope=scope, number_id=row.id, reason=row.release_reason or "user"
                )
            except ApiError as exc:
                self._count("writes_failed")
                log.warning("stuck release not finished", phone_number=row.e164, code=exc.code)
                return
        if done.status == "released":
            self._count("releases_completed")


async def last_runs(
    runtime: Runtime, *, job: str | None, cursor: str | None, limit: int
) -> tuple[list[JobRun], str | None]:
    """Runs, newest first."""
    from callplane.db.repository import decode_cursor, encode_cursor

    async with runtime.uow() as uow:
        stmt = select(JobRun)
        if job:
            stmt = stmt.where(JobRun.job == job)
        if cursor:
            at, rid = decode_cursor(cursor)
            stmt = stmt.where(
                (JobRun.started_at < at) | ((JobRun.started_at == at) & (JobRun.id < rid))
            )
        stmt = stmt.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit + 1)
        rows = list((await uow.session.execute(stmt)).scalars())
        uow.session.expunge_all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].started_at, rows[-1].id)
    return rows, next_cursor
