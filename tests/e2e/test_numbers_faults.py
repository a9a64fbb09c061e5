"""Twilio faults around purchases and releases: retried where safe, never bought twice."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import update
from twilio.rest.api.v2010.account.incoming_phone_number import IncomingPhoneNumberList

from callplane.numbers.models import PhoneNumber
from callplane.numbers.purchase import PENDING_GRACE
from tests.fixtures.numbers import IPN_POST, NumbersKit


async def _age(numbers: NumbersKit, number_id: str, by: timedelta) -> None:
    """Pretend the row was written `by` ago."""
    async with numbers.api.runtime.uow() as uow:
        row = await uow.session.get(PhoneNumber, uuid.UUID(number_id))
        assert row is not None
        await uow.session.execute(
            update(PhoneNumber)
            .where(PhoneNumber.id == row.id)
            .values(created_at=row.created_at - by)
        )
        await uow.commit()


async def test_a_5xx_purchase_is_not_retried_blindly(numbers: NumbersKit) -> None:
    """Twilio answers 500: looked up, not there, failed; the quota is free; a replay says so."""
    t, _ = await numbers.tenant("master", quota=1)
    a, b = await numbers.available(t, n=2)
    await numbers.fault(method="POST", path=IPN_POST, status=500, count=1)
    purchases = await numbers.spy()
    r = await numbers.buy(t, a, key="once")
    assert r.status_code == 502, r.text
    assert r.json()["error"]["code"] == "provider_error"
    assert await purchases.count() == 1
    assert await numbers.held(a) == []
    (row,) = await numbers.rows()
    assert row.status == "failed" and row.failure_code == "provider_error"
    r = await numbers.buy(t, a, key="once")
    assert r.status_code == 502 and r.json()["error"]["number_id"] == str(row.id)
    assert await purchases.count() == 1
    assert (await numbers.buy(t, b)).status_code == 201


async def test_a_rate_limited_purchase_is_retried(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    await numbers.fault(method="POST", path=IPN_POST, status=429, code=20429, count=1)
    r = await numbers.buy(t, e164)
    assert r.status_code == 201, r.text
    assert len(await numbers.held(e164)) == 1


async def test_a_lost_answer_after_the_purchase_is_adopted(
    numbers: NumbersKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The purchase happened but the answer was lost: found in the account, adopted, once."""
    original = IncomingPhoneNumberList.create_async

    async def bought_then_lost(self: Any, **kwargs: Any) -> Any:
        await original(self, **kwargs)
        raise aiohttp.ServerDisconnectedError()

    monkeypatch.setattr(IncomingPhoneNumberList, "create_async", bought_then_lost)
    t, _ = await numbers.tenant("subaccount")
    (e164,) = await numbers.available(t)
    r = await numbers.buy(t, e164)
    assert r.status_code == 201, r.text
    (held,) = await numbers.held(e164)
    assert r.json()["twilio_sid"] == held["sid"] and r.json()["status"] == "active"


async def test_a_lost_request_stays_pending_until_resolved(
    numbers: NumbersKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No answer and not in the account: kept pending (it may still land), resolved later."""

    async def lost(self: Any, **kwargs: Any) -> Any:
        raise aiohttp.ServerDisconnectedError()

    monkeypatch.setattr(IncomingPhoneNumberList, "create_async", lost)
    api = numbers.api
    t, _ = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    r = await numbers.buy(t, e164, key="lost")
    assert r.status_code == 502, r.text
    number_id = r.json()["error"]["number_id"]
    assert "same Idempotency-Key" in r.json()["error"]["message"]
    (row,) = await numbers.rows()
    assert row.status == "pending"

    # Too fresh to judge: the replay answers the pending number; releasing it must wait.
    r = await numbers.buy(t, e164, key="lost")
    assert r.status_code == 202 and r.json()["status"] == "pending"
    r = await api.client.delete(
        f"/v1/tenants/{t.id}/phone-numbers/{number_id}", headers=t.headers()
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "purchase_in_progress"

    # Later, the replay resolves it: Twilio does not have it, so it failed and frees the number.
    await _age(numbers, number_id, PENDING_GRACE)
    r = await numbers.buy(t, e164, key="lost")
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "purchase_not_completed"
    (row,) = await numbers.rows()
    assert row.status == "failed"
    monkeypatch.undo()
    assert (await numbers.buy(t, e164)).status_code == 201


async def test_a_number_taken_meanwhile_is_409_and_frees_the_quota(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("master", quota=1)
    a, b = await numbers.available(t, n=2)
    other = await numbers.byo_account("Somebody else")
    await (
        numbers.client(other["sid"], other["auth_token"])
        .api.v2010.accounts(other["sid"])
        .incoming_phone_numbers.create_async(phone_number=a)
    )
    r = await numbers.buy(t, a)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "phone_number_unavailable"
    assert r.json()["error"]["twilio_code"] == 21422
    (row,) = await numbers.rows()
    assert row.status == "failed" and row.failure_code == "phone_number_unavailable"
    assert (await numbers.buy(t, b)).status_code == 201


async def test_release_survives_twilio_failures(numbers: NumbersKit) -> None:
    api = numbers.api
    t, _ = await numbers.tenant("master")
    number = await numbers.bought(t)
    url = f"/v1/tenants/{t.id}/phone-numbers/{number['id']}"
    # A transient 500 is retried.
    await numbers.fault(method="DELETE", path=r"/IncomingPhoneNumbers/", status=500, count=1)
    r = await api.client.delete(url, headers=t.headers())
    assert r.status_code == 200 and r.json()["status"] == "released"
    assert await numbers.held(number["phone_number"]) == []

    # A refusal leaves it `releasing` (still held), and repeating the DELETE finishes it.
    number = await numbers.bought(t)
    url = f"/v1/tenants/{t.id}/phone-numbers/{number['id']}"
    await numbers.fault(method="DELETE", path=r"/IncomingPhoneNumbers/", status=400, code=20001)
    r = await api.client.delete(url, headers=t.headers())
    assert r.status_code == 502, r.text
    r = await api.client.get(url, headers=t.headers())
    assert r.json()["status"] == "releasing"
    await numbers.control("DELETE", "/__sandbox/faults")
    r = await api.client.delete(url, headers=t.headers())
    assert r.status_code == 200 and r.json()["status"] == "released"
    assert await numbers.held(number["phone_number"]) == []


async def test_release_of_a_number_already_gone_at_twilio(numbers: NumbersKit) -> None:
    """Twilio answers 20404: the number is released here all the same."""
    api = numbers.api
    t, main = await numbers.tenant("master")
    number = await numbers.bought(t)
    await (
        numbers.client()
        .api.v2010.accounts(main)
        .incoming_phone_numbers(number["twilio_sid"])
        .delete_async()
    )
    r = await api.client.delete(
        f"/v1/tenants/{t.id}/phone-numbers/{number['id']}", headers=t.headers()
    )
    assert r.status_code == 200 and r.json()["status"] == "released"
