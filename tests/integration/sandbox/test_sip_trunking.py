"""SIP credential lists, Addresses, and trunking v1 (trunks, origination, associations)."""

from __future__ import annotations

import pytest

from callplane.sandbox.server import SandboxServer
from tests.integration.sandbox.helpers import Account, available, raw, twilio_error

GOOD_PASSWORD = "IWasAtSignal2018"


def test_credential_lists_and_credentials(main: Account) -> None:
    sip = main.client.sip.credential_lists
    cl = sip.create(friendly_name="tenant trunk")
    assert cl.sid.startswith("CL")
    cred = sip(cl.sid).credentials.create(username="agent-1", password=GOOD_PASSWORD)
    assert cred.sid.startswith("CR") and cred.username == "agent-1"
    assert cred.credential_list_sid == cl.sid
    assert [c.username for c in sip(cl.sid).credentials.list()] == ["agent-1"]
    assert sip(cl.sid).credentials(cred.sid).update(password="AnotherGood1Pass").sid == cred.sid
    assert sip(cl.sid).update(friendly_name="renamed").friendly_name == "renamed"
    assert [c.sid for c in sip.list()] == [cl.sid]
    assert sip(cl.sid).credentials(cred.sid).delete() is True
    assert sip(cl.sid).delete() is True
    assert twilio_error(lambda: sip(cl.sid).fetch()) == (404, 20404)


@pytest.mark.parametrize(
    "password", ["short1A", "nodigitsatallAA", "alllowercase123", "ALLUPPERCASE123"]
)
def test_credential_password_rules(main: Account, password: str) -> None:
    cl = main.client.sip.credential_lists.create(friendly_name="rules")
    create = main.client.sip.credential_lists(cl.sid).credentials.create
    assert twilio_error(lambda: create(username="u1", password=password)) == (400, 20001)


def test_credential_username_rules(main: Account) -> None:
    cl = main.client.sip.credential_lists.create(friendly_name="rules")
    create = main.client.sip.credential_lists(cl.sid).credentials.create
    assert twilio_error(lambda: create(username="x" * 33, password=GOOD_PASSWORD)) == (400, 20001)
    create(username="dup", password=GOOD_PASSWORD)
    assert twilio_error(lambda: create(username="dup", password=GOOD_PASSWORD)) == (400, 20001)


def test_credential_list_requires_friendly_name(sandbox: SandboxServer, main: Account) -> None:
    with raw(sandbox, main.sid, main.token) as http:
        answer = http.post(f"/api/2010-04-01/Accounts/{main.sid}/SIP/CredentialLists.json", data={})
    assert answer.status_code == 400 and answer.json()["code"] == 20001


def test_addresses(main: Account) -> None:
    address = main.client.addresses.create(
        customer_name="Acme Ltd",
        street="1 High St",
        city="London",
        region="London",
        postal_code="EC1A 1AA",
        iso_country="GB",
        friendly_name="HQ",
    )
    assert address.sid.startswith("AD") and address.iso_country == "GB"
    assert main.client.addresses(address.sid).fetch().customer_name == "Acme Ltd"
    assert [a.sid for a in main.client.addresses.list(iso_country="GB")] == [address.sid]
    assert main.client.addresses.list(iso_country="DE") == []
    assert main.client.addresses(address.sid).update(city="Leeds").city == "Leeds"
    assert (
        twilio_error(
            lambda: main.client.addresses.create(
                customer_name="x",
                street="y",
                city="z",
                region="r",
                postal_code="1",
                iso_country="GBR",
            )
        )[0]
        == 400
    )


def test_trunk_crud(main: Account) -> None:
    trunks = main.client.trunking.v1.trunks
    trunk = trunks.create(friendly_name="cp_abc", domain_name="cp-abc-123456.pstn.twilio.com")
    assert trunk.sid.startswith("TK")
    assert trunk.domain_name == "cp-abc-123456.pstn.twilio.com"
    assert trunk.url == f"https://trunking.twilio.com/v1/Trunks/{trunk.sid}"
    assert trunk.links["phone_numbers"].endswith("/PhoneNumbers")
    assert trunks(trunk.sid).fetch().friendly_name == "cp_abc"
    assert trunks(trunk.sid).update(friendly_name="renamed").friendly_name == "renamed"
    assert [t.sid for t in trunks.list()] == [trunk.sid]
    assert trunks(trunk.sid).delete() is True
    assert twilio_error(lambda: trunks(trunk.sid).fetch()) == (404, 20404)


def test_trunk_domain_is_unique_across_the_sandbox(main: Account, byo_account: Account) -> None:
    domain = "shared-name.pstn.twilio.com"
    first = main.client.trunking.v1.trunks.create(friendly_name="a", domain_name=domain)
    assert twilio_error(
        lambda: byo_account.client.trunking.v1.trunks.create(friendly_name="b", domain_name=domain)
    ) == (400, 21248)
    assert twilio_error(
        lambda: main.client.trunking.v1.trunks.create(domain_name=domain.upper())
    ) == (400, 21232)
    # Deleting the trunk frees the name.
    main.client.trunking.v1.trunks(first.sid).delete()
    again = byo_account.client.trunking.v1.trunks.create(friendly_name="b", domain_name=domain)
    assert again.domain_name == domain


