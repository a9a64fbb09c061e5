"""Phone numbers and compliance profiles (DESIGN section 5)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response

from callplane import dispatch
from callplane.deps import (
    AdminScope,
    HotStore,
    PlatformActor,
    Scope,
    UoW,
    gateway_store,
    tenant_scope,
)
from callplane.gateway.store import GatewayStore
from callplane.numbers import bulk_import, compliance, importing, pages, purchase, search, service
from callplane.numbers.schemas import (
    AvailableNumberOut,
    ComplianceIn,
    ComplianceOut,
    NumberBuy,
    NumberImport,
    NumberImportBatch,
    NumberImportBatchOut,
    NumberOut,
    NumberPatch,
    NumberRelease,
    NumberType,
    PricingOut,
)
from callplane.numbers.states import NumberStatus, ReleaseReason
from callplane.providers.views import number_out
from callplane.schemas import ERROR_RESPONSES, PAGE_LIMIT, QUOTA_RESPONSES, ListOf, PageLimit
from callplane.tenancy import TenantScope

router = APIRouter(tags=["numbers"], responses=ERROR_RESPONSES)
TENANT = "/v1/tenants/{tid}"
TENANT_PROFILE = f"{TENANT}/compliance/{{country}}/{{type}}"

Country = Annotated[str, Path(description="ISO 3166-1 alpha-2 country code", max_length=8)]
TypePath = Annotated[NumberType, Path(alias="type", description="local, mobile or toll_free")]
_STATUS = "(" + "|".join(NumberStatus) + ")"
STATUS_LIST = rf"^{_STATUS}(,{_STATUS})*$"


@router.get(f"{TENANT}/phone-numbers/available", response_model=ListOf[AvailableNumberOut])
async def search_available(
    scope: Scope,
    uow: UoW,
    country: Annotated[str, Query(min_length=1, max_length=8, description="ISO-2, e.g. US")],
    number_type: Annotated[NumberType, Query(alias="type")] = "local",
    contains: Annotated[
        str | None,
        Query(pattern=r"^\+?[0-9A-Za-z*]{2,16}$", description="digits, letters and * wildcards"),
    ] = None,
    area_code: Annotated[str | None, Query(pattern=r"^[0-9]{3}$")] = None,
    sms: bool | None = None,
    voice: bool | None = None,
    mms: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> object:
    """Numbers Twilio offers in the tenant's account, with their monthly price."""
    found = await search.search_available(
        uow=uow,
        scope=scope,
        country=country,
        number_type=number_type,
        contains=contains,
        area_code=area_code,
        sms=sms,
        voice=voice,
        mms=mms,
        limit=limit,
    )
    return {"data": found, "next_cursor": None}


@router.get(f"{TENANT}/phone-numbers/pricing", response_model=PricingOut)
async def pricing(
    scope: Scope,
    uow: UoW,
    country: Annotated[str, Query(min_length=1, max_length=8, description="ISO-2, e.g. GB")],
) -> PricingOut:
    """Monthly price per number type in a country."""
    return await search.get_pricing(uow=uow, scope=scope, country=country)


@router.post(
    f"{TENANT}/phone-numbers/import",
    status_code=201,
    response_model=NumberOut,
    responses={
        200: {"model": NumberOut, "description": "The tenant already holds this number"},
        **QUOTA_RESPONSES,
    },
)
async def import_number(
    body: NumberImport, scope: AdminScope, uow: UoW, response: Response
) -> NumberOut:
    """Claim a number already in the tenant's Twilio account (200 if it already is the tenant's)."""
    number, created = await importing.import_number(uow=uow, scope=scope, data=body)
    if not created:
        response.status_code = 200
    return await number_out(uow, scope, number)


@router.post(f"{TENANT}/phone-numbers/import/batch", response_model=NumberImportBatchOut)
async def import_numbers_batch(
    body: NumberImportBatch, scope: AdminScope, uow: UoW
) -> NumberImportBatchOut:
    """Claim many numbers of the tenant's Twilio account at once (a list, or `all`): the account
    is read once; each number is imported or refused on its own, and reported in order."""
    items = await bulk_import.import_many(uow=uow, scope=scope, data=body)
    return NumberImportBatchOut(
        imported=sum(i.result == "imported" for i in items),
        already_held=sum(i.result == "already_held" for i in items),
        failed=sum(i.result == "failed" for i in items),
        data=items,
    )


@router.get(f"{TENANT}/phone-numbers", response_model=ListOf[NumberOut])
async def list_numbers(
    scope: Scope,
    store: HotStore,
    status: Annotated[
        str | None, Query(pattern=STATUS_LIST, description="one status or several, comma-separated")
    ] = None,
    cursor: str | None = None,
    limit: PageLimit = PAGE_LIMIT,
) -> object:
    """The tenant's numbers, oldest first."""
    statuses = status.split(",") if status else None
    return await _listed(store, scope, statuses, cursor, limit)


async def _listed(
    store: GatewayStore,
    scope: TenantScope,
    statuses: list[str] | None,
    cursor: str | None,
    limit: int,
) -> Response:
    found = await pages.page(
        store=store, scope=scope, statuses=statuses, cursor=cursor, limit=limit
    )
    return Response(found, media_type="application/json")


@dispatch.directly(
    list_numbers,
    params=dispatch.uuid_params("tid"),
    query=dispatch.page_query(others=("status",)),
)
async def list_numbers_directly(
    request: Request, tid: uuid.UUID, cursor: str | None, limit: int
) -> Response:
    """`list_numbers` without FastAPI's dependency solving (a tenant's app polls its list)."""
    scope = await tenant_scope(tid, request)
    return await _listed(gateway_store(request), scope, None, cursor, limit)


