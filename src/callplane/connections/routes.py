"""A tenant's connection: `GET/PUT connection`, `POST connection/health`."""

from __future__ import annotations

from fastapi import APIRouter

from callplane.connections import service
from callplane.connections.schemas import ConnectionOut, ConnectionPut, HealthOut
from callplane.deps import AdminScope, Scope, UoW
from callplane.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/v1/tenants/{tid}", tags=["connections"], responses=ERROR_RESPONSES)


@router.get("/connection", response_model=ConnectionOut)
async def get_connection(scope: Scope, uow: UoW) -> ConnectionOut:
    """The tenant's connection."""
    return ConnectionOut.from_model(await service.get_connection(uow=uow, scope=scope))


@router.put("/connection", response_model=ConnectionOut)
async def put_connection(body: ConnectionPut, scope: AdminScope, uow: UoW) -> ConnectionOut:
    """Choose the account model; byo credentials are verified first; secrets are write-only."""
    return ConnectionOut.from_model(await service.put_connection(uow=uow, scope=scope, data=body))


@router.post("/connection/health", response_model=HealthOut)
async def check_health(scope: AdminScope, uow: UoW) -> HealthOut:
    """Check the credentials now and record the result."""
    return HealthOut.from_model(await service.check_health(uow=uow, scope=scope))
