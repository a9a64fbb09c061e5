from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.message_create import MessageCreate
from ...models.outbound_out import OutboundOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tid: UUID,
    *,
    body: MessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tenants/{tid}/messages".format(
            tid=quote(str(tid), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | OutboundOut | None:
    if response.status_code == 200:
        response_200 = OutboundOut.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = OutboundOut.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorOut.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorOut.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorOut.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorOut.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ErrorOut.from_dict(response.json())

        return response_422

    if response.status_code == 502:
        response_502 = ErrorOut.from_dict(response.json())

        return response_502

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorOut | OutboundOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    body: MessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorOut | OutboundOut]:
    """Send Message

     Send an SMS from an active number of the tenant (member keys may send); without `from`,
    from the tenant's `default_sms_from`, else from the platform's SMS pool when it is on.

    404 `from_number_not_found` for a number that is not the tenant's; 422 `from_required`
    without `from`, default sender or pool;
    `from_number_not_active`, `invalid_phone_number`, `invalid_to_number` (21211),
    `invalid_from_number` (21212), `from_number_not_sms_capable` (21606),
    `recipient_unsubscribed` (21610), `to_number_not_mobile` (21614). 502
    `send_outcome_unknown` when Twilio failed after it may have sent and the message is not
    found at Twilio: the `Idempotency-Key` then never sends again (each repeat looks again).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        idempotency_key (None | str | Unset):
        body (MessageCreate): An SMS to send from one of the tenant's numbers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | OutboundOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    body: MessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorOut | OutboundOut | None:
    """Send Message

     Send an SMS from an active number of the tenant (member keys may send); without `from`,
    from the tenant's `default_sms_from`, else from the platform's SMS pool when it is on.

    404 `from_number_not_found` for a number that is not the tenant's; 422 `from_required`
    without `from`, default sender or pool;
    `from_number_not_active`, `invalid_phone_number`, `invalid_to_number` (21211),
    `invalid_from_number` (21212), `from_number_not_sms_capable` (21606),
    `recipient_unsubscribed` (21610), `to_number_not_mobile` (21614). 502
    `send_outcome_unknown` when Twilio failed after it may have sent and the message is not
    found at Twilio: the `Idempotency-Key` then never sends again (each repeat looks again).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        idempotency_key (None | str | Unset):
        body (MessageCreate): An SMS to send from one of the tenant's numbers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | OutboundOut
    """

    return sync_detailed(
        tid=tid,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    body: MessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorOut | OutboundOut]:
    """Send Message

     Send an SMS from an active number of the tenant (member keys may send); without `from`,
    from the tenant's `default_sms_from`, else from the platform's SMS pool when it is on.

    404 `from_number_not_found` for a number that is not the tenant's; 422 `from_required`
    without `from`, default sender or pool;
    `from_number_not_active`, `invalid_phone_number`, `invalid_to_number` (21211),
    `invalid_from_number` (21212), `from_number_not_sms_capable` (21606),
    `recipient_unsubscribed` (21610), `to_number_not_mobile` (21614). 502
    `send_outcome_unknown` when Twilio failed after it may have sent and the message is not
    found at Twilio: the `Idempotency-Key` then never sends again (each repeat looks again).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        idempotency_key (None | str | Unset):
        body (MessageCreate): An SMS to send from one of the tenant's numbers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | OutboundOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    body: MessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorOut | OutboundOut | None:
    """Send Message

     Send an SMS from an active number of the tenant (member keys may send); without `from`,
    from the tenant's `default_sms_from`, else from the platform's SMS pool when it is on.

    404 `from_number_not_found` for a number that is not the tenant's; 422 `from_required`
    without `from`, default sender or pool;
    `from_number_not_active`, `invalid_phone_number`, `invalid_to_number` (21211),
    `invalid_from_number` (21212), `from_number_not_sms_capable` (21606),
    `recipient_unsubscribed` (21610), `to_number_not_mobile` (21614). 502
    `send_outcome_unknown` when Twilio failed after it may have sent and the message is not
    found at Twilio: the `Idempotency-Key` then never sends again (each repeat looks again).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        idempotency_key (None | str | Unset):
        body (MessageCreate): An SMS to send from one of the tenant's numbers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | OutboundOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
