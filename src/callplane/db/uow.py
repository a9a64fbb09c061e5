"""Unit of work: one session, one transaction at a time, committed only on request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from sqlalchemy import Executable, Result
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callplane.db import changes, rls
from callplane.db.base import Base
from callplane.db.repository import Repository
from callplane.tenancy import TenantScope

if TYPE_CHECKING:
    from callplane.runtime import Runtime

M = TypeVar("M", bound=Base)


class UnitOfWork:
    """Owns a session; services call `commit()` explicitly, anything else is rolled back.

    It also carries the runtime (settings, secrets, Twilio factory) so that services reach
    what they need through the one object they are handed, and the database scope
    (`db.rls.DbScope`) that PostgreSQL's row-level security confines its transactions to:
    platform (every tenant) for jobs and the CLI, nothing until the caller is known for API
    requests, then the caller's tenant (or platform for a platform key outside tenant routes).
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        runtime: Runtime,
        db_scope: rls.DbScope = rls.PLATFORM_SCOPE,
    ) -> None:
        self._factory = session_factory
        self._session: AsyncSession | None = None
        self._open = False
        self._db_scope = db_scope
        self._follow: Any = None
        self.runtime = runtime

    def follow(self, source: Any) -> None:
        """Take the scope from `source.db_scope` (an API request's state, set by `deps` as the
        caller and the tenant are known) until it is set here or the session is made; NO_SCOPE
        while the source has none."""
        self._follow = source

    @property
    def session(self) -> AsyncSession:
        """The open session (made on first use: a request answered from the hot reads alone,
        tenants/access.py, never makes one)."""
        if self._session is None:
            if not self._open:
                raise RuntimeError("unit of work used outside `async with`")
            # From here on the scope changes only through `set_db_scope` (fail closed: a
            # request's later decision no longer widens what this session sees).
            self._db_scope, self._follow = self.db_scope, None
            self._session = self._factory()
            self._session.info[rls.INFO_KEY] = self._db_scope
        return self._session

    async def __aenter__(self) -> Self:
        self._open = True
        return self

    @property
    def db_scope(self) -> rls.DbScope:
        """The rows the database lets this unit of work see (PostgreSQL)."""
        if self._follow is not None:
            followed: rls.DbScope = getattr(self._follow, "db_scope", rls.NO_SCOPE)
            return followed
        return self._db_scope

    async def set_db_scope(self, scope: rls.DbScope, *, flush: bool = True) -> None:
        """Confine this unit of work to `scope` from now on, in the current transaction too.

        Work not yet flushed is flushed first, under the scope it was done in (unless `flush`
        is False: a failed transaction has nothing left to flush).
        """
        current = self.db_scope
        self._db_scope, self._follow = scope, None
        if scope == current:
            return
        session = self._session
        if session is None:
            return
        session.info[rls.INFO_KEY] = scope
        if session.in_transaction() and session.get_bind().dialect.name == "postgresql":
            if flush:
                await session.flush()
            conn = await session.connection()
            await conn.run_sync(rls.apply_sync, scope)

    @asynccontextmanager
    async def platform_scope(self) -> AsyncIterator[None]:
        """Across tenants for the duration of the block: the explicit cross-tenant policy.

        For the few reads a tenant's request makes across tenants by design (which API key is
        this? does another tenant hold this number? which tenants' numbers are on this legacy
        trunk?), and nothing else. The scope is restored when the block ends.
        """
        previous = self.db_scope
        await self.set_db_scope(rls.PLATFORM_SCOPE)
        try:
            yield
        except BaseException:
            # The transaction may be unusable now (the caller rolls back) and refuse the setting:
            # the next transaction starts in the previous scope either way.
            with suppress(Exception):
                await self.set_db_scope(previous, flush=False)
            raise
        await self.set_db_scope(previous)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._open = False
        session = self._session
        if session is None:
            return
        try:
            await session.rollback()
        finally:
            changes.wrote_watched(session)
            await session.close()
            self._session = None

    async def commit(self) -> None:
        """Commit what has been done so far."""
        try:
            await self.session.commit()
        finally:
            # What was kept may be stale now, even if the outcome is unknown; only the tables
            # whose rows are kept matter (db/changes.py).
            if changes.wrote_watched(self.session):
                changes.committed()

    async def rollback(self) -> None:
        """Drop what has been done since the last commit."""
        await self.session.rollback()
        changes.wrote_watched(self.session)

    def repo(self, model: type[M], scope: TenantScope | None) -> Repository[M]:
        """A repository for `model`; scoped to the tenant when `scope` is given."""
        return Repository(self.session, model, scope)

    def platform_repo(self, model: type[M]) -> Repository[M]:
        """A repository over every tenant's rows, each of its statements run in the platform
        database scope (`platform_scope`), which is restored after each one."""
        return _PlatformRepository(self, model)

    def add(self, obj: Any) -> None:
        """Add an unscoped (platform) object."""
        self.session.add(obj)


class _PlatformRepository(Repository[M]):
    """Unscoped, and across tenants under row-level security too: the explicit policy."""

    def __init__(self, uow: UnitOfWork, model: type[M]) -> None:
        super().__init__(uow.session, model, None)
        self._uow = uow

    async def _execute(self, stmt: Executable) -> Result[Any]:
        async with self._uow.platform_scope():
            return await super()._execute(stmt)
