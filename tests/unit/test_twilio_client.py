"""The client factory sends every Twilio URL to the configured emulator."""

from __future__ import annotations

import pytest

from callplane.errors import Unprocessable
from callplane.twilio.client import AsyncRewritingHttpClient, build_client, rewrite_twilio_url

BASE = "http://127.0.0.1:8100"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.twilio.com/2010-04-01/Accounts.json", f"{BASE}/api/2010-04-01/Accounts.json"),
        (
            "https://trunking.twilio.com/v1/Trunks?PageSize=50&Page=1",
            f"{BASE}/trunking/v1/Trunks?PageSize=50&Page=1",
        ),
        (
            "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts.json",
            f"{BASE}/api/2010-04-01/Accounts.json",
        ),
        (
            "https://numbers.twilio.com/v2/RegulatoryCompliance/Bundles",
            f"{BASE}/numbers/v2/RegulatoryCompliance/Bundles",
        ),
        ("https://example.com/hook", "https://example.com/hook"),
        ("https://nottwilio.com/x", "https://nottwilio.com/x"),
    ],
)
def test_rewrite(url: str, expected: str) -> None:
    assert rewrite_twilio_url(url, BASE) == expected


def test_no_base_url_means_real_twilio() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts.json"
    assert rewrite_twilio_url(url, None) == url


def test_base_url_with_path_prefix() -> None:
    assert (
        rewrite_twilio_url(
            "https://pricing.twilio.com/v1/PhoneNumbers/Countries", "http://h:1/sandbox/"
        )
        == "http://h:1/sandbox/pricing/v1/PhoneNumbers/Countries"
    )


def test_factory_uses_api_key_when_given() -> None:
    client = build_client(
        account_sid="AC" + "1" * 32,
        api_key_sid="SK" + "2" * 32,
        api_key_secret="secret",
        base_url=BASE,
    )
    assert client.username == "SK" + "2" * 32
    assert client.account_sid == "AC" + "1" * 32
    assert isinstance(client.http_client, AsyncRewritingHttpClient)
    with pytest.raises(ValueError):
        build_client(account_sid="AC" + "1" * 32)


async def test_page_errors_are_unwrapped_and_mapped() -> None:
    from twilio.base.exceptions import TwilioException
    from twilio.http.response import Response

    from callplane.errors import ApiError
    from callplane.twilio.errors import call_twilio

    calls = 0

    async def failing_page() -> None:
        nonlocal calls
        calls += 1
        body = '{"code": 21422, "message": "not available", "status": 400}'
        raise TwilioException("Unable to fetch page", Response(400, body))

    with pytest.raises(ApiError) as err:
        await call_twilio(failing_page, retry=True, action="list")
    assert (
        err.value.code == "phone_number_unavailable" and err.value.details["twilio_code"] == 21422
    )
    assert calls == 1

    async def busy_page() -> None:
        nonlocal calls
        calls += 1
        raise TwilioException(
            "Unable to fetch page", Response(429, '{"code": 20429, "status": 429}')
        )

    calls = 0
    with pytest.raises(ApiError) as err:
        await call_twilio(busy_page, retry=True, action="list", attempts=3, max_wait=0.01)
    assert calls == 3 and err.value.code == "provider_error"


@pytest.mark.parametrize(
    "creds",
    [
        {"auth_token": "a" * 31 + "€"},
        {"api_key_sid": "SK" + "1" * 32, "api_key_secret": "sécret✓" * 4},
    ],
)
def test_credentials_that_are_not_latin1_are_invalid_credentials(creds: dict[str, str]) -> None:
    # Issue 16: the SDK builds the Basic header in Latin-1; a token ending in € was a 500.
    with pytest.raises(Unprocessable) as caught:
        build_client(account_sid="AC" + "1" * 32, base_url=BASE, **creds)
    assert caught.value.code == "invalid_credentials" and caught.value.status_code == 422
    assert not any(secret in caught.value.message for secret in creds.values())
    # Latin-1 that is not ASCII can be sent (Twilio refuses it as a wrong token, if it is).
    build_client(account_sid="AC" + "1" * 32, auth_token="é" * 32, base_url=BASE)
