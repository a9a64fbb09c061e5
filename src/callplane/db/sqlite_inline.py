"""SQLite for the API without a thread hop per read: aiosqlite runs every statement on a
thread of its own and hands the answer back through the event loop (two context switches and
a wait for the GIL per statement, ~0.8 ms per request at 32 connections). Here, on the same
aiosqlite connection, what cannot wait for another connection runs on the event loop at once:
SELECTs (WAL readers never wait for a writer), fetching their rows and rolling back. Anything
that may wait for SQLite's one writer lock (INSERT, UPDATE, DELETE, DDL, PRAGMA, COMMIT...)
still goes through aiosqlite's thread, so a write waiting for the lock never blocks the loop
(the lock's holder may be another request of this process)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite

# Statements that read only: nothing they do waits for the writer lock in WAL mode.
_READ = re.compile(r"\s*(SELECT|BEGIN\s*(DEFERRED\s*)?;?\s*$)", re.IGNORECASE)
# Calls without SQL that never wait: stepping a read, rolling back, cursors.
_INLINE_CALLS = frozenset(("fetchone", "fetchmany", "fetchall", "cursor", "close", "rollback"))


def _inline(fn: Callable[..., Any], args: tuple[Any, ...]) -> bool:
    name = getattr(fn, "__name__", "")
    if name == "execute":
        return bool(args) and isinstance(args[0], str) and _READ.match(args[0]) is not None
    return name in _INLINE_CALLS


class InlineReadConnection(aiosqlite.Connection):
    """An aiosqlite connection whose reads run on the caller's thread (the event loop)."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # Statements on one connection are awaited one after the other (SQLAlchemy holds it
        # for one session at a time): when a read runs here, the thread has nothing queued.
        if self._connection is not None and self._running and _inline(fn, args):
            return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)


def creator(path: str, **kwargs: Any) -> Callable[[], InlineReadConnection]:
    """`create_async_engine(async_creator=...)` for a SQLite file at `path`."""

    def connector() -> sqlite3.Connection:
        # Used from the loop's thread and aiosqlite's, never at once.
        return sqlite3.connect(path, check_same_thread=False, **kwargs)

    def create() -> InlineReadConnection:
        connection = InlineReadConnection(connector, 64)
        connection._thread.daemon = True
        return connection

    return create
