"""The credential health of every connection, and a check on demand: `/admin/health`."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from callplane.admin import reports
from callplane.admin.web import failed, ok, page_router, platform_view, platform_write
from callplane.errors import ApiError
from callplane.jobs import engine as jobs
from callplane.jobs.health import STATUSES
from callplane.log import get_logger

log = get_logger(__name__)
router = page_router()


@router.get("/health")
async def health_page(request: Request) -> Response:
    """The credential health of every tenant's connection."""
    ctx = await platform_view(request)
    board = await reports.health_board(ctx.runtime)
    return ctx.render(
        "platform/health.html",
        title="Credential health",
        section="health",
        rows=board.rows,
        counts=board.counts,
    )


@router.post("/health")
async def health_now(request: Request) -> Response:
    """Check every connection's credentials now."""
    ctx = await platform_write(request)
    try:
        summary = await jobs.check_health_now(ctx.runtime, trigger="admin")
    except Exception as exc:  # noqa: BLE001 - the run records its failure; the page says so
        log.warning("admin health check failed", error=type(exc).__name__)
        why = exc.message if isinstance(exc, ApiError) else type(exc).__name__
        return ctx.redirect("/admin/health", failed(f"The health check failed: {why}"))
    parts = ", ".join(f"{summary[s]} {s}" for s in STATUSES if summary.get(s))
    checked = summary.get("connections", 0)
    return ctx.redirect(
        "/admin/health",
        ok(
            f"Checked {checked} connection{'' if checked == 1 else 's'} now"
            + (f": {parts}." if parts else ".")
        ),
    )
