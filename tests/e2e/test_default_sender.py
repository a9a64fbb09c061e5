"""A tenant's default SMS sender, and the platform's SMS pool for tenants without numbers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.api import TenantKit
from tests.fixtures.numbers import NumbersKit

TO = "+14155550177"


async def _send(numbers: NumbersKit, t: TenantKit, role: str = "member", **body: Any):
    return await numbers.api.client.post(
        f"/v1/tenants/{t.id}/messages",
        json={"to": TO, "body": "Hi", **body},
        headers=t.headers(role),
    )


async def _default(numbers: NumbersKit, t: TenantKit, value: Any, role: str = "admin"):
    return await numbers.api.client.patch(
        f"/v1/tenants/{t.id}", json={"default_sms_from": value}, headers=t.headers(role)
    )


async def _sent(numbers: NumbersKit) -> list[dict[str, Any]]:
    return [m for m in (await numbers.state())["messages"] if m["direction"] == "outbound-api"]


async def test_messages_without_from_use_the_default_sender(numbers: NumbersKit) -> None:
    t, _ = await numbers.tenant("master")
    first = await numbers.bought(t)
    second = await numbers.bought(t)
    r = await _send(numbers, t)
    assert r.status_code == 422 and r.json()["error"]["code"] == "from_required"

    r = await _default(numbers, t, second["phone_number"][1:])  # normalised
    assert r.status_code == 200, r.text
    assert r.json()["default_sms_from"] == second["phone_number"]
    r = await _send(numbers, t)
    assert r.status_code == 201, r.text
    assert r.json()["from"] == second["phone_number"]
    assert r.json()["number_id"] == second["id"]
    # An explicit `from` still wins.
    r = await _send(numbers, t, **{"from": first["phone_number"]})
    assert r.status_code == 201 and r.json()["from"] == first["phone_number"]
    assert [m["from"] for m in await _sent(numbers)] == [
        second["phone_number"],
        first["phone_number"],
    ]

    # Releasing the default sender forgets it.
    r = await numbers.api.client.delete(
        f"/v1/tenants/{t.id}/phone-numbers/{second['id']}", headers=t.headers()
    )
    assert r.status_code == 200
    got = await numbers.api.client.get(f"/v1/tenants/{t.id}", headers=t.headers())
    assert got.json()["default_sms_from"] is None
    r = await _send(numbers, t)
    assert r.status_code == 422 and r.json()["error"]["code"] == "from_required"
    # Clearing it is allowed.
    assert (await _default(numbers, t, first["phone_number"])).status_code == 200
    r = await _default(numbers, t, None)
    assert r.status_code == 200 and r.json()["default_sms_from"] is None


async def test_the_default_sender_must_be_an_active_sms_number_of_the_tenant(
    numbers: NumbersKit,
) -> None:
    t, _ = await numbers.tenant("master")
    other, _ = await numbers.tenant("master")
    theirs = await numbers.bought(other)
    mine = await numbers.bought(t)
    for value in (theirs["phone_number"], "+14155550100"):
        r = await _default(numbers, t, value)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_default_sms_from"
    r = await _default(numbers, t, "not a number")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_phone_number"
    r = await _default(numbers, t, mine["phone_number"], role="member")
    assert r.status_code == 403
    # A tenant admin sets its sender, not its name or status.
    r = await numbers.api.client.patch(
        f"/v1/tenants/{t.id}",
        json={"name": "Renamed", "default_sms_from": mine["phone_number"]},
        headers=t.headers(),
    )
    assert r.status_code == 403
    got = (await numbers.api.client.get(f"/v1/tenants/{t.id}", headers=t.headers())).json()
    assert got["default_sms_from"] is None and got["name"] != "Renamed"
    # Another tenant's admin cannot touch it.
    r = await _default(numbers, other, mine["phone_number"])
    assert r.status_code == 422
    r = await numbers.api.client.patch(
        f"/v1/tenants/{t.id}",
        json={"default_sms_from": mine["phone_number"]},
        headers=other.headers(),
    )
    assert r.status_code == 404


async def test_the_pool_sends_for_tenants_without_a_sender(
    numbers: NumbersKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform, main = await numbers.tenant("master")
    pool = [(await numbers.bought(platform))["phone_number"] for _ in range(2)]
    # The pool's numbers live in the platform's own account (here bought through a tenant of
    # the master model).
    settings = numbers.api.runtime.settings
    t, _ = await numbers.tenant("byo")
    r = await _send(numbers, t)
    assert r.status_code == 422 and r.json()["error"]["code"] == "from_required"  # off

    monkeypatch.setattr(settings, "sms_pool_numbers", ",".join(pool))
    r = await _send(numbers, t)
    assert r.status_code == 201, r.text
    chosen = r.json()["from"]
    assert chosen in pool and r.json()["number_id"] is None
    assert r.json()["detail"]["pool"] is True
    (sent,) = await _sent(numbers)
    assert sent["from"] == chosen and sent["account_sid"] == main
    # The same recipient keeps hearing from the same number.
    r = await _send(numbers, t)
    assert r.json()["from"] == chosen
    # A default sender wins over the pool.
    mine = await numbers.bought(t)
    assert (await _default(numbers, t, mine["phone_number"])).status_code == 200
    r = await _send(numbers, t)
    assert r.json()["from"] == mine["phone_number"]
