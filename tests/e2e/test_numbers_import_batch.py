"""Importing many numbers of a tenant's account at once: one paged read of the account, each
number imported or refused on its own (the codes a single import answers), in order."""

from __future__ import annotations

from typing import Any

from tests.fixtures.api import TenantKit
from tests.fixtures.numbers import NumbersKit

VOICE = "https://callplane.example.test/webhooks/twilio/voice"


async def _held(numbers: NumbersKit, account_sid: str) -> dict[str, dict[str, Any]]:
    """The account's numbers at Twilio by E.164."""
    state = await numbers.state()
    return {n["phone_number"]: n for n in state["numbers"] if n["account_sid"] == account_sid}


async def _account(numbers: NumbersKit, count: int) -> tuple[dict[str, str], list[str]]:
    own = await numbers.byo_account()
    await numbers.control(
        "POST", "/__sandbox/seed", json={"account_sid": own["sid"], "count": count}
    )
    return own, sorted(await _held(numbers, own["sid"]))


async def _batch(numbers: NumbersKit, t: TenantKit, body: dict[str, Any]) -> Any:
    return await numbers.api.client.post(
        f"/v1/tenants/{t.id}/phone-numbers/import/batch", json=body, headers=t.headers()
    )


async def test_a_list_is_imported_number_by_number(numbers: NumbersKit) -> None:
    own, held = await _account(numbers, 6)
    t = await numbers.api.tenant(quota=4)
    await numbers.connect(t, "byo", own)
    r = await numbers.api.client.post(
        f"/v1/tenants/{t.id}/phone-numbers/import",
        json={"phone_number": held[0], "manage_webhooks": True},
        headers=t.headers(),
    )
    assert r.status_code == 201, r.text
    pages = await numbers.spy("GET", r"/IncomingPhoneNumbers\.json")
    asked = [
        held[0],
        held[1][1:],
        "not a number",
        "+14155550000",
        held[1],
        held[2],
        held[3],
        held[4],
    ]
    r = await _batch(numbers, t, {"phone_numbers": asked, "manage_webhooks": True})
    assert r.status_code == 200, r.text
    out = r.json()
    got = [(i["phone_number"], i["result"], (i["error"] or {}).get("code")) for i in out["data"]]
    assert got == [
        (held[0], "already_held", None),
        (held[1], "imported", None),  # written without its +, as a single import takes it
        ("not a number", "failed", "invalid_phone_number"),
        ("+14155550000", "failed", "phone_number_not_in_account"),
        (held[1], "failed", "validation_error"),  # twice in the list
        (held[2], "imported", None),
        (held[3], "imported", None),
        (held[4], "failed", "phone_number_quota_exceeded"),  # the plan allows 4
    ]
    assert (out["imported"], out["already_held"], out["failed"]) == (3, 1, 4)
    assert await pages.count() == 1  # the account read once, no lookup per number
    at_twilio = await _held(numbers, own["sid"])
    for item in out["data"]:
        if item["result"] == "imported":
            assert item["status"] == "active"
            assert at_twilio[item["phone_number"]]["voice_url"] == VOICE
    # Nothing of a refused number is written: no row, its Twilio configuration untouched.
    rows = {r.e164 for r in await numbers.rows()}
    assert rows == {held[0], held[1], held[2], held[3]}
    assert at_twilio[held[4]]["voice_url"] != VOICE


async def test_all_takes_every_free_number_and_a_refused_wiring_fails_only_its_own(
    numbers: NumbersKit,
) -> None:
    # Wiring calls in flight at once, each answered its own response (twilio.client).
    own, held = await _account(numbers, 5)
    other = await numbers.api.tenant(quota=10)
    await numbers.connect(other, "byo", own)  # a byo account two tenants share
    r = await _batch(numbers, other, {"phone_numbers": [held[0]], "manage_webhooks": False})
    assert r.json()["imported"] == 1, r.text
    t = await numbers.api.tenant(quota=10)
    await numbers.connect(t, "byo", own)
    # Twilio refuses one wiring (whichever comes first): that number alone fails.
    await numbers.fault(
        method="POST",
        path=rf"/Accounts/{own['sid']}/IncomingPhoneNumbers/PN[0-9a-f]+\.json$",
        status=400,
        count=1,
    )
    r = await _batch(numbers, t, {"all": True, "manage_webhooks": True})
    assert r.status_code == 200, r.text
    out = r.json()
    results = {i["phone_number"]: (i["result"], i["status"], i["error"]) for i in out["data"]}
    assert sorted(results) == held
    assert results[held[0]][0] == "failed"
    assert results[held[0]][2]["code"] == "phone_number_owned_elsewhere"
    refused = [n for n in held[1:] if results[n][0] == "failed"]
    assert len(refused) == 1 and results[refused[0]][1] == "failed"  # left failed, as a single
    assert results[refused[0]][2]["code"] == "provider_error"
    assert {results[n][:2] for n in held[1:] if n not in refused} == {("imported", "active")}
    assert (out["imported"], out["already_held"], out["failed"]) == (3, 0, 2)


async def test_a_batch_names_its_numbers_or_all(numbers: NumbersKit) -> None:
    t = await numbers.api.tenant()
    for body in (
        {"manage_webhooks": True},
        {"all": True, "phone_numbers": ["+14155550100"], "manage_webhooks": True},
        {"phone_numbers": [], "manage_webhooks": True},
        {"phone_numbers": ["+14155550100"]},
    ):
        r = await _batch(numbers, t, body)
        assert r.status_code == 422, (body, r.text)
