"""The hot path's own database access, tuned per database.

The gateway's reads and writes are a handful of indexed statements per batch (see `lookup` and
`recorder`), written once as synchronous functions of a SQLAlchemy `Connection`, and run:

- on SQLite, right on the event loop, with the stdlib driver. In WAL mode a reader never waits
  for a writer and an indexed lookup takes tens of microseconds; a batch of inserts and its
  commit, well under a millisecond. A thread hop would cost more than that, and a worker thread
  needing the GIL back after each driver call waits up to the interpreter's switch interval
  (5 ms) each time while the loop is busy: a convoy that stretched a flush to 5-200 ms. Writes
  try to take the write lock without waiting (`BEGIN IMMEDIATE` with no busy timeout); when
  another connection holds it (an API request mid-transaction), the batch goes to a thread that
  waits for the lock there, never on the loop. The keyed reads (`fetch`, `select`) skip
  SQLAlchemy's execution there too: compiled once, run on the driver's connection
  (lite_direct.py).
- on PostgreSQL, the keyed reads (`fetch`) and the events' one-statement write (`execute_pg`)
  on psycopg's own connections (pg_direct.py), the multi-statement transactions (status
  callbacks, the endpoints worker) on an async engine of its own (`AsyncConnection.run_sync`):
  the statements await the network on the loop, no threads at all. Reads run in autocommit (no
  transaction to begin or roll back) unless confined to a tenant's scope.

Same database, same models, same Core statements as the rest of the service; the pools are the
gateway's own, so a burst of webhooks never waits behind API requests (or the reverse). The API's
hottest reads (who calls, the tenant, a page of numbers) use it too (`fetch`, and answers kept
on SQLite: `Kept`): a few indexed statements that cost more through the async ORM (a thread hop
per statement on SQLite) than they do to run.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from prometheus_client import Counter
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import StaticPool

from callplane.db import rls
from callplane.db.engine import WAL_SIZE_LIMIT, set_sqlite_pragmas
from callplane.db.engine import create_engine as create_async_engine
from callplane.gateway.lite_direct import LiteStatement
from callplane.gateway.pg_changes import ChangeFeed
from callplane.gateway.pg_direct import PgDirect, Query, conninfo
from callplane.log import get_logger

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
log = get_logger(__name__)
WAL_STARTS_OVER = Counter(
    "callplane_sqlite_wal_start_over_total",
    "Checkpoints that start the SQLite WAL over (restart, truncate): done, or busy (a writer "
    "or a reader in the WAL at that moment; tried again later)",
    ["mode", "result"],
)
CHECKPOINT_EVERY = 200  # inline write batches between two background WAL checkpoints
WAIT_MS = 30_000  # how long a write in the thread waits for the lock, as the service's do
CHECKPOINT_IDLE = 1.0  # seconds without a write before the last writes are checkpointed


def sync_url(async_url: str) -> str:
    """The stdlib SQLite driver's URL for a configured (aiosqlite) SQLite URL."""
    url = make_url(async_url)
    return url.set(drivername="sqlite").render_as_string(hide_password=False)


