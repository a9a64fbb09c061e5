"""Webhook endpoints: create, read, change, delete, rotate; the delivery log; retry, replay,
test; and `emit`, which every feature calls inside its own unit of work."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta
from secrets import token_urlsafe
from typing import Any, Protocol

from sqlalchemy import not_, or_

from callplane.connections import access
from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.errors import NotFound
from callplane.events.catalog import SCHEMA_VERSIONS
from callplane.events.models import TenantEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from callplane.events.schemas import AttemptOutcome, EndpointCreate, EndpointPatch
from callplane.security.public_urls import check_public_url
from callplane.security.secrets import SecretBox
from callplane.tenancy import TenantScope

SECRET_FIELD = "webhook_endpoints.secret"
PREVIOUS_FIELD = "webhook_endpoints.previous_secret"


class _Adds(Protocol):
    def add(self, obj: Any) -> None: ...


def envelope(
    *, event_id: uuid.UUID, event_type: str, created_at: datetime, tenant_id: uuid.UUID, data: Any
) -> str:
    """The JSON body every endpoint receives for an event (the bytes that are signed)."""
    return json.dumps(
        {
            "id": str(event_id),
            "type": event_type,
            "schema_version": SCHEMA_VERSIONS.get(event_type, 1),
            "created_at": created_at.isoformat(),
            "tenant_id": str(tenant_id),
            "data": data,
        },
        separators=(",", ":"),
        default=str,
    )


def emit(
    into: _Adds,
    *,
    tenant_id: uuid.UUID,
    event_type: str,
    data: dict[str, Any],
    order_key: str | None = None,
    event_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Add a tenant event to the caller's transaction (a unit of work or a session): it reaches
    the endpoints subscribed to its type once that transaction commits, and never otherwise."""
    if event_type not in SCHEMA_VERSIONS:
        raise ValueError(f"unknown event type {event_type!r}")
    ident = event_id or uuid.uuid4()
    now = utcnow()
    into.add(
        TenantEvent(
            id=ident,
            tenant_id=tenant_id,
            type=event_type,
            order_key=order_key[:64] if order_key else None,
            created_at=now,
            body=envelope(
                event_id=ident,
                event_type=event_type,
                created_at=now,
                tenant_id=tenant_id,
                data=data,
            ),
        )
    )
    return ident


def health_changed(
    into: _Adds, *, tenant_id: uuid.UUID, previous: str | None, status: str, detail: str | None
) -> None:
    """`connection.health_changed` when a health check's status differs from the last one."""
    if previous != status:
        emit(
            into,
            tenant_id=tenant_id,
            event_type="connection.health_changed",
            data={"status": status, "previous": previous, "detail": detail},
        )


def _seal(secrets: SecretBox, endpoint: WebhookEndpoint) -> str:
    plain = "whsec_" + token_urlsafe(32)
    sealed = secrets.seal(plain, tenant_id=endpoint.tenant_id, field=SECRET_FIELD)
    assert sealed is not None
    endpoint.secret = sealed
    return plain


def signing_secrets(secrets: Any, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one during the
    rotation's grace period."""
    found = [secrets.open(endpoint.secret, tenant_id=endpoint.tenant_id, field=SECRET_FIELD)]
    if endpoint.previous_secret and endpoint.previous_until and now < endpoint.previous_until:
        found.append(
            secrets.open(
                endpoint.previous_secret, tenant_id=endpoint.tenant_id, field=PREVIOUS_FIELD
            )
        )
    return [s for s in found if s]


async def _check_url(uow: UnitOfWork, url: str) -> None:
    """Callplane calls it for the tenant: a public address only (checked again at each send)."""
    allow = access.settings(uow).allow_private_urls
    await asyncio.to_thread(check_public_url, url, allow_private=allow)


async def create_endpoint(
    *, uow: UnitOfWork, scope: TenantScope, data: EndpointCreate
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (shown once)."""
    await _check_url(uow, data.url)
    endpoint = uow.repo(WebhookEndpoint, scope).add(
        WebhookEndpoint(id=uuid.uuid4(), url=data.url, events=data.events, enabled=data.enabled)
    )
    secret = _seal(uow.runtime.secrets, endpoint)
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="webhook_endpoint.create",
        tenant_id=scope.tenant_id,
        target=endpoint.id,
        detail={"url": data.url, "events": data.events},
    )
    await uow.commit()
    return endpoint, secret


async def list_endpoints(*, uow: UnitOfWork, scope: TenantScope) -> list[WebhookEndpoint]:
    """The tenant's endpoints, oldest first."""
    return await uow.repo(WebhookEndpoint, scope).all(order_by=[WebhookEndpoint.created_at])


async def get_endpoint(
    *, uow: UnitOfWork, scope: TenantScope, endpoint_id: uuid.UUID, for_update: bool = False
) -> WebhookEndpoint:
    """One of the tenant's endpoints (404 for another tenant's)."""
    return await uow.repo(WebhookEndpoint, scope).get(endpoint_id, for_update=for_update)


async def update_endpoint(
    *, uow: UnitOfWork, scope: TenantScope, endpoint_id: uuid.UUID, data: EndpointPatch
) -> WebhookEndpoint:
    """Change url, events or enabled; enabling clears the failure record."""
    endpoint = await get_endpoint(uow=uow, scope=scope, endpoint_id=endpoint_id, for_update=True)
    if data.url is not None:
        await _check_url(uow, data.url)
        endpoint.url = data.url
    if data.events is not None:
        endpoint.events = data.events
    if data.enabled is not None:
        endpoint.enabled = data.enabled
        if data.enabled:
            endpoint.failing_since = None
            endpoint.disabled_reason = None
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="webhook_endpoint.update",
        tenant_id=scope.tenant_id,
        target=endpoint.id,
        detail=data.model_dump(exclude_unset=True),
    )
    await uow.commit()
    return endpoint


async def delete_endpoint(*, uow: UnitOfWork, scope: TenantScope, endpoint_id: uuid.UUID) -> None:
    """Delete the endpoint with its deliveries and their log."""
    endpoint = await get_endpoint(uow=uow, scope=scope, endpoint_id=endpoint_id)
    await uow.repo(WebhookEndpoint, scope).delete(endpoint)
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="webhook_endpoint.delete",
        tenant_id=scope.tenant_id,
        target=endpoint_id,
    )
    await uow.commit()


