"""AvailablePhoneNumbers and IncomingPhoneNumbers: search, buy, wire, move, release."""

from __future__ import annotations

import re
import time

import httpx
import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from callplane.sandbox.server import SandboxServer
from tests.integration.sandbox.helpers import Account, available, client_for, raw, twilio_error

KINDS = {"local": "Local", "mobile": "Mobile", "toll_free": "TollFree"}
EXPECTED_TYPES = {
    "local": {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE},
    "mobile": {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE},
    "toll_free": {PhoneNumberType.TOLL_FREE},
}
INVENTORY = [
    ("US", "local"),
    ("US", "toll_free"),
    ("CA", "local"),
    ("CA", "toll_free"),
    ("GB", "local"),
    ("GB", "mobile"),
    ("GB", "toll_free"),
    ("DE", "local"),
    ("DE", "mobile"),
    ("DE", "toll_free"),
    ("PL", "local"),
    ("PL", "mobile"),
    ("PL", "toll_free"),
    ("AU", "local"),
    ("AU", "mobile"),
    ("AU", "toll_free"),
]


@pytest.mark.parametrize(("country", "kind"), INVENTORY)
def test_available_numbers_are_valid_for_country_and_type(
    main: Account, country: str, kind: str
) -> None:
    found = getattr(main.client.api.v2010.account.available_phone_numbers(country), kind).list(
        limit=40
    )
    assert len(found) == 40
    assert len({n.phone_number for n in found}) == 40
    for number in found:
        parsed = phonenumbers.parse(number.phone_number, None)
        assert phonenumbers.is_valid_number_for_region(parsed, country), number.phone_number
        assert phonenumbers.number_type(parsed) in EXPECTED_TYPES[kind], number.phone_number
        assert number.iso_country == country
        assert number.address_requirements in ("none", "any", "local", "foreign")
        assert number.beta is False
        assert set(number.capabilities) >= {"voice", "sms", "mms"}


def test_local_numbers_carry_place_as_decimal_strings(
    sandbox: SandboxServer, main: Account
) -> None:
    with raw(sandbox, main.sid, main.token) as http:
        body = http.get(
            f"/api/2010-04-01/Accounts/{main.sid}/AvailablePhoneNumbers/US/Local.json",
            params={"PageSize": 3},
        ).json()
    assert set(body) == {"available_phone_numbers", "uri"}
    first = body["available_phone_numbers"][0]
    assert re.fullmatch(r"-?\d+\.\d{6}", first["latitude"])
    assert re.fullmatch(r"-?\d+\.\d{6}", first["longitude"])
    assert first["locality"] and first["region"] and first["postal_code"]
    assert first["friendly_name"].startswith("(")
    assert len(body["available_phone_numbers"]) == 3


def test_search_filters(main: Account) -> None:
    local = main.client.api.v2010.account.available_phone_numbers("US").local
    in_415 = local.list(area_code=415, limit=10)
    assert in_415 and all(n.phone_number.startswith("+1415") for n in in_415)
    texas = local.list(in_region="TX", limit=10)
    assert texas and all(n.region == "TX" for n in texas)
    sms = local.list(sms_enabled=True, limit=50)
    assert all(n.capabilities["sms"] for n in sms)
    no_sms = local.list(in_locality="Hilo", limit=5)
    assert no_sms and not any(n.capabilities["sms"] for n in no_sms)
    assert local.list(in_locality="Hilo", sms_enabled=True, limit=5) == []
    wildcard = local.list(contains="415523****", limit=5)
    assert wildcard and all(n.phone_number.startswith("+1415523") for n in wildcard)
    # Letters map to keypad digits (J=5, A=2, Z=9 ...).
    lettered = local.list(contains="JAZ", limit=5)
    assert lettered and all("529" in n.phone_number for n in lettered)
    near = local.list(near_lat_long="37.77,-122.41", distance=50, limit=5)
    assert near and all(n.locality == "San Francisco" for n in near)
    assert len(local.list(page_size=7, limit=7)) == 7


