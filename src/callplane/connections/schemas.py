"""Connection shapes; secrets are write-only."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_core import PydanticCustomError

from callplane.connections.models import Connection
from callplane.schemas import INVALID_CREDENTIALS, StrictModel

ACCOUNT_SID = r"^AC[0-9a-fA-F]{32}$"
API_KEY_SID = r"^SK[0-9a-fA-F]{32}$"
HealthStatus = Literal["HEALTHY", "DEGRADED", "DOWN", "NOT_CONFIGURED"]


class ConnectionPut(StrictModel):
    """Which account model the tenant uses, and the credentials for `byo`."""

    model: Literal["master", "subaccount", "byo"]
    account_sid: str | None = Field(default=None, pattern=ACCOUNT_SID)
    auth_token: SecretStr | None = Field(default=None, min_length=16, max_length=128)
    api_key_sid: str | None = Field(default=None, pattern=API_KEY_SID)
    api_key_secret: SecretStr | None = Field(default=None, min_length=16, max_length=128)
    region: str | None = Field(default=None, pattern=r"^[a-z]{2}[0-9]$")
    edge: str | None = Field(default=None, pattern=r"^[a-z-]{3,32}$")

    @field_validator("auth_token", "api_key_secret")
    @classmethod
    def _sendable(cls, value: SecretStr | None) -> SecretStr | None:
        # HTTP Basic credentials are Latin-1: anything else can never reach Twilio (and no
        # Twilio secret is anything else).
        try:
            if value is not None:
                value.get_secret_value().encode("latin-1")
        except UnicodeEncodeError:
            raise PydanticCustomError(
                INVALID_CREDENTIALS,
                "Twilio credentials are Latin-1 text (an auth token is 32 hexadecimal "
                "characters): this one cannot be sent to Twilio",
            ) from None
        return value


class HealthOut(BaseModel):
    """The last credential health check."""

    status: HealthStatus
    latency_ms: int | None = None
    checked_at: datetime | None = None
    detail: str | None = None

    @classmethod
    def from_model(cls, conn: Connection) -> HealthOut:
        """A connection's last check (NOT_CONFIGURED before the first)."""
        return cls(
            status=conn.health_status or "NOT_CONFIGURED",  # type: ignore[arg-type]
            latency_ms=conn.health_latency_ms,
            checked_at=conn.health_checked_at,
            detail=conn.health_detail,
        )


class ConnectionOut(BaseModel):
    """A connection; never carries a secret."""

    model: str
    account_sid: str | None
    status: str
    health: HealthOut
    api_key_sid: str | None = None
    region: str | None = None
    edge: str | None = None
    token_rotated_at: datetime | None = None

    @classmethod
    def from_model(cls, conn: Connection) -> ConnectionOut:
        """The public view of a connection (no secrets)."""
        return cls(
            model=conn.model,
            account_sid=conn.account_sid,
            status=conn.status,
            health=HealthOut.from_model(conn),
            api_key_sid=conn.api_key_sid,
            region=conn.region,
            edge=conn.edge,
            token_rotated_at=conn.token_rotated_at,
        )
