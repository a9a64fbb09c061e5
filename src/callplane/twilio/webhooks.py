"""The generic webhook URLs: the same for every tenant and account (DESIGN section 6)."""

from __future__ import annotations

from dataclasses import dataclass

from callplane.settings import Settings

WEBHOOK_PATHS = {
    "voice": "/webhooks/twilio/voice",
    "sms": "/webhooks/twilio/sms",
    "status": "/webhooks/twilio/status",
    "recording": "/webhooks/twilio/recording",
    # What Twilio requests when the voice webhook fails (a number's VoiceFallbackUrl).
    "voice_fallback": "/webhooks/twilio/voice-fallback",
}


@dataclass(frozen=True)
class WebhookUrls:
    """What a managed number is wired to at Twilio."""

    voice: str
    sms: str
    status: str
    recording: str
    voice_fallback: str


def webhook_urls(settings: Settings) -> WebhookUrls:
    """The public URLs Twilio calls, built from CALLPLANE_PUBLIC_BASE_URL."""
    base = settings.public_base_url.rstrip("/")
    return WebhookUrls(**{kind: base + path for kind, path in WEBHOOK_PATHS.items()})


# Not wired on numbers: the gateway points `<Number url>` of a forwarded call here so that the
# answering party hears the agent's whisper before the call is bridged.
WHISPER_PATH = "/webhooks/twilio/whisper"


def whisper_url(settings: Settings, agent_id: object) -> str:
    """The whisper TwiML URL for one agent (signed by Twilio like every webhook)."""
    return f"{settings.public_base_url.rstrip('/')}{WHISPER_PATH}?agent={agent_id}"