def test_search_without_inventory_is_404(sandbox: SandboxServer, main: Account) -> None:
    numbers = main.client.api.v2010.account.available_phone_numbers
    assert twilio_error(lambda: numbers("US").mobile.list(limit=1)) == (404, 20404)
    assert twilio_error(lambda: numbers("XX").local.list(limit=1)) == (404, 20404)
    assert twilio_error(lambda: numbers("ZZ").fetch()) == (404, 20404)


def test_country_list_and_fetch(main: Account) -> None:
    countries = main.client.api.v2010.account.available_phone_numbers.list()
    codes = {c.country_code for c in countries}
    assert {"US", "CA", "GB", "DE", "PL", "AU"} <= codes
    gb = main.client.api.v2010.account.available_phone_numbers("GB").fetch()
    assert gb.country == "United Kingdom"
    assert set(gb.subresource_uris) == {"local", "mobile", "toll_free"}


def test_buy_fetch_update_release(main: Account) -> None:
    e164 = available(main.client)
    number = main.client.incoming_phone_numbers.create(
        phone_number=e164,
        voice_url="https://app.example.com/voice",
        voice_method="POST",
        sms_url="https://app.example.com/sms",
        status_callback="https://app.example.com/status",
        friendly_name="reception",
    )
    assert number.sid.startswith("PN")
    assert number.phone_number == e164
    assert number.voice_url == "https://app.example.com/voice"
    assert number.trunk_sid is None
    assert number.voice_application_sid == ""  # unset SIDs are "" on real Twilio
    # Bought numbers leave availability.
    offered = main.client.api.v2010.account.available_phone_numbers("US").local.list(limit=50)
    assert e164 not in {n.phone_number for n in offered}
    fetched = main.client.incoming_phone_numbers(number.sid).fetch()
    assert fetched.friendly_name == "reception"
    updated = main.client.incoming_phone_numbers(number.sid).update(
        voice_url="https://other.example.com/v", sms_method="GET"
    )
    assert updated.voice_url == "https://other.example.com/v"
    assert updated.sms_method == "GET"
    assert main.client.incoming_phone_numbers(number.sid).delete() is True
    assert twilio_error(lambda: main.client.incoming_phone_numbers(number.sid).fetch()) == (
        404,
        20404,
    )
    # Released numbers come back.
    offered = main.client.api.v2010.account.available_phone_numbers("US").local.list(limit=50)
    assert e164 in {n.phone_number for n in offered}


def test_buy_by_area_code(main: Account) -> None:
    number = main.client.incoming_phone_numbers.create(area_code="512")
    assert number.phone_number.startswith("+1512")
    create = main.client.incoming_phone_numbers.create
    # 999 (N9X, reserved) and 099 are no North American area code: 21451, not 21452.
    assert twilio_error(lambda: create(area_code="999")) == (400, 21451)
    assert twilio_error(lambda: create(area_code="099")) == (400, 21451)
    assert twilio_error(lambda: create(area_code="911")) == (400, 21451)
    assert twilio_error(lambda: create(area_code="533")) == (400, 21452)


def test_typed_purchase_endpoints(main: Account) -> None:
    e164 = available(main.client, "US", "toll_free")
    assert twilio_error(
        lambda: main.client.incoming_phone_numbers.local.create(phone_number=e164)
    ) == (400, 21422)
    bought = main.client.incoming_phone_numbers.toll_free.create(phone_number=e164)
    assert bought.phone_number == e164
    assert [n.sid for n in main.client.incoming_phone_numbers.toll_free.list()] == [bought.sid]
    assert main.client.incoming_phone_numbers.local.list() == []


