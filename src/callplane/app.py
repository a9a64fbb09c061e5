"""The FastAPI application."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from callplane import __version__, dispatch, openapi
from callplane.boundary import RefuseNul, allowed_methods
from callplane.db import models  # noqa: F401  (registers every table)
from callplane.db.rls import require_role
from callplane.errors import ApiError
from callplane.log import get_logger
from callplane.middleware import AccessLog, BodySizeLimit
from callplane.runtime import Runtime
from callplane.schemas import CODED_VALIDATION_ERRORS
from callplane.settings import Settings, get_settings
from callplane.tenancy import SYSTEM

log = get_logger(__name__)

API_ERRORS = Counter("callplane_api_errors_total", "API errors answered", ["code"])

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def _error(
    http_status: int,
    code: str,
    message: str,
    /,
    headers: dict[str, str] | None = None,
    **details: Any,
) -> JSONResponse:
    API_ERRORS.labels(code=code).inc()
    return JSONResponse(
        status_code=http_status,
        content={"error": {"code": code, "message": message, **details}},
        headers=headers,
    )


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _error(exc.status_code, exc.code, exc.message, **exc.details)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return _error(400, "invalid_json", "the request body is not valid JSON")
    fields = [
        {
            # A NUL is found by the model that holds it; its `field` says where below it.
            "field": ".".join(
                [str(p) for p in e.get("loc", ()) if p != "body"]
                + [str(f) for f in [(e.get("ctx") or {}).get("field")] if f]
            ),
            "problem": e.get("msg", "invalid"),
            "type": e.get("type"),
        }
        for e in errors
    ]
    code = next(
        (str(e["type"]) for e in errors if e.get("type") in CODED_VALIDATION_ERRORS),
        "validation_error",
    )
    return _error(422, code, "the request is not valid", fields=fields)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # every method of the path, not only the first route's
        headers["Allow"] = allowed_methods(request)
    return _error(exc.status_code, code, str(exc.detail), headers=headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", path=request.url.path, error=type(exc).__name__)
    return _error(500, "internal_error", "something went wrong on our side; it has been logged")


def worker_app() -> FastAPI:
    """The app of one `callplane serve --workers N` process: settings from the environment,
    its own logging (a spawned process starts with none)."""
    from callplane.log import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)


HEALTHZ_BODY = b'{"status":"ok"}'


def _telemetry() -> dict[str, Any] | None:
    """FastAPI's OpenTelemetry support as the process is set up when the app is made: left on
    when a provider is configured by then (`opentelemetry-instrument`, or FastAPI's own
    auto-configuration), off otherwise. FastAPI otherwise asks OpenTelemetry's three global
    providers on every request whether one has appeared since (~10 µs of a ~55 µs probe)."""
    if os.getenv("FASTAPI_OTEL_AUTO_CONFIGURE", "").lower() == "true":
        return None
    # FastAPI's own test of "is a provider configured" (the API has no public one).
    from fastapi.telemetry._asgi import NativeTelemetry

    probe: Any = {
        "tracer_provider": None,
        "meter_provider": None,
        "logger_provider": None,
        "tracing": True,
        "metrics": True,
        "logs": True,
    }
    if NativeTelemetry(probe).enabled():
        return None
    return {"tracing": False, "metrics": False, "logs": False}


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The callplane HTTP service."""
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or Runtime.create(settings)
        app.state.runtime = rt
        if runtime is None:
            # Row-level security does not bind a superuser or a BYPASSRLS role: refuse one.
            try:
                await require_role(rt.engine, allow_bypass=settings.allow_rls_bypass)
            except Exception:
                await rt.close()
                raise
        if settings.bootstrap_platform_key:
            from callplane.tenants.service import ensure_bootstrap_key

            async with rt.uow() as uow:
                await ensure_bootstrap_key(
                    uow=uow, actor=SYSTEM, key=settings.bootstrap_platform_key.get_secret_value()
                )
        from callplane.gateway.lifespan import gateway_lifespan

        # The job engine (DBOS schedules and workers, jobs/engine.py) runs in a service that
        # owns its runtime; an app handed a runtime (tests, embedding) leaves it to its owner.
        jobs_started = False
        if runtime is None and settings.jobs_enabled:
            from callplane.jobs import engine as jobs

            await jobs.start_engine_async(settings)
            jobs_started = True
        try:
            async with gateway_lifespan(app, rt):
                yield
        finally:
            if jobs_started:
                await jobs.stop_engine_async()
            if runtime is None:
                await rt.close()

    app = FastAPI(
        title="callplane",
        version=__version__,
        description="Multi-tenant telephony control plane for Twilio.",
        lifespan=lifespan,
        generate_unique_id_function=openapi.operation_id,
        telemetry=_telemetry(),  # type: ignore[arg-type]
    )
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(RefuseNul)
    app.add_middleware(AccessLog)  # outermost: every answer, the 413s and 422s above included

    from callplane.admin.routes import router as admin_router
    from callplane.agents.routes import router as agents_router
    from callplane.billing.routes import router as billing_router
    from callplane.connections.routes import router as connections_router
    from callplane.events.routes import router as events_router
    from callplane.gateway.routes import router as gateway_router
    from callplane.gateway.routes import webhook_routes
    from callplane.jobs.routes import router as jobs_router
    from callplane.messaging.routes import router as messaging_router
    from callplane.numbers.routes import router as numbers_router
    from callplane.providers.routes import router as providers_router
    from callplane.recordings.routes import router as recordings_router
    from callplane.tenants.routes import router as tenants_router
    from callplane.trunks.routes import router as trunks_router

    for router in (
        tenants_router,
        connections_router,
        agents_router,
        numbers_router,
        trunks_router,
        providers_router,
        events_router,
        messaging_router,
        recordings_router,
        billing_router,
        jobs_router,
        gateway_router,
        admin_router,
    ):
        app.include_router(router)
    # Every call and message of every tenant comes through these: they are matched first.
    app.router.routes[0:0] = webhook_routes()
    openapi.install(app)

    async def healthz(_request: Request) -> Response:
        """The process is alive (touches nothing)."""
        return Response(HEALTHZ_BODY, media_type="application/json")

    # A plain route: no parameters to solve nor answer to validate (FastAPI's route machinery
    # was ~40% of a liveness probe that load balancers send every few seconds per process).
    app.add_route("/healthz", healthz, methods=["GET"], include_in_schema=False)

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        """The database answers."""
        try:
            async with request.app.state.runtime.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - readiness reports, it does not raise
            log.warning("database not ready", error=type(exc).__name__)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics."""
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    dispatch.install(app)
    return app
