"""A tenant's provider credentials at rest and in use: sealed with the key ring, bound to their
tenant and column; opened only to make a provider call."""

from __future__ import annotations

from callplane.db.uow import UnitOfWork
from callplane.providers.adapters import Credentials
from callplane.providers.models import ProviderAccount


def _field(column: str) -> str:
    return f"provider_accounts.{column}"


def seal(uow: UnitOfWork, account: ProviderAccount, column: str, value: str | None) -> None:
    """Store `value` encrypted in `column` of the account, bound to its tenant and column."""
    sealed = uow.runtime.secrets.seal(value, tenant_id=account.tenant_id, field=_field(column))
    setattr(account, column, sealed)


def credentials(uow: UnitOfWork, account: ProviderAccount) -> Credentials:
    """The account's credentials, opened, with this process's SSRF and timeout settings."""
    secrets = uow.runtime.secrets
    key = secrets.open(account.api_key, tenant_id=account.tenant_id, field=_field("api_key"))
    secret = secrets.open(
        account.api_secret, tenant_id=account.tenant_id, field=_field("api_secret")
    )
    return given(
        uow,
        account.name,
        api_key=key or "",
        api_secret=secret,
        url=account.url,
        sip_host=account.sip_host,
        base_url=account.base_url,
    )


def given(
    uow: UnitOfWork,
    name: str,
    *,
    api_key: str,
    api_secret: str | None,
    url: str | None,
    sip_host: str | None,
    base_url: str | None,
) -> Credentials:
    """Credentials as given (stored or not), with this process's SSRF and timeout settings."""
    settings = uow.runtime.settings
    return Credentials(
        name=name,
        api_key=api_key,
        api_secret=api_secret,
        url=url,
        sip_host=sip_host,
        base_url=base_url,
        allow_private=settings.allow_private_urls,
        timeout=settings.provider_timeout_seconds,
    )
