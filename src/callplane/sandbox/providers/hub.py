"""All four emulators together: reset, the state control's view, inbound routing."""

from __future__ import annotations

import threading
from typing import Any

from callplane.sandbox.providers.common import Emulator, uri_host
from callplane.sandbox.providers.elevenlabs import ElevenLabsEmulator
from callplane.sandbox.providers.livekit import LiveKitEmulator
from callplane.sandbox.providers.retell import RetellEmulator
from callplane.sandbox.providers.vapi import VapiEmulator


class ProviderHub:
    """The emulated providers of one sandbox, guarded by the sandbox's state lock.

    Sharing that one lock lets an inbound simulation (which holds it) route to a provider, and
    an outbound call read a provider's registration and the trunk it reaches in one step.
    """

    def __init__(self, lock: threading.RLock) -> None:
        self.lock = lock
        emulators: list[Emulator[Any]] = [
            RetellEmulator(),
            ElevenLabsEmulator(),
            VapiEmulator(),
            LiveKitEmulator(),
        ]
        self.emulators: dict[str, Emulator[Any]] = {e.name: e for e in emulators}

    def get(self, name: str) -> Emulator[Any] | None:
        """The emulator of a provider name (retell, elevenlabs, vapi, livekit)."""
        return self.emulators.get(name)

    def reset(self) -> None:
        """Forget every provider workspace, key and resource."""
        with self.lock:
            for emulator in self.emulators.values():
                emulator.reset()

    def state_json(self) -> dict[str, Any]:
        """`{<name>: {"registrations": [...]}}` for `GET /__sandbox/state` (no secrets)."""
        with self.lock:
            return {
                name: {"registrations": [r.as_json() for r in emulator.registrations()]}
                for name, emulator in self.emulators.items()
            }

    def route_inbound(self, sip_url: str, number: str, caller: str | None) -> dict[str, Any] | None:
        """The provider agent a trunk's origination URL leads to: `{"name", "agent_id"}`, with
        `"error"` when no agent takes the call; None when the URL is no provider's SIP host."""
        host = uri_host(sip_url)
        with self.lock:
            for emulator in self.emulators.values():
                routed = emulator.route_inbound(host, number, caller)
                if routed is not None:
                    return routed
        return None
