"""A webhook that fails: Twilio records the error and requests the number's fallback URL."""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from twilio.request_validator import RequestValidator

from callplane.sandbox.inbound import webhook_timers
from tests.integration.sandbox.helpers import Account, Received, WebhookReceiver, available

CALLER = "+12125550199"


def _inbound(control: httpx.Client, kind: str, to: str) -> dict[str, Any]:
    answer = control.post(
        f"/__sandbox/inbound/{kind}", json={"from": CALLER, "to": to, "body": "hi"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _signed(token: str, received: Received) -> bool:
    params = received.form if received.method == "POST" else {}
    return RequestValidator(token).validate(
        received.url, params, received.headers["X-Twilio-Signature"]
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _state(control: httpx.Client) -> dict[str, Any]:
    return control.get("/__sandbox/state").json()  # type: ignore[no-any-return]


def test_a_voice_webhook_answering_500_falls_back_with_error_code_and_url(
    subaccount: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.statuses = {"/fail": 500}
    primary, fallback = f"{webhook_receiver.url}/fail/voice?t=1", f"{webhook_receiver.url}/fallback"
    e164 = available(subaccount.client)
    number = subaccount.client.incoming_phone_numbers.create(
        phone_number=e164, voice_url=primary, voice_fallback_url=fallback
    )
    answer = _inbound(sandbox_control, "call", e164)
    assert (answer["url"], answer["status"], answer["twiml"]) == (
        fallback,
        200,
        webhook_receiver.reply,
    )
    assert answer["error_code"] == 11217
    assert answer["fallback"] == {
        "url": fallback,
        "method": "POST",
        "error_code": 11217,
        "error_url": primary,
        "primary_status": 500,
        "status": 200,
        "fallback_error_code": None,
    }
    first, second = webhook_receiver.requests
    assert (first.url, second.url) == (primary, fallback)
    assert second.form == {**first.form, "ErrorCode": "11217", "ErrorUrl": primary}
    # Signed with the owning (sub)account's token, like every webhook of its numbers.
    assert _signed(subaccount.token, first) and _signed(subaccount.token, second)
    assert subaccount.client.calls(answer["call_sid"]).fetch().status == "in-progress"
    state = _state(sandbox_control)
    (alert,) = state["alerts"]
    assert alert["error_code"] == 11217 and alert["request_url"] == primary
    assert alert["response_status"] == 500 and alert["resource_sid"] == answer["call_sid"]
    assert alert["account_sid"] == subaccount.sid and alert["phone_number_sid"] == number.sid
    (listed,) = state["numbers"]
    assert listed["fallback_requests"] == 1 and state["fallback_requests"] == 1


def test_an_unreachable_webhook_is_11205_and_falls_back(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    down = f"http://127.0.0.1:{_closed_port()}/voice"
    e164 = available(main.client)
    main.client.incoming_phone_numbers.create(
        phone_number=e164,
        voice_url=down,
        voice_fallback_url=f"{webhook_receiver.url}/fallback",
        voice_fallback_method="GET",
    )
    answer = _inbound(sandbox_control, "call", e164)
    assert answer["error_code"] == 11205 and answer["status"] == 200
    assert answer["fallback"]["primary_status"] is None
    (received,) = webhook_receiver.requests
    query = dict(parse_qsl(urlsplit(received.url).query))
    assert received.method == "GET" and query["ErrorCode"] == "11205" and query["ErrorUrl"] == down
    assert _signed(main.token, received)


def test_a_webhook_slower_than_its_read_timeout_is_11205_and_falls_back(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.delays = {"/slow": 3.0}
    slow = f"{webhook_receiver.url}/slow/voice#rt=300&tt=500"  # Twilio's connection overrides
    e164 = available(main.client)
    main.client.incoming_phone_numbers.create(
        phone_number=e164, voice_url=slow, voice_fallback_url=f"{webhook_receiver.url}/fallback"
    )
    started = time.monotonic()
    answer = _inbound(sandbox_control, "call", e164)
    assert time.monotonic() - started < 2.5
    assert answer["error_code"] == 11205 and answer["status"] == 200
    assert answer["fallback"]["error_url"] == f"{webhook_receiver.url}/slow/voice"
    primary, fallback = webhook_receiver.requests
    assert "#" not in primary.url  # the fragment is never sent (nor signed)
    assert _signed(main.token, primary)
    assert fallback.form["ErrorUrl"] == f"{webhook_receiver.url}/slow/voice"


def test_without_a_fallback_url_the_error_is_answered_and_the_call_fails(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.status = 503
    e164 = available(main.client)
    main.client.incoming_phone_numbers.create(
        phone_number=e164, voice_url=f"{webhook_receiver.url}/v"
    )
    answer = _inbound(sandbox_control, "call", e164)
    assert (answer["status"], answer["error_code"]) == (503, 11217)
    assert "fallback" not in answer
    assert main.client.calls(answer["call_sid"]).fetch().status == "failed"
    state = _state(sandbox_control)
    assert [a["error_code"] for a in state["alerts"]] == [11217]
    assert state["fallback_requests"] == 0


def test_a_failing_fallback_is_recorded_too(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.status = 500
    e164 = available(main.client)
    main.client.incoming_phone_numbers.create(
        phone_number=e164,
        voice_url=f"{webhook_receiver.url}/a",
        voice_fallback_url=f"{webhook_receiver.url}/b",
    )
    answer = _inbound(sandbox_control, "call", e164)
    assert answer["status"] == 500 and answer["fallback"]["fallback_error_code"] == 11217
    assert main.client.calls(answer["call_sid"]).fetch().status == "failed"
    assert len(_state(sandbox_control)["alerts"]) == 2


def test_a_failing_sms_webhook_falls_back_to_the_sms_fallback_url(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.statuses = {"/fail": 502}
    e164 = available(main.client)
    main.client.incoming_phone_numbers.create(
        phone_number=e164,
        sms_url=f"{webhook_receiver.url}/fail/sms",
        sms_fallback_url=f"{webhook_receiver.url}/sms-fallback",
        voice_fallback_url=f"{webhook_receiver.url}/voice-fallback",
    )
    answer = _inbound(sandbox_control, "sms", e164)
    assert answer["status"] == 200 and answer["fallback"]["url"].endswith("/sms-fallback")
    first, second = webhook_receiver.requests
    assert second.form["ErrorCode"] == "11217" and second.form["Body"] == "hi"
    assert second.form["MessageSid"] == answer["message_sid"] == first.form["MessageSid"]
    assert _signed(main.token, second)


def test_a_trunked_number_is_routed_by_its_trunk_whatever_its_fallback(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    trunk = main.client.trunking.v1.trunks.create(friendly_name="t")
    main.client.trunking.v1.trunks(trunk.sid).origination_urls.create(
        weight=10, priority=10, enabled=True, friendly_name="ai", sip_url="sip:ai@voice.example.com"
    )
    e164 = available(main.client)
    number = main.client.incoming_phone_numbers.create(
        phone_number=e164,
        voice_url=f"http://127.0.0.1:{_closed_port()}/down",
        voice_fallback_url=f"{webhook_receiver.url}/fallback",
    )
    main.client.trunking.v1.trunks(trunk.sid).phone_numbers.create(phone_number_sid=number.sid)
    answer = _inbound(sandbox_control, "call", e164)
    assert answer["url"] == "sip:ai@voice.example.com" and answer["trunk_sid"] == trunk.sid
    assert "fallback" not in answer and webhook_receiver.requests == []


def test_connection_override_timers() -> None:
    """Twilio's defaults (5 s to connect, 15 s to read, 15 s in all) and bounded overrides."""
    assert webhook_timers("https://h/v") == (5.0, 15.0, 15.0)
    assert webhook_timers("https://h/v#ct=1000&rt=2000&tt=3000") == (1.0, 2.0, 3.0)
    assert webhook_timers("https://h/v#ct=1&rt=99999&tt=x") == (0.1, 15.0, 15.0)
