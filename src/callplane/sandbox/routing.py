"""A small regex router: the sandbox needs Twilio's own 404/405 bodies, not a framework's."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from callplane.sandbox.auth import Principal, reach_account
from callplane.sandbox.errors import method_not_allowed, not_found
from callplane.sandbox.state import Account, SandboxState
from callplane.sandbox.util import Params

Reply = tuple[int, Any]
Handler = Callable[["Ctx"], Reply]

# Path parameter shapes: SIDs are 2 letters + 32 hex; anything else in a SID slot is a 404.
SEGMENT = r"[^/]+"


@dataclass
class Ctx:
    """One Twilio API request as the handlers see it."""

    state: SandboxState
    method: str
    product: str
    path: str
    query: Params
    form: Params
    principal: Principal
    args: dict[str, str] = field(default_factory=dict)

    @property
    def params(self) -> Params:
        """The request's parameters: the query for reads, the form for writes."""
        return self.query if self.method in ("GET", "DELETE") else self.form

    def account(self, key: str = "AccountSid") -> Account:
        """The v2010 account named in the path, checked against the credentials."""
        return reach_account(self.state, self.principal, self.args[key], self.path)

    def not_found(self) -> Exception:
        """20404 for this request's path."""
        return not_found(self.path)


@dataclass
class Route:
    """A path pattern and its handlers by method."""

    pattern: re.Pattern[str]
    handlers: dict[str, Handler]


class Router:
    """Routes of one product (api, trunking, pricing, numbers)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, template: str, **handlers: Handler) -> None:
        """Register `template` ("/v1/Trunks/{Sid}") with handlers keyed by lower-case method."""
        regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>{SEGMENT})", template)
        regex = regex.replace(".json", r"\.json")
        pattern = re.compile(f"^{regex}$")
        self.routes.append(Route(pattern, {k.upper(): v for k, v in handlers.items()}))

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The handler and path arguments for a request, or Twilio's 404/405."""
        allowed = False
        for route in self.routes:
            match = route.pattern.match(path)
            if match is None:
                continue
            handler = route.handlers.get(method)
            if handler is None:
                allowed = True
                continue
            return handler, match.groupdict()
        if allowed:
            raise method_not_allowed(method)
        raise not_found(path)
