"""What the HTTP boundary answers before (or instead of) a route: a NUL character in a path or
query string (422 `nul_character`, the code request bodies get from `schemas.StrictModel`), and
the methods a path allows (the `Allow` header of a 405)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from callplane.middleware import send_error
from callplane.schemas import NUL, NUL_CHARACTER

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# Twilio's webhooks are the gateway's to judge: it records them whatever they hold.
WEBHOOKS_PREFIX = "/webhooks/"


def _nul_part(scope: Scope) -> str | None:
    """`path` or `query` when that part of the request decodes to a NUL, else None."""
    path: str = scope.get("path", "")
    if NUL in path:
        return "path"
    query: bytes = scope.get("query_string", b"")
    # A query string decodes to a NUL only from `%00` (or a raw NUL byte).
    if b"%00" in query or b"\x00" in query:
        return "query"
    return None


class RefuseNul:
    """422 `nul_character` for a NUL in the path or query of an API or console request
    (PostgreSQL text cannot hold one: without this a lookup by it was a 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("path", "").startswith(WEBHOOKS_PREFIX):
            part = _nul_part(scope)
            if part is not None:
                error = {
                    "code": NUL_CHARACTER,
                    "message": f"the {part} holds a NUL character (U+0000)",
                    "fields": [{"field": part, "type": NUL_CHARACTER}],
                }
                await send_error(send, 422, error)
                return
        await self.app(scope, receive, send)


def allowed_methods(request: Request) -> str:
    """Every method some route of the app answers at this path (for a 405's `Allow`)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )
