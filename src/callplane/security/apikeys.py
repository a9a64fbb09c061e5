"""API key material: generation and hashing (only the sha256 hash is stored)."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "cpk_"


def generate_api_key() -> str:
    """A new random API key (shown to its owner once)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """The stored form of a key: hex sha256 (keys are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    """The first characters, safe to show and log, that let a person tell keys apart."""
    return key[:12]
