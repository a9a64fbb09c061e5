"""A tenant's voice-AI providers: credentials set and tested, a number's registration synced
now: `/admin/t/{tid}/providers...` and `/admin/t/{tid}/numbers/{nid}/provider/sync`.

A key typed into the form goes to the provider for verification and into the key ring; no page
ever shows it again (the form is empty each time)."""

from __future__ import annotations

import uuid

from fastapi import Request
from pydantic import ValidationError
from starlette.responses import Response

from callplane.admin import forms
from callplane.admin.web import failed, ok, page_router, tenant_view, tenant_write
from callplane.errors import ApiError
from callplane.providers import names, service
from callplane.providers.schemas import ProviderPut

router = page_router()

FIELDS = ("api_key", "api_secret", "url", "sip_host", "base_url")


@router.get("/t/{tid}/providers")
async def providers_page(request: Request, tid: uuid.UUID) -> Response:
    """Each provider: connected or not, where its trunk sends calls, how many numbers."""
    page = await tenant_view(request, tid)
    board = await service.board(uow=page.ctx.uow, scope=page.scope)
    return page.render(
        "tenant/providers.html",
        title="Voice-AI providers",
        section="providers",
        board=board,
        labels=names.LABELS,
    )


def _unknown(name: str) -> str | None:
    return None if name in names.PROVIDERS else f"{name!r} is not a provider callplane knows"


@router.post("/t/{tid}/providers/{name}")
async def provider_connect(request: Request, tid: uuid.UUID, name: str) -> Response:
    """Set the credentials (verified at the provider first, as `PUT providers/{name}`)."""
    page = await tenant_write(request, tid)
    if problem := _unknown(name):
        return page.redirect("/providers", failed(problem))
    form = page.ctx.form
    body = {f: forms.text(form, f) for f in FIELDS if forms.text(form, f)}
    try:
        data = ProviderPut.model_validate(body)
    except ValidationError as exc:
        return page.redirect("/providers", failed("; ".join(forms.problems(exc))))
    try:
        await service.put_account(uow=page.ctx.uow, scope=page.scope, name=name, data=data)
    except ApiError as exc:
        return page.redirect("/providers", failed(f"{names.label(name)}: {exc.message}"))
    return page.redirect(
        "/providers", ok(f"{names.label(name)} is connected: the key was verified and stored.")
    )


@router.post("/t/{tid}/providers/{name}/test")
async def provider_test(request: Request, tid: uuid.UUID, name: str) -> Response:
    """Check the stored credentials now ("test")."""
    page = await tenant_write(request, tid)
    if problem := _unknown(name):
        return page.redirect("/providers", failed(problem))
    try:
        account = await service.test_account(uow=page.ctx.uow, scope=page.scope, name=name)
    except ApiError as exc:
        return page.redirect("/providers", failed(f"{names.label(name)}: {exc.message}"))
    if account.status == "connected":
        return page.redirect("/providers", ok(f"{names.label(name)} accepts the stored key."))
    return page.redirect("/providers", failed(account.detail or "the key was refused"))


@router.post("/t/{tid}/providers/{name}/delete")
async def provider_delete(request: Request, tid: uuid.UUID, name: str) -> Response:
    """Forget the credentials (refused while numbers are registered there)."""
    page = await tenant_write(request, tid)
    if problem := _unknown(name):
        return page.redirect("/providers", failed(problem))
    try:
        await service.delete_account(uow=page.ctx.uow, scope=page.scope, name=name)
    except ApiError as exc:
        return page.redirect("/providers", failed(exc.message))
    return page.redirect("/providers", ok(f"{names.label(name)} is disconnected."))


@router.post("/t/{tid}/numbers/{nid}/provider/sync")
async def number_sync(request: Request, tid: uuid.UUID, nid: uuid.UUID) -> Response:
    """Sync a number's provider registration now ("sync now")."""
    page = await tenant_write(request, tid)
    back = page.back(forms.text(page.ctx.form, "back"), "/numbers")
    try:
        view = await service.force_sync(uow=page.ctx.uow, scope=page.scope, number_id=nid)
    except ApiError as exc:
        return page.ctx.redirect(back, failed(exc.message))
    if view is None:
        return page.ctx.redirect(back, ok("The number's provider registration was removed."))
    label = names.label(view.name)
    if view.status == "synced":
        return page.ctx.redirect(back, ok(f"Registered at {label} and in sync."))
    return page.ctx.redirect(back, failed(f"{label}: {view.detail or view.status}"))
