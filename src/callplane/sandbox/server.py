"""Run the sandbox over real HTTP: in a background thread (tests) or in the foreground (CLI)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Self

import uvicorn

from callplane.sandbox.app import Sandbox, create_sandbox_app
from callplane.sandbox.observe import Observer


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class SandboxServer:
    """The sandbox on 127.0.0.1 and a free port, served by uvicorn in a daemon thread."""

    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        observer: Observer | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
    ) -> None:
        self.app = create_sandbox_app(
            account_sid=account_sid, auth_token=auth_token, observer=observer
        )
        self.sandbox: Sandbox = self.app.state.sandbox
        self.host = host
        self.port = port or _free_port(host)
        self.url = f"http://{host}:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def account_sid(self) -> str:
        """The main account's SID."""
        return self.sandbox.state.main_account_sid

    @property
    def auth_token(self) -> str:
        """The main account's auth token."""
        return self.sandbox.state.main_auth_token

    def start(self) -> Self:
        """Start serving; returns once the port accepts connections."""
        if self._thread is not None:
            return self
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, name=f"sandbox-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def reset(self) -> None:
        """Forget everything but the main account (its credentials stay); drop fault rules."""
        self.sandbox.reset()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run_sandbox(
    *,
    host: str = "127.0.0.1",
    port: int = 8100,
    account_sid: str | None = None,
    auth_token: str | None = None,
) -> None:
    """Serve the sandbox in the foreground (blocking); prints generated credentials."""
    app = create_sandbox_app(account_sid=account_sid, auth_token=auth_token)
    sid, token = app.state.account_sid, app.state.auth_token
    print(f"Twilio sandbox on http://{host}:{port}  (URL layout: <base>/<product>/<path>)")
    if account_sid is None or auth_token is None:
        print("Main account (generated; set CALLPLANE_TWILIO_ACCOUNT_SID/AUTH_TOKEN to fix them):")
        print(f"  CALLPLANE_TWILIO_ACCOUNT_SID={sid}")
        print(f"  CALLPLANE_TWILIO_AUTH_TOKEN={token}")
    else:
        print(f"Main account: {sid}")
    print(f"  CALLPLANE_TWILIO_BASE_URL=http://{host}:{port}")
    print(
        f"Provider emulators: http://{host}:{port}/provider/<retell|elevenlabs|vapi|livekit>"
        f" (a key: POST http://{host}:{port}/__sandbox/providers/<name>/keys)",
        flush=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="info")
