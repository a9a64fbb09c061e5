"""A tenant's connection: `GET/PUT connection`, `POST connection/health`."""

from __future__ import annotations

from fastapi import APIRouter

from callplane.connections import service
from callplane.connections.models import Connection
from callplane.connections.schemas import ConnectionOut, ConnectionPut, HealthOut
from callplane.deps import AdminScope, Scope, UoW
from callplane.schemas import ERROR_RESPONSES

router = APIRouter(
    prefix="/v1/tenants/{tid}", tags=["connections"], responses=ERROR_RESPONSES
)


def connection_out(conn: Connection) -> ConnectionOut:
    """The public view of a connection (no secrets)."""
    return ConnectionOut(
        model=conn.model,
        account_sid=conn.account_sid,
        status=conn.status,
        health=HealthOut(
            status=conn.health_status or "NOT_CONFIGURED",
            latency_ms=conn.health_latency_ms,
            checked_at=conn.health_checked_at,
            detail=conn.health_detail,
        ),
        api_key_sid=conn.api_key_sid,
        region=conn.region,
        edge=conn.edge,
        token_rotated_at=conn.token_rotated_at,
    )


@router.get("/connection", response_model=ConnectionOut)
async def get_connection(scope: Scope, uow: UoW) -> ConnectionOut:
    """The tenant's connection."""
    return connection_out(await service.get_connection(uow=uow, scope=scope))


@router.put("/connection", response_model=ConnectionOut)
async def put_connection(body: ConnectionPut, scope: AdminScope, uow: UoW) -> ConnectionOut:
    """Choose the account model; byo credentials are verified first; secrets are write-only."""
    return connection_out(await service.put_connection(uow=uow, scope=scope, data=body))


@router.post("/connection/health", response_model=HealthOut)
async def check_health(scope: AdminScope, uow: UoW) -> HealthOut:
    """Check the credentials now and record the result."""
    return connection_out(await service.check_health(uow=uow, scope=scope)).health
