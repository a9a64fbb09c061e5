"""One adapter per provider, each through that provider's official SDK only."""

from __future__ import annotations

from callplane.providers.adapters.base import (
    Adapter,
    Credentials,
    Placed,
    ProviderCallError,
    Push,
    Remote,
)
from callplane.providers.adapters.elevenlabs import ElevenLabsAdapter
from callplane.providers.adapters.livekit import LiveKitAdapter
from callplane.providers.adapters.retell import RetellAdapter
from callplane.providers.adapters.vapi import VapiAdapter

ADAPTERS: dict[str, Adapter] = {
    a.name: a for a in (RetellAdapter(), ElevenLabsAdapter(), VapiAdapter(), LiveKitAdapter())
}


def adapter_for(name: str) -> Adapter:
    """The adapter of a provider name (KeyError for an unknown one: names are validated first)."""
    return ADAPTERS[name]


__all__ = [
    "ADAPTERS",
    "Adapter",
    "Credentials",
    "Placed",
    "ProviderCallError",
    "Push",
    "Remote",
    "adapter_for",
]
