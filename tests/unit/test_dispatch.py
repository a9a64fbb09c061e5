"""The app's route index selects, for every path and method, the route the whole route table
selects (so every URL, 404, 405 and redirect answers as before), from far fewer candidates."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import _IncludedRouter
from starlette.routing import Match

from callplane.app import create_app
from callplane.boundary import METHODS
from callplane.dispatch import RouteDispatch, _Table


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
