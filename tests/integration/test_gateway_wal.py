"""The gateway's SQLite WAL stays bounded: under steady writes (a checkpoint never catches up
with writes that do not pause) its file is started over once it outgrows WAL_SIZE_LIMIT, and
after writes pause it is emptied, with every write kept."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Connection

from callplane.gateway import store as store_module
from callplane.gateway.store import GatewayStore

pytestmark = pytest.mark.sqlite_only

LIMIT = 256 * 1024
ROW = 3000  # bytes: a page of WAL per write at least


def _wal(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def _insert(conn: Connection) -> None:
    conn.exec_driver_sql("INSERT INTO notes (body) VALUES (?)", (os.urandom(ROW),))


async def _idle_checkpoint_done(store: GatewayStore) -> None:
    for _ in range(200):
        await asyncio.sleep(0.02)
        if store._idle is None and store._checkpointing is None:
            return
    raise AssertionError("no checkpoint after the writes paused")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(store_module, "WAL_SIZE_LIMIT", LIMIT)
    monkeypatch.setattr(store_module, "CHECKPOINT_EVERY", 20)
    monkeypatch.setattr(store_module, "CHECKPOINT_IDLE", 0.1)
    path = tmp_path / "wal.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
    conn.close()  # the last connection: the table is in the database file
    return path


async def test_the_wal_stays_bounded_under_steady_writes(database: Path) -> None:
    store = GatewayStore(f"sqlite+aiosqlite:///{database}")
    reader = sqlite3.connect(database)  # as the API reads beside the gateway
    writes, largest = 3000, 0
    try:
        for i in range(writes):
            await store.write(_insert)
            if i % 25 == 0:
                assert reader.execute("SELECT count(*) FROM notes").fetchone()[0] == i + 1
            largest = max(largest, _wal(database))
            await asyncio.sleep(0.0005)  # steady, never the idle pause
        # Never started over, the WAL would hold every write: ~12 MB.
        assert largest < 8 * LIMIT
        assert reader.execute("SELECT count(*) FROM notes").fetchone()[0] == writes
    finally:
        reader.close()
        await store.close()


def _restarts(result: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "callplane_sqlite_wal_start_over_total", {"mode": "restart", "result": result}
        )
        or 0.0
    )


async def test_the_wal_starts_over_while_writes_never_pause(database: Path) -> None:
    # Writes back to back, as under a saturating burst of webhooks: the loop holds the write
    # lock nearly all the time. The loop's writes wait while the checkpoint restarts the WAL,
    # so that no restart finds the lock taken (each would leave the WAL to grow).
    store = GatewayStore(f"sqlite+aiosqlite:///{database}")
    done, busy = _restarts("done"), _restarts("busy")
    try:
        for _ in range(3000):
            await store.write(_insert)
            await asyncio.sleep(0)
        assert _restarts("done") - done >= 3
        assert _restarts("busy") - busy == 0
        with sqlite3.connect(database) as reader:
            assert reader.execute("SELECT count(*) FROM notes").fetchone()[0] == 3000
    finally:
        await store.close()


async def test_after_writes_pause_the_wal_is_emptied(database: Path, tmp_path: Path) -> None:
    store = GatewayStore(f"sqlite+aiosqlite:///{database}")
    try:
        for _ in range(15):  # fewer than CHECKPOINT_EVERY: only the pause checkpoints them
            await store.write(_insert)
        await _idle_checkpoint_done(store)
        assert _wal(database) == 0  # emptied
        # Every write was copied into the database file: it holds them without its WAL.
        alone = tmp_path / "alone.db"
        shutil.copyfile(database, alone)
        with sqlite3.connect(alone) as copy:
            assert copy.execute("SELECT count(*) FROM notes").fetchone()[0] == 15
        await store.write(_insert)  # starts the WAL over, from its first frame
        with sqlite3.connect(database) as other:
            _busy, frames, _copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            assert 0 < frames <= 4
            assert other.execute("SELECT count(*) FROM notes").fetchone()[0] == 16
    finally:
        await store.close()


async def test_a_wal_grown_by_a_burst_is_cut_back(database: Path) -> None:
    store = GatewayStore(f"sqlite+aiosqlite:///{database}")
    try:
        # A burst while a reader holds its snapshot: no checkpoint can start the WAL over.
        holder = sqlite3.connect(database)
        holder.execute("BEGIN")
        holder.execute("SELECT count(*) FROM notes").fetchone()
        for _ in range(400):
            await store.write(_insert)
        grown = _wal(database)
        assert grown > 4 * LIMIT
        holder.rollback()
        holder.close()
        await _idle_checkpoint_done(store)
        await store.write(_insert)
        assert _wal(database) <= LIMIT
    finally:
        await store.close()
