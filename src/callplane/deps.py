"""FastAPI dependencies: the unit of work, the caller, and the one tenant-scope dependency."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import select

from callplane.db.rls import NO_SCOPE, PLATFORM_SCOPE, DbScope
from callplane.db.uow import UnitOfWork
from callplane.errors import Forbidden, NotFound, Unauthorized
from callplane.gateway.store import GatewayStore
from callplane.runtime import Runtime
from callplane.security.apikeys import hash_api_key
from callplane.settings import Settings
from callplane.tenancy import Actor, Role, TenantScope
from callplane.tenants.access import Access, KeyRow, TenantRow
from callplane.tenants.models import ApiKey, Tenant


def get_runtime(request: Request) -> Runtime:
    """The process runtime."""
    return request.app.state.runtime  # type: ignore[no-any-return]


# The dependencies below are coroutines although they only read attributes: FastAPI runs a
# plain function dependency in a worker thread: a thread hop that was half of a kept page's
# CPU in process (403 against 204 µs).


async def runtime_dependency(request: Request) -> Runtime:
    """The process runtime, as a dependency."""
    return get_runtime(request)


async def app_settings(request: Request) -> Settings:
    """The process settings."""
    return get_runtime(request).settings


AppRuntime = Annotated[Runtime, Depends(runtime_dependency)]
AppSettings = Annotated[Settings, Depends(app_settings)]


async def get_uow(request: Request) -> AsyncIterator[UnitOfWork]:
    """One unit of work per request; uncommitted work is rolled back at the end.

    It starts seeing no row at all (PostgreSQL row-level security); `current_actor` and
    `tenant_scope` open it to the caller's tenant, or to every tenant for a platform key.
    """
    async with get_runtime(request).uow(NO_SCOPE) as uow:
        uow.follow(request.state)  # `current_actor` and `tenant_scope` decide it
        yield uow


UoW = Annotated[UnitOfWork, Depends(get_uow)]


async def current_actor(request: Request) -> Actor:
    """The caller of a `Authorization: Bearer <api key>` request; 401 otherwise (once per
    request: `current_tenant` asks for it directly rather than as a dependency, which FastAPI
    would solve, at ~15 µs each, on every request)."""
    actor: Actor | None = getattr(request.state, "actor", None)
    if actor is not None:
        return actor
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
    access = access_of(request)
    tid = _tenant_in_path(request)
    if tid is None:
        actor = actor_of_key(await access.key(token.strip()))
    else:  # a tenant's route: its tenant read with the key (`current_tenant` takes it)
        key, request.state.path_tenant = await access.key_and_tenant(token.strip(), tid)
        actor = actor_of_key(key)
    request.state.actor = actor
    request.state.actor_key_id = str(actor.key_id)
    request.state.db_scope = db_scope_of(actor)  # the request's unit of work follows it
    return actor


def _tenant_in_path(request: Request) -> uuid.UUID | None:
    raw = request.path_params.get("tid")
    try:
        return uuid.UUID(raw) if isinstance(raw, str) else None
    except ValueError:  # answered 422 by the route's own parameter
        return None


def db_scope_of(actor: Actor) -> DbScope:
    """The rows an actor's unit of work may see: its tenant's, or every tenant's (platform)."""
    if actor.is_platform:
        return PLATFORM_SCOPE
    if actor.tenant_id is None:  # pragma: no cover - a tenant key always has a tenant
        return NO_SCOPE
    return DbScope.tenant(actor.tenant_id)


def gateway_store(request: Request) -> GatewayStore:
    """The gateway's database access, which the API's hot reads share (gateway/store.py)."""
    from callplane.gateway.lifespan import gateway_of  # the gateway imports the API's deps

    return gateway_of(request.app).store


async def hot_store(request: Request) -> GatewayStore:
    """`gateway_store`, as a dependency."""
    return gateway_store(request)


