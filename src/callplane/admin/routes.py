"""The admin console at `/admin`: server-rendered pages over the same service functions as the API.

Sign-in takes an API key (hashed and checked by `deps.authenticate_api_key`, like a bearer
token); the session cookie holds the key's id and a CSRF token (admin/session.py). Every POST
checks the CSRF token before anything else (403 without it, admin/web.py); tenant pages go
through `deps.tenant_scope` (another tenant's pages are 404, as in the API), writes through
`deps.admin_scope` (members read only) and platform pages through `deps.platform_actor`.
Routes stay thin: parse the form, call the service, flash its result or its ApiError's message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from pydantic import SecretStr, ValidationError
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callplane.admin import forms, queries
from callplane.admin.chart import activity_chart, last_days
from callplane.admin.session import Flash
from callplane.admin.web import (
    HERE,
    STATIC,
    AdminRoute,
    CsrfRefused,
    Ctx,
    LoginRequired,
    _manager,
    _signed_in,
    _snapshot,
    failed,
    ok,
    viewer,
    writer,
)
from callplane.agents import service as agents
from callplane.agents.schemas import AgentCreate, AgentOut, AgentPatch
from callplane.billing import service as lifecycle
from callplane.connections import service as connections
from callplane.connections.routes import connection_out
from callplane.connections.schemas import ConnectionPut
from callplane.deps import admin_scope, authenticate_api_key, platform_actor, tenant_scope
from callplane.errors import ApiError, NotFound, Unauthorized
from callplane.gateway import service as gateway
from callplane.log import get_logger
from callplane.numbers import service as numbers
from callplane.numbers.models import HELD_STATUSES, PhoneNumber
from callplane.numbers.schemas import NumberBuy
from callplane.reconcile import health as health_jobs
from callplane.reconcile import jobs
from callplane.reconcile import service as reconcile
from callplane.reconcile.schemas import run_out
from callplane.tenancy import Actor, Role, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.schemas import SubscriptionPut, TenantCreate
from callplane.trunks import service as trunks
from callplane.trunks.models import Trunk
from callplane.trunks.schemas import TrunkOut

log = get_logger(__name__)

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
VOICE_MODES = [
    ("stream", "Stream (media stream to your AI)"),
    ("sip", "SIP (dial a SIP URI)"),
    ("forward", "Forward (to a phone number)"),
    ("voicemail", "Voicemail"),
]
SMS_MODES = [("none", "Ignore"), ("webhook", "Webhook (forward to a URL)"), ("reply", "Auto-reply")]


router = APIRouter(prefix="/admin", route_class=AdminRoute, include_in_schema=False)


# -- sign-in ------------------------------------------------------------------------------------


def _home(actor: Actor) -> str:
    return "/admin/tenants" if actor.is_platform else f"/admin/t/{actor.tenant_id}"


def _safe_next(target: str | None) -> str | None:
    if target and (target == "/admin" or target.startswith("/admin/")) and "\\" not in target:
        return target
    return None


@router.get("")
@router.get("/")
async def home(request: Request) -> Response:
    """The caller's start page."""
    ctx = await viewer(request)
    return RedirectResponse(_home(ctx.me), status_code=303)


