"""A bare Starlette app, served on the same uvicorn as callplane: the floor of the stack's cost.

uvicorn bench.bare:app --no-access-log --log-level warning
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def healthz(request: Request) -> JSONResponse:
    """What callplane's /healthz answers, and nothing else."""
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/healthz", healthz, methods=["GET"])])
