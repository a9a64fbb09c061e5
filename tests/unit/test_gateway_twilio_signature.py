"""Webhook signature checks, with the vectors Twilio's own SDK tests document.

The vectors come from twilio-python's tests/unit/test_request_validator.py: auth token "12345",
the URL https://mycompany.com/myapp.php?foo=1&bar=2 and five call parameters.
"""

from __future__ import annotations

import hashlib

import pytest
from twilio.request_validator import RequestValidator

from callplane.gateway.twilio_signature import (
    FormParams,
    public_url,
    signs_body_hash,
    verify_signature,
)

TOKEN = "12345"
URI = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}
EXPECTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
BODY = '{"property": "value", "boolean": true}'
BODY_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
BODY_SIGNATURE = "a9nBmqA0ju/hNViExpshrM61xv4="


def form(params: dict[str, str]) -> FormParams:
    return FormParams(params.items())


def test_sdk_vector_form_post() -> None:
    assert RequestValidator(TOKEN).compute_signature(URI, PARAMS) == EXPECTED
    assert verify_signature(tokens=[TOKEN], url=URI, params=form(PARAMS), signature=EXPECTED)


def test_sdk_vectors_with_and_without_port() -> None:
    # Twilio sometimes signs the URL with the default port, sometimes without; both verify.
    assert verify_signature(
        tokens=[TOKEN], url=URI, params=form(PARAMS), signature="kvajT1Ptam85bY51eRf/AJRuM3w="
    )
    http = URI.replace("https", "http")
    assert verify_signature(
        tokens=[TOKEN], url=http, params=form(PARAMS), signature="0ZXoZLH/DfblKGATFgpif+LLRf4="
    )
    with_port = URI.replace(".com", ".com:1234")
    assert verify_signature(tokens=[TOKEN], url=with_port, params=form(PARAMS), signature=EXPECTED)


def test_sdk_vector_body_sha256() -> None:
    assert hashlib.sha256(BODY.encode()).hexdigest() == BODY_HASH
    url = f"{URI}&bodySHA256={BODY_HASH}"
    assert signs_body_hash(url)
    assert verify_signature(tokens=[TOKEN], url=url, params=BODY, signature=BODY_SIGNATURE)
    # The body is part of what is checked: another body with the same URL fails.
    assert not verify_signature(
        tokens=[TOKEN], url=url, params=BODY + " ", signature=BODY_SIGNATURE
    )


@pytest.mark.parametrize(
    "query",
    ["bodySHA256=", "xbodySHA256=1", "a=bodySHA256=1", "bodySHA256", "x#&bodySHA256=00"],
)
def test_body_hash_variant_is_the_sdks_parsed_query(query: str) -> None:
    # Issue 16: a substring test handed the raw body to the SDK, which then read it as a form
    # (a TypeError, a 500). Not the JSON variant, so a body string never verifies, never raises.
    url = f"https://mycompany.com/myapp?{query}"
    assert not signs_body_hash(url)
    assert not verify_signature(tokens=[TOKEN], url=url, params=BODY, signature=BODY_SIGNATURE)


def test_sdk_vector_repeated_fields() -> None:
    params = FormParams(
        [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    )
    assert params["Digits"] == "5678" and params.getlist("Digits") == ["5678", "1234"]
    assert verify_signature(
        tokens=[TOKEN], url=URI, params=params, signature="IK+Dwps556ElfBT0I3Rgjkr1wJU="
    )


def test_forgeries_fail() -> None:
    assert not verify_signature(tokens=["54321"], url=URI, params=form(PARAMS), signature=EXPECTED)
    assert not verify_signature(
        tokens=[TOKEN], url=URI, params=form({**PARAMS, "To": "+18005551213"}), signature=EXPECTED
    )
    assert not verify_signature(
        tokens=[TOKEN], url=URI + "&x=1", params=form(PARAMS), signature=EXPECTED
    )
    assert not verify_signature(
        tokens=[TOKEN], url=URI.replace("myapp", "other"), params=form(PARAMS), signature=EXPECTED
    )
    assert not verify_signature(tokens=[TOKEN], url=URI, params=form(PARAMS), signature="")
    assert not verify_signature(tokens=[TOKEN], url=URI, params=form(PARAMS), signature=None)
    assert not verify_signature(tokens=[], url=URI, params=form(PARAMS), signature=EXPECTED)


def test_any_token_of_the_account_verifies() -> None:
    # The current token first, then the previous one within its grace period.
    assert verify_signature(
        tokens=["new-token", TOKEN], url=URI, params=form(PARAMS), signature=EXPECTED
    )


def test_sha256_variant_announced_by_twilio() -> None:
    sig = RequestValidator(TOKEN).compute_signature(URI, PARAMS, "HMAC_SHA256")
    header = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"
    assert verify_signature(
        tokens=[TOKEN], url=URI, params=form(PARAMS), signature=sig, settings_header=header
    )
    # Without the announcement the SHA-1 check applies, and the SHA-256 signature fails it.
    assert not verify_signature(tokens=[TOKEN], url=URI, params=form(PARAMS), signature=sig)
    # An algorithm the SDK does not know never verifies.
    assert not verify_signature(
        tokens=[TOKEN],
        url=URI,
        params=form(PARAMS),
        signature=EXPECTED,
        settings_header="algorithm=HMAC_MD5",
    )


def test_public_url_is_the_configured_base() -> None:
    assert (
        public_url("https://api.example.com", "/webhooks/twilio/voice", "")
        == "https://api.example.com/webhooks/twilio/voice"
    )
    assert public_url("https://api.example.com/cp/", "/webhooks/twilio/voice", "a=1&b=%20") == (
        "https://api.example.com/cp/webhooks/twilio/voice?a=1&b=%20"
    )
