"""Races: two tenants for one number, one key sent twice at once, the last unit of quota."""

from __future__ import annotations

import asyncio
import uuid

from tests.fixtures.numbers import NumbersKit


async def test_two_tenants_racing_for_one_number(numbers: NumbersKit) -> None:
    """One 201, one 409; the sandbox holds the number once, in the winner's account."""
    api = numbers.api
    # Different accounts: only the database stands between them and a double purchase.
    alice, alice_account = await numbers.tenant("master")
    bob, bob_account = await numbers.tenant("byo")
    (e164,) = await numbers.available(alice)
    purchases = await numbers.spy()
    answers = await asyncio.gather(numbers.buy(alice, e164), numbers.buy(bob, e164))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201, 409], [r.text for r in answers]
    winner = next(r for r in answers if r.status_code == 201)
    loser = next(r for r in answers if r.status_code == 409)
    assert loser.json()["error"]["code"] in (
        "phone_number_unavailable",
        "phone_number_owned_elsewhere",
    )
    (held,) = await numbers.held(e164)
    assert held["account_sid"] == winner.json()["account_sid"]
    assert held["account_sid"] in (alice_account, bob_account)
    assert await purchases.count() == 1
    live = [row for row in await numbers.rows() if row.status in ("pending", "active", "releasing")]
    assert [row.id for row in live] == [uuid.UUID(winner.json()["id"])]
    del api


async def test_the_same_key_twice_at_once_buys_once(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("master")
    (e164,) = await numbers.available(t)
    purchases = await numbers.spy()
    key = str(uuid.uuid4())
    answers = await asyncio.gather(numbers.buy(t, e164, key=key), numbers.buy(t, e164, key=key))
    assert {r.status_code for r in answers} <= {201, 202}, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    assert await purchases.count() == 1
    assert len(await numbers.held(e164)) == 1
    assert len(await numbers.rows()) == 1


async def test_the_last_unit_of_quota_goes_to_one_request(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("master", quota=1)
    a, b = await numbers.available(t, n=2)
    answers = await asyncio.gather(numbers.buy(t, a), numbers.buy(t, b))
    assert sorted(r.status_code for r in answers) == [201, 402], [r.text for r in answers]
    state = await numbers.state()
    assert len(state["numbers"]) == 1
    assert len(await numbers.rows()) == 1
