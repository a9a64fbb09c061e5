"""The access line: one per request at INFO, with method, path, status and latency, in both
renderers; no query string and no secret in it; nothing at WARNING."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from callplane.log import MASK, configure_logging, register_secret
from callplane.middleware import AccessLog

CONSOLE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z \[info     \] request +\[callplane\.access\] "
    r"client=(?P<client>\S+) duration_ms=(?P<ms>[0-9.]+) method=(?P<method>\S+) "
    r"path=(?P<path>\S+) status=(?P<status>\d+)$"
)


async def _ok(request: Request) -> Response:
    return PlainTextResponse("ok")


async def _boom(request: Request) -> Response:
    raise RuntimeError("boom")


def _app() -> AccessLog:
    routes = [Route("/ok/{x}", _ok, methods=["GET", "POST"]), Route("/boom", _boom)]
    return AccessLog(Starlette(routes=routes))


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    yield io.StringIO()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_test_access", False):
            root.removeHandler(handler)
    configure_logging("INFO")


def _capture(buffer: io.StringIO, *, json_lines: bool = False, level: str = "INFO") -> None:
    configure_logging(level, json=json_lines)
    ours = next(h for h in logging.getLogger().handlers if getattr(h, "_callplane", False))
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(ours.formatter)
    handler._test_access = True  # type: ignore[attr-defined]
    logging.getLogger().addHandler(handler)


async def _get(path: str, method: str = "GET") -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.request(method, path)


def _lines(buffer: io.StringIO) -> list[str]:
    return [line for line in buffer.getvalue().splitlines() if "callplane.access" in line]


async def test_console_line_per_request_with_status_and_latency(captured: io.StringIO) -> None:
    _capture(captured)
    assert (await _get("/ok/1?token=abcdefabcdef1234")).status_code == 200
    assert (await _get("/nowhere")).status_code == 404
    assert (await _get("/ok/1", "DELETE")).status_code == 405
    lines = _lines(captured)
    assert len(lines) == 3, lines
    found = [CONSOLE.match(line) for line in lines]
    assert all(found), lines
    got = [(m["method"], m["path"], m["status"]) for m in found if m]
    assert got == [("GET", "/ok/1", "200"), ("GET", "/nowhere", "404"), ("DELETE", "/ok/1", "405")]
    assert all(float(m["ms"]) >= 0 for m in found if m)
    assert not any("abcdefabcdef1234" in line for line in lines)  # never the query string


async def test_json_line_per_request(captured: io.StringIO) -> None:
    _capture(captured, json_lines=True)
    await _get("/ok/2")
    (line,) = _lines(captured)
    record = json.loads(line)
    assert record["event"] == "request" and record["level"] == "info"
    assert record["logger"] == "callplane.access"
    assert (record["method"], record["path"], record["status"]) == ("GET", "/ok/2", 200)
    assert isinstance(record["duration_ms"], float) and record["duration_ms"] >= 0
    assert record["timestamp"].endswith("Z")


async def test_a_failed_request_is_logged_as_500(captured: io.StringIO) -> None:
    _capture(captured)
    assert (await _get("/boom")).status_code == 500
    (line,) = _lines(captured)
    assert line.endswith("path=/boom status=500")


async def test_secrets_in_a_path_are_masked(captured: io.StringIO) -> None:
    _capture(captured, json_lines=True)
    register_secret("path-secret-0123456789")
    await _get("/ok/path-secret-0123456789")
    await _get("/ok/cpk_abcdefghijklmnop")
    text = "\n".join(_lines(captured))
    assert "path-secret-0123456789" not in text and "cpk_abcdefghijklmnop" not in text
    assert text.count(MASK) == 2


async def test_no_access_line_at_warning(captured: io.StringIO) -> None:
    _capture(captured, level="WARNING")
    await _get("/ok/3")
    assert _lines(captured) == []
