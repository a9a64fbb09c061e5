"""Twilio's error bodies, exactly as the real API sends them."""

from __future__ import annotations

from typing import Any

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


class TwilioError(Exception):
    """An error answer: HTTP status, Twilio error code and message."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        """The JSON body Twilio sends for this error."""
        return error_body(self.status, self.code, self.message)


def error_body(status: int, code: int, message: str) -> dict[str, Any]:
    """`{"code", "message", "more_info", "status"}` as Twilio answers it."""
    return {
        "code": code,
        "message": message,
        "more_info": MORE_INFO.format(code=code),
        "status": status,
    }


def not_found(path: str) -> TwilioError:
    """20404 for an unknown resource (or a SID that cannot exist)."""
    return TwilioError(404, 20404, f"The requested resource {path} was not found")


def unauthorized() -> TwilioError:
    """20003: bad, missing or inactive credentials."""
    return TwilioError(401, 20003, "Authenticate")


def forbidden(message: str = "Forbidden") -> TwilioError:
    """20403: the credentials may not touch this resource."""
    return TwilioError(403, 20403, message)


def method_not_allowed(method: str) -> TwilioError:
    """20004: the path exists, the method does not."""
    return TwilioError(405, 20004, f"Method {method} not allowed")


def missing_param(name: str) -> TwilioError:
    """20001 as the v1/v2 APIs answer a missing required parameter."""
    return TwilioError(400, 20001, f"Missing required parameter {name} in the post body")


def invalid_param(name: str, detail: str = "") -> TwilioError:
    """20001 for a parameter whose value Twilio would refuse."""
    suffix = f": {detail}" if detail else ""
    return TwilioError(400, 20001, f"Invalid parameter {name}{suffix}")


def bad_request(code: int, message: str) -> TwilioError:
    """A 400 with a specific Twilio code."""
    return TwilioError(400, code, message)
