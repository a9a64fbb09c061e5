"""Secrets at rest: the process key ring and the registry of encrypted columns."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path
from typing import Any

from callplane.log import get_logger, register_secret
from callplane.security.crypto import KeyRing, generate_key

log = get_logger(__name__)

DEV_KEY_FILE = Path(".callplane-dev.keys")
_ENCRYPTED: list[tuple[type[Any], str]] = []


def register_encrypted(model: type[Any], *columns: str) -> None:
    """Declare columns that hold key-ring ciphertext (`keys rotate` re-encrypts exactly these)."""
    for column in columns:
        if (model, column) not in _ENCRYPTED:
            _ENCRYPTED.append((model, column))


def encrypted_columns() -> list[tuple[type[Any], str]]:
    """Every registered (model, column) pair."""
    return list(_ENCRYPTED)


def load_key_ring(spec: str | None, *, dev_key_file: Path = DEV_KEY_FILE) -> KeyRing:
    """The configured key ring; without one, a local development key kept in a 0600 file."""
    if spec:
        ring = KeyRing.parse(spec)
    else:
        if dev_key_file.exists():
            spec = dev_key_file.read_text().strip()
        else:
            spec = f"dev:{generate_key()}"
            dev_key_file.write_text(spec + "\n")
            os.chmod(dev_key_file, stat.S_IRUSR | stat.S_IWUSR)
        log.warning(
            "no CALLPLANE_ENCRYPTION_KEYS set: using a generated local development key",
            key_file=str(dev_key_file),
        )
        ring = KeyRing.parse(spec)
    for _, raw in ring.keys:
        register_secret(raw.hex())
    return ring


def owner_label(tenant_id: uuid.UUID | None) -> str:
    """The tenant part of the associated data; platform rows have no tenant."""
    return str(tenant_id) if tenant_id is not None else "platform"


class SecretBox:
    """Encrypts and decrypts column values bound to their tenant and column."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    def seal(self, value: str | None, *, tenant_id: uuid.UUID | None, field: str) -> str | None:
        """Ciphertext for `value` (None stays None)."""
        if value is None:
            return None
        register_secret(value)
        return self.ring.encrypt(value, tenant_id=owner_label(tenant_id), field=field)

    def open(self, token: str | None, *, tenant_id: uuid.UUID | None, field: str) -> str | None:
        """Plain text of a ciphertext made by `seal` for this tenant and field."""
        if token is None:
            return None
        value = self.ring.decrypt(token, tenant_id=owner_label(tenant_id), field=field)
        register_secret(value)
        return value
