"""`GET /v1/tenants/{tid}/recordings`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from callplane.deps import Scope, UoW
from callplane.recordings import service
from callplane.recordings.schemas import RecordingOut
from callplane.schemas import ERROR_RESPONSES, ListOf

router = APIRouter(tags=["recordings"], responses=ERROR_RESPONSES)


@router.get("/v1/tenants/{tid}/recordings", response_model=ListOf[RecordingOut])
async def list_recordings(
    scope: Scope,
    uow: UoW,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    call_sid: Annotated[str | None, Query(pattern=r"^CA[0-9a-fA-F]{32}$")] = None,
) -> object:
    """The tenant's call recordings, oldest first (Twilio's SID and URL; the account's
    credentials fetch the media, and are never in the URL)."""
    rows, next_cursor = await service.list_recordings(
        uow=uow, scope=scope, cursor=cursor, limit=limit, call_sid=call_sid
    )
    return {"data": [RecordingOut.model_validate(r) for r in rows], "next_cursor": next_cursor}
