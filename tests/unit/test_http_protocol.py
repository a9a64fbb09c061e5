"""A response's head and body leave `callplane serve` in one write (`http_protocol`), so that a
replica killed mid-response leaves nothing half-sent for the proxy to hand on: the proxy
retries an unanswered webhook on another replica, never a begun one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from callplane.http_protocol import HOLD_LIMIT, WholeResponseProtocol

TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response><Connect/></Response>'


class Transport(asyncio.Transport):
    """What the protocol writes, write by write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _twiml(request: Request) -> Response:
    return Response(TWIML, media_type="application/xml")


async def _big(request: Request) -> Response:
    return PlainTextResponse("x" * (HOLD_LIMIT + 1))


async def _stream(request: Request) -> Response:
    async def chunks() -> Any:
        for part in (b"one,", b"two,", b"three"):
            yield part
            await asyncio.sleep(0)

    return StreamingResponse(chunks(), media_type="text/plain")


APP = Starlette(
    routes=[
        Route("/voice", _twiml, methods=["POST"]),
        Route("/big", _big),
        Route("/stream", _stream),
    ]
)


async def _serve(protocol_class: type[HttpToolsProtocol], request: bytes) -> Transport:
    config = Config(APP, log_config=None, access_log=False, lifespan="off")
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = Transport()
    protocol.connection_made(transport)
    protocol.data_received(request)
    for _ in range(50):  # the app's task, then the held write's release
        await asyncio.sleep(0)
    return transport


VOICE = (
    b"POST /voice HTTP/1.1\r\nHost: callplane\r\nContent-Type: application/x-www-form-urlencoded"
    b"\r\nContent-Length: 7\r\n\r\nFrom=%2"
)


async def test_a_response_is_written_once_head_and_body() -> None:
    transport = await _serve(WholeResponseProtocol, VOICE)
    assert len(transport.writes) == 1, transport.writes
    (written,) = transport.writes
    assert written.startswith(b"HTTP/1.1 200 OK\r\n") and written.endswith(b"\r\n\r\n" + TWIML)


async def test_uvicorn_alone_writes_the_head_before_the_body() -> None:
    # What the protocol is for: uvicorn's own sends the head, then the body.
    transport = await _serve(HttpToolsProtocol, VOICE)
    assert [w.endswith(TWIML) for w in transport.writes] == [False, True]


async def test_two_requests_on_one_connection_two_writes() -> None:
    get = b"GET /stream HTTP/1.1\r\nHost: callplane\r\n\r\n"
    transport = await _serve(WholeResponseProtocol, VOICE + get)
    joined = b"".join(transport.writes)
    assert joined.count(b"HTTP/1.1 200 OK") == 2 and TWIML in joined
    assert b"one," in joined and b"two," in joined and joined.endswith(b"0\r\n\r\n")


@pytest.mark.parametrize("path", ["/big", "/stream"])
async def test_large_and_streamed_bodies_arrive_whole(path: str) -> None:
    transport = await _serve(
        WholeResponseProtocol, f"GET {path} HTTP/1.1\r\nHost: c\r\n\r\n".encode()
    )
    joined = b"".join(transport.writes)
    head, _, body = joined.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    if path == "/big":
        assert body == b"x" * (HOLD_LIMIT + 1)
        assert len(transport.writes[-1]) > HOLD_LIMIT  # the large body is not held
    else:
        assert body == b"4\r\none,\r\n4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\n"


async def test_a_closing_connection_sends_what_is_held_first() -> None:
    request = b"POST /voice HTTP/1.1\r\nHost: c\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    transport = await _serve(WholeResponseProtocol, request)
    assert transport.closed
    assert len(transport.writes) == 1 and transport.writes[0].endswith(TWIML)
