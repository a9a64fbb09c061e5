"""Sign-in and sign-out: `/admin`, `/admin/login`, `/admin/logout`.

Sign-in takes an API key, checked by `deps.authenticate_api_key` like a bearer token; the session
cookie then holds the key's id and a fresh CSRF token (admin/session.py), never the key.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from callplane.admin import forms
from callplane.admin.web import any_form, failed, home_of, page_router, safe_next, viewer, visitor
from callplane.deps import authenticate_api_key
from callplane.errors import Unauthorized
from callplane.log import get_logger

log = get_logger(__name__)
router = page_router()


@router.get("")
@router.get("/")
async def home(request: Request) -> Response:
    """The caller's start page."""
    ctx = await viewer(request)
    return RedirectResponse(home_of(ctx.me), status_code=303)


@router.get("/login")
async def login_form(request: Request) -> Response:
    """The sign-in form (a session with only a CSRF token until a key is accepted)."""
    ctx = await visitor(request)
    target = safe_next(request.query_params.get("next"))
    if ctx.actor is not None:
        return RedirectResponse(target or home_of(ctx.actor), status_code=303)
    return ctx.keep_session(ctx.render("login.html", title="Sign in", next=target or ""))


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the API key like the API does; start a session holding the key's id."""
    ctx = await any_form(request)
    plain = forms.text(ctx.form, "api_key")
    target = safe_next(forms.text(ctx.form, "next"))
    try:
        if not plain:
            raise Unauthorized("enter an API key")
        actor = await authenticate_api_key(ctx.uow, plain)
    except Unauthorized as exc:
        log.info("admin sign-in refused", reason=exc.message)
        return ctx.render(
            "login.html",
            status=401,
            title="Sign in",
            next=target or "",
            flashes=[failed(f"Sign-in refused: {exc.message}.")],
        )
    log.info("admin signed in", key_id=str(actor.key_id), role=actor.role.value)
    return ctx.sign_in(actor, target)


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session."""
    return (await any_form(request)).sign_out()
