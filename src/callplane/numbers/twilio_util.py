"""A gap in the SDK's error model that the numbers feature works around.

The `twilio` SDK raises `TwilioRestException` (status, Twilio code) for a failed create, fetch,
update or delete, but a failed *list* page raises the bare `TwilioException("Unable to fetch
page", response)`, which `callplane.twilio.errors.call_twilio` neither retries nor maps (it
would surface as a 500). `listing()` turns that into the `TwilioRestException` Twilio's body
describes, so list calls are retried and mapped like every other call.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

from twilio.base.exceptions import TwilioException, TwilioRestException

T = TypeVar("T")


def listing(operation: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
    """Wrap a list call so that page errors raise TwilioRestException."""

    async def run() -> T:
        try:
            return await operation()
        except TwilioRestException:
            raise
        except TwilioException as exc:
            response = exc.args[1] if len(exc.args) > 1 else None
            status = getattr(response, "status_code", None)
            if not isinstance(status, int):
                raise
            try:
                body = json.loads(getattr(response, "text", "") or "{}")
            except ValueError:
                body = {}
            if not isinstance(body, dict):
                body = {}
            raise TwilioRestException(
                status,
                "",
                msg=str(body.get("message") or exc.args[0]),
                code=body.get("code") if isinstance(body.get("code"), int) else None,
                method="GET",
                details=body,
            ) from exc

    return run
