"""Every SQLite connection of the service runs with the same settings: the API's (async
engine) and the gateway's own (the loop's driver connection, its writer thread's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text

from callplane.db.engine import MMAP_SIZE, WAL_SIZE_LIMIT, create_engine
from callplane.gateway import store as store_module
from callplane.gateway.store import GatewayStore

pytestmark = pytest.mark.sqlite_only

EXPECTED = {
    "journal_mode": "wal",
    "synchronous": 1,  # NORMAL
    "foreign_keys": 1,
    "journal_size_limit": WAL_SIZE_LIMIT,
    "mmap_size": MMAP_SIZE,
}


def _settings(read: Any) -> dict[str, Any]:
    return {name: read(f"PRAGMA {name}") for name in EXPECTED}


async def test_the_api_and_the_gateway_connect_with_the_same_settings(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'settings.db'}"
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            api = {
                name: (await conn.execute(text(f"PRAGMA {name}"))).scalar_one() for name in EXPECTED
            }
    finally:
        await engine.dispose()
    store = GatewayStore(url)
    try:
        driver = store._driver()
        loop = _settings(lambda sql: driver.execute(sql).fetchone()[0])

        def in_thread(conn: Connection) -> dict[str, Any]:
            return _settings(lambda sql: conn.exec_driver_sql(sql).scalar_one())

        # The engine the gateway's writes wait on when another connection holds the lock.
        thread = await store._in_thread(store_module._plain, in_thread)
    finally:
        await store.close()
    assert api == EXPECTED
    assert loop == EXPECTED
    assert thread == EXPECTED
