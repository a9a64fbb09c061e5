"""Agents API: `POST/GET agents`, `GET/PATCH/DELETE agents/{aid}`."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from callplane import dispatch
from callplane.agents import pages, service
from callplane.agents.schemas import AgentCreate, AgentOut, AgentPatch
from callplane.deps import AdminScope, HotStore, Scope, UoW, gateway_store, tenant_scope
from callplane.schemas import ERROR_RESPONSES, PAGE_LIMIT, ListOf, PageLimit

router = APIRouter(prefix="/v1/tenants/{tid}", tags=["agents"], responses=ERROR_RESPONSES)


@router.post("/agents", status_code=201, response_model=AgentOut)
async def create_agent(body: AgentCreate, scope: AdminScope, uow: UoW) -> AgentOut:
    """Create an agent; the events signing secret is in this answer only."""
    agent, secret = await service.create_agent(uow=uow, scope=scope, data=body)
    return AgentOut.from_model(agent, secret=secret)


@router.get("/agents", response_model=ListOf[AgentOut])
async def list_agents(
    scope: Scope,
    store: HotStore,
    cursor: str | None = None,
    limit: PageLimit = PAGE_LIMIT,
) -> object:
    """The tenant's agents."""
    found = await pages.page(store=store, scope=scope, cursor=cursor, limit=limit)
    return Response(found, media_type="application/json")


@dispatch.directly(
    list_agents,
    params=dispatch.uuid_params("tid"),
    query=dispatch.page_query(),
)
async def list_agents_directly(
    request: Request, tid: uuid.UUID, cursor: str | None, limit: int
) -> Response:
    """`list_agents` without FastAPI's dependency solving (a tenant's app polls its agents)."""
    scope = await tenant_scope(tid, request)
    found = await pages.page(store=gateway_store(request), scope=scope, cursor=cursor, limit=limit)
    return Response(found, media_type="application/json")


@router.get("/agents/{aid}", response_model=AgentOut)
async def get_agent(aid: uuid.UUID, scope: Scope, uow: UoW) -> AgentOut:
    """One agent."""
    return AgentOut.from_model(await service.get_agent(uow=uow, scope=scope, agent_id=aid))


@router.patch("/agents/{aid}", response_model=AgentOut)
async def update_agent(aid: uuid.UUID, body: AgentPatch, scope: AdminScope, uow: UoW) -> AgentOut:
    """Change an agent (`rotate_events_secret: true` returns a new secret once)."""
    agent, secret = await service.update_agent(uow=uow, scope=scope, agent_id=aid, data=body)
    return AgentOut.from_model(agent, secret=secret)


@router.delete("/agents/{aid}", status_code=204)
async def delete_agent(aid: uuid.UUID, scope: AdminScope, uow: UoW) -> Response:
    """Delete an agent; its numbers are detached."""
    await service.delete_agent(uow=uow, scope=scope, agent_id=aid)
    return Response(status_code=204)
