"""`Callplane-Signature`: how a tenant's app knows an event comes from callplane.

    Callplane-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

The timestamp is signed with the body, so a captured request cannot be replayed later than the
receiver's tolerance. Receivers compare in constant time and may see several `v1=` values while
a secret is being rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Callplane-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value for `body` signed now (or at `timestamp`)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def sign_all(secrets: list[str], body: bytes, timestamp: int | None = None) -> str:
    """The header value signed by each of `secrets` (new first): `t=<t>,v1=<new>,v1=<old>`."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    macs = [
        hmac.new(s.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest() for s in secrets
    ]
    return f"t={t}," + ",".join(f"v1={m}" for m in macs)


def verify(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance`."""
    if not header:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, c) for c in candidates)
