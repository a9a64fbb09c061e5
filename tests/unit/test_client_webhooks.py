"""The Python client's `verify` against callplane's own signer (gateway/event_signature.py)."""

from __future__ import annotations

from callplane_client.webhooks import HEADER, sign, verify

from callplane.gateway import event_signature

BODY = b'{"id":"e1","type":"call.received"}'
T = 1700000000


def test_verifies_what_callplane_signs() -> None:
    header = event_signature.sign("whsec_test", BODY, timestamp=T)
    assert HEADER == event_signature.HEADER
    assert sign(BODY, "whsec_test", T) == header
    assert verify(BODY, header, "whsec_test", now=T + 10)
    assert verify(BODY.decode(), header, "whsec_test", now=T)


def test_a_rotation_s_two_signatures_and_several_secrets() -> None:
    new = event_signature.sign("whsec_new", BODY, timestamp=T)
    old = event_signature.sign("whsec_old", BODY, timestamp=T).split("v1=")[1]
    header = f"{new},v1={old}"
    assert verify(BODY, header, "whsec_new", now=T)
    assert verify(BODY, header, "whsec_old", now=T)
    assert verify(BODY, f"t={T},v1={old}", ["whsec_new", "whsec_old"], now=T)
    assert not verify(BODY, header, ["whsec_a", "whsec_b"], now=T)


def test_refuses_tampering_other_secrets_old_or_future_stamps_and_malformed_headers() -> None:
    header = event_signature.sign("whsec_test", BODY, timestamp=T)
    assert not verify(BODY + b" ", header, "whsec_test", now=T)
    assert not verify(BODY, header, "whsec_other", now=T)
    assert not verify(BODY, header, "whsec_test", now=T + 301)
    assert not verify(BODY, header, "whsec_test", now=T - 301)
    assert verify(BODY, header, "whsec_test", now=T + 3000, tolerance=3600)
    assert not verify(BODY, header.replace(f"t={T}", f"t={T + 1}"), "whsec_test", now=T)
    mac = header.split("v1=")[1]
    for bad in (None, "", f"v1={mac}", f"t=abc,v1={mac}", f"t={T}", f"t={T},v1=zz", f"t={T},v1=é"):
        assert not verify(BODY, bad, "whsec_test", now=T), bad