@pytest.mark.parametrize(
    "domain",
    ["tenant.example.com", "bad_name.pstn.twilio.com", "-x.pstn.twilio.com", "pstn.twilio.com"],
)
def test_trunk_domain_rules(main: Account, domain: str) -> None:
    assert twilio_error(lambda: main.client.trunking.v1.trunks.create(domain_name=domain)) == (
        400,
        21232,
    )


def test_trunk_friendly_name_limit(main: Account) -> None:
    assert (
        twilio_error(lambda: main.client.trunking.v1.trunks.create(friendly_name="x" * 65))[0]
        == 400
    )


def test_trunks_are_per_account(main: Account, subaccount: Account) -> None:
    trunk = main.client.trunking.v1.trunks.create(friendly_name="platform")
    assert subaccount.client.trunking.v1.trunks.list() == []
    assert twilio_error(lambda: subaccount.client.trunking.v1.trunks(trunk.sid).fetch()) == (
        404,
        20404,
    )


def test_origination_urls(main: Account) -> None:
    trunk = main.client.trunking.v1.trunks.create(friendly_name="t")
    urls = main.client.trunking.v1.trunks(trunk.sid).origination_urls
    ou = urls.create(
        weight=10, priority=10, enabled=True, friendly_name="ai", sip_url="sip:agent@ai.example.com"
    )
    assert ou.sid.startswith("OU") and ou.sip_url == "sip:agent@ai.example.com"
    assert [o.sid for o in urls.list()] == [ou.sid]
    assert urls(ou.sid).update(priority=1).priority == 1
    assert twilio_error(
        lambda: urls.create(
            weight=1, priority=1, enabled=True, friendly_name="x", sip_url="http://x"
        )
    ) == (400, 20001)
    assert urls(ou.sid).delete() is True
    assert urls.list() == []


def test_trunk_credential_list_association(main: Account, byo_account: Account) -> None:
    trunk = main.client.trunking.v1.trunks.create(friendly_name="t")
    cl = main.client.sip.credential_lists.create(friendly_name="creds")
    lists = main.client.trunking.v1.trunks(trunk.sid).credentials_lists
    assoc = lists.create(credential_list_sid=cl.sid)
    assert assoc.sid == cl.sid and assoc.friendly_name == "creds"
    assert main.client.trunking.v1.trunks(trunk.sid).fetch().auth_type_set == ["CREDENTIAL_LIST"]
    assert [c.sid for c in lists.list()] == [cl.sid]
    foreign = byo_account.client.sip.credential_lists.create(friendly_name="other")
    assert twilio_error(lambda: lists.create(credential_list_sid=foreign.sid)) == (400, 20001)
    assert lists(cl.sid).delete() is True
    assert main.client.trunking.v1.trunks(trunk.sid).fetch().auth_type == ""


def test_phone_number_association_sets_and_clears_trunk_sid(main: Account) -> None:
    trunk = main.client.trunking.v1.trunks.create(friendly_name="t")
    number = main.client.incoming_phone_numbers.create(
        phone_number=available(main.client), voice_url="https://app.example.com/voice"
    )
    phone_numbers = main.client.trunking.v1.trunks(trunk.sid).phone_numbers
    linked = phone_numbers.create(phone_number_sid=number.sid)
    assert linked.sid == number.sid and linked.trunk_sid == trunk.sid
    assert main.client.incoming_phone_numbers(number.sid).fetch().trunk_sid == trunk.sid
    assert [n.sid for n in phone_numbers.list()] == [number.sid]
    assert phone_numbers(number.sid).fetch().phone_number == number.phone_number
    assert phone_numbers(number.sid).delete() is True
    assert main.client.incoming_phone_numbers(number.sid).fetch().trunk_sid is None
    # Deleting a trunk clears its numbers' trunk_sid.
    phone_numbers.create(phone_number_sid=number.sid)
    main.client.trunking.v1.trunks(trunk.sid).delete()
    assert main.client.incoming_phone_numbers(number.sid).fetch().trunk_sid is None


def test_trunk_rejects_foreign_numbers(main: Account, subaccount: Account) -> None:
    trunk = main.client.trunking.v1.trunks.create(friendly_name="t")
    theirs = subaccount.client.incoming_phone_numbers.create(phone_number=available(main.client))
    assert twilio_error(
        lambda: main.client.trunking.v1.trunks(trunk.sid).phone_numbers.create(
            phone_number_sid=theirs.sid
        )
    ) == (400, 20001)


def test_trunk_list_paging(main: Account) -> None:
    for i in range(5):
        main.client.trunking.v1.trunks.create(friendly_name=f"t{i}")
    assert len(main.client.trunking.v1.trunks.list(page_size=2)) == 5
    page = main.client.trunking.v1.trunks.page(page_size=2)
    assert page.next_page_url.startswith("https://trunking.twilio.com/v1/Trunks?")
    assert [t.friendly_name for t in main.client.trunking.v1.trunks.list(limit=3, page_size=2)] == [
        "t0",
        "t1",
        "t2",
    ]


def test_trunk_dates_are_iso8601(sandbox: SandboxServer, main: Account) -> None:
    trunk = main.client.trunking.v1.trunks.create(friendly_name="t")
    with raw(sandbox, main.sid, main.token) as http:
        body = http.get(f"/trunking/v1/Trunks/{trunk.sid}").json()
        listing = http.get("/trunking/v1/Trunks").json()
    assert body["date_created"].endswith("Z") and "T" in body["date_created"]
    assert listing["meta"]["key"] == "trunks"
    assert listing["meta"]["url"] == "https://trunking.twilio.com/v1/Trunks?PageSize=50&Page=0"
