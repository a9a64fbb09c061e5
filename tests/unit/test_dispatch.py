"""The app's route index selects, for every path and method, the route the whole route table
selects (so every URL, 404, 405 and redirect answers as before), from far fewer candidates."""

from __future__ import annotations

import inspect
import re
from typing import Any

from fastapi.routing import _IncludedRouter
from fastapi.testclient import TestClient
from starlette.routing import Match, Route

from callplane.app import create_app
from callplane.boundary import METHODS
from callplane.dispatch import FrontDoor, RouteDispatch, _Table
from callplane.middleware import MAX_BODY_BYTES


def _select(routes: list[Any], scope: dict[str, Any]) -> tuple[str, Any]:
    """FastAPI's choice among `routes`: the first full match, else the first partial one
    (an included router answers with the route it selected inside)."""
    partial = None
    for route in routes:
        match, _ = route.matches({**scope, "fastapi": {}})
        if match is Match.FULL:
            return "full", _leaf(route, scope)
        if match is Match.PARTIAL and partial is None:
            partial = ("partial", _leaf(route, scope))
    return partial or ("none", None)


def _leaf(route: Any, scope: dict[str, Any]) -> Any:
    if isinstance(route, _IncludedRouter):
        _, _, inner, context = route._match({**scope, "fastapi": {}})
        return getattr(context, "original_route", None) or inner
    return route


def _paths(app: Any) -> list[str]:
    """Every route's path with sample parameters, with and without a trailing slash, and paths
    no route has."""
    found: set[str] = {"/", "/nope", "/v1", "/v1/", "/v1/nope", "/admin/nope/x", "/healthz/x"}
    for route in app.routes:
        contexts = (
            list(route.effective_route_contexts())
            if isinstance(route, _IncludedRouter)
            else [route]
        )
        for context in contexts:
            path = getattr(context, "path_format", None) or getattr(context, "path", "")
            for sample in ("abc", "00000000-0000-0000-0000-000000000000"):
                concrete = re.sub(r"\{[^}]*\}", sample, path)
                found |= {concrete, concrete.rstrip("/") or "/", concrete + "/", concrete + "/x"}
    return sorted(found)


def test_every_path_and_method_selects_what_the_whole_table_selects() -> None:
    app = create_app()
    assert isinstance(app.router.middleware_stack, RouteDispatch)
    table = _Table(app.router)
    paths = _paths(app)
    assert len(paths) > 300
    sizes = []
    for path in paths:
        view = table.view(path)
        sizes.append(len(view.routes))
        for method in METHODS:
            scope = {"type": "http", "method": method, "path": path, "root_path": ""}
            assert _select(view.routes, scope) == _select(app.router.routes, scope), (method, path)
            toggled = path.rstrip("/") if path.endswith("/") and path != "/" else path + "/"
            redirect = {**scope, "path": toggled}
            # FastAPI's redirect_slashes looks for the toggled path in the same view.
            assert (_select(view.routes, redirect)[0] == "none") == (
                _select(app.router.routes, redirect)[0] == "none"
            ), (method, path)
    # The point: a request is matched against a handful of routes, not all of them.
    assert max(sizes) <= 6 < len(app.router.routes)
    assert len(table.view("/healthz").routes) == 1


def _front_door(app: Any) -> FrontDoor:
    TestClient(app).get("/healthz")  # the stack is built by the first request (no lifespan)
    stack = app.middleware_stack
    assert isinstance(stack, FrontDoor)
    return stack


def test_the_front_door_takes_only_fixed_plain_routes_the_table_selects() -> None:
    app = create_app()
    door = _front_door(app)
    assert "/healthz" in door.fixed
    assert "/webhooks/twilio/voice" in door.fixed
    # API routes (FastAPI's own machinery) and routes with parameters go the whole way.
    assert all(type(route) is Route and "{" not in path for path, route in door.fixed.items())
    assert not any(path.startswith("/v1/") for path in door.fixed)
    for path, route in door.fixed.items():
        scope = {"type": "http", "method": next(iter(route.methods or ())), "path": path}
        assert _select(app.router.routes, {**scope, "root_path": ""}) == ("full", route)


def test_through_the_front_door_errors_and_methods_answer_as_the_whole_app() -> None:
    app = create_app()

    async def broken(_request: Any) -> Any:
        raise RuntimeError("boom")

    app.router.routes.insert(0, Route("/broken", broken, methods=["GET"]))
    client = TestClient(app, raise_server_exceptions=False)  # no lifespan: no I/O
    failed = client.get("/broken")
    assert isinstance(app.middleware_stack, FrontDoor)
    assert "/broken" in app.middleware_stack.fixed
    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "internal_error"
    # A method the route does not take: the whole app's 405 and its Allow header.
    wrong = client.get("/webhooks/twilio/voice")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST"
    assert client.head("/healthz").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}
    # The app's middleware is on the way: a body over the limit is refused before the webhook.
    big = client.post("/webhooks/twilio/voice", content=b"x" * (MAX_BODY_BYTES + 1))
    assert big.status_code == 413
    assert big.json()["error"]["code"] == "payload_too_large"


def _dependants(dependant: Any) -> list[Any]:
    found = [dependant]
    for sub in dependant.dependencies:
        found += _dependants(sub)
    return found


def test_no_route_or_dependency_runs_in_a_worker_thread() -> None:
    """FastAPI runs a plain function (route or dependency) in a worker thread: a thread hop
    per request (half of a kept page's CPU when `HotStore` was one); all are coroutines."""
    app = create_app()
    routes = [r for r in _leaves(app.router.routes) if getattr(r, "dependant", None)]
    assert len(routes) > 100
    plain = sorted(
        f"{route.path}: {d.call.__qualname__}"
        for route in routes
        for d in _dependants(route.dependant)
        if d.call is not None
        and not (inspect.iscoroutinefunction(d.call) or inspect.isasyncgenfunction(d.call))
    )
    assert plain == []


def _leaves(routes: list[Any]) -> list[Any]:
    found: list[Any] = []
    for route in routes:
        if isinstance(route, _IncludedRouter):
            found += _leaves(route.original_router.routes)
        else:
            found.append(route)
    return found
