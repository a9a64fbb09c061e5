"""Job run and credential health shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from callplane.connections.models import Connection, ConnectionStatus
from callplane.connections.schemas import HealthOut
from callplane.jobs.models import RECONCILING, JobRun
from callplane.schemas import JsonUUID, StrictModel
from callplane.tenants.models import Tenant
from callplane.twilio.factory import TwilioCredentials


class ReconcileRequest(StrictModel):
    """`POST /v1/reconcile`."""

    dry_run: bool = False
    tenant_id: JsonUUID | None = Field(default=None, description="Only this tenant's numbers")
    wait: bool = Field(
        default=True,
        description="Answer when the run is done (200); false answers at once (202) and the run "
        "goes on in the background (see GET /v1/reconcile/runs/{id})",
    )


class ReconcileSummary(BaseModel):
    """What a run found and did (more counters than these may follow)."""

    model_config = ConfigDict(extra="allow")

    tenants_checked: int = 0
    tenants_failed: int = 0
    drift_released: int = 0
    bulk_released: int = 0
    orphans: int = 0
    adopted: int = 0
    rewired: int = 0
    duration_ms: int = 0


class RunOut(BaseModel):
    """A job run."""

    id: uuid.UUID
    job: str
    trigger: str
    slot: str | None = None
    dry_run: bool
    tenant_id: uuid.UUID | None = None
    status: str
    attempts: int
    executor: str | None = None
    started_at: datetime
    finished_at: datetime | None = None
    summary: dict[str, Any]
    orphans: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    error: str | None = None

    @classmethod
    def from_model(cls, run: JobRun) -> RunOut:
        """The public view of a run."""
        summary: dict[str, Any] = dict(run.summary or {})
        if run.job in RECONCILING:
            summary = ReconcileSummary(**summary).model_dump()
        return cls(
            id=run.id,
            job=run.job,
            trigger=run.trigger,
            slot=run.slot,
            dry_run=run.dry_run,
            tenant_id=run.scope_tenant_id,
            status=run.status,
            attempts=run.attempts,
            executor=run.executor,
            started_at=run.started_at,
            finished_at=run.finished_at,
            summary=summary,
            orphans=list(run.orphans or []),
            failures=list((run.progress or {}).get("failures") or []),
            error=run.error,
        )


class ConnectionHealthOut(BaseModel):
    """One tenant's connection and its last health check."""

    tenant_id: uuid.UUID
    slug: str
    model: str
    account_sid: str | None
    status: str
    health: HealthOut

    @classmethod
    def from_model(
        cls, tenant: Tenant, conn: Connection | None, platform: TwilioCredentials | None
    ) -> ConnectionHealthOut:
        """A tenant's connection and its last check (a tenant without one: its default master
        connection, not checked yet)."""
        if conn is None:
            return cls(
                tenant_id=tenant.id,
                slug=tenant.slug,
                model="master",
                account_sid=platform.account_sid if platform else None,
                status=ConnectionStatus.active if platform else ConnectionStatus.pending,
                health=HealthOut(status="NOT_CONFIGURED"),
            )
        return cls(
            tenant_id=tenant.id,
            slug=tenant.slug,
            model=conn.model,
            account_sid=conn.account_sid,
            status=conn.status,
            health=HealthOut.from_model(conn),
        )


class HealthListOut(BaseModel):
    """Every tenant's connection health, with counts per status."""

    data: list[ConnectionHealthOut]
    next_cursor: str | None = None
    summary: dict[str, int]
