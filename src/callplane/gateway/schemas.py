"""Gateway shapes: recorded events and routing explanations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from callplane.gateway.decision import Decision
from callplane.gateway.models import Event


class EventOut(BaseModel):
    """A recorded webhook event."""

    id: uuid.UUID
    kind: str
    sid: str | None
    account_sid: str | None
    from_: str | None = Field(serialization_alias="from")
    to: str | None
    number_id: uuid.UUID | None
    agent_id: uuid.UUID | None
    decision: str
    state: str | None
    received_at: datetime
    detail: dict[str, Any] | None

    @classmethod
    def from_model(cls, event: Event) -> EventOut:
        """The public view of an event."""
        return cls(
            id=event.id,
            kind=event.kind,
            sid=event.sid,
            account_sid=event.account_sid,
            from_=event.from_number,
            to=event.to_number,
            number_id=event.number_id,
            agent_id=event.agent_id,
            decision=event.decision,
            state=event.state,
            received_at=event.received_at,
            detail=event.detail,
        )


class ExplainStep(BaseModel):
    """One step of a routing decision."""

    step: str
    ok: bool
    summary: str
    data: dict[str, Any] = Field(default_factory=dict)


class ExplainAnswer(BaseModel):
    """What the gateway answers for one kind of webhook."""

    outcome: str
    reason: str
    explanation: str
    twiml: str | None
    mode: str | None = None
    forward_to_url: str | None = None

    @classmethod
    def from_decision(cls, decision: Decision) -> ExplainAnswer:
        """What `decision` answers."""
        return cls(
            outcome=decision.outcome,
            reason=decision.reason,
            explanation=decision.explanation,
            twiml=decision.twiml,
            mode=decision.mode,
            forward_to_url=decision.forward_to_url,
        )


class ExplainOut(BaseModel):
    """Every step of the routing decision for calls and messages to one number."""

    to: str
    e164: str | None
    account_sid: str | None
    tenant_id: uuid.UUID | None
    number_id: uuid.UUID | None
    agent_id: uuid.UUID | None
    webhooks_called: bool
    voice: ExplainAnswer
    sms: ExplainAnswer
    steps: list[ExplainStep]
