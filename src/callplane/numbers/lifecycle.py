"""The one owner of a phone number's status: every transition written once, as data, and enforced.

    new row -> pending --activate--> active --begin_release--> releasing
                  |                   ^  |                        |  |
                 fail                 |  +--drift_release--+      |  +--abandon_release--> active
                  v                   |                    v      v
                failed --activate-----+                  released <-- finish_release | hand_back

- `activate` also takes a `failed` row: a purchase whose intent was given up as lost while
  Twilio sold the number after all is confirmed when the answer arrives.
- `hand_back` is the release of an imported number that stays in the tenant's account;
  `finish_release` the release of one Twilio took back. Which one a release ends with, and so
  what releasing does at Twilio, is decided by `release_at_twilio` alone, by origin.

A row changes through `apply` (an ORM object) or `apply_many` (one UPDATE for many rows with the
transition's check in its WHERE clause: a row that moved meanwhile is left alone). The model
refuses a status set anywhere else (`PhoneNumber._status_by_lifecycle`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import object_session

from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import NumberOrigin, NumberStatus, ReleaseReason, status_change
from callplane.tenancy import TenantScope

S = NumberStatus
Reason = ReleaseReason | ColumnElement[Any]  # an SQL expression for many rows at once


class Transition(StrEnum):
    """The ways a number's status may change."""

    activate = "activate"
    fail = "fail"
    begin_release = "begin_release"
    finish_release = "finish_release"
    hand_back = "hand_back"
    drift_release = "drift_release"
    abandon_release = "abandon_release"


@dataclass(frozen=True)
class Rule:
    """From which statuses a transition may start, where it leads, and for which origin."""

    sources: frozenset[NumberStatus]
    target: NumberStatus
    origin: NumberOrigin | None = None  # None: any


TRANSITIONS: Mapping[Transition, Rule] = MappingProxyType(
    {
        Transition.activate: Rule(frozenset({S.pending, S.failed}), S.active),
        Transition.fail: Rule(frozenset({S.pending}), S.failed),
        Transition.begin_release: Rule(frozenset({S.active}), S.releasing),
        Transition.finish_release: Rule(frozenset({S.releasing}), S.released),
        Transition.hand_back: Rule(frozenset({S.releasing}), S.released, NumberOrigin.imported),
        Transition.drift_release: Rule(frozenset({S.active}), S.released),
        Transition.abandon_release: Rule(frozenset({S.releasing}), S.active),
    }
)


class IllegalTransition(RuntimeError):
    """A transition asked of a number whose status (or origin) does not allow it: a bug."""


class AtTwilio(StrEnum):
    """What releasing a number does at Twilio."""

    delete = "delete"  # Twilio takes the number back
    keep = "keep"  # it stays in the tenant's account, handed back


def release_at_twilio(number: PhoneNumber, *, delete_confirmed: bool = False) -> AtTwilio:
    """What releasing this number does at Twilio: decided here only, by origin.

    A purchased number goes back to Twilio. An imported one is the customer's: it is never
    deleted there (by a user, a cancellation, offboarding or a job) but handed back, its saved
    configuration restored (DESIGN section 13); only an admin's explicit, confirmed request
    (`DELETE ...?at_twilio=true` with the E.164) deletes it.
    """
    if number.origin == NumberOrigin.imported and not delete_confirmed:
        return AtTwilio.keep
    return AtTwilio.delete


