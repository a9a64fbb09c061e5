"""Who calls, and which tenant: the reads every API request makes before its own work.

Each API request authenticates its key and, on a tenant's routes, reads the tenant. They run
on the gateway's store (gateway/store.py) rather than a unit of work's session: on SQLite with
the stdlib driver on the event loop (the async ORM hops to a driver thread per statement, which
cost ~1 ms of a request that needs ~20 µs of SQLite), on PostgreSQL on psycopg's own connections
(gateway/pg_direct.py) in autocommit, the key and the URL's tenant in one statement
(`key_and_tenant`; the tenant row is only used once the key is known to be that tenant's or a
platform key: docs/decisions.md).

The answers are kept between changes (`store.Kept`): on SQLite until any other connection
commits anything (`PRAGMA data_version`, as the gateway's route cache does): a key revoked, a
tenant renamed or deleted, by this process, a job or another process, is seen by the very next
request. On PostgreSQL until a change to a tenant or an API key is notified (a trigger; by
another process: as soon as its notification arrives; by this process: at its commit).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select

from callplane.db.rls import DbScope
from callplane.gateway.pg_direct import Query
from callplane.gateway.store import GatewayStore, Kept
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


_KEY_COLUMNS = (ApiKey.id, ApiKey.role, ApiKey.tenant_id, ApiKey.revoked_at)
_TENANT_COLUMNS = (
    Tenant.id,
    Tenant.slug,
    Tenant.name,
    Tenant.status,
    Tenant.default_sms_from,
    Tenant.created_at,
)
_KEY = Query(select(*_KEY_COLUMNS).where(ApiKey.key_hash == bindparam("key_hash")))
_TENANT = Query(select(*_TENANT_COLUMNS).where(Tenant.id == bindparam("tenant_id")))
_KEY_AND_TENANT = Query(
    select(*_KEY_COLUMNS, *_TENANT_COLUMNS)
    .select_from(ApiKey)
    .outerjoin(Tenant, Tenant.id == bindparam("tenant_id"))
    .where(ApiKey.key_hash == bindparam("key_hash"))
)


def _key_row(row: Any) -> KeyRow:
    return KeyRow(*row[:4])


def _tenant_row(row: Any) -> TenantRow:
    created_at = row[5]
    # SQLite gives the column's type (UTC); psycopg a datetime in the connection's UTC zone.
    if created_at.tzinfo is not UTC:
        created_at = created_at.astimezone(UTC)
    return TenantRow(row[0], row[1], row[2], row[3], row[4], created_at)


class Access:
    """The API key and tenant reads of one process (see the module's docstring)."""

    def __init__(self, store: GatewayStore) -> None:
        self._store = store
        self._keys: Kept[str, KeyRow] = store.kept("api-keys", CACHE_SIZE)
        self._tenants: Kept[uuid.UUID, TenantRow] = store.kept("tenants", CACHE_SIZE)

    async def key(self, plain: str, *, now: Any = None) -> KeyRow | None:
        """The row of a plain API key (found by its hash, across tenants), or None."""
        key_hash = hash_api_key(plain)
        version = self._keys.version(now)
        if version is not None and (kept := self._keys.get(key_hash)) is not None:
            return kept
        rows = await self._store.fetch(_KEY, {"key_hash": key_hash})
        row = _key_row(rows[0]) if rows else None
        if row is not None:
            self._keys.put(version, key_hash, row)
        return row

    async def key_and_tenant(
        self, plain: str, tenant_id: uuid.UUID
    ) -> tuple[KeyRow | None, TenantRow | None]:
        """The key's row and the tenant of the request's URL, both at once: kept answers when
        there are both; on SQLite `key` and `tenant` (each read costs microseconds); on
        PostgreSQL one statement on the platform-scoped pool (one round trip instead of five).
        The tenant row only ever leaves through `deps.current_tenant`, once the key is known
        to be the tenant's own or a platform key."""
        now = self._store.kept_version()  # one version for both: read at the same moment
        key_hash = hash_api_key(plain)
        if now is not None:
            self._keys.version(now)
            self._tenants.version(now)
            key, tenant = self._keys.get(key_hash), self._tenants.get(tenant_id)
            if key is not None and tenant is not None:
                return key, tenant
            if self._store.dialect_name == "sqlite":
                key = key or await self.key(plain, now=now)
                return key, (await self.tenant(tenant_id, now=now) if key is not None else None)
        rows = await self._store.fetch(
            _KEY_AND_TENANT, {"key_hash": key_hash, "tenant_id": tenant_id}
        )
        if not rows:
            return None, None
        row = rows[0]
        key, tenant = _key_row(row), (_tenant_row(row[4:]) if row[4] is not None else None)
        self._keys.put(now, key_hash, key)
        if tenant is not None:
            self._tenants.put(now, tenant_id, tenant)
        return key, tenant

    async def tenant(self, tenant_id: uuid.UUID, *, now: Any = None) -> TenantRow | None:
        """The tenant, read within its own scope, or None when there is none."""
        version = self._tenants.version(now)
        if version is not None and (kept := self._tenants.get(tenant_id)) is not None:
            return kept
        rows = await self._store.fetch(
            _TENANT, {"tenant_id": tenant_id}, scope=DbScope.tenant(tenant_id)
        )
        row = _tenant_row(rows[0]) if rows else None
        if row is not None:
            self._tenants.put(version, tenant_id, row)
        return row
