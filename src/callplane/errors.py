"""The error model: every failure the API reports has a stable `code`."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered as `{"error": {"code", "message", ...details}}` with an HTTP status."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.details = details

    def to_body(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class NotFound(ApiError):
    """Unknown, or another tenant's (which must look exactly the same)."""

    status_code = 404
    code = "not_found"

    def __init__(self, what: str = "resource", **details: Any) -> None:
        super().__init__(f"{what} not found", **details)


class Unauthorized(ApiError):
    """No, wrong or revoked API key."""

    status_code = 401
    code = "unauthorized"


class Forbidden(ApiError):
    """The key is valid but its role may not do this."""

    status_code = 403
    code = "forbidden"


class Conflict(ApiError):
    """The request conflicts with the current state."""

    status_code = 409
    code = "conflict"


class Unprocessable(ApiError):
    """Well-formed, but not acceptable."""

    status_code = 422
    code = "unprocessable"


class ProviderError(ApiError):
    """Twilio failed after retries, or failed in a way we cannot act on."""

    status_code = 502
    code = "provider_error"