def test_21422_when_not_available(main: Account, byo_account: Account) -> None:
    e164 = available(main.client)
    main.client.incoming_phone_numbers.create(phone_number=e164)
    assert twilio_error(
        lambda: byo_account.client.incoming_phone_numbers.create(phone_number=e164)
    ) == (400, 21422)
    # A valid number Twilio never offered, and Twilio's magic unavailable number.
    assert twilio_error(
        lambda: main.client.incoming_phone_numbers.create(phone_number="+14155550100")
    ) == (400, 21422)
    assert twilio_error(
        lambda: main.client.incoming_phone_numbers.create(phone_number="+15005550000")
    ) == (400, 21422)


def test_invalid_and_missing_phone_number(main: Account) -> None:
    create = main.client.incoming_phone_numbers.create
    assert twilio_error(lambda: create(phone_number="not-a-number")) == (400, 21421)
    assert twilio_error(lambda: create(phone_number="+15005550001")) == (400, 21421)
    assert twilio_error(lambda: create(friendly_name="x"))[0] == 400


def test_21631_address_required_for_au(main: Account) -> None:
    e164 = available(main.client, "AU", "local")
    create = main.client.incoming_phone_numbers.create
    assert twilio_error(lambda: create(phone_number=e164)) == (400, 21631)
    gb_address = main.client.addresses.create(
        customer_name="Acme",
        street="1 High St",
        city="London",
        region="London",
        postal_code="EC1A 1AA",
        iso_country="GB",
    )
    # AU local numbers need an address in Australia ("local" requirement).
    assert twilio_error(lambda: create(phone_number=e164, address_sid=gb_address.sid)) == (
        400,
        21631,
    )
    au_address = main.client.addresses.create(
        customer_name="Acme",
        street="1 George St",
        city="Sydney",
        region="NSW",
        postal_code="2000",
        iso_country="AU",
    )
    number = create(phone_number=e164, address_sid=au_address.sid)
    assert number.address_sid == au_address.sid
    assert number.address_requirements == "local"


def test_21631_address_must_belong_to_buying_account(main: Account, subaccount: Account) -> None:
    parent_address = main.client.addresses.create(
        customer_name="Acme",
        street="1 George St",
        city="Sydney",
        region="NSW",
        postal_code="2000",
        iso_country="AU",
    )
    e164 = available(subaccount.client, "AU", "mobile")
    assert twilio_error(
        lambda: subaccount.client.incoming_phone_numbers.create(
            phone_number=e164, address_sid=parent_address.sid
        )
    ) == (400, 21631)


def _approved_bundle(account: Account, country: str, kind: str) -> str:
    bundles = account.client.numbers.v2.regulatory_compliance.bundles
    bundle = bundles.create(
        friendly_name=f"{country} {kind}",
        email="ops@example.com",
        iso_country=country,
        number_type=kind.replace("_", "-"),
        end_user_type="business",
    )
    assert bundle.status == "draft"
    approved = bundles(bundle.sid).update(status="pending-review")
    assert approved.status == "twilio-approved"
    return bundle.sid


@pytest.mark.parametrize(
    ("country", "kind"),
    [
        ("GB", "local"),
        ("GB", "mobile"),
        ("GB", "toll_free"),
        ("PL", "local"),
        ("PL", "mobile"),
        ("PL", "toll_free"),
        ("DE", "local"),
        ("DE", "mobile"),
        ("DE", "toll_free"),
    ],
)
def test_21649_regulated_numbers_need_a_matching_bundle(
    main: Account, country: str, kind: str
) -> None:
    e164 = available(main.client, country, kind)
    create = getattr(main.client.incoming_phone_numbers, kind).create
    assert twilio_error(lambda: create(phone_number=e164)) == (400, 21649)
    # A bundle for another country does not do.
    other = _approved_bundle(main, "PL" if country != "PL" else "GB", kind)
    assert twilio_error(lambda: create(phone_number=e164, bundle_sid=other)) == (400, 21649)
    bundle = _approved_bundle(main, country, kind)
    number = create(phone_number=e164, bundle_sid=bundle)
    assert number.bundle_sid == bundle


