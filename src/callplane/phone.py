"""Phone number normalisation: every boundary stores and compares E.164 only."""

from __future__ import annotations

import phonenumbers

from callplane.errors import Unprocessable


class InvalidPhoneNumber(Unprocessable):
    """The input is not a valid phone number."""

    code = "invalid_phone_number"


def normalize_e164(raw: str, *, country: str | None = None) -> str:
    """E.164 for a number written in any common form ('+1 415-555-0100', '004420...', '415...').

    Without a leading + or 00, `country` (ISO-2) says how to read it; digits alone that start
    with a country code (as Twilio sometimes sends) are tried as international first.
    """
    text = (raw or "").strip()
    if not text or len(text) > 40:
        raise InvalidPhoneNumber(f"{raw!r} is not a phone number")
    if text.startswith("00"):
        text = "+" + text[2:]
    candidates: list[tuple[str, str | None]] = [(text, country.upper() if country else None)]
    if not text.startswith("+") and text[:1].isdigit() and not country:
        candidates = [("+" + text, None)]
    for candidate, region in candidates:
        try:
            parsed = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidPhoneNumber(
        f"{raw!r} is not a valid phone number"
        + ("" if country or text.startswith("+") else "; write it in E.164 (+<country code>...)")
    )


def try_normalize_e164(raw: str | None, *, country: str | None = None) -> str | None:
    """E.164, or None when the input is not a valid number (for webhooks: never raise)."""
    if not raw:
        return None
    try:
        return normalize_e164(raw, country=country)
    except InvalidPhoneNumber:
        return None


def region_of(e164: str) -> str | None:
    """ISO-2 country of an E.164 number."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
