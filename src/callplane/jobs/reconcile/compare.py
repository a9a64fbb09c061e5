"""What one account needs, from its listing at Twilio and its rows here: one check per action.

- active here, gone there            -> `drift`: released here (Twilio is not called);
- releasing here, gone there         -> `complete`: the release is finished here;
- pending too long, not there        -> `fail`: the purchase never happened;
- there, pending here                -> `adopt`: the purchase happened;
- releasing here, still there, stuck -> `retry_release`: the release is done again;
- active, another SID there          -> `resid`: the SID is corrected;
- managed, wired to other URLs       -> `rewire`: the channels callplane owns pointed back at
                                        the generic webhook URLs (the others never);
- on another trunk than ours         -> `retrunk`: put back on the tenant's trunk;
- there, unknown here                -> `orphans`: reported, never released by the job.

A row that changed after the listing began is compared by the next run instead (`settled`).
Comparing changes nothing: `reconcile.apply` does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from callplane.jobs.reconcile.rows import Row
from callplane.numbers import channels
from callplane.numbers.states import NumberStatus


@dataclass(frozen=True)
class Context:
    """What a comparison needs besides the two sides."""

    actions: frozenset[str]
    tenant_id: uuid.UUID | None  # only this tenant's rows (None: every row)
    listing_started: datetime
    adopt_before: datetime  # a pending row older than this may be adopted
    fail_before: datetime  # ... and failed (when not there); a stuck release retried
    wiring: Mapping[str, str]  # callplane's wiring of both channels

    def wanted(self, row: Row) -> dict[str, str]:
        """callplane's wiring of the channels it owns on this row's number."""
        return channels.owned(self.wiring, voice=row.manage_voice, sms=row.manage_sms)


@dataclass(frozen=True)
class Seen:
    """One row, its number at Twilio (None: not there), and the SID of the trunk it is on here."""

    row: Row
    rec: dict[str, Any] | None
    trunk_sid: str | None

    def settled(self, ctx: Context) -> bool:
        """Unchanged since the listing began."""
        return self.row.updated_at < ctx.listing_started


@dataclass
class Changes:
    """What one account needs, action by action."""

    drift: list[Seen] = field(default_factory=list)
    complete: list[Seen] = field(default_factory=list)
    fail: list[Seen] = field(default_factory=list)
    adopt: list[Seen] = field(default_factory=list)
    retry_release: list[Seen] = field(default_factory=list)
    resid: list[Seen] = field(default_factory=list)
    rewire: list[Seen] = field(default_factory=list)
    retrunk: list[Seen] = field(default_factory=list)
    orphans: list[dict[str, Any]] = field(default_factory=list)

    def writes_rows(self) -> bool:
        """Whether any database row is to change."""
        return bool(self.drift or self.complete or self.fail or self.adopt or self.resid)


def _gone(seen: Seen, ctx: Context, status: NumberStatus) -> bool:
    return seen.rec is None and seen.row.status == status and seen.settled(ctx)


def drift(seen: Seen, ctx: Context) -> bool:
    """Active here, gone at Twilio."""
    return _gone(seen, ctx, NumberStatus.active)


def complete(seen: Seen, ctx: Context) -> bool:
    """Releasing here, gone at Twilio: the release happened."""
    return _gone(seen, ctx, NumberStatus.releasing)


def fail(seen: Seen, ctx: Context) -> bool:
    """Pending too long and not at Twilio: the purchase never happened."""
    return _gone(seen, ctx, NumberStatus.pending) and seen.row.created_at < ctx.fail_before


def adopt(seen: Seen, ctx: Context) -> bool:
    """Pending here (past the purchase's own grace), at Twilio: the purchase happened."""
    row = seen.row
    return (
        seen.rec is not None
        and row.status == NumberStatus.pending
        and row.created_at < ctx.adopt_before
        and seen.settled(ctx)
    )


def retry_release(seen: Seen, ctx: Context) -> bool:
    """Releasing here for long, still at Twilio: a release whose process died midway."""
    return (
        seen.rec is not None
        and seen.row.status == NumberStatus.releasing
        and seen.settled(ctx)
        and seen.row.updated_at < ctx.fail_before
    )


def resid(seen: Seen, ctx: Context) -> bool:
    """Active, with another SID at Twilio than here."""
    return (
        seen.rec is not None
        and seen.row.status == NumberStatus.active
        and seen.row.twilio_sid != seen.rec.get("sid")
    )


def _kept(seen: Seen, ctx: Context) -> bool:
    """The row stays (or becomes) active after this run: its Twilio configuration matters."""
    if seen.row.status == NumberStatus.active:
        return True
    return "adopt" in ctx.actions and adopt(seen, ctx)


def rewire(seen: Seen, ctx: Context) -> bool:
    """A managed number whose owned channels are wired to other URLs than callplane's."""
    return (
        seen.rec is not None
        and seen.row.managed
        and _kept(seen, ctx)
        and not channels.is_wired(seen.rec, ctx.wanted(seen.row))
    )


def retrunk(seen: Seen, ctx: Context) -> bool:
    """On another trunk at Twilio than the one it is on here."""
    return (
        seen.rec is not None
        and seen.trunk_sid is not None
        and _kept(seen, ctx)
        and seen.rec.get("trunk_sid") != seen.trunk_sid
    )


@dataclass(frozen=True)
class Check:
    """One action's check: the run option that enables it, and the list it fills."""

    action: str
    bucket: str
    applies: Callable[[Seen, Context], bool]


CHECKS = (
    Check("drift", "drift", drift),
    Check("drift", "complete", complete),
    Check("pending", "fail", fail),
    Check("adopt", "adopt", adopt),
    Check("drift", "retry_release", retry_release),
    Check("drift", "resid", resid),
    Check("rewire", "rewire", rewire),
    Check("trunk", "retrunk", retrunk),
)


def compare(
    listing: dict[str, dict[str, Any]],
    rows: list[Row],
    trunks: dict[uuid.UUID, str],
    ctx: Context,
) -> Changes:
    """What the account needs: every enabled check, for every row in the run's scope."""
    changes = Changes()
    if "orphans" in ctx.actions:
        held = {r.e164 for r in rows}
        changes.orphans = [rec for e164, rec in listing.items() if e164 not in held]
    checks = [c for c in CHECKS if c.action in ctx.actions]
    for row in rows:
        if ctx.tenant_id is not None and row.tenant_id != ctx.tenant_id:
            continue
        trunk_sid = trunks.get(row.trunk_id) if row.trunk_id else None
        seen = Seen(row, listing.get(row.e164), trunk_sid)
        for check in checks:
            if check.applies(seen, ctx):
                getattr(changes, check.bucket).append(seen)
    return changes
