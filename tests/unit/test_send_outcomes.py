"""Which repeated sends are looked up at Twilio (`messaging.outcomes.stale`)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from callplane.db.base import UTCDateTime, utcnow
from callplane.gateway.models import Event
from callplane.messaging import outcomes


def _send(state: str, *, age: timedelta, sid: str | None = None) -> Event:
    return Event(
        id=uuid.uuid4(),
        kind="outbound_sms",
        state=state,
        sid=sid,
        received_at=utcnow() - age,
        decision="routed",
    )


@pytest.mark.parametrize(
    ("state", "age", "sid", "looked_up"),
    [
        ("unknown", timedelta(0), None, True),  # every repeat looks again
        ("sending", timedelta(seconds=5), None, False),  # still in flight: answered as it is
        ("initiating", timedelta(seconds=5), None, False),
        ("sending", outcomes.IN_FLIGHT + timedelta(seconds=1), None, True),  # its process died
        ("initiating", outcomes.IN_FLIGHT + timedelta(seconds=1), None, True),
        ("queued", timedelta(hours=1), "SM" + "0" * 32, False),  # answered
        ("sending", outcomes.IN_FLIGHT * 2, "SM" + "0" * 32, False),
    ],
)
def test_a_repeat_looks_up_only_sends_never_answered(
    state: str, age: timedelta, sid: str | None, looked_up: bool
) -> None:
    assert outcomes.stale(_send(state, age=age, sid=sid)) is looked_up


def test_a_naive_time_read_back_from_sqlite_counts_as_utc() -> None:
    # `stale` compares with an aware now: the column type makes every time read back aware.
    event = _send("sending", age=outcomes.IN_FLIGHT * 2)
    naive = event.received_at.replace(tzinfo=None)
    event.received_at = UTCDateTime().process_result_value(naive, None)  # type: ignore[assignment]
    assert outcomes.stale(event)
