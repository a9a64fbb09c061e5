"""Injected faults: latency and error answers on chosen Twilio requests (test control)."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

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
        }


@dataclass
class FaultBook:
    """The active fault rules, in the order they were added."""

    rules: list[FaultRule] = field(default_factory=list)
    _next_id: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(default_factory=random.Random)

    def add(self, spec: dict[str, Any]) -> FaultRule:
        """Add a rule from `{"method", "path", "rate", "status", "code", "latency_ms", "count"}`."""
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
        if status is None and latency == 0:
            raise FaultSpecError("a rule needs a status, a latency_ms, or both")
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
            )
            self._next_id += 1
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self.rules.clear()

    def decide(self, method: str, paths: tuple[str, ...]) -> tuple[int, TwilioError | None]:
        """Total latency to add and the error to answer (if a rule fires) for one request."""
        latency = 0
        error: TwilioError | None = None
        with self._lock:
            for rule in self.rules:
                if not rule.matches(method, paths):
                    continue
                if rule.status is None:
                    latency += rule.latency_ms
                    rule.fired += 1
                    continue
                if error is None and self._random.random() < rule.rate:
                    latency += rule.latency_ms
                    rule.fired += 1
                    error = TwilioError(rule.status, rule.code or 20500, rule.message)
        return latency, error
