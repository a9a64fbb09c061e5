"""Root conftest: fixtures live in tests/fixtures/, one module per area."""

pytest_plugins = [
    "tests.fixtures.logscan",
    "tests.fixtures.contract",
    "tests.fixtures.sandbox",
    "tests.fixtures.db",
    "tests.fixtures.api",
    "tests.fixtures.numbers",
    "tests.fixtures.gateway",
    "tests.fixtures.trunks",
    "tests.fixtures.jobs",
    "tests.fixtures.admin",
]
