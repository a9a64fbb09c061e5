"""Every migration upgrades and downgrades on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from callplane.db.engine import create_engine
from callplane.db.migrate import alembic_config, downgrade, upgrade
from callplane.db.models import Base
from tests.fixtures.db import drop_pg_database, make_pg_database


def _tables(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _walk(url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert len(script.get_heads()) == 1, "the migration history must have one head"
    for rev in revisions:
        upgrade(url, rev)
    assert set(Base.metadata.tables) <= _tables(url)
    for _ in revisions:
        downgrade(url, "-1")
    assert _tables(url) <= {"alembic_version"}
    upgrade(url)
    assert set(Base.metadata.tables) <= _tables(url)


def _in_thread(fn, *args):  # alembic's env runs its own event loop
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


def test_migrations_sqlite(tmp_path: Path) -> None:
    _in_thread(_walk, f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")


def test_migrations_postgres(postgres_admin_url: str) -> None:
    url, name = make_pg_database(postgres_admin_url)
    try:
        _in_thread(_walk, url)
    finally:
        drop_pg_database(postgres_admin_url, name)


@pytest.mark.parametrize("kind", ["sqlite"])
def test_models_match_migrations(tmp_path: Path, kind: str) -> None:
    """Autogenerate finds nothing to do: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = f"sqlite+aiosqlite:///{tmp_path / 'cmp.db'}"
    _in_thread(upgrade, url)

    async def diff() -> list:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
                )
        finally:
            await engine.dispose()

    assert _in_thread(lambda: asyncio.run(diff())) == []
