"""The key ring: AES-256-GCM tokens bound to tenant and column."""

from __future__ import annotations

import base64

import pytest

from callplane.security.crypto import DecryptionError, KeyRing, KeyRingError, generate_key

K1 = generate_key()
K2 = generate_key()


def test_round_trip_and_token_format() -> None:
    ring = KeyRing.parse(f"a:{K1}")
    token = ring.encrypt("s3cret-value", tenant_id="t1", field="connections.auth_token")
    version, kid, payload = token.split(":", 2)
    assert (version, kid) == ("v1", "a")
    assert "s3cret" not in token
    assert len(base64.b64decode(payload)) == 12 + len("s3cret-value") + 16
    assert ring.decrypt(token, tenant_id="t1", field="connections.auth_token") == "s3cret-value"


def test_same_plaintext_encrypts_differently() -> None:
    ring = KeyRing.parse(f"a:{K1}")
    one = ring.encrypt("x", tenant_id="t", field="f")
    two = ring.encrypt("x", tenant_id="t", field="f")
    assert one != two


@pytest.mark.parametrize(
    ("tenant", "field"), [("t2", "connections.auth_token"), ("t1", "connections.api_key_secret")]
)
def test_ciphertext_moved_to_another_row_fails(tenant: str, field: str) -> None:
    ring = KeyRing.parse(f"a:{K1}")
    token = ring.encrypt("secret", tenant_id="t1", field="connections.auth_token")
    with pytest.raises(DecryptionError):
        ring.decrypt(token, tenant_id=tenant, field=field)


def test_first_key_encrypts_all_decrypt() -> None:
    old = KeyRing.parse(f"old:{K1}")
    token = old.encrypt("v", tenant_id="t", field="f")
    rotated = KeyRing.parse(f"new:{K2},old:{K1}")
    assert rotated.decrypt(token, tenant_id="t", field="f") == "v"
    assert rotated.needs_rotation(token)
    fresh = rotated.encrypt("v", tenant_id="t", field="f")
    assert not rotated.needs_rotation(fresh)
    with pytest.raises(DecryptionError):
        KeyRing.parse(f"new:{K2}").decrypt(token, tenant_id="t", field="f")


def test_tampered_ciphertext_fails() -> None:
    ring = KeyRing.parse(f"a:{K1}")
    token = ring.encrypt("value", tenant_id="t", field="f")
    version, kid, payload = token.split(":", 2)
    raw = bytearray(base64.b64decode(payload))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError):
        ring.decrypt(
            f"{version}:{kid}:{base64.b64encode(bytes(raw)).decode()}", tenant_id="t", field="f"
        )
    for broken in ("garbage", "v1:a:!!!", "v2:a:" + payload, "v1:a:AAAA"):
        with pytest.raises(DecryptionError):
            ring.decrypt(broken, tenant_id="t", field="f")


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "nokey",
        f"a:{K1},a:{K2}",
        "a:not-base64!",
        "a:" + base64.b64encode(b"short").decode(),
        f"bad id:{K1}",
    ],
)
def test_bad_key_ring_specs_are_refused(spec: str) -> None:
    with pytest.raises(KeyRingError):
        KeyRing.parse(spec)
