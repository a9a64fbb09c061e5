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

In front of it (`FrontDoor`), the fixed plain routes (the webhooks, `/healthz`) and the API's
hottest reads that say how to answer without FastAPI (`directly`: the path's parameters
converted by the route's own rule, its answer by the same service as the route's endpoint) are
answered through the app's middleware and exception handlers alone.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import FastAPI

# _IncludedRouter: FastAPI's inclusion of a router (its routes)
from fastapi.routing import APIRoute, _IncludedRouter
from pydantic import Field, TypeAdapter, ValidationError
from starlette._utils import get_route_path
from starlette.datastructures import QueryParams
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from callplane.schemas import PAGE_LIMIT, PAGE_LIMIT_MAX, PAGE_LIMIT_MIN

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


Params = Callable[[dict[str, Any]], dict[str, Any] | None]
QueryArgs = Callable[[QueryParams], dict[str, Any] | None]
Serve = Callable[..., Awaitable[Response]]
# (method, path) -> what the front door answers it with; past this many it still answers, but
# works each path out again (a flood of distinct paths costs a match, never memory).
DIRECT_PATHS = 10_000


@dataclasses.dataclass(frozen=True, slots=True)
class Direct:
    """How to answer an API route without FastAPI: `params` converts the path's parameters as
    the route's own declarations would (None: they would not, FastAPI answers, e.g. its 422),
    `query` the query string's (per request; None: let FastAPI answer), and
    `serve(request, **params, **query)` answers as the route's endpoint does."""

    params: Params
    serve: Serve
    query: QueryArgs | None = None


_DIRECT = "_callplane_direct"
# What the front door chose for a path: the route, its raw and converted path parameters, and
# its direct answer.
_Chosen = tuple[APIRoute, dict[str, Any], dict[str, Any], Direct]


def directly(
    endpoint: Callable[..., Any], *, params: Params, query: QueryArgs | None = None
) -> Callable[[Serve], Serve]:
    """Decorate `serve` as the direct answer of `endpoint`'s route (see `FrontDoor`): for a
    read whose FastAPI machinery (dependency solving, its layers) costs more than its work."""

    def register(serve: Serve) -> Serve:
        setattr(endpoint, _DIRECT, Direct(params, serve, query))
        return serve

    return register


_UUID = TypeAdapter(uuid.UUID)


def uuid_params(*names: str) -> Params:
    """`params` for path parameters declared as UUIDs (validated by Pydantic, as FastAPI
    validates them: what it refuses with a 422 goes the whole way)."""

    def convert(raw: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return {name: _UUID.validate_python(raw[name]) for name in names}
        except (KeyError, ValidationError):
            return None

    return convert


_PAGE_LIMIT: TypeAdapter[int] = TypeAdapter(
    Annotated[int, Field(ge=PAGE_LIMIT_MIN, le=PAGE_LIMIT_MAX)]
)


def page_query(*, others: tuple[str, ...] = ()) -> QueryArgs:
    """`query` for a list's `cursor` and `limit` as a route declares them with `PageLimit` (the
    last of a repeated parameter; the limit checked by the same Pydantic bounds): None when
    one of `others` (a filter) is given or the limit is refused, which FastAPI then answers."""

    def convert(query: QueryParams) -> dict[str, Any] | None:
        if any(name in query for name in others):
            return None
        try:
            limit = _PAGE_LIMIT.validate_python(query["limit"]) if "limit" in query else PAGE_LIMIT
        except ValidationError:
            return None
        return {"cursor": query.get("cursor"), "limit": limit}

    return convert


def _api_leaves(routes: list[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, _IncludedRouter):
            found += _api_leaves(route.original_router.routes)
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


class FrontDoor:
    """The app's entry: a plain route at a fixed path (the webhooks, /healthz) that the route
    table would select anyway is served through the app's own middleware and exception
    handlers, without FastAPI's other layers (telemetry of exceptions, its body limit, the
    exit stack for uploaded files: nothing a plain route uses) nor the router: ~14 µs of the
    ~69 a liveness probe cost in process. So is an API route with a direct answer (`directly`)
    when the whole table selects it for the path, its parameters convert, and the method is
    the route's. Every other request goes the whole way."""

    def __init__(self, app: FastAPI, whole: ASGIApp) -> None:
        self.whole = whole
        self.router = app.router
        self.table = _Table(app.router)
        self.fixed: dict[str, Route] = {
            route.path: route
            for route in app.router.routes
            if type(route) is Route
            and "{" not in route.path
            and self.table.view(route.path).routes[:1] == [route]
        }
        self.lane = _lane(app, self._handle)
        self.direct_routes = [
            route
            for route in _api_leaves(app.router.routes)
            if getattr(route.endpoint, _DIRECT, None) is not None
        ]
        self.direct_methods = {m for route in self.direct_routes for m in route.methods or ()}
        self.direct_paths: dict[tuple[str, str], _Chosen | None] = {}
        self.direct_lane = _lane(app, self._serve_direct)

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
            if scope["method"] in self.direct_methods:
                found = self._direct(scope, path)
                if found is not None:
                    api_route, raw, params, direct = found
                    if direct.query is not None:
                        args = direct.query(QueryParams(scope["query_string"]))
                        if args is None:
                            await self.whole(scope, receive, send)
                            return
                        params = {**params, **args}
                    scope.setdefault("router", self.router)
                    scope["endpoint"] = api_route.endpoint
                    scope["path_params"] = dict(raw)
                    scope["route"] = api_route
                    scope["callplane.direct"] = (direct, params)
                    await self.direct_lane(scope, receive, send)
                    return
        await self.whole(scope, receive, send)

    def _direct(self, scope: Scope, path: str) -> _Chosen | None:
        """The route with a direct answer that the whole table selects for this request, its
        raw and converted path parameters and the answer; None when it goes the whole way."""
        key = (scope["method"], path)
        if key in self.direct_paths:
            return self.direct_paths[key]
        if self.table.length != len(self.router.routes):
            self.table = _Table(self.router)
            self.direct_paths.clear()
        found = None
        if any(route.path_regex.match(path) for route in self.direct_routes):
            found = self._select(scope, path)
        if len(self.direct_paths) < DIRECT_PATHS:
            self.direct_paths[key] = found
        return found

    def _select(self, scope: Scope, path: str) -> _Chosen | None:
        # The whole table's choice (the first full match, in order), by FastAPI's own matching
        # on the path's candidate routes; the table's answer depends on the method and path.
        probe = {"type": "http", "method": scope["method"], "path": path, "root_path": ""}
        for route in self.table.view(path).routes:
            if isinstance(route, _IncludedRouter):
                match, child, leaf, context = route._match({**probe, "fastapi": {}})
                leaf = getattr(context, "original_route", None) or leaf
            else:
                match, child = route.matches({**probe, "fastapi": {}})
                leaf = route
            if match is not Match.FULL:
                continue
            direct: Direct | None = getattr(getattr(leaf, "endpoint", None), _DIRECT, None)
            if direct is None or not isinstance(leaf, APIRoute):
                return None
            raw = dict(child.get("path_params", {}))
            params = direct.params(raw)
            return None if params is None else (leaf, raw, params, direct)
        return None

    @staticmethod
    async def _handle(scope: Scope, receive: Receive, send: Send) -> None:
        await scope["route"].handle(scope, receive, send)

    @staticmethod
    async def _serve_direct(scope: Scope, receive: Receive, send: Send) -> None:
        direct, params = scope["callplane.direct"]
        response = await direct.serve(Request(scope, receive, send), **params)
        await response(scope, receive, send)


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
