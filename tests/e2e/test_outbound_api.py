"""Outbound SMS and calls: only from the tenant's own active numbers, through its account."""

from __future__ import annotations

from typing import Any

import pytest

from callplane.twilio.errors import TWILIO_ERRORS
from tests.fixtures.api import Api, TenantKit
from tests.fixtures.jobs import Twin, buy, connect_byo

CUSTOMER = "+14155550123"


async def _agent(api: Api, t: TenantKit) -> str:
    r = await api.client.post(
        f"/v1/tenants/{t.id}/agents",
        json={
            "name": "Ava",
            "voice": {"mode": "stream", "stream_url": "wss://ai.example.test/ws?x=1"},
        },
        headers=t.headers(),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_message_from_an_owned_number(api: Api, twin: Twin) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    r = await api.client.post(
        f"/v1/tenants/{t.id}/messages",
        json={
            "from": n.e164,
            "to": "(415) 555-0123".replace("(", "+1 ").replace(")", ""),
            "body": "Hello",
        },
        headers=t.headers("member"),  # members may send messages
    )
    assert r.status_code == 201, r.text
    sent = r.json()
    assert sent["kind"] == "outbound_sms" and sent["sid"].startswith("SM")
    assert (sent["from"], sent["to"], sent["body"]) == (n.e164, CUSTOMER, "Hello")
    assert sent["number_id"] == str(n.id)
    (msg,) = [m for m in twin.state()["messages"] if m["sid"] == sent["sid"]]
    assert (msg["account_sid"], msg["from"], msg["to"], msg["body"]) == (
        n.account_sid,
        n.e164,
        CUSTOMER,
        "Hello",
    )
    # Recorded as an event of the tenant.
    r = await api.client.get(
        f"/v1/tenants/{t.id}/events?kind=outbound_sms", headers=t.headers("member")
    )
    assert [e["sid"] for e in r.json()["data"]] == [sent["sid"]]


async def test_message_through_a_byo_account(api: Api, twin: Twin) -> None:
    t = await api.tenant()
    acct = twin.new_account("own")
    await connect_byo(api, t, acct)
    n = await buy(api, t)
    r = await api.client.post(
        f"/v1/tenants/{t.id}/messages",
        json={"from": n.e164, "to": CUSTOMER, "body": "hi"},
        headers=t.headers(),
    )
    assert r.status_code == 201, r.text
    (msg,) = [m for m in twin.state()["messages"] if m["sid"] == r.json()["sid"]]
    assert msg["account_sid"] == acct.sid


async def test_only_own_active_numbers_send(api: Api, twin: Twin) -> None:
    t = await api.tenant()
    other = await api.tenant()
    theirs = await buy(api, other)
    mine = await buy(api, t)
    sent_before = len(twin.state()["messages"])
    # Another tenant's number: as if it did not exist.
    r = await api.client.post(
        f"/v1/tenants/{t.id}/messages",
        json={"from": theirs.e164, "to": CUSTOMER, "body": "x"},
        headers=t.headers(),
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "from_number_not_found"
    # Nobody's number.
    r = await api.client.post(
        f"/v1/tenants/{t.id}/messages",
        json={"from": "+14155550199", "to": CUSTOMER, "body": "x"},
        headers=t.headers(),
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "from_number_not_found"
    # Not a number at all.
    r = await api.client.post(
        f"/v1/tenants/{t.id}/messages",
        json={"from": "hello", "to": CUSTOMER, "body": "x"},
        headers=t.headers(),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_phone_number"
    # Its own number, released: no longer sends.
    r = await api.client.delete(f"/v1/tenants/{t.id}/phone-numbers/{mine.id}", headers=t.headers())
    assert r.status_code == 200, r.text
    r = await api.client.post(
        f"/v1/tenants/{t.id}/messages",
        json={"from": mine.e164, "to": CUSTOMER, "body": "x"},
        headers=t.headers(),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "from_number_not_active"
    # Calls alike.
    agent = await _agent(api, t)
    r = await api.client.post(
        f"/v1/tenants/{t.id}/calls",
        json={"from": theirs.e164, "to": CUSTOMER, "agent_id": agent},
        headers=t.headers(),
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "from_number_not_found"
    assert len(twin.state()["messages"]) == sent_before
    assert twin.state()["calls"] == []


@pytest.mark.parametrize(
    ("to", "code", "twilio_code"),
    [
        ("+15005550001", "invalid_to_number", 21211),
        ("+15005550004", "recipient_unsubscribed", 21610),
        ("+15005550009", "to_number_not_mobile", 21614),
    ],
)
async def test_twilio_refusals_have_stable_codes(
    api: Api, twin: Twin, to: str, code: str, twilio_code: int
) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    r = await api.client.post(
        f"/v1/tenants/{t.id}/messages",
        json={"from": n.e164, "to": to, "body": "x"},
        headers=t.headers(),
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert (err["code"], err["twilio_code"]) == (code, twilio_code)
    # A refused send is not recorded as sent.
    r = await api.client.get(f"/v1/tenants/{t.id}/events?kind=outbound_sms", headers=t.headers())
    assert r.json()["data"] == []


def test_every_outbound_twilio_code_is_mapped() -> None:
    expected = {
        21211: "invalid_to_number",
        21212: "invalid_from_number",
        21606: "from_number_not_sms_capable",
        21610: "recipient_unsubscribed",
        21614: "to_number_not_mobile",
    }
    assert {c: TWILIO_ERRORS[c][1] for c in expected} == expected
    assert all(TWILIO_ERRORS[c][0] == 422 for c in expected)


async def test_idempotency_key_sends_once(api: Api, twin: Twin) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    body = {"from": n.e164, "to": CUSTOMER, "body": "once"}
    headers = {**t.headers(), "Idempotency-Key": "msg-1"}
    first = await api.client.post(f"/v1/tenants/{t.id}/messages", json=body, headers=headers)
    again = await api.client.post(f"/v1/tenants/{t.id}/messages", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["sid"] == again.json()["sid"]
    assert len([m for m in twin.state()["messages"] if m["body"] == "once"]) == 1


async def test_call_connects_to_the_agent(api: Api, twin: Twin) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    agent = await _agent(api, t)
    r = await api.client.post(
        f"/v1/tenants/{t.id}/calls",
        json={"from": n.e164, "to": CUSTOMER, "agent_id": agent},
        headers=t.headers("member"),
    )
    assert r.status_code == 403  # starting calls is a write for admins
    r = await api.client.post(
        f"/v1/tenants/{t.id}/calls",
        json={"from": n.e164, "to": CUSTOMER, "agent_id": agent},
        headers=t.headers(),
    )
    assert r.status_code == 201, r.text
    call = r.json()
    assert call["kind"] == "outbound_call" and call["sid"].startswith("CA")
    assert call["agent_id"] == agent
    state = twin.server.sandbox.state
    with state.lock:
        placed: Any = state.calls.get(call["sid"])
        assert placed is not None
        assert (placed.from_, placed.to, placed.account_sid) == (n.e164, CUSTOMER, n.account_sid)
        assert "wss://ai.example.test/ws" in (placed.twiml or "")
        assert (
            placed.status_callback
            == api.runtime.settings.public_base_url + "/webhooks/twilio/status"
        )
    # Another tenant's agent is not found.
    other = await api.tenant()
    foreign_agent = await _agent(api, other)
    r = await api.client.post(
        f"/v1/tenants/{t.id}/calls",
        json={"from": n.e164, "to": CUSTOMER, "agent_id": foreign_agent},
        headers=t.headers(),
    )
    assert r.status_code == 404
