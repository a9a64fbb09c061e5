"""ASGI middleware: request body size limit (before any parsing), declared or streamed; the
access line of every request."""

from __future__ import annotations

import json
from collections.abc import Mapping
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callplane.log import access_enabled, access_line

MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(Exception):
    """The body grew past the limit while streaming in."""


async def send_error(send: Send, status: int, error: Mapping[str, object]) -> None:
    """Answer `{"error": error}` with `status`, from an ASGI middleware (before any route)."""
    body = json.dumps({"error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _reject(send: Send, limit: int) -> None:
    await send_error(
        send,
        413,
        {
            "code": "payload_too_large",
            "message": f"the request body is larger than {limit} bytes",
            "limit": limit,
        },
    )


class BodySizeLimit:
    """Refuse bodies over `limit` bytes with 413 `payload_too_large`, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    await _reject(send, self.limit)
                    return
        received = 0
        started = overflow = False

        async def limited_receive() -> Message:
            nonlocal received, overflow
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    overflow = True
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if overflow:
                # The app may have caught the overflow as a body it could not read (FastAPI
                # answers 400 then): whatever it answers, the client learns the body was too big.
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _reject(send, self.limit)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            pass
        if overflow and not started:
            await _reject(send, self.limit)


class AccessLog:
    """One access line per HTTP request at INFO (`log.access_line`): method, path, status and
    latency, written when the response is complete (a request that failed before answering is
    logged with 500, as the server answers it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_enabled():
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            client = scope.get("client")
            access_line(
                scope["method"],
                scope["path"],
                status,
                perf_counter() - started,
                client[0] if client else None,
            )
