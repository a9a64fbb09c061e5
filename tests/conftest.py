"""Root conftest: fixtures live in tests/fixtures/, one module per area."""

import pytest

pytest_plugins = [
    "tests.fixtures.logscan",
    "tests.fixtures.dns",
    "tests.fixtures.contract",
    "tests.fixtures.sandbox",
    "tests.fixtures.db",
    "tests.fixtures.api",
    "tests.fixtures.numbers",
    "tests.fixtures.gateway",
    "tests.fixtures.trunks",
    "tests.fixtures.jobs",
    "tests.fixtures.admin",
    "tests.fixtures.clients",
    "tests.fixtures.providers",
    "tests.fixtures.events",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres_only` do not exist on SQLite, nor `sqlite_only` ones on PostgreSQL
    (deselected, not skipped)."""
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        database = params.get("database_url")
        if (item.get_closest_marker("postgres_only") and database == "sqlite") or (
            item.get_closest_marker("sqlite_only") and database not in (None, "sqlite")
        ):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
