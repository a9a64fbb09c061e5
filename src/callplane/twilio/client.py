"""The one place that builds official `twilio` SDK clients.

When CALLPLANE_TWILIO_BASE_URL is set, every `https://<domain>.twilio.com/<path>` URL the SDK asks
for (next-page URLs included) is sent to `<base>/<domain>/<path>` instead: the sandbox, or any
Twilio emulator that follows the same layout.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiohttp import BasicAuth, ClientSession
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from callplane.errors import Unprocessable


def rewrite_twilio_url(url: str, base_url: str | None) -> str:
    """Map a `*.twilio.com` URL onto `base_url/<product>/...`; other URLs pass unchanged."""
    if not base_url:
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not (host == "twilio.com" or host.endswith(".twilio.com")):
        return url
    # api.twilio.com, api.dublin.ie1.twilio.com -> "api"
    product = host.split(".")[0] if host != "twilio.com" else "api"
    base = urlsplit(base_url)
    path = f"{base.path.rstrip('/')}/{product}{parts.path}"
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


class RewritingHttpClient(TwilioHttpClient):
    """Sync SDK HTTP client that sends Twilio calls to a configured emulator."""

    def __init__(self, base_url: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return super().request(method, rewrite_twilio_url(url, self.base_url), *args, **kwargs)


class AsyncRewritingHttpClient(AsyncTwilioHttpClient):
    """Async SDK HTTP client that sends Twilio calls to a configured emulator."""

    def __init__(self, base_url: str | None, **kwargs: Any) -> None:
        # A pooled aiohttp session must be born inside a running loop; per-request sessions
        # keep a client usable from any loop (CLI, jobs, tests).
        kwargs.setdefault("pool_connections", False)
        super().__init__(**kwargs)
        self.base_url = base_url

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """The SDK's request, answering *this* request's response.

        The SDK's own keeps the response on the client (`_test_only_last_response`) and returns
        that attribute after awaiting the per-request session's close: two calls in flight on
        one client could each get the other's answer (a refused update read as another
        number's success). Here the response is a local.
        """
        if timeout is not None and timeout <= 0:
            raise ValueError(timeout)
        kwargs: dict[str, Any] = {
            "method": method.upper(),
            "url": rewrite_twilio_url(url, self.base_url),
            "params": params,
            "data": data,
            "headers": headers,
            "auth": BasicAuth(login=auth[0], password=auth[1]) if auth is not None else None,
            "timeout": timeout,
            "allow_redirects": allow_redirects,
        }
        self.log_request(kwargs)
        session = self.session or ClientSession()
        try:
            raw = await session.request(**kwargs)
            self.log_response(raw.status, raw)
            answer = Response(raw.status, await raw.text(), raw.headers)
        finally:
            if session is not self.session:
                await session.close()
        self._test_only_last_response = answer
        return answer


def build_client(
    *,
    account_sid: str,
    auth_token: str | None = None,
    api_key_sid: str | None = None,
    api_key_secret: str | None = None,
    base_url: str | None = None,
    asynchronous: bool = True,
    timeout: float = 15.0,
    region: str | None = None,
    edge: str | None = None,
    http_client: Any | None = None,
) -> Client:
    """An SDK client for `account_sid`, authenticated by API key when given, else by auth token.

    For a subaccount reached with its parent's credentials pass the parent's token as
    `auth_token`, the parent SID as `api_key_sid` and the subaccount SID as `account_sid`.
    """
    if api_key_sid and api_key_secret:
        username, password = api_key_sid, api_key_secret
    elif auth_token:
        username, password = account_sid, auth_token
    else:
        raise ValueError("a Twilio client needs an auth token or an API key and secret")
    try:  # the SDK sends them as HTTP Basic credentials, which are Latin-1
        f"{username}:{password}".encode("latin-1")
    except UnicodeEncodeError:
        raise Unprocessable(
            "the Twilio credentials are not Latin-1 text, so they cannot be sent to Twilio: "
            "check the auth token (32 hexadecimal characters) or API key secret",
            code="invalid_credentials",
        ) from None
    if http_client is None:  # else shared by many clients (a job's pooled connections)
        http_client = (
            AsyncRewritingHttpClient(base_url, timeout=timeout)
            if asynchronous
            else RewritingHttpClient(base_url, timeout=timeout)
        )
    return Client(
        username,
        password,
        account_sid=account_sid,
        http_client=http_client,
        region=region,
        edge=edge,
    )