def test_draft_bundle_is_not_enough(main: Account) -> None:
    e164 = available(main.client, "GB", "local")
    draft = main.client.numbers.v2.regulatory_compliance.bundles.create(
        friendly_name="draft", email="ops@example.com", iso_country="GB", number_type="local"
    )
    assert twilio_error(
        lambda: main.client.incoming_phone_numbers.create(phone_number=e164, bundle_sid=draft.sid)
    ) == (400, 21649)


def test_subaccount_gets_21649_until_the_bundle_is_cloned(
    main: Account, subaccount: Account
) -> None:
    platform_bundle = _approved_bundle(main, "GB", "local")
    e164 = available(subaccount.client, "GB", "local")

    def buy(bundle: str) -> object:
        return subaccount.client.incoming_phone_numbers.create(phone_number=e164, bundle_sid=bundle)

    # The platform's bundle belongs to the parent: Twilio refuses it in the subaccount.
    assert twilio_error(lambda: buy(platform_bundle)) == (400, 21649)
    clone = main.client.numbers.v2.bundle_clone(platform_bundle).create(
        target_account_sid=subaccount.sid
    )
    assert clone.account_sid == subaccount.sid
    assert clone.status == "twilio-approved"
    assert clone.bundle_sid != platform_bundle
    number = buy(clone.bundle_sid)
    assert number.account_sid == subaccount.sid and number.bundle_sid == clone.bundle_sid


def test_us_and_ca_need_nothing(main: Account) -> None:
    for country in ("US", "CA"):
        for kind in ("local", "toll_free"):
            e164 = available(main.client, country, kind)
            assert main.client.incoming_phone_numbers.create(phone_number=e164).phone_number == e164


def test_list_filters(main: Account) -> None:
    bought = []
    for _ in range(3):
        bought.append(
            main.client.incoming_phone_numbers.create(phone_number=available(main.client))
        )
    main.client.incoming_phone_numbers(bought[1].sid).update(friendly_name="front desk")
    by_number = main.client.incoming_phone_numbers.list(phone_number=bought[2].phone_number)
    assert [n.sid for n in by_number] == [bought[2].sid]
    by_name = main.client.incoming_phone_numbers.list(friendly_name="front desk")
    assert [n.sid for n in by_name] == [bought[1].sid]
    partial = bought[0].phone_number[-4:]
    by_part = main.client.incoming_phone_numbers.list(phone_number=partial)
    assert bought[0].sid in [n.sid for n in by_part]
    assert main.client.incoming_phone_numbers.list(phone_number="+14155550199") == []


def test_paging_across_pages(sandbox: SandboxServer, main: Account) -> None:
    for _ in range(7):
        main.client.incoming_phone_numbers.create(phone_number=available(main.client))
    everything = main.client.incoming_phone_numbers.list(page_size=2)
    assert len(everything) == 7
    assert len({n.sid for n in everything}) == 7
    assert len(main.client.incoming_phone_numbers.list(page_size=2, limit=5)) == 5
    page = main.client.incoming_phone_numbers.page(page_size=3)
    second = page.next_page()
    third = second.next_page()
    assert len(list(page)) == 3 and len(list(second)) == 3 and len(list(third)) == 1
    assert third.next_page() is None
    with raw(sandbox, main.sid, main.token) as http:
        body = http.get(
            f"/api/2010-04-01/Accounts/{main.sid}/IncomingPhoneNumbers.json",
            params={"PageSize": 3},
        ).json()
    record_keys = set(body) - {
        "first_page_uri",
        "end",
        "next_page_uri",
        "page",
        "page_size",
        "previous_page_uri",
        "start",
        "uri",
    }
    assert record_keys == {"incoming_phone_numbers"}
    assert body["start"] == 0 and body["end"] == 2 and body["page"] == 0 and body["page_size"] == 3
    assert body["next_page_uri"].startswith(
        f"/2010-04-01/Accounts/{main.sid}/IncomingPhoneNumbers.json?"
    )
    assert "Page=1" in body["next_page_uri"] and "PageToken=" in body["next_page_uri"]
    assert body["previous_page_uri"] is None
    with raw(sandbox, main.sid, main.token) as http:
        too_big = http.get(
            f"/api/2010-04-01/Accounts/{main.sid}/IncomingPhoneNumbers.json",
            params={"PageSize": 1001},
        )
    assert too_big.status_code == 400 and too_big.json()["code"] == 20007


