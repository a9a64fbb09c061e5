"""Outbound sends whose answer was lost: found at Twilio, or `send_outcome_unknown`, and never
sent twice under one Idempotency-Key."""

from __future__ import annotations

from typing import Any

from callplane.db.base import utcnow
from callplane.jobs import sends
from tests.e2e.test_outbound_api import CUSTOMER, _agent
from tests.fixtures.api import Api, TenantKit
from tests.fixtures.jobs import Twin, buy, runs


def _sent(twin: Twin, body: str) -> list[dict[str, Any]]:
    return [m for m in twin.state()["messages"] if m["body"] == body]


async def _events(api: Api, t: TenantKit, kind: str) -> list[dict[str, Any]]:
    r = await api.client.get(f"/v1/tenants/{t.id}/events?kind={kind}", headers=t.headers())
    assert r.status_code == 200, r.text
    return list(r.json()["data"])


async def test_a_message_twilio_sent_before_failing_is_found_not_sent_again(
    api: Api, twin: Twin
) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    url = f"/v1/tenants/{t.id}/messages"
    body = {"from": n.e164, "to": CUSTOMER, "body": "lost answer"}
    # The same text sent earlier is recorded: it is not the lost answer's message.
    earlier = await api.client.post(url, json=body, headers=t.headers())
    assert earlier.status_code == 201, earlier.text
    twin.fault(method="POST", path="Messages.json$", after=True, status=500, count=1)
    headers = {**t.headers(), "Idempotency-Key": "lost-1"}
    first = await api.client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    sent = _sent(twin, "lost answer")
    assert len(sent) == 2
    found = first.json()
    assert found["sid"] in {m["sid"] for m in sent} - {earlier.json()["sid"]}
    assert found["status"] != "unknown" and found["detail"]["outcome"] != "unknown"
    assert found["detail"]["num_segments"] == earlier.json()["detail"]["num_segments"] == "1"
    again = await api.client.post(url, json=body, headers=headers)
    assert (again.status_code, again.json()["sid"]) == (200, found["sid"])
    assert len(_sent(twin, "lost answer")) == 2


async def test_a_call_whose_connection_dropped_is_found(api: Api, twin: Twin) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    agent = await _agent(api, t)
    twin.fault(method="POST", path="Calls.json$", after=True, drop=True, count=1)
    r = await api.client.post(
        f"/v1/tenants/{t.id}/calls",
        json={"from": n.e164, "to": CUSTOMER, "agent_id": agent},
        headers={**t.headers(), "Idempotency-Key": "call-1"},
    )
    assert r.status_code == 201, r.text
    placed = [c for c in twin.state()["calls"] if c["from"] == n.e164]
    assert [c["sid"] for c in placed] == [r.json()["sid"]]


async def test_a_send_not_found_is_unknown_under_its_key_until_it_is_found(
    api: Api, twin: Twin
) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    url = f"/v1/tenants/{t.id}/messages"
    body = {"from": n.e164, "to": CUSTOMER, "body": "maybe"}
    headers = {**t.headers(), "Idempotency-Key": "maybe-1"}
    # Twilio sends, then fails; and its list cannot be read for now.
    twin.fault(method="POST", path="Messages.json$", after=True, status=503, count=1)
    reads = twin.fault(method="GET", path="Messages.json$", status=500)
    first = await api.client.post(url, json=body, headers=headers)
    assert first.status_code == 502, first.text
    error = first.json()["error"]
    assert error["code"] == "send_outcome_unknown"
    (event,) = await _events(api, t, "outbound_sms")
    assert (event["id"], event["state"], event["sid"]) == (error["event_id"], "unknown", None)
    # Repeats of the key never send again, and say so while Twilio's list is unreadable.
    again = await api.client.post(url, json=body, headers=headers)
    assert (again.status_code, again.json()["error"]["code"]) == (502, "send_outcome_unknown")
    assert len(_sent(twin, "maybe")) == 1
    # Once it can be read, the next repeat finds the message.
    twin.clear_faults()
    assert reads
    found = await api.client.post(url, json=body, headers=headers)
    assert found.status_code == 200, found.text
    assert found.json()["sid"] == _sent(twin, "maybe")[0]["sid"]
    assert found.json()["id"] == error["event_id"]


