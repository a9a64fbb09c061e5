"""The sandbox ASGI app: Twilio's API under `/<product>/<path>`, test controls under `/__sandbox/`.

Every Twilio path is served under the product it lives on at Twilio (`api`, `trunking`,
`pricing`, `numbers`), the layout `callplane.twilio.client` rewrites `https://<product>.twilio.com`
to. The app may be mounted under any prefix: URLs it calls back are built from the request's
root path, never assumed to be at `/`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import parse_qsl

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from callplane.sandbox import (
    accounts,
    available,
    bundles,
    controls,
    messaging,
    numbers,
    pricing,
    providers,
    sip,
    trunking,
)
from callplane.sandbox.auth import authenticate
from callplane.sandbox.errors import TwilioError, error_body, not_found
from callplane.sandbox.faults import DroppedConnection, FaultBook
from callplane.sandbox.observe import ObservedExchange, Observer
from callplane.sandbox.routing import Ctx, Router
from callplane.sandbox.state import SandboxState
from callplane.sandbox.util import Params, new_sid

log = logging.getLogger("callplane.sandbox")


class TwilioJSON(JSONResponse):
    """A Twilio API answer; orjson writes the compact UTF-8 form `JSONResponse` does, faster.

    A page of 1,000 numbers is over 1 MB of JSON: with the standard encoder it held the sandbox's
    event loop for several milliseconds, delaying every other call in flight.
    """

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


PRODUCTS = ("api", "trunking", "pricing", "numbers")
# Twilio products an observer is told about; a made-up product is not a Twilio API answer.
OBSERVED_PRODUCTS = (*PRODUCTS, "messaging")
MAX_BODY = 1_000_000  # Twilio refuses huge forms too; this keeps a bad client from hurting us


class Sandbox:
    """State, routers, fault rules and observer of one sandbox instance."""

    def __init__(
        self,
        *,
        account_sid: str | None,
        auth_token: str | None,
        observer: Observer | None,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.state = SandboxState(account_sid, auth_token)
        self.providers = providers.ProviderHub(self.state.lock)
        self.faults = FaultBook()
        self.observer = observer
        self.webhook_transport = webhook_transport
        self.routers: dict[str, Router] = {p: Router() for p in PRODUCTS}
        accounts.register(self.routers["api"])
        available.register(self.routers["api"])
        numbers.register(self.routers["api"])
        messaging.register(self.routers["api"])
        sip.register(self.routers["api"])
        trunking.register(self.routers["trunking"])
        pricing.register(self.routers["pricing"])
        bundles.register(self.routers["numbers"])

    def reset(self) -> None:
        """Forget everything but the main account; drop fault rules and provider state."""
        self.state.reset()
        self.providers.reset()
        self.faults.clear()

    def answer(
        self, method: str, product: str, path: str, query: Params, form: Params, auth: str | None
    ) -> tuple[int, Any]:
        """Answer one Twilio API request (synchronously, under the state lock)."""
        try:
            with self.state.lock:
                principal = authenticate(self.state, auth)
                router = self.routers.get(product)
                if router is None:
                    raise not_found(path)
                handler, args = router.resolve(method, path)
                ctx = Ctx(
                    state=self.state,
                    method=method,
                    product=product,
                    path=path,
                    query=query,
                    form=form,
                    principal=principal,
                    args=args,
                )
                return handler(ctx)
        except TwilioError as exc:
            return exc.status, exc.body()
        except Exception:
            log.exception("sandbox failed on %s %s/%s", method, product, path)
            return 500, error_body(500, 20500, "Internal Server Error")

    def observe(self, exchange: ObservedExchange) -> None:
        """Report an exchange to the observer; its failures never reach the client."""
        if self.observer is None:
            return
        try:
            self.observer(exchange)
        except Exception:
            log.exception("sandbox observer failed")


def _params(raw: str) -> Params:
    return Params(parse_qsl(raw, keep_blank_values=True))


def _route_path(scope: Scope) -> str:
    """The request path below the app's mount point (root_path)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


async def _twilio_endpoint(request: Request, sandbox: Sandbox) -> Response:
    full = _route_path(request.scope)
    product, _, rest = full[1:].partition("/")
    path = "/" + rest
    method = request.method.upper()
    query = _params(request.url.query)
    form = Params([])
    if method in ("POST", "PUT", "PATCH"):
        body = await request.body()
        if len(body) > MAX_BODY:
            body = b""
        form = _params(body.decode("utf-8", "replace"))
    paths = (full, path)
    before = sandbox.faults.decide(method, paths)
    if before.latency_ms:
        await asyncio.sleep(before.latency_ms / 1000)
    if before.drop:
        return DroppedConnection()
    if before.error is not None:
        status, payload = before.error.status, before.error.body()
    else:
        status, payload = sandbox.answer(
            method, product, path, query, form, request.headers.get("authorization")
        )
        if status < 400:
            # Twilio has done the work; "after" rules decide what the client gets to see.
            after = sandbox.faults.decide(method, paths, after=True)
            if after.latency_ms:
                await asyncio.sleep(after.latency_ms / 1000)
            if after.drop:
                return DroppedConnection()
            if after.error is not None:
                status, payload = after.error.status, after.error.body()
    if product in OBSERVED_PRODUCTS:
        sandbox.observe(
            ObservedExchange(
                product=product,
                method=method,
                path=path,
                status=status,
                body=payload,
                query=query.as_dict(),
                form=form.as_dict(),
            )
        )
    headers = {"Twilio-Request-Id": new_sid("RQ")}
    if payload is None:
        return Response(status_code=status, headers=headers)
    return TwilioJSON(payload, status_code=status, headers=headers)


def create_sandbox_app(
    *,
    account_sid: str | None = None,
    auth_token: str | None = None,
    observer: Observer | None = None,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """The sandbox as an ASGI app; `app.state` holds `account_sid`, `auth_token` and `sandbox`.

    `webhook_transport` (optional) is the httpx transport inbound simulation uses to call
    webhooks, e.g. `httpx.ASGITransport(product_app)` when everything runs in one process.
    """
    sandbox = Sandbox(
        account_sid=account_sid,
        auth_token=auth_token,
        observer=observer,
        webhook_transport=webhook_transport,
    )
    app = Starlette(routes=[*providers.routes(), *controls.routes()])

    async def twilio_api(scope: Scope, receive: Receive, send: Send) -> None:
        # Everything that is not a control is Twilio's API; as the router's default it also
        # gets paths no route pattern can match (control characters and the like).
        if scope["type"] != "http":
            return
        response = await _twilio_endpoint(Request(scope, receive), sandbox)
        await response(scope, receive, send)

    app.router.default = twilio_api
    app.state.sandbox = sandbox
    app.state.account_sid = sandbox.state.main_account_sid
    app.state.auth_token = sandbox.state.main_auth_token
    return app
