"""`callplane sandbox` serves the provider emulators beside the Twilio sandbox."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import retell
from vapi import Vapi

from tests.fixtures.logscan import register_log_file, register_secret


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_callplane_sandbox_serves_the_provider_emulators(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    token = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
    register_secret(token, "Twilio auth token")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLPLANE_")}
    env["CALLPLANE_TWILIO_ACCOUNT_SID"] = "AC" + "0a" * 16
    env["CALLPLANE_TWILIO_AUTH_TOKEN"] = token
    log = tmp_path / "sandbox.log"
    register_log_file(log)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "callplane.cli", "sandbox", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, log.read_text()
                try:
                    httpx.get(f"{url}/__sandbox/state", timeout=2).raise_for_status()
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the sandbox did not start"
                    time.sleep(0.2)
            retell_key = httpx.post(f"{url}/__sandbox/providers/retell/keys").json()
            assert retell_key["base_url"] == f"{url}/provider/retell"
            client = retell.Retell(
                api_key=retell_key["api_key"], base_url=retell_key["base_url"], max_retries=0
            )
            assert client.phone_number.list().items == []
            vapi_key = httpx.post(f"{url}/__sandbox/providers/vapi/keys").json()
            assert (
                Vapi(token=vapi_key["api_key"], base_url=vapi_key["base_url"]).assistants.list()
                == []
            )
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    assert f"{url}/provider/" in log.read_text()
