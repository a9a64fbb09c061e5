"""The sandbox mounted inside another ASGI app (as the product may do), over HTTP and in-process."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send
from twilio.request_validator import RequestValidator

from callplane.sandbox.app import create_sandbox_app
from callplane.twilio.client import build_client

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
TWIML = "<Response><Say>mounted</Say></Response>"


def _product_app(sandbox_app: Starlette, seen: list[dict[str, str]], base: list[str]) -> Starlette:
    async def voice(request: Request) -> PlainTextResponse:
        form = dict(await request.form())
        token = sandbox_app.state.auth_token
        url = f"{base[0]}/hooks/voice" if base else str(request.url)
        ok = RequestValidator(token).validate(url, form, request.headers["X-Twilio-Signature"])
        seen.append({**form, "valid": str(ok)})
        return PlainTextResponse(TWIML, media_type="application/xml")

    return Starlette(
        routes=[Route("/hooks/voice", voice, methods=["POST"]), Mount("/sandbox", app=sandbox_app)]
    )


@pytest.fixture
def mounted() -> Iterator[tuple[str, Starlette, list[dict[str, str]]]]:
    sandbox_app = create_sandbox_app()
    seen: list[dict[str, str]] = []
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    app = _product_app(sandbox_app, seen, [url])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield url, sandbox_app, seen
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_sdk_through_a_mount_prefix_and_inbound_back_to_the_host(
    mounted: tuple[str, Starlette, list[dict[str, str]]],
) -> None:
    url, sandbox_app, seen = mounted
    sid, token = sandbox_app.state.account_sid, sandbox_app.state.auth_token
    client = build_client(
        account_sid=sid, auth_token=token, base_url=f"{url}/sandbox", asynchronous=False
    )
    e164 = (
        client.api.v2010.account.available_phone_numbers("US").local.list(limit=1)[0].phone_number
    )
    client.incoming_phone_numbers.create(phone_number=e164, voice_url=f"{url}/hooks/voice")
    # Paging follows next-page URLs through the same prefix.
    for _ in range(3):
        client.trunking.v1.trunks.create(friendly_name="t")
    assert len(client.trunking.v1.trunks.list(page_size=1)) == 3
    answer = httpx.post(
        f"{url}/sandbox/__sandbox/inbound/call",
        json={"from": "+12125550199", "to": e164},
        timeout=30,
    ).json()
    assert answer["status"] == 200 and answer["twiml"] == TWIML
    assert seen[0]["valid"] == "True" and seen[0]["AccountSid"] == sid
    state = httpx.get(f"{url}/sandbox/__sandbox/state").json()
    assert state["sandbox_url"] == f"{url}/sandbox"


def test_in_process_webhook_transport() -> None:
    seen: list[dict[str, str]] = []
    holder: dict[str, Starlette] = {}

    class LazyApp:
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await holder["app"](scope, receive, send)

    sandbox_app = create_sandbox_app(webhook_transport=httpx.ASGITransport(app=LazyApp()))
    product = _product_app(sandbox_app, seen, ["http://product.local"])
    holder["app"] = product
    sid, token = sandbox_app.state.account_sid, sandbox_app.state.auth_token
    with TestClient(product, base_url="http://product.local") as http:
        http.auth = (sid, token)
        api = f"/sandbox/api/2010-04-01/Accounts/{sid}"
        e164 = http.get(f"{api}/AvailablePhoneNumbers/US/Local.json").json()[
            "available_phone_numbers"
        ][0]["phone_number"]
        created = http.post(
            f"{api}/IncomingPhoneNumbers.json",
            data={"PhoneNumber": e164, "VoiceUrl": "http://product.local/hooks/voice"},
        )
        assert created.status_code == 201
        answer = http.post(
            "/sandbox/__sandbox/inbound/call", json={"from": "+12125550199", "to": e164}
        ).json()
    assert answer["status"] == 200 and answer["twiml"] == TWIML
    assert seen[0]["valid"] == "True"
