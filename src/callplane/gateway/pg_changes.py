"""PostgreSQL: when what the API keeps between changes changed (db/changes.py).

One connection per process listens on `changes.CHANNEL`; every notification, and every commit
this process makes that wrote a watched table (`changes.committed`), moves the version on. While the connection is not listening (at start,
after it was lost, until it listens again) there is no version: nothing is kept, every request
reads, as before. Notifications already received are taken before each version is given (a
non-blocking read of the socket), so a change committed elsewhere is seen as soon
as its notification has arrived, not when the event loop next gets to the listener.

A connection can die without a word (a half-open TCP connection across a network), or not
carry notifications at all (a pooler in transaction mode hands LISTEN to a server connection
that then serves others): every `BEAT_SECONDS` the listener notifies itself, and a beat that
has not come back by the next one counts as the connection lost (TCP keepalives help too).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from callplane.db import changes
from callplane.log import get_logger

log = get_logger(__name__)
RETRY_SECONDS = (0.2, 1.0, 5.0)  # between attempts to listen again, the last one repeated
BEAT_SECONDS = 5.0
BEAT = "beat"  # the payload of the listener's own notification (changes carry none)
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}


class ChangeFeed:
    """The notifications of changes, as a version (see the module's docstring)."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = make_conninfo(conninfo, **KEEPALIVES)
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._notified = 0
        self._beating = False  # a statement in flight: its reads are psycopg's alone
        self._beats_sent = 0
        self._beats_back = 0
        self._closed = False

    def version(self) -> tuple[int, int] | None:
        """A token that changes with every change notified or committed by this process since
        the connection listens; None while it does not (nothing may be kept), and once closed."""
        if self._closed:
            return None
        self._ensure_started()
        conn = self._conn
        if conn is None:
            return None
        if not self._beating:
            try:
                # Non-blocking reads of whatever has arrived; twice, as a connection closed by
                # the server ends with a message (read by the first) and then nothing (which
                # only a second read finds: the connection is lost).
                conn.pgconn.consume_input()
                conn.pgconn.consume_input()
                while (notify := conn.pgconn.notifies()) is not None:
                    self._count(notify.extra)
            except psycopg.Error:  # lost: the listening task finds out and listens again
                self._lost()
                return None
        return self._notified, changes.commits()

    def _count(self, payload: bytes | str) -> None:
        if payload in (BEAT, BEAT.encode()):
            self._beats_back += 1
        else:
            self._notified += 1

    def _ensure_started(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._loop is not loop:
            self._cancel()  # a listener left in another loop (tests run apps in several)
            self._loop = loop
            self._conn = None
            self._task = loop.create_task(self._listen(), name="callplane-change-feed")

    def _lost(self) -> None:
        self._conn = None
        self._notified += 1

    async def _listen(self) -> None:
        attempt = 0
        while True:
            conn: psycopg.AsyncConnection[Any] | None = None
            try:
                conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
                await conn.execute(f"LISTEN {changes.CHANNEL}")
                self._notified += 1  # whatever was kept before listening is not to be trusted
                self._conn = conn
                self._beats_sent = self._beats_back = 0
                attempt = 0
                while True:
                    async for notify in conn.notifies(timeout=BEAT_SECONDS):
                        self._count(notify.payload)
                    await self._beat(conn)
            except (psycopg.Error, TimeoutError) as exc:
                log.warning("change notifications lost; nothing is kept", error=str(exc))
            finally:
                if self._conn is conn:
                    self._lost()
                if conn is not None:
                    with contextlib.suppress(psycopg.Error):
                        await conn.close()
            await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1

    async def _beat(self, conn: psycopg.AsyncConnection[Any]) -> None:
        """Notify ourselves (a round trip: it fails, or times out, on a dead connection), once
        the previous beat came back (`_count`); TimeoutError when it did not."""
        if self._beats_back < self._beats_sent:
            raise TimeoutError("the last heartbeat did not come back")
        self._beats_sent += 1
        self._beating = True
        try:
            await asyncio.wait_for(
                conn.execute(f"NOTIFY {changes.CHANNEL}, '{BEAT}'"), BEAT_SECONDS
            )
        finally:
            self._beating = False

    async def close(self) -> None:
        """Stop listening (also when the listener runs in another event loop: it is cancelled
        there, rather than left retrying for the life of the process). A request served after
        this (an app used without its lifespan) keeps nothing and starts no listener."""
        self._closed = True
        task = self._cancel()
        if task is not None and self._loop is asyncio.get_running_loop():
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _cancel(self) -> asyncio.Task[None] | None:
        """Cancel the listening task, in its own loop (the task's methods are not thread-safe)."""
        task, self._task = self._task, None
        self._conn = None
        loop = self._loop
        if task is None or loop is None:
            return task
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is running:
            task.cancel()
        else:
            with contextlib.suppress(RuntimeError):  # its loop closed: nothing runs it any more
                loop.call_soon_threadsafe(task.cancel)
        return task
