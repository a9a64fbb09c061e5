"""Recorded events, and `explain`: every step of a routing decision, as the gateway takes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from callplane.connections.models import Connection
from callplane.connections.tokens import SecretOpener, webhook_tokens
from callplane.db.uow import UnitOfWork
from callplane.gateway import answers
from callplane.gateway.decision import NumberRoute, decide_sms, decide_voice
from callplane.gateway.queries import route_from_row, route_select
from callplane.gateway.schemas import ExplainAnswer, ExplainOut, ExplainStep
from callplane.numbers.models import PhoneNumber
from callplane.phone import try_normalize_e164
from callplane.settings import Settings
from callplane.tenants.models import Tenant
from callplane.twilio.factory import TwilioCredentials
from callplane.twilio.webhooks import WEBHOOK_PATHS


class _Steps:
    def __init__(self) -> None:
        self.items: list[ExplainStep] = []

    def add(self, step: str, ok: bool, summary: str, **data: Any) -> None:
        self.items.append(ExplainStep(step=step, ok=ok, summary=summary, data=data))


@dataclass(frozen=True)
class _Signing:
    """What the gateway verifies signatures with, as configured in this process."""

    platform: TwilioCredentials | None
    previous: tuple[str, datetime | None] | None  # the platform's previous token, its end
    grace: timedelta
    secrets: SecretOpener
    public_base_url: str

    def is_platform(self, account_sid: str) -> bool:
        """Whether `account_sid` is the platform (master) account."""
        return self.platform is not None and self.platform.account_sid == account_sid


async def explain(*, uow: UnitOfWork, to: str, account_sid: str | None = None) -> ExplainOut:
    """Every step of the decision for a call or message to `to` (from `account_sid`)."""
    runtime = uow.runtime
    settings = runtime.settings
    signing = _Signing(
        platform=runtime.twilio.platform_credentials,
        previous=runtime.twilio.platform_previous_token(),
        grace=timedelta(seconds=settings.token_rotation_grace_seconds),
        secrets=runtime.secrets,
        public_base_url=settings.public_base_url,
    )
    steps = _Steps()
    e164 = try_normalize_e164(to)
    steps.add(
        "number_format",
        e164 is not None,
        f"{to!r} is {e164}" if e164 else f"{to!r} is not a valid phone number (E.164 expected)",
        input=to,
        e164=e164,
    )
    held: list[Any] = []
    if e164:
        held = list(
            (await uow.session.execute(route_select().where(PhoneNumber.e164 == e164))).all()
        )
    owner = held[0] if held else None
    if account_sid is None:
        account_sid = _account_given_step(steps, owner, signing.platform)
    account_ok = bool(account_sid) and await _account_step(uow, steps, account_sid or "", signing)
    route: NumberRoute | None = None
    if e164:
        route = _number_step(steps, e164, held, account_sid)
        if route is None and not held:
            await _released_step(uow, steps, e164)
    if route is not None:
        _route_steps(steps, route)
        _fallback_step(steps, route, settings)
        from callplane.providers.explain import provider_steps

        for name, ok, summary, data in await provider_steps(uow, route):
            steps.add(name, ok, summary, **data)
    voice, sms = _answers(route, e164, settings) if account_ok else (REFUSED, REFUSED)
    steps.add(
        "decision",
        voice.outcome == "routed",
        f"calls: {voice.outcome} ({voice.explanation}); messages: {sms.outcome} ({sms.explanation})",
        voice=voice.outcome,
        sms=sms.outcome,
    )
    return ExplainOut(
        to=to,
        e164=e164,
        account_sid=account_sid,
        tenant_id=route.tenant_id if route else (owner.tenant_id if owner else None),
        number_id=route.number_id if route else (owner.id if owner else None),
        agent_id=route.agent.id if route and route.agent else None,
        webhooks_called=route is not None and route.managed and route.trunk is None,
        voice=voice,
        sms=sms,
        steps=steps.items,
    )


REFUSED = ExplainAnswer(
    outcome="refused",
    reason="unknown_account",
    explanation="the webhook is refused with 403 before any routing",
    twiml=None,
)


def _answers(
    route: NumberRoute | None, e164: str | None, settings: Settings
) -> tuple[ExplainAnswer, ExplainAnswer]:
    """What a call and a message get: the very decisions the webhooks take."""
    voice = decide_voice(route, settings=settings, to_e164=e164)
    return ExplainAnswer.from_decision(voice), ExplainAnswer.from_decision(
        decide_sms(route, to_e164=e164)
    )


def _account_given_step(
    steps: _Steps, owner: Any | None, platform: TwilioCredentials | None
) -> str | None:
    """Step "account_given": the account assumed when none was given."""
    if owner is not None:
        account_sid: str | None = owner.account_sid
        steps.add(
            "account_given",
            True,
            f"no account given: the number's own account {account_sid} is assumed",
            account_sid=account_sid,
        )
        return account_sid
    account_sid = platform.account_sid if platform else None
    steps.add(
        "account_given",
        account_sid is not None,
        "no account given and no tenant holds the number: the platform account "
        f"{account_sid} is assumed"
        if account_sid
        else "no account given, no tenant holds the number and no platform account is set",
        account_sid=account_sid,
    )
    return account_sid


async def _account_step(
    uow: UnitOfWork, steps: _Steps, account_sid: str, signing: _Signing
) -> bool:
    """Steps "account" and "signature": does the gateway know the account, with which tokens?"""
    conns = list(
        (
            await uow.session.execute(
                select(Connection, Tenant.slug)
                .join(Tenant, Tenant.id == Connection.tenant_id)
                .where(Connection.account_sid == account_sid)
            )
        ).all()
    )
    users = [
        {"tenant_id": str(c.tenant_id), "tenant": slug, "model": c.model, "status": c.status}
        for c, slug in conns
    ]
    usable = [c for c, _ in conns if c.status != "closed"]
    is_platform = signing.is_platform(account_sid)
    known = is_platform or bool(usable)
    steps.add(
        "account",
        known,
        _account_summary(account_sid, is_platform, users),
        account_sid=account_sid,
        platform=is_platform,
        connections=users,
    )
    return known and _signature_step(steps, usable, is_platform, signing)


def _account_summary(account_sid: str, is_platform: bool, users: list[dict[str, str]]) -> str:
    usable = [u for u in users if u["status"] != "closed"]
    if is_platform:
        summary = f"{account_sid} is the platform (master) account"
        return summary + (f"; {len(users)} stored connection(s) use it" if users else "")
    if usable:
        return f"{account_sid} is used by {len(usable)} connection(s): " + ", ".join(
            f"{u['tenant']} ({u['model']})" for u in usable
        )
    if users:
        return f"{account_sid} belongs only to closed connections: its webhooks are refused (403)"
    return (
        f"no tenant uses {account_sid} and it is not the platform account: "
        "its webhooks are refused (403)"
    )


def _signature_step(
    steps: _Steps, usable: list[Connection], is_platform: bool, signing: _Signing
) -> bool:
    """Step "signature": how many tokens verify the account's webhooks, and until when."""
    tokens, grace_until = 0, None
    previous = signing.previous if is_platform else None
    if is_platform:
        tokens = 2 if previous is not None else 1
        if previous is not None and previous[1] is not None:
            grace_until = previous[1].isoformat()
    for conn in usable:
        try:
            found = webhook_tokens(conn, secrets=signing.secrets, grace=signing.grace)
        except Exception:  # noqa: BLE001 - explained, not raised
            steps.add(
                "signature",
                False,
                f"the stored token of tenant {conn.tenant_id} cannot be "
                "decrypted (encryption key missing?): its webhooks would be refused",
            )
            return False
        tokens += len(found)
        if len(found) > 1 and conn.token_rotated_at:
            grace_until = (conn.token_rotated_at + signing.grace).isoformat()
    base = signing.public_base_url
    summary = (
        f"X-Twilio-Signature is verified with {tokens} token(s) of this account over "
        f"{base}/webhooks/twilio/<kind> (CALLPLANE_PUBLIC_BASE_URL; proxy headers are ignored)"
    )
    if grace_until:
        summary += f"; a previous token is accepted until {grace_until}"
    elif previous is not None:  # a previous platform token without an end
        summary += "; the previous platform token is accepted until it is removed from settings"
    steps.add(
        "signature",
        tokens > 0,
        summary,
        tokens=tokens,
        previous_token_until=grace_until,
        public_base_url=base,
    )
    return tokens > 0