def test_paging_is_stable_when_numbers_are_released_between_pages(main: Account) -> None:
    for _ in range(6):
        main.client.incoming_phone_numbers.create(phone_number=available(main.client))
    first = main.client.incoming_phone_numbers.page(page_size=3)
    seen = [n.sid for n in first]
    main.client.incoming_phone_numbers(seen[0]).delete()  # a release while paging
    rest = [n.sid for n in first.next_page()]
    assert len(rest) == 3 and not set(rest) & set(seen)


def test_trunk_sid_set_and_cleared_through_update(main: Account) -> None:
    trunk = main.client.trunking.v1.trunks.create(friendly_name="t")
    number = main.client.incoming_phone_numbers.create(
        phone_number=available(main.client), trunk_sid=trunk.sid
    )
    assert number.trunk_sid == trunk.sid
    listed = main.client.trunking.v1.trunks(trunk.sid).phone_numbers.list()
    assert [n.sid for n in listed] == [number.sid]
    cleared = main.client.incoming_phone_numbers(number.sid).update(trunk_sid="")
    assert cleared.trunk_sid is None
    assert main.client.trunking.v1.trunks(trunk.sid).phone_numbers.list() == []
    assert (
        main.client.incoming_phone_numbers(number.sid).update(trunk_sid=trunk.sid).trunk_sid
        == trunk.sid
    )


def test_move_number_between_accounts_of_one_parent(
    sandbox: SandboxServer, main: Account, subaccount: Account
) -> None:
    other = main.client.api.v2010.accounts.create(friendly_name="tenant-b")
    number = subaccount.client.incoming_phone_numbers.create(phone_number=available(main.client))
    as_parent = client_for(
        sandbox, subaccount.sid, None, api_key_sid=main.sid, api_key_secret=main.token
    )
    moved = as_parent.incoming_phone_numbers(number.sid).update(account_sid=other.sid)
    assert moved.account_sid == other.sid
    assert subaccount.client.incoming_phone_numbers.list() == []
    other_client = client_for(sandbox, other.sid, other.auth_token)
    assert [n.sid for n in other_client.incoming_phone_numbers.list()] == [number.sid]
    # A subaccount cannot push a number to an account outside its reach.
    mine = subaccount.client.incoming_phone_numbers.create(phone_number=available(main.client))
    assert twilio_error(
        lambda: subaccount.client.incoming_phone_numbers(mine.sid).update(account_sid=other.sid)
    ) == (401, 20003)


def test_numbers_are_private_to_their_account(main: Account, subaccount: Account) -> None:
    number = main.client.incoming_phone_numbers.create(phone_number=available(main.client))
    assert twilio_error(lambda: subaccount.client.incoming_phone_numbers(number.sid).fetch()) == (
        404,
        20404,
    )


def test_seeded_account_lists_fast(main: Account, sandbox_control: httpx.Client) -> None:

    seeded = sandbox_control.post(
        "/__sandbox/seed", json={"account_sid": main.sid, "count": 50_000}
    ).json()
    assert seeded["created"] == 50_000
    page = main.client.incoming_phone_numbers.page(page_size=1000)
    assert len(list(page)) == 1000
    started = time.monotonic()
    for _ in range(3):
        page = page.next_page()
    assert len(list(page)) == 1000
    assert time.monotonic() - started < 5
    # The exact-number lookup uses the E.164 index.
    target = seeded["last"]
    started = time.monotonic()
    found = main.client.incoming_phone_numbers.list(phone_number=target)
    assert [n.phone_number for n in found] == [target]
    assert time.monotonic() - started < 1
