"""A tenant's recordings, as the recording callbacks reported them."""

from __future__ import annotations

from callplane.db.uow import UnitOfWork
from callplane.recordings.models import Recording
from callplane.tenancy import TenantScope


async def list_recordings(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    cursor: str | None,
    limit: int,
    call_sid: str | None = None,
) -> tuple[list[Recording], str | None]:
    """A page of the tenant's recordings, oldest first (of one call, when given)."""
    where = [Recording.call_sid == call_sid] if call_sid else []
    return await uow.repo(Recording, scope).page(*where, cursor=cursor, limit=limit)
