"""What a caller hears when routing cannot go on as configured: an agent's voice fallback, and
the actions a routing hook may answer (DESIGN section 13: every call gets an answer).

An action is `{"action": "say", "text"}`, `{"action": "forward", "forward_to", "caller_id"?}`,
`{"action": "voicemail", "greeting"?}` or (a routing hook's only) `{"action": "reject"}`; no
fallback configured is the spoken apology. Pure: TwiML from the SDK's builders (`twiml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from callplane.gateway import twiml
from callplane.settings import Settings
from callplane.twilio.webhooks import WEBHOOK_PATHS

APOLOGY = "We are sorry, we cannot take your call right now. Please try again later. Goodbye."
DEFAULT_FALLBACK: dict[str, str] = {"action": "say", "text": APOLOGY}


def _recording_callback(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") + WEBHOOK_PATHS["recording"]


def action_answer(action: Mapping[str, Any] | None, settings: Settings) -> tuple[str, str]:
    """(TwiML, a sentence saying what the caller gets) for an action (None: the apology)."""
    spec = action or DEFAULT_FALLBACK
    kind = spec.get("action")
    if kind == "forward" and spec.get("forward_to"):
        number, caller_id = str(spec["forward_to"]), spec.get("caller_id")
        answer = twiml.forward(
            number,
            caller_id=str(caller_id) if caller_id else None,
            whisper_url=None,
            record=False,
            recording_callback=None,
        )
        return answer, f"forwarded to {number}"
    if kind == "voicemail":
        callback = _recording_callback(settings)
        greeting = spec.get("greeting")
        answer = twiml.voicemail(
            str(greeting) if greeting else None, action=callback, recording_callback=callback
        )
        return answer, "sent to voicemail"
    if kind == "reject":
        return twiml.reject(), "rejected"
    text = str(spec.get("text") or APOLOGY)
    return twiml.say_and_hang_up(text), f"told {text!r}"


def fallback_of(agent: Any | None) -> Mapping[str, Any] | None:
    """An agent's voice fallback (an `Agent` or an `AgentRoute`; None: the apology)."""
    value = getattr(agent, "voice_fallback", None) if agent is not None else None
    return value if isinstance(value, Mapping) else None
