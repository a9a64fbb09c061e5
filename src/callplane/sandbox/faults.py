"""Injected faults on chosen Twilio requests (test control).

A rule acts before the work (the default: Twilio refuses, nothing happens) or after it
(`"after": true`: Twilio does the work, then answers an error, drops the connection or is
late). Either way it may delay (`latency_ms`), answer an error (`status`, `code`) or drop the
connection with no answer at all (`drop`).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from callplane.sandbox.errors import TwilioError


class FaultSpecError(ValueError):
    """A fault rule that cannot be built from the given JSON."""


@dataclass
class FaultRule:
    """Match requests by method and path regex; delay them and/or answer an error."""

    id: int
    method: str | None
    path: re.Pattern[str] | None
    rate: float = 1.0
    status: int | None = None
    code: int | None = None
    latency_ms: int = 0
    count: int | None = None
    fired: int = 0
    message: str = "Injected fault"
    after: bool = False
    drop: bool = False

    @property
    def answers(self) -> bool:
        """Whether the rule replaces the answer (an error or a drop), not only delays it."""
        return self.status is not None or self.drop

    def matches(self, method: str, paths: tuple[str, ...]) -> bool:
        """Whether this rule applies to a request (and has firings left)."""
        if self.count is not None and self.fired >= self.count:
            return False
        if self.method is not None and self.method != method:
            return False
        return self.path is None or any(self.path.search(p) for p in paths)

    def as_json(self) -> dict[str, Any]:
        """The rule as the controls show it."""
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path.pattern if self.path is not None else None,
            "rate": self.rate,
            "status": self.status,
            "code": self.code,
            "latency_ms": self.latency_ms,
            "count": self.count,
            "fired": self.fired,
            "after": self.after,
            "drop": self.drop,
        }


@dataclass
class Decision:
    """What the rules decided for one request at one moment (before or after the work)."""

    latency_ms: int = 0
    error: TwilioError | None = None
    drop: bool = False


@dataclass
class FaultBook:
    """The active fault rules, in the order they were added."""

    rules: list[FaultRule] = field(default_factory=list)
    _next_id: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(default_factory=random.Random)

    def add(self, spec: dict[str, Any]) -> FaultRule:
        """Add a rule from `{"method", "path", "rate", "status", "code", "latency_ms", "count",
        "after", "drop"}`."""
        if not isinstance(spec, dict):
            raise FaultSpecError("a fault rule is a JSON object")
        method = spec.get("method")
        if method is not None and not isinstance(method, str):
            raise FaultSpecError("method must be a string")
        path = spec.get("path")
        try:
            pattern = re.compile(path) if path else None
        except (re.error, TypeError) as exc:
            raise FaultSpecError(f"path is not a valid regex: {exc}") from None
        try:
            rate = float(spec.get("rate", 1.0))
            status = spec.get("status")
            status = int(status) if status is not None else None
            code = spec.get("code")
            code = int(code) if code is not None else None
            latency = int(spec.get("latency_ms") or 0)
            count = spec.get("count")
            count = int(count) if count is not None else None
        except (TypeError, ValueError):
            raise FaultSpecError(
                "rate, status, code, latency_ms and count must be numbers"
            ) from None
        if not 0.0 <= rate <= 1.0:
            raise FaultSpecError("rate must be between 0 and 1")
        if status is not None and not 400 <= status <= 599:
            raise FaultSpecError("status must be an HTTP error status (400-599)")
        if latency < 0 or latency > 120_000:
            raise FaultSpecError("latency_ms must be between 0 and 120000")
        after, drop = spec.get("after", False), spec.get("drop", False)
        if not isinstance(after, bool) or not isinstance(drop, bool):
            raise FaultSpecError("after and drop must be true or false")
        if drop and status is not None:
            raise FaultSpecError("a rule either answers a status or drops the connection")
        if status is None and not drop and latency == 0:
            raise FaultSpecError("a rule needs a status, drop: true or a latency_ms")
        if status is not None and code is None:
            code = 20500 if status >= 500 else (20429 if status == 429 else 20001)
        with self._lock:
            rule = FaultRule(
                id=self._next_id,
                method=method.upper() if method else None,
                path=pattern,
                rate=rate,
                status=status,
                code=code,
                latency_ms=latency,
                count=count,
                message=str(spec.get("message") or "Injected fault"),
                after=after,
                drop=drop,
            )
            self._next_id += 1
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self.rules.clear()

    def decide(self, method: str, paths: tuple[str, ...], *, after: bool = False) -> Decision:
        """Latency to add and the error or drop to answer, from the rules of one phase."""
        decision = Decision()
        with self._lock:
            for rule in self.rules:
                if rule.after != after or not rule.matches(method, paths):
                    continue
                if not rule.answers:
                    decision.latency_ms += rule.latency_ms
                    rule.fired += 1
                    continue
                answered = decision.error is not None or decision.drop
                if not answered and self._random.random() < rule.rate:
                    decision.latency_ms += rule.latency_ms
                    rule.fired += 1
                    if rule.drop:
                        decision.drop = True
                    else:
                        decision.error = TwilioError(
                            rule.status or 500, rule.code or 20500, rule.message
                        )
        return decision


class ConnectionDropped(ConnectionError):
    """A fault rule dropped the connection where no socket can be closed (in-process ASGI)."""


class DroppedConnection(Response):
    """No answer at all: the connection is closed as a crashed or partitioned server would.

    Under uvicorn (`SandboxServer`, `callplane sandbox`) the socket is aborted before a byte of
    the answer is written. In-process (httpx.ASGITransport) the client gets an exception.
    """

    def __init__(self) -> None:
        super().__init__(status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cycle = getattr(receive, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if transport is None:
            raise ConnectionDropped("the sandbox dropped the connection (fault rule)")
        transport.abort()
        # Wait until the server sees the disconnect, so it does not try to answer 500 itself.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(receive(), 1.0)