def _number_step(
    steps: _Steps, e164: str, held: list[Any], account_sid: str | None
) -> NumberRoute | None:
    if not held:
        steps.add(
            "number", False, f"no tenant holds {e164}: calls hear 'not in service'", e164=e164
        )
        return None
    row = held[0]
    data = {
        "number_id": str(row.id),
        "tenant_id": str(row.tenant_id),
        "status": row.status,
        "account_sid": row.account_sid,
        "managed": bool(row.managed),
    }
    if row.account_sid != account_sid:
        steps.add(
            "number",
            False,
            f"{e164} is held by tenant {row.tenant_id} in account {row.account_sid}, not in "
            f"{account_sid}: a webhook from {account_sid} is answered as an unknown number",
            **data,
        )
        return None
    if row.status != "active":
        why = {
            "pending": "its purchase is not confirmed yet",
            "releasing": "it is being released",
        }.get(row.status, row.status)
        steps.add(
            "number",
            False,
            f"{e164} is {row.status} in tenant {row.tenant_id}: {why}; "
            "only active numbers are routed",
            **data,
        )
        return None
    steps.add(
        "number",
        True,
        f"{e164} is active in tenant {row.tenant_id} (account {row.account_sid})",
        **data,
    )
    return route_from_row(row)


async def _released_step(uow: UnitOfWork, steps: _Steps, e164: str) -> None:
    last = (
        await uow.session.execute(
            select(
                PhoneNumber.tenant_id,
                PhoneNumber.status,
                PhoneNumber.released_at,
                PhoneNumber.release_reason,
                PhoneNumber.failure_reason,
            )
            .where(PhoneNumber.e164 == e164)
            .order_by(PhoneNumber.created_at.desc())
            .limit(1)
        )
    ).first()
    if last is not None:
        steps.add(
            "history",
            False,
            f"{e164} was {last.status} in tenant {last.tenant_id}"
            + (f" on {last.released_at.isoformat()}" if last.released_at else "")
            + (f" ({last.release_reason})" if last.release_reason else "")
            + (f": {last.failure_reason}" if last.failure_reason else ""),
            tenant_id=str(last.tenant_id),
            status=last.status,
            released_at=last.released_at.isoformat() if last.released_at else None,
            release_reason=last.release_reason,
        )


