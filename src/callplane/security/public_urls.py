"""Server-side request forgery guard: URLs callplane calls on a tenant's behalf must be public.

Every URL a tenant gives callplane to call (event endpoints, an agent's events URL, the per-call
routing hook, an SMS webhook) is checked twice (DESIGN section 14):

- at write time, `check_public_url`: an absolute http(s) URL whose host is, or resolves only to,
  public addresses; otherwise `UrlNotAllowed` (422 `url_not_allowed`);
- at send time, `public_http_client`: an httpx client whose connections are made only to
  addresses that pass the same check at that moment (DNS may have changed since the write), to
  the very address that was checked (no second lookup between the check and the connection),
  and which never follows redirects (a redirect to a private address is just a failed answer).

"Public" is `ipaddress`'s `is_global` and not multicast: loopback, private (RFC 1918, fc00::/7),
link-local (169.254/16 with the cloud metadata address, fe80::/10), shared (100.64/10),
unspecified, reserved and documentation ranges are refused, and so are IPv4 addresses written
inside IPv6 (mapped, 6to4, Teredo). Literal IPv4 hosts are read as the C resolver reads them, so
decimal (`2130706433`), octal (`0177.0.0.1`) and short (`127.1`) forms are the addresses they
stand for. `CALLPLANE_ALLOW_PRIVATE_URLS=true` turns the address checks off for local
development and the sandbox; the URL must still be a well-formed absolute http(s) URL.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

from callplane.errors import Unprocessable

# (host, port) -> the addresses it resolves to; tests replace it to play DNS.
Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system resolves `host` to."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


resolver: Resolver = system_resolver


class UrlNotAllowed(Unprocessable):
    """A URL callplane will not call for a tenant."""

    code = "url_not_allowed"


IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def literal_address(host: str) -> IpAddress | None:
    """The address a host names literally (every IPv4 spelling the C resolver accepts), or None."""
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if text and all(c in "0123456789abcdefABCDEFxX." for c in text):
        try:  # inet_aton reads 2130706433, 0177.0.0.1, 0x7f.1 and 127.1 as 127.0.0.1
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public(ip: IpAddress) -> bool:
    """Whether callplane may connect to this address for a tenant."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return is_public(inner)
    return ip.is_global and not ip.is_multicast


def _split(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute http(s) URL; UrlNotAllowed otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlNotAllowed(f"{url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise UrlNotAllowed("the URL must start with https:// (or http://)")
    host = parts.hostname
    if not host:
        raise UrlNotAllowed("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise UrlNotAllowed("the URL must not carry credentials (user:password@)")
    if any(c.isspace() for c in url):
        raise UrlNotAllowed("the URL must not contain spaces: percent-encode them")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def _refusal(url: str, host: str, address: str) -> UrlNotAllowed:
    return UrlNotAllowed(
        f"{url!r} is not a public address ({host} is {address}): callplane calls only public "
        "URLs for a tenant (CALLPLANE_ALLOW_PRIVATE_URLS=true allows others in development)",
        host=host,
    )


def public_addresses(host: str, port: int, *, url: str) -> list[str]:
    """The addresses of `host`, each of them public; UrlNotAllowed when one is not or none is."""
    literal = literal_address(host)
    if literal is not None:
        if not is_public(literal):
            raise _refusal(url, host, str(literal))
        return [str(literal)]
    try:
        found = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise UrlNotAllowed(f"{host} does not resolve ({exc})", host=host) from None
    if not found:
        raise UrlNotAllowed(f"{host} does not resolve", host=host)
    for address in found:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not is_public(ip):
            raise _refusal(url, host, address)
    return found


def check_public_url(url: str, *, allow_private: bool) -> str:
    """`url` when callplane may call it for a tenant (write time); UrlNotAllowed otherwise."""
    _, host, port = _split(url)
    if not allow_private:
        public_addresses(host, port, url=url)
    return url


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to public addresses, to the very address it checked."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await anyio.to_thread.run_sync(
            lambda: public_addresses(host, port, url=f"//{host}:{port}")
        )
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not public URLs")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose backend is guarded."""

    def __init__(self, *, verify: ssl.SSLContext | bool = True) -> None:
        super().__init__(verify=verify, trust_env=False)
        ssl_context = ssl.create_default_context() if verify is True else verify
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context if isinstance(ssl_context, ssl.SSLContext) else None,
            network_backend=_GuardedBackend(httpcore.AnyIOBackend()),
        )


def public_http_client(*, allow_private: bool, timeout: float, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client for tenant URLs (send time): public addresses only, no redirects."""
    if kwargs.pop("follow_redirects", False):
        raise ValueError("tenant URLs are called without following redirects")
    transport = kwargs.pop("transport", None)
    if transport is None and not allow_private:
        transport = _GuardedTransport()
    return httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, transport=transport, trust_env=False, **kwargs
    )


def refused_at_send(exc: BaseException) -> UrlNotAllowed | None:
    """The guard's refusal inside an httpx error raised by `public_http_client`, if that is it."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, UrlNotAllowed):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
