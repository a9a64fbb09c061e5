"""The console's plumbing: templates, the request context, sign-in and CSRF checks, HTML errors.

A console request runs in one unit of work (`AdminRoute`); `viewer` gives a signed-in caller for
a GET page, `writer` checks the form's CSRF token before anything else (403 without it) and then
gives a signed-in caller for a POST. API errors become HTML pages with the same status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callplane import __version__
from callplane.admin.session import FLASH_COOKIE, Flash, Session, SessionManager
from callplane.db.rls import NO_SCOPE
from callplane.db.uow import UnitOfWork
from callplane.deps import actor_of_key, db_scope_of, get_runtime
from callplane.errors import ApiError, Unauthorized
from callplane.log import get_logger
from callplane.tenancy import Actor
from callplane.tenants.models import ApiKey

log = get_logger(__name__)

HERE = Path(__file__).parent
STATIC = {"admin.css": "text/css; charset=utf-8", "admin.js": "text/javascript; charset=utf-8"}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
KIND_LABELS = {
    "voice": "Call in",
    "outbound_call": "Call out",
    "sms": "SMS in",
    "outbound_sms": "SMS out",
}


def _utc(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(fmt) + " UTC"


def _ago(value: datetime | None) -> str:
    if value is None:
        return "never"
    seconds = int((datetime.now(UTC) - value.astimezone(UTC)).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"  # pragma: no cover


def _money(amount: str | None, unit: str | None) -> str:
    if not amount:
        return "—"
    symbol = {"USD": "$", "GBP": "£", "EUR": "€", "AUD": "A$", "CAD": "C$"}.get(unit or "", "")
    return f"{symbol}{amount}" if symbol else f"{amount} {unit or ''}".strip()


templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters.update(utc=_utc, ago=_ago, money=_money)
templates.globals.update(version=__version__, kind_labels=KIND_LABELS)


# -- request plumbing -------------------------------------------------------------------------


class LoginRequired(Exception):
    """No valid session: the page sends the browser to the sign-in form."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "")
        self.message = message


class CsrfRefused(Exception):
    """A POST without this session's CSRF token."""


def _manager(request: Request) -> SessionManager:
    state = request.app.state
    manager: SessionManager | None = getattr(state, "admin_sessions", None)
    if manager is None:
        runtime = get_runtime(request)
        manager = SessionManager(settings=runtime.settings, ring=runtime.secrets.ring)
        state.admin_sessions = manager
    return manager


@dataclass
class Ctx:
    """One console request: its unit of work, session, caller and form."""

    request: Request
    uow: UnitOfWork
    manager: SessionManager
    session: Session | None
    actor: Actor | None = None
    key: SimpleNamespace | None = None
    form: Mapping[str, Any] = field(default_factory=dict)

    @property
    def me(self) -> Actor:
        assert self.actor is not None
        return self.actor

    def render(self, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
        """A page, with this session's CSRF token and the flashes left for it."""
        flashes = self.manager.read_flashes(self.request) + values.pop("flashes", [])
        body = templates.get_template(template).render(
            actor=self.actor,
            key=self.key,
            csrf=self.session.csrf if self.session else "",
            flashes=flashes,
            path=self.request.url.path,
            **values,
        )
        response = HTMLResponse(body, status_code=status)
        if self.request.cookies.get(FLASH_COOKIE):
            self.manager.write_flashes(self.request, response, [])
        return response

    def redirect(self, url: str, *flashes: Flash) -> RedirectResponse:
        """303 to `url` (POST/redirect/GET) with messages for the next page."""
        response = RedirectResponse(url, status_code=303)
        self.manager.write_flashes(
            self.request, response, self.manager.read_flashes(self.request) + list(flashes)
        )
        return response


def ok(text: str) -> Flash:
    return Flash("success", text)


def failed(text: str) -> Flash:
    return Flash("error", text)


def _snapshot(row: Any, *fields: str) -> SimpleNamespace:
    """Plain values of a row: a service that rolls back expires its ORM objects, not these."""
    return SimpleNamespace(**{name: getattr(row, name) for name in fields})


async def _signed_in(ctx: Ctx) -> Ctx:
    session = ctx.session
    if session is None or not session.signed_in:
        raise LoginRequired()
    async with ctx.uow.platform_scope():  # the session names its key; its tenant comes next
        key = await ctx.uow.session.get(ApiKey, session.key_id)
    try:
        ctx.actor = actor_of_key(key)
    except Unauthorized:
        raise LoginRequired("your API key was revoked: sign in with another key") from None
    await ctx.uow.set_db_scope(db_scope_of(ctx.actor))
    ctx.key = _snapshot(key, "id", "prefix", "name", "role")
    ctx.request.state.admin_actor, ctx.request.state.admin_key = ctx.actor, ctx.key  # error pages
    return ctx


async def viewer(request: Request) -> Ctx:
    """A signed-in caller (GET pages)."""
    ctx = Ctx(request, request.state.admin_uow, _manager(request), _manager(request).read(request))
    return await _signed_in(ctx)


async def writer(request: Request) -> Ctx:
    """A signed-in caller whose form carries this session's CSRF token (every POST)."""
    manager = _manager(request)
    form = await request.form()
    session = manager.read(request)
    if not manager.csrf_ok(session, form.get("csrf_token")):
        raise CsrfRefused()
    ctx = Ctx(request, request.state.admin_uow, manager, session, form=form)
    return await _signed_in(ctx)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    manager = _manager(request)
    session = manager.read(request)
    actor = getattr(request.state, "admin_actor", None)
    body = templates.get_template("error.html").render(
        actor=actor,
        key=getattr(request.state, "admin_key", None),
        csrf=session.csrf if session else "",
        flashes=[],
        path=request.url.path,
        status=status,
        title=title,
        message=message,
        signed_in=bool(session and session.signed_in),
    )
    return HTMLResponse(body, status_code=status)


class AdminRoute(APIRoute):
    """Admin pages: one unit of work per request, HTML error pages, security headers."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                # Sees nothing (PostgreSQL row-level security) until the caller is known.
                async with get_runtime(request).uow(NO_SCOPE) as uow:
                    request.state.admin_uow = uow
                    response = await handler(request)
            except LoginRequired as exc:
                target = request.url.path if request.method == "GET" else "/admin"
                if request.url.query and request.method == "GET":
                    target += "?" + request.url.query
                response = RedirectResponse(
                    "/admin/login?" + urlencode({"next": target}), status_code=303
                )
                if exc.message:
                    _manager(request).write_flashes(request, response, [failed(exc.message)])
            except CsrfRefused:
                log.warning("admin form refused: no valid CSRF token", path=request.url.path)
                response = _error_page(
                    request,
                    403,
                    "Form refused",
                    "This form did not carry a valid security token (CSRF): it has expired or "
                    "did not come from this console. Go back, reload the page and try again.",
                )
            except ApiError as exc:
                titles = {404: "Not found", 403: "Not allowed", 401: "Signed out"}
                response = _error_page(
                    request, exc.status_code, titles.get(exc.status_code, "Error"), exc.message
                )
            except RequestValidationError:
                response = _error_page(request, 404, "Not found", "this page does not exist")
            except StarletteHTTPException as exc:
                response = _error_page(request, exc.status_code, "Error", str(exc.detail))
            return _security_headers(response)

        return route
