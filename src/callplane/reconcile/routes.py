"""Platform job routes: `POST /v1/reconcile`, `GET /v1/reconcile/runs`, `GET /v1/health/connections`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from callplane.deps import PlatformActor, UoW
from callplane.errors import NotFound
from callplane.reconcile import health, jobs, service
from callplane.reconcile.schemas import (
    ConnectionHealthOut,
    HealthListOut,
    ReconcileRequest,
    RunOut,
    run_out,
)
from callplane.schemas import ERROR_RESPONSES, ListOf
from callplane.tenants.models import Tenant

router = APIRouter(prefix="/v1", tags=["jobs"], responses=ERROR_RESPONSES)


@router.post(
    "/reconcile",
    response_model=RunOut,
    responses={202: {"model": RunOut, "description": "Started; runs in the background"}},
)
async def reconcile(body: ReconcileRequest, actor: PlatformActor, uow: UoW) -> Any:
    """Reconcile Twilio and the database now (DESIGN section 8); `dry_run` changes nothing."""
    runtime = uow.runtime
    if body.tenant_id is not None and await uow.session.get(Tenant, body.tenant_id) is None:
        raise NotFound("tenant")
    run_id = await service.create_run(
        runtime, trigger="api", dry_run=body.dry_run, tenant_id=body.tenant_id
    )
    if body.wait:
        await service.execute_run(runtime, run_id, executor=jobs.executor_id() or "api")
        run = await service.get_run(runtime, run_id)
        assert run is not None
        return run_out(run)
    if await jobs.submit_reconcile(run_id) is None:
        jobs.spawn(service.execute_run(runtime, run_id, executor="api"), name=f"reconcile-{run_id}")
    run = await service.get_run(runtime, run_id)
    assert run is not None
    return JSONResponse(run_out(run).model_dump(mode="json"), status_code=202)


@router.get("/reconcile/runs", response_model=ListOf[RunOut])
async def list_runs(
    actor: PlatformActor,
    uow: UoW,
    job: Annotated[str | None, Query(pattern="^(reconcile|health|rewire)$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """Job runs, newest first (reconciliation, health, rewiring)."""
    rows, next_cursor = await service.last_runs(uow.runtime, job=job, cursor=cursor, limit=limit)
    return {"data": [run_out(r) for r in rows], "next_cursor": next_cursor}


@router.get("/reconcile/runs/{run_id}", response_model=RunOut)
async def get_run(run_id: uuid.UUID, actor: PlatformActor, uow: UoW) -> Any:
    """One job run."""
    run = await service.get_run(uow.runtime, run_id)
    if run is None:
        raise NotFound("job run")
    return run_out(run)


@router.get("/health/connections", response_model=HealthListOut)
async def connections_health(
    actor: PlatformActor,
    uow: UoW,
    check: Annotated[bool, Query(description="Check every connection now first")] = False,
) -> Any:
    """The last credential health of every tenant's connection (`check=true` checks them now)."""
    runtime = uow.runtime
    if check:
        run_id = await service.create_run(runtime, job="health", trigger="api")
        await health.execute_health_run(runtime, run_id, executor=jobs.executor_id() or "api")
    rows = await health.list_health(runtime)
    counts = dict.fromkeys(health.STATUSES, 0)
    for row in rows:
        counts[row["health"]["status"]] = counts.get(row["health"]["status"], 0) + 1
    return HealthListOut(
        data=[ConnectionHealthOut(**row) for row in rows], summary=counts, next_cursor=None
    )
