"""A page of a tenant's recorded events as the API lists it: the list's own read path.

A tenant's app polls its events. Through FastAPI's dependencies and the async ORM a page of 50
cost ~1.6 ms of CPU on PostgreSQL, and the webhooks arriving meanwhile waited behind it
(docs/benchmarks.md, sixteenth pass). Here the events are read in one statement on the
gateway's store (`gateway.plain`) and shown by `EventOut.from_model` as the ORM path shows them.
Nothing is kept: the gateway records events on every webhook.
"""

from __future__ import annotations

from typing import Any, cast

from pydantic_core import to_json

from callplane.gateway.models import Event
from callplane.gateway.plain import PlainPages
from callplane.gateway.schemas import EventOut
from callplane.gateway.store import GatewayStore
from callplane.tenancy import TenantScope

# What `EventOut.from_model` reads; events page by when they were received.
_PAGES = PlainPages(
    cast(Any, Event.__table__),
    [
        "id",
        "kind",
        "sid",
        "account_sid",
        "from_number",
        "to_number",
        "number_id",
        "agent_id",
        "decision",
        "state",
        "received_at",
        "detail",
    ],
    order="received_at",
    filters=("kind", "sid"),
    json_fields=("detail",),
    uuid_fields=("id", "number_id", "agent_id"),
    time_fields=("received_at",),
)


async def page(
    *,
    store: GatewayStore,
    scope: TenantScope,
    cursor: str | None,
    limit: int,
    kind: str | None = None,
    sid: str | None = None,
) -> bytes:
    """A page of the tenant's events, oldest first, as the JSON of `ListOf[EventOut]`."""
    rows, next_cursor = await _PAGES.page(
        store, tenant_id=scope.tenant_id, cursor=cursor, limit=limit, kind=kind, sid=sid
    )
    data = [
        EventOut.from_model(cast(Event, row)).model_dump(mode="json", by_alias=True) for row in rows
    ]
    return to_json({"data": data, "next_cursor": next_cursor})
