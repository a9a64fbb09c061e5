"""Job engine configuration: where DBOS keeps its state, replica identities, schedules."""

from __future__ import annotations

import pytest

from callplane.jobs import engine as jobs
from callplane.settings import Settings


def _settings(url: str, **kw: object) -> Settings:
    return Settings(database_url=url, **kw)  # type: ignore[arg-type]


def test_system_database_beside_the_service_database() -> None:
    assert jobs.system_database_url(_settings("sqlite+aiosqlite:///./callplane.db")) == (
        "sqlite:///callplane.dbos.db"
    )
    assert jobs.system_database_url(_settings("sqlite+aiosqlite:////var/lib/cp/data.sqlite")) == (
        "sqlite:////var/lib/cp/data.dbos.sqlite"
    )
    pg = "postgresql+psycopg://u:p@db:5432/callplane"
    assert jobs.system_database_url(_settings(pg)) == pg  # the `dbos` schema of the same database


def test_replica_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBOS__VMID", raising=False)
    # One process on SQLite: a stable id, so that a restart recovers its own workflows.
    assert jobs.new_executor_id(_settings("sqlite+aiosqlite:///x.db")) == "local"
    pg = _settings("postgresql+psycopg://u@h/db")
    a, b = jobs.new_executor_id(pg), jobs.new_executor_id(pg)
    assert a != b  # every replica its own (its liveness lock is named after it)
    monkeypatch.setenv("DBOS__VMID", "pod-7")
    assert jobs.new_executor_id(pg) == "pod-7"


def test_schedules_follow_the_settings() -> None:
    sqlite = jobs.schedules(
        _settings(
            "sqlite+aiosqlite:///x.db", reconcile_cron="5 4 * * *", retention_cron="1 2 * * *"
        )
    )
    assert [(s["schedule_name"], s["schedule"]) for s in sqlite] == [
        (jobs.RECONCILE_SCHEDULE, "5 4 * * *"),
        (jobs.HEALTH_SCHEDULE, "0 * * * *"),
        ("callplane-retention", "1 2 * * *"),
        ("callplane-sends", "25 * * * *"),
    ]
    pg = jobs.schedules(_settings("postgresql+psycopg://u@h/db"))
    assert [s["schedule_name"] for s in pg][-1] == jobs.RECOVERY_SCHEDULE


def test_liveness_keys_differ_per_replica() -> None:
    assert jobs._lock_key("host-1-aa") != jobs._lock_key("host-1-ab")
    assert -(2**31) <= jobs._lock_key("x") < 2**31
