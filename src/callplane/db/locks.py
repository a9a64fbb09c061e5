"""Named locks held for one transaction: PostgreSQL advisory locks, or in-process on SQLite."""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from callplane.db.uow import UnitOfWork

_local_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def _lock_id(name: str) -> int:
    # A signed 64-bit id derived from the whole name (advisory locks take a bigint).
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@asynccontextmanager
async def named_lock(uow: UnitOfWork, name: str) -> AsyncIterator[None]:
    """Serialise work on `name` across processes (PostgreSQL) or within this process (SQLite).

    On PostgreSQL the lock lives until the unit of work's transaction ends: commit inside the
    block to release it at the right moment.
    """
    if uow.session.get_bind().dialect.name == "postgresql":
        await uow.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _lock_id(name)})
        yield
        return
    lock = _local_locks.get(name)
    if lock is None:
        lock = asyncio.Lock()
        _local_locks[name] = lock
    if lock.locked():
        await _release_idle_connection(uow)
    async with lock:
        yield


async def _release_idle_connection(uow: UnitOfWork) -> None:
    """Give the session's pooled connection back before waiting, when it has written nothing.

    A waiter holding a connection while the holder needs one (the holder may have committed
    before taking the lock, which gave its own back) deadlocked once 15 waiters held the whole
    pool, until the pool's 30 s timeout. SQLite runs reads outside any transaction of its own
    (the driver begins one before the first write), so committing a session that has only read
    changes nothing but where its next statement's connection comes from.
    """
    session = uow.session
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    raw = await (await session.connection()).get_raw_connection()
    if raw.driver_connection is not None and not raw.driver_connection.in_transaction:
        await session.commit()
