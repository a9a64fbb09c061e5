"""The hottest reads on PostgreSQL, on psycopg's own async connections.

A keyed one-row read through SQLAlchemy's async engine (pool checkout, greenlet, compiled-cache
lookup, result metadata) cost ~450 µs of the service's CPU against ~55 µs for the same prepared
statement on a psycopg connection (docs/benchmarks.md, fourth pass): the API's key and tenant
reads, a page of numbers, the webhook's route, account and call reads and its events-and-outbox
statement (pg_insert.py) are run here. The statements stay the
models' Core statements, compiled once for psycopg; rows come back as named tuples (the driver's
values: timestamps are read in UTC, as the connection's time zone).

A read within a tenant's row-level security scope sends BEGIN, the scope's settings, the
statement and COMMIT in one pipeline: one round trip, the second wall intact. The connections
are platform-scoped for their life, like the gateway's SQLAlchemy pool (db/rls.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import make_url

from callplane.db import rls
from callplane.gateway.lite_direct import LiteStatement

_DIALECT = PGDialect_psycopg()  # type: ignore[no-untyped-call]  # SQLAlchemy's is untyped
_SET_SCOPE = (
    f"SELECT set_config('{rls.SCOPE_SETTING}', %(scope)s, true) AS scope, "
    f"set_config('{rls.TENANT_SETTING}', %(tenant)s, true) AS tenant"
)


class Query:
    """A Core statement, and its text compiled once for psycopg (named parameters,
    `%(name)s`); SQLite runs the statement (lite_direct.py), or `lite` where SQLite needs
    another form (an IN list where PostgreSQL takes an array)."""

    __slots__ = ("defaults", "lite", "sql", "statement")

    def __init__(self, statement: Any, *, lite: Any = None) -> None:
        self.statement = statement if lite is None else lite
        self.lite = LiteStatement(self.statement)
        # Literal IN lists (expanding parameters) rendered as one parameter per value; the
        # parameters the caller gives are bound to None meanwhile (dropped from `defaults`).
        unbound = {
            b.key: None
            for b in statement.compile(dialect=_DIALECT).binds.values()
            if b.value is None and b.callable is None
        }
        compiled = statement.params(unbound).compile(
            dialect=_DIALECT, compile_kwargs={"render_postcompile": True}
        )
        self.sql: str = str(compiled)
        # Values the statement binds itself (literals turned into parameters by SQLAlchemy).
        expanded = compiled._post_compile_expanded_state
        values = expanded.parameters if expanded is not None else compiled.params
        self.defaults: dict[str, Any] = {k: v for k, v in values.items() if v is not None}

    def params(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The statement's own values with `given`."""
        return {**self.defaults, **given} if self.defaults else dict(given)


def conninfo(database_url: str) -> str:
    """libpq's URI for a configured SQLAlchemy URL (`postgresql+psycopg://...`)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgDirect:
    """A small pool of autocommit psycopg connections, opened on first use (again after
    `close`, or from another event loop: the pool's workers live in the loop that opened it)."""

    def __init__(self, database_url: str, *, options: str, max_size: int = 8) -> None:
        self._conninfo = conninfo(database_url)
        self._options = rls.platform_options({"options": f"{options} -c TimeZone=UTC"})["options"]
        self._max_size = max_size
        self._pool: AsyncConnectionPool[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _current(self) -> AsyncConnectionPool[Any]:
        loop = asyncio.get_running_loop()
        if self._pool is None or self._loop is not loop:
            self._pool = AsyncConnectionPool(
                self._conninfo,
                min_size=1,
                max_size=self._max_size,
                open=False,
                kwargs={
                    "autocommit": True,
                    "row_factory": namedtuple_row,
                    "options": self._options,
                },
                name="callplane-gateway-direct",
            )
            self._loop = loop
            await self._pool.open(wait=False)
        return self._pool

    async def fetch(self, query: Query, params: Mapping[str, Any]) -> list[Any]:
        """The rows of `query`, in autocommit (platform scope)."""
        async with (await self._current()).connection() as conn:
            cur = await conn.execute(query.sql, query.params(params), prepare=True)
            rows: list[Any] = await cur.fetchall()
            return rows

    async def execute(self, sql: str, params: Mapping[str, Any]) -> list[Any]:
        """One statement of psycopg's SQL in autocommit (atomic by itself); its rows, if any."""
        async with (await self._current()).connection() as conn:
            cur = await conn.execute(sql, params, prepare=True)
            rows: list[Any] = await cur.fetchall() if cur.description is not None else []
            return rows

    async def fetch_in(
        self, scope: rls.DbScope, query: Query, params: Mapping[str, Any]
    ) -> list[Any]:
        """The rows of `query` in a transaction confined to `scope`: one round trip."""
        async with (await self._current()).connection() as conn:
            return await _scoped(conn, scope, query, params)

    async def close(self) -> None:
        """Close every connection (the pool opens anew if used again)."""
        pool, self._pool = self._pool, None
        if pool is not None and self._loop is asyncio.get_running_loop():
            await pool.close()


async def _scoped(
    conn: AsyncConnection[Any], scope: rls.DbScope, query: Query, params: Mapping[str, Any]
) -> list[Any]:
    async with conn.pipeline(), conn.transaction():
        await conn.execute(_SET_SCOPE, scope.params(), prepare=True)
        cur = await conn.execute(query.sql, query.params(params), prepare=True)
    return await cur.fetchall()
