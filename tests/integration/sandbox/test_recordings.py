"""`<Start><Recording>`: the call is recorded from then on, and when it ends Twilio requests the
recording status callback (signed like every webhook) with the recording's fields."""

from __future__ import annotations

from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from tests.integration.sandbox.helpers import Account, WebhookReceiver, available

CALLER = "+12125550199"


def _recording_twiml(callback: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Start>'
        f'<Recording recordingStatusCallback="{callback}" channels="dual"/></Start>'
        '<Connect><Stream url="wss://ai.example.com/s"/></Connect></Response>'
    )


def _call(control: httpx.Client, to: str) -> dict[str, Any]:
    r = control.post("/__sandbox/inbound/call", json={"from": CALLER, "to": to})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_a_started_recording_is_reported_when_the_call_ends(
    subaccount: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    callback = f"{webhook_receiver.url}/recording?x=1"
    webhook_receiver.reply = _recording_twiml(callback)
    e164 = available(subaccount.client)
    subaccount.client.incoming_phone_numbers.create(
        phone_number=e164, voice_url=f"{webhook_receiver.url}/voice"
    )
    answer = _call(sandbox_control, e164)
    state = sandbox_control.get("/__sandbox/state").json()
    (call,) = [c for c in state["calls"] if c["sid"] == answer["call_sid"]]
    (running,) = call["recordings"]
    assert running["status"] == "in-progress" and running["channels"] == 2

    r = sandbox_control.post(
        "/__sandbox/inbound/status", json={"call_sid": answer["call_sid"], "status": "completed"}
    )
    (sent,) = r.json()["recordings"]
    assert sent["status"] == 200 and sent["sid"] == running["sid"] and sent["url"] == callback
    received = webhook_receiver.requests[-1]
    assert received.url == callback and received.method == "POST"
    form = received.form
    assert form["CallSid"] == answer["call_sid"] and form["AccountSid"] == subaccount.sid
    assert form["RecordingSid"] == running["sid"] and form["RecordingStatus"] == "completed"
    assert form["RecordingUrl"] == (
        f"https://api.twilio.com/2010-04-01/Accounts/{subaccount.sid}/Recordings/{running['sid']}"
    )
    assert form["RecordingChannels"] == "2" and int(form["RecordingDuration"]) >= 0
    assert form["RecordingSource"] == "StartCallRecordingTwiML"
    assert RequestValidator(subaccount.token).validate(
        received.url, form, received.headers["X-Twilio-Signature"]
    )
    # Reported once: a later status of the ended call sends nothing again.
    before = len(webhook_receiver.requests)
    r = sandbox_control.post(
        "/__sandbox/inbound/status", json={"call_sid": answer["call_sid"], "status": "completed"}
    )
    assert "recordings" not in r.json() and len(webhook_receiver.requests) == before


def test_no_recording_without_start_recording(
    subaccount: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    e164 = available(subaccount.client)
    subaccount.client.incoming_phone_numbers.create(
        phone_number=e164, voice_url=f"{webhook_receiver.url}/voice"
    )
    answer = _call(sandbox_control, e164)
    r = sandbox_control.post(
        "/__sandbox/inbound/status", json={"call_sid": answer["call_sid"], "status": "completed"}
    )
    assert "recordings" not in r.json()
    assert len(webhook_receiver.requests) == 1
