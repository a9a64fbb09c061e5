"""Builds SDK clients for the platform account and for tenants' credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from twilio.rest import Client

from callplane.settings import Settings
from callplane.twilio.client import AsyncRewritingHttpClient, build_client


@dataclass(frozen=True)
class TwilioCredentials:
    """What it takes to call Twilio as one account."""

    account_sid: str
    auth_token: str | None = None
    api_key_sid: str | None = None
    api_key_secret: str | None = None
    region: str | None = None
    edge: str | None = None

    def __repr__(self) -> str:
        return f"TwilioCredentials(account_sid={self.account_sid!r}, ...)"


class TwilioFactory:
    """The one way the product gets a Twilio client (real Twilio, or the configured emulator)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def platform_credentials(self) -> TwilioCredentials | None:
        """The platform (master) account's credentials from settings, if configured."""
        sid = self.settings.twilio_account_sid
        token = self.settings.twilio_auth_token
        if not sid or token is None:
            return None
        return TwilioCredentials(account_sid=sid, auth_token=token.get_secret_value())

    def platform_previous_token(
        self, now: datetime | None = None
    ) -> tuple[str, datetime | None] | None:
        """The platform account's previous token and the end of its grace (None: no end), while
        it still verifies webhooks; None once its grace is over or when none is set."""
        token = self.settings.twilio_previous_auth_token
        if self.platform_credentials is None or token is None or not token.get_secret_value():
            return None
        until = self.settings.twilio_previous_auth_token_until
        if until is not None and until <= (now or datetime.now(UTC)):
            return None
        return token.get_secret_value(), until

    def client(self, creds: TwilioCredentials, *, http_client: Any | None = None) -> Client:
        """An async-capable SDK client for these credentials.

        `http_client` (from `pooled_http`) lets many clients share kept-alive connections.
        """
        return build_client(
            account_sid=creds.account_sid,
            auth_token=creds.auth_token,
            api_key_sid=creds.api_key_sid,
            api_key_secret=creds.api_key_secret,
            base_url=self.settings.twilio_base_url,
            region=creds.region,
            edge=creds.edge,
            http_client=http_client,
        )

    def pooled_http(self, *, timeout: float = 15.0) -> AsyncRewritingHttpClient:
        """An async HTTP client that keeps its connections open, for a job making many calls.

        Make it inside the event loop that uses it, and `await http.close()` when done (the
        default clients open a connection per request so that they work from any loop; against
        real Twilio that is a TLS handshake per call).
        """
        return AsyncRewritingHttpClient(
            self.settings.twilio_base_url, timeout=timeout, pool_connections=True
        )
