"""Messages and Calls: outbound from the account's numbers, Twilio's checks and magic numbers."""

from __future__ import annotations

import pytest

from tests.integration.sandbox.helpers import Account, available, twilio_error

TO = "+14155550123"


@pytest.fixture
def sender(main: Account) -> str:
    """An SMS- and voice-capable number of the main account."""
    e164 = available(main.client, "US", "local", in_region="CA")
    main.client.incoming_phone_numbers.create(phone_number=e164)
    return e164


def test_send_fetch_list_messages(main: Account, sender: str) -> None:
    message = main.client.messages.create(from_=sender, to=TO, body="hello")
    assert message.sid.startswith("SM")
    assert message.status == "queued"
    assert message.direction == "outbound-api"
    assert message.from_ == sender and message.to == TO
    assert message.num_segments == "1"
    fetched = main.client.messages(message.sid).fetch()
    assert fetched.body == "hello" and fetched.status == "sent"
    second = main.client.messages.create(from_=sender, to="+12125550142", body="x" * 200)
    assert second.num_segments == "2"
    listed = main.client.messages.list()
    assert [m.sid for m in listed] == [second.sid, message.sid]  # newest first, as Twilio
    assert [m.sid for m in main.client.messages.list(to=TO)] == [message.sid]
    assert len(main.client.messages.list(page_size=1)) == 2


def test_message_from_must_be_own_sms_number(
    main: Account, subaccount: Account, sender: str
) -> None:
    assert twilio_error(
        lambda: subaccount.client.messages.create(from_=sender, to=TO, body="hi")
    ) == (400, 21606)
    hilo = available(main.client, "US", "local", in_locality="Hilo")  # a block without SMS
    main.client.incoming_phone_numbers.create(phone_number=hilo)
    assert twilio_error(lambda: main.client.messages.create(from_=hilo, to=TO, body="hi")) == (
        400,
        21606,
    )


def test_message_required_params(main: Account, sender: str) -> None:
    create = main.client.messages.create
    assert twilio_error(lambda: create(to="", from_=sender, body="hi")) == (400, 21604)
    assert twilio_error(lambda: create(to=TO, body="hi")) == (400, 21603)
    assert twilio_error(lambda: create(to=TO, from_=sender)) == (400, 21602)
    assert twilio_error(lambda: create(to="12", from_=sender, body="hi")) == (400, 21211)
    assert twilio_error(lambda: create(to=sender, from_=sender, body="hi")) == (400, 21266)
    assert twilio_error(lambda: create(to=TO, from_=sender, body="x" * 1601)) == (400, 21617)


@pytest.mark.parametrize(
    ("frm", "to", "code"),
    [
        ("+15005550001", TO, 21212),
        ("+15005550007", TO, 21606),
        ("+15005550008", TO, 21611),
        ("+15005550006", "+15005550001", 21211),
        ("+15005550006", "+15005550002", 21612),
        ("+15005550006", "+15005550003", 21408),
        ("+15005550006", "+15005550004", 21610),
        ("+15005550006", "+15005550009", 21614),
    ],
)
def test_message_magic_numbers(main: Account, frm: str, to: str, code: int) -> None:
    assert twilio_error(lambda: main.client.messages.create(from_=frm, to=to, body="hi")) == (
        400,
        code,
    )


def test_magic_valid_sender(main: Account) -> None:
    assert main.client.messages.create(from_="+15005550006", to=TO, body="ok").status == "queued"


def test_calls(main: Account, sender: str) -> None:
    call = main.client.calls.create(from_=sender, to=TO, url="https://app.example.com/twiml")
    assert call.sid.startswith("CA")
    assert call.status == "queued" and call.direction == "outbound-api"
    twiml_call = main.client.calls.create(
        from_=sender, to=TO, twiml="<Response><Say>hi</Say></Response>"
    )
    assert main.client.calls(call.sid).fetch().to == TO
    assert [c.sid for c in main.client.calls.list()] == [twiml_call.sid, call.sid]
    done = main.client.calls(call.sid).update(status="completed")
    assert done.status == "completed" and done.end_time is not None
    assert [c.sid for c in main.client.calls.list(status="completed")] == [call.sid]


def test_call_errors(main: Account, subaccount: Account, sender: str) -> None:
    create = main.client.calls.create
    url = "https://app.example.com/twiml"
    assert twilio_error(lambda: create(from_=sender, to="", url=url)) == (400, 21201)
    assert twilio_error(lambda: create(from_="", to=TO, url=url)) == (400, 21213)
    assert twilio_error(lambda: create(from_=sender, to=TO)) == (400, 21205)
    assert twilio_error(lambda: create(from_="+14155550100", to=TO, url=url)) == (400, 21210)
    assert twilio_error(lambda: subaccount.client.calls.create(from_=sender, to=TO, url=url)) == (
        400,
        21210,
    )
    for to, code in (
        ("+15005550001", 21217),
        ("+15005550002", 21214),
        ("+15005550003", 21215),
        ("+15005550004", 21216),
    ):
        assert twilio_error(lambda to=to: create(from_="+15005550006", to=to, url=url)) == (
            400,
            code,
        )
    assert twilio_error(lambda: create(from_="+15005550001", to=TO, url=url)) == (400, 21212)


def test_suspended_subaccount_cannot_send(main: Account, subaccount: Account) -> None:
    e164 = available(subaccount.client)
    subaccount.client.incoming_phone_numbers.create(phone_number=e164)
    main.client.api.v2010.accounts(subaccount.sid).update(status="suspended")
    parent_view = main.client.api.v2010.accounts(subaccount.sid)
    assert twilio_error(lambda: parent_view.messages.create(from_=e164, to=TO, body="x")) == (
        400,
        10001,
    )
    assert twilio_error(lambda: subaccount.client.messages.create(from_=e164, to=TO, body="x")) == (
        401,
        20003,
    )


def test_unknown_message_and_call_sids(main: Account) -> None:
    assert twilio_error(lambda: main.client.messages("SM" + "0" * 32).fetch()) == (404, 20404)
    assert twilio_error(lambda: main.client.calls("nonsense").fetch()) == (404, 20404)