@router.post(
    f"{TENANT}/phone-numbers",
    status_code=201,
    response_model=NumberOut,
    responses={
        202: {"model": NumberOut, "description": "The same key's purchase is still in progress"},
        **QUOTA_RESPONSES,
    },
)
async def buy_number(
    body: NumberBuy,
    scope: AdminScope,
    uow: UoW,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="Repeat it to repeat the request safely: the number is bought once",
        ),
    ] = None,
) -> NumberOut:
    """Buy a number under the plan's quota; crash-safe and idempotent per Idempotency-Key."""
    number, replayed = await purchase.buy_number(
        uow=uow, scope=scope, data=body, idempotency_key=idempotency_key
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    if number.status == NumberStatus.pending:
        response.status_code = 202
    return await number_out(uow, scope, number)


@router.get(f"{TENANT}/phone-numbers/{{nid}}", response_model=NumberOut)
async def get_number(nid: uuid.UUID, scope: Scope, uow: UoW) -> NumberOut:
    """One number."""
    return await number_out(
        uow, scope, await service.get_number(uow=uow, scope=scope, number_id=nid)
    )


@router.patch(f"{TENANT}/phone-numbers/{{nid}}", response_model=NumberOut)
async def update_number(
    nid: uuid.UUID, body: NumberPatch, scope: AdminScope, uow: UoW
) -> NumberOut:
    """Attach the number to an agent or detach it (`{"agent_id": null}`); take channels over or
    give them back (`{"manage": {"sms": false}}`: what a channel held is saved when taken and
    restored when given back); label it."""
    number = await service.update_number(uow=uow, scope=scope, number_id=nid, data=body)
    return await number_out(uow, scope, number)


@router.delete(f"{TENANT}/phone-numbers/{{nid}}", response_model=NumberOut)
async def release_number(
    nid: uuid.UUID,
    scope: AdminScope,
    uow: UoW,
    at_twilio: Annotated[
        bool,
        Query(description="Delete an imported number at Twilio too (needs `confirm`)"),
    ] = False,
    body: Annotated[NumberRelease | None, Body()] = None,
) -> NumberOut:
    """Release the number; idempotent. A bought number goes back to Twilio; an imported one is
    handed back (its saved configuration restored) unless `?at_twilio=true` with
    `{"confirm": "<its E.164>"}` (409 `confirmation_required` without it)."""
    number = await service.release_number(
        uow=uow,
        scope=scope,
        number_id=nid,
        reason=ReleaseReason.user,
        delete_at_twilio=at_twilio,
        confirm=body.confirm if body is not None else None,
    )
    return await number_out(uow, scope, number)


# -- compliance profiles --------------------------------------------------------------------


@router.put("/v1/compliance/{country}/{type}", response_model=ComplianceOut, tags=["compliance"])
async def put_platform_profile(
    country: Country, number_type: TypePath, body: ComplianceIn, actor: PlatformActor, uow: UoW
) -> ComplianceOut:
    """The platform's bundle and addresses for a country's number type (its account's SIDs)."""
    profile, status = await compliance.put_profile(
        uow=uow,
        actor=actor,
        scope=None,
        country=search.normalize_country(country),
        number_type=number_type,
        data=body,
    )
    return ComplianceOut.from_model(profile, bundle_status=status)


@router.get("/v1/compliance/{country}/{type}", response_model=ComplianceOut, tags=["compliance"])
async def get_platform_profile(
    country: Country, number_type: TypePath, actor: PlatformActor, uow: UoW
) -> ComplianceOut:
    """The platform's profile."""
    profile = await compliance.get_profile(
        uow=uow, scope=None, country=search.normalize_country(country), number_type=number_type
    )
    return ComplianceOut.from_model(profile)


@router.delete("/v1/compliance/{country}/{type}", status_code=204, tags=["compliance"])
async def delete_platform_profile(
    country: Country, number_type: TypePath, actor: PlatformActor, uow: UoW
) -> Response:
    """Remove the platform's profile."""
    await compliance.delete_profile(
        uow=uow,
        actor=actor,
        scope=None,
        country=search.normalize_country(country),
        number_type=number_type,
    )
    return Response(status_code=204)


@router.put(TENANT_PROFILE, response_model=ComplianceOut, tags=["compliance"])
async def put_tenant_profile(
    country: Country, number_type: TypePath, body: ComplianceIn, scope: AdminScope, uow: UoW
) -> ComplianceOut:
    """The tenant's own bundle and addresses (its account's SIDs); wins over the platform's."""
    profile, status = await compliance.put_profile(
        uow=uow,
        actor=scope.actor,
        scope=scope,
        country=search.normalize_country(country),
        number_type=number_type,
        data=body,
    )
    return ComplianceOut.from_model(profile, bundle_status=status)


@router.get(TENANT_PROFILE, response_model=ComplianceOut, tags=["compliance"])
async def get_tenant_profile(
    country: Country, number_type: TypePath, scope: Scope, uow: UoW
) -> ComplianceOut:
    """The tenant's own profile."""
    profile = await compliance.get_profile(
        uow=uow, scope=scope, country=search.normalize_country(country), number_type=number_type
    )
    return ComplianceOut.from_model(profile)


@router.delete(TENANT_PROFILE, status_code=204, tags=["compliance"])
async def delete_tenant_profile(
    country: Country, number_type: TypePath, scope: AdminScope, uow: UoW
) -> Response:
    """Remove the tenant's own profile (the platform's applies again)."""
    await compliance.delete_profile(
        uow=uow,
        actor=scope.actor,
        scope=scope,
        country=search.normalize_country(country),
        number_type=number_type,
    )
    return Response(status_code=204)