@router.get("/login")
async def login_form(request: Request) -> Response:
    """The sign-in form (a session with only a CSRF token until a key is accepted)."""
    manager = _manager(request)
    session = manager.read(request)
    ctx = Ctx(request, request.state.admin_uow, manager, session)
    if session is not None and session.signed_in:
        try:
            await _signed_in(ctx)
            return RedirectResponse(
                _safe_next(request.query_params.get("next")) or _home(ctx.me), status_code=303
            )
        except LoginRequired:
            pass
    ctx.session = session if session is not None and not session.signed_in else manager.new()
    response = ctx.render(
        "login.html", title="Sign in", next=_safe_next(request.query_params.get("next")) or ""
    )
    manager.write(request, response, ctx.session)
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the API key like the API does; start a session holding the key's id."""
    manager = _manager(request)
    form = await request.form()
    session = manager.read(request)
    if session is None or not manager.csrf_ok(session, form.get("csrf_token")):
        raise CsrfRefused()
    ctx = Ctx(request, request.state.admin_uow, manager, session, form=form)
    plain = forms.text(form, "api_key")
    target = _safe_next(forms.text(form, "next"))
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
    fresh = manager.new(key_id=actor.key_id)
    response = RedirectResponse(target or _home(actor), status_code=303)
    manager.write(request, response, fresh)
    log.info("admin signed in", key_id=str(actor.key_id), role=actor.role.value)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session."""
    manager = _manager(request)
    form = await request.form()
    session = manager.read(request)
    if not manager.csrf_ok(session, form.get("csrf_token")):
        raise CsrfRefused()
    response = RedirectResponse("/admin/login", status_code=303)
    manager.clear(request, response)
    manager.write_flashes(request, response, [Flash("info", "You are signed out.")])
    return response


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """The stylesheet and the small script."""
    media = STATIC.get(name)
    if media is None:
        raise NotFound("file")
    response = Response((HERE / "static" / name).read_bytes(), media_type=media)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# -- platform pages ---------------------------------------------------------------------------


@router.get("/tenants")
async def tenants_page(request: Request, cursor: str | None = None) -> Response:
    """Every tenant: account model, connection health, numbers used / quota, subscription."""
    ctx = await viewer(request)
    await platform_actor(ctx.me)
    rows, next_cursor = await queries.tenant_rows(
        uow=ctx.uow, actor=ctx.me, cursor=cursor, limit=25
    )
    plans = await tenants.list_plans(uow=ctx.uow)
    return ctx.render(
        "platform/tenants.html",
        title="Tenants",
        section="tenants",
        rows=rows,
        next_cursor=next_cursor,
        plans=plans,
        values={},
    )


@router.post("/tenants")
async def create_tenant(request: Request) -> Response:
    """Create a tenant (and, when a plan is chosen, its active subscription)."""
    ctx = await writer(request)
    await platform_actor(ctx.me)
    try:
        data = TenantCreate(
            slug=forms.text(ctx.form, "slug") or "", name=forms.text(ctx.form, "name") or ""
        )
    except ValidationError as exc:
        return ctx.redirect("/admin/tenants", failed("; ".join(forms.problems(exc))))
    try:
        tenant = await tenants.create_tenant(uow=ctx.uow, actor=ctx.me, data=data)
    except ApiError as exc:
        return ctx.redirect("/admin/tenants", failed(exc.message))
    done = [ok(f"Tenant {tenant.slug} created.")]
    plan = forms.text(ctx.form, "plan")
    if plan:
        scope = TenantScope(tenant_id=tenant.id, actor=ctx.me)
        try:
            await lifecycle.change_subscription(
                uow=ctx.uow, scope=scope, data=SubscriptionPut(plan=plan, status="active")
            )
            done = [ok(f"Tenant {tenant.slug} created with an active {plan} subscription.")]
        except ApiError as exc:
            done.append(failed(f"The subscription was not set: {exc.message}"))
    return ctx.redirect(f"/admin/t/{tenant.id}", *done)


@router.get("/reconcile")
async def reconcile_page(request: Request) -> Response:
    """The last reconciliation runs and their summaries."""
    ctx = await viewer(request)
    await platform_actor(ctx.me)
    rows, _ = await reconcile.last_runs(ctx.uow.runtime, job="reconcile", cursor=None, limit=20)
    return ctx.render(
        "platform/reconcile.html",
        title="Reconciliation",
        section="reconcile",
        runs=[run_out(r) for r in rows],
    )


@router.post("/reconcile")
async def reconcile_now(request: Request) -> Response:
    """Run a dry-run reconciliation now (changes nothing) and show what it found."""
    ctx = await writer(request)
    await platform_actor(ctx.me)
    runtime = ctx.uow.runtime
    run_id = await reconcile.create_run(runtime, trigger="admin", dry_run=True)
    try:
        summary = await reconcile.execute_run(
            runtime, run_id, executor=jobs.executor_id() or "admin"
        )
    except Exception as exc:  # noqa: BLE001 - the run records its failure; the page says so
        log.warning("admin dry run failed", run_id=str(run_id), error=type(exc).__name__)
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


@router.get("/health")
async def health_page(request: Request) -> Response:
    """The credential health of every tenant's connection."""
    ctx = await viewer(request)
    await platform_actor(ctx.me)
    rows = await health_jobs.list_health(ctx.uow.runtime)
    counts = dict.fromkeys(health_jobs.STATUSES, 0)
    for row in rows:
        counts[row["health"]["status"]] = counts.get(row["health"]["status"], 0) + 1
    return ctx.render(
        "platform/health.html",
        title="Credential health",
        section="health",
        rows=rows,
        counts=counts,
    )


