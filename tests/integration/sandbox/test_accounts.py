"""Accounts, subaccounts, API keys and authentication, through the real SDK."""

from __future__ import annotations

import httpx
from twilio.rest import Client

from callplane.sandbox.server import SandboxServer
from tests.integration.sandbox.helpers import Account, available, client_for, raw, twilio_error


def test_main_account_fetch_shows_itself(main: Account) -> None:
    account = main.client.api.v2010.accounts(main.sid).fetch()
    assert account.sid == main.sid
    assert account.owner_account_sid == main.sid
    assert account.status == "active"
    assert account.type == "Full"


def test_subaccount_has_own_credentials_and_parent(main: Account, sandbox: SandboxServer) -> None:
    sub = main.client.api.v2010.accounts.create(friendly_name="tenant-1")
    assert sub.sid.startswith("AC") and len(sub.sid) == 34
    assert sub.owner_account_sid == main.sid
    assert sub.auth_token and sub.auth_token != main.token
    own = client_for(sandbox, sub.sid, sub.auth_token)
    assert own.api.v2010.accounts(sub.sid).fetch().friendly_name == "tenant-1"


def test_account_list_shows_self_and_subaccounts_with_filters(main: Account) -> None:
    a = main.client.api.v2010.accounts.create(friendly_name="alpha")
    b = main.client.api.v2010.accounts.create(friendly_name="beta")
    sids = [acc.sid for acc in main.client.api.v2010.accounts.list()]
    assert sids == [main.sid, a.sid, b.sid]
    named = main.client.api.v2010.accounts.list(friendly_name="beta")
    assert [acc.sid for acc in named] == [b.sid]
    main.client.api.v2010.accounts(a.sid).update(status="suspended")
    suspended = main.client.api.v2010.accounts.list(status="suspended")
    assert [acc.sid for acc in suspended] == [a.sid]


def test_subaccount_sees_only_itself(subaccount: Account, main: Account) -> None:
    listed = subaccount.client.api.v2010.accounts.list()
    assert [a.sid for a in listed] == [subaccount.sid]
    assert twilio_error(lambda: subaccount.client.api.v2010.accounts(main.sid).fetch()) == (
        401,
        20003,
    )


def test_subaccount_cannot_make_subaccounts(subaccount: Account) -> None:
    assert twilio_error(
        lambda: subaccount.client.api.v2010.accounts.create(friendly_name="nested")
    ) == (401, 20003)


def test_update_friendly_name(main: Account, subaccount: Account) -> None:
    updated = main.client.api.v2010.accounts(subaccount.sid).update(friendly_name="renamed")
    assert updated.friendly_name == "renamed"


def test_parent_credentials_reach_subaccount_v2010_resources(
    sandbox: SandboxServer, main: Account, subaccount: Account
) -> None:
    # As build_client documents: parent SID/token as "API key", subaccount as account_sid.
    as_parent = client_for(
        sandbox, subaccount.sid, None, api_key_sid=main.sid, api_key_secret=main.token
    )
    number = as_parent.incoming_phone_numbers.create(phone_number=available(as_parent))
    assert number.account_sid == subaccount.sid
    mine = subaccount.client.incoming_phone_numbers.list()
    assert [n.sid for n in mine] == [number.sid]
    assert main.client.incoming_phone_numbers.list() == []


def test_suspend_blocks_own_credentials_until_reactivated(
    main: Account, subaccount: Account
) -> None:
    main.client.api.v2010.accounts(subaccount.sid).update(status="suspended")
    assert twilio_error(lambda: subaccount.client.api.v2010.accounts(subaccount.sid).fetch()) == (
        401,
        20003,
    )
    # The parent still sees it, and traffic from it is refused with 10001.
    assert main.client.api.v2010.accounts(subaccount.sid).fetch().status == "suspended"
    main.client.api.v2010.accounts(subaccount.sid).update(status="active")
    assert subaccount.client.api.v2010.accounts(subaccount.sid).fetch().status == "active"


def test_account_cannot_change_its_own_status(main: Account, subaccount: Account) -> None:
    assert twilio_error(
        lambda: subaccount.client.api.v2010.accounts(subaccount.sid).update(status="suspended")
    ) == (403, 20403)
    assert twilio_error(
        lambda: main.client.api.v2010.accounts(main.sid).update(status="closed")
    ) == (403, 20403)


def test_close_releases_numbers_and_is_final(main: Account, subaccount: Account) -> None:
    e164 = available(subaccount.client)
    subaccount.client.incoming_phone_numbers.create(phone_number=e164)
    closed = main.client.api.v2010.accounts(subaccount.sid).update(status="closed")
    assert closed.status == "closed"
    # Released: back in availability and buyable by someone else.
    again = main.client.incoming_phone_numbers.create(phone_number=e164)
    assert again.account_sid == main.sid
    assert twilio_error(lambda: subaccount.client.api.v2010.accounts(subaccount.sid).fetch()) == (
        401,
        20003,
    )
    assert (
        twilio_error(
            lambda: main.client.api.v2010.accounts(subaccount.sid).update(status="active")
        )[0]
        == 400
    )
    # Closing again is harmless; the parent still lists it.
    assert main.client.api.v2010.accounts(subaccount.sid).update(status="closed").status == "closed"
    assert subaccount.sid in [a.sid for a in main.client.api.v2010.accounts.list(status="closed")]


