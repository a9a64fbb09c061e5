"""What a reconciliation does about what `compare` found: one small function per action.

Database changes go through the numbers lifecycle in bulk (`lifecycle.apply_many`): each UPDATE
repeats the comparison's conditions (the status, and "unchanged since the listing began"), so a
row that changed meanwhile is left for the next run. Each changed row gets its audit entry in
the same transaction. Twilio changes (rewire, re-trunk) are updates, safe to repeat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func

from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError
from callplane.events.service import emit
from callplane.jobs.reconcile.accounts import AccountTarget, JobTwilio
from callplane.jobs.reconcile.compare import Changes, Seen
from callplane.jobs.reconcile.rows import Row
from callplane.jobs.reconcile.state import JOB_ACTOR, MAX_ORPHANS_KEPT, RunState
from callplane.log import get_logger
from callplane.numbers import channels, lifecycle
from callplane.numbers import service as numbers
from callplane.numbers.lifecycle import Change
from callplane.numbers.models import PhoneNumber
from callplane.numbers.purchase import PENDING_GRACE, not_completed
from callplane.numbers.remote import capabilities_of
from callplane.numbers.states import NumberStatus, ReleaseReason
from callplane.runtime import Runtime
from callplane.tenancy import TenantScope
from callplane.twilio.factory import TwilioCredentials

log = get_logger(__name__)

IDS_PER_STATEMENT = 500


@dataclass(frozen=True)
class Target:
    """The account being reconciled, and the moments its conditions are measured from."""

    account: AccountTarget
    listing_started: datetime
    now: datetime
    adopt_before: datetime
    fail_before: datetime

    @classmethod
    def at(
        cls, account: AccountTarget, listing_started: datetime, pending_timeout: timedelta
    ) -> Target:
        """The target as of now."""
        now = utcnow()
        return cls(account, listing_started, now, now - PENDING_GRACE, now - pending_timeout)

    def audit(self, uow: UnitOfWork, row: Row, action: str, **detail: Any) -> None:
        """The audit entry of one row the job changed."""
        record_audit(
            uow=uow,
            actor=JOB_ACTOR,
            action=action,
            tenant_id=row.tenant_id,
            target=row.id,
            detail={"phone_number": row.e164, "account_sid": self.account.account_sid, **detail},
        )
        # What reconciliation changed is a difference it found between Twilio and callplane.
        emit(
            uow,
            tenant_id=row.tenant_id,
            event_type="number.drift_found",
            data={
                "number_id": str(row.id),
                "phone_number": row.e164,
                "status": row.status,
                "detail": {"action": action, **{k: str(v) for k, v in detail.items()}},
            },
        )


Count = Callable[[str, int], None]


def record_orphans(state: RunState, account: AccountTarget, orphans: list[dict[str, Any]]) -> None:
    """Report the account's numbers nobody here holds (never released by the job)."""
    for rec in orphans:
        state.count("orphans")
        if len(state.orphans) < MAX_ORPHANS_KEPT:
            state.orphans.append(
                {
                    "account_sid": account.account_sid,
                    "account_kind": account.kind,
                    "phone_number": rec.get("phone_number"),
                    "sid": rec.get("sid"),
                    "voice_url": rec.get("voice_url") or None,
                    "trunk_sid": rec.get("trunk_sid"),
                }
            )


def count_dry_run(count: Count, ch: Changes) -> None:
    """A dry run counts what it would do."""
    count("drift_released", len(ch.drift))
    count("releases_completed", len(ch.complete) + len(ch.retry_release))
    count("pending_failed", len(ch.fail))
    count("adopted", len(ch.adopt))
    count("rewired", len(ch.rewire))
    count("trunks_fixed", len(ch.retrunk))


def _chunks(seen: Sequence[Seen]) -> Iterator[dict[Any, Row]]:
    for start in range(0, len(seen), IDS_PER_STATEMENT):
        yield {s.row.id: s.row for s in seen[start : start + IDS_PER_STATEMENT]}


async def _bulk(
    uow: UnitOfWork, t: Target, seen: Sequence[Seen], change: Change, *where: ColumnElement[bool]
) -> list[Row]:
    """One change to many rows still as they were listed; the rows changed."""
    done: list[Row] = []
    for rows in _chunks(seen):
        changed = await lifecycle.apply_many(
            uow=uow,
            scope=None,
            change=change,
            where=[PhoneNumber.id.in_(rows), PhoneNumber.updated_at < t.listing_started, *where],
            now=t.now,
        )
        done.extend(rows[c.id] for c in changed)
    return done


async def drift_released(uow: UnitOfWork, t: Target, ch: Changes, count: Count) -> None:
    """Active here, gone at Twilio: released here (`drift`)."""
    for row in await _bulk(uow, t, ch.drift, Change.drift_release()):
        t.audit(uow, row, "phone_number.drift_released", reason="drift", twilio_sid=row.twilio_sid)
        count("drift_released", 1)


async def releases_completed(uow: UnitOfWork, t: Target, ch: Changes, count: Count) -> None:
    """Releasing here, gone at Twilio: the release is finished, with the reason it began with."""
    reason = func.coalesce(PhoneNumber.release_reason, ReleaseReason.drift.value)
    for row in await _bulk(uow, t, ch.complete, Change.finish_release(reason)):
        t.audit(
            uow,
            row,
            "phone_number.release",
            reason=row.release_reason or ReleaseReason.drift,
            completed_by="reconcile",
        )
        count("releases_completed", 1)