async def test_a_send_twilio_never_made_is_unknown_and_a_new_key_sends(
    api: Api, twin: Twin
) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    url = f"/v1/tenants/{t.id}/messages"
    body = {"from": n.e164, "to": CUSTOMER, "body": "never made"}
    # A 5xx before Twilio acted looks like one after it: the send is looked up, not repeated.
    twin.fault(method="POST", path="Messages.json$", status=500, count=1)
    first = await api.client.post(url, json=body, headers={**t.headers(), "Idempotency-Key": "k1"})
    assert first.status_code == 502, first.text
    assert first.json()["error"]["code"] == "send_outcome_unknown"
    again = await api.client.post(url, json=body, headers={**t.headers(), "Idempotency-Key": "k1"})
    assert again.status_code == 502, again.text
    assert _sent(twin, "never made") == []
    fresh = await api.client.post(url, json=body, headers={**t.headers(), "Idempotency-Key": "k2"})
    assert fresh.status_code == 201, fresh.text
    assert [m["sid"] for m in _sent(twin, "never made")] == [fresh.json()["sid"]]
    states = sorted(e["state"] for e in await _events(api, t, "outbound_sms"))
    assert states[-1] == "unknown" and len(states) == 2


async def test_a_refused_send_frees_its_key(api: Api, twin: Twin) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    url = f"/v1/tenants/{t.id}/messages"
    body = {"from": n.e164, "to": CUSTOMER, "body": "refused"}
    headers = {**t.headers(), "Idempotency-Key": "refused-1"}
    twin.fault(method="POST", path="Messages.json$", status=400, code=21611, count=1)
    first = await api.client.post(url, json=body, headers=headers)
    assert first.status_code == 422, first.text
    assert await _events(api, t, "outbound_sms") == []
    again = await api.client.post(url, json=body, headers=headers)
    assert again.status_code == 201, again.text


async def test_the_hourly_pass_finds_what_nobody_repeated(api: Api, twin: Twin) -> None:
    t = await api.tenant()
    n = await buy(api, t)
    url = f"/v1/tenants/{t.id}/messages"
    # Sent, then failed, and not found for now; and one never made.
    twin.fault(method="POST", path="Messages.json$", after=True, status=500, count=1)
    twin.fault(method="GET", path="Messages.json$", status=500)
    made = await api.client.post(
        url, json={"from": n.e164, "to": CUSTOMER, "body": "made"}, headers=t.headers()
    )
    twin.clear_faults()
    twin.fault(method="POST", path="Messages.json$", status=500, count=1)
    lost = await api.client.post(
        url, json={"from": n.e164, "to": CUSTOMER, "body": "lost"}, headers=t.headers()
    )
    assert [r.json()["error"]["code"] for r in (made, lost)] == ["send_outcome_unknown"] * 2
    summary = await sends.sends_now(api.runtime, trigger="test")
    assert summary == {"looked_up": 2, "found": 1, "unknown": 1}
    by_id = {e["id"]: e for e in await _events(api, t, "outbound_sms")}
    (sent,) = _sent(twin, "made")
    assert by_id[made.json()["error"]["event_id"]]["sid"] == sent["sid"]
    assert by_id[lost.json()["error"]["event_id"]]["state"] == "unknown"
    # A day later the unknown one is no longer looked up.
    later = await sends.sends_now(api.runtime, trigger="test", now=utcnow() + sends.WINDOW * 2)
    assert later == {"looked_up": 0, "found": 0, "unknown": 0}
    (run,) = [r for r in await runs(api, "sends") if r.summary == summary]
    assert (run.trigger, run.status) == ("test", "succeeded")
