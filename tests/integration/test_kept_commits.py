"""A commit of this process empties what is kept between changes (the route cache, the API's
kept answers) only when it wrote a table whose rows are kept (`db.changes.WATCHED`): an
endpoint made, an audit line or retention's deletions keep every route, where any commit
emptied them (on PostgreSQL, where this process's commits are counted; SQLite follows
`PRAGMA data_version` and is unchanged)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, text, update

from callplane.agents import service as agents
from callplane.agents.models import Agent
from callplane.agents.schemas import AgentCreate, AgentPatch, VoiceIn
from callplane.db import changes
from callplane.db.audit import AuditLog
from callplane.db.uow import UnitOfWork
from callplane.runtime import Runtime
from callplane.tenancy import TenantScope
from tests.integration.test_fan_out_pass import _endpoint, _tenant

AGENT = AgentCreate(name="Front desk", voice=VoiceIn(mode="stream", stream_url="wss://a.example/s"))


async def _agent(db: Runtime, scope: TenantScope) -> uuid.UUID:
    async with db.uow() as uow:
        agent, _secret = await agents.create_agent(uow=uow, scope=scope, data=AGENT)
    return agent.id


async def _counted(db: Runtime, work: Any) -> int:
    """How many of this process's commits `work(uow)` counted."""
    before = changes.commits()
    async with db.uow() as uow:
        await work(uow)
    return changes.commits() - before


async def test_a_commit_that_writes_no_kept_table_keeps_what_is_kept(db: Runtime) -> None:
    scope = await _tenant(db, "quiet")
    before = changes.commits()
    await _endpoint(db, scope, ["call.*"])  # an endpoint and its audit line
    assert changes.commits() == before

    async def audit_line(uow: UnitOfWork) -> None:
        await uow.session.execute(
            insert(AuditLog).values(actor="test", action="probe", tenant_id=scope.tenant_id)
        )
        await uow.commit()

    assert await _counted(db, audit_line) == 0


async def test_a_commit_that_writes_a_kept_table_counts_at_once(db: Runtime) -> None:
    scope = await _tenant(db, "busy")
    agent_id = await _agent(db, scope)

    async def rename(uow: UnitOfWork) -> None:
        await agents.update_agent(
            uow=uow, scope=scope, agent_id=agent_id, data=AgentPatch(name="Receptionist")
        )

    async def statement(uow: UnitOfWork) -> None:
        await uow.session.execute(update(Agent).where(Agent.id == agent_id).values(name="B"))
        await uow.commit()

    async def written_as_text(uow: UnitOfWork) -> None:
        # Text is not looked into: it counts whatever it does.
        await uow.session.execute(text("SELECT 1"))
        await uow.commit()

    assert await _counted(db, rename) == 1
    assert await _counted(db, statement) == 1
    assert await _counted(db, written_as_text) == 1


async def test_a_write_rolled_back_is_not_counted_by_the_next_commit(db: Runtime) -> None:
    scope = await _tenant(db, "undone")
    agent_id = await _agent(db, scope)

    async def undone_then_other(uow: UnitOfWork) -> None:
        await uow.session.execute(update(Agent).where(Agent.id == agent_id).values(name="C"))
        await uow.rollback()
        await uow.session.execute(
            insert(AuditLog).values(actor="test", action="probe", tenant_id=scope.tenant_id)
        )
        await uow.commit()

    assert await _counted(db, undone_then_other) == 0
