"""The providers callplane registers numbers at, and what each one is called."""

from __future__ import annotations

from typing import Literal

ProviderName = Literal["retell", "elevenlabs", "vapi", "livekit"]
PROVIDERS: tuple[ProviderName, ...] = ("retell", "elevenlabs", "vapi", "livekit")
LABELS: dict[str, str] = {
    "retell": "Retell",
    "elevenlabs": "ElevenLabs",
    "vapi": "Vapi",
    "livekit": "LiveKit",
}


def label(name: str) -> str:
    """How a person reads a provider's name."""
    return LABELS.get(name, name)
