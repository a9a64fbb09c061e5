"""Structured logging (structlog) with redaction applied to every record, and the access line.

Redaction is decided once per kind of line, not per value:

- every line: values under a secret-looking key are masked before rendering (structured), and
  the rendered line (tracebacks and reprs included) is scanned once, with one regex that holds
  every secret pattern and every registered secret;
- the access line (`access_line`, one per request, written by `middleware.AccessLog`) is
  rendered straight from fields whose content is known: the method, the status, the latency, the
  client's address and the path (scanned once per distinct path); never the query string.
"""

from __future__ import annotations

import json as jsonlib
import logging
import re
import sys
import time
from collections.abc import Iterable, Mapping, MutableMapping
from functools import lru_cache
from typing import Any

import structlog

MASK = "***"
ACCESS_LOGGER = "callplane.access"

# Keys whose values are secrets wherever they appear (matched case-insensitively, as substrings).
_SECRET_KEY_PARTS = (
    "token",
    "password",
    "passwd",
    "secret",
    "authorization",
    "signature",
    "api_key",
    "apikey",
    "cookie",
    "encryption_key",
    "private_key",
)
# Values that look like secrets even under an innocent key.
_SECRET_VALUE_PATTERNS = (
    re.compile(r"(?i)\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]+"),
    re.compile(r"\bcpk_[A-Za-z0-9_-]{8,}"),
    re.compile(r"(?i)(auth_?token|password|secret|api_?key)(['\"]?\s*[=:]\s*['\"]?)[^\s'\",&}]+"),
)
_known_secrets: set[str] = set()
# Registered secrets by their first characters. Every tenant's opened token is registered, so
# there may be thousands: one regex alternation of them all cost O(secrets) to compile on every
# registration (12 ms at 200, on the event loop) and to search on every line (2 ms at 1,000).
# Now a registration is one dict entry. A line is searched for each secret while there are
# few (C's substring search: ~55 ns a secret on a 223-character line), and past that by
# looking up each run of _HEAD characters of the line (~25 µs for that line, however many).
_HEAD = 6  # the shortest secret registered
_LOOK_FOR_EACH_BELOW = 400
_secrets_by_head: dict[str, set[str]] = {}
# Anything that looks like a secret whatever its key (most text: nothing).
_suspect = re.compile(
    "|".join(f"(?:{p.pattern.replace('(?i)', '')})" for p in _SECRET_VALUE_PATTERNS),
    re.IGNORECASE,
)


def register_secret(value: str | None) -> None:
    """Mask this exact value in every later log record (used for configured tokens and keys)."""
    if value and len(value) >= _HEAD and value not in _known_secrets:
        _known_secrets.add(value)
        _secrets_by_head.setdefault(value[:_HEAD], set()).add(value)
        _clean_path.cache_clear()


def _registered_in(text: str) -> list[str]:
    """The registered secrets `text` holds, longest first (one may hold another)."""
    # Copied before use: another thread may register a secret meanwhile.
    if len(_known_secrets) < _LOOK_FOR_EACH_BELOW:
        found = [s for s in tuple(_known_secrets) if s in text]
    else:
        runs = {text[i : i + _HEAD] for i in range(len(text) - _HEAD + 1)}
        heads = _secrets_by_head.keys() & runs
        found = [s for head in heads for s in tuple(_secrets_by_head[head]) if s in text]
    if len(found) > 1:
        found.sort(key=len, reverse=True)
    return found


@lru_cache(maxsize=1024)
def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in _SECRET_KEY_PARTS)


def redact_text(text: str) -> str:
    """Mask secret-looking substrings and every registered secret in a string."""
    registered = _registered_in(text)
    if not registered and _suspect.search(text) is None:
        return text
    for secret in registered:
        text = text.replace(secret, MASK)
    for pattern in _SECRET_VALUE_PATTERNS:
        if pattern.groups >= 2:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
        else:
            text = pattern.sub(lambda m: f"{m.group(1)} {MASK}" if m.groups() else MASK, text)
    return text


def redact_value(value: Any) -> Any:
    """Redact a value of any shape: mappings by key, sequences item by item, strings by pattern."""
    if isinstance(value, Mapping):
        return {
            k: (MASK if isinstance(k, str) and _is_secret_key(k) and v else redact_value(v))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(v) for v in value)
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, BaseException):
        return redact_text(repr(value))
    return value


