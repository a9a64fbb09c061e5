"""SQLite's in-process named lock: a waiter does not hold a pooled connection the holder needs.

The holder may have committed before taking the lock (giving its connection back) and need one
again inside; waiters that had only read used to hold the whole pool while they waited, and the
holder waited for the pool's timeout (trunk ensures: 15 waiters, a pool of 5 + 10).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callplane.db.engine import create_engine, create_session_factory
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.runtime import Runtime
from callplane.tenants.models import Tenant

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
async def one_connection(db: Runtime) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions over a pool of exactly one connection, which gives up waiting after 3 s."""
    engine = create_engine(db.settings.database_url, pool_size=1, max_overflow=0, pool_timeout=3)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def _tenants(uow: UnitOfWork) -> int:
    return int((await uow.session.execute(select(func.count()).select_from(Tenant))).scalar_one())


async def test_a_waiter_that_only_read_gives_its_connection_to_the_holder(
    db: Runtime, one_connection: async_sessionmaker[AsyncSession]
) -> None:
    waiter_has_read = asyncio.Event()

    async def holder() -> int:
        async with UnitOfWork(one_connection, db) as uow, named_lock(uow, "work"):
            await waiter_has_read.wait()
            return await _tenants(uow)  # the pool's one connection: the waiter holds it

    async def waiter() -> int:
        async with UnitOfWork(one_connection, db) as uow:
            before = await _tenants(uow)
            waiter_has_read.set()
            async with named_lock(uow, "work"):
                return before + await _tenants(uow)

    held = asyncio.create_task(holder())
    await asyncio.sleep(0)  # the holder takes the lock first
    assert list(await asyncio.gather(held, waiter())) == [0, 0]


async def test_a_waiter_that_wrote_keeps_its_transaction(
    db: Runtime, one_connection: async_sessionmaker[AsyncSession]
) -> None:
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with UnitOfWork(one_connection, db) as uow, named_lock(uow, "work"):
            holding.set()
            await release.wait()

    held = asyncio.create_task(holder())
    await holding.wait()
    async with UnitOfWork(one_connection, db) as uow:
        uow.add(Tenant(slug="uncommitted", name="uncommitted"))
        await uow.session.flush()
        asyncio.get_running_loop().call_soon(release.set)
        async with named_lock(uow, "work"):
            assert uow.session.in_transaction()
            await uow.rollback()  # the waiter's own decision: nothing of it was committed
    await held
    async with UnitOfWork(one_connection, db) as uow:
        assert await _tenants(uow) == 0
