"""`Callplane-Signature` (what tenants verify) and the outbox retry schedule."""

from __future__ import annotations

import hashlib
import hmac

from callplane.gateway import event_signature
from callplane.gateway.outbox import DeliveryPolicy


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"id":"e1","type":"call.received"}'
    header = event_signature.sign("whsec_test", body, timestamp=1700000000)
    expected = hmac.new(b"whsec_test", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert event_signature.verify("whsec_test", header, body, now=1700000010)


def test_verification_refuses_tampering_replay_and_wrong_secret() -> None:
    body = b'{"id":"e1"}'
    header = event_signature.sign("whsec_test", body, timestamp=1700000000)
    assert not event_signature.verify("whsec_other", header, body, now=1700000000)
    assert not event_signature.verify("whsec_test", header, body + b" ", now=1700000000)
    assert not event_signature.verify("whsec_test", header, body, now=1700000000 + 301)  # too old
    forged_t = header.replace("t=1700000000", "t=1700000100")
    assert not event_signature.verify("whsec_test", forged_t, body, now=1700000100)
    assert not event_signature.verify("whsec_test", None, body)
    assert not event_signature.verify("whsec_test", "v1=abc", body)
    assert not event_signature.verify("whsec_test", "t=x,v1=abc", body)


def test_rotation_may_send_several_signatures() -> None:
    body = b"{}"
    new = event_signature.sign("whsec_new", body, timestamp=1700000000)
    old_mac = event_signature.sign("whsec_old", body, timestamp=1700000000).split("v1=")[1]
    header = f"{new},v1={old_mac}"
    assert event_signature.verify("whsec_old", header, body, now=1700000000)
    assert event_signature.verify("whsec_new", header, body, now=1700000000)


def test_backoff_doubles_and_is_capped() -> None:
    policy = DeliveryPolicy(base_backoff=2.0, max_backoff=600.0)
    for attempts, nominal in ((1, 2), (2, 4), (3, 8), (6, 64), (20, 600)):
        delay = policy.backoff(attempts)
        assert nominal * 0.8 <= delay <= nominal * 1.2
