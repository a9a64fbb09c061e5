"""A table's rows read as the driver gives them, outside the ORM: the API's list reads that
answer from the gateway's store (a page of agents, of events).

Through FastAPI's dependencies and the async ORM such a page cost ~1.6-1.7 ms of CPU,
and webhooks arriving meanwhile waited behind it (docs/benchmarks.md, sixteenth pass). Here one
statement of the model's columns is read on `GatewayStore.fetch` (on PostgreSQL in the tenant's
row-level security scope), its values decoded as the model's types read them (UUIDs, UTC
timestamps, JSON given as text on both databases), into rows with the columns' names as
attributes that the schemas' `from_model` read as they read the models.
"""

from __future__ import annotations

import json
import uuid
from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, Text, bindparam, select, type_coerce
from sqlalchemy import cast as sql_cast
from sqlalchemy.types import NullType

from callplane.db.base import driver_utc
from callplane.db.repository import after_cursor, cut_page, decode_cursor
from callplane.db.rls import DbScope
from callplane.gateway.pg_direct import Query
from callplane.gateway.store import GatewayStore


class PlainPages:
    """Pages of one table's rows of a tenant, ordered by (`order`, id) oldest first as
    `Repository.page` orders them, optionally filtered by equality on `filters`."""

    def __init__(
        self,
        table: Table,
        fields: Sequence[str],
        *,
        order: str = "created_at",
        filters: Sequence[str] = (),
        json_fields: Sequence[str] = (),
        uuid_fields: Sequence[str] = ("id",),
        time_fields: Sequence[str] = ("created_at",),
    ) -> None:
        self.table = table
        self.order = order
        self.filters = tuple(filters)
        self._select = select(
            *[
                type_coerce(
                    sql_cast(table.c[name], Text) if name in json_fields else table.c[name],
                    NullType(),
                ).label(name)
                for name in fields
            ]
        )
        index = {name: i for i, name in enumerate(fields)}
        self._json = [index[n] for n in json_fields]
        self._uuids = [index[n] for n in uuid_fields]
        self._times = [index[n] for n in time_fields]
        self._row: Any = namedtuple(f"Plain_{table.name}", fields)  # type: ignore[misc]
        self._shapes: dict[tuple[bool, ...], Query] = {}

    def _shape(self, cursor: bool, filtered: tuple[bool, ...]) -> Query:
        key = (cursor, *filtered)
        query = self._shapes.get(key)
        if query is None:
            c = self.table.c
            stmt = self._select.where(c.tenant_id == bindparam("tenant_id"))
            for name, on in zip(self.filters, filtered, strict=True):
                if on:
                    stmt = stmt.where(c[name] == bindparam(name))
            at = c[self.order]
            if cursor:
                after_at: Any = bindparam("after_at")
                after_id: Any = bindparam("after_id")
                stmt = stmt.where(after_cursor(at, c.id, after_at, after_id))
            query = Query(stmt.order_by(at, c.id).limit(bindparam("limit")))
            self._shapes[key] = query
        return query

    def _decoded(self, raw: Any) -> Any:
        values = list(raw)
        for i in self._uuids:
            if isinstance(values[i], str):  # SQLite: 32 hex digits
                values[i] = uuid.UUID(values[i])
        for i in self._times:
            values[i] = driver_utc(values[i])
        for i in self._json:
            if values[i] is not None:
                values[i] = json.loads(values[i])
        return self._row._make(values)

    async def page(
        self,
        store: GatewayStore,
        *,
        tenant_id: uuid.UUID,
        cursor: str | None,
        limit: int,
        **filters: Any,
    ) -> tuple[list[Any], str | None]:
        """A page of the tenant's rows and the cursor of the next one, if any (a bad cursor is
        a 400); a filter given as None is not applied."""
        params: dict[str, Any] = {"tenant_id": tenant_id, "limit": limit + 1}
        if cursor:
            params["after_at"], params["after_id"] = decode_cursor(cursor)
        filtered = tuple(filters.get(name) is not None for name in self.filters)
        params.update({k: v for k, v in filters.items() if v is not None})
        query = self._shape(bool(cursor), filtered)
        raw = await store.fetch(query, params, scope=DbScope.tenant(tenant_id))
        rows = [self._decoded(row) for row in raw]
        return cut_page(rows, limit, lambda row: (getattr(row, self.order), row.id))