def _mask_keys(value: Any) -> Any:
    """Values under secret-looking keys masked, at any depth (the text is scanned later)."""
    if isinstance(value, Mapping):
        return {
            k: (MASK if isinstance(k, str) and _is_secret_key(k) and v else _mask_keys(v))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(_mask_keys(v) for v in value)
    return value


def redact_processor(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: values under secret keys masked (structure only, no text scan)."""
    for key, value in event_dict.items():
        if _is_secret_key(key) and value:
            event_dict[key] = MASK
        elif isinstance(value, (Mapping, list, tuple)):
            event_dict[key] = _mask_keys(value)
    return event_dict


def _final_redaction(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any] | str
) -> MutableMapping[str, Any] | str:
    # The rendered line (values, reprs, tracebacks): scanned once.
    if isinstance(event_dict, str):
        return redact_text(event_dict)
    return event_dict


# -- the access line ------------------------------------------------------------------------

_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))


@lru_cache(maxsize=4096)
def _clean_path(path: str) -> str:
    """The path as logged: scanned for secrets once per distinct path (emptied on a new one)."""
    return redact_text(path) if len(path) <= 2048 else redact_text(path[:2048]) + "..."


@lru_cache(maxsize=64)
def _clean_client(host: str) -> str:
    return redact_text(host[:64])


_stamp_second = -1
_stamp_prefix = ""


def _timestamp(created: float) -> str:
    """`TimeStamper(fmt="iso", utc=True)`'s text for `created`, its date formatted once a second."""
    global _stamp_second, _stamp_prefix
    second = int(created)
    if second != _stamp_second:
        _stamp_prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _stamp_second = second
    return f"{_stamp_prefix}.{int((created - second) * 1_000_000):06d}Z"


# As ConsoleRenderer(colors=False) lays a line out: the event padded to 30 columns, keys sorted.
_CONSOLE_EVENT = "request".ljust(30) + " "


def _console_access(record: logging.LogRecord, access: tuple[Any, ...]) -> str:
    method, path, status, ms, client = access
    return (
        f"{_timestamp(record.created)} [info     ] {_CONSOLE_EVENT}[{ACCESS_LOGGER}] "
        f"client={client} duration_ms={ms} method={method} path={path} status={status}"
    )


def _json_access(record: logging.LogRecord, access: tuple[Any, ...]) -> str:
    method, path, status, ms, client = access
    return (
        f'{{"method": "{method}", "path": {jsonlib.dumps(path)}, "status": {status}, '
        f'"duration_ms": {ms}, "client": {jsonlib.dumps(client)}, "event": "request", '
        f'"level": "info", "logger": "{ACCESS_LOGGER}", '
        f'"timestamp": "{_timestamp(record.created)}"}}'
    )


_access_logger = logging.getLogger(ACCESS_LOGGER)


def access_enabled() -> bool:
    """Whether access lines are written (INFO enabled for `callplane.access`)."""
    return _access_logger.isEnabledFor(logging.INFO)


def access_line(method: str, path: str, status: int, seconds: float, client: str | None) -> None:
    """One request's line at INFO: method, path (no query string), status, latency, client."""
    access = (
        method if method in _METHODS else "OTHER",
        _clean_path(path),
        int(status),
        round(seconds * 1000, 2),
        _clean_client(client) if client else "-",
    )
    # Other formatters (a test's, a handler a user adds) get the same fields as a message.
    record = logging.LogRecord(
        ACCESS_LOGGER, logging.INFO, __file__, 0, "request %s %s %s %sms", access[:4], None
    )
    record.access = access
    _access_logger.handle(record)


class _Formatter(structlog.stdlib.ProcessorFormatter):
    """The pipeline's formatter; access lines are rendered without it (their fields are known)."""

    def __init__(self, *, json: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._access = _json_access if json else _console_access

    def format(self, record: logging.LogRecord) -> str:
        access = getattr(record, "access", None)
        if access is not None:
            return self._access(record, access)
        return super().format(record)


def configure_logging(level: str = "INFO", json: bool = False) -> None:
    """Route structlog and stdlib logging (uvicorn, sqlalchemy) through one redacting pipeline."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = _Formatter(
        json=json,
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_processor,
            renderer,
            _final_redaction,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_callplane", False):
            root.removeHandler(existing)
    handler._callplane = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # The SDK logs every request line at INFO; keep it for debugging only.
    logging.getLogger("twilio").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # callplane writes its own access line (middleware.AccessLog): uvicorn's would be a second.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


def get_logger(name: str | None = None, **initial: Any) -> Any:
    """A structlog logger bound to `name`."""
    return structlog.get_logger(name, **initial)


def register_secrets(values: Iterable[str | None]) -> None:
    """Register several secrets at once."""
    for value in values:
        register_secret(value)
