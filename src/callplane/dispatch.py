"""Route dispatch whose cost does not grow with the number of routes.

FastAPI matches a request against the app's routes one at a time (an included router's routes
one at a time too), so `/healthz`, placed after ~115 routes, paid ~165 µs of matching per
request and every API route paid for the routers before its own. Here the app's router is
given an index of its route table by path segments (a trie: literal segments, parameters,
prefixes): a request is matched, by FastAPI's own code, against a *view* of the route table
that holds only the routes whose shape could match its path (or the path with its trailing
slash toggled, for FastAPI's redirect), in their original order. The answer is the one the
whole table gives: a route left out of the view could not have matched (a 404, a 405 and its
`Allow` header, a redirect are decided as before). The route table itself (OpenAPI, `url_for`)
is untouched; the index is rebuilt when the table's length changes.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from fastapi import FastAPI
from fastapi.routing import _IncludedRouter  # FastAPI's inclusion of a router (its routes)
from starlette._utils import get_route_path
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

# A shape: literal segments and None for a parameter; `prefix` shapes match longer paths too.
Shape = tuple[tuple[str | None, ...], bool]


class _Node:
    __slots__ = ("exact", "literal", "param", "prefix")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.exact: set[int] = set()  # routes whose shape ends here
        self.prefix: set[int] = set()  # routes matching every path from here down


def _shape(path: str | None, *, prefix: bool = False) -> Shape | None:
    """The segments of a route's path format; None when it is not known (matches anything)."""
    if path is None:
        return None
    if not path.startswith("/"):
        return None if path else ((), True)
    parts: list[str | None] = []
    for segment in path[1:].split("/"):
        if "{" in segment:
            if ":path}" in segment:  # spans segments: everything below matches
                return tuple(parts), True
            parts.append(None)
        else:
            parts.append(segment)
    if prefix:
        while parts and parts[-1] == "":
            parts.pop()
    return tuple(parts), prefix


def _route_shape(route: Any) -> Shape | None:
    """The shape of a route or an effective route context (None: unknown, always a candidate)."""
    target = getattr(route, "starlette_route", None) or route
    if isinstance(target, Mount):
        return _shape(target.path or "/", prefix=True)
    original = getattr(route, "original_route", None)
    if isinstance(original, Mount):
        return _shape(original.path or "/", prefix=True)
    return _shape(getattr(target, "path_format", None) or getattr(route, "path_format", None))


class _Index:
    """The route table by shape: which routes (by number) could match a path."""

    def __init__(self) -> None:
        self.root = _Node()
        self.anywhere: set[int] = set()

    def add(self, number: int, shape: Shape | None) -> None:
        if shape is None:
            self.anywhere.add(number)
            return
        node = self.root
        parts, prefix = shape
        for part in parts:
            if part is None:
                node.param = node.param or _Node()
                node = node.param
            else:
                node = node.literal.setdefault(part, _Node())
        (node.prefix if prefix else node.exact).add(number)

    def candidates(self, segments: list[str]) -> set[int]:
        found = set(self.anywhere)
        stack = [(self.root, 0)]
        last = len(segments)
        while stack:
            node, depth = stack.pop()
            found |= node.prefix
            if depth == last:
                found |= node.exact
                continue
            child = node.literal.get(segments[depth])
            if child is not None:
                stack.append((child, depth + 1))
            if node.param is not None:
                stack.append((node.param, depth + 1))
        return found


