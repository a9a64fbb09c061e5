"""uvicorn's HTTP protocol, with a response's head and body sent in one write.

uvicorn writes the status line and headers when the app sends `http.response.start`, and the
body in a second write. A process killed between the two (a replica SIGKILLed behind the
proxy) leaves the proxy holding a response's head without its body: a response begun cannot be
retried elsewhere, and the caller (Twilio) gets a broken answer. Joined, a small response is
either wholly sent or not sent at all, and the proxy retries the unsent ones on another replica
(deploy/nginx, docs/deploy.md).

Each write is held until the next write of the same loop iteration, which joins it, or until
the loop turns (`call_soon`), which sends it alone: a response's head and body, sent by the app
back to back, leave together; a streamed response's chunks are delayed by one loop iteration
at most. Writes larger than `HOLD_LIMIT` are not held (the transport's flow control sees them
at once).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Larger than a webhook's or an API call's answer with its head; a larger write goes at once.
HOLD_LIMIT = 64 * 1024


class JoinedWrites:
    """A transport whose writes are held one loop iteration, so that consecutive ones join."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send `data` with the write held before it, or hold it until the loop turns."""
        if self._held is not None:
            held, self._held = self._held, None
            self._transport.write(held + data)
        elif len(data) > HOLD_LIMIT:
            self._transport.write(data)
        else:
            self._held = bytes(data)
            self._loop.call_soon(self.release)

    def release(self) -> None:
        """Send the held write, if any (dropped when the connection is already gone)."""
        if self._held is not None:
            held, self._held = self._held, None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        """Send what is held, then close."""
        self.release()
        self._transport.close()

    def write_eof(self) -> None:
        """Send what is held, then end the writing side."""
        self.release()
        self._transport.write_eof()

    def abort(self) -> None:
        """Close at once; what is held is dropped with the transport's own buffer."""
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        # Everything else (extra info, reading, closing state, set_protocol) is the transport's.
        return getattr(self._transport, name)


class WholeResponseProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a transport whose consecutive writes join
    (`callplane serve`'s `http`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """The connection, its writes joined."""
        joined: Any = JoinedWrites(transport, self.loop)
        super().connection_made(joined)
