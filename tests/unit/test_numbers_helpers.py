"""Pure helpers of the numbers feature: capabilities, countries, number types, prices, errors."""

from __future__ import annotations

import json

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.response import Response

from callplane.numbers.compliance import PurchaseCompliance
from callplane.numbers.remote import capabilities_of
from callplane.numbers.schemas import money
from callplane.numbers.search import InvalidCountry, normalize_country, number_type_of
from callplane.twilio.errors import as_rest_exception


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # AvailablePhoneNumbers, as real Twilio sends them: upper-case SMS and MMS.
        ({"voice": True, "SMS": True, "MMS": False}, {"voice": True, "sms": True, "mms": False}),
        # IncomingPhoneNumbers: lower case, with fax.
        (
            {"voice": True, "sms": False, "mms": True, "fax": False},
            {"voice": True, "sms": False, "mms": True},
        ),
        ({"Voice": "true", "Sms": "false"}, {"voice": True, "sms": False, "mms": False}),
        ({}, {"voice": False, "sms": False, "mms": False}),
        (None, {"voice": False, "sms": False, "mms": False}),
    ],
)
def test_capabilities_in_either_case(raw: dict | None, expected: dict) -> None:
    assert capabilities_of(raw) == expected


@pytest.mark.parametrize(("raw", "iso"), [("US", "US"), ("gb", "GB"), (" de ", "DE"), ("Pl", "PL")])
def test_countries(raw: str, iso: str) -> None:
    assert normalize_country(raw) == iso


@pytest.mark.parametrize("raw", ["", "X", "XX", "USA", "U1", "12", "ZZ", None])
def test_unknown_countries(raw: str | None) -> None:
    with pytest.raises(InvalidCountry) as caught:
        normalize_country(raw)
    assert caught.value.code == "invalid_country" and caught.value.status_code == 422


@pytest.mark.parametrize(
    ("e164", "kind"),
    [
        ("+14155234271", "local"),
        ("+18002004271", "toll_free"),
        ("+442037004271", "local"),
        ("+447480004271", "mobile"),
        ("+4915120004271", "mobile"),
        ("+498007004271", "toll_free"),
    ],
)
def test_number_types(e164: str, kind: str) -> None:
    assert number_type_of(e164) == kind


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1.15", "1.15"),
        ("1.1500", "1.15"),
        ("20.00", "20.00"),
        ("3", "3.00"),
        ("0.0075", "0.0075"),
        (None, None),
        ("", None),
        ("n/a", None),
    ],
)
def test_money(value: str | None, text: str | None) -> None:
    assert money(value) == text


def test_purchase_compliance_params() -> None:
    assert PurchaseCompliance().twilio_params() == {}
    assert PurchaseCompliance("BU1", None, "AD2").twilio_params() == {
        "bundle_sid": "BU1",
        "emergency_address_sid": "AD2",
    }


def test_list_page_errors_become_rest_errors() -> None:
    """The SDK raises a bare TwilioException for a failed list page; it is made a REST error."""
    body = {"code": 20404, "message": "not found", "status": 404}
    caught = as_rest_exception(
        TwilioException("Unable to fetch page", Response(404, json.dumps(body)))
    )
    assert isinstance(caught, TwilioRestException)
    assert caught.status == 404 and caught.code == 20404 and caught.msg == "not found"
    caught = as_rest_exception(
        TwilioException("Unable to fetch page", Response(502, "<html>bad gateway</html>"))
    )
    assert isinstance(caught, TwilioRestException) and caught.status == 502 and caught.code is None
    other = TwilioException("something else")
    assert as_rest_exception(other) is other