@dataclass(frozen=True)
class Change:
    """A transition and the columns that change with it (the same for one row or many)."""

    transition: Transition
    fields: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def activate(cls, *, twilio_sid: str | None, capabilities: Mapping[str, bool]) -> Change:
        """Twilio holds the number for the tenant: bought, adopted or imported."""
        return cls(
            Transition.activate,
            {
                "twilio_sid": twilio_sid,
                "capabilities": dict(capabilities),
                "purchased_at": utcnow(),
                "failure_code": None,
                "failure_reason": None,
            },
        )

    @classmethod
    def fail(cls, *, code: str, reason: str, detail: dict[str, Any] | None = None) -> Change:
        """The purchase (or import) did not happen; the row keeps why (and what was answered)."""
        return cls(
            Transition.fail,
            {"failure_code": code, "failure_reason": reason[:500], "failure_detail": detail},
        )

    @classmethod
    def begin_release(cls, reason: ReleaseReason) -> Change:
        """Given up here; Twilio is told next."""
        return cls(Transition.begin_release, {"release_reason": reason})

    @classmethod
    def end_release(cls, at_twilio: AtTwilio, reason: ReleaseReason) -> Change:
        """The release done: `hand_back` when the number stayed at Twilio, else
        `finish_release` (what `release_at_twilio` decided)."""
        kept = at_twilio is AtTwilio.keep
        return cls._released(Transition.hand_back if kept else Transition.finish_release, reason)

    @classmethod
    def finish_release(cls, reason: Reason) -> Change:
        """Twilio no longer has the number (in bulk, `reason` may be an SQL expression)."""
        return cls._released(Transition.finish_release, reason)

    @classmethod
    def drift_release(cls) -> Change:
        """Gone at Twilio behind callplane's back while active here."""
        return cls._released(Transition.drift_release, ReleaseReason.drift)

    @classmethod
    def abandon_release(cls) -> Change:
        """The tenant keeps the number after all (its subscription is active again)."""
        return cls(Transition.abandon_release, {"release_reason": None})

    @classmethod
    def _released(cls, transition: Transition, reason: Reason) -> Change:
        return cls(
            transition,
            {"released_at": utcnow(), "release_reason": reason, "agent_id": None, "trunk_id": None},
        )


def allowed(number: PhoneNumber, transition: Transition) -> bool:
    """Whether the number may take this transition now."""
    rule = TRANSITIONS[transition]
    return number.status in rule.sources and rule.origin in (None, number.origin)


def new_number(*, origin: NumberOrigin, **fields: Any) -> PhoneNumber:
    """A new row: every number starts `pending` (the intent), bought or imported alike."""
    with status_change():
        return PhoneNumber(status=S.pending, origin=origin, **fields)


def apply(number: PhoneNumber, change: Change) -> None:
    """Move one row (not committed); IllegalTransition when its status does not allow it."""
    if not allowed(number, change.transition):
        raise IllegalTransition(
            f"{change.transition} is not allowed for a {number.origin} number that is "
            f"{number.status} ({number.id})"
        )
    with status_change():
        number.status = TRANSITIONS[change.transition].target
    for name, value in change.fields.items():
        setattr(number, name, value)
    session = object_session(number)
    if session is not None:  # the tenant's event, in the transaction that makes the change
        _emit(session, change, number.id, number.tenant_id, number.e164, number.origin)


@dataclass(frozen=True)
class Changed:
    """A row `apply_many` changed."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    e164: str


async def apply_many(
    *,
    uow: UnitOfWork,
    scope: TenantScope | None,
    change: Change,
    where: Sequence[ColumnElement[bool]],
    now: datetime | None = None,
) -> list[Changed]:
    """Apply one change to every row matching `where` that may take it; the rows changed.

    The transition's check is part of the UPDATE's WHERE clause, so a row another transaction
    moved meanwhile is not touched. `scope` confines it to a tenant (None: every tenant).
    """
    rule = TRANSITIONS[change.transition]
    guard: list[ColumnElement[bool]] = [PhoneNumber.status.in_(rule.sources)]
    if rule.origin is not None:
        guard.append(PhoneNumber.origin == rule.origin)
    rows = await uow.repo(PhoneNumber, scope).update_returning(
        *guard,
        *where,
        returning=(PhoneNumber.id, PhoneNumber.tenant_id, PhoneNumber.e164, PhoneNumber.origin),
        status=rule.target,
        updated_at=now or utcnow(),
        **change.fields,
    )
    for row in rows:
        _emit(uow, change, row[0], row[1], row[2], row[3])
    return [Changed(id=row[0], tenant_id=row[1], e164=row[2]) for row in rows]


# transition -> the tenant event it is (events/catalog.py); the others are not events.
_EVENT_TYPES = {
    Transition.finish_release: "number.released",
    Transition.drift_release: "number.released",
    Transition.hand_back: "number.handed_back",
}


def _emit(
    into: Any,
    change: Change,
    number_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    e164: str,
    origin: str | None,
) -> None:
    event_type = _EVENT_TYPES.get(change.transition)
    if change.transition == Transition.activate:
        event_type = "number.imported" if origin == NumberOrigin.imported else "number.bought"
    if event_type is None or tenant_id is None:
        return
    from callplane.events.service import emit

    reason = change.fields.get("release_reason")
    emit(
        into,
        tenant_id=tenant_id,
        event_type=event_type,
        data={
            "number_id": str(number_id),
            "phone_number": e164,
            "status": TRANSITIONS[change.transition].target.value,
            "detail": {"reason": str(reason) if isinstance(reason, str) else None},
        },
    )
