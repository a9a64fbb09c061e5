"""The words of a phone number's life: its statuses, why it was released, where it came from.

The vocabulary only; what moves a number from one status to another is `numbers.lifecycle`
(kept apart because the model needs these words and the lifecycle needs the model).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum


class NumberStatus(StrEnum):
    """Where a number is in its life (DESIGN section 3)."""

    pending = "pending"  # the purchase (or import) is under way
    active = "active"
    releasing = "releasing"  # given up here; Twilio not done yet
    released = "released"
    failed = "failed"  # the purchase (or import) did not happen


class ReleaseReason(StrEnum):
    """Why a number was released."""

    user = "user"
    subscription_canceled = "subscription_canceled"
    drift = "drift"  # gone at Twilio behind callplane's back
    offboarded = "offboarded"


class NumberOrigin(StrEnum):
    """How the number came to the tenant: bought by callplane, or already the tenant's."""

    purchased = "purchased"
    imported = "imported"


# A number counts as held (quota, uniqueness, routing) in these statuses, in this order (the
# partial unique index's predicate is written from it, and must not change its text).
HELD_STATUSES: tuple[NumberStatus, ...] = (
    NumberStatus.pending,
    NumberStatus.active,
    NumberStatus.releasing,
)
HELD_SQL = "status IN (" + ", ".join(f"'{s.value}'" for s in HELD_STATUSES) + ")"

_changing: ContextVar[bool] = ContextVar("number_status_changing", default=False)


@contextmanager
def status_change() -> Iterator[None]:
    """The lifecycle's permission to set `PhoneNumber.status` (the model refuses it otherwise)."""
    token = _changing.set(True)
    try:
        yield
    finally:
        _changing.reset(token)


def status_change_allowed() -> bool:
    """Whether the code running now is the lifecycle changing a status."""
    return _changing.get()
