"""`unwrap`: the parsed answer of a call, or a `CallplaneError` for an error answer."""

from __future__ import annotations

from typing import Any, TypeVar

from .models.error_out import ErrorOut
from .types import Response

T = TypeVar("T")


class CallplaneError(Exception):
    """An error answer: `code` is stable (branch on it), `details` the rest of the envelope."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def unwrap(response: Response[Any], model: type[T]) -> T:
    """`response.parsed` when it is a `model`; raises `CallplaneError` otherwise."""
    parsed = response.parsed
    if isinstance(parsed, model):
        return parsed
    status = int(response.status_code)
    if isinstance(parsed, ErrorOut):
        details = dict(parsed.error.additional_properties)
        raise CallplaneError(status, parsed.error.code, parsed.error.message, details)
    raise CallplaneError(
        status, "unexpected_answer", response.content[:200].decode(errors="replace"), {}
    )
