"""What an outside Twilio client found the sandbox doing differently from Twilio (issue 19)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from twilio.request_validator import RequestValidator

from callplane.sandbox.server import SandboxServer
from tests.integration.sandbox.helpers import (
    Account,
    WebhookReceiver,
    available,
    raw,
    twilio_error,
)

CALLER = "+12125550199"


def _inbound(control: httpx.Client, kind: str, to: str, body: str = "hi") -> dict[str, Any]:
    answer = control.post(
        f"/__sandbox/inbound/{kind}", json={"from": CALLER, "to": to, "body": body}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


# -- 1. URLs: refused as Twilio refuses them, or signed exactly as requested ------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/voice?x=a b",
        "http://hooks.example.com/voice?y=\u00e9",
        "http://hooks.example.com/my voice",
        "https://exa mple.com/v",
        "not a url",
    ],
)
def test_urls_twilio_refuses_answer_21502(main: Account, url: str) -> None:
    e164 = available(main.client)
    assert twilio_error(
        lambda: main.client.incoming_phone_numbers.create(phone_number=e164, voice_url=url)
    ) == (400, 21502)
    assert main.client.incoming_phone_numbers.list() == []  # nothing was bought


def test_an_encoded_url_is_requested_and_signed_exactly_as_set(
    main: Account, sandbox_control: httpx.Client, webhook_receiver: WebhookReceiver
) -> None:
    url = f"{webhook_receiver.url}/my%20voice/caf%C3%A9?x=a%20b&y=%C3%A9&n=O'Brien&p=a+b"
    e164 = available(main.client)
    number = main.client.incoming_phone_numbers.create(phone_number=e164, voice_url=url)
    assert number.voice_url == url
    _inbound(sandbox_control, "call", e164)
    (received,) = webhook_receiver.requests
    assert received.url == url  # what was set is what was requested, byte for byte
    signature = received.headers["X-Twilio-Signature"]
    assert RequestValidator(main.token).validate(received.url, received.form, signature)


# -- 2. Buying a number the account already owns ----------------------------------------------


def test_buying_an_owned_number_again_answers_it_as_an_update(
    main: Account, byo_account: Account
) -> None:
    e164 = available(main.client)
    first = main.client.incoming_phone_numbers.create(phone_number=e164)
    again = main.client.incoming_phone_numbers.create(
        phone_number=e164, voice_url="https://hooks.example.com/voice", friendly_name="retried"
    )
    assert again.sid == first.sid and again.status == "in-use"
    assert (again.voice_url, again.friendly_name) == ("https://hooks.example.com/voice", "retried")
    assert [n.sid for n in main.client.incoming_phone_numbers.list()] == [first.sid]
    # Another account still cannot have it.
    assert twilio_error(
        lambda: byo_account.client.incoming_phone_numbers.create(phone_number=e164)
    ) == (400, 21422)


def test_the_repeated_purchase_answers_201(main: Account, sandbox: SandboxServer) -> None:
    e164 = available(main.client)
    path = f"/api/2010-04-01/Accounts/{main.sid}/IncomingPhoneNumbers.json"
    with raw(sandbox, main.sid, main.token) as http:
        first = http.post(path, data={"PhoneNumber": e164})
        again = http.post(path, data={"PhoneNumber": e164})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["sid"] == first.json()["sid"]


# -- 3. and 5. Addresses with dependent numbers -----------------------------------------------


def _au_address(account: Account) -> Any:
    return account.client.addresses.create(
        customer_name="Depends Ltd",
        street="1 George St",
        city="Sydney",
        region="NSW",
        postal_code="2000",
        iso_country="AU",
    )


def test_an_address_numbers_depend_on_cannot_be_deleted(main: Account) -> None:
    address = _au_address(main)
    e164 = available(main.client, "AU", "local")
    number = main.client.incoming_phone_numbers.create(phone_number=e164, address_sid=address.sid)
    assert twilio_error(lambda: main.client.addresses(address.sid).delete()) == (400, 20001)
    assert main.client.addresses(address.sid).fetch().sid == address.sid
    assert main.client.incoming_phone_numbers(number.sid).fetch().address_sid == address.sid
    main.client.incoming_phone_numbers(number.sid).delete()
    assert main.client.addresses(address.sid).delete() is True


def test_dependent_phone_numbers_of_an_address(main: Account, subaccount: Account) -> None:
    address = _au_address(main)
    bought = [
        main.client.incoming_phone_numbers.create(
            phone_number=available(main.client, "AU", "local"), address_sid=address.sid
        )
        for _ in range(3)
    ]
    main.client.incoming_phone_numbers.create(phone_number=available(main.client))  # no address
    dependents = main.client.addresses(address.sid).dependent_phone_numbers
    listed = dependents.list(page_size=2)
    assert [d.sid for d in listed] == [n.sid for n in bought]
    assert listed[0].phone_number == bought[0].phone_number
    assert listed[0].capabilities["Voice"] is True
    # Another account's address is not there for it.
    other = _au_address(subaccount)
    assert twilio_error(
        lambda: main.client.addresses(other.sid).dependent_phone_numbers.list()
    ) == (
        404,
        20404,
    )


# -- 4. Codes -----------------------------------------------------------------------------------


def test_reopening_a_closed_subaccount_is_21479(main: Account, subaccount: Account) -> None:
    accounts = main.client.api.v2010.accounts
    accounts(subaccount.sid).update(status="closed")
    assert twilio_error(lambda: accounts(subaccount.sid).update(status="active")) == (400, 21479)
    assert accounts(subaccount.sid).fetch().status == "closed"


def test_address_iso_country_must_be_a_country(main: Account) -> None:
    for iso in ("XX", "ZZ", "USA", "1"):
        assert twilio_error(
            lambda iso=iso: main.client.addresses.create(
                customer_name="x",
                street="1 A St",
                city="c",
                region="r",
                postal_code="1",
                iso_country=iso,
            )
        ) == (400, 21238)
    assert main.client.addresses.list() == []


# -- 6. Shapes ----------------------------------------------------------------------------------


def test_trunk_phone_numbers_carry_only_the_spec_fields(
    main: Account, sandbox: SandboxServer
) -> None:
    trunk = main.client.trunking.v1.trunks.create(friendly_name="t")
    number = main.client.incoming_phone_numbers.create(phone_number=available(main.client))
    with raw(sandbox, main.sid, main.token) as http:
        made = http.post(
            f"/trunking/v1/Trunks/{trunk.sid}/PhoneNumbers", data={"PhoneNumberSid": number.sid}
        )
        listed = http.get(f"/trunking/v1/Trunks/{trunk.sid}/PhoneNumbers").json()["phone_numbers"]
    assert "type" not in made.json()
    assert "type" not in listed[0]


@pytest.mark.parametrize("kind", ["incoming_phone_numbers", "calls", "trunks"])
def test_previous_page_links_carry_a_page_token_and_lead_back(
    main: Account, sandbox: SandboxServer, kind: str
) -> None:
    product = "trunking" if kind == "trunks" else "api"
    for i in range(5):
        if kind == "incoming_phone_numbers":
            main.client.incoming_phone_numbers.create(phone_number=available(main.client))
        elif kind == "calls":  # listed newest first
            main.client.calls.create(to="+14155550100", from_="+15005550006", twiml="<Response/>")
        else:
            main.client.trunking.v1.trunks.create(friendly_name=f"t{i}")
    path = {
        "incoming_phone_numbers": f"/api/2010-04-01/Accounts/{main.sid}/IncomingPhoneNumbers.json",
        "calls": f"/api/2010-04-01/Accounts/{main.sid}/Calls.json",
        "trunks": "/trunking/v1/Trunks",
    }[kind]
    key = kind

    def links(page: dict[str, Any]) -> tuple[str | None, str | None]:
        meta = page.get("meta", page)
        nxt = meta.get("next_page_uri", meta.get("next_page_url"))
        prev = meta.get("previous_page_uri", meta.get("previous_page_url"))
        return nxt, prev

    def follow(http: httpx.Client, link: str) -> dict[str, Any]:
        parts = urlsplit(link)  # v2010 links are relative, v1 ones absolute on twilio.com
        return http.get(f"/{product}{parts.path}?{parts.query}").json()  # type: ignore[no-any-return]

    with raw(sandbox, main.sid, main.token) as http:
        pages = [http.get(path, params={"PageSize": 2}).json()]
        while links(pages[-1])[0]:
            pages.append(follow(http, links(pages[-1])[0]))  # type: ignore[arg-type]
        assert [len(p[key]) for p in pages] == [2, 2, 1]
        assert links(pages[0])[1] is None
        back = pages[-1]
        for expected in reversed(pages[:-1]):
            previous = links(back)[1]
            assert previous is not None and "PageToken=PB" in previous
            back = follow(http, previous)
            assert [r["sid"] for r in back[key]] == [r["sid"] for r in expected[key]]
