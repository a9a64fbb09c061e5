"""HTTP Basic authentication and who may touch which account, as Twilio decides it.

- Username `AC...` + auth token, or `SK...` + secret of an API key of that account.
- An account that is suspended or closed (or whose parent is) cannot authenticate: 20003
  ("Account is suspended or closed" is one of the documented causes of 20003).
- A parent's SID + auth token reach its subaccounts' v2010 resources; a parent's API key does not
  ("Main account API Keys are only available to access main account resources").
- Standard API keys cannot manage accounts or keys.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass

from callplane.sandbox.errors import TwilioError, not_found, unauthorized
from callplane.sandbox.state import Account, ApiKey, SandboxState


@dataclass(frozen=True)
class Principal:
    """Whose credentials a request carries."""

    account: Account
    key: ApiKey | None = None

    @property
    def via_key(self) -> bool:
        """Whether an API key (not the auth token) authenticated the request."""
        return self.key is not None


def authenticate(state: SandboxState, header: str | None) -> Principal:
    """The principal of an `Authorization: Basic ...` header, or 20003."""
    if not header or not header.lower().startswith("basic "):
        raise unauthorized()
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise unauthorized() from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise unauthorized()
    if username.startswith("SK"):
        key = state.keys.get(username)
        if key is None or not hmac.compare_digest(key.secret.encode(), password.encode()):
            raise unauthorized()
        account = state.account(key.account_sid)
        if account is None or not state.is_usable(account):
            raise unauthorized()
        return Principal(account=account, key=key)
    account = state.account(username)
    if account is None or not hmac.compare_digest(account.auth_token.encode(), password.encode()):
        raise unauthorized()
    if not state.is_usable(account):
        raise unauthorized()
    return Principal(account=account)


def reach_account(state: SandboxState, principal: Principal, sid: str, path: str) -> Account:
    """The account a v2010 path names, if these credentials may act in it."""
    target = state.account(sid)
    if target is None:
        raise not_found(path)
    if target.sid == principal.account.sid:
        return target
    if (
        not principal.via_key
        and target.is_subaccount
        and target.owner_account_sid == principal.account.sid
    ):
        return target
    raise unauthorized()


def require_token_auth(principal: Principal) -> None:
    """Refuse API keys where Twilio wants the account's own auth token (accounts, keys)."""
    if principal.via_key:
        raise unauthorized()


def require_active(state: SandboxState, account: Account) -> None:
    """10001 when a parent acts in a suspended or closed subaccount."""
    if not state.is_usable(account):
        raise TwilioError(400, 10001, "Account is not active")
