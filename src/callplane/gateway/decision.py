"""What a call or message to a number is answered with: one pure decision over the number's
route, shared by the webhooks, outbound calls and `explain` (so that what explain shows is
exactly what Twilio would get)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from callplane.gateway import answers, twiml
from callplane.settings import Settings
from callplane.twilio.webhooks import WEBHOOK_PATHS, whisper_url

# Stream parameters callplane always sends; an agent's own parameters cannot override them.
RESERVED_STREAM_PARAMETERS = ("tenant_id", "agent_id", "number", "from")


# Route objects are shared between webhooks (batched reads, the route cache) and are
# never changed once read; not frozen only because frozen dataclasses are slow to build.


@dataclass(slots=True)
class AgentRoute:
    """The routing fields of an agent."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    voice_mode: str
    stream_url: str | None
    stream_parameters: dict[str, Any]
    sip_uri: str | None
    forward_to: str | None
    caller_id: str | None
    whisper: str | None
    greeting: str | None
    record: bool
    sms_mode: str
    sms_url: str | None
    sms_reply: str | None
    events_url: str | None
    events_secret: str | None  # ciphertext; only the outbox worker (and the routing hook) open it
    hook_url: str | None = None  # voice mode webhook: the tenant's app routes each call
    hook_timeout_ms: int | None = None
    voice_fallback: dict[str, Any] | None = None  # gateway.answers: what a failed route gets

    @classmethod
    def from_agent(cls, agent: Any, *, prefix: str = "") -> AgentRoute:
        """The routing fields of an agent: an `Agent` row, or a result row that carries them as
        columns named `prefix` + the attribute name (`gateway.queries.route_select`)."""
        route = cls(*_agent_getter(prefix)(agent))
        route.stream_parameters = route.stream_parameters or {}
        route.record = bool(route.record)
        return route


# The agent's attributes an AgentRoute copies, in field order (names as in `Agent`).
AGENT_ROUTE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(AgentRoute))
_AGENT_GETTERS: dict[str, attrgetter[Any]] = {}


def _agent_getter(prefix: str) -> attrgetter[Any]:
    getter = _AGENT_GETTERS.get(prefix)
    if getter is None:
        getter = _AGENT_GETTERS[prefix] = attrgetter(*(prefix + f for f in AGENT_ROUTE_FIELDS))
    return getter


@dataclass(slots=True)
class TrunkRoute:
    """The trunk a number is attached to."""

    id: uuid.UUID
    twilio_sid: str
    friendly_name: str
    domain_name: str
    origination_uri: str | None


@dataclass(slots=True)
class NumberRoute:
    """Everything the gateway needs about a held number, read in one query."""

    number_id: uuid.UUID
    tenant_id: uuid.UUID
    account_sid: str
    e164: str
    status: str
    managed: bool
    tenant_status: str
    subscription_status: str | None
    agent: AgentRoute | None
    trunk: TrunkRoute | None
    manage_voice: bool = True  # callplane owns the voice channel (its URL and fallback URL)


@dataclass(frozen=True)
class Decision:
    """How one inbound call or message is answered, and why."""

    kind: str  # voice|sms
    outcome: str  # routed|unrouted|rejected
    reason: str  # a stable code
    explanation: str  # a sentence a person can act on
    twiml: str
    mode: str | None = None
    forward_to_url: str | None = None  # SMS webhook mode: where the message is forwarded
    details: dict[str, Any] = field(default_factory=dict)


def _refusal(route: NumberRoute) -> tuple[str, str] | None:
    """(reason, explanation) when the tenant may not take calls or messages now."""
    if route.tenant_status != "active":
        return (
            f"tenant_{route.tenant_status}",
            f"the tenant is {route.tenant_status}: calls are rejected and messages ignored",
        )
    if route.subscription_status == "canceled":
        return (
            "subscription_canceled",
            "the tenant's subscription is canceled: calls are rejected and messages ignored",
        )
    return None