class GatewayStore:
    """Runs the gateway's batch functions `fn(connection)` against the database."""

    def __init__(self, database_url: str) -> None:
        self.dialect_name = make_url(database_url).get_backend_name()
        self._thread: ThreadPoolExecutor | None = None
        self._writes = 0
        self._checkpointing: asyncio.Future[Any] | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._last_write = 0.0  # the loop's time of the last inline write
        self._restarting = False  # the checkpoint thread holds the write lock (RESTART, TRUNCATE)
        self._writes_wait_for: asyncio.Future[Any] | None = None  # a RESTART (`_restart`)
        self._closing = False
        self._path = ""
        self._loop_dbapi: Any = None
        self._held: Connection | None = None
        self._kept: dict[str, Kept[Any, Any]] = {}
        if self.dialect_name == "sqlite":
            url = sync_url(database_url)
            self._path = make_url(url).database or ""  # the file the checkpoints sync
            # The loop's own connection (one, used only from the event loop thread): it never
            # waits for a lock, and its commits never checkpoint (copy the WAL into the
            # database file, with fsyncs): a thread does that every CHECKPOINT_EVERY writes.
            loop = _sqlite_engine(url, busy_ms=0, autocheckpoint=False, single=True)
            event.listen(loop, "connect", self._loop_connected)
            event.listen(loop, "invalidate", self._loop_lost)
            event.listen(loop, "close", self._loop_closed)
            # In a thread: wait for the lock like the rest of the service does.
            wait = _sqlite_engine(url, busy_ms=WAIT_MS)
            self._engines = [loop, wait]
            # Autocommit: the driver issues no BEGIN of its own; transactions are explicit.
            self._loop = loop.execution_options(isolation_level="AUTOCOMMIT")
            self._wait = wait.execution_options(isolation_level="AUTOCOMMIT")
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callplane-gateway")
        else:
            # No ping before each use (one round trip per batch): a connection found dead fails
            # its batch once, is replaced, and the batch's events are retried one by one.
            # Platform scope for the life of each connection (row-level security, db/rls.py):
            # the gateway finds a number before it knows the tenant, and records the events of
            # many tenants in one transaction. The setting travels in the startup packet, so it
            # costs no round trip; this pool serves the gateway and nothing else.
            self._async: AsyncEngine = create_async_engine(
                database_url,
                pool_size=5,
                max_overflow=5,
                pool_pre_ping=False,
                # Generic plans: the route lookup joins six tables, and planning it afresh for
                # each batch (a custom plan per execution, as PostgreSQL chooses for an array
                # parameter) cost ~1.2 ms of the server's CPU against ~0.1 ms to run it. The
                # gateway's statements are all keyed lookups and claims by index; the endpoints
                # pass, which takes rows from a growing table, plans afresh (db/plans.py).
                connect_args=rls.platform_options(
                    {"options": "-c plan_cache_mode=force_generic_plan"}
                ),
            )
            self._autocommit = self._async.execution_options(isolation_level="AUTOCOMMIT")
            self._direct = PgDirect(database_url, options="-c plan_cache_mode=force_generic_plan")
            self._changes = ChangeFeed(conninfo(database_url))

    def _loop_connected(self, dbapi_conn: Any, _record: Any) -> None:
        self._loop_dbapi = dbapi_conn

    def _loop_lost(self, _dbapi_conn: Any, _record: Any, _exc: Any) -> None:
        self._loop_dbapi = None

    def _loop_closed(self, dbapi_conn: Any, _record: Any) -> None:
        if dbapi_conn is self._loop_dbapi:
            self._loop_dbapi = None

    def version(self) -> tuple[int, int] | None:
        """A token that changes whenever another connection (the API, a job, another process)
        commits to the database: SQLite's `PRAGMA data_version` on the gateway's own loop
        connection (whose own writes, the events, do not count). None on PostgreSQL."""
        if self.dialect_name != "sqlite":
            return None
        # The driver's own call on the loop's one connection (asked per batch and per API
        # request: a few µs, where a SQLAlchemy connection's checkout, begin and rollback around
        # it cost ~100). Only the loop uses that connection, and never across an await.
        dbapi = self._driver()
        return id(dbapi), int(dbapi.execute("PRAGMA data_version").fetchone()[0])

    def kept_version(self) -> Any:
        """The version `Kept` answers are kept at: SQLite's `version()`; on PostgreSQL the
        notifications of changes to the kept tables and this process's commits that wrote them
        (gateway/pg_changes.py, db/changes.py); None while nothing may be kept."""
        if self.dialect_name == "sqlite":
            return self.version()
        return self._changes.version()

    @contextmanager
    def _on_loop(self) -> Iterator[Connection]:
        """The loop's SQLAlchemy connection, held between uses: a checkout and return per
        batch (the isolation level set and reset each time) was a fifth of a write's CPU.
        After an error it is returned and the next use takes a fresh one."""
        conn = self._held
        if conn is None or conn.closed or conn.invalidated:
            if conn is not None:
                conn.close()
            conn = self._held = self._loop.connect()
        try:
            yield conn
        except BaseException:
            self._held = None
            conn.close()
            raise

    def _driver(self) -> Any:
        """The loop's one SQLite driver connection (only the loop uses it, never across an
        await)."""
        dbapi = self._loop_dbapi
        if dbapi is None:
            with self._on_loop() as conn:  # (re)connects the pool's connection
                dbapi = conn.connection.dbapi_connection
        return dbapi

    def kept(self, name: str, size: int) -> Kept[Any, Any]:
        """The answers kept under `name` (see `Kept`), made on first use."""
        found = self._kept.get(name)
        if found is None:
            found = self._kept[name] = Kept(self, size)
        return found

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """`fn` on a connection outside any transaction (it sees every committed change)."""
        if self.dialect_name == "sqlite":
            try:
                with self._on_loop() as conn:
                    return fn(conn)
            except OperationalError as exc:  # WAL recovery in progress: rare, wait elsewhere
                if not _locked(exc):
                    raise
            return await self._in_thread(_plain, fn)
        async with self._autocommit.connect() as aconn:
            return await aconn.run_sync(fn)

    async def fetch(
        self, query: Query, params: dict[str, Any], *, scope: rls.DbScope | None = None
    ) -> list[Any]:
        """The rows of one keyed read. On PostgreSQL on psycopg's own connections
        (pg_direct.py), confined to `scope` when given (the tenant's row-level security scope
        in the read's transaction: the second wall holds for these reads as for the API's
        sessions); on SQLite on the loop's driver connection (lite_direct.py), the statement
        filtering by tenant itself. Rows have the columns' names as attributes either way."""
        if self.dialect_name == "sqlite":
            return await self.select(query.lite, params)
        if scope is None:
            return await self._direct.fetch(query, params)
        return await self._direct.fetch_in(scope, query, params)

    async def select(self, statement: LiteStatement, params: Mapping[str, Any]) -> list[Any]:
        """SQLite only: the rows of a SELECT on the loop's driver connection, outside any
        transaction (it sees every committed change)."""
        try:
            return statement.run(self._driver(), params)
        except sqlite3.OperationalError as exc:  # WAL recovery in progress: rare, wait elsewhere
            if "locked" not in str(exc).lower():
                raise
        return await self._in_thread(
            _plain, lambda conn: list(conn.execute(statement.statement, params))
        )

    async def execute_pg(self, sql: str, params: dict[str, Any]) -> list[Any]:
        """PostgreSQL only: one statement in psycopg's own SQL, in autocommit (pg_direct.py)."""
        return await self._direct.execute(sql, params)

    async def write(self, fn: Callable[[Connection], T], *, single_statement: bool = False) -> T:
        """`fn` in one transaction, committed when it returns.

        `single_statement`: `fn` runs one statement, atomic on its own; PostgreSQL then runs it
        in autocommit, without the BEGIN and COMMIT round trips.
        """
        if self.dialect_name != "sqlite":
            if single_statement:
                async with self._autocommit.connect() as aconn:
                    return await aconn.run_sync(fn)
            async with self._async.begin() as aconn:
                return await aconn.run_sync(fn)
        if self._writes_wait_for is not None:
            await asyncio.wait([self._writes_wait_for])  # the WAL is starting over
        for _ in range(2):
            try:
                with self._on_loop() as conn:
                    result = _immediate_on(conn, fn)
            except OperationalError as exc:
                if not _locked(exc):
                    raise
                restart = self._checkpointing if self._restarting else None
                if restart is None:
                    break
                # Our own checkpoint holds the lock for a few milliseconds: wait for it here
                # (a write in the thread meanwhile would cost the GIL's convoy, see above).
                await asyncio.wait([restart])
            else:
                self._wrote()
                return result
        # Another connection is writing: wait for it in a thread, not on the loop.
        return await self._in_thread(_immediate, fn)

    async def _in_thread(self, how: Callable[..., T], fn: Callable[[Connection], T]) -> T:
        assert self._thread is not None
        return await asyncio.get_running_loop().run_in_executor(self._thread, how, self._wait, fn)

    def _wrote(self) -> None:
        """Count an inline write; every CHECKPOINT_EVERY writes, and once writes pause for
        CHECKPOINT_IDLE seconds, checkpoint the WAL in the thread."""
        self._writes += 1
        loop = asyncio.get_running_loop()
        self._last_write = loop.time()
        if self._writes >= CHECKPOINT_EVERY:
            self._start_checkpoint(paused=False)
        elif self._idle is None:
            self._idle = loop.call_at(self._last_write + CHECKPOINT_IDLE, self._on_idle)

    def _on_idle(self) -> None:
        loop = asyncio.get_running_loop()
        due = self._last_write + CHECKPOINT_IDLE
        if loop.time() < due or self._checkpointing is not None:  # not paused yet, or busy
            self._idle = loop.call_at(max(due, loop.time() + 0.1), self._on_idle)
            return
        self._idle = None
        if self._writes:
            self._start_checkpoint(paused=True)

    def _start_checkpoint(self, *, paused: bool) -> None:
        if self._checkpointing is not None:
            return  # the running one is followed by the next write's or the idle timer's
        self._writes = 0
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        self._checkpointing = asyncio.get_running_loop().run_in_executor(
            self._thread, self._checkpoint, paused
        )
        self._checkpointing.add_done_callback(self._checkpoint_done)

    def _checkpoint(self, paused: bool) -> bool:
        """Copy the WAL into the database file; when writes paused, empty it. True when it
        outgrew half of WAL_SIZE_LIMIT and should start over now (`_restart`).

        PASSIVE copies what it can without waiting for (or blocking) anyone, but not the frames
        written meanwhile: under steady writes the WAL was never wholly copied when a write
        began, never started over, and grew without bound (2.9 GB under the benchmark's
        webhooks), and every commit of the API's connections, past their autocheckpoint's 1,000
        pages, paid the backlog. When writes paused, TRUNCATE copies the rest and empties the
        file here, rather than leave cutting back a large file (tens of ms) to the next write,
        often an API request. It does not wait: when busy (a write, or a reader in the WAL right
        now), it is tried again next time.
        """
        with self._wait.connect() as conn:
            driver = conn.connection.dbapi_connection
            assert driver is not None
            _busy, frames, _copied = driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            page = driver.execute("PRAGMA page_size").fetchone()[0]
            if not paused:
                if frames * page < WAL_SIZE_LIMIT // 2:
                    return False
                self._before_restart(driver)
                return True
            self._start_over(driver, "TRUNCATE")
            return False

    def _before_restart(self, driver: Any) -> None:
        """What the RESTART would do while the loop's writes wait, done before: the pages
        copied so far written to disk, then what was written meanwhile copied and written too.
        The RESTART then copies and syncs only the last few milliseconds' pages: it held the
        writes 10-31 ms (growing with the database, whose pages the checkpoints had left to its
        own sync), 4-10 ms now (docs/benchmarks.md, eleventh pass)."""
        fd = os.open(self._path, os.O_RDONLY)
        try:
            os.fdatasync(fd)
            driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            os.fdatasync(fd)
        finally:
            os.close(fd)

    def _restart(self) -> None:
        """RESTART: copy the frames written since the last checkpoint, holding the write lock
        (a few ms with its fsyncs), so that the next write starts the WAL over from its first
        frame. The loop's writes wait meanwhile (`_writes_wait_for`): tried while they ran, with
        the loop writing most of the time under load, it found the lock taken nine times in ten;
        the WAL grew past 400 MB, and the write that finally started it over cut the file back
        to WAL_SIZE_LIMIT on the loop (~95 ms, the webhook's p99). Started over at half the
        limit, the file is reused within its size, neither extended nor cut back."""
        with self._wait.connect() as conn:
            driver = conn.connection.dbapi_connection
            assert driver is not None
            self._start_over(driver, "RESTART")

    def _start_over(self, driver: Any, mode: str) -> None:
        """`PRAGMA wal_checkpoint(mode)` (RESTART or TRUNCATE) without waiting for the lock:
        when taken, or a reader is in the WAL right now, it is busy (counted), tried again next
        time."""
        driver.execute("PRAGMA busy_timeout=0")
        self._restarting = True
        try:
            busy, _frames, _copied = driver.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
            WAL_STARTS_OVER.labels(mode=mode.lower(), result="busy" if busy else "done").inc()
        finally:
            self._restarting = False
            driver.execute(f"PRAGMA busy_timeout={WAIT_MS}")

    def _checkpoint_done(self, future: asyncio.Future[Any]) -> None:
        self._checkpointing = self._writes_wait_for = None
        if future.cancelled():
            return
        if future.exception() is not None:
            log.warning("WAL checkpoint failed", error=type(future.exception()).__name__)
        elif future.result() is True and self._thread is not None and not self._closing:
            # Run on the loop, between two of its writes: none holds the lock until it is done.
            restart = asyncio.get_running_loop().run_in_executor(self._thread, self._restart)
            self._checkpointing = self._writes_wait_for = restart
            restart.add_done_callback(self._checkpoint_done)

    async def close(self) -> None:
        """Close the connections (and the thread)."""
        if self.dialect_name == "sqlite":
            assert self._thread is not None
            if self._idle is not None:
                self._idle.cancel()
                self._idle = None
            self._closing = True
            while self._checkpointing is not None:
                await asyncio.wait([self._checkpointing])
            self._thread.shutdown(wait=True)
            if self._held is not None:
                self._held.close()
                self._held = None
            for engine in self._engines:
                engine.dispose()
            self._loop_dbapi = None
        else:
            await self._changes.close()
            await self._direct.close()
            await self._async.dispose()


