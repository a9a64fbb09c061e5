"""What every provider adapter does, and the values that pass between callplane and an adapter.

An adapter speaks to one provider through that provider's official SDK only. It is handed plain
values (credentials opened from the key ring, what to push) and answers plain values; it never
touches the database. Every SDK failure leaves it as a `ProviderCallError` whose `kind` says what
callplane can do about it; the message never carries a secret (the providers' error bodies echo
none, and the log pipeline masks the keys anyway).
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from callplane.security.public_urls import check_public_url, public_http_client, refused_at_send


@dataclass(frozen=True)
class Credentials:
    """A tenant's account at a provider, opened (plain secrets): never logged, never stored."""

    name: str
    api_key: str
    api_secret: str | None = None
    url: str | None = None  # LiveKit: the project URL
    sip_host: str | None = None  # LiveKit: the project's SIP host
    base_url: str | None = None  # the API's base URL (None: the provider's own)
    allow_private: bool = False
    timeout: float = 15.0

    def __repr__(self) -> str:  # the dataclass default would print the secrets
        return f"Credentials(name={self.name!r}, base_url={self.base_url!r})"


@dataclass(frozen=True)
class Push:
    """What a number's registration must say: the agent, and how the provider reaches the
    tenant's trunk termination to place outbound calls."""

    phone_number: str  # E.164
    agent_id: str  # the provider's id of the agent (LiveKit: the agent name)
    termination_host: str  # the provider trunk's domain, <name>.pstn.twilio.com
    username: str
    password: str
    label: str

    def __repr__(self) -> str:
        return f"Push(phone_number={self.phone_number!r}, agent_id={self.agent_id!r})"

    def fingerprint(self, provider: str, extra: str = "") -> str:
        """A hash of everything the push carries (the password included, never stored plain):
        equal fingerprints mean the provider holds exactly this."""
        material = json.dumps(
            [
                provider,
                self.phone_number,
                self.agent_id,
                self.termination_host,
                self.username,
                self.password,
                extra,
            ]
        )
        return hashlib.sha256(material.encode()).hexdigest()


@dataclass
class Placed:
    """A registration as the provider knows it: its id there, and the ids of its other parts."""

    registration_id: str
    refs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Remote:
    """A number found registered at the provider."""

    phone_number: str
    registration_id: str
    agent_id: str | None


class ProviderCallError(Exception):
    """A provider call that failed, and what kind of failure it was.

    kind: auth (the key is refused) | not_found | invalid (the provider refused the request) |
    conflict | unavailable (5xx, 429, no answer: try again later) | refused (the SSRF guard).
    """

    def __init__(self, provider: str, kind: str, message: str, *, status: int | None = None):
        super().__init__(message)
        self.provider = provider
        self.kind = kind
        self.message = message
        self.status = status

    @property
    def retryable(self) -> bool:
        """Whether trying again later may work without anybody changing anything."""
        return self.kind == "unavailable"

    def __str__(self) -> str:
        status = f" {self.status}" if self.status else ""
        return f"{self.provider}{status}: {self.message}"


def kind_of_status(status: int) -> str:
    """The kind of a provider's HTTP error status."""
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status == 409:
        return "conflict"
    if status == 429 or status >= 500:
        return "unavailable"
    return "invalid"


def message_of(body: Any, default: str) -> str:
    """A provider error body's message, whatever its shape, cut to a sensible length."""
    text: Any = body
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, dict):
            text = detail.get("message") or detail.get("status")
        elif isinstance(detail, list) and detail and isinstance(detail[0], dict):
            text = "; ".join(str(d.get("msg")) for d in detail)
        else:
            text = body.get("message") or body.get("msg") or body.get("error")
    if isinstance(text, list):
        text = "; ".join(str(t) for t in text)
    return str(text or default)[:300]


class Adapter(ABC):
    """One provider, through its official SDK."""

    name: ClassVar[str]
    default_base_url: ClassVar[str]

    @abstractmethod
    async def verify(self, creds: Credentials) -> None:
        """One harmless read that succeeds only with working credentials."""

    @abstractmethod
    async def check_agent(self, creds: Credentials, agent_id: str) -> None:
        """The agent exists at the provider (ProviderCallError kind not_found otherwise)."""

    @abstractmethod
    def origination_uri(self, creds: Credentials, account_refs: dict[str, Any]) -> str | None:
        """The SIP URI Twilio sends the numbers' calls to (None: not known yet)."""

    async def prepare(
        self, creds: Credentials, account_refs: dict[str, Any], push: Push
    ) -> dict[str, Any]:
        """Tenant-wide resources the registrations need (Vapi's trunk credential): the account's
        refs as they are afterwards."""
        return account_refs

    def account_part(self, account_refs: dict[str, Any]) -> str:
        """What of the tenant-wide resources belongs in a registration's fingerprint."""
        return ""

    @abstractmethod
    async def upsert(
        self,
        creds: Credentials,
        account_refs: dict[str, Any],
        current: Placed | None,
        push: Push,
    ) -> Placed:
        """Register the number, or bring its registration to `push` (looking before creating)."""

    @abstractmethod
    async def remove(self, creds: Credentials, placed: Placed, phone_number: str) -> None:
        """Remove the number's registration (already gone is fine)."""

    async def cleanup(self, creds: Credentials, account_refs: dict[str, Any]) -> dict[str, Any]:
        """Remove the tenant-wide resources callplane made (no number uses them any more)."""
        return account_refs

    @abstractmethod
    async def inventory(self, creds: Credentials) -> list[Remote]:
        """Every number registered in the tenant's account at the provider."""

    # -- shared plumbing for the httpx-based SDKs -----------------------------------------

    def base_url(self, creds: Credentials) -> str:
        """The API base URL to call (the tenant's, else the provider's)."""
        return (creds.base_url or self.default_base_url).rstrip("/")

    @asynccontextmanager
    async def http(self, creds: Credentials) -> AsyncIterator[httpx.AsyncClient]:
        """An httpx client for the SDK that connects to public addresses only (SSRF guard)."""
        try:
            check_public_url(self.base_url(creds), allow_private=creds.allow_private)
        except Exception as exc:  # noqa: BLE001 - UrlNotAllowed: a refusal, not a crash
            raise ProviderCallError(self.name, "refused", str(exc)) from None
        async with public_http_client(
            allow_private=creds.allow_private, timeout=creds.timeout
        ) as client:
            yield client

    def transport_error(self, exc: BaseException) -> ProviderCallError:
        """A failure to reach the provider at all."""
        refused = refused_at_send(exc)
        if refused is not None:
            return ProviderCallError(self.name, "refused", refused.message)
        return ProviderCallError(
            self.name, "unavailable", f"no answer from {self.name} ({type(exc).__name__})"
        )
