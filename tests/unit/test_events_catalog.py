"""The event catalog's patterns, the signature with several secrets, and the two `verify`s (the
package's and the Python client's) agreeing on every case."""

from __future__ import annotations

import pytest
from callplane_client import webhooks as client_webhooks

from callplane import webhooks
from callplane.events.catalog import CATALOG, matches, schema_name, valid_pattern
from callplane.events.catalog import webhooks as hooks
from callplane.gateway import event_signature


@pytest.mark.parametrize(
    ("patterns", "event_type", "expected"),
    [
        (["*"], "call.received", True),
        (["call.*"], "call.unrouted", True),
        (["call.*"], "message.received", False),
        (["message.received"], "message.received", True),
        (["message.received"], "message.status_changed", False),
        (["number.*", "call.completed"], "call.completed", True),
        (["number.*"], "numbers.bought", False),
    ],
)
def test_matches(patterns: list[str], event_type: str, expected: bool) -> None:
    assert matches(patterns, event_type) is expected


def test_valid_patterns() -> None:
    assert all(valid_pattern(t) for t in CATALOG)
    assert all(valid_pattern(p) for p in ("*", "call.*", "number.*", "provider.*"))
    assert not any(valid_pattern(p) for p in ("call", "calls.*", "call.exploded", "*.*", ""))


def test_every_type_has_a_webhook_and_a_schema() -> None:
    found, schemas = hooks()
    assert set(found) == set(CATALOG)
    for event_type in CATALOG:
        body = found[event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].endswith("/" + schema_name(event_type))
        assert schemas[schema_name(event_type)]["properties"]["type"]["enum"] == [event_type]
    assert schema_name("recording.in_progress") == "RecordingInProgressEvent"


CASES = [
    (b'{"a":1}', ["whsec_new"], "whsec_new", True),
    (b'{"a":1}', ["whsec_new", "whsec_old"], "whsec_old", True),
    (b'{"a":1}', ["whsec_new", "whsec_old"], "whsec_other", False),
    (b'{"a":2}', ["whsec_new"], "whsec_old", False),
]


@pytest.mark.parametrize(("body", "signers", "secret", "expected"), CASES)
def test_both_verifies_agree(body: bytes, signers: list[str], secret: str, expected: bool) -> None:
    header = event_signature.sign_all(signers, body, timestamp=1_000_000)
    assert header.count("v1=") == len(signers)
    for verify in (webhooks.verify, client_webhooks.verify):
        assert verify(body, header, secret, now=1_000_010) is expected
        assert verify(body, header, [secret, "whsec_x"], now=1_000_010) is expected
        assert verify(body, header, secret, now=1_000_000 + 301) is False  # too late
        assert verify(body + b" ", header, secret, now=1_000_010) is False
    assert event_signature.verify(secret, header, body, now=1_000_010) is expected
