"""Agents: how a tenant's calls and messages are handled."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callplane.db.base import Base, CreatedMixin, IdMixin, utcnow
from callplane.security.secrets import register_encrypted


class Agent(IdMixin, CreatedMixin, Base):
    """Voice routing, SMS handling and where the tenant's app hears about events."""

    __tablename__ = "agents"
    __resource_name__ = "agent"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    voice_mode: Mapped[str] = mapped_column(
        String(16)
    )  # stream|sip|forward|voicemail|webhook|provider
    # Voice mode `provider`: the voice-AI provider and its own id of the agent (LiveKit: the
    # agent name to dispatch).
    provider: Mapped[str | None] = mapped_column(String(16), default=None)
    provider_agent_id: Mapped[str | None] = mapped_column(String(255), default=None)
    stream_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    stream_parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sip_uri: Mapped[str | None] = mapped_column(String(2048), default=None)
    forward_to: Mapped[str | None] = mapped_column(String(20), default=None)
    caller_id: Mapped[str | None] = mapped_column(String(20), default=None)
    whisper: Mapped[str | None] = mapped_column(String(1000), default=None)
    greeting: Mapped[str | None] = mapped_column(String(1000), default=None)
    record: Mapped[bool] = mapped_column(Boolean, default=False)
    # Voice mode webhook: the tenant's app that routes each call, and its deadline.
    hook_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    hook_timeout_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    # What a caller gets when routing fails (gateway.answers): {"action": "say"|"forward"|...}.
    voice_fallback: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    sms_mode: Mapped[str] = mapped_column(String(16), default="none")  # webhook|reply|none
    sms_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    sms_reply: Mapped[str | None] = mapped_column(String(1600), default=None)
    events_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    events_secret: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


register_encrypted(Agent, "events_secret")
