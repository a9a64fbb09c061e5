"""v2010 Accounts (subaccounts: create, suspend, close) and Keys (standard API keys)."""

from __future__ import annotations

from typing import Any

from callplane.sandbox.auth import require_token_auth
from callplane.sandbox.errors import TwilioError, invalid_param, unauthorized
from callplane.sandbox.paging import page_request, select, v2010_envelope
from callplane.sandbox.routing import Ctx, Reply, Router
from callplane.sandbox.state import Account, ApiKey, SandboxState
from callplane.sandbox.util import new_sid, new_token, now, rfc2822

API = "/2010-04-01"
ACCOUNT_STATUSES = ("active", "suspended", "closed")
SUBRESOURCES = {
    "available_phone_numbers": "AvailablePhoneNumbers.json",
    "calls": "Calls.json",
    "conferences": "Conferences.json",
    "incoming_phone_numbers": "IncomingPhoneNumbers.json",
    "notifications": "Notifications.json",
    "outgoing_caller_ids": "OutgoingCallerIds.json",
    "recordings": "Recordings.json",
    "transcriptions": "Transcriptions.json",
    "addresses": "Addresses.json",
    "signing_keys": "SigningKeys.json",
    "connect_apps": "ConnectApps.json",
    "sip": "SIP.json",
    "authorized_connect_apps": "AuthorizedConnectApps.json",
    "usage": "Usage.json",
    "keys": "Keys.json",
    "applications": "Applications.json",
    "short_codes": "SMS/ShortCodes.json",
    "queues": "Queues.json",
    "messages": "Messages.json",
    "balance": "Balance.json",
}


def account_json(account: Account) -> dict[str, Any]:
    """An Account as v2010 shows it (auth token included, as Twilio does)."""
    base = f"{API}/Accounts/{account.sid}"
    return {
        "auth_token": account.auth_token,
        "date_created": rfc2822(account.date_created),
        "date_updated": rfc2822(account.date_updated),
        "friendly_name": account.friendly_name,
        "owner_account_sid": account.owner_account_sid,
        "sid": account.sid,
        "status": account.status,
        "subresource_uris": {k: f"{base}/{v}" for k, v in SUBRESOURCES.items()},
        "type": account.type,
        "uri": f"{base}.json",
    }


def key_json(key: ApiKey, *, with_secret: bool = False) -> dict[str, Any]:
    """An API key; the secret only in the answer that creates it."""
    body: dict[str, Any] = {
        "sid": key.sid,
        "friendly_name": key.friendly_name,
        "date_created": rfc2822(key.date_created),
        "date_updated": rfc2822(key.date_updated),
    }
    if with_secret:
        body["secret"] = key.secret
    return body


def require_not_closed(state: SandboxState, account: Account) -> None:
    """10001 for writes into a closed account (or one whose parent is closed)."""
    parent = state.parent_of(account)
    if account.status == "closed" or (parent is not None and parent.status == "closed"):
        raise TwilioError(400, 10001, "Account is not active")


def create_account(ctx: Ctx) -> Reply:
    """POST /Accounts.json: a subaccount of the caller."""
    require_token_auth(ctx.principal)
    owner = ctx.principal.account
    if owner.is_subaccount:
        # Twilio has one level of subaccounts; a subaccount's credentials cannot make more.
        raise unauthorized()
    stamp = now()
    name = ctx.form.text("FriendlyName", max_len=64) or (
        f"SubAccount Created at {stamp:%Y-%m-%d %I:%M %p}"
    )
    account = ctx.state.create_account(friendly_name=name, owner=owner)
    return 201, account_json(account)


def list_accounts(ctx: Ctx) -> Reply:
    """GET /Accounts.json: the caller and (with its auth token) its subaccounts."""
    req = page_request(ctx.query)
    me = ctx.principal.account
    name = ctx.query.get("FriendlyName")
    status = ctx.query.get("Status")
    if status is not None and status not in ACCOUNT_STATUSES:
        raise invalid_param("Status", "must be active, suspended or closed")
    if me.is_subaccount or ctx.principal.via_key:
        source: Any = [me]
    else:
        source = ctx.state.accounts.owned(me.sid)

    def keep(a: Account) -> bool:
        return (name is None or a.friendly_name == name) and (status is None or a.status == status)

    items, more = select(source, req, keep)
    filters = [(k, v) for k, v in (("FriendlyName", name), ("Status", status)) if v is not None]
    return 200, v2010_envelope(
        f"{API}/Accounts.json",
        "accounts",
        [account_json(a) for a in items],
        req,
        more,
        items,
        filters,
    )