def _route_steps(steps: _Steps, route: NumberRoute) -> None:
    if not route.managed:
        steps.add(
            "webhooks",
            False,
            "callplane does not manage this number's webhooks (imported without "
            "manage_webhooks): Twilio calls whatever URLs the number has at Twilio; what "
            "follows is the answer if they point at callplane",
            managed=False,
        )
    if route.trunk is not None:
        t = route.trunk
        steps.add(
            "trunk",
            True,
            f"on SIP trunk {t.friendly_name} ({t.twilio_sid}, {t.domain_name}): Twilio "
            "routes calls through the trunk's origination URI "
            f"{t.origination_uri or '(none set!)'} and ignores the voice URL; messages "
            "still reach the SMS webhook",
            trunk_sid=t.twilio_sid,
            origination_uri=t.origination_uri,
        )
    else:
        steps.add("trunk", True, "not on a trunk: calls reach the voice webhook", trunk_sid=None)
    steps.add(
        "tenant",
        route.tenant_status == "active",
        f"tenant status: {route.tenant_status}",
        status=route.tenant_status,
    )
    sub = route.subscription_status
    steps.add(
        "subscription",
        sub != "canceled",
        "no subscription (routing does not depend on billing)"
        if sub is None
        else f"subscription status: {sub}" + (" (calls rejected)" if sub == "canceled" else ""),
        status=sub,
    )
    agent = route.agent
    if agent is None:
        steps.add("agent", False, "the number is attached to no agent", agent_id=None)
        return
    steps.add(
        "agent",
        True,
        f"agent {agent.name!r}: voice mode {agent.voice_mode}, sms mode {agent.sms_mode}"
        + (f", events to {agent.events_url}" if agent.events_url else ", no events URL"),
        agent_id=str(agent.id),
        name=agent.name,
        voice_mode=agent.voice_mode,
        sms_mode=agent.sms_mode,
        events_url=agent.events_url,
        stream_url=agent.stream_url,
        sip_uri=agent.sip_uri,
        forward_to=agent.forward_to,
    )


def _fallback_step(steps: _Steps, route: NumberRoute, settings: Settings) -> None:
    """Step "fallback": what a caller gets when the voice webhook fails."""
    _, gets = answers.action_answer(answers.fallback_of(route.agent), settings)
    url = settings.public_base_url.rstrip("/") + WEBHOOK_PATHS["voice_fallback"]
    wired = route.manage_voice and route.trunk is None
    steps.add(
        "fallback",
        wired,
        f"if the voice webhook fails, Twilio requests the voice fallback URL {url}: the caller "
        f"is {gets}"
        if wired
        else "callplane does not own this number's voice fallback URL (its voice channel is not "
        f"managed, or it is on a trunk); the agent's fallback (the caller is {gets}) still "
        "answers a failed routing hook",
        url=url if wired else None,
        fallback=answers.fallback_of(route.agent),
    )


def describe(result: ExplainOut) -> str:
    """`explain` as readable text (for the CLI)."""
    lines = [f"Routing for {result.to}" + (f" ({result.e164})" if result.e164 else "")]
    if result.account_sid:
        lines[0] += f" from account {result.account_sid}"
    for step in result.steps:
        mark = "ok " if step.ok else "-- "
        lines.append(f"  {mark}{step.step:<14} {step.summary}")
    lines.append("")
    for name, answer in (("Voice", result.voice), ("SMS", result.sms)):
        lines.append(f"{name}: {answer.outcome} [{answer.reason}] {answer.explanation}")
        if answer.twiml:
            lines.append(f"  TwiML: {answer.twiml}")
    return "\n".join(lines)
