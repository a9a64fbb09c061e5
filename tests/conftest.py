"""Root conftest: fixtures live in tests/fixtures/, one module per area."""

pytest_plugins = [
    "tests.fixtures.contract",
    "tests.fixtures.sandbox",
    "tests.fixtures.db",
    "tests.fixtures.api",
]
