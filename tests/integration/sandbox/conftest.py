"""Fixtures for the sandbox scenarios: extra accounts (the webhook receiver: fixtures/sandbox.py)."""

from __future__ import annotations

import httpx
import pytest

from callplane.sandbox.server import SandboxServer
from tests.integration.sandbox.helpers import Account, client_for


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
