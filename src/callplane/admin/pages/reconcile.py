"""The reconciliation runs and a dry run on demand: `/admin/reconcile`."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from callplane.admin.web import failed, ok, page_router, platform_view, platform_write
from callplane.errors import ApiError
from callplane.jobs import engine as jobs
from callplane.jobs import runs
from callplane.jobs.schemas import RunOut
from callplane.log import get_logger

log = get_logger(__name__)
router = page_router()


@router.get("/reconcile")
async def reconcile_page(request: Request) -> Response:
    """The last reconciliation runs and their summaries."""
    ctx = await platform_view(request)
    rows, _ = await runs.last_runs(ctx.runtime, job="reconcile", cursor=None, limit=20)
    return ctx.render(
        "platform/reconcile.html",
        title="Reconciliation",
        section="reconcile",
        runs=[RunOut.from_model(r) for r in rows],
    )


@router.post("/reconcile")
async def reconcile_now(request: Request) -> Response:
    """Run a dry-run reconciliation now (changes nothing) and show what it found."""
    ctx = await platform_write(request)
    try:
        summary = await jobs.reconcile_now(ctx.runtime, trigger="admin", dry_run=True)
    except Exception as exc:  # noqa: BLE001 - the run records its failure; the page says so
        log.warning("admin dry run failed", error=type(exc).__name__)
        why = exc.message if isinstance(exc, ApiError) else type(exc).__name__
        return ctx.redirect("/admin/reconcile", failed(f"The dry run failed: {why}"))
    return ctx.redirect(
        "/admin/reconcile",
        ok(
            "Dry run finished (nothing was changed): "
            f"{summary.get('tenants_checked', 0)} tenants checked, "
            f"{summary.get('drift_released', 0)} would be released as drift, "
            f"{summary.get('orphans', 0)} orphans, {summary.get('adopted', 0)} to adopt, "
            f"{summary.get('rewired', 0)} to rewire."
        ),
    )
