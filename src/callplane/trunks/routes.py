"""A tenant's SIP trunk: `PUT/GET/DELETE trunk`, `POST trunk/credentials/rotate`,
`PUT/DELETE trunk/phone-numbers/{nid}`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Response

from callplane.deps import AdminScope, Scope, UoW
from callplane.schemas import ERROR_RESPONSES
from callplane.trunks import service
from callplane.trunks.schemas import TrunkNumberOut, TrunkOut, TrunkPut

router = APIRouter(prefix="/v1/tenants/{tid}", tags=["trunks"], responses=ERROR_RESPONSES)


@router.put(
    "/trunk",
    response_model=TrunkOut,
    responses={201: {"model": TrunkOut, "description": "The trunk was created"}},
)
async def put_trunk(
    scope: AdminScope, uow: UoW, response: Response, body: Annotated[TrunkPut | None, Body()] = None
) -> TrunkOut:
    """Set up the tenant's isolated trunk, idempotently (201 when it was created now).

    `sip_password` is in this answer only when a password was issued now (a new trunk, or an
    existing one whose password could not be recovered: `password_reissued: true`).
    """
    result = await service.ensure_trunk(
        uow=uow, scope=scope, origination_sip_uri=body.origination_sip_uri if body else None
    )
    if result.created:
        response.status_code = 201
    return TrunkOut.from_result(result)


@router.get("/trunk", response_model=TrunkOut)
async def get_trunk(scope: Scope, uow: UoW) -> TrunkOut:
    """The tenant's trunk (never its password)."""
    return TrunkOut.from_result(await service.get_trunk(uow=uow, scope=scope))


@router.delete("/trunk", status_code=204)
async def delete_trunk(scope: AdminScope, uow: UoW) -> Response:
    """Detach the trunk's numbers, then delete its credential list and the trunk at Twilio."""
    await service.delete_trunk(uow=uow, scope=scope)
    return Response(status_code=204)


@router.post("/trunk/credentials/rotate", response_model=TrunkOut)
async def rotate_credentials(scope: AdminScope, uow: UoW) -> TrunkOut:
    """A new SIP password for the trunk's user; this answer is the only place it appears."""
    return TrunkOut.from_result(await service.rotate_credentials(uow=uow, scope=scope))


@router.put("/trunk/phone-numbers/{nid}", response_model=TrunkNumberOut)
async def attach_number(nid: uuid.UUID, scope: AdminScope, uow: UoW) -> TrunkNumberOut:
    """Route one of the tenant's numbers through its trunk (calls go to the origination URI)."""
    number, address = await service.attach_number(uow=uow, scope=scope, number_id=nid)
    return TrunkNumberOut.from_model(number, address)


@router.delete("/trunk/phone-numbers/{nid}", response_model=TrunkNumberOut)
async def detach_number(nid: uuid.UUID, scope: AdminScope, uow: UoW) -> TrunkNumberOut:
    """Take a number off the trunk (idempotent); its voice URL routes it again."""
    return TrunkNumberOut.from_model(
        await service.detach_number(uow=uow, scope=scope, number_id=nid)
    )
