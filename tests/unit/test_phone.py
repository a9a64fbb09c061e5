"""E.164 normalisation at every boundary (callplane.phone)."""

from __future__ import annotations

import pytest

from callplane.phone import InvalidPhoneNumber, normalize_e164, region_of, try_normalize_e164


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("+14155234271", None, "+14155234271"),
        ("+1 (415) 523-4271", None, "+14155234271"),
        ("14155234271", None, "+14155234271"),  # digits with the country code, as Twilio sends
        ("(415) 523-4271", "US", "+14155234271"),
        ("415.523.4271", "us", "+14155234271"),
        ("0044 20 3700 4271", None, "+442037004271"),
        ("020 3700 4271", "GB", "+442037004271"),
        ("+44 (0)20 3700 4271", None, "+442037004271"),
        ("07480 004271", "GB", "+447480004271"),
        ("  +49 30 25004271 ", None, "+493025004271"),
    ],
)
def test_common_forms(raw: str, country: str | None, e164: str) -> None:
    assert normalize_e164(raw, country=country) == e164


@pytest.mark.parametrize(
    ("raw", "country"),
    [
        ("", None),
        ("hello", None),
        ("12345", None),
        ("+1 415 555", None),
        ("020 3700 4271", None),
        ("+999 1234 5678", None),
        ("4155234271", "GB"),
        ("x" * 50, None),
    ],
)
def test_invalid(raw: str, country: str | None) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_e164(raw, country=country)
    assert caught.value.code == "invalid_phone_number" and caught.value.status_code == 422
    assert try_normalize_e164(raw, country=country) is None


def test_region() -> None:
    assert region_of("+442037004271") == "GB"
    assert region_of("+14165550123") == "CA"
    assert region_of("garbage") is None
