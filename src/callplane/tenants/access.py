"""Who calls, and which tenant: the reads every API request makes before its own work.

Each API request authenticates its key and, on a tenant's routes, reads the tenant. They run
on the gateway's store (gateway/store.py) rather than a unit of work's session: on SQLite with
the stdlib driver on the event loop (the async ORM hops to a driver thread per statement, which
cost ~1 ms of a request that needs ~20 µs of SQLite), on PostgreSQL on the gateway's pool in
autocommit, the key and the URL's tenant in one statement (`key_and_tenant`; the tenant row is
only used once the key is known to be that tenant's or a platform key: docs/decisions.md).

On SQLite the answers are kept until any other connection commits anything (`PRAGMA
data_version`, as the gateway's route cache does): a key revoked, a tenant renamed or deleted,
by this process, a job or another process, is seen by the very next request. On PostgreSQL
nothing is kept: every request reads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from callplane.db.rls import DbScope
from callplane.gateway.store import GatewayStore
from callplane.security.apikeys import hash_api_key
from callplane.tenants.models import ApiKey, Tenant

# Entries kept between two changes of the database; past this the cache starts again (a flood
# of distinct keys or tenant ids costs reads, never memory).
CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class KeyRow:
    """What authentication needs of an API key row."""

    id: uuid.UUID
    role: str
    tenant_id: uuid.UUID | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class TenantRow:
    """A tenant as the API shows it (`TenantOut` reads these attributes)."""

    id: uuid.UUID
    slug: str
    name: str
    status: str
    default_sms_from: str | None
    created_at: datetime


_KEY = select(ApiKey.id, ApiKey.role, ApiKey.tenant_id, ApiKey.revoked_at)
_TENANT = select(
    Tenant.id, Tenant.slug, Tenant.name, Tenant.status, Tenant.default_sms_from, Tenant.created_at
)


def _key_row(conn: Connection, key_hash: str) -> KeyRow | None:
    row = conn.execute(_KEY.where(ApiKey.key_hash == key_hash)).first()
    return KeyRow(*row) if row is not None else None


_KEY_AND_TENANT = (
    select(*_KEY.selected_columns, *_TENANT.selected_columns)
    .select_from(ApiKey)
    .outerjoin(Tenant, Tenant.id == bindparam("tenant_id"))
)


def _key_and_tenant(
    conn: Connection, key_hash: str, tenant_id: uuid.UUID
) -> tuple[KeyRow | None, TenantRow | None]:
    row = conn.execute(
        _KEY_AND_TENANT.where(ApiKey.key_hash == key_hash), {"tenant_id": tenant_id}
    ).first()
    if row is None:
        return None, None
    key = KeyRow(*row[:4])
    return key, (TenantRow(*row[4:]) if row[4] is not None else None)


def _tenant_row(conn: Connection, tenant_id: uuid.UUID) -> TenantRow | None:
    row = conn.execute(_TENANT.where(Tenant.id == tenant_id)).first()
    return TenantRow(*row) if row is not None else None


class Access:
    """The API key and tenant reads of one process (see the module's docstring)."""

    def __init__(self, store: GatewayStore) -> None:
        self._store = store
        self._version: Any = None
        self._keys: dict[str, KeyRow] = {}
        self._tenants: dict[uuid.UUID, TenantRow] = {}

    def _current(self) -> bool:
        """Whether kept answers may be used (SQLite, nothing committed elsewhere since)."""
        if not self._store.versioned:
            return False
        version = self._store.version()
        if version != self._version:
            self._version = version
            self._keys.clear()
            self._tenants.clear()
        return True

    async def key(self, plain: str) -> KeyRow | None:
        """The row of a plain API key (found by its hash, across tenants), or None."""
        key_hash = hash_api_key(plain)
        keep = self._current()
        if keep and (kept := self._keys.get(key_hash)) is not None:
            return kept
        row = await self._store.read(lambda conn: _key_row(conn, key_hash))
        if keep and row is not None:
            _put(self._keys, key_hash, row)
        return row

    async def key_and_tenant(
        self, plain: str, tenant_id: uuid.UUID
    ) -> tuple[KeyRow | None, TenantRow | None]:
        """The key's row and the tenant of the request's URL, both at once: on PostgreSQL one
        statement on the platform-scoped pool (one round trip instead of five); the tenant row
        only ever leaves through `deps.current_tenant`, once the key is known to be the
        tenant's own or a platform key. On SQLite, `key` and `tenant` (kept answers)."""
        if self._store.versioned:
            key = await self.key(plain)
            return key, (await self.tenant(tenant_id, checked=True) if key is not None else None)
        key_hash = hash_api_key(plain)
        return await self._store.read(lambda conn: _key_and_tenant(conn, key_hash, tenant_id))

    async def tenant(self, tenant_id: uuid.UUID, *, checked: bool = False) -> TenantRow | None:
        """The tenant, read within its own scope, or None when there is none (`checked`: the
        kept answers were just found current by `key`)."""
        keep = self._store.versioned if checked else self._current()
        if keep and (kept := self._tenants.get(tenant_id)) is not None:
            return kept
        row = await self._store.read_in(
            DbScope.tenant(tenant_id), lambda conn: _tenant_row(conn, tenant_id)
        )
        if keep and row is not None:
            _put(self._tenants, tenant_id, row)
        return row


def _put(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = value
