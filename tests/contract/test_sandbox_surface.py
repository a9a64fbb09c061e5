"""Every sandbox operation without an example, and Twilio's errors, go through the contract too.

The examples cover reads, creates and updates of the main resources; these tests drive the rest
of the sandbox (deletes, Addresses, Keys, number types, bundles and clones, paging, error answers)
through the SDK, so the recorder validates each kind of answer against the spec. Each test also
fails by itself on a violation (`contract_clean`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from callplane.sandbox.server import SandboxServer
from callplane.twilio.client import build_client
from tests.contract.scenarios import WEB, World
from tests.fixtures.contract import ContractRecorder

pytestmark = pytest.mark.usefixtures("contract_clean")


def twilio_error(call: Callable[[], Any]) -> TwilioRestException:
    """The Twilio error an SDK call raises."""
    with pytest.raises(TwilioRestException) as caught:
        call()
    return caught.value


def answered(recorder: ContractRecorder, before: int) -> set[tuple[str, str, int]]:
    """(product, method, status) of the answers since `before`."""
    return {(e.product, e.method, e.status) for e in recorder.exchanges[before:]}


def test_deletes_answer_204(twilio_client: Client, twilio_contract: ContractRecorder) -> None:
    """Every delete the sandbox serves answers 204 with no body."""
    w = World(twilio_client)
    trunk_api = w.trunk_api
    made = (w.trunk_number, w.trunk_credential_list, w.origination_url, w.credential)
    assert all(made) and w.finished_call and w.message
    before = len(twilio_contract.exchanges)
    assert trunk_api.phone_numbers(w.trunk_number.sid).delete()
    assert trunk_api.credentials_lists(w.trunk_credential_list.sid).delete()
    assert trunk_api.origination_urls(w.origination_url.sid).delete()
    assert trunk_api.delete()
    creds = twilio_client.sip.credential_lists(w.credential_list.sid).credentials
    assert creds(w.credential.sid).delete()
    assert twilio_client.sip.credential_lists(w.credential_list.sid).delete()
    assert twilio_client.messages(w.message.sid).delete()
    assert twilio_client.calls(w.call.sid).delete()
    assert twilio_client.incoming_phone_numbers(w.number.sid).delete()
    expected = {("trunking", "DELETE", 204), ("api", "DELETE", 204)}
    assert answered(twilio_contract, before) == expected


def test_addresses(twilio_client: Client) -> None:
    """Addresses CRUD, and an AU number that needs one (21631)."""
    address = twilio_client.addresses.create(
        customer_name="Contract Ltd",
        street="1 George St",
        city="Sydney",
        region="NSW",
        postal_code="2000",
        iso_country="AU",
        friendly_name="contract address",
    )
    assert twilio_client.addresses(address.sid).fetch().iso_country == "AU"
    assert [a.sid for a in twilio_client.addresses.list()] == [address.sid]
    updated = twilio_client.addresses(address.sid).update(friendly_name="renamed")
    assert updated.friendly_name == "renamed"
    # AU numbers need an Address: without one, 21631; with it, the number carries it.
    au = twilio_client.available_phone_numbers("AU").local.list(limit=1)[0].phone_number
    error = twilio_error(lambda: twilio_client.incoming_phone_numbers.create(phone_number=au))
    assert error.code == 21631
    number = twilio_client.incoming_phone_numbers.create(phone_number=au, address_sid=address.sid)
    assert number.address_sid == address.sid
    twilio_client.incoming_phone_numbers(number.sid).delete()
    assert twilio_client.addresses(address.sid).delete()


def test_keys(twilio_client: Client) -> None:
    """API keys: create (with secret), read, update, delete."""
    key = twilio_client.new_keys.create(friendly_name="contract key")
    assert key.secret
    assert twilio_client.keys(key.sid).fetch().friendly_name == "contract key"
    assert [k.sid for k in twilio_client.keys.list()] == [key.sid]
    assert twilio_client.keys(key.sid).update(friendly_name="renamed").friendly_name == "renamed"
    assert twilio_client.keys(key.sid).delete()


def test_number_search_and_typed_number_lists(twilio_client: Client) -> None:
    """Country search and the Local/Mobile/TollFree number lists."""
    countries = twilio_client.available_phone_numbers.list()
    assert "US" in {c.country_code for c in countries}
    assert twilio_client.available_phone_numbers("US").fetch().country_code == "US"
    toll_free = twilio_client.available_phone_numbers("US").toll_free.list(limit=1)[0]
    bought = twilio_client.incoming_phone_numbers.toll_free.create(
        phone_number=toll_free.phone_number, voice_url=f"{WEB}/voice"
    )
    assert [n.sid for n in twilio_client.incoming_phone_numbers.toll_free.list()] == [bought.sid]
    assert twilio_client.incoming_phone_numbers.local.list() == []
    assert twilio_client.incoming_phone_numbers.mobile.list() == []
    local = twilio_client.available_phone_numbers("US").local.list(area_code="415", limit=1)[0]
    twilio_client.incoming_phone_numbers.local.create(phone_number=local.phone_number)


def test_bundles_clones_and_regulated_numbers(twilio_client: Client) -> None:
    """Bundles: approval, 21649, a regulated number, a clone, deletes."""
    w = World(twilio_client)
    bundles = twilio_client.numbers.v2.regulatory_compliance.bundles
    gb = twilio_client.available_phone_numbers("GB").local.list(limit=1)[0].phone_number
    error = twilio_error(lambda: twilio_client.incoming_phone_numbers.create(phone_number=gb))
    assert error.code == 21649
    approved = bundles(w.bundle.sid).update(status="pending-review")
    assert approved.status == "twilio-approved"
    number = twilio_client.incoming_phone_numbers.create(phone_number=gb, bundle_sid=w.bundle.sid)
    assert number.bundle_sid == w.bundle.sid
    clone = twilio_client.numbers.v2.bundle_clone(w.bundle.sid).create(
        target_account_sid=w.subaccount.sid, friendly_name="contract clone"
    )
    assert clone.account_sid == w.subaccount.sid
    draft = bundles.create(friendly_name="to delete", email="ops@example.com")
    assert bundles(draft.sid).delete()
    twilio_client.incoming_phone_numbers(number.sid).delete()
    assert bundles(w.bundle.sid).delete()


def test_paging_through_the_sdk(twilio_client: Client) -> None:
    """The SDK follows the sandbox's next-page links (v2010 and v1)."""
    w = World(twilio_client)
    bought = {w.buy_number().sid for _ in range(3)}
    assert {n.sid for n in twilio_client.incoming_phone_numbers.list(page_size=2)} == bought
    trunks = {twilio_client.trunking.v1.trunks.create(friendly_name=f"t{i}").sid for i in range(3)}
    assert {t.sid for t in twilio_client.trunking.v1.trunks.list(page_size=2)} == trunks
    first = twilio_client.incoming_phone_numbers.page(page_size=2)
    second = first.next_page()
    assert second is not None and len(list(second)) == 1


