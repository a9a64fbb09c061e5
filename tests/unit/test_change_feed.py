"""The PostgreSQL change feed's version (gateway/pg_changes.py): it moves with every change
notified and every commit of this process, not with its own heartbeats, and there is none
while the connection is not listening."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import psycopg
import pytest

from callplane.db import changes
from callplane.gateway.pg_changes import BEAT, ChangeFeed


@dataclass
class _Notify:
    extra: bytes


@dataclass
class _PgConn:
    arrived: list[bytes] = field(default_factory=list)
    queued: list[bytes] = field(default_factory=list)
    dead: bool = False

    def consume_input(self) -> None:
        if self.dead:
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        self.queued += self.arrived
        self.arrived.clear()

    def notifies(self) -> _Notify | None:
        return _Notify(self.queued.pop(0)) if self.queued else None


@dataclass
class _Conn:
    pgconn: _PgConn


def _feed(conn: _Conn | None) -> ChangeFeed:
    feed = ChangeFeed("postgresql://unused")
    feed._loop = asyncio.get_running_loop()
    feed._task = asyncio.get_running_loop().create_future()  # type: ignore[assignment]
    feed._conn = conn  # type: ignore[assignment]
    return feed


async def test_the_version_follows_notifications_and_this_process_commits() -> None:
    assert _feed(None).version() is None  # not listening: nothing may be kept
    pg = _PgConn()
    feed = _feed(_Conn(pg))
    first = feed.version()
    assert first is not None and feed.version() == first
    pg.arrived.append(BEAT.encode())  # the listener's own heartbeat changes nothing
    assert feed.version() == first
    pg.arrived.append(b"")  # a change elsewhere, notified
    second = feed.version()
    assert second != first and feed.version() == second
    changes.committed()  # a commit of this process counts at once
    third = feed.version()
    assert third not in (first, second)
    pg.dead = True  # lost: nothing kept until it listens again, and then at a new version
    assert feed.version() is None
    feed._conn = _Conn(_PgConn())  # type: ignore[assignment]
    assert feed.version() not in (None, first, second, third)


async def test_a_heartbeat_that_does_not_come_back_loses_the_connection() -> None:
    sent: list[str] = []

    class _Beating(_Conn):
        async def execute(self, sql: str) -> None:
            sent.append(sql)

    conn = _Beating(_PgConn())
    feed = _feed(conn)
    await feed._beat(conn)  # type: ignore[arg-type]
    assert sent == [f"NOTIFY callplane_changed, '{BEAT}'"]
    # A pooler in transaction mode (or a dead peer): the beat never comes back.
    with pytest.raises(TimeoutError):
        await feed._beat(conn)  # type: ignore[arg-type]
    conn.pgconn.arrived.append(BEAT.encode())
    assert feed.version() is not None  # the beat, read with whatever else arrived
    await feed._beat(conn)  # type: ignore[arg-type]
    assert len(sent) == 2


async def test_closing_stops_a_listener_in_another_loop_and_starts_none_again() -> None:
    """A test app's listener, left in the event loop of a thread that outlives the app, was
    retrying against a dropped database for the rest of the process."""
    import threading

    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        started = threading.Event()

        async def listening() -> None:
            started.set()
            await asyncio.sleep(3600)

        task = asyncio.run_coroutine_threadsafe(_spawn(listening), other).result(5)
        assert started.wait(5)
        feed = ChangeFeed("postgresql://unused")
        feed._loop, feed._task = other, task
        await feed.close()
        for _ in range(100):
            if task.done():
                break
            await asyncio.sleep(0.01)
        assert task.cancelled()
        assert feed.version() is None  # closed: nothing kept, no listener started here
        assert feed._task is None
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(5)
        other.close()


async def _spawn(coro: object) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(coro())  # type: ignore[operator]
