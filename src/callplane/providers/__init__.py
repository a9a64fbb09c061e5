"""Voice-AI providers (DESIGN section 12): a tenant's credentials at Retell, ElevenLabs, Vapi and
LiveKit, its numbers registered there with each provider's official SDK, and the registrations
kept true (docs/providers.md)."""
