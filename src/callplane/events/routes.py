"""A tenant's webhook endpoints: `POST/GET/PATCH/DELETE webhook-endpoints`, `rotate-secret`,
the delivery log with retry, `test`, and `POST events/{event_id}/replay`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from callplane.deps import AdminScope, Scope, UoW
from callplane.events import service
from callplane.events.models import WebhookDelivery, WebhookEndpoint
from callplane.events.schemas import (
    AttemptOut,
    AttemptOutcome,
    EndpointCreate,
    EndpointOut,
    EndpointPatch,
    QueuedOut,
)
from callplane.schemas import ERROR_RESPONSES, ListOf

router = APIRouter(prefix="/v1/tenants/{tid}", tags=["webhooks"], responses=ERROR_RESPONSES)


def _out(endpoint: WebhookEndpoint, secret: str | None = None) -> EndpointOut:
    return EndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        events=list(endpoint.events),
        enabled=endpoint.enabled,
        secret=secret,
        disabled_reason=endpoint.disabled_reason,
        failing_since=endpoint.failing_since,
        created_at=endpoint.created_at,
    )


def _queued(delivery: WebhookDelivery) -> QueuedOut:
    return QueuedOut(
        delivery_id=delivery.id, endpoint_id=delivery.endpoint_id, event_id=delivery.event_id
    )


@router.post("/webhook-endpoints", response_model=EndpointOut, status_code=201)
async def create_endpoint(body: EndpointCreate, scope: AdminScope, uow: UoW) -> EndpointOut:
    """Add an endpoint; the answer carries its signing `secret`, shown this once (422
    `url_not_allowed` for a URL that is not public)."""
    endpoint, secret = await service.create_endpoint(uow=uow, scope=scope, data=body)
    return _out(endpoint, secret)


@router.get("/webhook-endpoints", response_model=ListOf[EndpointOut])
async def list_endpoints(scope: Scope, uow: UoW) -> Any:
    """The tenant's endpoints (never a secret)."""
    return {"data": [_out(e) for e in await service.list_endpoints(uow=uow, scope=scope)]}


@router.get("/webhook-endpoints/{eid}", response_model=EndpointOut)
async def get_endpoint(eid: uuid.UUID, scope: Scope, uow: UoW) -> EndpointOut:
    """One endpoint."""
    return _out(await service.get_endpoint(uow=uow, scope=scope, endpoint_id=eid))


@router.patch("/webhook-endpoints/{eid}", response_model=EndpointOut)
async def update_endpoint(
    eid: uuid.UUID, body: EndpointPatch, scope: AdminScope, uow: UoW
) -> EndpointOut:
    """Change the URL, the event types or `enabled` (enabling clears the failure record)."""
    endpoint = await service.update_endpoint(uow=uow, scope=scope, endpoint_id=eid, data=body)
    return _out(endpoint)


@router.delete("/webhook-endpoints/{eid}", status_code=204)
async def delete_endpoint(eid: uuid.UUID, scope: AdminScope, uow: UoW) -> Response:
    """Delete the endpoint and its delivery log."""
    await service.delete_endpoint(uow=uow, scope=scope, endpoint_id=eid)
    return Response(status_code=204)


@router.post("/webhook-endpoints/{eid}/rotate-secret", response_model=EndpointOut)
async def rotate_secret(eid: uuid.UUID, scope: AdminScope, uow: UoW) -> EndpointOut:
    """A new signing secret (in this answer only); deliveries carry a signature by the new and
    one by the previous secret (`v1=new,v1=old`) for CALLPLANE_WEBHOOK_SECRET_GRACE_SECONDS."""
    endpoint, secret = await service.rotate_secret(uow=uow, scope=scope, endpoint_id=eid)
    return _out(endpoint, secret)


@router.get("/webhook-endpoints/{eid}/deliveries", response_model=ListOf[AttemptOut])
async def list_deliveries(
    eid: uuid.UUID,
    scope: Scope,
    uow: UoW,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: str | None = None,
    outcome: Annotated[
        AttemptOutcome | None,
        Query(description="Only the attempts answered 2xx (`succeeded`), or only the others."),
    ] = None,
    event_id: Annotated[
        uuid.UUID | None, Query(description="Only the attempts to deliver this event.")
    ] = None,
) -> Any:
    """The delivery log, newest first: every attempt with its status code, latency and error.
    `outcome` keeps the attempts that succeeded (2xx) or failed; `event_id`, one event's."""
    rows, next_cursor = await service.list_attempts(
        uow=uow,
        scope=scope,
        endpoint_id=eid,
        limit=limit,
        cursor=cursor,
        outcome=outcome,
        event_id=event_id,
    )
    return {
        "data": [AttemptOut.model_validate(r, from_attributes=True) for r in rows],
        "next_cursor": next_cursor,
    }


@router.post(
    "/webhook-endpoints/{eid}/deliveries/{delivery_id}/retry",
    response_model=QueuedOut,
    status_code=202,
)
async def retry_delivery(
    eid: uuid.UUID, delivery_id: uuid.UUID, scope: AdminScope, uow: UoW
) -> QueuedOut:
    """Send the event of this logged delivery to the endpoint again, now."""
    delivery = await service.retry_attempt(
        uow=uow, scope=scope, endpoint_id=eid, attempt_id=delivery_id
    )
    return _queued(delivery)


@router.post("/webhook-endpoints/{eid}/test", response_model=QueuedOut, status_code=202)
async def test_endpoint(eid: uuid.UUID, scope: AdminScope, uow: UoW) -> QueuedOut:
    """Send an `endpoint.test` event to this endpoint (see it in its delivery log)."""
    return _queued(await service.send_test(uow=uow, scope=scope, endpoint_id=eid))


@router.post("/events/{event_id}/replay", response_model=ListOf[QueuedOut], status_code=202)
async def replay_event(event_id: uuid.UUID, scope: AdminScope, uow: UoW) -> Any:
    """Send an event again to every enabled endpoint subscribed to its type."""
    deliveries = await service.replay_event(uow=uow, scope=scope, event_id=event_id)
    return {"data": [_queued(d) for d in deliveries]}
