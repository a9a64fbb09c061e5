"""Unit of work: one session, one transaction at a time, committed only on request."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callplane.db.base import Base
from callplane.db.repository import Repository
from callplane.tenancy import TenantScope

if TYPE_CHECKING:
    from callplane.runtime import Runtime

M = TypeVar("M", bound=Base)


class UnitOfWork:
    """Owns a session; services call `commit()` explicitly, anything else is rolled back.

    It also carries the runtime (settings, secrets, Twilio factory) so that services reach
    what they need through the one object they are handed.
    """

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], runtime: Runtime
    ) -> None:
        self._factory = session_factory
        self._session: AsyncSession | None = None
        self.runtime = runtime

    @property
    def session(self) -> AsyncSession:
        """The open session."""
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._factory()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            await session.rollback()
        finally:
            await session.close()
            self._session = None

    async def commit(self) -> None:
        """Commit what has been done so far."""
        await self.session.commit()

    async def rollback(self) -> None:
        """Drop what has been done since the last commit."""
        await self.session.rollback()

    def repo(self, model: type[M], scope: TenantScope | None) -> Repository[M]:
        """A repository for `model`; scoped to the tenant when `scope` is given."""
        return Repository(self.session, model, scope)

    def add(self, obj: Any) -> None:
        """Add an unscoped (platform) object."""
        self.session.add(obj)
