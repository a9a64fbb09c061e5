"""Helpers for the sandbox scenarios: accounts, SDK clients, raw HTTP, webhook receiver types."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from callplane.sandbox.server import SandboxServer
from callplane.twilio.client import build_client
from tests.fixtures.sandbox import Received, WebhookReceiver

__all__ = ["Account", "Received", "WebhookReceiver", "available", "client_for", "raw"]


@dataclass
class Account:
    """Credentials of a sandbox account and an SDK client for it."""

    sid: str
    token: str
    client: Client


def client_for(sandbox: SandboxServer, sid: str, token: str, **kw: Any) -> Client:
    """A sync SDK client for a sandbox account, built as the product builds it."""
    return build_client(
        account_sid=sid, auth_token=token, base_url=sandbox.url, asynchronous=False, **kw
    )


def raw(sandbox: SandboxServer, sid: str, token: str) -> httpx.Client:
    """A plain HTTP client with Basic auth, for checking exact bodies."""
    return httpx.Client(base_url=sandbox.url, auth=(sid, token), timeout=30)


def available(client: Client, country: str = "US", kind: str = "local", **filters: Any) -> str:
    """The first available number of a country and type."""
    numbers = getattr(client.api.v2010.account.available_phone_numbers(country), kind).list(
        limit=1, **filters
    )
    assert numbers, f"no {country} {kind} number available"
    return numbers[0].phone_number


def path_of(url: str) -> str:
    """The path and query of a URL."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def twilio_error(call: Callable[[], Any]) -> tuple[int, int | None]:
    """Run an SDK call that must fail; answer (HTTP status, Twilio code).

    Fetch/create/update raise TwilioRestException; the SDK's list/page calls raise a bare
    TwilioException("Unable to fetch page", response) instead, so both are read here.
    """
    try:
        call()
    except TwilioRestException as exc:
        return exc.status, exc.code
    except TwilioException as exc:
        response = exc.args[1]
        return response.status_code, json.loads(response.text).get("code")
    raise AssertionError("the call succeeded")