class Kept(Generic[K, V]):
    """Answers kept between two changes of the database by anyone else (`kept_version`): on
    SQLite until another connection (the API's, a job's, another process's) commits anything;
    on PostgreSQL until one of `db.changes.WATCHED` changes (notified by a trigger, and at once
    by this process's commits that wrote one). The gateway's own connection writes only
    events, their outbox and deliveries, and recordings: what is kept here must be read from
    other tables (on PostgreSQL, from `db.changes.WATCHED`). Past `size` answers the keeping
    starts again (a flood of keys costs reads, never memory)."""

    def __init__(self, store: GatewayStore, size: int) -> None:
        self._store = store
        self._size = size
        self._version: Any = None
        self._answers: dict[K, V] = {}

    def version(self, now: Any = None) -> Any:
        """The database's version now (or `now`, the store's `kept_version()` just read for
        another `Kept` of the same request), answers kept at an older one dropped; None when nothing
        may be kept. Ask it right before `get`, and before reading what is then `put`."""
        version = self._store.kept_version() if now is None else now
        if version is None:
            return None
        if version != self._version:
            self._version = version
            self._answers.clear()
        return version

    def get(self, key: K) -> V | None:
        """The answer kept for `key` (valid right after `version`)."""
        return self._answers.get(key)

    def put(self, version: Any, key: K, value: V) -> None:
        """Keep `value`, read at `version`, unless the database changed since."""
        if version is None or self._store.kept_version() != version:
            return
        if len(self._answers) >= self._size:
            self._answers.clear()
        self._answers[key] = value

    async def through(self, key: K, build: Callable[[], Awaitable[V]]) -> V:
        """The answer kept for `key`, else `build()`'s, kept unless the database changed while
        it was built."""
        version = self.version()
        if version is not None and (value := self._answers.get(key)) is not None:
            return value
        value = await build()
        self.put(version, key, value)
        return value


