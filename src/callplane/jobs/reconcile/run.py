"""Drift reconciliation (DESIGN section 8): Twilio and the database brought back into agreement.

A run first releases the numbers tenants must no longer hold (subscriptions canceled in the past,
offboarded tenants), then visits every account once (CALLPLANE_TWILIO_CONCURRENCY at a time,
biggest first), pages through its IncomingPhoneNumbers 1000 at a time, compares them with the
rows here (`compare`: one check per action) and applies what differs (`apply`: one function per
action).

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
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import select

from callplane.db.base import utcnow
from callplane.errors import ApiError
from callplane.jobs.models import RunStatus
from callplane.jobs.reconcile import apply
from callplane.jobs.reconcile.accounts import AccountTarget, JobTwilio, list_numbers, plan_accounts
from callplane.jobs.reconcile.compare import Changes, Context, compare
from callplane.jobs.reconcile.rows import RowCache
from callplane.jobs.reconcile.state import (
    EXTRA_FIELDS,
    JOB_ACTOR,
    SUMMARY_FIELDS,
    RunOptions,
    RunState,
    options_of,
)
from callplane.jobs.releasing import release_tenant_numbers, tenants_due
from callplane.jobs.runs import RUNS, finish_run, start_attempt
from callplane.log import get_logger
from callplane.numbers.channels import wiring
from callplane.numbers.models import PhoneNumber
from callplane.numbers.purchase import PENDING_GRACE
from callplane.numbers.states import HELD_STATUSES
from callplane.runtime import Runtime
from callplane.twilio.factory import TwilioCredentials
from callplane.twilio.webhooks import webhook_urls

log = get_logger(__name__)

FLUSH_EVERY_SECONDS = 1.0
EXTRA_WORKERS: int | None = None  # accounts in hand beyond the Twilio concurrency (None: C/2)

Progress = Callable[[int, int], None]

LAST = Gauge("callplane_reconcile_last", "Counters of the last reconciliation", ["counter"])


async def execute_run(
    runtime: Runtime,
    run_id: uuid.UUID,
    *,
    executor: str,
    progress: Progress | None = None,
    concurrency: int | None = None,
) -> dict[str, Any]:
    """Run (or resume) a recorded reconciliation; returns its summary. A finished run is not redone."""
    run = await start_attempt(runtime, run_id, executor=executor)
    if run.status != RunStatus.running:
        return dict(run.summary)
    opts = options_of(run)
    state = RunState.load(run)
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
        await reconciler.flush(final_status=RunStatus.failed, error=f"{type(exc).__name__}: {exc}")
        RUNS.labels(job=run.job, status=RunStatus.failed).inc()
        log.error("reconciliation failed", run_id=str(run_id), error=type(exc).__name__)
        raise
    await reconciler.flush(final_status=RunStatus.succeeded)
    summary = state.summary
    RUNS.labels(job=run.job, status=RunStatus.succeeded).inc()
    if not opts.dry_run and opts.tenant_id is None and run.job == "reconcile":
        for key in (*SUMMARY_FIELDS, *EXTRA_FIELDS):
            LAST.labels(counter=key).set(summary.get(key, 0))
    log.info(
        "reconciliation finished", run_id=str(run_id), **{k: summary[k] for k in SUMMARY_FIELDS}
    )
    return dict(summary)


class Reconciler:
    """One run: the bulk release, then every account."""

    def __init__(
        self,
        runtime: Runtime,
        run_id: uuid.UUID,
        opts: RunOptions,
        state: RunState,
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
        self.wiring = wiring(webhook_urls(runtime.settings))
        self.pending_timeout = timedelta(seconds=runtime.settings.pending_timeout_seconds)

    async def flush(
        self, *, final_status: RunStatus | None = None, error: str | None = None
    ) -> None:
        """Write the counters and progress to the run's row (and finish it when told)."""
        async with self._flush_lock:
            s = self.state
            s.summary["duration_ms"] = s.duration_before_ms + int(
                (time.monotonic() - self.started) * 1000
            )
            s.summary["twilio_calls"] = s.summary.get("twilio_calls", 0)
            await finish_run(self.runtime, self.run_id, final_status, error=error, **s.row_values())
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
        self.rows = RowCache(self.runtime, todo)
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
        if "providers" in self.opts.actions:
            await self._providers()

    async def _providers(self) -> None:
        """The provider pass: registrations at the voice-AI providers (providers/reconcile.py)."""
        from callplane.providers.reconcile import provider_pass

        await provider_pass(
            self.runtime,
            tenant_id=self.opts.tenant_id,
            dry_run=self.opts.dry_run,
            done=self.state.done,
            count=self.state.count,
            report=self.state.orphans.append,
            failed=self.state.failures.append,
        )
        await self.flush()

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
            self.state.count("bulk_released", report.released)
            self.state.count("bulk_failed", report.failed)

    def _failed(self, account: AccountTarget, exc: ApiError, **detail: Any) -> None:
        """An account not checked: counted, reported, its rows left as they are."""
        self.state.count("accounts_failed")
        self.state.count("tenants_failed", 1 if self.opts.tenant_id else len(account.tenant_ids))
        self.state.failures.append(
            {"account_sid": account.account_sid, "kind": account.kind, "code": exc.code, **detail}
        )

    async def _account(self, account: AccountTarget) -> None:
        listing_started = utcnow()
        try:
            listing, pages, creds = await list_numbers(self.jt, account)
        except ApiError as exc:
            twilio_code = exc.details.get("twilio_code")
            tenants = [str(t) for t in account.tenant_ids[:20]]
            self._failed(account, exc, tenants=tenants, twilio_code=twilio_code)
            log.warning(
                "account not checked",
                account_sid=account.account_sid,
                kind=account.kind,
                code=exc.code,
                twilio_code=twilio_code,
            )
            return
        self.state.count("pages", pages)
        try:
            rows, trunks = await self.rows.get(account.account_sid)
            changes = compare(listing, rows, trunks, self._context(listing_started))
            if changes.orphans:
                changes.orphans = await self._really_orphans(changes.orphans)
            await self._apply(account, creds, changes, listing_started)
        except ApiError as exc:  # a database-side refusal: count it, keep going
            self._failed(account, exc)
            return
        self.state.count("accounts_checked")
        self.state.count("tenants_checked", 1 if self.opts.tenant_id else len(account.tenant_ids))

    def _context(self, listing_started: datetime) -> Context:
        now = utcnow()
        return Context(
            actions=self.opts.actions,
            tenant_id=self.opts.tenant_id,
            listing_started=listing_started,
            adopt_before=now - PENDING_GRACE,
            fail_before=now - self.pending_timeout,
            wiring=self.wiring,
        )

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

    async def _apply(
        self,
        account: AccountTarget,
        creds: TwilioCredentials,
        ch: Changes,
        listing_started: datetime,
    ) -> None:
        count = self.state.count
        apply.record_orphans(self.state, account, ch.orphans)
        if self.opts.dry_run:
            apply.count_dry_run(count, ch)
            return
        t = apply.Target.at(account, listing_started, self.pending_timeout)
        rewired, retrunked = await asyncio.gather(
            apply.rewire(self.jt, creds, t, ch.rewire, self.wiring, count),
            apply.retrunk(self.jt, creds, t, ch.retrunk, count),
        )
        for seen in ch.retry_release:
            await apply.finish_release(self.runtime, self.jt, seen, count)
        if not (ch.writes_rows() or rewired or retrunked):
            return  # nothing to write: no transaction at all
        async with self.runtime.uow() as uow:
            for step in apply.ROW_STEPS:
                await step(uow, t, ch, count)
            apply.record_twilio_writes(uow, t, rewired, retrunked, self.wiring)
            await uow.commit()
