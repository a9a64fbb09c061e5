"""HTTP routes of the gateway: Twilio's webhooks, the tenant's events, routing explanations.

The webhooks are plain Starlette routes (they take a Twilio form and answer TwiML, nothing for
FastAPI's dependency injection or validation to do on the hot path), are not part of the JSON
API's OpenAPI document, and come first in the app's route table (`webhook_routes`): FastAPI
matches a request against included routers one route at a time, which cost a webhook placed
after the API's ~100 routes about 100 µs of CPU per request, more than the signature check,
the lookup and the event together.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.routing import BaseRoute, Route

from callplane import dispatch
from callplane.deps import HotStore, PlatformActor, Scope, UoW, gateway_store, tenant_scope
from callplane.gateway import event_pages, fallback, service, webhooks
from callplane.gateway.schemas import EventOut, ExplainOut
from callplane.schemas import ERROR_RESPONSES, PAGE_LIMIT, ListOf, PageLimit
from callplane.twilio.webhooks import WEBHOOK_PATHS, WHISPER_PATH

router = APIRouter(tags=["gateway"], responses=ERROR_RESPONSES)


def webhook_routes() -> list[BaseRoute]:
    """Twilio's webhooks, to be matched before any other route of the app."""
    routes: list[BaseRoute] = [
        Route(WEBHOOK_PATHS[kind], endpoint, methods=["POST"])
        for kind, endpoint in (
            ("voice", webhooks.voice),
            ("sms", webhooks.sms),
            ("status", webhooks.status),
            ("recording", webhooks.recording),
        )
    ]
    routes.append(Route(WEBHOOK_PATHS["voice_fallback"], fallback.voice_fallback, methods=["POST"]))
    routes.append(Route(WHISPER_PATH, webhooks.whisper, methods=["POST"]))
    return routes


@router.get(
    "/v1/tenants/{tid}/events",
    response_model=ListOf[EventOut],
    response_model_by_alias=True,
)
async def list_events(
    scope: Scope,
    store: HotStore,
    cursor: str | None = None,
    limit: PageLimit = PAGE_LIMIT,
    kind: Annotated[str | None, Query(pattern=r"^[a-z_]{1,16}$")] = None,
    sid: Annotated[str | None, Query(max_length=34)] = None,
) -> object:
    """The tenant's recorded webhook events, oldest first."""
    found = await event_pages.page(
        store=store, scope=scope, cursor=cursor, limit=limit, kind=kind, sid=sid
    )
    return Response(found, media_type="application/json")


@dispatch.directly(
    list_events,
    params=dispatch.uuid_params("tid"),
    query=dispatch.page_query(others=("kind", "sid")),
)
async def list_events_directly(
    request: Request, tid: uuid.UUID, cursor: str | None, limit: int
) -> Response:
    """`list_events` without filters, without FastAPI's dependency solving (a tenant's app
    polls its events)."""
    scope = await tenant_scope(tid, request)
    found = await event_pages.page(
        store=gateway_store(request), scope=scope, cursor=cursor, limit=limit
    )
    return Response(found, media_type="application/json")


@router.get("/v1/routes/explain", response_model=ExplainOut)
async def explain_route(
    actor: PlatformActor,
    uow: UoW,
    to: Annotated[str, Query(min_length=1, max_length=64)],
    account_sid: Annotated[str | None, Query(pattern=r"^AC[0-9a-fA-F]{32}$")] = None,
) -> ExplainOut:
    """Every step of the routing decision for a call or message to `to`."""
    return await service.explain(uow=uow, to=to, account_sid=account_sid)
