"""PostgreSQL databases owned by the service's ordinary role, for the benchmarks and the tests.

The service runs as a role that is neither superuser nor BYPASSRLS and owns its database
(docs/operations.md), so that row-level security binds it: the benchmarks measure it, the tests
prove it.
"""

from __future__ import annotations

import uuid

import psycopg
from psycopg.conninfo import conninfo_to_dict

ROLE = "callplane_test_app"
ROLE_PASSWORD = "callplane-test-app"


def _libpq(url: str) -> str:
    """A SQLAlchemy `postgresql+psycopg://` URL as libpq takes it (others pass through)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def ensure_role(admin_url: str) -> None:
    """Create the service's ordinary role once per server (idempotent, race-safe)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone()
        if exists is None:
            try:
                conn.execute(
                    f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
                    f"NOCREATEROLE PASSWORD '{ROLE_PASSWORD}'"
                )
            except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
                pass  # another process made it meanwhile


def role_url(admin_url: str, database: str) -> str:
    """A sqlalchemy URL of `database` as the service's ordinary role."""
    parts = conninfo_to_dict(_libpq(admin_url))
    host = parts.get("host") or "127.0.0.1"
    port = parts.get("port") or "5432"
    return f"postgresql+psycopg://{ROLE}:{ROLE_PASSWORD}@{host}:{port}/{database}"


def create_database(admin_url: str, prefix: str) -> tuple[str, str]:
    """A new empty database owned by the service's role: (its URL as that role, its name)."""
    admin_url = _libpq(admin_url)
    ensure_role(admin_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" OWNER {ROLE}')
    return role_url(admin_url, name), name


def drop_database(admin_url: str, name: str) -> None:
    """Drop a database, disconnecting whoever is left."""
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
