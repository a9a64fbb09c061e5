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
    async with lock:
        yield
