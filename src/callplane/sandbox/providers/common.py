"""Ground shared by the provider emulators: workspaces and keys, agents, requests, routing.

Every emulated provider account is a `Workspace` (Retell workspace, ElevenLabs workspace, Vapi
org, LiveKit project) reached with one API key issued by the test control. What a workspace owns
is never visible to another workspace's key: an unknown id and another workspace's id answer alike.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import phonenumbers

E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")


def new_id(prefix: str = "", length: int = 26, alphabet: str = "0123456789abcdef") -> str:
    """A random identifier: `prefix` then `length` characters of `alphabet`."""
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def now_ms() -> int:
    """Milliseconds since the epoch."""
    return int(time.time() * 1000)


def is_e164(value: object) -> bool:
    """Whether `value` is a valid E.164 number (as the providers require for imports)."""
    if not isinstance(value, str) or not E164_RE.match(value):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, None))
    except phonenumbers.NumberParseException:
        return False


def uri_host(uri: str) -> str:
    """The host of a SIP URI or address: `sip:+1555@Host.Example:5060;transport=tcp` -> host."""
    text = uri.strip()
    for scheme in ("sips:", "sip:"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
    text = text.split(";", 1)[0].split("?", 1)[0]
    text = text.rsplit("@", 1)[-1]
    if text.startswith("["):  # an IPv6 literal keeps its colons
        return text.split("]", 1)[0].strip("[").lower()
    return text.split(":", 1)[0].strip().rstrip(".").lower()


class ProviderError(Exception):
    """An error answer of an emulated provider (rendered in that provider's error shape)."""

    def __init__(self, status: int, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


@dataclass
class Answer:
    """What an emulator answers: a status and a JSON body, or raw bytes of a media type."""

    status: int
    body: Any = None
    raw: bytes | None = None
    media_type: str = "application/json"


@dataclass
class ProviderRequest:
    """One request to an emulated provider's API (its path below `/provider/<name>`)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """A request header (case-insensitive)."""
        return self.headers.get(name.lower())


@dataclass(eq=False)
class Agent:
    """An agent made by the test control (a Retell agent, ElevenLabs agent, Vapi assistant...)."""

    agent_id: str
    name: str
    created_ms: int = field(default_factory=now_ms)


@dataclass(eq=False)
class Workspace:
    """One provider account and the API key that reaches it."""

    id: str
    api_key: str
    api_secret: str | None = None
    agents: dict[str, Agent] = field(default_factory=dict)
    created_ms: int = field(default_factory=now_ms)


@dataclass
class Registration:
    """A number as the provider holds it: what `/__sandbox/state` shows, plus the SIP secret.

    `outbound_problem` says why the provider would not place an outbound call from the number
    (None when it would).
    """

    phone_number: str
    agent_id: str | None
    termination_uri: str | None
    sip_username: str | None
    registration_id: str
    workspace: Workspace
    sip_password: str | None = None
    outbound_problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The registration as the state control shows it (never a password or key)."""
        return {
            "phone_number": self.phone_number,
            "agent_id": self.agent_id,
            "termination_uri": self.termination_uri,
            "sip_username": self.sip_username,
            "registration_id": self.registration_id,
        }


@dataclass
class Termination:
    """What a provider presents to the trunk's termination for an outbound call."""

    uri: str
    username: str | None
    password: str | None


W = TypeVar("W", bound=Workspace)
T = TypeVar("T")
Handler = Callable[[W, ProviderRequest, dict[str, str]], Answer]


@dataclass
class Route(Generic[W]):
    """A method, a path pattern and its handler."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler[W]


class Emulator(ABC, Generic[W]):
    """One emulated provider: its workspaces, its API, its view of the numbers it holds."""

    name: ClassVar[str]
    # The SIP host a trunk's origination points at, when it is the same for every workspace.
    sip_host: ClassVar[str | None] = None

    def __init__(self) -> None:
        self.routes: list[Route[W]] = []
        self.register_routes()
        self.reset()

    def reset(self) -> None:
        """Forget every workspace, key and resource."""
        self.workspaces: dict[str, W] = {}
        self.by_key: dict[str, W] = {}

    # -- workspaces, keys and agents (test controls) ---------------------------------------

    @abstractmethod
    def new_workspace(self) -> W:
        """A fresh workspace with its own API key."""

    def issue_key(self) -> W:
        """Make a workspace and its key (the `keys` control)."""
        ws = self.new_workspace()
        self.workspaces[ws.id] = ws
        self.by_key[ws.api_key] = ws
        return ws

    def key_answer(self, ws: W, base_url: str) -> dict[str, Any]:
        """What the `keys` control answers for a new key (and the provider's SIP host)."""
        answer = {"api_key": ws.api_key, "base_url": base_url}
        if self.sip_host is not None:
            answer["sip_host"] = self.sip_host
        return answer

    def new_agent_id(self, name: str) -> str:
        """The id a new agent gets."""
        return new_id("agent_")

    def add_agent(self, ws: W, name: str) -> Agent:
        """Make an agent in a workspace (the `agents` control)."""
        agent_id = self.new_agent_id(name)
        if agent_id in ws.agents:
            raise ProviderError(409, f"agent {agent_id} already exists")
        agent = Agent(agent_id=agent_id, name=name)
        ws.agents[agent_id] = agent
        return agent

    # -- the HTTP API ----------------------------------------------------------------------

    @abstractmethod
    def register_routes(self) -> None:
        """Fill `self.routes`."""

    def route(self, method: str, template: str, handler: Handler[W]) -> None:
        """Add a route; `{name}` in the template matches one path segment."""
        parts = re.split(r"(\{\w+\})", template)
        regex = "".join(
            f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts
        )
        self.routes.append(Route(method, re.compile(f"^{regex}$"), handler))

    @abstractmethod
    def authenticate(self, request: ProviderRequest) -> W:
        """The workspace the request's credentials reach (ProviderError 401 otherwise)."""

    @abstractmethod
    def error_answer(self, error: ProviderError) -> Answer:
        """An error in the provider's own shape."""

    def handle(self, request: ProviderRequest) -> Answer:
        """Answer one API request (called under the sandbox's state lock)."""
        try:
            ws = self.authenticate(request)
            allowed = False
            for route in self.routes:
                match = route.pattern.match(request.path)
                if match is None:
                    continue
                if route.method != request.method:
                    allowed = True
                    continue
                return route.handler(ws, request, match.groupdict())
            if allowed:
                raise ProviderError(405, f"Method {request.method} not allowed")
            raise ProviderError(404, f"Cannot {request.method} {request.path}")
        except ProviderError as exc:
            return self.error_answer(exc)

    # -- numbers: state, outbound and inbound ----------------------------------------------

    @abstractmethod
    def registrations(self) -> list[Registration]:
        """Every number the provider holds, in every workspace, oldest first."""

    def termination_for(self, number: str, api_key: str | None) -> Termination:
        """The SIP termination the provider would use for an outbound call from `number`."""
        matches = [r for r in self.registrations() if r.phone_number == number]
        if api_key is not None:
            matches = [r for r in matches if r.workspace.api_key == api_key]
        if not matches:
            raise ProviderError(404, f"{number} is not registered at {self.name}")
        if len(matches) > 1:
            raise ProviderError(
                409, f"{number} is registered in several {self.name} workspaces: pass api_key"
            )
        reg = matches[0]
        if reg.outbound_problem is not None:
            raise ProviderError(409, reg.outbound_problem)
        if not reg.termination_uri:
            raise ProviderError(409, f"{number} has no termination URI at {self.name}")
        return Termination(reg.termination_uri, reg.sip_username, reg.sip_password)

    @abstractmethod
    def route_inbound(self, host: str, number: str, caller: str | None) -> dict[str, Any] | None:
        """Which agent takes a call from `caller` to `number` sent to SIP `host`.

        None when `host` is not this provider's SIP host.
        """

    def routed(self, agent_id: str | None, error: str | None = None) -> dict[str, Any]:
        """The `provider` part of an inbound simulation's answer."""
        answer: dict[str, Any] = {"name": self.name, "agent_id": agent_id}
        if error is not None:
            answer["error"] = error
        return answer


def json_object(request: ProviderRequest) -> dict[str, Any]:
    """The request's JSON body as an object (ProviderError 400 otherwise)."""
    if not request.body.strip():
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ProviderError(400, "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ProviderError(400, "the body must be a JSON object")
    return data


def found(items: dict[str, T], key: str, message: str, *, code: str | None = None) -> T:
    """The item under `key`, or the provider's 404 with `message`."""
    item = items.get(key)
    if item is None:
        raise ProviderError(404, message, code=code)
    return item


def bearer(request: ProviderRequest) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    value = request.header("authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def page_limit(raw: str | None, default: int, maximum: int) -> int:
    """A `limit` query parameter, clamped (ProviderError 400 when not a positive integer)."""
    if raw is None or raw == "":
        return default
    try:
        value = int(float(raw))
    except (ValueError, OverflowError):
        raise ProviderError(400, "limit must be a number") from None
    if value < 1:
        raise ProviderError(400, "limit must be positive")
    return min(value, maximum)
