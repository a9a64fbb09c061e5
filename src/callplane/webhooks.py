"""Verify that an event comes from callplane: the `Callplane-Signature` header (the same code
as the Python client's `callplane_client.webhooks`; a test keeps the two in step).

    Callplane-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

While a secret is being rotated the header carries one `v1=` per secret, and a receiver may
hold the old and the new secret: any match verifies. The timestamp is signed with the body, so
a captured request replayed later than `tolerance` seconds is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

HEADER = "Callplane-Signature"
DEFAULT_TOLERANCE = 300
_HEX = frozenset("0123456789abcdef")


def sign(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """A `Callplane-Signature` value for `payload` (to test a receiver)."""
    body = payload.encode() if isinstance(payload, str) else payload
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(
    payload: bytes | str,
    header: str | None,
    secret: str | Sequence[str],
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True when `header` signs the raw `payload` with `secret` (or one of several secrets)
    and its timestamp is at most `tolerance` seconds away from now."""
    if not header:
        return False
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            if not value.isdigit():
                return False
            timestamp = int(value)
        elif name == "v1" and value and all(c in _HEX for c in value.lower()):
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    secrets = [secret] if isinstance(secret, str) else list(secret)
    body = payload.encode() if isinstance(payload, str) else payload
    for key in secrets:
        expected = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
        if any(hmac.compare_digest(expected.hexdigest(), s) for s in signatures):
            return True
    return False
