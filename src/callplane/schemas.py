"""Shared schema pieces: strict request models, list envelopes and the error body."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class StrictModel(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
