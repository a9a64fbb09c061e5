"""Agents: create, read, change, delete."""

from __future__ import annotations

import asyncio
import uuid
from secrets import token_urlsafe

from callplane.agents.models import Agent
from callplane.agents.schemas import (
    DEFAULT_HOOK_TIMEOUT_MS,
    AgentCreate,
    AgentPatch,
    SmsIn,
    VoiceIn,
)
from callplane.connections import access
from callplane.connections.tokens import SecretOpener
from callplane.db.audit import record_audit
from callplane.db.uow import UnitOfWork
from callplane.security.public_urls import check_public_url
from callplane.security.secrets import SecretBox
from callplane.tenancy import TenantScope
from callplane.trunks.recording import sync_recording as sync_trunk_recording

SECRET_FIELD = "agents.events_secret"


async def _check_hook_url(uow: UnitOfWork, voice: VoiceIn) -> None:
    """The routing hook is called for the tenant: a public address only (checked again at each
    call, when DNS may say otherwise). The lookup runs in a thread, off the webhooks' loop."""
    if voice.url is not None:
        allow = access.settings(uow).allow_private_urls
        await asyncio.to_thread(check_public_url, voice.url, allow_private=allow)


async def _check_urls(uow: UnitOfWork, *urls: str | None) -> None:
    """The events URL and the SMS webhook are called for the tenant too: public only."""
    allow = access.settings(uow).allow_private_urls
    for url in urls:
        if url is not None:
            await asyncio.to_thread(check_public_url, url, allow_private=allow)


def _apply_voice(agent: Agent, voice: VoiceIn) -> None:
    agent.voice_mode = voice.mode
    agent.stream_url = voice.stream_url
    agent.stream_parameters = dict(voice.parameters)
    agent.sip_uri = voice.sip_uri
    agent.forward_to = voice.forward_to
    agent.caller_id = voice.caller_id
    agent.whisper = voice.whisper
    agent.greeting = voice.greeting
    agent.record = voice.record
    agent.hook_url = voice.url
    agent.hook_timeout_ms = voice.timeout_ms or (
        DEFAULT_HOOK_TIMEOUT_MS if voice.mode == "webhook" else None
    )
    agent.voice_fallback = voice.fallback.model_dump(exclude_none=True) if voice.fallback else None
    agent.provider = voice.provider
    agent.provider_agent_id = voice.provider_agent_id


async def _check_voice(uow: UnitOfWork, scope: TenantScope, voice: VoiceIn | None) -> None:
    """A provider agent is checked at its provider (422 for one it does not know)."""
    if voice is not None and voice.mode == "provider":
        from callplane.providers.service import check_agent

        assert voice.provider and voice.provider_agent_id
        await check_agent(
            uow=uow,
            scope=scope,
            provider=voice.provider,
            provider_agent_id=voice.provider_agent_id,
        )


async def _numbers_follow(uow: UnitOfWork, scope: TenantScope, numbers: list[uuid.UUID]) -> None:
    """The provider registrations of an agent's numbers follow its change (in the background)."""
    from callplane.providers.hooks import numbers_changed

    await numbers_changed(uow, scope, numbers)


def _apply_sms(agent: Agent, sms: SmsIn) -> None:
    agent.sms_mode = sms.mode
    agent.sms_url = sms.url
    agent.sms_reply = sms.reply


def _new_secret(secrets: SecretBox, agent: Agent) -> str:
    plain = "whsec_" + token_urlsafe(32)
    agent.events_secret = secrets.seal(plain, tenant_id=agent.tenant_id, field=SECRET_FIELD)
    return plain


def events_secret(secrets: SecretOpener, agent: Agent) -> str | None:
    """The plain signing secret for the agent's events (for the outbox)."""
    return secrets.open(agent.events_secret, tenant_id=agent.tenant_id, field=SECRET_FIELD)


async def create_agent(
    *, uow: UnitOfWork, scope: TenantScope, data: AgentCreate
) -> tuple[Agent, str]:
    """Create an agent; returns it with its events signing secret (shown once)."""
    await _check_hook_url(uow, data.voice)
    await _check_urls(uow, data.events_url, data.sms.url)
    await _check_voice(uow, scope, data.voice)
    agent = uow.repo(Agent, scope).add(Agent(id=uuid.uuid4(), name=data.name))
    _apply_voice(agent, data.voice)
    _apply_sms(agent, data.sms)
    agent.events_url = data.events_url
    secret = _new_secret(uow.runtime.secrets, agent)
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="agent.create",
        tenant_id=scope.tenant_id,
        target=agent.id,
        detail={"name": data.name, "voice_mode": data.voice.mode, "sms_mode": data.sms.mode},
    )
    await uow.commit()
    return agent, secret


async def list_agents(
    *, uow: UnitOfWork, scope: TenantScope, cursor: str | None, limit: int
) -> tuple[list[Agent], str | None]:
    """A page of the tenant's agents."""
    return await uow.repo(Agent, scope).page(cursor=cursor, limit=limit)


async def get_agent(*, uow: UnitOfWork, scope: TenantScope, agent_id: uuid.UUID) -> Agent:
    """One agent of the tenant (another tenant's is 404)."""
    return await uow.repo(Agent, scope).get(agent_id)


async def update_agent(
    *, uow: UnitOfWork, scope: TenantScope, agent_id: uuid.UUID, data: AgentPatch
) -> tuple[Agent, str | None]:
    """Change an agent; a new events secret is returned when one was asked for."""
    agent = await uow.repo(Agent, scope).get(agent_id)
    if data.voice is not None:
        await _check_hook_url(uow, data.voice)
    await _check_urls(
        uow,
        data.events_url if "events_url" in data.model_fields_set else None,
        data.sms.url if data.sms is not None else None,
    )
    await _check_voice(uow, scope, data.voice)
    if data.name is not None:
        agent.name = data.name
    if data.voice is not None:
        _apply_voice(agent, data.voice)
    if data.sms is not None:
        _apply_sms(agent, data.sms)
    if "events_url" in data.model_fields_set:
        agent.events_url = data.events_url
    secret = _new_secret(uow.runtime.secrets, agent) if data.rotate_events_secret else None
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="agent.update",
        tenant_id=scope.tenant_id,
        target=agent.id,
        detail={"fields": sorted(data.model_fields_set)},
    )
    await uow.commit()
    if data.voice is not None:
        # Numbers on the tenant's trunk are recorded by the trunk (trunks.recording).
        await sync_trunk_recording(uow=uow, scope=scope)
        from callplane.providers.hooks import agent_numbers

        await _numbers_follow(uow, scope, await agent_numbers(uow, scope, agent_id))
    return agent, secret


async def delete_agent(*, uow: UnitOfWork, scope: TenantScope, agent_id: uuid.UUID) -> str:
    """Delete an agent, returning its name; its numbers stay, detached (their agent is nulled)."""
    repo = uow.repo(Agent, scope)
    agent = await repo.get(agent_id)
    name = agent.name
    from callplane.providers.hooks import agent_numbers

    numbers = await agent_numbers(uow, scope, agent_id)
    await repo.delete(agent)
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="agent.delete",
        tenant_id=scope.tenant_id,
        target=agent_id,
    )
    await uow.commit()
    await _numbers_follow(uow, scope, numbers)
    return name