def stream_parameters(
    route: NumberRoute, agent: AgentRoute, caller: str | None
) -> tuple[str, list[tuple[str, str]]]:
    """The stream URL (query removed) and its parameters: callplane's first, then the agent's.

    Twilio drops a stream URL's query string, so its fields become parameters too. Reserved
    names (tenant_id, agent_id, number, from) always carry callplane's values.
    """
    url, from_query = twiml.split_stream_url(agent.stream_url or "")
    custom: dict[str, str] = dict(from_query)
    custom.update({str(k): str(v) for k, v in (agent.stream_parameters or {}).items()})
    reserved = {
        "tenant_id": str(route.tenant_id),
        "agent_id": str(agent.id),
        "number": route.e164,
    }
    if caller:
        reserved["from"] = caller
    params = list(reserved.items())
    params += [(k, v) for k, v in custom.items() if k not in RESERVED_STREAM_PARAMETERS]
    return url, params


def _callback(settings: Settings, kind: str) -> str:
    return settings.public_base_url.rstrip("/") + WEBHOOK_PATHS[kind]


def _agent_voice(
    route: NumberRoute, agent: AgentRoute, caller: str | None, settings: Settings
) -> Decision:
    mode = agent.voice_mode
    recording_cb = _callback(settings, "recording")
    if mode == "stream" and agent.stream_url:
        url, params = stream_parameters(route, agent, caller)
        return Decision(
            "voice",
            "routed",
            "stream",
            f"streamed to {url} for agent {agent.name!r}"
            + (", recorded (<Start><Recording>)" if agent.record else ""),
            twiml.stream(url, params, recording_callback=recording_cb if agent.record else None),
            mode=mode,
            details={"stream_url": url, "parameters": dict(params)},
        )
    if mode == "webhook" and agent.hook_url:
        return hook_decision(agent, settings)
    if mode == "sip" and agent.sip_uri:
        return Decision(
            "voice",
            "routed",
            "sip",
            f"dialled over SIP to {agent.sip_uri} for agent {agent.name!r}",
            twiml.sip(agent.sip_uri, record=agent.record, recording_callback=recording_cb),
            mode=mode,
        )
    if mode == "forward" and agent.forward_to:
        return Decision(
            "voice",
            "routed",
            "forward",
            f"forwarded to {agent.forward_to} for agent {agent.name!r}"
            + (" with a whisper" if agent.whisper else "")
            + (", recorded" if agent.record else ""),
            twiml.forward(
                agent.forward_to,
                caller_id=agent.caller_id,
                whisper_url=whisper_url(settings, agent.id) if agent.whisper else None,
                record=agent.record,
                recording_callback=recording_cb,
            ),
            mode=mode,
        )
    if mode == "provider":
        # Its calls reach the provider through the tenant's trunk toward it, never this webhook:
        # a number that gets here is not on that trunk (yet: see its provider status).
        return Decision(
            "voice",
            "unrouted",
            "provider_not_on_trunk",
            f"agent {agent.name!r} is at a voice-AI provider: its calls go through the tenant's "
            "trunk toward that provider, and this number is not on it (see its provider status)",
            twiml.not_in_service(),
            mode=mode,
        )
    if mode == "voicemail":
        return Decision(
            "voice",
            "routed",
            "voicemail",
            f"voicemail of agent {agent.name!r}",
            twiml.voicemail(agent.greeting, action=recording_cb, recording_callback=recording_cb),
            mode=mode,
        )
    return Decision(
        "voice",
        "unrouted",
        "agent_incomplete",
        f"agent {agent.name!r} is in voice mode {mode!r} without the field that mode needs",
        twiml.not_in_service(),
        mode=mode,
    )


