"""A tenant's webhook endpoints in the console: list with recent deliveries, create (secret shown
once), test, enable/disable, rotate, delete, retry a delivery, replay an event:
`/admin/t/{tid}/webhooks...` over events/service.py, as the API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.responses import Response

from callplane.admin import forms
from callplane.admin.web import TenantPage, failed, ok, page_router, tenant_view, tenant_write
from callplane.errors import ApiError
from callplane.events import service
from callplane.events.catalog import TYPES
from callplane.events.schemas import EndpointCreate, EndpointPatch

router = page_router()
RECENT = 10  # deliveries shown per endpoint


async def _render(page: TenantPage, *, status: int = 200, **values: Any) -> Response:
    uow, scope = page.ctx.uow, page.scope
    endpoints = await service.list_endpoints(uow=uow, scope=scope)
    recent = {
        e.id: (await service.list_attempts(uow=uow, scope=scope, endpoint_id=e.id, limit=RECENT))[0]
        for e in endpoints
    }
    return page.render(
        "tenant/webhooks.html",
        status=status,
        title="Webhooks",
        section="webhooks",
        endpoints=endpoints,
        recent=recent,
        types=TYPES,
        **values,
    )


@router.get("/t/{tid}/webhooks")
async def webhooks_page(request: Request, tid: uuid.UUID) -> Response:
    """The endpoints, each with its last deliveries and a notice when it was disabled."""
    return await _render(await tenant_view(request, tid), secret=None, secret_for=None)


@router.post("/t/{tid}/webhooks")
async def webhook_create(request: Request, tid: uuid.UUID) -> Response:
    """Add an endpoint; its signing secret is shown on this answer only."""
    page = await tenant_write(request, tid)
    form = page.ctx.form
    events = [e.strip() for e in (forms.text(form, "events") or "*").split(",") if e.strip()]
    try:
        data = EndpointCreate.model_validate({"url": forms.text(form, "url"), "events": events})
        endpoint, secret = await service.create_endpoint(
            uow=page.ctx.uow, scope=page.scope, data=data
        )
    except ValidationError as exc:
        return page.redirect("/webhooks", failed("; ".join(forms.problems(exc))))
    except ApiError as exc:
        return page.redirect("/webhooks", failed(exc.message))
    return await _render(
        page,
        status=201,
        secret=secret,
        secret_for=endpoint.id,
        flashes=[ok("Endpoint added. Copy its signing secret now: it is not shown again.")],
    )


async def _act(request: Request, tid: uuid.UUID, action: Any, done: str) -> Response:
    page = await tenant_write(request, tid)
    try:
        await action(page)
    except ApiError as exc:
        return page.redirect("/webhooks", failed(exc.message))
    return page.redirect("/webhooks", ok(done))


@router.post("/t/{tid}/webhooks/{eid}/test")
async def webhook_test(request: Request, tid: uuid.UUID, eid: uuid.UUID) -> Response:
    """Send an `endpoint.test` event."""

    async def act(page: TenantPage) -> None:
        await service.send_test(uow=page.ctx.uow, scope=page.scope, endpoint_id=eid)

    return await _act(request, tid, act, "A test event is on its way: see the deliveries below.")


@router.post("/t/{tid}/webhooks/{eid}/toggle")
async def webhook_toggle(request: Request, tid: uuid.UUID, eid: uuid.UUID) -> Response:
    """Enable or disable the endpoint (enabling clears its failure record)."""

    async def act(page: TenantPage) -> None:
        endpoint = await service.get_endpoint(uow=page.ctx.uow, scope=page.scope, endpoint_id=eid)
        await service.update_endpoint(
            uow=page.ctx.uow,
            scope=page.scope,
            endpoint_id=eid,
            data=EndpointPatch(enabled=not endpoint.enabled),
        )

    return await _act(request, tid, act, "The endpoint was updated.")


@router.post("/t/{tid}/webhooks/{eid}/rotate")
async def webhook_rotate(request: Request, tid: uuid.UUID, eid: uuid.UUID) -> Response:
    """A new signing secret (shown once); the old one signs too for the grace period."""
    page = await tenant_write(request, tid)
    try:
        _, secret = await service.rotate_secret(uow=page.ctx.uow, scope=page.scope, endpoint_id=eid)
    except ApiError as exc:
        return page.redirect("/webhooks", failed(exc.message))
    return await _render(
        page,
        secret=secret,
        secret_for=eid,
        flashes=[ok("New secret: deliveries carry both signatures for the grace period.")],
    )


@router.post("/t/{tid}/webhooks/{eid}/delete")
async def webhook_delete(request: Request, tid: uuid.UUID, eid: uuid.UUID) -> Response:
    """Delete the endpoint and its delivery log."""

    async def act(page: TenantPage) -> None:
        await service.delete_endpoint(uow=page.ctx.uow, scope=page.scope, endpoint_id=eid)

    return await _act(request, tid, act, "The endpoint was deleted.")


@router.post("/t/{tid}/webhooks/{eid}/deliveries/{aid}/retry")
async def delivery_retry(
    request: Request, tid: uuid.UUID, eid: uuid.UUID, aid: uuid.UUID
) -> Response:
    """Deliver that event to this endpoint again."""

    async def act(page: TenantPage) -> None:
        await service.retry_attempt(
            uow=page.ctx.uow, scope=page.scope, endpoint_id=eid, attempt_id=aid
        )

    return await _act(request, tid, act, "The delivery is queued again.")


@router.post("/t/{tid}/webhooks/events/{event_id}/replay")
async def event_replay(request: Request, tid: uuid.UUID, event_id: uuid.UUID) -> Response:
    """Deliver an event again to every endpoint subscribed to it."""

    async def act(page: TenantPage) -> None:
        await service.replay_event(uow=page.ctx.uow, scope=page.scope, event_id=event_id)

    return await _act(request, tid, act, "The event is replayed to its endpoints.")
