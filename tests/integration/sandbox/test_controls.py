"""Test controls: fault injection, inbound simulation (signed webhooks), state, reset, seed."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import requests
from twilio.request_validator import RequestValidator

from callplane.sandbox.app import create_sandbox_app
from callplane.sandbox.faults import ConnectionDropped
from callplane.sandbox.server import SandboxServer
from tests.integration.sandbox.helpers import (
    Account,
    Received,
    WebhookReceiver,
    available,
    raw,
    twilio_error,
)

CALLER = "+12125550199"


# -- faults ---------------------------------------------------------------------------------


def test_fault_rate_one_answers_the_given_error(
    main: Account, sandbox_control: httpx.Client
) -> None:
    rule = sandbox_control.post(
        "/__sandbox/faults",
        json={
            "method": "POST",
            "path": "IncomingPhoneNumbers",
            "rate": 1,
            "status": 500,
            "code": 20500,
        },
    )
    assert rule.status_code == 201 and isinstance(rule.json()["id"], int)
    e164 = available(main.client)
    assert twilio_error(lambda: main.client.incoming_phone_numbers.create(phone_number=e164)) == (
        500,
        20500,
    )
    # Other methods and paths are untouched.
    assert main.client.incoming_phone_numbers.list() == []
    assert sandbox_control.delete("/__sandbox/faults").json() == {"cleared": 1}
    assert main.client.incoming_phone_numbers.create(phone_number=e164).phone_number == e164


def test_fault_latency_only_delays(main: Account, sandbox_control: httpx.Client) -> None:
    sandbox_control.post(
        "/__sandbox/faults", json={"path": r"/Accounts/AC\w+\.json$", "latency_ms": 300}
    )
    started = time.monotonic()
    account = main.client.api.v2010.accounts(main.sid).fetch()
    assert time.monotonic() - started >= 0.3
    assert account.sid == main.sid


def test_fault_count_and_rate_zero(main: Account, sandbox_control: httpx.Client) -> None:
    sandbox_control.post("/__sandbox/faults", json={"path": "Trunks", "status": 503, "count": 1})
    sandbox_control.post("/__sandbox/faults", json={"path": "Trunks", "status": 429, "rate": 0})
    assert twilio_error(lambda: main.client.trunking.v1.trunks.create(friendly_name="x")) == (
        503,
        20500,
    )
    assert main.client.trunking.v1.trunks.create(friendly_name="x").friendly_name == "x"
    listed = sandbox_control.get("/__sandbox/faults").json()["faults"]
    assert [f["fired"] for f in listed] == [1, 0]


def test_fault_rule_validation(sandbox_control: httpx.Client) -> None:
    for bad in (
        {"path": "(", "status": 500},
        {"status": 200},
        {"rate": 2, "status": 500},
        {},
        [1],
        {"drop": True, "status": 500},  # an answer or no answer, not both
        {"after": "yes", "status": 500},
        {"drop": 1},
        {"after": True},  # nothing to do after acting
    ):
        assert sandbox_control.post("/__sandbox/faults", json=bad).status_code == 400, bad
    assert sandbox_control.post("/__sandbox/faults", content=b"{nope").status_code == 400


def test_after_rule_acts_then_answers_the_error(
    main: Account, sandbox_control: httpx.Client
) -> None:
    rule = {"method": "POST", "path": "IncomingPhoneNumbers", "after": True, "status": 500}
    assert sandbox_control.post("/__sandbox/faults", json={**rule, "count": 1}).json()["after"]
    e164 = available(main.client)
    assert twilio_error(lambda: main.client.incoming_phone_numbers.create(phone_number=e164)) == (
        500,
        20500,
    )
    # Twilio bought it all the same: the client that saw a 500 now owns the number.
    assert [n.phone_number for n in main.client.incoming_phone_numbers.list()] == [e164]


def test_after_drop_acts_then_closes_the_connection_without_an_answer(
    main: Account, sandbox: SandboxServer, sandbox_control: httpx.Client
) -> None:
    number = main.client.incoming_phone_numbers.create(phone_number=available(main.client))
    rule = {"method": "DELETE", "path": "IncomingPhoneNumbers", "after": True, "drop": True}
    sandbox_control.post("/__sandbox/faults", json=rule)
    path = f"/api/2010-04-01/Accounts/{main.sid}/IncomingPhoneNumbers/{number.sid}.json"
    with raw(sandbox, main.sid, main.token) as http, pytest.raises(httpx.RemoteProtocolError):
        http.delete(path)  # "Server disconnected without sending a response"
    assert main.client.incoming_phone_numbers.list() == []  # released all the same
    assert sandbox_control.get("/__sandbox/faults").json()["faults"][0]["fired"] == 1


def test_drop_before_acting_does_nothing(main: Account, sandbox_control: httpx.Client) -> None:
    sandbox_control.post("/__sandbox/faults", json={"path": "^/v1/Trunks$", "drop": True})
    with pytest.raises(requests.ConnectionError, match="without response"):
        main.client.trunking.v1.trunks.create(friendly_name="never")  # the SDK's requests client
    sandbox_control.delete("/__sandbox/faults")
    assert main.client.trunking.v1.trunks.list() == []


def test_after_latency_acts_then_answers_late(main: Account, sandbox_control: httpx.Client) -> None:
    rule = {"method": "POST", "path": "^/v1/Trunks$", "after": True, "latency_ms": 600}
    sandbox_control.post("/__sandbox/faults", json=rule)
    seen_at: list[float] = []

    def watch() -> None:  # polls the trunks while the create is in flight
        while not seen_at:
            if main.client.trunking.v1.trunks.list():
                seen_at.append(time.monotonic())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    main.client.trunking.v1.trunks.create(friendly_name="late")
    answered = time.monotonic()
    watcher.join(2)
    assert answered - started >= 0.6
    assert seen_at and seen_at[0] < answered - 0.3  # the trunk existed well before the answer


def test_after_rules_fire_only_when_the_work_was_done(
    main: Account, sandbox_control: httpx.Client
) -> None:
    sandbox_control.post(
        "/__sandbox/faults",
        json={"method": "POST", "path": "IncomingPhoneNumbers", "after": True, "status": 503},
    )
    refused = twilio_error(
        lambda: main.client.incoming_phone_numbers.create(phone_number="+15005550001")
    )
    assert refused == (400, 21421)  # Twilio refused: nothing done, the rule does not fire
    assert sandbox_control.get("/__sandbox/faults").json()["faults"][0]["fired"] == 0


async def test_drop_in_process_raises_to_the_client() -> None:
    app = create_sandbox_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        await http.post("/__sandbox/faults", json={"path": "Accounts", "drop": True})
        with pytest.raises(ConnectionDropped):
            await http.get(f"/api/2010-04-01/Accounts/{app.state.account_sid}.json")


def test_faults_never_touch_controls(sandbox_control: httpx.Client) -> None:
    sandbox_control.post("/__sandbox/faults", json={"path": ".*", "status": 500})
    assert sandbox_control.get("/__sandbox/state").status_code == 200


# -- inbound --------------------------------------------------------------------------------


def _valid(token: str, received: Received, method: str = "POST") -> bool:
    validator = RequestValidator(token)
    signature = received.headers["X-Twilio-Signature"]
    return validator.validate(received.url, received.form if method == "POST" else {}, signature)


def test_inbound_call_posts_signed_form_to_voice_url(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    e164 = available(main.client)
    main.client.incoming_phone_numbers.create(
        phone_number=e164, voice_url=f"{webhook_receiver.url}/webhooks/twilio/voice?tenant=1"
    )
    answer = sandbox_control.post(
        "/__sandbox/inbound/call", json={"from": CALLER, "to": e164}
    ).json()
    assert answer["url"] == f"{webhook_receiver.url}/webhooks/twilio/voice?tenant=1"
    assert answer["status"] == 200
    assert answer["twiml"] == webhook_receiver.reply
    (received,) = webhook_receiver.requests
    form = received.form
    assert form["AccountSid"] == main.sid
    assert form["From"] == CALLER and form["To"] == e164
    assert form["Caller"] == CALLER and form["Called"] == e164
    assert form["CallStatus"] == "ringing" and form["Direction"] == "inbound"
    assert form["ApiVersion"] == "2010-04-01"
    assert form["CallSid"].startswith("CA") and form["CallSid"] == answer["call_sid"]
    assert received.headers["I-Twilio-Idempotency-Token"]
    assert _valid(main.token, received)
    assert not _valid("0" * 32, received)
    call = main.client.calls(form["CallSid"]).fetch()
    assert call.direction == "inbound" and call.to == e164


def test_inbound_for_subaccount_number_is_signed_with_its_own_token(
    main: Account,
    subaccount: Account,
    sandbox_control: httpx.Client,
    webhook_receiver: WebhookReceiver,
) -> None:
    e164 = available(main.client)
    subaccount.client.incoming_phone_numbers.create(
        phone_number=e164, sms_url=f"{webhook_receiver.url}/webhooks/twilio/sms"
    )
    answer = sandbox_control.post(
        "/__sandbox/inbound/sms", json={"from": CALLER, "to": e164, "body": "hi there"}
    ).json()
    assert answer["status"] == 200
    (received,) = webhook_receiver.requests
    assert received.form["AccountSid"] == subaccount.sid
    assert received.form["Body"] == "hi there"
    assert received.form["MessageSid"].startswith("SM")
    assert received.form["NumMedia"] == "0"
    assert received.form["SmsStatus"] == "received"
    assert _valid(subaccount.token, received)
    assert not _valid(main.token, received)
    inbound = subaccount.client.messages(received.form["MessageSid"]).fetch()
    assert inbound.direction == "inbound" and inbound.body == "hi there"


def test_inbound_get_webhook_signs_the_full_url(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    e164 = available(main.client)
    main.client.incoming_phone_numbers.create(
        phone_number=e164, voice_url=f"{webhook_receiver.url}/voice?x=1", voice_method="GET"
    )
    answer = sandbox_control.post(
        "/__sandbox/inbound/call", json={"from": CALLER, "to": e164}
    ).json()
    (received,) = webhook_receiver.requests
    assert received.method == "GET"
    query = dict(parse_qsl(urlsplit(received.url).query))
    assert query["x"] == "1" and query["To"] == e164
    assert answer["url"] == received.url
    assert _valid(main.token, received, method="GET")


def test_inbound_call_to_trunk_number_goes_to_origination(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    trunk = main.client.trunking.v1.trunks.create(
        friendly_name="t", domain_name="tenant-x.pstn.twilio.com"
    )
    main.client.trunking.v1.trunks(trunk.sid).origination_urls.create(
        weight=10, priority=10, enabled=True, friendly_name="ai", sip_url="sip:ai@voice.example.com"
    )
    e164 = available(main.client)
    number = main.client.incoming_phone_numbers.create(
        phone_number=e164, voice_url=f"{webhook_receiver.url}/voice"
    )
    main.client.trunking.v1.trunks(trunk.sid).phone_numbers.create(phone_number_sid=number.sid)
    answer = sandbox_control.post(
        "/__sandbox/inbound/call", json={"from": CALLER, "to": e164}
    ).json()
    assert answer["url"] == "sip:ai@voice.example.com"
    assert answer["status"] is None and answer["twiml"] is None
    assert answer["trunk_sid"] == trunk.sid
    assert webhook_receiver.requests == []  # the voice URL is ignored for a trunked number
    # SMS still goes to the number's SMS URL (none here).
    sms = sandbox_control.post(
        "/__sandbox/inbound/sms", json={"from": CALLER, "to": e164, "body": "x"}
    )
    assert sms.json()["url"] is None


def test_inbound_status_callback(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    e164 = available(main.client)
    main.client.incoming_phone_numbers.create(
        phone_number=e164,
        voice_url=f"{webhook_receiver.url}/voice",
        status_callback=f"{webhook_receiver.url}/status",
    )
    call_sid = sandbox_control.post(
        "/__sandbox/inbound/call", json={"from": CALLER, "to": e164}
    ).json()["call_sid"]
    answer = sandbox_control.post(
        "/__sandbox/inbound/status", json={"call_sid": call_sid, "status": "completed"}
    ).json()
    assert answer["status"] == 200
    status_request = webhook_receiver.requests[-1]
    assert status_request.url.endswith("/status")
    assert status_request.form["CallStatus"] == "completed"
    assert status_request.form["CallSid"] == call_sid
    assert "CallDuration" in status_request.form
    assert _valid(main.token, status_request)
    assert main.client.calls(call_sid).fetch().status == "completed"


def test_inbound_errors(main: Account, sandbox_control: httpx.Client) -> None:
    assert (
        sandbox_control.post(
            "/__sandbox/inbound/call", json={"from": CALLER, "to": "+14155550100"}
        ).status_code
        == 404
    )
    assert (
        sandbox_control.post("/__sandbox/inbound/sms", json={"to": "+14155550100"}).status_code
        == 400
    )
    assert (
        sandbox_control.post(
            "/__sandbox/inbound/status", json={"call_sid": "CA" + "0" * 32, "status": "completed"}
        ).status_code
        == 404
    )
    e164 = available(main.client)
    main.client.incoming_phone_numbers.create(
        phone_number=e164, voice_url="http://127.0.0.1:9/down"
    )
    answer = sandbox_control.post(
        "/__sandbox/inbound/call", json={"from": CALLER, "to": e164}
    ).json()
    assert answer["status"] is None and answer["error_code"] == 11205  # connection refused


# -- state, reset, seed ---------------------------------------------------------------------


def test_state_shows_everything_but_secrets(
    main: Account, subaccount: Account, sandbox_control: httpx.Client
) -> None:
    number = main.client.incoming_phone_numbers.create(phone_number=available(main.client))
    trunk = main.client.trunking.v1.trunks.create(friendly_name="t")
    main.client.trunking.v1.trunks(trunk.sid).phone_numbers.create(phone_number_sid=number.sid)
    main.client.messages.create(from_="+15005550006", to="+14155550123", body="hi")
    key = main.client.api.v2010.accounts(main.sid).new_keys.create()
    response = sandbox_control.get("/__sandbox/state")
    state = response.json()
    assert {a["sid"] for a in state["accounts"]} == {main.sid, subaccount.sid}
    assert [n["sid"] for n in state["numbers"]] == [number.sid]
    assert state["trunks"][0]["phone_numbers"] == [number.sid]
    assert len(state["messages"]) == 1
    for secret in (main.token, subaccount.token, key.secret):
        assert secret not in response.text
    assert "auth_token" not in response.text


def test_reset_keeps_only_the_main_account(
    sandbox: SandboxServer, main: Account, subaccount: Account, sandbox_control: httpx.Client
) -> None:
    main.client.incoming_phone_numbers.create(phone_number=available(main.client))
    sandbox_control.post("/__sandbox/faults", json={"path": "nothing-matches", "status": 500})
    assert sandbox_control.post("/__sandbox/reset").json()["account_sid"] == main.sid
    state = sandbox_control.get("/__sandbox/state").json()
    assert [a["sid"] for a in state["accounts"]] == [main.sid]
    assert state["numbers"] == [] and state["faults"] == []
    assert main.client.api.v2010.accounts(main.sid).fetch().sid == main.sid
    assert twilio_error(lambda: subaccount.client.api.v2010.accounts(subaccount.sid).fetch()) == (
        401,
        20003,
    )


def test_seed(main: Account, sandbox_control: httpx.Client) -> None:
    answer = sandbox_control.post(
        "/__sandbox/seed",
        json={"account_sid": main.sid, "count": 25, "country": "GB", "type": "mobile"},
    ).json()
    assert answer["created"] == 25
    listed = main.client.incoming_phone_numbers.list(page_size=10)
    assert len(listed) == 25 and all(n.phone_number.startswith("+447") for n in listed)
    assert (
        sandbox_control.post(
            "/__sandbox/seed", json={"account_sid": "AC" + "0" * 32, "count": 1}
        ).status_code
        == 404
    )
    assert (
        sandbox_control.post(
            "/__sandbox/seed", json={"account_sid": main.sid, "count": -1}
        ).status_code
        == 400
    )
    assert (
        sandbox_control.post(
            "/__sandbox/seed", json={"account_sid": main.sid, "country": "US", "type": "mobile"}
        ).status_code
        == 400
    )


def test_unknown_control(sandbox_control: httpx.Client) -> None:
    assert sandbox_control.get("/__sandbox/nothing").status_code == 404