@router.post("/health")
async def health_now(request: Request) -> Response:
    """Check every connection's credentials now."""
    ctx = await writer(request)
    await platform_actor(ctx.me)
    runtime = ctx.uow.runtime
    run_id = await reconcile.create_run(runtime, job="health", trigger="admin")
    try:
        summary = await health_jobs.execute_health_run(
            runtime, run_id, executor=jobs.executor_id() or "admin"
        )
    except Exception as exc:  # noqa: BLE001 - the run records its failure; the page says so
        log.warning("admin health check failed", run_id=str(run_id), error=type(exc).__name__)
        why = exc.message if isinstance(exc, ApiError) else type(exc).__name__
        return ctx.redirect("/admin/health", failed(f"The health check failed: {why}"))
    parts = ", ".join(f"{summary[s]} {s}" for s in health_jobs.STATUSES if summary.get(s))
    checked = summary.get("connections", 0)
    return ctx.redirect(
        "/admin/health",
        ok(
            f"Checked {checked} connection{'' if checked == 1 else 's'} now"
            + (f": {parts}." if parts else ".")
        ),
    )


@router.get("/explain")
async def platform_explain(
    request: Request, to: str | None = None, account_sid: str | None = None
) -> Response:
    """Every step of the routing decision for any number (platform)."""
    ctx = await viewer(request)
    await platform_actor(ctx.me)
    result = None
    error = None
    if to:
        try:
            result = await gateway.explain(
                uow=ctx.uow, to=to[:64], account_sid=(account_sid or "").strip()[:34] or None
            )
        except ApiError as exc:
            error = exc.message
    return ctx.render(
        "platform/explain.html",
        title="Explain a number",
        section="explain",
        result=result,
        to=to or "",
        account_sid=account_sid or "",
        flashes=[failed(error)] if error else [],
    )


# -- tenant pages -------------------------------------------------------------------------------


