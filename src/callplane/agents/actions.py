"""What can be done with a call instead of routing it to an agent's endpoint: an agent's voice
fallback, and the answers a tenant's routing hook may give (`gateway.answers` turns them into
TwiML)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from callplane.phone import normalize_e164
from callplane.schemas import StrictModel


class SayAction(StrictModel):
    """Say something, then hang up."""

    action: Literal["say"]
    text: str = Field(min_length=1, max_length=1000)


class ForwardAction(StrictModel):
    """Forward the call to a number."""

    action: Literal["forward"]
    forward_to: str = Field(min_length=1, max_length=32)
    caller_id: str | None = Field(default=None, max_length=32)

    @field_validator("forward_to", "caller_id")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        return normalize_e164(value) if value else value


class VoicemailAction(StrictModel):
    """A greeting, then record a message."""

    action: Literal["voicemail"]
    greeting: str | None = Field(default=None, max_length=1000)


class RejectAction(StrictModel):
    """Refuse the call (a routing hook's answer)."""

    action: Literal["reject"]


Fallback = Annotated[SayAction | ForwardAction | VoicemailAction, Field(discriminator="action")]
HookAction = Annotated[
    SayAction | ForwardAction | VoicemailAction | RejectAction, Field(discriminator="action")
]