def hook_decision(agent: AgentRoute, settings: Settings) -> Decision:
    """Voice mode webhook: the tenant's app is asked per call (`gateway.hook`); the TwiML here is
    what the caller gets when it does not answer in time or answers nothing usable."""
    fallback, gets = answers.action_answer(agent.voice_fallback, settings)
    timeout = agent.hook_timeout_ms or 2000
    return Decision(
        "voice",
        "routed",
        "webhook",
        f"the tenant's app at {agent.hook_url} is asked which agent takes the call or what to "
        f'do (a signed POST, answer within {timeout} ms: {{"agent_id"}} or '
        '{"action": "forward"|"voicemail"|"reject"|"say"}); on a timeout, an error or an '
        f"answer it cannot use, agent {agent.name!r}'s fallback: the caller is {gets}",
        fallback,
        mode="webhook",
        details={"url": agent.hook_url, "timeout_ms": timeout},
    )


def decide_voice(
    route: NumberRoute | None,
    *,
    settings: Settings,
    caller: str | None = None,
    to_e164: str | None = None,
) -> Decision:
    """The answer to a call to `route` (None: no active number with that E.164 in the account)."""
    if route is None:
        if to_e164 is None:
            return Decision(
                "voice",
                "unrouted",
                "invalid_number",
                "the called number is missing or not a valid phone number",
                twiml.not_in_service(),
            )
        return Decision(
            "voice",
            "unrouted",
            "unknown_number",
            f"no active number {to_e164} in this Twilio account",
            twiml.not_in_service(),
        )
    refusal = _refusal(route)
    if refusal:
        return Decision("voice", "rejected", refusal[0], refusal[1], twiml.reject())
    if route.trunk is not None:
        trunk = route.trunk
        note = (
            f"the number is on SIP trunk {trunk.friendly_name} ({trunk.twilio_sid}): Twilio routes "
            "its calls through the trunk's origination URI and does not call the voice webhook"
        )
        if trunk.origination_uri:
            return Decision(
                "voice",
                "routed",
                "trunk",
                note + f"; if Twilio calls the webhook anyway, it dials {trunk.origination_uri}",
                twiml.sip(trunk.origination_uri),
                mode="trunk",
                details={"trunk_sid": trunk.twilio_sid, "origination_uri": trunk.origination_uri},
            )
        if route.agent is None:
            return Decision(
                "voice",
                "unrouted",
                "trunk_without_origination",
                note + "; the trunk has no origination URI and the number no agent",
                twiml.not_in_service(),
                mode="trunk",
            )
    if route.agent is None:
        return Decision(
            "voice",
            "unrouted",
            "no_agent",
            f"the number {route.e164} is held by the tenant but attached to no agent",
            twiml.not_in_service(),
        )
    return _agent_voice(route, route.agent, caller, settings)


def decide_sms(route: NumberRoute | None, *, to_e164: str | None = None) -> Decision:
    """The answer to a message to `route`."""
    empty = twiml.empty_messaging()
    if route is None:
        reason = "invalid_number" if to_e164 is None else "unknown_number"
        text = (
            "the number the message was sent to is missing or not valid"
            if to_e164 is None
            else f"no active number {to_e164} in this Twilio account"
        )
        return Decision("sms", "unrouted", reason, text, empty)
    refusal = _refusal(route)
    if refusal:
        return Decision("sms", "rejected", refusal[0], refusal[1], empty)
    agent = route.agent
    if agent is None:
        return Decision(
            "sms",
            "unrouted",
            "no_agent",
            f"the number {route.e164} is attached to no agent: the message is recorded only",
            empty,
        )
    if agent.sms_mode == "webhook" and agent.sms_url:
        return Decision(
            "sms",
            "routed",
            "sms_webhook",
            f"forwarded to {agent.sms_url} through the outbox (signed, retried); no reply",
            empty,
            mode="webhook",
            forward_to_url=agent.sms_url,
        )
    if agent.sms_mode == "reply" and agent.sms_reply:
        return Decision(
            "sms",
            "routed",
            "sms_reply",
            "answered with the agent's reply text",
            twiml.sms_reply(agent.sms_reply),
            mode="reply",
        )
    return Decision(
        "sms",
        "routed",
        "sms_none",
        f"agent {agent.name!r} handles no SMS: the message is recorded (and sent to its events URL)",
        empty,
        mode="none",
    )
