"""Recording the calls of numbers on the tenant's trunk.

Twilio routes such a call through the trunk and never requests the number's voice webhook, so
no TwiML can start a recording (`<Start><Recording>`, as for streamed calls), and callplane never
learns the call's SID to start one with the Recordings API. What Twilio offers there is the
trunk's own recording setting (trunking v1 `Trunks/{sid}/Recording`): callplane sets it to
`record-from-answer-dual` while any active number on the trunk is attached to an agent with
`record: true`, and to `do-not-record` otherwise (the trunks are callplane's own: one per tenant, and one per provider its agents use).
Trunk recordings have no status callback: they are in the account's Recordings at Twilio, not in
`GET .../recordings` (docs/decisions.md).
"""

from __future__ import annotations

from callplane.agents.models import Agent
from callplane.connections import access
from callplane.connections import service as connections
from callplane.db.audit import record_audit
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError
from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import NumberStatus
from callplane.tenancy import TenantScope
from callplane.trunks.ensure import trunk_access
from callplane.trunks.models import Trunk

log = get_logger(__name__)

RECORD = "record-from-answer-dual"
DO_NOT_RECORD = "do-not-record"


async def wanted_mode(*, uow: UnitOfWork, scope: TenantScope, trunk: Trunk) -> str:
    """The recording mode the trunk's numbers ask for."""
    numbers = await uow.repo(PhoneNumber, scope).all(
        PhoneNumber.trunk_id == trunk.id,
        PhoneNumber.status == NumberStatus.active,
        PhoneNumber.agent_id.is_not(None),
    )
    agents = {n.agent_id for n in numbers}
    recorded = agents and await uow.repo(Agent, scope).count(
        Agent.id.in_(agents), Agent.record.is_(True)
    )
    return RECORD if recorded else DO_NOT_RECORD


async def sync_recording(*, uow: UnitOfWork, scope: TenantScope) -> str | None:
    """Bring the recording setting of each of the tenant's trunks (its own, and one per voice-AI
    provider its agents use) at Twilio in line with its numbers' agents; the mode the tenant's
    own trunk has now (None: no trunk, or Twilio could not be told, which is logged and retried
    by the next change or `PUT trunk`)."""
    own: str | None = None
    for trunk in await uow.repo(Trunk, scope).all():
        mode = await _sync_trunk(uow=uow, scope=scope, trunk=trunk)
        if trunk.provider is None:
            own = mode
    return own


async def _sync_trunk(*, uow: UnitOfWork, scope: TenantScope, trunk: Trunk) -> str | None:
    mode = await wanted_mode(uow=uow, scope=scope, trunk=trunk)
    conn = await connections.get_connection(uow=uow, scope=scope)
    if conn.account_sid != trunk.account_sid or not trunk.twilio_sid:
        return None
    tw = trunk_access(uow, conn, access.credentials(uow, conn)).tw
    try:
        current = await tw.fetch_recording(trunk.twilio_sid)
        if current is None or current.mode == mode:
            return current.mode if current is not None else None
        await tw.set_recording(trunk.twilio_sid, mode)
    except ApiError as exc:
        log.warning("trunk recording not set", trunk_sid=trunk.twilio_sid, code=exc.code)
        return None
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="trunk.recording",
        tenant_id=scope.tenant_id,
        target=trunk.twilio_sid,
        detail={"mode": mode},
    )
    await uow.commit()
    return mode
