"""A page of a tenant's agents as the API lists it: the list's own read path.

A tenant's app reads its agents often (a dashboard, a sync loop). Through FastAPI's dependencies
and the async ORM a page cost ~4 ms of the event loop on PostgreSQL, and the webhooks that
arrived meanwhile waited behind it (docs/benchmarks.md, sixteenth pass). As a page of numbers
(numbers/pages.py): the agents are read in one statement on the gateway's store (on PostgreSQL
in the tenant's row-level security scope), as rows of the model's columns, shown by
`AgentOut.from_model` as the ORM path shows them, and the page's JSON is kept between changes
(`store.Kept`; `agents` is among `db.changes.WATCHED`).
"""

from __future__ import annotations

import json
import uuid
from collections import namedtuple
from typing import Any, cast

from pydantic_core import to_json
from sqlalchemy import Text, and_, bindparam, or_, select, type_coerce
from sqlalchemy import cast as sql_cast
from sqlalchemy.types import NullType

from callplane.agents.models import Agent
from callplane.agents.schemas import AgentOut
from callplane.db.base import driver_utc
from callplane.db.repository import decode_cursor, encode_cursor
from callplane.db.rls import DbScope
from callplane.gateway.pg_direct import Query
from callplane.gateway.store import GatewayStore, Kept
from callplane.tenancy import TenantScope

# Pages kept between changes; a page of 200 agents is ~100 kB at most.
KEPT_PAGES = 256
_AGENTS = Agent.__table__
# What `AgentOut.from_model` reads.
_FIELDS = [
    "id",
    "name",
    "voice_mode",
    "stream_url",
    "stream_parameters",
    "sip_uri",
    "forward_to",
    "caller_id",
    "whisper",
    "greeting",
    "record",
    "hook_url",
    "hook_timeout_ms",
    "voice_fallback",
    "provider",
    "provider_agent_id",
    "sms_mode",
    "sms_url",
    "sms_reply",
    "events_url",
    "created_at",
]
_JSON_FIELDS = ("stream_parameters", "voice_fallback")
# The columns as the driver gives them, JSON as its text (decoded here alike on both databases).
_SELECT = select(
    *[
        type_coerce(
            sql_cast(_AGENTS.c[name], Text) if name in _JSON_FIELDS else _AGENTS.c[name],
            NullType(),
        ).label(name)
        for name in _FIELDS
    ]
)
_INDEX = {name: i for i, name in enumerate(_FIELDS)}
_ID, _CREATED = _INDEX["id"], _INDEX["created_at"]
_JSON = [_INDEX[n] for n in _JSON_FIELDS]
_Agent = namedtuple("_Agent", _FIELDS)  # type: ignore[misc]


def _shape(cursor: bool) -> Query:
    a = _AGENTS.c
    stmt = _SELECT.where(a.tenant_id == bindparam("tenant_id"))
    if cursor:
        after_at: Any = bindparam("after_at")
        after_id: Any = bindparam("after_id")
        stmt = stmt.where(
            or_(a.created_at > after_at, and_(a.created_at == after_at, a.id > after_id))
        )
    return Query(stmt.order_by(a.created_at, a.id).limit(bindparam("limit")))


_SHAPES = {cursor: _shape(cursor) for cursor in (False, True)}


def _decoded(raw: Any) -> Any:
    values = list(raw)
    if isinstance(values[_ID], str):  # SQLite: 32 hex digits
        values[_ID] = uuid.UUID(values[_ID])
    values[_CREATED] = driver_utc(values[_CREATED])
    for i in _JSON:
        if values[i] is not None:
            values[i] = json.loads(values[i])
    return _Agent._make(values)


async def page(*, store: GatewayStore, scope: TenantScope, cursor: str | None, limit: int) -> bytes:
    """A page of the tenant's agents, oldest first, as the JSON of `ListOf[AgentOut]`."""
    params: dict[str, Any] = {"tenant_id": scope.tenant_id, "limit": limit + 1}
    if cursor:
        params["after_at"], params["after_id"] = decode_cursor(cursor)  # a bad one is a 400
    kept: Kept[tuple[Any, ...], bytes] = store.kept("agent-pages", KEPT_PAGES)
    key = (scope.tenant_id, cursor, limit)
    version = kept.version()
    if version is not None and (page_json := kept.get(key)) is not None:
        return page_json
    raw = await store.fetch(_SHAPES[bool(cursor)], params, scope=DbScope.tenant(scope.tenant_id))
    rows = [_decoded(row) for row in raw]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id)
    data = [AgentOut.from_model(cast(Agent, row)).model_dump(mode="json") for row in rows]
    page_json = to_json({"data": data, "next_cursor": next_cursor})
    kept.put(version, key, page_json)
    return page_json
