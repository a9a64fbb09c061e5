"""Fixtures for the sandbox scenarios: extra accounts and a tiny local webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from callplane.sandbox.server import SandboxServer
from tests.integration.sandbox.helpers import Account, Received, WebhookReceiver, client_for


@pytest.fixture
def main(sandbox: SandboxServer) -> Account:
    """The main (platform) account."""
    return Account(
        sandbox.account_sid,
        sandbox.auth_token,
        client_for(sandbox, sandbox.account_sid, sandbox.auth_token),
    )


@pytest.fixture
def subaccount(sandbox: SandboxServer, main: Account) -> Account:
    """A fresh subaccount of the main account, with its own credentials."""
    sub = main.client.api.v2010.accounts.create(friendly_name="tenant-a")
    return Account(sub.sid, sub.auth_token, client_for(sandbox, sub.sid, sub.auth_token))


@pytest.fixture
def byo_account(sandbox: SandboxServer, sandbox_control: httpx.Client) -> Account:
    """Another top-level account (a BYO tenant's own), made through the test control."""
    answer = sandbox_control.post("/__sandbox/accounts", json={"friendly_name": "byo"}).json()
    return Account(
        answer["sid"],
        answer["auth_token"],
        client_for(sandbox, answer["sid"], answer["auth_token"]),
    )


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A tiny local webhook server (threaded) answering TwiML."""
    state: dict[str, WebhookReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            receiver = state["r"]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            host = self.headers.get("Host")
            receiver.requests.append(
                Received(
                    method=self.command,
                    url=f"http://{host}{self.path}",
                    headers={k: v for k, v in self.headers.items()},
                    form=dict(parse_qsl(body, keep_blank_values=True)),
                )
            )
            payload = receiver.reply.encode()
            self.send_response(receiver.status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _handle
        do_POST = _handle

        def log_message(self, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    state["r"] = WebhookReceiver(url=f"http://{host}:{port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["r"]
    finally:
        server.shutdown()
        server.server_close()
