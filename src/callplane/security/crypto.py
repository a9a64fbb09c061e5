"""AES-256-GCM key ring for secrets at rest (DESIGN section 3)."""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOKEN_VERSION = "v1"
_KID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class KeyRingError(ValueError):
    """The key ring configuration is invalid."""


class DecryptionError(ValueError):
    """A ciphertext could not be decrypted: unknown key, tampered, or bound to another row."""


def associated_data(*, tenant_id: object, field: str) -> bytes:
    """Bind a ciphertext to its owner and column so a copied ciphertext fails to decrypt."""
    return f"tenant={tenant_id}|field={field}".encode()


def generate_key() -> str:
    """A fresh 256-bit key, base64 encoded."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


@dataclass(frozen=True)
class KeyRing:
    """Ordered keys: the first encrypts, every one decrypts."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        """Parse `kid:base64key,kid2:base64key` (first encrypts)."""
        keys: list[tuple[str, bytes]] = []
        seen: set[str] = set()
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            kid, sep, encoded = part.partition(":")
            if not sep or not _KID_RE.match(kid):
                raise KeyRingError("each key must be 'kid:base64key' with a short [A-Za-z0-9_-] id")
            if kid in seen:
                raise KeyRingError(f"duplicate key id {kid!r}")
            try:
                raw = base64.b64decode(encoded, validate=True)
            except binascii.Error as exc:
                raise KeyRingError(f"key {kid!r} is not valid base64") from exc
            if len(raw) != 32:
                raise KeyRingError(f"key {kid!r} must be 32 bytes (AES-256), got {len(raw)}")
            keys.append((kid, raw))
            seen.add(kid)
        if not keys:
            raise KeyRingError("no encryption key configured")
        return cls(tuple(keys))

    @property
    def primary_kid(self) -> str:
        """Id of the key that encrypts."""
        return self.keys[0][0]

    def _key(self, kid: str) -> bytes:
        for candidate, raw in self.keys:
            if candidate == kid:
                return raw
        raise DecryptionError(f"unknown key id {kid!r}")

    def encrypt(self, plaintext: str, *, tenant_id: object, field: str) -> str:
        """Encrypt under the primary key: `v1:<kid>:<base64(nonce|ct|tag)>`."""
        kid, raw = self.keys[0]
        nonce = os.urandom(12)
        sealed = AESGCM(raw).encrypt(
            nonce, plaintext.encode(), associated_data(tenant_id=tenant_id, field=field)
        )
        return f"{TOKEN_VERSION}:{kid}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, tenant_id: object, field: str) -> str:
        """Decrypt a token made by `encrypt` for this very tenant and field."""
        version, kid, payload = self.split(token)
        if version != TOKEN_VERSION:
            raise DecryptionError(f"unsupported ciphertext version {version!r}")
        try:
            blob = base64.b64decode(payload, validate=True)
        except binascii.Error as exc:
            raise DecryptionError("ciphertext is not valid base64") from exc
        if len(blob) < 12 + 16:
            raise DecryptionError("ciphertext too short")
        try:
            plain = AESGCM(self._key(kid)).decrypt(
                blob[:12], blob[12:], associated_data(tenant_id=tenant_id, field=field)
            )
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not authenticate for this row") from exc
        return plain.decode()

    @staticmethod
    def split(token: str) -> tuple[str, str, str]:
        """(version, kid, payload) of a token."""
        parts = token.split(":", 2)
        if len(parts) != 3:
            raise DecryptionError("malformed ciphertext token")
        return parts[0], parts[1], parts[2]

    def needs_rotation(self, token: str) -> bool:
        """True when the token was not made with the primary key."""
        return self.split(token)[1] != self.primary_kid
