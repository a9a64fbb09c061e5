"""The console's session cookie and CSRF token (no I/O)."""

from __future__ import annotations

import base64
import time
import uuid

import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer

from callplane.admin.session import (
    ANONYMOUS_TTL_SECONDS,
    SESSION_TTL_SECONDS,
    Session,
    SessionManager,
    derive_secrets,
)
from callplane.security.crypto import KeyRing
from callplane.settings import Settings

K1 = "k1:" + base64.b64encode(b"1" * 32).decode()
K2 = "k2:" + base64.b64encode(b"2" * 32).decode()


def _manager(spec: str) -> SessionManager:
    return SessionManager(
        settings=Settings(public_base_url="https://cp.example"), ring=KeyRing.parse(spec)
    )


def test_secrets_come_from_the_key_ring_and_the_encrypting_key_signs() -> None:
    (from_k1,) = derive_secrets(KeyRing.parse(K1))
    (from_k2,) = derive_secrets(KeyRing.parse(K2))
    assert from_k1 != from_k2 and b"1" * 32 != from_k1, "derived, not the encryption key itself"
    # itsdangerous signs with the last secret and verifies with all: the first (encrypting)
    # key of the ring goes last.
    assert derive_secrets(KeyRing.parse(f"{K1},{K2}")) == [from_k2, from_k1]


def test_a_session_signed_before_a_key_rotation_still_verifies() -> None:
    old = _manager(K1)
    token = old._serializer("callplane.admin.session").dumps(
        Session("c", time.time(), uuid.uuid4()).to_payload()
    )
    rotated = _manager(
        f"{K2},{K1}"
    )  # `keys rotate`: a new first key, the old one still in the ring
    data = rotated._serializer("callplane.admin.session").loads(token)
    assert Session.from_payload(data) is not None
    with pytest.raises(BadSignature):  # a ring without the signing key does not verify it
        _manager(K2)._serializer("callplane.admin.session").loads(token)


def test_sessions_expire_from_sign_in() -> None:
    now = time.time()
    signed = Session("c", now, uuid.uuid4())
    assert not signed.expired(now + SESSION_TTL_SECONDS - 1)
    assert signed.expired(now + SESSION_TTL_SECONDS + 1)
    anonymous = Session("c", now)
    assert anonymous.expired(now + ANONYMOUS_TTL_SECONDS + 1)


def test_csrf_comparison() -> None:
    session = SessionManager.new(uuid.uuid4())
    assert SessionManager.csrf_ok(session, session.csrf)
    assert not SessionManager.csrf_ok(session, session.csrf[:-1])
    assert not SessionManager.csrf_ok(session, "")
    assert not SessionManager.csrf_ok(session, None)
    assert not SessionManager.csrf_ok(None, session.csrf)
    assert SessionManager.new().csrf != SessionManager.new().csrf


def test_the_payload_holds_the_key_id_not_the_key() -> None:
    key_id = uuid.uuid4()
    payload = Session("tok", 1.0, key_id).to_payload()
    assert payload == {"c": "tok", "t": 1, "k": str(key_id)}
    assert Session.from_payload({"c": 1}) is None
    assert Session.from_payload({"c": "x", "k": "not-a-uuid"}) is None
    assert (
        Session.from_payload(
            URLSafeTimedSerializer("x").loads(URLSafeTimedSerializer("x").dumps(payload))
        )
        is not None
    )
