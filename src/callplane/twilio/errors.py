"""Twilio failures: retry what is safe to retry, map the rest to stable API errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from twilio.base.exceptions import TwilioException, TwilioRestException

from callplane.errors import ApiError, ProviderError
from callplane.log import get_logger

log = get_logger(__name__)
T = TypeVar("T")

# Twilio code -> (HTTP status, stable code, what a person can do about it).
TWILIO_ERRORS: dict[int, tuple[int, str, str]] = {
    20003: (
        422,
        "invalid_credentials",
        (
            "Twilio rejected the account SID and auth token (or API key). Check them in the "
            "Twilio console and update the connection."
        ),
    ),
    20404: (404, "twilio_resource_not_found", "Twilio does not know this resource."),
    21211: (422, "invalid_to_number", "The 'to' number is not a valid phone number."),
    21212: (422, "invalid_from_number", "The 'from' number is not a valid caller ID."),
    21422: (
        409,
        "phone_number_unavailable",
        "This number is no longer available. Search again and pick another one.",
    ),
    21606: (
        422,
        "from_number_not_sms_capable",
        "The 'from' number cannot send SMS to this destination. Use an SMS-capable number.",
    ),
    21610: (
        422,
        "recipient_unsubscribed",
        "The recipient has replied STOP to this number; it cannot be messaged until they opt in.",
    ),
    21614: (
        422,
        "to_number_not_mobile",
        "The 'to' number cannot receive SMS (not a mobile number).",
    ),
    21631: (
        422,
        "address_required",
        (
            "This number requires a registered address. Add the address to the compliance "
            "profile for this country and number type, then buy again."
        ),
    ),
    21649: (
        422,
        "bundle_required",
        (
            "This number is regulated and needs an approved regulatory bundle in the buying "
            "account. Register an approved bundle in the compliance profile for this country and "
            "number type (in the subaccount model callplane clones the platform's bundle into the "
            "subaccount)."
        ),
    ),
}

RETRYABLE_CODES = {20429}


def as_rest_exception(exc: TwilioException) -> TwilioException:
    """The SDK's list/page calls raise a bare TwilioException carrying the response: unwrap it.

    Returns a TwilioRestException with Twilio's status and code when the response is there,
    else the exception unchanged.
    """
    if isinstance(exc, TwilioRestException):
        return exc
    response = exc.args[1] if len(exc.args) > 1 else None
    status = getattr(response, "status_code", None)
    if not isinstance(status, int):
        return exc
    try:
        body = json.loads(getattr(response, "text", "") or "{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = body.get("code") if isinstance(body.get("code"), int) else None
    return TwilioRestException(
        status,
        "",
        msg=str(body.get("message") or exc.args[0]),
        code=code,
        method="GET",
        details=body,
    )


def is_retryable(exc: BaseException) -> bool:
    """Twilio rate limits, Twilio 5xx and transport failures."""
    if isinstance(exc, TwilioRestException):
        return exc.code in RETRYABLE_CODES or exc.status >= 500 or exc.status == 429
    return isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError))


def refused_before_acting(exc: BaseException) -> bool:
    """Whether Twilio certainly did nothing with a request that failed (`exc`, or the mapped
    ApiError of it): Twilio refused it (a 4xx: 20429, a bad parameter...) or was never reached
    (no connection: the request was not sent). A 5xx, a timeout or a dropped connection may
    come after Twilio acted."""
    cause = exc.__cause__ if isinstance(exc, ApiError) else exc
    if isinstance(cause, TwilioRestException):
        return bool(cause.status < 500)
    return isinstance(cause, (aiohttp.ClientConnectorError, ConnectionRefusedError))


def map_twilio_error(exc: BaseException) -> ApiError:
    """A stable API error for a Twilio failure; the Twilio code is kept as `twilio_code`."""
    if isinstance(exc, TwilioRestException):
        known = TWILIO_ERRORS.get(exc.code or 0)
        if known:
            status, code, message = known
            return ApiError(message, code=code, status_code=status, twilio_code=exc.code)
        return ProviderError(
            f"Twilio answered an error ({exc.code}): {exc.msg}", twilio_code=exc.code
        )
    return ProviderError("Twilio could not be reached; try again in a moment.")


async def create_once(
    create: Callable[[], Awaitable[T]],
    *,
    find: Callable[[], Awaitable[T | None]],
    action: str,
) -> T:
    """A create at Twilio, never repeated blindly: when it fails in a way that may come after
    Twilio made the resource (a 5xx, a timeout, a dropped connection), `find` looks for it, and
    what it finds is the answer (no orphan, no double). A refusal, or nothing found, raises."""
    try:
        return await call_twilio(create, retry=False, action=action)
    except ApiError as exc:
        if refused_before_acting(exc):
            raise
        try:
            found = await find()
        except ApiError:
            raise exc from exc.__cause__
        if found is None:
            raise
        log.warning("create failed in transit but happened", action=action)
        return found


async def call_twilio(
    operation: Callable[[], Awaitable[T]],
    *,
    retry: bool,
    action: str,
    attempts: int = 4,
    max_wait: float = 4.0,
) -> T:
    """Run one Twilio call; retry with backoff when `retry` (the call is safe to repeat)."""
    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(is_retryable)
            if retry
            else retry_if_exception(lambda _: False),
            stop=stop_after_attempt(attempts if retry else 1),
            wait=wait_exponential_jitter(multiplier=0.2, max=max_wait),
            reraise=True,
        ):
            with attempt:
                try:
                    return await operation()
                except TwilioException as exc:
                    raise as_rest_exception(exc) from exc
    except RetryError as exc:  # pragma: no cover - reraise=True makes this unreachable
        raise map_twilio_error(exc.last_attempt.exception() or exc) from exc
    except (TimeoutError, TwilioException, aiohttp.ClientError, ConnectionError) as exc:
        log.warning(
            "twilio call failed",
            action=action,
            twilio_code=getattr(exc, "code", None),
            status=getattr(exc, "status", None),
            error=type(exc).__name__,
        )
        raise map_twilio_error(exc) from exc
    raise AssertionError("unreachable")  # pragma: no cover
