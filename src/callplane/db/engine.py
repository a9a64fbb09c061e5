"""Async engine and session factory for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
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
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that never expire loaded objects on commit (services keep using them), and that
    apply their row-level-security scope to every transaction they begin (`db.rls`)."""
    from callplane.db.rls import ScopedSession

    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=True, sync_session_class=ScopedSession
    )
