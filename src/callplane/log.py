"""Structured logging (structlog) with a redaction processor applied to every record."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

import structlog

MASK = "***"

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


def register_secret(value: str | None) -> None:
    """Mask this exact value in every later log record (used for configured tokens and keys)."""
    if value and len(value) >= 6:
        _known_secrets.add(value)


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in _SECRET_KEY_PARTS)


def redact_text(text: str) -> str:
    """Mask secret-looking substrings and every registered secret in a string."""
    for secret in _known_secrets:
        if secret in text:
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


def redact_processor(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: no secret leaves the process in a log line."""
    for key in list(event_dict.keys()):
        value = event_dict[key]
        if _is_secret_key(key) and value:
            event_dict[key] = MASK
        else:
            event_dict[key] = redact_value(value)
    return event_dict


def _final_redaction(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any] | str
) -> MutableMapping[str, Any] | str:
    # After rendering (tracebacks included), scan the whole line once more.
    if isinstance(event_dict, str):
        return redact_text(event_dict)
    return event_dict


def configure_logging(level: str = "INFO", json: bool = False) -> None:
    """Route structlog and stdlib logging (uvicorn, sqlalchemy) through one redacting pipeline."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_processor,
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
    formatter = structlog.stdlib.ProcessorFormatter(
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


def get_logger(name: str | None = None, **initial: Any) -> Any:
    """A structlog logger bound to `name`."""
    return structlog.get_logger(name, **initial)


def register_secrets(values: Iterable[str | None]) -> None:
    """Register several secrets at once."""
    for value in values:
        register_secret(value)
