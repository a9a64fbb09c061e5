"""Provider shapes: credentials are write-only (no answer ever carries a key or a secret)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, SecretStr

from callplane.providers.names import ProviderName
from callplane.schemas import StrictModel

HTTP_URL = r"^https?://[^\s]+$"


class ProviderPut(StrictModel):
    """`PUT providers/{name}`: the tenant's API key there (LiveKit: project URL, key, secret and
    SIP host), verified with one harmless read before it is stored."""

    api_key: SecretStr = Field(min_length=1, max_length=500)
    api_secret: SecretStr | None = Field(
        default=None, min_length=1, max_length=500, description="LiveKit only: the API secret"
    )
    url: str | None = Field(
        default=None,
        max_length=2048,
        pattern=r"^(https?|wss?)://[^\s]+$",
        description="LiveKit only: the project URL, e.g. wss://acme.livekit.cloud",
    )
    sip_host: str | None = Field(
        default=None,
        max_length=255,
        pattern=r"^(sip:)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$",
        description="LiveKit only: the project's SIP host, e.g. acme.sip.livekit.cloud (LiveKit "
        "shows it in the project settings; it cannot be derived from the URL)",
    )
    base_url: str | None = Field(
        default=None,
        max_length=2048,
        pattern=HTTP_URL,
        description="Another API base URL (an emulator, a regional endpoint); must be public",
    )


class ProviderOut(BaseModel):
    """The tenant's account at a provider (never its key)."""

    name: ProviderName
    status: str = Field(description="connected | rejected (the last check was refused)")
    base_url: str | None
    checked_at: datetime
    detail: str | None = None
    url: str | None = None
    sip_host: str | None = None
    origination_uri: str | None = Field(
        default=None, description="Where the tenant's trunk toward this provider sends calls"
    )
    registrations: int = Field(default=0, description="Numbers registered there by callplane")


class NumberProviderOut(BaseModel):
    """A number's registration at its agent's provider."""

    name: ProviderName
    agent_id: str | None = Field(description="The provider's id of the agent (LiveKit: its name)")
    registration_id: str | None = Field(description="The provider's id of the registration")
    status: str = Field(description="synced | pending | failed")
    detail: str | None
    synced_at: datetime | None = Field(description="The last successful sync")