async def rotate_secret(
    *, uow: UnitOfWork, scope: TenantScope, endpoint_id: uuid.UUID
) -> tuple[WebhookEndpoint, str]:
    """A new secret (answered once); the current one keeps signing too for the grace period."""
    endpoint = await get_endpoint(uow=uow, scope=scope, endpoint_id=endpoint_id, for_update=True)
    box: SecretBox = uow.runtime.secrets
    current = box.open(endpoint.secret, tenant_id=endpoint.tenant_id, field=SECRET_FIELD)
    grace = access.settings(uow).webhook_secret_grace_seconds
    endpoint.previous_secret = box.seal(current, tenant_id=endpoint.tenant_id, field=PREVIOUS_FIELD)
    endpoint.previous_until = utcnow() + timedelta(seconds=grace)
    secret = _seal(box, endpoint)
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="webhook_endpoint.rotate_secret",
        tenant_id=scope.tenant_id,
        target=endpoint.id,
        detail={"grace_seconds": grace},
    )
    await uow.commit()
    return endpoint, secret


async def list_attempts(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    endpoint_id: uuid.UUID,
    limit: int,
    cursor: str | None = None,
    outcome: AttemptOutcome | None = None,
    event_id: uuid.UUID | None = None,
) -> tuple[list[WebhookAttempt], str | None]:
    """A page of the endpoint's delivery log, newest first, and the cursor of the next (older)
    page: every attempt, or those that succeeded (2xx) or failed, or one event's."""
    await get_endpoint(uow=uow, scope=scope, endpoint_id=endpoint_id)
    where = [WebhookAttempt.endpoint_id == endpoint_id]
    succeeded = WebhookAttempt.status_code.between(200, 299)
    if outcome == "succeeded":
        where.append(succeeded)
    elif outcome == "failed":  # another answer, or none (a timeout, a refused connection)
        where.append(or_(WebhookAttempt.status_code.is_(None), not_(succeeded)))
    if event_id is not None:
        where.append(WebhookAttempt.event_id == event_id)
    return await uow.repo(WebhookAttempt, scope).page(
        *where, cursor=cursor, limit=limit, newest_first=True
    )


def _queue(
    uow: UnitOfWork, event: TenantEvent, endpoint_id: uuid.UUID, now: datetime
) -> WebhookDelivery:
    """A fresh delivery of `event` to one endpoint, due now, outside any per-call order (a
    retry or replay is the tenant asking for this event again, whatever came after it)."""
    delivery = WebhookDelivery(
        id=uuid.uuid4(),
        tenant_id=event.tenant_id,
        endpoint_id=endpoint_id,
        event_id=event.id,
        type=event.type,
        order_key=None,
        event_at=event.created_at,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    uow.add(delivery)
    return delivery


async def retry_attempt(
    *, uow: UnitOfWork, scope: TenantScope, endpoint_id: uuid.UUID, attempt_id: uuid.UUID
) -> WebhookDelivery:
    """Deliver again the event of one logged attempt, to the same endpoint, now."""
    endpoint = await get_endpoint(uow=uow, scope=scope, endpoint_id=endpoint_id)
    attempt = await uow.repo(WebhookAttempt, scope).get(attempt_id)
    if attempt.endpoint_id != endpoint.id:
        raise NotFound("delivery")
    event = await uow.repo(TenantEvent, scope).get(attempt.event_id)
    delivery = _queue(uow, event, endpoint.id, utcnow())
    await uow.commit()
    return delivery


async def replay_event(
    *, uow: UnitOfWork, scope: TenantScope, event_id: uuid.UUID
) -> list[WebhookDelivery]:
    """Deliver an event again to every enabled endpoint subscribed to its type now."""
    from callplane.events.catalog import matches

    event = await uow.repo(TenantEvent, scope).get(event_id)
    now = utcnow()
    queued = [
        _queue(uow, event, endpoint.id, now)
        for endpoint in await list_endpoints(uow=uow, scope=scope)
        if endpoint.enabled and matches(endpoint.events, event.type)
    ]
    await uow.commit()
    return queued


async def send_test(
    *, uow: UnitOfWork, scope: TenantScope, endpoint_id: uuid.UUID
) -> WebhookDelivery:
    """An `endpoint.test` event to this endpoint only (whatever it subscribes to)."""
    endpoint = await get_endpoint(uow=uow, scope=scope, endpoint_id=endpoint_id)
    now = utcnow()
    ident = uuid.uuid4()
    event = TenantEvent(
        id=ident,
        tenant_id=scope.tenant_id,
        type="endpoint.test",
        created_at=now,
        fanned_out_at=now,
        only_endpoint_id=endpoint.id,
        body=envelope(
            event_id=ident,
            event_type="endpoint.test",
            created_at=now,
            tenant_id=scope.tenant_id,
            data={"endpoint_id": str(endpoint.id), "url": endpoint.url, "reason": "test"},
        ),
    )
    uow.add(event)
    delivery = _queue(uow, event, endpoint.id, now)
    await uow.commit()
    return delivery
