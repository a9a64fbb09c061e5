"""Connection shapes; secrets are write-only."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from callplane.schemas import StrictModel

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


class HealthOut(BaseModel):
    """The last credential health check."""

    status: HealthStatus
    latency_ms: int | None = None
    checked_at: datetime | None = None
    detail: str | None = None


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
