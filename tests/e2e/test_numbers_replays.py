"""A purchase's Idempotency-Key after a failure (issue 16): freed when Twilio certainly did
nothing (a refusal before acting, no connection at all), so the retry tries again; otherwise the
stored failure answers again with every field of the first answer and says what to do."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from twilio.rest.api.v2010.account.incoming_phone_number import IncomingPhoneNumberList

from tests.fixtures.numbers import IPN_POST, NumbersKit

HINT = "use a new Idempotency-Key to try again"


async def test_a_rate_limited_purchase_frees_its_key(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("master", quota=1)
    (e164,) = await numbers.available(t)
    # Every attempt of the first request is refused with 20429: Twilio did nothing.
    await numbers.fault(method="POST", path=IPN_POST, status=429, code=20429, count=3)
    purchases = await numbers.spy()
    r = await numbers.buy(t, e164, key="k1")
    assert r.status_code == 502, r.text
    assert r.json()["error"]["twilio_code"] == 20429
    (row,) = await numbers.rows()
    assert row.status == "failed" and row.idempotency_key is None  # freed; the quota too
    r = await numbers.buy(t, e164, key="k1")
    assert r.status_code == 201, r.text
    assert await purchases.count() == 4 and len(await numbers.held(e164)) == 1
    # And now the key is the purchase's: a replay answers it, never buys twice.
    again = await numbers.buy(t, e164, key="k1")
    assert again.headers["idempotent-replayed"] == "true"
    assert again.status_code == 201 and again.json()["id"] == r.json()["id"]
    assert await purchases.count() == 4


async def test_a_refused_purchase_frees_its_key(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    await numbers.fault(method="POST", path=IPN_POST, status=400, code=21452, count=1)
    r = await numbers.buy(t, e164, key="k2")
    assert 400 <= r.status_code < 600 and r.status_code != 201, r.text
    assert r.json()["error"]["twilio_code"] == 21452
    r = await numbers.buy(t, e164, key="k2")
    assert r.status_code == 201, r.text


async def test_an_unreachable_twilio_frees_its_key(
    numbers: NumbersKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(self: Any, **kwargs: Any) -> Any:
        raise aiohttp.ClientConnectorError(
            aiohttp.client_reqrep.ConnectionKey(
                "api.twilio.com", 443, True, True, None, None, None
            ),
            ConnectionRefusedError(111, "Connection refused"),
        )

    monkeypatch.setattr(IncomingPhoneNumberList, "create_async", refused)
    t, _ = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    r = await numbers.buy(t, e164, key="k3")
    assert r.status_code == 502, r.text
    assert "nothing was bought" in r.json()["error"]["message"]
    (row,) = await numbers.rows()
    assert row.status == "failed" and row.idempotency_key is None  # not pending: nothing sent
    monkeypatch.undo()
    assert (await numbers.buy(t, e164, key="k3")).status_code == 201


async def test_a_replayed_failure_keeps_every_field_and_says_what_to_do(
    numbers: NumbersKit,
) -> None:
    t, _ = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    # A 5xx: Twilio may have acted. Looked up, not there, failed; the key keeps that answer.
    await numbers.fault(method="POST", path=IPN_POST, status=500, code=20500, count=1)
    purchases = await numbers.spy()
    first = await numbers.buy(t, e164, key="k4")
    assert first.status_code == 502, first.text
    error = first.json()["error"]
    assert error["twilio_code"] == 20500 and error["hint"] == HINT
    for _ in range(2):
        replay = await numbers.buy(t, e164, key="k4")
        assert replay.status_code == first.status_code
        assert replay.json()["error"] == error
    assert await purchases.count() == 1
    # A new key tries again.
    assert (await numbers.buy(t, e164, key="k5")).status_code == 201
