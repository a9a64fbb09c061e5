"""The API's unit of work follows the request's database scope as its dependencies decide it
(deps.current_actor, deps.tenant_scope), and stops following once its session exists: a later
decision can never widen what an open session sees."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from callplane.db import rls
from callplane.db.uow import UnitOfWork

TENANT = rls.DbScope.tenant(uuid.UUID(int=1))
OTHER = rls.DbScope.tenant(uuid.UUID(int=2))


class _Session:
    """What the unit of work touches of a session here (no database)."""

    def __init__(self) -> None:
        self.info: dict[str, Any] = {}

    def in_transaction(self) -> bool:
        return False

    async def rollback(self) -> None:
        pass

    async def close(self) -> None:
        pass


def _uow() -> UnitOfWork:
    def factory() -> Any:
        return _Session()

    return UnitOfWork(factory, runtime=None, db_scope=rls.NO_SCOPE)  # type: ignore[arg-type]


async def test_it_sees_nothing_until_the_request_decides() -> None:
    state = SimpleNamespace()
    async with _uow() as uow:
        uow.follow(state)
        assert uow.db_scope == rls.NO_SCOPE
        state.db_scope = TENANT
        assert uow.db_scope == TENANT
        assert uow.session.info[rls.INFO_KEY] == TENANT  # made under the request's scope


async def test_a_decision_after_the_session_exists_is_not_followed() -> None:
    state = SimpleNamespace(db_scope=TENANT)
    async with _uow() as uow:
        uow.follow(state)
        session = uow.session
        state.db_scope = rls.PLATFORM_SCOPE
        assert uow.db_scope == TENANT and session.info[rls.INFO_KEY] == TENANT


async def test_an_explicit_scope_wins_and_platform_scope_restores_it() -> None:
    state = SimpleNamespace(db_scope=TENANT)
    async with _uow() as uow:
        uow.follow(state)
        async with uow.platform_scope():
            assert uow.db_scope == rls.PLATFORM_SCOPE
        assert uow.db_scope == TENANT
        state.db_scope = OTHER  # no longer followed once set here
        assert uow.db_scope == TENANT
