"""A tenant's numbers: the table, connecting (search, price, buy), one number, its agent and
trunk, and release: `/admin/t/{tid}/numbers...` (explain is in pages/explain.py)."""

from __future__ import annotations

import uuid

from fastapi import Request
from starlette.responses import Response

from callplane.admin import actions, forms, reports
from callplane.admin.session import Flash
from callplane.admin.web import failed, ok, page_router, tenant_view, tenant_write
from callplane.errors import ApiError
from callplane.numbers import purchase
from callplane.numbers import service as numbers
from callplane.numbers.schemas import NumberOut
from callplane.trunks import service as trunks

router = page_router()

COUNTRIES = [
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB", "United Kingdom"),
    ("AU", "Australia"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("PL", "Poland"),
    ("NL", "Netherlands"),
    ("ES", "Spain"),
    ("IE", "Ireland"),
    ("SE", "Sweden"),
]
NUMBER_TYPES = [("local", "Local"), ("mobile", "Mobile"), ("toll_free", "Toll-free")]


@router.get("/t/{tid}/numbers")
async def numbers_page(
    request: Request, tid: uuid.UUID, show: str | None = None, cursor: str | None = None
) -> Response:
    """The tenant's numbers: status, agent, trunk, managed, monthly price; attach and release."""
    page = await tenant_view(request, tid)
    table = await reports.numbers_table(
        uow=page.ctx.uow, scope=page.scope, show_all=show == "all", cursor=cursor
    )
    return page.render(
        "tenant/numbers.html",
        title="Numbers",
        section="numbers",
        numbers=table.numbers,
        next_cursor=table.next_cursor,
        show=show or "",
        hidden=table.hidden,
        agents=table.agents,
        **table.usage.values(),
    )


@router.get("/t/{tid}/numbers/connect")
async def connect_number(
    request: Request,
    tid: uuid.UUID,
    country: str | None = None,
    type: str | None = None,  # the form field's name
    contains: str | None = None,
) -> Response:
    """Connect a number: country, type and digits -> available numbers with their price -> buy."""
    page = await tenant_view(request, tid)
    number_type = type if type in dict(NUMBER_TYPES) else "local"
    search = await reports.number_search(
        uow=page.ctx.uow,
        scope=page.scope,
        country=country,
        number_type=number_type,
        contains=(contains or "").strip() or None,
    )
    return page.render(
        "tenant/connect.html",
        title="Connect a number",
        section="numbers",
        countries=COUNTRIES,
        number_types=NUMBER_TYPES,
        country=(country or "US").upper(),
        number_type=number_type,
        contains=contains or "",
        found=search.found,
        pricing=search.pricing,
        searched=bool(country),
        flashes=[failed(search.error)] if search.error else [],
        buy_key=lambda: str(uuid.uuid4()),
        **search.usage.values(),
    )


@router.post("/t/{tid}/numbers/buy")
async def buy_number(request: Request, tid: uuid.UUID) -> Response:
    """Buy the chosen number (Idempotency-Key from the form: a double submit buys once)."""
    page = await tenant_write(request, tid)
    form = page.ctx.form
    back = "/numbers/connect?" + forms.query(form, "country", "type", "contains")
    try:
        data = forms.number_buy(form)
    except forms.Invalid as exc:
        return page.redirect(back, failed(str(exc)))
    try:
        number, _ = await purchase.buy_number(
            uow=page.ctx.uow,
            scope=page.scope,
            data=data,
            idempotency_key=forms.text(form, "idempotency_key"),
        )
    except ApiError as exc:
        return page.redirect(back, failed(f"{data.phone_number} was not bought: {exc.message}"))
    if number.status == "pending":
        return page.redirect(
            "/numbers", Flash("info", f"{number.e164} is being bought; reload in a moment.")
        )
    return page.redirect(
        "/numbers", ok(f"{number.e164} is yours. Attach it to an agent to route its calls.")
    )


@router.get("/t/{tid}/numbers/{nid}")
async def number_page(request: Request, tid: uuid.UUID, nid: uuid.UUID) -> Response:
    """One number, with its agent, its trunk, explain and release."""
    page = await tenant_view(request, tid)
    view = await reports.number_view(uow=page.ctx.uow, scope=page.scope, number_id=nid)
    return page.render(
        "tenant/number.html",
        title=view.number.phone_number,
        section="numbers",
        number=view.number,
        agents=view.agents,
        trunk=view.trunk,
    )


@router.post("/t/{tid}/numbers/{nid}/agent")
async def number_agent(request: Request, tid: uuid.UUID, nid: uuid.UUID) -> Response:
    """Attach the number to an agent, or detach it (an empty agent)."""
    page = await tenant_write(request, tid)
    back = page.back(forms.text(page.ctx.form, "back"), "/numbers")
    raw = forms.text(page.ctx.form, "agent_id")
    try:
        agent_id = uuid.UUID(raw) if raw else None
    except ValueError:
        return page.ctx.redirect(back, failed("choose an agent from the list"))
    try:
        number, name = await actions.set_number_agent(
            uow=page.ctx.uow, scope=page.scope, number_id=nid, agent_id=agent_id
        )
    except ApiError as exc:
        return page.ctx.redirect(back, failed(exc.message))
    if agent_id is None:
        return page.ctx.redirect(back, ok(f"{number.e164} is detached: its calls reach no agent."))
    return page.ctx.redirect(back, ok(f"{number.e164} now routes to {name or 'the agent'}."))


@router.post("/t/{tid}/numbers/{nid}/trunk")
async def number_trunk(request: Request, tid: uuid.UUID, nid: uuid.UUID) -> Response:
    """Put the number on the tenant's SIP trunk, or take it off (`action=detach`)."""
    page = await tenant_write(request, tid)
    back = page.back(forms.text(page.ctx.form, "back"), f"/numbers/{nid}")
    uow, scope = page.ctx.uow, page.scope
    try:
        if forms.text(page.ctx.form, "action") == "detach":
            number = await trunks.detach_number(uow=uow, scope=scope, number_id=nid)
            done = ok(f"{number.e164} is off the trunk: its voice webhook routes it again.")
        else:
            number, _ = await trunks.attach_number(uow=uow, scope=scope, number_id=nid)
            done = ok(f"{number.e164} is on the trunk: calls go to the origination URI.")
    except ApiError as exc:
        return page.ctx.redirect(back, failed(exc.message))
    return page.ctx.redirect(back, done)


@router.get("/t/{tid}/numbers/{nid}/release")
async def release_confirm(request: Request, tid: uuid.UUID, nid: uuid.UUID) -> Response:
    """The confirmation step before a release."""
    page = await tenant_view(request, tid)
    number = await numbers.get_number(uow=page.ctx.uow, scope=page.scope, number_id=nid)
    return page.render(
        "tenant/release.html",
        title=f"Release {number.e164}",
        section="numbers",
        number=NumberOut.from_model(number),
    )


@router.post("/t/{tid}/numbers/{nid}/release")
async def release_number(request: Request, tid: uuid.UUID, nid: uuid.UUID) -> Response:
    """Release the number (idempotent), as `DELETE phone-numbers/{nid}` does."""
    page = await tenant_write(request, tid)
    try:
        number = await numbers.release_number(
            uow=page.ctx.uow, scope=page.scope, number_id=nid, reason="user"
        )
    except ApiError as exc:
        return page.redirect(f"/numbers/{nid}", failed(exc.message))
    how = "released at Twilio" if number.managed else "detached (Twilio keeps it: it is unmanaged)"
    return page.redirect("/numbers", ok(f"{number.e164} is {how}."))
