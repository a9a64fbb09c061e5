"""The console's plumbing, shared by the pages in admin/pages/: templates, the request context,
sign-in and CSRF checks, tenant pages, flashes, redirects and HTML errors.

A console request runs in one unit of work (`AdminRoute`); `viewer` gives a signed-in caller for
a GET page, `writer` checks the form's CSRF token before anything else (403 without it) and then
gives a signed-in caller for a POST; `tenant_view` / `tenant_write` add the tenant of a
`/admin/t/{tid}/...` page through `deps.tenant_scope_in` (another tenant's pages are 404, as in the
API) and, for writes, `deps.require_admin` (members read only). API errors become HTML pages with
the same status.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callplane import __version__
from callplane.admin.session import FLASH_COOKIE, Flash, Session, SessionManager
from callplane.db.rls import NO_SCOPE
from callplane.db.uow import UnitOfWork
from callplane.deps import (
    actor_of_key,
    db_scope_of,
    get_runtime,
    platform_actor,
    require_admin,
    tenant_scope_in,
)
from callplane.errors import ApiError, Unauthorized
from callplane.log import get_logger
from callplane.runtime import Runtime
from callplane.tenancy import Actor, TenantScope
from callplane.tenants import service as tenants
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


def session_manager(request: Request) -> SessionManager:
    """The app's console session manager (made on first use from the runtime's key ring)."""
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
        """The signed-in caller."""
        assert self.actor is not None
        return self.actor

    @property
    def runtime(self) -> Runtime:
        """The process runtime (settings, key ring, Twilio), for the services that take it."""
        return get_runtime(self.request)

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

    def keep_session(self, response: Response) -> Response:
        """Set this request's session cookie on `response` (the sign-in form's CSRF token)."""
        assert self.session is not None
        self.manager.write(self.request, response, self.session)
        return response

    def sign_in(self, actor: Actor, target: str | None) -> RedirectResponse:
        """A fresh session (a new CSRF token) for `actor`, and on to `target` or its start page."""
        response = RedirectResponse(target or home_of(actor), status_code=303)
        self.manager.write(self.request, response, self.manager.new(key_id=actor.key_id))
        return response

    def sign_out(self) -> RedirectResponse:
        """Forget the session and say so on the sign-in form."""
        response = RedirectResponse("/admin/login", status_code=303)
        self.manager.clear(self.request, response)
        self.manager.write_flashes(self.request, response, [Flash("info", "You are signed out.")])
        return response


def ok(text: str) -> Flash:
    """A success message."""
    return Flash("success", text)


def failed(text: str) -> Flash:
    """An error message."""
    return Flash("error", text)


def home_of(actor: Actor) -> str:
    """The caller's start page: the tenant table (platform) or its tenant's overview."""
    return "/admin/tenants" if actor.is_platform else f"/admin/t/{actor.tenant_id}"


def safe_next(target: str | None) -> str | None:
    """A `next` target that stays inside the console (never another site), else None."""
    if target and (target == "/admin" or target.startswith("/admin/")) and "\\" not in target:
        return target
    return None


def snapshot(row: Any, *fields: str) -> SimpleNamespace:
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
    ctx.key = snapshot(key, "id", "prefix", "name", "role")
    ctx.request.state.admin_actor, ctx.request.state.admin_key = ctx.actor, ctx.key  # error pages
    return ctx


async def viewer(request: Request) -> Ctx:
    """A signed-in caller (GET pages)."""
    manager = session_manager(request)
    ctx = Ctx(request, request.state.admin_uow, manager, manager.read(request))
    return await _signed_in(ctx)


async def any_form(request: Request) -> Ctx:
    """A POST of anyone whose form carries this session's CSRF token (sign-in, sign-out)."""
    manager = session_manager(request)
    form = await request.form()
    session = manager.read(request)
    if not manager.csrf_ok(session, form.get("csrf_token")):
        raise CsrfRefused()
    return Ctx(request, request.state.admin_uow, manager, session, form=form)


async def writer(request: Request) -> Ctx:
    """A signed-in caller whose form carries this session's CSRF token (every POST)."""
    return await _signed_in(await any_form(request))


async def visitor(request: Request) -> Ctx:
    """The sign-in form's caller: signed in (`actor` set), else a session with a CSRF token only."""
    manager = session_manager(request)
    session = manager.read(request)
    ctx = Ctx(request, request.state.admin_uow, manager, session)
    if session is not None and session.signed_in:
        try:
            return await _signed_in(ctx)
        except LoginRequired:
            pass
    ctx.session = session if session is not None and not session.signed_in else manager.new()
    return ctx


async def platform_view(request: Request) -> Ctx:
    """A platform page (GET): tenant keys get 403."""
    ctx = await viewer(request)
    await platform_actor(ctx.me)
    return ctx


async def platform_write(request: Request) -> Ctx:
    """A platform form (CSRF checked first): tenant keys get 403."""
    ctx = await writer(request)
    await platform_actor(ctx.me)
    return ctx


# -- tenant pages -------------------------------------------------------------------------------


@dataclass
class TenantPage:
    """A tenant page's context: the scope (already checked) and the tenant."""

    ctx: Ctx
    scope: TenantScope
    tenant: SimpleNamespace

    @property
    def base(self) -> str:
        """The tenant's pages begin here."""
        return f"/admin/t/{self.tenant.id}"

    def render(self, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
        """A page of this tenant."""
        return self.ctx.render(
            template,
            status=status,
            tenant=self.tenant,
            base=self.base,
            can_write=self.ctx.me.can_write,
            **values,
        )

    def redirect(self, path: str, *flashes: Flash) -> RedirectResponse:
        """303 to one of this tenant's pages."""
        return self.ctx.redirect(self.base + path, *flashes)

    def back(self, requested: str | None, default: str) -> str:
        """Where a form goes back to: one of this tenant's pages, else `default` of them."""
        if requested and requested.startswith(self.base) and "//" not in requested:
            return requested
        return self.base + default


async def _tenant(ctx: Ctx, tid: UUID, *, admin: bool) -> TenantPage:
    scope = await tenant_scope_in(ctx.uow, tid, ctx.me)
    if admin:
        scope = require_admin(scope)
    tenant = await tenants.get_tenant(uow=ctx.uow, scope=scope)
    return TenantPage(ctx, scope, snapshot(tenant, "id", "slug", "name", "status", "created_at"))


async def tenant_view(request: Request, tid: UUID, *, admin: bool = False) -> TenantPage:
    """A tenant's GET page (`admin`: for admin keys only, as the API's admin routes)."""
    return await _tenant(await viewer(request), tid, admin=admin)


async def tenant_write(request: Request, tid: UUID) -> TenantPage:
    """A tenant's form (CSRF checked first), for admin keys: members read only."""
    return await _tenant(await writer(request), tid, admin=True)


def page_router() -> APIRouter:
    """The router of one console page module (`admin.routes` mounts them all under `/admin`)."""
    return APIRouter(prefix="/admin", route_class=AdminRoute, include_in_schema=False)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    manager = session_manager(request)
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

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
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
                    session_manager(request).write_flashes(request, response, [failed(exc.message)])
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