def _plain(engine: Engine, fn: Callable[[Connection], T]) -> T:
    with engine.connect() as conn:
        return fn(conn)


def _immediate(engine: Engine, fn: Callable[[Connection], T]) -> T:
    """`_immediate_on` a connection of `engine`."""
    with engine.connect() as conn:
        return _immediate_on(conn, fn)


def _immediate_on(conn: Connection, fn: Callable[[Connection], T]) -> T:
    """`fn` in a `BEGIN IMMEDIATE` transaction: the write lock is taken first (or the attempt
    fails at once with "database is locked" when the engine does not wait), so nothing the
    function reads can change before it writes."""
    driver = conn.connection.dbapi_connection
    assert driver is not None
    try:
        driver.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
    try:
        result = fn(conn)
        driver.execute("COMMIT")
    except BaseException:
        driver.execute("ROLLBACK")
        raise
    return result


def _locked(exc: OperationalError) -> bool:
    orig = exc.orig
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig).lower()


def _sqlite_engine(
    url: str, *, busy_ms: int, autocheckpoint: bool = True, single: bool = False
) -> Engine:
    args = {"timeout": busy_ms / 1000, "check_same_thread": False}
    if single:
        engine = create_engine(url, poolclass=StaticPool, connect_args=args)
    else:
        engine = create_engine(url, pool_size=2, max_overflow=2, connect_args=args)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        set_sqlite_pragmas(dbapi_conn, busy_ms=busy_ms)
        if not autocheckpoint:
            dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")

    return engine
