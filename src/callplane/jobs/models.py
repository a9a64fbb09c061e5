"""Job runs: one row per run of a job (reconciliation, credential health), kept as its record."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, synonym

from callplane.db.base import Base, IdMixin, utcnow

JOBS = ("reconcile", "health", "rewire", "retention", "sends")
# The jobs whose summary is a reconciliation's (`schemas.ReconcileSummary`).
RECONCILING = ("reconcile", "rewire")


class RunStatus(StrEnum):
    """A run is running until it succeeds or fails (a running run whose process died resumes)."""

    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class JobRun(IdMixin, Base):
    """A run of a job: its slot (scheduled runs), who ran it, and its summary.

    A scheduled run has the cron slot it belongs to (ISO 8601, UTC); `(job, slot)` is unique, so a
    slot has one run whatever the number of replicas. On-demand runs (API, CLI) have no slot.
    `progress` lets a run that was interrupted (its process died) be resumed where it stopped.
    Platform-owned: `scope_tenant_id` is the tenant a run was limited to, if any.
    """

    __tablename__ = "job_runs"
    __resource_name__ = "job run"
    __table_args__ = (
        UniqueConstraint("job", "slot"),
        Index("ix_job_runs_job_started", "job", "started_at"),
    )

    job: Mapped[str] = mapped_column(String(16))
    slot: Mapped[str | None] = mapped_column(String(40), default=None)
    trigger: Mapped[str] = mapped_column(String(16), default="schedule")  # schedule|api|cli
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    scope_tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.running)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    executor: Mapped[str | None] = mapped_column(String(120), default=None)
    workflow_id: Mapped[str | None] = mapped_column(String(200), default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    orphans: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(1000), default=None)
    # Lists page by (created_at, id); for runs that is when they started.
    created_at: Mapped[datetime] = synonym("started_at")
