"""Platform job routes: `POST /v1/reconcile`, `GET /v1/reconcile/runs`, `GET /v1/health/connections`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from callplane.deps import AppRuntime, PlatformActor, UoW
from callplane.errors import NotFound
from callplane.jobs import engine, health, runs
from callplane.jobs.models import JOBS
from callplane.jobs.reconcile.run import execute_run
from callplane.jobs.schemas import ConnectionHealthOut, HealthListOut, ReconcileRequest, RunOut
from callplane.schemas import ERROR_RESPONSES, ListOf
from callplane.tenants.models import Tenant

router = APIRouter(prefix="/v1", tags=["jobs"], responses=ERROR_RESPONSES)


@router.post(
    "/reconcile",
    response_model=RunOut,
    responses={202: {"model": RunOut, "description": "Started; runs in the background"}},
)
async def reconcile(
    body: ReconcileRequest, actor: PlatformActor, uow: UoW, runtime: AppRuntime
) -> Any:
    """Reconcile Twilio and the database now (DESIGN section 8); `dry_run` changes nothing."""
    if body.tenant_id is not None and await uow.session.get(Tenant, body.tenant_id) is None:
        raise NotFound("tenant")
    run_id = await runs.create_run(
        runtime, trigger="api", dry_run=body.dry_run, tenant_id=body.tenant_id
    )
    if body.wait:
        await execute_run(runtime, run_id, executor=engine.executor_id() or "api")
        run = await runs.get_run(runtime, run_id)
        assert run is not None
        return RunOut.from_model(run)
    if await engine.submit_reconcile(run_id) is None:
        engine.spawn(execute_run(runtime, run_id, executor="api"), name=f"reconcile-{run_id}")
    run = await runs.get_run(runtime, run_id)
    assert run is not None
    return JSONResponse(RunOut.from_model(run).model_dump(mode="json"), status_code=202)


@router.get("/reconcile/runs", response_model=ListOf[RunOut])
async def list_runs(
    actor: PlatformActor,
    runtime: AppRuntime,
    job: Annotated[str | None, Query(pattern="^(" + "|".join(JOBS) + ")$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """Job runs, newest first (reconciliation, health, rewiring)."""
    rows, next_cursor = await runs.last_runs(runtime, job=job, cursor=cursor, limit=limit)
    return {"data": [RunOut.from_model(r) for r in rows], "next_cursor": next_cursor}


@router.get("/reconcile/runs/{run_id}", response_model=RunOut)
async def get_run(run_id: uuid.UUID, actor: PlatformActor, runtime: AppRuntime) -> Any:
    """One job run."""
    run = await runs.get_run(runtime, run_id)
    if run is None:
        raise NotFound("job run")
    return RunOut.from_model(run)


@router.get("/health/connections", response_model=HealthListOut)
async def connections_health(
    actor: PlatformActor,
    runtime: AppRuntime,
    check: Annotated[bool, Query(description="Check every connection now first")] = False,
) -> Any:
    """The last credential health of every tenant's connection (`check=true` checks them now)."""
    if check:
        run_id = await runs.create_run(runtime, job="health", trigger="api")
        await health.execute_health_run(runtime, run_id, executor=engine.executor_id() or "api")
    rows = await health.list_health(runtime)
    counts = dict.fromkeys(health.STATUSES, 0)
    for row in rows:
        counts[row["health"]["status"]] = counts.get(row["health"]["status"], 0) + 1
    return HealthListOut(
        data=[ConnectionHealthOut(**row) for row in rows], summary=counts, next_cursor=None
    )
