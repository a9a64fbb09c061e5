"""Finding a tenant's trunk at Twilio (DESIGN section 7, steps 1-3), reading only:

1. the stored trunk SID, if Twilio still has it;
2. a trunk of the account whose friendly name begins `{prefix}_{tag}_` (a lost database row);
3. exactly one legacy trunk (`{prefix}...` without a tag) holding at least one number, every
   number on it held by this tenant in callplane's database.

`ensure` acts on the answer (and creates a trunk when there is none); a dry run only reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from callplane.db.uow import UnitOfWork
from callplane.log import get_logger
from callplane.tenancy import TenantScope
from callplane.trunks import naming
from callplane.trunks.models import Trunk
from callplane.trunks.numbers import number_owners
from callplane.trunks.remote import TwilioTrunking

log = get_logger(__name__)


@dataclass
class Located:
    """A trunk found at Twilio for a tenant, and how."""

    remote: Any | None
    outcome: str | None  # existing | found | adopted | None (none: create)
    trunks: list[Any] | None = None  # the account's trunks, when listed


def oldest(items: list[Any]) -> Any:
    """The trunk made first (the one every replica settles on)."""
    return min(items, key=lambda t: (t.date_created is None, t.date_created, t.sid))


async def locate(
    *, uow: UnitOfWork, scope: TenantScope, tw: TwilioTrunking, prefix: str, row: Trunk | None
) -> Located:
    """Steps 1-3 of DESIGN section 7, read-only (a dry run can ask what would happen)."""
    if row is not None and row.account_sid == tw.account_sid:
        remote = await tw.fetch_trunk(row.twilio_sid)
        if remote is not None:
            return Located(remote, "existing")
        log.warning(
            "stored trunk is gone at Twilio",
            tenant_id=str(scope.tenant_id),
            trunk_sid=row.twilio_sid,
        )
    trunks = await tw.list_trunks()
    tagged = tagged_trunk(trunks, prefix, scope)
    if tagged is not None:
        return Located(tagged, "found", trunks)
    legacy = await _adoptable(uow=uow, scope=scope, tw=tw, prefix=prefix, trunks=trunks)
    return Located(legacy, "adopted" if legacy is not None else None, trunks)


def tagged_trunk(trunks: list[Any], prefix: str, scope: TenantScope) -> Any | None:
    """Step 2: the oldest of the trunks that carry the tenant's tag (its provider trunks, which
    carry the tag too, are not the tenant's own trunk)."""
    tagged = [
        t
        for t in trunks
        if naming.is_tagged_for(t.friendly_name, prefix, scope.tenant_id)
        and naming.provider_of_name(t.friendly_name, prefix, scope.tenant_id) is None
    ]
    if not tagged:
        return None
    chosen = oldest(tagged)
    if len(tagged) > 1:
        log.warning(
            "several trunks carry the tenant's tag; using the oldest",
            tenant_id=str(scope.tenant_id),
            chosen=chosen.sid,
            others=[t.sid for t in tagged if t.sid != chosen.sid],
        )
    return chosen


async def _adoptable(
    *, uow: UnitOfWork, scope: TenantScope, tw: TwilioTrunking, prefix: str, trunks: list[Any]
) -> Any | None:
    """Step 3: the one legacy trunk whose numbers all belong to this tenant, if exactly one."""
    candidates = []
    for legacy in (t for t in trunks if naming.is_legacy_name(t.friendly_name, prefix)):
        numbers = await tw.list_trunk_numbers(legacy.sid)
        if not numbers:
            continue  # an empty legacy trunk proves no ownership; it is never adopted
        owners = await number_owners(uow=uow, account_sid=tw.account_sid, remote_numbers=numbers)
        if all(n.sid in owners and owners[n.sid].tenant_id == scope.tenant_id for n in numbers):
            candidates.append(legacy)
    if len(candidates) > 1:
        log.warning(
            "several legacy trunks hold only this tenant's numbers; none adopted",
            tenant_id=str(scope.tenant_id),
            trunks=[t.sid for t in candidates],
        )
    return candidates[0] if len(candidates) == 1 else None
