"""A tenant's voice-AI providers: `PUT/GET/DELETE providers/{name}`, `GET providers`,
`POST providers/{name}/test`, and `POST phone-numbers/{nid}/provider/sync`."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from callplane.deps import AdminScope, Scope, UoW
from callplane.numbers import service as numbers
from callplane.numbers.schemas import NumberOut
from callplane.providers import service
from callplane.providers.names import ProviderName
from callplane.providers.schemas import ProviderOut, ProviderPut
from callplane.providers.views import number_out
from callplane.schemas import ERROR_RESPONSES, ListOf

router = APIRouter(prefix="/v1/tenants/{tid}", tags=["providers"], responses=ERROR_RESPONSES)


@router.put(
    "/providers/{name}",
    response_model=ProviderOut,
    responses={201: {"model": ProviderOut, "description": "Connected now"}},
)
async def connect_provider(
    name: ProviderName, body: ProviderPut, scope: AdminScope, uow: UoW, response: Response
) -> ProviderOut:
    """Store the tenant's credentials at a provider, verified there first (422
    `invalid_provider_credentials`, nothing stored, when it refuses them); write-only."""
    account, created = await service.put_account(uow=uow, scope=scope, name=name, data=body)
    if created:
        response.status_code = 201
    return (await service.describe(uow=uow, scope=scope, accounts=[account]))[0]


@router.get("/providers", response_model=ListOf[ProviderOut])
async def list_providers(scope: Scope, uow: UoW) -> Any:
    """The providers the tenant has credentials at (never a key)."""
    accounts = await service.list_accounts(uow=uow, scope=scope)
    return {"data": await service.describe(uow=uow, scope=scope, accounts=accounts)}


@router.get("/providers/{name}", response_model=ProviderOut)
async def get_provider(name: ProviderName, scope: Scope, uow: UoW) -> ProviderOut:
    """The tenant's account at one provider."""
    account = await service.get_account(uow=uow, scope=scope, name=name)
    return (await service.describe(uow=uow, scope=scope, accounts=[account]))[0]


@router.post("/providers/{name}/test", response_model=ProviderOut)
async def test_provider(name: ProviderName, scope: AdminScope, uow: UoW) -> ProviderOut:
    """Check the stored credentials again: `status` says whether the provider accepts them."""
    account = await service.test_account(uow=uow, scope=scope, name=name)
    return (await service.describe(uow=uow, scope=scope, accounts=[account]))[0]


@router.delete("/providers/{name}", status_code=204)
async def disconnect_provider(name: ProviderName, scope: AdminScope, uow: UoW) -> Response:
    """Forget the credentials (409 `provider_in_use` while numbers are registered there)."""
    await service.delete_account(uow=uow, scope=scope, name=name)
    return Response(status_code=204)


@router.post("/phone-numbers/{nid}/provider/sync", response_model=NumberOut)
async def sync_number_provider(nid: uuid.UUID, scope: AdminScope, uow: UoW) -> NumberOut:
    """Sync the number's provider registration now; the number with how it ended (`provider`)."""
    await service.force_sync(uow=uow, scope=scope, number_id=nid)
    number = await numbers.get_number(uow=uow, scope=scope, number_id=nid)
    return await number_out(uow, scope, number)
