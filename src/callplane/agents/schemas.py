"""Agent shapes: voice routing, SMS handling, events URL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from callplane.agents.actions import Fallback
from callplane.agents.models import Agent
from callplane.phone import normalize_e164
from callplane.providers.names import ProviderName
from callplane.schemas import StrictModel

VoiceMode = Literal["stream", "sip", "forward", "voicemail", "webhook", "provider"]
DEFAULT_HOOK_TIMEOUT_MS = 2000
SmsMode = Literal["webhook", "reply", "none"]
HTTP_URL = r"^https?://[^\s]+$"


class VoiceIn(StrictModel):
    """How calls to the agent's numbers are handled."""

    mode: VoiceMode
    stream_url: str | None = Field(default=None, pattern=r"^wss?://[^\s]+$", max_length=2048)
    parameters: dict[str, str] = Field(default_factory=dict, max_length=20)
    sip_uri: str | None = Field(default=None, pattern=r"^sips?:[^\s@]+@[^\s]+$", max_length=2048)
    forward_to: str | None = Field(default=None, max_length=32)
    caller_id: str | None = Field(default=None, max_length=32)
    whisper: str | None = Field(default=None, max_length=1000)
    greeting: str | None = Field(default=None, max_length=1000)
    record: bool = False
    url: str | None = Field(
        default=None,
        pattern=HTTP_URL,
        max_length=2048,
        description="Mode webhook: the tenant's app that routes each call (a signed POST)",
    )
    timeout_ms: int | None = Field(
        default=None, ge=100, le=10000, description="Mode webhook: its deadline (default 2000)"
    )
    fallback: Fallback | None = Field(
        default=None,
        description="What a caller gets when routing fails (default: a spoken apology)",
    )
    provider: ProviderName | None = Field(
        default=None, description="Voice mode `provider`: the voice-AI provider the agent lives at"
    )
    provider_agent_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="Voice mode `provider`: the provider's id of the agent (LiveKit: its name)",
    )

    @field_validator("forward_to", "caller_id")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        return normalize_e164(value) if value else value

    @model_validator(mode="after")
    def _mode_fields(self) -> VoiceIn:
        required = {
            "stream": "stream_url",
            "sip": "sip_uri",
            "forward": "forward_to",
            "webhook": "url",
        }.get(self.mode)
        if required and not getattr(self, required):
            raise ValueError(f"voice mode {self.mode!r} needs {required}")
        if self.mode == "provider" and not (self.provider and self.provider_agent_id):
            raise ValueError("voice mode 'provider' needs provider and provider_agent_id")
        if self.mode != "provider" and (self.provider or self.provider_agent_id):
            raise ValueError("provider and provider_agent_id are for voice mode 'provider'")
        return self


class SmsIn(StrictModel):
    """How messages to the agent's numbers are handled."""

    mode: SmsMode = "none"
    url: str | None = Field(default=None, pattern=HTTP_URL, max_length=2048)
    reply: str | None = Field(default=None, max_length=1600)

    @model_validator(mode="after")
    def _mode_fields(self) -> SmsIn:
        if self.mode == "webhook" and not self.url:
            raise ValueError("sms mode 'webhook' needs url")
        if self.mode == "reply" and not self.reply:
            raise ValueError("sms mode 'reply' needs reply")
        return self


class AgentCreate(StrictModel):
    """A new agent."""

    name: str = Field(min_length=1, max_length=200)
    voice: VoiceIn
    sms: SmsIn = Field(default_factory=SmsIn)
    events_url: str | None = Field(default=None, pattern=HTTP_URL, max_length=2048)


class AgentPatch(StrictModel):
    """Changes to an agent; `voice` and `sms` are replaced whole when given."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    voice: VoiceIn | None = None
    sms: SmsIn | None = None
    events_url: str | None = Field(default=None, pattern=HTTP_URL, max_length=2048)
    rotate_events_secret: bool = False


class VoiceOut(BaseModel):
    """Voice routing."""

    mode: str
    stream_url: str | None
    parameters: dict[str, str]
    sip_uri: str | None
    forward_to: str | None
    caller_id: str | None
    whisper: str | None
    greeting: str | None
    record: bool
    url: str | None = None
    timeout_ms: int | None = None
    fallback: dict[str, Any] | None = None
    provider: str | None = None
    provider_agent_id: str | None = None


class SmsOut(BaseModel):
    """SMS handling."""

    mode: str
    url: str | None
    reply: str | None


class AgentOut(BaseModel):
    """An agent; `events_secret` only when created or rotated."""

    id: uuid.UUID
    name: str
    voice: VoiceOut
    sms: SmsOut
    events_url: str | None
    events_secret: str | None = None
    created_at: datetime

    @classmethod
    def from_model(cls, agent: Agent, *, secret: str | None = None) -> AgentOut:
        """The public view of an agent; `secret` only in the answer that issued it."""
        return cls(
            id=agent.id,
            name=agent.name,
            voice=VoiceOut(
                mode=agent.voice_mode,
                stream_url=agent.stream_url,
                parameters=agent.stream_parameters or {},
                sip_uri=agent.sip_uri,
                forward_to=agent.forward_to,
                caller_id=agent.caller_id,
                whisper=agent.whisper,
                greeting=agent.greeting,
                record=agent.record,
                url=agent.hook_url,
                timeout_ms=agent.hook_timeout_ms,
                fallback=agent.voice_fallback,
                provider=agent.provider,
                provider_agent_id=agent.provider_agent_id,
            ),
            sms=SmsOut(mode=agent.sms_mode, url=agent.sms_url, reply=agent.sms_reply),
            events_url=agent.events_url,
            events_secret=secret,
            created_at=agent.created_at,
        )