class _Table:
    """The index of one version of the route table, and the views built from it."""

    def __init__(self, router: Any) -> None:
        self.router = router
        self.length = len(router.routes)
        self.index = _Index()
        # Number -> (top-level position, leaf context or None for the whole top-level route).
        self.entries: list[tuple[int, Any]] = []
        for position, route in enumerate(router.routes):
            if isinstance(route, _IncludedRouter):
                for candidate in route.effective_candidates():
                    leaves = (
                        list(candidate.effective_route_contexts())
                        if isinstance(candidate, _IncludedRouter)
                        else [candidate]
                    )
                    number = len(self.entries)
                    self.entries.append((position, candidate))
                    for leaf in leaves:
                        self.index.add(number, _route_shape(leaf))
            else:
                number = len(self.entries)
                self.entries.append((position, None))
                self.index.add(number, _route_shape(route))
        self.views: dict[frozenset[int], Any] = {}
        self.paths: dict[str, Any] = {}

    def view(self, path: str) -> Any:
        """The router to match `path` with (a copy holding only its candidate routes)."""
        found = self.paths.get(path)
        if found is not None:
            return found
        segments = path[1:].split("/")
        numbers = self.index.candidates(segments)
        if path != "/":  # FastAPI's redirect tries the path with its trailing slash toggled
            toggled = segments[:-1] if path.endswith("/") else [*segments, ""]
            numbers |= self.index.candidates(toggled)
        key = frozenset(numbers)
        view = self.views.get(key)
        if view is None:
            view = self.views[key] = self._build(key)
        if len(self.paths) < 1024:  # fixed paths (health, webhooks, static) skip the walk
            self.paths[path] = view
        return view

    def _build(self, numbers: frozenset[int]) -> Any:
        chosen: dict[int, list[Any] | None] = {}
        for number in sorted(numbers):
            position, candidate = self.entries[number]
            if candidate is None:
                chosen[position] = None
            else:
                chosen.setdefault(position, []).append(candidate)  # type: ignore[union-attr]
        routes: list[BaseRoute] = []
        for position, route in enumerate(self.router.routes):
            if position not in chosen:
                continue
            subset = chosen[position]
            if subset is None or not isinstance(route, _IncludedRouter):
                routes.append(route)
                continue
            narrowed = dataclasses.replace(route)
            # FastAPI rebuilds an inclusion's candidates when its router's routes change
            # (their version): this one stays narrowed only while they do not.
            narrowed._effective_candidates = subset
            narrowed._effective_candidates_version = route.original_router._get_routes_version()
            routes.append(narrowed)
        view = copy.copy(self.router)
        view.routes = routes
        return view


class RouteDispatch:
    """The app router's entry: HTTP requests are matched against their candidate routes."""

    def __init__(self, router: Any) -> None:
        self.router = router
        self._table: _Table | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router.app(scope, receive, send)
            return
        table = self._table
        if table is None or table.length != len(self.router.routes):
            table = self._table = _Table(self.router)
        scope.setdefault("router", self.router)  # url_for and friends see the whole table
        path = get_route_path(scope) if scope.get("root_path") else scope["path"]
        await table.view(path).app(scope, receive, send)


class FrontDoor:
    """The app's entry: a plain route at a fixed path (the webhooks, /healthz) that the route
    table would select anyway is served through the app's own middleware and exception
    handlers, without FastAPI's other layers (telemetry of exceptions, its body limit, the
    exit stack for uploaded files: nothing a plain route uses) nor the router: ~14 µs of the
    ~69 a liveness probe cost in process. Every other request goes the whole way."""

    def __init__(self, app: FastAPI, whole: ASGIApp) -> None:
        self.whole = whole
        self.router = app.router
        table = _Table(app.router)
        self.fixed: dict[str, Route] = {
            route.path: route
            for route in app.router.routes
            if type(route) is Route
            and "{" not in route.path
            and table.view(route.path).routes[:1] == [route]
        }
        self.lane = _lane(app, self._handle)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = get_route_path(scope) if scope.get("root_path") else scope["path"]
            route = self.fixed.get(path)
            if route is not None and route.methods and scope["method"] in route.methods:
                scope.setdefault("router", self.router)
                scope["endpoint"] = route.endpoint
                scope["path_params"] = {}
                scope["route"] = route
                await self.lane(scope, receive, send)
                return
        await self.whole(scope, receive, send)

    @staticmethod
    async def _handle(scope: Scope, receive: Receive, send: Send) -> None:
        await scope["route"].handle(scope, receive, send)


def _lane(app: FastAPI, inner: ASGIApp) -> ASGIApp:
    """`inner` inside the app's middleware and exception handlers, in the order
    `Starlette.build_middleware_stack` puts them."""
    error_handler = None
    handlers: dict[Any, Any] = {}
    for key, value in app.exception_handlers.items():
        if key in (500, Exception):
            error_handler = value
        else:
            handlers[key] = value
    stack: ASGIApp = ExceptionMiddleware(inner, handlers=handlers, debug=app.debug)
    for cls, args, kwargs in reversed(app.user_middleware):
        stack = cls(stack, *args, **kwargs)
    return ServerErrorMiddleware(stack, handler=error_handler, debug=app.debug)


def install(app: FastAPI) -> None:
    """Dispatch the app's requests through the index (call once every route is added), fixed
    plain routes through the front door."""
    app.router.middleware_stack = RouteDispatch(app.router)
    build_whole = app.build_middleware_stack

    def build() -> ASGIApp:
        # Built when the app serves its first request, as Starlette builds its stack: every
        # middleware and exception handler added by then is in both ways in.
        return FrontDoor(app, build_whole())

    app.build_middleware_stack = build  # type: ignore[method-assign]
