"""A tenant's agents: the list, the routing form (new and existing), delete:
`/admin/t/{tid}/agents...`."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from starlette.responses import HTMLResponse, Response

from callplane.admin import forms, reports
from callplane.admin.web import (
    TenantPage,
    failed,
    ok,
    page_router,
    snapshot,
    tenant_view,
    tenant_write,
)
from callplane.agents import service as agents
from callplane.errors import ApiError

router = page_router()

VOICE_MODES = [
    ("stream", "Stream (media stream to your AI)"),
    ("sip", "SIP (dial a SIP URI)"),
    ("forward", "Forward (to a phone number)"),
    ("voicemail", "Voicemail"),
    ("provider", "Provider (an agent at Retell, ElevenLabs, Vapi or LiveKit)"),
]
PROVIDERS = [
    ("retell", "Retell"),
    ("elevenlabs", "ElevenLabs"),
    ("vapi", "Vapi"),
    ("livekit", "LiveKit"),
]
SMS_MODES = [("none", "Ignore"), ("webhook", "Webhook (forward to a URL)"), ("reply", "Auto-reply")]


@router.get("/t/{tid}/agents")
async def agents_page(request: Request, tid: uuid.UUID) -> Response:
    """The tenant's agents and their routing."""
    page = await tenant_view(request, tid)
    table = await reports.agents_table(uow=page.ctx.uow, scope=page.scope)
    return page.render(
        "tenant/agents.html",
        title="Agents",
        section="agents",
        agents=table.agents,
        by_agent=table.numbers_of,
    )


def _agent_form(
    page: TenantPage,
    *,
    agent: Any = None,
    values: dict[str, Any],
    status: int = 200,
    errors: list[str] | None = None,
    secret: str | None = None,
) -> HTMLResponse:
    return page.render(
        "tenant/agent_form.html",
        status=status,
        title=f"Agent {agent.name}" if agent else "New agent",
        section="agents",
        agent=agent,
        v=values,
        voice_modes=VOICE_MODES,
        providers=PROVIDERS,
        sms_modes=SMS_MODES,
        errors=errors or [],
        secret=secret,
    )


@router.get("/t/{tid}/agents/new")
async def new_agent(request: Request, tid: uuid.UUID) -> Response:
    """The form of a new agent."""
    page = await tenant_view(request, tid)
    return _agent_form(page, values=forms.agent_values(None))


@router.post("/t/{tid}/agents")
async def create_agent(request: Request, tid: uuid.UUID) -> Response:
    """Create an agent; its events signing secret is shown on this answer only."""
    page = await tenant_write(request, tid)
    form = page.ctx.form
    try:
        agent, secret = await agents.create_agent(
            uow=page.ctx.uow, scope=page.scope, data=forms.agent_create(form)
        )
    except forms.Invalid as exc:
        return _agent_form(page, values=forms.form_values(form), status=422, errors=exc.problems)
    except ApiError as exc:
        return _agent_form(
            page, values=forms.form_values(form), status=exc.status_code, errors=[exc.message]
        )
    return _agent_form(
        page, agent=agent, values=forms.agent_values(agent), secret=secret, status=201
    )


@router.get("/t/{tid}/agents/{aid}")
async def agent_page(request: Request, tid: uuid.UUID, aid: uuid.UUID) -> Response:
    """An agent's routing, to read or edit."""
    page = await tenant_view(request, tid)
    agent = await agents.get_agent(uow=page.ctx.uow, scope=page.scope, agent_id=aid)
    return _agent_form(page, agent=agent, values=forms.agent_values(agent))


@router.post("/t/{tid}/agents/{aid}")
async def update_agent(request: Request, tid: uuid.UUID, aid: uuid.UUID) -> Response:
    """Change an agent (voice and SMS routing are replaced whole, as in PATCH)."""
    page = await tenant_write(request, tid)
    form = page.ctx.form
    # The agent as stored (404 if unknown): what the form shows again when the change is refused.
    shown = snapshot(
        await agents.get_agent(uow=page.ctx.uow, scope=page.scope, agent_id=aid), "id", "name"
    )
    try:
        agent, secret = await agents.update_agent(
            uow=page.ctx.uow, scope=page.scope, agent_id=aid, data=forms.agent_patch(form)
        )
    except forms.Invalid as exc:
        values = forms.form_values(form)
        return _agent_form(page, agent=shown, values=values, status=422, errors=exc.problems)
    except ApiError as exc:
        values = forms.form_values(form)
        return _agent_form(
            page, agent=shown, values=values, status=exc.status_code, errors=[exc.message]
        )
    if secret:
        return _agent_form(page, agent=agent, values=forms.agent_values(agent), secret=secret)
    return page.redirect("/agents", ok(f"Agent {agent.name} saved."))


@router.get("/t/{tid}/agents/{aid}/delete")
async def delete_agent_confirm(request: Request, tid: uuid.UUID, aid: uuid.UUID) -> Response:
    """The confirmation step before deleting an agent."""
    page = await tenant_view(request, tid)
    agent = await agents.get_agent(uow=page.ctx.uow, scope=page.scope, agent_id=aid)
    return page.render(
        "tenant/agent_delete.html", title=f"Delete {agent.name}", section="agents", agent=agent
    )


@router.post("/t/{tid}/agents/{aid}/delete")
async def delete_agent(request: Request, tid: uuid.UUID, aid: uuid.UUID) -> Response:
    """Delete an agent; its numbers stay, detached."""
    page = await tenant_write(request, tid)
    try:
        name = await agents.delete_agent(uow=page.ctx.uow, scope=page.scope, agent_id=aid)
    except ApiError as exc:
        return page.redirect("/agents", failed(exc.message))
    return page.redirect("/agents", ok(f"Agent {name} deleted; its numbers are detached."))
