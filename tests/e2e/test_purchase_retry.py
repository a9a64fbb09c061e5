"""A purchase whose answer is lost, retried (issue 19 item 2): Twilio answers an account buying a
number it already owns with that number (201, as an update) — or, as it used to, 21422. Either
way the pending purchase is confirmed with that SID: one number, one row, never an orphan."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest.api.v2010.account.incoming_phone_number import IncomingPhoneNumberList

from callplane.numbers import purchase
from callplane.numbers.purchase import PENDING_GRACE
from tests.fixtures.jobs import age, reconcile, settle
from tests.fixtures.numbers import IPN_POST, NumbersKit


async def _one_number(numbers: NumbersKit, e164: str, body: dict[str, Any]) -> None:
    """Exactly one number at Twilio and one held row, the same SID, wired to callplane."""
    (held,) = await numbers.held(e164)
    assert body["status"] == "active" and body["twilio_sid"] == held["sid"]
    assert held["voice_url"].endswith("/webhooks/twilio/voice")
    rows = [r for r in await numbers.rows() if r.e164 == e164]
    assert [(r.status, r.twilio_sid) for r in rows] == [("active", held["sid"])]


async def test_a_dropped_answer_after_the_purchase_is_confirmed(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("subaccount")
    (e164,) = await numbers.available(t)
    await numbers.fault(method="POST", path=IPN_POST, after=True, drop=True, count=1)
    purchases = await numbers.spy()
    r = await numbers.buy(t, e164)
    assert r.status_code == 201, r.text
    assert await purchases.count() == 1  # looked up, not bought again
    await _one_number(numbers, e164, r.json())
    await settle(numbers.api)
    summary = await reconcile(numbers.api.runtime)
    assert summary["orphans"] == 0 and summary["drift_released"] == 0


async def test_a_retried_create_answered_as_an_update_confirms_that_sid(
    numbers: NumbersKit,
) -> None:
    """The first create buys and is answered 429 (after the work): the retry gets 201 with the
    number the account now owns."""
    t, _ = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    await numbers.fault(method="POST", path=IPN_POST, after=True, status=429, count=1)
    purchases = await numbers.spy()
    r = await numbers.buy(t, e164)
    assert r.status_code == 201, r.text
    assert await purchases.count() == 2
    await _one_number(numbers, e164, r.json())


async def test_a_retried_create_answered_21422_confirms_what_the_account_holds(
    numbers: NumbersKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twilio's older answer to an account buying its own number: 21422, not available."""
    original = IncomingPhoneNumberList.create_async
    calls = 0

    async def bought_then_refused(self: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            await original(self, **kwargs)
            raise TwilioRestException(429, "uri", "Too Many Requests", code=20429)
        raise TwilioRestException(400, "uri", "PhoneNumber is not available", code=21422)

    monkeypatch.setattr(IncomingPhoneNumberList, "create_async", bought_then_refused)
    t, _ = await numbers.tenant("byo")
    (e164,) = await numbers.available(t)
    r = await numbers.buy(t, e164)
    assert r.status_code == 201, r.text
    assert calls == 2
    await _one_number(numbers, e164, r.json())


async def test_an_outcome_learned_later_is_confirmed_with_that_sid(
    numbers: NumbersKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer is dropped and so is the lookup: pending; the same key later confirms it."""
    t, _ = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    key = f"k-{uuid.uuid4().hex}"
    await numbers.fault(method="POST", path=IPN_POST, after=True, drop=True, count=1)
    purchases = await numbers.spy()
    real = purchase._create_at_twilio

    async def create_then_fail_lookups(*args: Any, **kwargs: Any) -> Any:
        # The lookup before the intent passed; the one after the lost answer fails.
        try:
            return await real(*args, **kwargs)
        finally:
            await numbers.fault(method="GET", path=IPN_POST, status=400, count=1)

    monkeypatch.setattr(purchase, "_create_at_twilio", create_then_fail_lookups)
    r = await numbers.buy(t, e164, key=key)
    assert r.status_code == 502, r.text
    number_id = uuid.UUID(r.json()["error"]["number_id"])
    (row,) = await numbers.rows()
    assert row.status == "pending" and row.twilio_sid is None
    # Too soon: still pending. Later: the replay finds it in the account and confirms it.
    r = await numbers.buy(t, e164, key=key)
    assert r.status_code == 202 and r.json()["status"] == "pending"
    await age(numbers.api, number_id, int(PENDING_GRACE.total_seconds()))
    r = await numbers.buy(t, e164, key=key)
    assert r.status_code == 201, r.text
    assert await purchases.count() == 1
    await _one_number(numbers, e164, r.json())
    await settle(numbers.api)
    assert (await reconcile(numbers.api.runtime))["orphans"] == 0


async def test_a_number_already_in_the_account_is_imported_not_bought(
    numbers: NumbersKit,
) -> None:
    """Buying would act as an update (rewiring the customer's number) and a release would then
    delete it: refused before anything changes."""
    own = await numbers.byo_account()
    t = await numbers.api.tenant()
    await numbers.connect(t, "byo", own)
    (e164,) = await numbers.available(t)
    client = numbers.client(own["sid"], own["auth_token"])
    await client.api.v2010.accounts(own["sid"]).incoming_phone_numbers.create_async(
        phone_number=e164, voice_url="https://customer.example.com/voice"
    )
    (before,) = await numbers.held(e164)
    purchases = await numbers.spy()
    r = await numbers.buy(t, e164)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "phone_number_in_account"
    assert "import" in r.json()["error"]["message"]
    assert await purchases.count() == 0 and await numbers.rows() == []
    assert await numbers.held(e164) == [before]
