"""A Twilio client for a tenant: its connection's account, credentials and callplane's URLs."""

from __future__ import annotations

from dataclasses import dataclass

from twilio.rest import Client

from callplane.connections import access
from callplane.connections import service as connections
from callplane.connections.models import Connection
from callplane.db.uow import UnitOfWork
from callplane.tenancy import TenantScope
from callplane.twilio.factory import TwilioCredentials
from callplane.twilio.webhooks import WebhookUrls, webhook_urls


@dataclass(frozen=True)
class TenantTwilio:
    """What it takes to act in a tenant's Twilio account."""

    conn: Connection
    creds: TwilioCredentials
    client: Client
    urls: WebhookUrls  # what callplane wires the tenant's managed numbers to
    api_base: str | None  # where the client's calls go (an emulator; None: Twilio itself)

    @property
    def account_sid(self) -> str:
        """The account the client acts in."""
        return self.creds.account_sid


async def tenant_client(
    *, uow: UnitOfWork, scope: TenantScope, ensure: bool = True
) -> TenantTwilio:
    """The tenant's Twilio account; `ensure` makes it usable first (a subaccount on first need),
    otherwise the connection is taken as it is (the default master one when none was chosen)."""
    if ensure:
        conn = await connections.ensure_account(uow=uow, scope=scope)
    else:
        conn = await connections.get_connection(uow=uow, scope=scope)
    return connection_client(uow, conn)


def connection_client(uow: UnitOfWork, conn: Connection) -> TenantTwilio:
    """The Twilio account of a connection already in hand."""
    creds = access.credentials(uow, conn)
    settings = access.settings(uow)
    return TenantTwilio(
        conn=conn,
        creds=creds,
        client=access.twilio_client(uow, creds),
        urls=webhook_urls(settings),
        api_base=settings.twilio_base_url,
    )
