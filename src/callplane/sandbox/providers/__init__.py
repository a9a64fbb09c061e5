"""Offline emulators of the voice-AI providers' APIs (Retell, ElevenLabs, Vapi, LiveKit).

Each is served by the sandbox at `<sandbox>/provider/<name>`, the base URL its official SDK
takes; see docs/provider-emulators.md. Like the rest of the sandbox, nothing here imports the
product.
"""

from callplane.sandbox.providers.http import routes
from callplane.sandbox.providers.hub import ProviderHub

PROVIDERS = ("retell", "elevenlabs", "vapi", "livekit")

__all__ = ["PROVIDERS", "ProviderHub", "routes"]
