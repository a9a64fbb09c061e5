"""The sandbox's fast paths write exactly what the plain ones would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

from starlette.responses import JSONResponse

from callplane.sandbox.app import TwilioJSON
from callplane.sandbox.util import rfc2822


def test_twilio_json_bytes_match_starlettes_encoder() -> None:
    payload = {
        "friendly_name": "Zürich ☎ line",
        "price": "-1.00",
        "beta": False,
        "emergency_address_sid": None,
        "capabilities": {"voice": True, "sms": True},
        "page_size": 1000,
        "latitude": "47.376900",
        "rate": 0.0085,
        "list": [1, "two", None, {"nested": []}],
    }
    assert TwilioJSON(payload).body == JSONResponse(payload).body


def test_rfc2822_matches_email_utils_for_any_offset_and_repeat() -> None:
    base = datetime(2015, 7, 30, 20, 0, 0, tzinfo=UTC)
    for i in range(0, 400 * 86400, 86400 * 7 + 3601):
        value = base + timedelta(seconds=i)
        expected = format_datetime(value)
        assert rfc2822(value) == expected
        assert rfc2822(value) == expected  # cached answer is the same
        shifted = value.astimezone(timezone(timedelta(hours=-7)))
        assert rfc2822(shifted) == expected
    assert rfc2822(None) is None