HotStore = Annotated[GatewayStore, Depends(hot_store)]


def access_of(request: Request) -> Access:
    """The process's key and tenant reads (tenants/access.py)."""
    access: Access | None = getattr(request.app.state, "access", None)
    if access is None:
        access = Access(gateway_store(request))
        request.app.state.access = access
    return access


def actor_of_key(key: ApiKey | KeyRow | None) -> Actor:
    """The caller an API key row stands for; 401 when there is none or it is revoked."""
    if key is None or key.revoked_at is not None:
        raise Unauthorized("invalid or revoked API key")
    return Actor(role=Role(key.role), tenant_id=key.tenant_id, key_id=key.id)


async def authenticate_api_key(uow: UnitOfWork, plain: str) -> Actor:
    """The caller of a plain API key (the API's bearer and the admin console's sign-in).

    The one read of a request made before its tenant is known: across tenants, by the key's
    hash (the caller proves it holds the key; nothing else of the row leaves this function).
    """
    async with uow.platform_scope():
        key = (
            await uow.session.execute(select(ApiKey).where(ApiKey.key_hash == hash_api_key(plain)))
        ).scalar_one_or_none()
    return actor_of_key(key)


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def platform_actor(actor: CurrentActor) -> Actor:
    """A platform key; a tenant key gets 403."""
    if not actor.is_platform:
        raise Forbidden("this needs a platform API key")
    return actor


PlatformActor = Annotated[Actor, Depends(platform_actor)]


async def current_tenant(
    tid: Annotated[uuid.UUID, Path(description="Tenant id")], request: Request
) -> TenantRow:
    """The tenant of `/v1/tenants/{tid}/...` (any key of it, or a platform key); another
    tenant's id is 404, as if unknown."""
    actor = await current_actor(request)
    if not actor.is_platform and actor.tenant_id != tid:
        raise NotFound("tenant")
    tenant: TenantRow | None = getattr(request.state, "path_tenant", None)
    if tenant is None or tenant.id != tid:
        tenant = await access_of(request).tenant(tid)
    if tenant is None:
        raise NotFound("tenant")
    return tenant


CurrentTenant = Annotated[TenantRow, Depends(current_tenant)]


async def tenant_scope_in(uow: UnitOfWork, tid: uuid.UUID, actor: Actor) -> TenantScope:
    """`tenant_scope` through a unit of work (the admin console's pages, which read with it)."""
    if not actor.is_platform and actor.tenant_id != tid:
        raise NotFound("tenant")
    await uow.set_db_scope(DbScope.tenant(tid))
    if await uow.session.get(Tenant, tid) is None:
        raise NotFound("tenant")
    return TenantScope(tenant_id=tid, actor=actor)


async def tenant_scope(
    tid: Annotated[uuid.UUID, Path(description="Tenant id")], request: Request
) -> TenantScope:
    """The scope of a tenant's routes: that tenant's rows only, whoever calls (platform keys
    included); the request's unit of work follows it. `current_tenant` is asked directly, not
    as a dependency: each level FastAPI solves costs every request (~15-30 µs)."""
    tenant = await current_tenant(tid, request)
    request.state.db_scope = DbScope.tenant(tenant.id)
    return TenantScope(tenant_id=tenant.id, actor=await current_actor(request))


Scope = Annotated[TenantScope, Depends(tenant_scope)]


async def admin_scope(
    tid: Annotated[uuid.UUID, Path(description="Tenant id")], request: Request
) -> TenantScope:
    """The tenant scope, for writes: member keys get 403."""
    return require_admin(await tenant_scope(tid, request))


def require_admin(scope: TenantScope) -> TenantScope:
    """`scope`, when its caller may write (an admin or platform key); 403 otherwise."""
    if not scope.actor.can_write:
        raise Forbidden("this needs an admin API key")
    return scope


AdminScope = Annotated[TenantScope, Depends(admin_scope)]
