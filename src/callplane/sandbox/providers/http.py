"""The emulators over HTTP: each provider's API at `/provider/<name>/...`, and its test controls.

Controls (no auth, JSON): `POST /__sandbox/providers/<name>/keys` (a new workspace and its key),
`POST /__sandbox/providers/<name>/agents` `{"name", "api_key"?}`, and
`POST /__sandbox/providers/<name>/outbound-call` `{"from", "to", "api_key"?}`, which has the
provider present the credentials it stores for `from` to the Twilio trunk's termination.
Fault rules of `/__sandbox/faults` apply to provider requests whose path (`/provider/<name>/...`)
they match, answered in the provider's error shape.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from callplane.sandbox import inventory, termination
from callplane.sandbox.faults import DroppedConnection
from callplane.sandbox.providers.common import Answer, Emulator, ProviderError, ProviderRequest

if TYPE_CHECKING:
    from callplane.sandbox.app import Sandbox

log = logging.getLogger("callplane.sandbox.providers")
MAX_BODY = 1_000_000
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _control_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _emulator(request: Request) -> Emulator[Any] | None:
    return _sandbox(request).providers.get(request.path_params["name"])


def _response(answer: Answer) -> Response:
    if answer.raw is not None:
        return Response(answer.raw, status_code=answer.status, media_type=answer.media_type)
    if answer.body is None:
        return Response(status_code=answer.status)
    return JSONResponse(answer.body, status_code=answer.status)


async def provider_api(request: Request) -> Response:
    """Any request under `/provider/<name>/`: faults first, then the emulator."""
    emulator = _emulator(request)
    name, rest = request.path_params["name"], "/" + request.path_params["rest"]
    if emulator is None:
        return _control_error(404, f"no provider emulator named {name!r}")
    sandbox = _sandbox(request)
    body = await request.body()
    method = request.method.upper()
    paths = (f"/provider/{name}{rest}",)
    before = sandbox.faults.decide(method, paths)
    if before.latency_ms:
        await asyncio.sleep(before.latency_ms / 1000)
    if before.drop:
        return DroppedConnection()
    if before.error is not None:
        return _response(
            emulator.error_answer(ProviderError(before.error.status, before.error.message))
        )
    if len(body) > MAX_BODY:
        return _response(emulator.error_answer(ProviderError(413, "request body too large")))
    provider_request = ProviderRequest(
        method=method,
        path=rest,
        query=dict(request.query_params),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
    )
    try:
        with sandbox.providers.lock:
            answer = emulator.handle(provider_request)
    except Exception:
        log.exception("provider emulator %s failed on %s %s", name, method, rest)
        answer = emulator.error_answer(ProviderError(500, "internal error"))
    if answer.status < 400:
        # The provider has done the work; "after" rules decide what the client gets to see.
        after = sandbox.faults.decide(method, paths, after=True)
        if after.latency_ms:
            await asyncio.sleep(after.latency_ms / 1000)
        if after.drop:
            return DroppedConnection()
        if after.error is not None:
            answer = emulator.error_answer(ProviderError(after.error.status, after.error.message))
    return _response(answer)


async def _control_input(request: Request) -> tuple[Emulator[Any], dict[str, Any]]:
    """The emulator a control names and its JSON body (ProviderError 404 / 400 otherwise)."""
    emulator = _emulator(request)
    if emulator is None:
        raise ProviderError(404, f"no provider emulator named {request.path_params['name']!r}")
    raw = await request.body()
    try:
        data = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise ProviderError(400, "the body must be a JSON object")
    return emulator, data


def _workspace_of(emulator: Emulator[Any], api_key: Any) -> Any:
    """The workspace a control names by `api_key`, or the only one there is."""
    if api_key is not None:
        if not isinstance(api_key, str) or api_key not in emulator.by_key:
            raise ProviderError(404, f"api_key is not a {emulator.name} key of this sandbox")
        return emulator.by_key[api_key]
    if not emulator.workspaces:
        raise ProviderError(
            409, f"make a key first: POST /__sandbox/providers/{emulator.name}/keys"
        )
    if len(emulator.workspaces) > 1:
        raise ProviderError(400, "several keys exist: say which with api_key")
    return next(iter(emulator.workspaces.values()))


async def create_key(request: Request) -> Response:
    """POST /__sandbox/providers/<name>/keys: a new workspace; 201 its key and base URL."""
    try:
        emulator, _ = await _control_input(request)
    except ProviderError as exc:
        return _control_error(exc.status, exc.message)
    root = request.scope.get("root_path", "")
    base = f"{request.url.scheme}://{request.url.netloc}{root}".rstrip("/")
    with _sandbox(request).providers.lock:
        ws = emulator.issue_key()
        answer = emulator.key_answer(ws, f"{base}/provider/{emulator.name}")
    return JSONResponse(answer, status_code=201)


async def create_agent(request: Request) -> Response:
    """POST /__sandbox/providers/<name>/agents {"name", "api_key"?}: 201 {"agent_id", "name"}."""
    try:
        emulator, data = await _control_input(request)
        name = data.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 128:
            raise ProviderError(400, '"name" (a string of 1 to 128 characters) is required')
        with _sandbox(request).providers.lock:
            agent = emulator.add_agent(_workspace_of(emulator, data.get("api_key")), name.strip())
    except ProviderError as exc:
        return _control_error(exc.status, exc.message)
    return JSONResponse({"agent_id": agent.agent_id, "name": agent.name}, status_code=201)


async def outbound_call(request: Request) -> Response:
    """POST /__sandbox/providers/<name>/outbound-call {"from", "to", "api_key"?}.

    The provider presents the termination URI and SIP credentials it stores for `from` to the
    Twilio trunk's termination; answers `{"status": "ok" | "failed", "sip_status", "detail"}`.
    """
    try:
        emulator, data = await _control_input(request)
    except ProviderError as exc:
        return _control_error(exc.status, exc.message)
    frm, to, api_key = data.get("from"), data.get("to"), data.get("api_key")
    if not isinstance(frm, str) or not isinstance(to, str):
        return _control_error(400, '"from" and "to" (strings) are required')
    if api_key is not None and not isinstance(api_key, str):
        return _control_error(400, '"api_key" must be a string')
    sandbox = _sandbox(request)
    with sandbox.state.lock:
        try:
            target = emulator.termination_for(inventory.normalize(frm) or frm, api_key)
        except ProviderError as exc:
            return JSONResponse({"status": "failed", "sip_status": None, "detail": exc.message})
        result = termination.terminate(
            sandbox.state,
            uri=target.uri,
            username=target.username,
            password=target.password,
            caller=frm,
            callee=to,
        )
    return JSONResponse(result.as_json())


def routes() -> list[Route]:
    """The provider APIs and their controls (before the sandbox's catch-all control route)."""
    return [
        Route("/provider/{name}/{rest:path}", provider_api, methods=METHODS),
        Route("/__sandbox/providers/{name}/keys", create_key, methods=["POST"]),
        Route("/__sandbox/providers/{name}/agents", create_agent, methods=["POST"]),
        Route("/__sandbox/providers/{name}/outbound-call", outbound_call, methods=["POST"]),
    ]