def test_error_answers(twilio_client: Client, sandbox: SandboxServer) -> None:
    """404, 21422, 21602, 20007 and 401 answers are Twilio error bodies."""
    missing_pn = "PN" + "0" * 32
    error = twilio_error(lambda: twilio_client.incoming_phone_numbers(missing_pn).fetch())
    assert (error.status, error.code) == (404, 20404)
    error = twilio_error(lambda: twilio_client.trunking.v1.trunks("TK" + "0" * 32).fetch())
    assert (error.status, error.code) == (404, 20404)
    error = twilio_error(
        lambda: twilio_client.incoming_phone_numbers.create(phone_number="+15005550000")
    )
    assert (error.status, error.code) == (400, 21422)
    number = World(twilio_client).number
    error = twilio_error(
        lambda: twilio_client.messages.create(to="+14155550100", from_=number.phone_number)
    )
    assert error.code == 21602
    # The SDK's page reader raises no TwilioRestException: look at the answer itself.
    too_big = twilio_client.request(
        "GET",
        f"https://api.twilio.com/2010-04-01/Accounts/{twilio_client.account_sid}"
        "/IncomingPhoneNumbers.json",
        params={"PageSize": "1001"},
    )
    assert (too_big.status_code, json.loads(too_big.text)["code"]) == (400, 20007)
    stranger = build_client(
        account_sid=sandbox.account_sid,
        auth_token="0" * 32,
        base_url=sandbox.url,
        asynchronous=False,
    )
    error = twilio_error(lambda: stranger.incoming_phone_numbers(missing_pn).fetch())
    assert (error.status, error.code) == (401, 20003)
    error = twilio_error(lambda: stranger.trunking.v1.trunks.create(friendly_name="x"))
    assert (error.status, error.code) == (401, 20003)


def test_injected_faults_answer_twilio_errors(
    twilio_client: Client, sandbox_control: httpx.Client
) -> None:
    """An injected fault answers a proper Twilio error body."""
    rule = {"method": "GET", "path": "IncomingPhoneNumbers", "status": 503, "code": 20503}
    assert sandbox_control.post("/__sandbox/faults", json=rule).status_code < 300
    try:
        number_api = twilio_client.incoming_phone_numbers("PN" + "0" * 32)
        error = twilio_error(number_api.fetch)
        assert (error.status, error.code) == (503, 20503)
    finally:
        sandbox_control.delete("/__sandbox/faults")


def test_unknown_path_answers_twilio_404(twilio_client: Client) -> None:
    """An unknown path answers Twilio's 404."""
    response = twilio_client.request(
        "GET", f"https://api.twilio.com/2010-04-01/Accounts/{twilio_client.account_sid}/Nope.json"
    )
    assert response.status_code == 404
