"""The tokens that may sign a connection's webhooks: a pure function of the row, the secrets to
open it with and the rotation grace, shared by the gateway's hot path and `explain`."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Protocol

from callplane.db.base import utcnow


class SecretOpener(Protocol):
    """What opens a sealed column: `security.secrets.SecretBox`, or a cache in front of it."""

    def open(self, token: str | None, *, tenant_id: uuid.UUID | None, field: str) -> str | None:
        """The plain text of `token`, sealed for this tenant and column."""
        ...


class StoredTokens(Protocol):
    """The columns of a connection the tokens come from: a `Connection`, or a row of them."""

    @property
    def tenant_id(self) -> uuid.UUID: ...
    @property
    def model(self) -> str: ...
    @property
    def auth_token(self) -> str | None: ...
    @property
    def previous_auth_token(self) -> str | None: ...
    @property
    def token_rotated_at(self) -> datetime | None: ...


def webhook_tokens(
    conn: StoredTokens, *, secrets: SecretOpener, grace: timedelta, now: datetime | None = None
) -> list[str]:
    """The connection's own tokens that verify its webhooks: the current one, then the previous
    one while `grace` has not passed since the rotation.

    A master-model connection stores no token (the platform's come from settings): none.
    Raises `DecryptionError` when a stored token cannot be opened.
    """
    if conn.model == "master":
        return []
    tokens = [t for t in [_open(secrets, conn, "auth_token")] if t]
    rotated = conn.token_rotated_at
    if conn.previous_auth_token and rotated and (now or utcnow()) - rotated < grace:
        previous = _open(secrets, conn, "previous_auth_token")
        if previous:
            tokens.append(previous)
    return tokens


def _open(secrets: SecretOpener, conn: StoredTokens, column: str) -> str | None:
    # The field is the column's associated data, as `connections.service.seal` wrote it.
    return secrets.open(
        getattr(conn, column), tenant_id=conn.tenant_id, field=f"connections.{column}"
    )
