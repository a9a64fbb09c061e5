"""Outbound: `POST /v1/tenants/{tid}/messages` (member keys too) and `POST .../calls` (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from callplane.deps import AdminScope, Scope, UoW
from callplane.messaging import service
from callplane.messaging.schemas import CallCreate, MessageCreate, OutboundOut
from callplane.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/v1/tenants/{tid}", tags=["messaging"], responses=ERROR_RESPONSES)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def _answer(event: Any, created: bool) -> JSONResponse:
    body = OutboundOut.from_model(event).model_dump(mode="json", by_alias=True)
    return JSONResponse(body, status_code=201 if created else 200)


@router.post(
    "/messages",
    status_code=201,
    response_model=OutboundOut,
    response_model_by_alias=True,
    responses={200: {"model": OutboundOut, "description": "A repeated Idempotency-Key"}},
)
async def send_message(
    body: MessageCreate, scope: Scope, uow: UoW, idempotency_key: IdempotencyKey = None
) -> Any:
    """Send an SMS from an active number of the tenant (member keys may send); without `from`,
    from the tenant's `default_sms_from`, else from the platform's SMS pool when it is on.

    404 `from_number_not_found` for a number that is not the tenant's; 422 `from_required`
    without `from`, default sender or pool;
    `from_number_not_active`, `invalid_phone_number`, `invalid_to_number` (21211),
    `invalid_from_number` (21212), `from_number_not_sms_capable` (21606),
    `recipient_unsubscribed` (21610), `to_number_not_mobile` (21614). 502
    `send_outcome_unknown` when Twilio failed after it may have sent and the message is not
    found at Twilio: the `Idempotency-Key` then never sends again (each repeat looks again).
    """
    event, created = await service.send_message(
        uow=uow,
        scope=scope,
        from_=body.from_,
        to=body.to,
        body=body.body,
        idempotency_key=idempotency_key,
    )
    return _answer(event, created)


@router.post(
    "/calls",
    status_code=201,
    response_model=OutboundOut,
    response_model_by_alias=True,
    responses={200: {"model": OutboundOut, "description": "A repeated Idempotency-Key"}},
)
async def start_call(
    body: CallCreate, scope: AdminScope, uow: UoW, idempotency_key: IdempotencyKey = None
) -> Any:
    """Call `to` from an active number of the tenant; once answered, the call goes to the agent.

    502 `send_outcome_unknown` when Twilio failed after it may have started the call and it is
    not found at Twilio: the `Idempotency-Key` then never calls again (each repeat looks again).
    """
    event, created = await service.start_call(
        uow=uow,
        scope=scope,
        from_=body.from_,
        to=body.to,
        agent_id=body.agent_id,
        idempotency_key=idempotency_key,
    )
    return _answer(event, created)