@dataclass
class TenantPage:
    """A tenant page's context: the scope (already checked) and the tenant."""

    ctx: Ctx
    scope: TenantScope
    tenant: Any

    @property
    def base(self) -> str:
        return f"/admin/t/{self.tenant.id}"

    def render(self, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
        return self.ctx.render(
            template,
            status=status,
            tenant=self.tenant,
            base=self.base,
            can_write=self.ctx.me.can_write,
            **values,
        )

    def redirect(self, path: str, *flashes: Flash) -> RedirectResponse:
        return self.ctx.redirect(self.base + path, *flashes)


async def _tenant(ctx: Ctx, tid: uuid.UUID, *, write: bool = False) -> TenantPage:
    scope = await tenant_scope(tid, ctx.me, ctx.uow)
    if write:
        scope = await admin_scope(scope)
    tenant = await tenants.get_tenant(uow=ctx.uow, scope=scope)
    return TenantPage(ctx, scope, _snapshot(tenant, "id", "slug", "name", "status", "created_at"))


async def tenant_view(request: Request, tid: uuid.UUID) -> TenantPage:
    return await _tenant(await viewer(request), tid)


async def tenant_write(request: Request, tid: uuid.UUID) -> TenantPage:
    return await _tenant(await writer(request), tid, write=True)


async def _usage(page: TenantPage) -> dict[str, Any]:
    uow, scope = page.ctx.uow, page.scope
    try:
        sub = await tenants.get_subscription(uow=uow, scope=scope)
    except NotFound:
        sub = None
    return {
        "used": await numbers.held_count(uow=uow, scope=scope),
        "quota": await tenants.phone_number_quota(uow=uow, scope=scope),
        "subscription": sub,
    }


@router.get("/t/{tid}")
async def tenant_overview(request: Request, tid: uuid.UUID) -> Response:
    """The tenant at a glance: usage, connection, trunk, 14 days of activity, the latest events."""
    page = await tenant_view(request, tid)
    uow, scope = page.ctx.uow, page.scope
    today, counts = await queries.daily_counts(uow=uow, scope=scope)
    trunk = await uow.repo(Trunk, scope).find()
    conn = connection_out(await connections.get_connection(uow=uow, scope=scope))
    return page.render(
        "tenant/overview.html",
        title=page.tenant.name,
        section="overview",
        chart=activity_chart(last_days(counts, today=today)),
        events=await queries.recent_events(uow=uow, scope=scope, limit=8),
        agents=await queries.agent_names(uow=uow, scope=scope),
        conn=conn,
        trunk=trunk,
        **(await _usage(page)),
    )


@router.get("/t/{tid}/activity")
async def tenant_activity(request: Request, tid: uuid.UUID, show: str | None = None) -> Response:
    """Recent calls and messages with their route decision."""
    page = await tenant_view(request, tid)
    uow, scope = page.ctx.uow, page.scope
    today, counts = await queries.daily_counts(uow=uow, scope=scope)
    kinds = {"calls": queries.CALL_KINDS, "messages": queries.MESSAGE_KINDS}.get(
        show or "", queries.ACTIVITY_KINDS
    )
    return page.render(
        "tenant/activity.html",
        title="Activity",
        section="activity",
        chart=activity_chart(last_days(counts, today=today)),
        events=await queries.recent_events(uow=uow, scope=scope, limit=50, kinds=kinds),
        agents=await queries.agent_names(uow=uow, scope=scope),
        show=show if show in ("calls", "messages") else "",
    )


# numbers ---------------------------------------------------------------------------------------


@router.get("/t/{tid}/numbers")
async def numbers_page(
    request: Request, tid: uuid.UUID, show: str | None = None, cursor: str | None = None
) -> Response:
    """The tenant's numbers: status, agent, trunk, managed, monthly price; attach and release."""
    page = await tenant_view(request, tid)
    uow, scope = page.ctx.uow, page.scope
    statuses = None if show == "all" else list(HELD_STATUSES)
    rows, next_cursor = await numbers.list_numbers(
        uow=uow, scope=scope, statuses=statuses, cursor=cursor, limit=100
    )
    hidden = (
        0
        if show == "all"
        else await uow.repo(PhoneNumber, scope).count(PhoneNumber.status.not_in(HELD_STATUSES))
    )
    trunk = await uow.repo(Trunk, scope).find()
    return page.render(
        "tenant/numbers.html",
        title="Numbers",
        section="numbers",
        numbers=[numbers.number_out(n) for n in rows],
        next_cursor=next_cursor,
        show=show or "",
        hidden=hidden,
        agents=await queries.agent_names(uow=uow, scope=scope),
        trunk=trunk,
        **(await _usage(page)),
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
    uow, scope = page.ctx.uow, page.scope
    number_type = type if type in dict(NUMBER_TYPES) else "local"
    found = None
    pricing = None
    problems: list[Flash] = []
    if country:
        digits = (contains or "").strip() or None
        try:
            found = await numbers.search_available(
                uow=uow,
                scope=scope,
                country=country,
                number_type=number_type,
                contains=digits,
                limit=12,
            )
        except ApiError as exc:
            problems.append(failed(exc.message))
        if found is not None:
            try:
                pricing = await numbers.get_pricing(uow=uow, scope=scope, country=country)
            except ApiError:
                pricing = None  # prices never block a search
    return page.render(
        "tenant/connect.html",
        title="Connect a number",
        section="numbers",
        countries=COUNTRIES,
        number_types=NUMBER_TYPES,
        country=(country or "US").upper(),
        number_type=number_type,
        contains=contains or "",
        found=found,
        pricing=pricing,
        searched=bool(country),
        flashes=problems,
        buy_key=lambda: str(uuid.uuid4()),
        **(await _usage(page)),
    )


@router.post("/t/{tid}/numbers/buy")
async def buy_number(request: Request, tid: uuid.UUID) -> Response:
    """Buy the chosen number (Idempotency-Key from the form: a double submit buys once)."""
    page = await tenant_write(request, tid)
    form = page.ctx.form
    back = "/numbers/connect?" + urlencode(
        {k: forms.text(form, k) or "" for k in ("country", "type", "contains")}
    )
    try:
        data = NumberBuy(phone_number=forms.text(form, "phone_number") or "")
    except ValidationError as exc:
        return page.redirect(back, failed("; ".join(forms.problems(exc))))
    try:
        number, _ = await numbers.buy_number(
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
    uow, scope = page.ctx.uow, page.scope
    number = await numbers.get_number(uow=uow, scope=scope, number_id=nid)
    return page.render(
        "tenant/number.html",
        title=number.e164,
        section="numbers",
        number=numbers.number_out(number),
        agents=await queries.agent_names(uow=uow, scope=scope),
        trunk=await uow.repo(Trunk, scope).find(),
    )


@router.post("/t/{tid}/numbers/{nid}/agent")
async def number_agent(request: Request, tid: uuid.UUID, nid: uuid.UUID) -> Response:
    """Attach the number to an agent, or detach it (an empty agent)."""
    page = await tenant_write(request, tid)
    back = _back(page, forms.text(page.ctx.form, "back"), "/numbers")
    raw = forms.text(page.ctx.form, "agent_id")
    try:
        agent_id = uuid.UUID(raw) if raw else None
    except ValueError:
        return page.ctx.redirect(back, failed("choose an agent from the list"))
    try:
        number = await numbers.set_agent(
            uow=page.ctx.uow, scope=page.scope, number_id=nid, agent_id=agent_id
        )
    except ApiError as exc:
        return page.ctx.redirect(back, failed(exc.message))
    if agent_id is None:
        return page.ctx.redirect(back, ok(f"{number.e164} is detached: its calls reach no agent."))
    names = await queries.agent_names(uow=page.ctx.uow, scope=page.scope)
    return page.ctx.redirect(
        back, ok(f"{number.e164} now routes to {names.get(agent_id, 'the agent')}.")
    )


@router.post("/t/{tid}/numbers/{nid}/trunk")
async def number_trunk(request: Request, tid: uuid.UUID, nid: uuid.UUID) -> Response:
    """Put the number on the tenant's SIP trunk, or take it off."""
    page = await tenant_write(request, tid)
    back = _back(page, forms.text(page.ctx.form, "back"), f"/numbers/{nid}")
    try:
        if forms.text(page.ctx.form, "action") == "detach":
            number = await trunks.detach_number(uow=page.ctx.uow, scope=page.scope, number_id=nid)
            done = ok(f"{number.e164} is off the trunk: its voice webhook routes it again.")
        else:
            number, _ = await trunks.attach_number(
                uow=page.ctx.uow, scope=page.scope, number_id=nid
            )
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
        number=numbers.number_out(number),
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


@router.get("/t/{tid}/numbers/{nid}/explain")
async def explain_number(request: Request, tid: uuid.UUID, nid: uuid.UUID) -> Response:
    """Every step of the routing decision for one of the tenant's numbers."""
    page = await tenant_view(request, tid)
    number = await numbers.get_number(uow=page.ctx.uow, scope=page.scope, number_id=nid)
    result = None
    if number.status in HELD_STATUSES:
        result = await gateway.explain(
            uow=page.ctx.uow, to=number.e164, account_sid=number.account_sid
        )
        if not page.ctx.me.is_platform:
            result = _tenant_view_of(result)
    return page.render(
        "tenant/explain.html",
        title=f"Explain {number.e164}",
        section="numbers",
        number=numbers.number_out(number),
        result=result,
    )


def _tenant_view_of(result: Any) -> Any:
    """What a tenant key may see of an explanation: not which other tenants share an account."""
    steps = []
    for step in result.steps:
        if step.step == "account":
            step = step.model_copy(
                update={
                    "summary": f"the gateway knows the account {result.account_sid}"
                    if step.ok
                    else f"the gateway does not know the account {result.account_sid}",
                    "data": {},
                }
            )
        steps.append(step)
    return result.model_copy(update={"steps": steps})


def _back(page: TenantPage, requested: str | None, default: str) -> str:
    """Where a form goes back to: one of this tenant's pages, else `default`."""
    if requested and requested.startswith(page.base) and "//" not in requested:
        return requested
    return page.base + default


# agents ----------------------------------------------------------------------------------------


@router.get("/t/{tid}/agents")
async def agents_page(request: Request, tid: uuid.UUID) -> Response:
    """The tenant's agents and their routing."""
    page = await tenant_view(request, tid)
    uow, scope = page.ctx.uow, page.scope
    rows, _ = await agents.list_agents(uow=uow, scope=scope, cursor=None, limit=200)
    held, _ = await numbers.list_numbers(
        uow=uow, scope=scope, statuses=list(HELD_STATUSES), cursor=None, limit=200
    )
    by_agent: dict[uuid.UUID, list[str]] = {}
    for n in held:
        if n.agent_id:
            by_agent.setdefault(n.agent_id, []).append(n.e164)
    return page.render(
        "tenant/agents.html",
        title="Agents",
        section="agents",
        agents=[AgentOut.from_model(a) for a in rows],
        by_agent=by_agent,
    )


def _agent_form(
    page: TenantPage,
    *,
    agent: Any = None,
    values: dict[str, Any],
    status: int = 200,
    errors: list[str] | None = None,
    secret: str | None = None,
) -> HTMLResponse:
    return page.render(
        "tenant/agent_form.html",
        status=status,
        title=f"Agent {agent.name}" if agent else "New agent",
        section="agents",
        agent=agent,
        v=values,
        voice_modes=VOICE_MODES,
        sms_modes=SMS_MODES,
        errors=errors or [],
        secret=secret,
    )


@router.get("/t/{tid}/agents/new")
async def new_agent(request: Request, tid: uuid.UUID) -> Response:
    """The form of a new agent."""
    page = await tenant_view(request, tid)
    return _agent_form(page, values=forms.agent_values(None))


@router.post("/t/{tid}/agents")
async def create_agent(request: Request, tid: uuid.UUID) -> Response:
    """Create an agent; its events signing secret is shown on this answer only."""
    page = await tenant_write(request, tid)
    form = page.ctx.form
    try:
        data = AgentCreate.model_validate(forms.agent_body(form))
    except ValidationError as exc:
        return _agent_form(
            page, values=forms.form_values(form), status=422, errors=forms.problems(exc)
        )
    except ValueError as exc:
        return _agent_form(page, values=forms.form_values(form), status=422, errors=[str(exc)])
    try:
        agent, secret = await agents.create_agent(uow=page.ctx.uow, scope=page.scope, data=data)
    except ApiError as exc:
        return _agent_form(
            page, values=forms.form_values(form), status=exc.status_code, errors=[exc.message]
        )
    return _agent_form(
        page,
        agent=agent,
        values=forms.agent_values(agent),
        secret=secret,
        status=201,
    )


@router.get("/t/{tid}/agents/{aid}")
async def agent_page(request: Request, tid: uuid.UUID, aid: uuid.UUID) -> Response:
    """An agent's routing, to read or edit."""
    page = await tenant_view(request, tid)
    agent = await agents.get_agent(uow=page.ctx.uow, scope=page.scope, agent_id=aid)
    return _agent_form(page, agent=agent, values=forms.agent_values(agent))


@router.post("/t/{tid}/agents/{aid}")
async def update_agent(request: Request, tid: uuid.UUID, aid: uuid.UUID) -> Response:
    """Change an agent (voice and SMS routing are replaced whole, as in PATCH)."""
    page = await tenant_write(request, tid)
    form = page.ctx.form
    agent = await agents.get_agent(uow=page.ctx.uow, scope=page.scope, agent_id=aid)
    try:
        body = forms.agent_body(form)
        body["rotate_events_secret"] = form.get("rotate_events_secret") in ("on", "true", "1")
        data = AgentPatch.model_validate(body)
    except ValidationError as exc:
        return _agent_form(
            page,
            agent=agent,
            values=forms.form_values(form),
            status=422,
            errors=forms.problems(exc),
        )
    except ValueError as exc:
        return _agent_form(
            page, agent=agent, values=forms.form_values(form), status=422, errors=[str(exc)]
        )
    try:
        agent, secret = await agents.update_agent(
            uow=page.ctx.uow, scope=page.scope, agent_id=aid, data=data
        )
    except ApiError as exc:
        await page.ctx.uow.rollback()
        agent = await agents.get_agent(uow=page.ctx.uow, scope=page.scope, agent_id=aid)
        return _agent_form(
            page,
            agent=agent,
            values=forms.form_values(form),
            status=exc.status_code,
            errors=[exc.message],
        )
    if secret:
        return _agent_form(page, agent=agent, values=forms.agent_values(agent), secret=secret)
    return page.redirect("/agents", ok(f"Agent {agent.name} saved."))


@router.get("/t/{tid}/agents/{aid}/delete")
async def delete_agent_confirm(request: Request, tid: uuid.UUID, aid: uuid.UUID) -> Response:
    """The confirmation step before deleting an agent."""
    page = await tenant_view(request, tid)
    agent = await agents.get_agent(uow=page.ctx.uow, scope=page.scope, agent_id=aid)
    return page.render(
        "tenant/agent_delete.html", title=f"Delete {agent.name}", section="agents", agent=agent
    )


@router.post("/t/{tid}/agents/{aid}/delete")
async def delete_agent(request: Request, tid: uuid.UUID, aid: uuid.UUID) -> Response:
    """Delete an agent; its numbers stay, detached."""
    page = await tenant_write(request, tid)
    try:
        agent = await agents.get_agent(uow=page.ctx.uow, scope=page.scope, agent_id=aid)
        name = agent.name
        await agents.delete_agent(uow=page.ctx.uow, scope=page.scope, agent_id=aid)
    except ApiError as exc:
        return page.redirect("/agents", failed(exc.message))
    return page.redirect("/agents", ok(f"Agent {name} deleted; its numbers are detached."))


# trunk -----------------------------------------------------------------------------------------


async def _trunk_page(
    page: TenantPage,
    *,
    password: str | None = None,
    status: int = 200,
    flashes: list[Flash] | None = None,
) -> HTMLResponse:
    uow, scope = page.ctx.uow, page.scope
    try:
        trunk = TrunkOut.from_result(await trunks.get_trunk(uow=uow, scope=scope))
    except NotFound:
        trunk = None
    held, _ = await numbers.list_numbers(
        uow=uow, scope=scope, statuses=["active"], cursor=None, limit=200
    )
    return page.render(
        "tenant/trunk.html",
        status=status,
        title="SIP trunk",
        section="trunk",
        trunk=trunk,
        password=password,
        numbers=held,
        flashes=flashes or [],
        default_origination=uow.runtime.settings.origination_sip_uri or "",
    )


@router.get("/t/{tid}/trunk")
async def trunk_page(request: Request, tid: uuid.UUID) -> Response:
    """The tenant's trunk: termination, origination, SIP user, numbers on it."""
    return await _trunk_page(await tenant_view(request, tid))


@router.post("/t/{tid}/trunk")
async def trunk_ensure(request: Request, tid: uuid.UUID) -> Response:
    """Set up the trunk (or change its origination), as `PUT trunk` does."""
    page = await tenant_write(request, tid)
    try:
        result = await trunks.ensure_trunk(
            uow=page.ctx.uow,
            scope=page.scope,
            origination_sip_uri=forms.text(page.ctx.form, "origination_sip_uri"),
        )
    except ApiError as exc:
        return page.redirect("/trunk", failed(exc.message))
    if result.sip_password:
        return await _trunk_page(
            page,
            password=result.sip_password,
            status=201 if result.created else 200,
            flashes=[ok("The trunk is ready. Copy the SIP password now: it is not shown again.")],
        )
    return page.redirect("/trunk", ok("The trunk is up to date."))


@router.post("/t/{tid}/trunk/add")
async def trunk_add(request: Request, tid: uuid.UUID) -> Response:
    """Put the chosen number on the trunk (`PUT trunk/phone-numbers/{nid}`)."""
    page = await tenant_write(request, tid)
    try:
        number_id = uuid.UUID(forms.text(page.ctx.form, "number_id") or "")
    except ValueError:
        return page.redirect("/trunk", failed("choose a number from the list"))
    try:
        number, _ = await trunks.attach_number(
            uow=page.ctx.uow, scope=page.scope, number_id=number_id
        )
    except ApiError as exc:
        return page.redirect("/trunk", failed(exc.message))
    return page.redirect(
        "/trunk", ok(f"{number.e164} is on the trunk: calls go to the origination URI.")
    )


@router.post("/t/{tid}/trunk/rotate")
async def trunk_rotate(request: Request, tid: uuid.UUID) -> Response:
    """A new SIP password; this answer is the only place it appears."""
    page = await tenant_write(request, tid)
    try:
        result = await trunks.rotate_credentials(uow=page.ctx.uow, scope=page.scope)
    except ApiError as exc:
        return page.redirect("/trunk", failed(exc.message))
    return await _trunk_page(
        page,
        password=result.sip_password,
        flashes=[ok("New SIP password set. Copy it now: it is not shown again.")],
    )


# connection --------------------------------------------------------------------------------------


@router.get("/t/{tid}/connection")
async def connection_page(request: Request, tid: uuid.UUID) -> Response:
    """The tenant's Twilio connection and its credential health."""
    page = await tenant_view(request, tid)
    conn = connection_out(await connections.get_connection(uow=page.ctx.uow, scope=page.scope))
    return page.render(
        "tenant/connection.html", title="Connection", section="connection", conn=conn
    )


@router.post("/t/{tid}/connection/health")
async def connection_test(request: Request, tid: uuid.UUID) -> Response:
    """Check the credentials now ("test now")."""
    page = await tenant_write(request, tid)
    try:
        conn = await connections.check_health(uow=page.ctx.uow, scope=page.scope)
    except ApiError as exc:
        return page.redirect("/connection", failed(exc.message))
    status = conn.health_status or "NOT_CONFIGURED"
    text = f"Connection test: {status}"
    if conn.health_latency_ms is not None:
        text += f" in {conn.health_latency_ms} ms"
    if conn.health_detail:
        text += f" ({conn.health_detail})"
    return page.redirect("/connection", ok(text) if status == "HEALTHY" else failed(text))


@router.post("/t/{tid}/connection")
async def connection_change(request: Request, tid: uuid.UUID) -> Response:
    """Choose the account model (byo credentials are verified at Twilio first)."""
    page = await tenant_write(request, tid)
    form = page.ctx.form
    model = forms.text(form, "model") or "master"
    body: dict[str, Any] = {"model": model}
    if model == "byo":
        body["account_sid"] = forms.text(form, "account_sid")
        token = forms.text(form, "auth_token")
        body["auth_token"] = SecretStr(token) if token else None
    try:
        data = ConnectionPut.model_validate(body)
    except ValidationError as exc:
        return page.redirect("/connection", failed("; ".join(forms.problems(exc))))
    try:
        await connections.put_connection(uow=page.ctx.uow, scope=page.scope, data=data)
    except ApiError as exc:
        return page.redirect("/connection", failed(exc.message))
    return page.redirect("/connection", ok(f"The tenant now uses the {model} account model."))


# API keys --------------------------------------------------------------------------------------


@router.get("/t/{tid}/keys")
async def keys_page(request: Request, tid: uuid.UUID) -> Response:
    """The tenant's API keys (admins; as `GET api-keys`)."""
    ctx = await viewer(request)
    page = await _tenant(ctx, tid, write=True)
    rows = await tenants.list_api_keys(uow=ctx.uow, scope=page.scope)
    return page.render(
        "tenant/keys.html", title="API keys", section="keys", keys=rows, new_key=None
    )


@router.post("/t/{tid}/keys")
async def create_key(request: Request, tid: uuid.UUID) -> Response:
    """Create a key; shown on this answer only."""
    page = await tenant_write(request, tid)
    role = forms.text(page.ctx.form, "role")
    if role not in ("admin", "member"):
        return page.redirect("/keys", failed("choose the role admin or member"))
    try:
        row, plain = await tenants.create_api_key(
            uow=page.ctx.uow,
            actor=page.scope.actor,
            role=Role(role),
            tenant_id=page.scope.tenant_id,
            name=(forms.text(page.ctx.form, "name") or "")[:200] or None,
        )
    except ApiError as exc:
        return page.redirect("/keys", failed(exc.message))
    rows = await tenants.list_api_keys(uow=page.ctx.uow, scope=page.scope)
    return page.render(
        "tenant/keys.html",
        status=201,
        title="API keys",
        section="keys",
        keys=rows,
        new_key=plain,
        flashes=[
            ok(
                f"{role.capitalize()} key {row.prefix}… created. "
                "Copy it now: it is not shown again."
            )
        ],
    )


@router.post("/t/{tid}/keys/{key_id}/revoke")
async def revoke_key(request: Request, tid: uuid.UUID, key_id: uuid.UUID) -> Response:
    """Revoke a key (revoking your own signs you out)."""
    page = await tenant_write(request, tid)
    try:
        row = await tenants.revoke_api_key(uow=page.ctx.uow, scope=page.scope, key_id=key_id)
    except ApiError as exc:
        return page.redirect("/keys", failed(exc.message))
    return page.redirect("/keys", ok(f"Key {row.prefix}… revoked."))


__all__ = ["router"]
