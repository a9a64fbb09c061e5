"""Async engine and session factory for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Bytes a SQLite WAL file is cut back to when it starts over (it is reused, not truncated, by
# default: one burst of writes would keep its size on disk for good).
WAL_SIZE_LIMIT = 64 * 1024 * 1024
# Bytes of the database file SQLite reads through a memory map instead of copying each page
# into its own cache with a read(): address space, not memory. At 100,000 numbers a webhook for
# a number not yet cached reads pages all over the numbers' tables, and the map made it ~5%
# cheaper (docs/benchmarks.md, thirteenth pass). Larger files are read as before beyond it.
MMAP_SIZE = 256 * 1024 * 1024
# A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out,
# whatever its socket says (docs/decisions.md: "A pooled connection is pinged when ...").
PING_IDLE_SECONDS = 30.0
# Where a pooled connection's record keeps when it was last returned (cleared with the
# connection when SQLAlchemy replaces it, so a new connection is never pinged).
_RETURNED = "callplane_returned_at"


def is_sqlite(url: str) -> bool:
    """True for a SQLite URL."""
    return url.startswith("sqlite")


def set_sqlite_pragmas(dbapi_conn: Any, *, busy_ms: int) -> None:
    """The settings every SQLite connection of the service runs with, on a new connection."""
    # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    cursor.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine with per-dialect settings that the service relies on."""
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            set_sqlite_pragmas(dbapi_conn, busy_ms=30_000)

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_async_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        ping_when_needed(engine, idle_seconds=PING_IDLE_SECONDS)
    return engine


def ping_when_needed(engine: AsyncEngine, *, idle_seconds: float) -> None:
    """Ping a pooled connection at checkout only when it may be dead: its socket has something
    to read (the server closed it or spoke while it sat idle) or it sat idle `idle_seconds`.
    SQLAlchemy's pre-ping pinged every checkout: a round trip per unit of work."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(dbapi_conn: Any, record: Any) -> None:
        if dbapi_conn is not None:
            record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None:  # a new connection
            return
        # Polling the socket is a system call: spared when the idle time calls for a ping anyway.
        if time.monotonic() - returned < idle_seconds and not _has_unread(
            dbapi_conn, dialect.loaded_dbapi.Error
        ):
            return
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_conn, None):
                # The pool replaces the connection and hands out the new one.
                raise DisconnectionError(str(exc)) from exc
            raise


def _has_unread(dbapi_conn: Any, driver_error: type[Exception]) -> bool:
    """True when an idle connection's socket is readable or closed: a live one that is not in a
    query has nothing to say, a terminated one has its FATAL message or end of file waiting."""
    try:
        poller = select.poll()
        poller.register(dbapi_conn.driver_connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError, AttributeError, driver_error):  # no socket: the ping decides
        return True


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that never expire loaded objects on commit (services keep using them), and that
    apply their row-level-security scope to every transaction they begin (`db.rls`)."""
    from callplane.db.rls import ScopedSession

    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=True, sync_session_class=ScopedSession
    )
