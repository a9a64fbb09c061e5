"""The admin console's session: a signed cookie with the API key's id (never the key) and a
per-session CSRF token, plus one-shot flash messages in a second signed cookie.

The signing secret is derived from the encryption key ring (HMAC-SHA256 of each key with a fixed
label): nothing is hard-coded, and after `callplane keys rotate` adds a key in front, sessions
signed with the old first key stay valid until they expire, because every key of the ring still
verifies (itsdangerous takes a list of secrets, the last one signs).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from callplane.security.crypto import KeyRing
from callplane.settings import Settings

SESSION_COOKIE = "callplane_admin"
FLASH_COOKIE = "callplane_admin_flash"
COOKIE_PATH = "/admin"
SESSION_TTL_SECONDS = 8 * 3600  # a signed-in session, from sign-in (not sliding)
ANONYMOUS_TTL_SECONDS = 3600  # the CSRF token of the sign-in form
FLASH_TTL_SECONDS = 120
_LABEL = b"callplane admin session v1"
_FLASH_SALT = "callplane.admin.flash"
_SESSION_SALT = "callplane.admin.session"
MAX_FLASH_CHARS = 1200


def derive_secrets(ring: KeyRing) -> list[bytes]:
    """One signing secret per ring key, oldest first and the encrypting key last."""
    return [hmac.new(raw, _LABEL, hashlib.sha256).digest() for _, raw in reversed(ring.keys)]


@dataclass
class Session:
    """What the session cookie holds: the API key's id (once signed in) and the CSRF token."""

    csrf: str
    issued_at: float
    key_id: uuid.UUID | None = None

    @property
    def signed_in(self) -> bool:
        """True once a key was accepted."""
        return self.key_id is not None

    def to_payload(self) -> dict[str, Any]:
        return {
            "c": self.csrf,
            "t": int(self.issued_at),
            "k": str(self.key_id) if self.key_id else None,
        }

    @classmethod
    def from_payload(cls, data: Any) -> Session | None:
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        try:
            key_id = uuid.UUID(data["k"]) if data.get("k") else None
            issued = float(data.get("t", 0))
        except (TypeError, ValueError):
            return None
        return cls(csrf=data["c"], issued_at=issued, key_id=key_id)

    def expired(self, now: float | None = None) -> bool:
        """An absolute lifetime counted from sign-in (or from the sign-in form for anonymous)."""
        ttl = SESSION_TTL_SECONDS if self.signed_in else ANONYMOUS_TTL_SECONDS
        return (now or time.time()) - self.issued_at > ttl


@dataclass
class Flash:
    """A message shown once on the next page: `level` is success, error or info."""

    level: str
    text: str


@dataclass
class SessionManager:
    """Reads and writes the console's cookies."""

    settings: Settings
    ring: KeyRing
    _serializers: dict[str, URLSafeTimedSerializer] = field(default_factory=dict)

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        found = self._serializers.get(salt)
        if found is None:
            found = URLSafeTimedSerializer(derive_secrets(self.ring), salt=salt)
            self._serializers[salt] = found
        return found

    def secure(self, request: Request) -> bool:
        """Secure cookies when the service is public over HTTPS (proxies terminate TLS)."""
        return self.settings.public_base_url.startswith("https://") or request.url.scheme == "https"

    # -- session ------------------------------------------------------------------------------

    def read(self, request: Request) -> Session | None:
        """The valid, unexpired session of the request, if any."""
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer(_SESSION_SALT).loads(raw, max_age=SESSION_TTL_SECONDS)
        except BadSignature:
            return None
        session = Session.from_payload(data)
        if session is None or session.expired():
            return None
        return session

    @staticmethod
    def new(key_id: uuid.UUID | None = None) -> Session:
        """A fresh session with a fresh CSRF token (a sign-in always makes a new one)."""
        return Session(csrf=secrets.token_urlsafe(32), issued_at=time.time(), key_id=key_id)

    def write(self, request: Request, response: Response, session: Session) -> None:
        """Set the session cookie: signed, HttpOnly, SameSite=Strict, expiring with the session."""
        ttl = SESSION_TTL_SECONDS if session.signed_in else ANONYMOUS_TTL_SECONDS
        response.set_cookie(
            SESSION_COOKIE,
            self._serializer(_SESSION_SALT).dumps(session.to_payload()),
            max_age=max(1, int(session.issued_at + ttl - time.time())),
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=self.secure(request),
        )

    def clear(self, request: Request, response: Response) -> None:
        """Forget the session."""
        response.delete_cookie(
            SESSION_COOKIE,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=self.secure(request),
        )

    @staticmethod
    def csrf_ok(session: Session | None, submitted: object) -> bool:
        """The form's token is this session's (constant-time comparison)."""
        if session is None or not isinstance(submitted, str) or not submitted:
            return False
        return hmac.compare_digest(session.csrf.encode(), submitted.encode())

    # -- flash messages -------------------------------------------------------------------------

    def read_flashes(self, request: Request) -> list[Flash]:
        """The messages left by the previous request (the caller clears the cookie)."""
        raw = request.cookies.get(FLASH_COOKIE)
        if not raw:
            return []
        try:
            data = self._serializer(_FLASH_SALT).loads(raw, max_age=FLASH_TTL_SECONDS)
        except BadSignature:
            return []
        if not isinstance(data, list):
            return []
        return [
            Flash(level=str(item[0]), text=str(item[1]))
            for item in data
            if isinstance(item, list) and len(item) == 2
        ]

    def write_flashes(self, request: Request, response: Response, flashes: list[Flash]) -> None:
        """Leave messages for the next page (never secrets: the cookie is signed, not encrypted)."""
        if not flashes:
            response.delete_cookie(FLASH_COOKIE, path=COOKIE_PATH)
            return
        data = [[f.level, f.text[:MAX_FLASH_CHARS]] for f in flashes[-3:]]
        response.set_cookie(
            FLASH_COOKIE,
            self._serializer(_FLASH_SALT).dumps(data),
            max_age=FLASH_TTL_SECONDS,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=self.secure(request),
        )
