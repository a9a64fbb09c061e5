"""The SSRF guard: which URLs callplane calls for a tenant, at write time and at send time."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Self

import httpx
import pytest

from callplane.security import public_urls
from callplane.security.public_urls import (
    UrlNotAllowed,
    check_public_url,
    public_http_client,
    refused_at_send,
)

# What the fake DNS answers (a public address is 93.184.215.14, example.com's).
DNS = {
    "good.example": ["93.184.215.14"],
    "loopback.example": ["127.0.0.1"],
    "mixed.example": ["93.184.215.14", "10.1.2.3"],
    "v6-private.example": ["fd00::1"],
    "metadata.example": ["169.254.169.254"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def resolve(host: str, port: int) -> list[str]:
        if host not in DNS:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return DNS[host]

    monkeypatch.setattr(public_urls, "resolver", resolve)
    yield


REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.8.9.10:8080/hook",
    "http://[::1]/hook",
    "http://10.0.0.1/hook",
    "http://172.16.0.1/hook",
    "http://172.31.255.255/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]/hook",
    "http://[fe80::1]/hook",
    "http://0.0.0.0/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[2002:7f00:1::]/hook",  # 6to4 wrapping 127.0.0.1
    "http://2130706433/hook",  # decimal 127.0.0.1
    "http://0177.0.0.1/hook",  # octal 127.0.0.1
    "http://0x7f.1/hook",  # hex and short form
    "http://127.1/hook",
    "http://012.1.2.3/hook",  # octal 10.1.2.3
    "http://017700000001/hook",  # one octal number: 127.0.0.1
    "http://0/hook",  # 0.0.0.0, short
    "http://3232235777/hook",  # decimal 192.168.1.1
    "http://[fd12:3456:789a::1]/hook",  # fd00::/8
    "http://172.20.1.1/hook",  # inside 172.16/12
    "http://[::]/hook",
    "https://loopback.example/hook",  # a name resolving to loopback
    "https://mixed.example/hook",  # one of its addresses is private
    "https://v6-private.example/hook",
    "https://metadata.example/hook",
    "https://nowhere.example/hook",  # does not resolve
    "ftp://good.example/hook",
    "file:///etc/passwd",
    "https://user:pw@good.example/hook",
    "https:///no-host",
    "https://good.example/a b",
    "not a url",
]


@pytest.mark.parametrize("url", REFUSED)
def test_refused_at_write(url: str) -> None:
    with pytest.raises(UrlNotAllowed) as caught:
        check_public_url(url, allow_private=False)
    assert caught.value.code == "url_not_allowed" and caught.value.status_code == 422


@pytest.mark.parametrize(
    "url", ["https://good.example/hook", "https://93.184.215.14/x?y=1", "http://good.example:8080/"]
)
def test_public_urls_are_accepted(url: str) -> None:
    assert check_public_url(url, allow_private=False) == url


def test_private_urls_are_allowed_in_development_but_not_garbage() -> None:
    assert check_public_url("http://127.0.0.1:9000/hook", allow_private=True)
    assert check_public_url("https://nowhere.example/hook", allow_private=True)
    for url in ("ftp://x.example/", "not a url", "https://u:p@x.example/"):
        with pytest.raises(UrlNotAllowed):
            check_public_url(url, allow_private=True)


class _Receiver:
    """A local HTTP server that counts the requests it gets."""

    def __init__(self) -> None:
        self.hits = 0
        self.port = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> Self:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.hits += 1
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
            await writer.drain()
            writer.close()

        self.server = await asyncio.start_server(handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def test_refused_at_send_when_dns_changed_since_the_write() -> None:
    async with _Receiver() as receiver:
        DNS["rebinding.example"] = ["93.184.215.14"]
        url = f"http://rebinding.example:{receiver.port}/hook"
        check_public_url(url, allow_private=False)  # public when written
        DNS["rebinding.example"] = ["127.0.0.1"]  # loopback when sent
        async with public_http_client(allow_private=False, timeout=2) as http:
            with pytest.raises(Exception) as caught:
                await http.post(url, content=b"{}")
        assert refused_at_send(caught.value) is not None
        for literal in (
            f"http://127.0.0.1:{receiver.port}/",
            f"http://2130706433:{receiver.port}/",
        ):
            async with public_http_client(allow_private=False, timeout=2) as http:
                with pytest.raises(Exception) as caught:
                    await http.get(literal)
            assert refused_at_send(caught.value) is not None
        assert receiver.hits == 0


async def test_sent_when_allowed_and_redirects_are_not_followed() -> None:
    async with _Receiver() as receiver:
        async with public_http_client(allow_private=True, timeout=2) as http:
            r = await http.get(f"http://127.0.0.1:{receiver.port}/")
        assert r.status_code == 200 and receiver.hits == 1
    with pytest.raises(ValueError):
        public_http_client(allow_private=False, timeout=2, follow_redirects=True)
    async with public_http_client(allow_private=False, timeout=2) as http:
        assert http.follow_redirects is False


def test_refused_at_send_sees_through_httpx_wrapping() -> None:
    inner = UrlNotAllowed("no")
    try:
        try:
            raise inner
        except UrlNotAllowed as exc:
            raise httpx.ConnectError("wrapped") from exc
    except httpx.ConnectError as outer:
        assert refused_at_send(outer) is inner
    assert refused_at_send(httpx.ConnectError("plain")) is None
