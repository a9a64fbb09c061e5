"""What a service reads from the process runtime, in one place: the platform account, the key
ring and Twilio clients (the unit of work carries the runtime; only these accessors open it).
"""

from __future__ import annotations

from twilio.rest import Client

from callplane.connections.models import Connection
from callplane.db.uow import UnitOfWork
from callplane.errors import Conflict, Unprocessable
from callplane.settings import Settings
from callplane.twilio.factory import TwilioCredentials


class PlatformNotConfigured(Unprocessable):
    """The master and subaccount models need the platform account in settings."""

    code = "platform_account_not_configured"

    def __init__(self) -> None:
        super().__init__(
            "the platform Twilio account is not configured: set CALLPLANE_TWILIO_ACCOUNT_SID "
            "and CALLPLANE_TWILIO_AUTH_TOKEN"
        )


def settings(uow: UnitOfWork) -> Settings:
    """The process settings."""
    return uow.runtime.settings


def platform_credentials(uow: UnitOfWork) -> TwilioCredentials | None:
    """The platform (master) account's credentials, if configured: the one place they are read."""
    return uow.runtime.twilio.platform_credentials


def require_platform(uow: UnitOfWork) -> TwilioCredentials:
    """The platform account's credentials, or 422 platform_account_not_configured."""
    creds = platform_credentials(uow)
    if creds is None:
        raise PlatformNotConfigured()
    return creds


def twilio_client(uow: UnitOfWork, creds: TwilioCredentials) -> Client:
    """An SDK client for these credentials (real Twilio, or the configured emulator)."""
    return uow.runtime.twilio.client(creds)


def platform_client(uow: UnitOfWork) -> Client:
    """An SDK client of the platform account (422 when it is not configured)."""
    return twilio_client(uow, require_platform(uow))


def parent_credentials(uow: UnitOfWork, account_sid: str) -> TwilioCredentials | None:
    """The platform's credentials aimed at one of its subaccounts (they reach its v2010
    resources, and see it when its own token is refused); None without a platform account."""
    platform = platform_credentials(uow)
    if platform is None:
        return None
    return TwilioCredentials(
        account_sid=account_sid,
        api_key_sid=platform.account_sid,
        api_key_secret=platform.auth_token,
    )


def _field(column: str) -> str:
    return f"connections.{column}"


def seal(uow: UnitOfWork, conn: Connection, column: str, value: str | None) -> None:
    """Store `value` encrypted in `column`, bound to this tenant and column."""
    sealed = uow.runtime.secrets.seal(value, tenant_id=conn.tenant_id, field=_field(column))
    setattr(conn, column, sealed)


def unseal(uow: UnitOfWork, conn: Connection, column: str) -> str | None:
    """The plain value of an encrypted column."""
    return uow.runtime.secrets.open(
        getattr(conn, column), tenant_id=conn.tenant_id, field=_field(column)
    )


def credentials(uow: UnitOfWork, conn: Connection) -> TwilioCredentials:
    """Credentials for REST calls in the connection's account."""
    if conn.model == "master":
        return require_platform(uow)
    if conn.account_sid is None:
        raise Conflict("the tenant's Twilio account is not ready", code="connection_pending")
    return TwilioCredentials(
        account_sid=conn.account_sid,
        auth_token=unseal(uow, conn, "auth_token"),
        api_key_sid=conn.api_key_sid,
        api_key_secret=unseal(uow, conn, "api_key_secret"),
        region=conn.region,
        edge=conn.edge,
    )