async def pending_failed(uow: UnitOfWork, t: Target, ch: Changes, count: Count) -> None:
    """Pending too long and not at Twilio: failed (nothing was bought)."""
    for seen in ch.fail:
        change = not_completed(seen.row.e164, t.account.account_sid)
        if await _bulk(uow, t, [seen], change, PhoneNumber.created_at < t.fail_before):
            t.audit(uow, seen.row, "phone_number.purchase_failed", resolved=True, by="reconcile")
            count("pending_failed", 1)


async def adopted(uow: UnitOfWork, t: Target, ch: Changes, count: Count) -> None:
    """Pending here, at Twilio: the purchase happened, the number is the tenant's."""
    for seen in ch.adopt:
        rec = seen.rec or {}
        change = Change.activate(
            twilio_sid=rec.get("sid"), capabilities=capabilities_of(rec.get("capabilities"))
        )
        if await _bulk(uow, t, [seen], change, PhoneNumber.created_at < t.adopt_before):
            t.audit(
                uow,
                seen.row,
                "phone_number.adopted",
                twilio_sid=rec.get("sid"),
                resolved=True,
                by="reconcile",
            )
            count("adopted", 1)


async def sids_fixed(uow: UnitOfWork, t: Target, ch: Changes, count: Count) -> None:
    """Active with another SID at Twilio: the SID here is corrected (the status stays)."""
    repo = uow.repo(PhoneNumber, None)
    for seen in ch.resid:
        sid = (seen.rec or {}).get("sid")
        done = await repo.update(
            PhoneNumber.id == seen.row.id,
            PhoneNumber.status == NumberStatus.active,
            PhoneNumber.updated_at < t.listing_started,
            twilio_sid=sid,
            updated_at=t.now,
        )
        if done:
            t.audit(
                uow,
                seen.row,
                "phone_number.sid_fixed",
                previous=seen.row.twilio_sid,
                twilio_sid=sid,
            )


ROW_STEPS = (drift_released, releases_completed, pending_failed, adopted, sids_fixed)


async def _update_at_twilio(
    jt: JobTwilio,
    creds: TwilioCredentials,
    t: Target,
    seen: list[Seen],
    fields: Callable[[Seen], dict[str, Any]],
    *,
    action: str,
    counter: str,
    count: Count,
) -> list[Seen]:
    """One IncomingPhoneNumber update per number (safe to repeat); the numbers updated."""
    if not seen:
        return []
    ipns = jt.client(creds).api.v2010.accounts(t.account.account_sid).incoming_phone_numbers
    done: list[Seen] = []

    async def one(s: Seen) -> None:
        number, values = ipns((s.rec or {})["sid"]), fields(s)
        try:
            await jt.call(lambda: number.update_async(**values), retry=True, action=action)
        except ApiError as exc:
            count("writes_failed", 1)
            log.warning(
                "number not updated at Twilio",
                action=action,
                phone_number=s.row.e164,
                code=exc.code,
            )
            return
        count(counter, 1)
        done.append(s)

    await asyncio.gather(*(one(s) for s in seen))
    return done


async def rewire(
    jt: JobTwilio,
    creds: TwilioCredentials,
    t: Target,
    seen: list[Seen],
    wiring: dict[str, str],
    count: Count,
) -> list[Seen]:
    """Point the channels callplane owns back at its URLs at Twilio (never the others); the
    numbers that were."""
    return await _update_at_twilio(
        jt,
        creds,
        t,
        seen,
        lambda s: owned_wiring(wiring, s),
        action="rewire number",
        counter="rewired",
        count=count,
    )


def owned_wiring(wiring: dict[str, str], seen: Seen) -> dict[str, str]:
    """callplane's wiring of the channels it owns on this number."""
    return channels.owned(wiring, voice=seen.row.manage_voice, sms=seen.row.manage_sms)


async def retrunk(
    jt: JobTwilio, creds: TwilioCredentials, t: Target, seen: list[Seen], count: Count
) -> list[Seen]:
    """Put numbers back on the tenant's trunk at Twilio; those that were."""
    return await _update_at_twilio(
        jt,
        creds,
        t,
        seen,
        lambda s: {"trunk_sid": s.trunk_sid},
        action="fix number trunk",
        counter="trunks_fixed",
        count=count,
    )


def record_twilio_writes(
    uow: UnitOfWork, t: Target, rewired: list[Seen], retrunked: list[Seen], wiring: dict[str, str]
) -> None:
    """The audit entries of what was changed at Twilio."""
    for s in rewired:
        t.audit(uow, s.row, "phone_number.rewired", **owned_wiring(wiring, s))
    for s in retrunked:
        t.audit(uow, s.row, "phone_number.trunk_fixed", trunk_sid=s.trunk_sid)


async def finish_release(runtime: Runtime, jt: JobTwilio, seen: Seen, count: Count) -> None:
    """A release stuck midway (its process died) and the number still at Twilio: finish it."""
    row = seen.row
    scope = TenantScope(tenant_id=row.tenant_id, actor=JOB_ACTOR)
    async with jt.slots, runtime.uow() as uow:
        try:
            done = await numbers.release_number(
                uow=uow, scope=scope, number_id=row.id, reason=row.release_reason or "user"
            )
        except ApiError as exc:
            count("writes_failed", 1)
            log.warning("stuck release not finished", phone_number=row.e164, code=exc.code)
            return
    if done.status == NumberStatus.released:
        count("releases_completed", 1)