def test_invalid_status_value_is_refused(main: Account, subaccount: Account) -> None:
    assert (
        twilio_error(
            lambda: main.client.api.v2010.accounts(subaccount.sid).update(status="frozen")
        )[0]
        == 400
    )


def test_control_makes_isolated_top_level_account(
    byo_account: Account, main: Account, sandbox: SandboxServer
) -> None:
    account = byo_account.client.api.v2010.accounts(byo_account.sid).fetch()
    assert account.owner_account_sid == byo_account.sid
    assert twilio_error(lambda: byo_account.client.api.v2010.accounts(main.sid).fetch()) == (
        401,
        20003,
    )
    assert twilio_error(
        lambda: main.client.api.v2010.accounts(byo_account.sid).incoming_phone_numbers.list()
    ) == (401, 20003)
    assert [a.sid for a in main.client.api.v2010.accounts.list()] == [main.sid]


def test_wrong_credentials_answer_20003(sandbox: SandboxServer, main: Account) -> None:
    bad = client_for(sandbox, main.sid, "0" * 32)
    assert twilio_error(lambda: bad.api.v2010.accounts(main.sid).fetch()) == (401, 20003)
    unknown = client_for(sandbox, "AC" + "f" * 32, "0" * 32)
    assert twilio_error(lambda: unknown.trunking.v1.trunks.list()) == (401, 20003)
    body = httpx.get(f"{sandbox.url}/api/2010-04-01/Accounts.json").json()
    assert body == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


def test_api_key_authenticates_for_its_account(
    sandbox: SandboxServer, main: Account, subaccount: Account
) -> None:
    key = subaccount.client.api.v2010.accounts(subaccount.sid).new_keys.create(friendly_name="k1")
    assert key.sid.startswith("SK") and key.secret
    with_key = client_for(
        sandbox, subaccount.sid, None, api_key_sid=key.sid, api_key_secret=key.secret
    )
    number = with_key.incoming_phone_numbers.create(phone_number=available(with_key))
    assert number.account_sid == subaccount.sid
    assert with_key.trunking.v1.trunks.list() == []
    # The secret is shown once; listing keys shows none.
    listed = subaccount.client.api.v2010.accounts(subaccount.sid).keys.list()
    assert [k.sid for k in listed] == [key.sid]
    # Standard keys cannot manage accounts or keys.
    assert twilio_error(lambda: with_key.api.v2010.accounts(subaccount.sid).new_keys.create()) == (
        401,
        20003,
    )
    # A deleted key stops working.
    subaccount.client.api.v2010.accounts(subaccount.sid).keys(key.sid).delete()
    assert twilio_error(lambda: with_key.incoming_phone_numbers.list()) == (401, 20003)


def test_parent_api_key_does_not_reach_subaccount(
    sandbox: SandboxServer, main: Account, subaccount: Account
) -> None:
    key = main.client.api.v2010.accounts(main.sid).new_keys.create()
    as_key = client_for(
        sandbox, subaccount.sid, None, api_key_sid=key.sid, api_key_secret=key.secret
    )
    assert twilio_error(lambda: as_key.incoming_phone_numbers.list()) == (401, 20003)


def test_bad_key_secret(sandbox: SandboxServer, main: Account) -> None:
    key = main.client.api.v2010.accounts(main.sid).new_keys.create()
    bad = client_for(sandbox, main.sid, None, api_key_sid=key.sid, api_key_secret="nope")
    assert twilio_error(lambda: bad.incoming_phone_numbers.list()) == (401, 20003)


def test_v2010_dates_are_rfc2822(sandbox: SandboxServer, main: Account) -> None:
    with raw(sandbox, main.sid, main.token) as http:
        body = http.get(f"/api/2010-04-01/Accounts/{main.sid}.json").json()
    assert body["date_created"].endswith(" +0000")
    assert body["uri"] == f"/2010-04-01/Accounts/{main.sid}.json"
    assert body["subresource_uris"]["incoming_phone_numbers"].startswith("/2010-04-01/")


async def test_async_client_creates_subaccount(twilio_async_client: Client) -> None:
    sub = await twilio_async_client.api.v2010.accounts.create_async(friendly_name="async")
    fetched = await twilio_async_client.api.v2010.accounts(sub.sid).fetch_async()
    assert fetched.friendly_name == "async"


async def test_async_client_pages_through_lists(
    twilio_async_client: Client, sandbox_control: httpx.Client
) -> None:
    sid = twilio_async_client.account_sid
    sandbox_control.post("/__sandbox/seed", json={"account_sid": sid, "count": 7})
    numbers = await twilio_async_client.incoming_phone_numbers.list_async(page_size=3)
    assert len({n.sid for n in numbers}) == 7
