"""Retention: what callplane recorded about calls and messages, deleted once it is old.

`events_retention_days` (CALLPLANE_EVENTS_RETENTION_DAYS, 90; 0 keeps everything) after a
webhook was recorded, or after a tenant event was sent out to the endpoints, it is deleted:

- tenant events (`tenant_events`) fanned out before the cutoff, with their deliveries and
  attempts (the delivery log), once none of those deliveries is still being tried;
- recorded webhooks (`events`: `GET /v1/tenants/{tid}/events`), received before the cutoff, with
  the agent deliveries (`outbox`) made for them, once none of those is still being tried.

What is still owed to someone is kept whatever its age. Nothing else is touched: numbers,
agents, audit records and job runs stay. Rows go `BATCH` at a time, each batch in its own short
transaction, so that on SQLite the gateway's writes never wait long for the lock.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Delete, delete, exists, select

from callplane.events.models import TenantEvent, WebhookDelivery
from callplane.gateway.models import Event, OutboxMessage
from callplane.runtime import Runtime
from callplane.tenants.models import Tenant

BATCH = 500


@dataclass
class Pruned:
    """How many rows a retention pass deleted (their deliveries, attempts and outbox rows
    went with them)."""

    tenant_events: int = 0
    events: int = 0
    cutoff: str | None = None

    def summary(self) -> dict[str, Any]:
        """The job run's summary."""
        return asdict(self)


def _tenant_events_batch(cutoff: datetime) -> Delete:
    still_tried = exists().where(
        WebhookDelivery.event_id == TenantEvent.id,
        WebhookDelivery.delivered_at.is_(None),
        WebhookDelivery.failed_at.is_(None),
    )
    old = select(TenantEvent.id).where(TenantEvent.fanned_out_at < cutoff, ~still_tried)
    return delete(TenantEvent).where(TenantEvent.id.in_(old.limit(BATCH)))


def _events_batch(cutoff: datetime, tenant_id: uuid.UUID | None) -> Delete:
    still_tried = exists().where(
        OutboxMessage.event_id == Event.id,
        OutboxMessage.delivered_at.is_(None),
        OutboxMessage.failed_at.is_(None),
    )
    # One tenant at a time: the index is (tenant_id, received_at).
    owner: ColumnElement[bool] = (
        Event.tenant_id.is_(None) if tenant_id is None else Event.tenant_id == tenant_id
    )
    old = select(Event.id).where(owner, Event.received_at < cutoff, ~still_tried)
    return delete(Event).where(Event.id.in_(old.limit(BATCH)))


async def _until_none_left(runtime: Runtime, statement: Delete) -> int:
    deleted = 0
    while True:
        async with runtime.uow() as uow:
            result = await uow.session.execute(
                statement.execution_options(synchronize_session=False)
            )
            await uow.commit()
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        deleted += count
        if count < BATCH:
            return deleted


async def prune_events(runtime: Runtime, *, now: datetime, days: int) -> Pruned:
    """Delete what is older than `days` at `now` and no longer owed to anyone (0 days:
    nothing)."""
    if days <= 0:
        return Pruned()
    cutoff = now - timedelta(days=days)
    pruned = Pruned(cutoff=cutoff.isoformat())
    pruned.tenant_events = await _until_none_left(runtime, _tenant_events_batch(cutoff))
    async with runtime.uow() as uow:
        tenants: list[uuid.UUID | None] = list((await uow.session.scalars(select(Tenant.id))).all())
    for tenant_id in [*tenants, None]:
        pruned.events += await _until_none_left(runtime, _events_batch(cutoff, tenant_id))
    return pruned
