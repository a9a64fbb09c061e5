"""Shared schema pieces: strict request models, list envelopes and the error body."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Strict, model_validator
from pydantic_core import PydanticCustomError

T = TypeVar("T")

NUL = "\x00"
NUL_CHARACTER = "nul_character"  # the error type (and the API's error code) of a NUL in input
INVALID_CREDENTIALS = "invalid_credentials"
# Validation error types that are the answer's own code (else it is `validation_error`).
CODED_VALIDATION_ERRORS = frozenset({NUL_CHARACTER, INVALID_CREDENTIALS})
# A list's page size: the routes' declaration (`PageLimit`) and their direct answers' check
# (`dispatch.page_query`) share the bounds.
PAGE_LIMIT, PAGE_LIMIT_MIN, PAGE_LIMIT_MAX = 50, 1, 200
PageLimit = Annotated[int, Query(ge=PAGE_LIMIT_MIN, le=PAGE_LIMIT_MAX)]


def _text_form(value: Any) -> Any:
    """JSON carries ids and times as strings: a number or a boolean is not one."""
    if isinstance(value, (bool, int, float)):
        raise PydanticCustomError("string_type", "Input should be a valid string")
    return value


# JSON has no type for ids and times: these take their string form (the one place a request
# field is converted); every other field takes exactly its JSON type (no "5" for 5, no 0 for
# false), since StrictModel is strict.
JsonUUID = Annotated[uuid.UUID, Strict(False), BeforeValidator(_text_form)]
JsonDatetime = Annotated[datetime, Strict(False), BeforeValidator(_text_form)]


def nul_paths(value: Any, path: str = "") -> Iterator[str]:
    """Where `value` (JSON-like: dicts, lists, strings) holds a NUL character, keys included."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "(value)"
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and NUL in key:
                yield where
            else:
                yield from nul_paths(item, where)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from nul_paths(item, f"{path}.{i}" if path else str(i))


class StrictModel(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped; every field takes
    exactly its JSON type (strict: no lenient coercion); no string holds a NUL character
    (PostgreSQL text cannot, so both databases refuse it alike, here, with `nul_character`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        where = next(nul_paths(data), None)
        if where is not None:
            raise PydanticCustomError(
                NUL_CHARACTER,
                "{field} holds a NUL character (U+0000), which no text field may hold",
                {"field": where.replace("(value)", "the value")},
            )
        return data


class ListOf(BaseModel, Generic[T]):
    """`{"data": [...], "next_cursor": ...}`."""

    data: list[T]
    next_cursor: str | None = None


class ErrorDetail(BaseModel):
    """What went wrong: a stable `code`, a sentence, and details that depend on the code
    (`twilio_code`, `fields`, `used`/`quota`, `number_id`, ...)."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class ErrorOut(BaseModel):
    """Every error answer of the API: `{"error": {"code", "message", ...details}}`."""

    error: ErrorDetail


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# The error answers any API route may give (shared by every router, so that the OpenAPI
# document lists the answers clients really get; FastAPI's own 422 body is not ours).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("Malformed request (invalid JSON, cursor, signature...)"),
    401: _error("Missing, unknown or revoked API key"),
    403: _error("The key's role may not do this"),
    404: _error("Unknown, or another tenant's (they look the same)"),
    409: _error("Conflicts with the current state"),
    413: _error("Request body too large"),
    422: _error("Well-formed but not acceptable (validation, Twilio refusals a person can fix)"),
    502: _error("Twilio failed after retries"),
}
# Numbers that count against the plan's quota.
QUOTA_RESPONSES: dict[int | str, dict[str, Any]] = {
    402: _error("The plan's phone-number quota is used up (`used`, `quota`)"),
}
