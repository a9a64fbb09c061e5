"""Stripe subscription objects -> callplane subscriptions; when a cancellation is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from callplane.billing.service import plan_name_of, subscription_put_of
from callplane.tenants.service import cancellation_due

NOW = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())


def _sub(**fields: object) -> dict[str, object]:
    sub: dict[str, object] = {
        "id": "sub_1",
        "status": "active",
        "cancel_at_period_end": False,
        "cancel_at": None,
        "items": {
            "data": [
                {"current_period_end": NOW + 86400, "price": {"lookup_key": "pro", "metadata": {}}}
            ]
        },
        "metadata": {},
    }
    sub.update(fields)
    return sub


def test_plan_comes_from_price_metadata_then_lookup_key_then_subscription() -> None:
    assert plan_name_of(_sub()) == "pro"
    meta = _sub(items={"data": [{"price": {"lookup_key": "pro", "metadata": {"plan": "gold"}}}]})
    assert plan_name_of(meta) == "gold"
    bare = _sub(items={"data": [{"price": {}}]}, metadata={"plan": "basic"})
    assert plan_name_of(bare) == "basic"
    assert plan_name_of(_sub(items={"data": []})) is None


def test_statuses_map() -> None:
    for stripe_status, ours in (
        ("active", "active"),
        ("trialing", "active"),
        ("past_due", "past_due"),
        ("unpaid", "past_due"),
        ("incomplete", "past_due"),
        ("canceled", "canceled"),
        ("incomplete_expired", "canceled"),
    ):
        put = subscription_put_of(
            "customer.subscription.updated", _sub(status=stripe_status), "pro", NOW
        )
        assert put.status == ours, stripe_status


def test_deleted_is_canceled_now() -> None:
    put = subscription_put_of("customer.subscription.deleted", _sub(ended_at=NOW - 5), "pro", NOW)
    assert (put.status, put.cancel_at_period_end) == ("canceled", False)
    assert put.canceled_at == datetime.fromtimestamp(NOW - 5, tz=UTC)
    no_dates = subscription_put_of("customer.subscription.deleted", _sub(), "pro", NOW)
    assert no_dates.canceled_at == datetime.fromtimestamp(NOW, tz=UTC)


def test_cancel_at_period_end_keeps_it_active_until_the_end() -> None:
    put = subscription_put_of(
        "customer.subscription.updated", _sub(cancel_at_period_end=True), "pro", NOW
    )
    assert (put.status, put.cancel_at_period_end) == ("active", True)
    assert put.canceled_at == datetime.fromtimestamp(NOW + 86400, tz=UTC)
    at = subscription_put_of("customer.subscription.updated", _sub(cancel_at=NOW + 7), "pro", NOW)
    assert at.cancel_at_period_end and at.canceled_at == datetime.fromtimestamp(NOW + 7, tz=UTC)
    assert put.external_id == "sub_1"


def test_cancellation_due() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    past, future = now - timedelta(seconds=1), now + timedelta(days=1)

    def sub(status: str, at: datetime | None, end: bool = False) -> SimpleNamespace:
        return SimpleNamespace(status=status, canceled_at=at, cancel_at_period_end=end)

    assert cancellation_due(sub("canceled", past), now=now)
    assert not cancellation_due(sub("canceled", future), now=now)
    assert cancellation_due(sub("active", past, end=True), now=now)
    assert not cancellation_due(sub("active", future, end=True), now=now)
    assert not cancellation_due(sub("active", None), now=now)
    assert not cancellation_due(sub("past_due", past), now=now)
    assert not cancellation_due(None, now=now)
