"""The service's PostgreSQL pool pings a connection at checkout only when it may be dead: one the
server closed while it sat in the pool is replaced before anyone uses it, one returned moments
ago is handed out without a round trip."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from callplane.db.engine import create_engine, ping_when_needed

pytestmark = pytest.mark.postgres_only


def _counting_pings(engine: AsyncEngine) -> list[int]:
    """One entry per ping the pool sends from now on."""
    pings: list[int] = []
    original = engine.dialect.do_ping

    def counted(dbapi_conn: Any) -> bool:
        pings.append(1)
        return original(dbapi_conn)

    setattr(engine.dialect, "do_ping", counted)  # noqa: B010 - replaces a method for counting
    return pings


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    made = create_engine(database_url, pool_size=1, max_overflow=0)
    yield made
    await made.dispose()


async def test_a_connection_returned_moments_ago_is_not_pinged(engine: AsyncEngine) -> None:
    first = await _backend_pid(engine)
    pings = _counting_pings(engine)
    for _ in range(5):
        assert await _backend_pid(engine) == first  # the same pooled connection
    assert pings == []


async def test_a_connection_the_server_closed_is_replaced_before_use(
    engine: AsyncEngine, postgres_admin_url: str
) -> None:
    first = await _backend_pid(engine)
    pings = _counting_pings(engine)
    # The server ends the pooled connection (a restart, an idle timeout, an operator).
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (first,)).fetchone() == (True,)
    await asyncio.sleep(0.2)  # its FATAL message and end of file reach the pooled socket
    second = await _backend_pid(engine)  # no error: the pool pinged it and reconnected
    assert second != first
    assert pings == [1]


async def test_a_connection_idle_for_long_is_pinged(database_url: str) -> None:
    engine = create_async_engine(database_url, pool_size=1, max_overflow=0)
    ping_when_needed(engine, idle_seconds=0.1)
    try:
        first = await _backend_pid(engine)
        pings = _counting_pings(engine)
        assert await _backend_pid(engine) == first
        assert pings == []
        await asyncio.sleep(0.2)
        assert await _backend_pid(engine) == first  # alive: pinged and handed out
        assert pings == [1]
    finally:
        await engine.dispose()