def fetch_account(ctx: Ctx) -> Reply:
    """GET /Accounts/{Sid}.json."""
    return 200, account_json(ctx.account("Sid"))


def update_account(ctx: Ctx) -> Reply:
    """POST /Accounts/{Sid}.json: FriendlyName; Status active|suspended|closed (closed is final)."""
    require_token_auth(ctx.principal)
    account = ctx.account("Sid")
    status = ctx.form.get("Status")
    name = ctx.form.text("FriendlyName", max_len=64)
    if status is not None and status not in ACCOUNT_STATUSES:
        raise invalid_param("Status", "must be active, suspended or closed")
    if account.status == "closed":
        if status in (None, "closed") and name is None:
            return 200, account_json(account)  # closing twice is harmless
        if status not in (None, "closed"):
            raise TwilioError(
                400, 21479, "Unable to update Status for subaccount, subaccount has been closed."
            )
        raise TwilioError(400, 10001, "Account is not active")
    if status is not None and status != account.status:
        if account.sid == ctx.principal.account.sid:
            # Only the parent changes a subaccount's status; the main account has no status switch.
            raise TwilioError(
                403, 20403, "An account cannot change its own status; use its parent's credentials"
            )
        if status == "closed":
            ctx.state.close_account(account)
        else:
            account.status = status
    if name is not None:
        account.friendly_name = name
    account.date_updated = now()
    return 200, account_json(account)


def create_key(ctx: Ctx) -> Reply:
    """POST /Accounts/{AccountSid}/Keys.json: a standard key; the secret is shown once."""
    require_token_auth(ctx.principal)
    account = ctx.account()
    require_not_closed(ctx.state, account)
    key = ApiKey(
        sid=new_sid("SK"),
        account_sid=account.sid,
        secret=new_token(),
        friendly_name=ctx.form.text("FriendlyName", max_len=64) or "",
    )
    ctx.state.keys.add(key)
    return 201, key_json(key, with_secret=True)


def _key(ctx: Ctx) -> ApiKey:
    require_token_auth(ctx.principal)
    account = ctx.account()
    key = ctx.state.keys.get(ctx.args["Sid"])
    if key is None or key.account_sid != account.sid:
        raise ctx.not_found()
    return key


def list_keys(ctx: Ctx) -> Reply:
    """GET /Accounts/{AccountSid}/Keys.json."""
    require_token_auth(ctx.principal)
    account = ctx.account()
    req = page_request(ctx.query)
    index = ctx.state.keys.owned(account.sid)
    items, more = select(index, req)
    path = f"{API}/Accounts/{account.sid}/Keys.json"
    return 200, v2010_envelope(path, "keys", [key_json(k) for k in items], req, more, items)


def fetch_key(ctx: Ctx) -> Reply:
    """GET /Accounts/{AccountSid}/Keys/{Sid}.json."""
    return 200, key_json(_key(ctx))


def update_key(ctx: Ctx) -> Reply:
    """POST /Accounts/{AccountSid}/Keys/{Sid}.json: FriendlyName."""
    key = _key(ctx)
    name = ctx.form.text("FriendlyName", max_len=64)
    if name is not None:
        key.friendly_name = name
        key.date_updated = now()
    return 200, key_json(key)


def delete_key(ctx: Ctx) -> Reply:
    """DELETE /Accounts/{AccountSid}/Keys/{Sid}.json: the key stops working at once."""
    ctx.state.keys.remove(_key(ctx))
    return 204, None


def register(router: Router) -> None:
    """Add the Accounts and Keys routes."""
    router.add(f"{API}/Accounts.json", get=list_accounts, post=create_account)
    router.add(f"{API}/Accounts/{{Sid}}.json", get=fetch_account, post=update_account)
    router.add(f"{API}/Accounts/{{AccountSid}}/Keys.json", get=list_keys, post=create_key)
    router.add(
        f"{API}/Accounts/{{AccountSid}}/Keys/{{Sid}}.json",
        get=fetch_key,
        post=update_key,
        delete=delete_key,
    )
