from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.list_of_attempt_out import ListOfAttemptOut
from ...models.webhook_deliveries_list_outcome_type_0 import (
    WebhookDeliveriesListOutcomeType0,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tid: UUID,
    eid: UUID,
    *,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    outcome: None | Unset | WebhookDeliveriesListOutcomeType0 = UNSET,
    event_id: None | Unset | UUID = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_outcome: None | str | Unset
    if isinstance(outcome, Unset):
        json_outcome = UNSET
    elif isinstance(outcome, str):
        json_outcome = outcome
    else:
        json_outcome = outcome
    params["outcome"] = json_outcome

    json_event_id: None | str | Unset
    if isinstance(event_id, Unset):
        json_event_id = UNSET
    elif isinstance(event_id, UUID):
        json_event_id = str(event_id)
    else:
        json_event_id = event_id
    params["event_id"] = json_event_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tenants/{tid}/webhook-endpoints/{eid}/deliveries".format(
            tid=quote(str(tid), safe=""),
            eid=quote(str(eid), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | ListOfAttemptOut | None:
    if response.status_code == 200:
        response_200 = ListOfAttemptOut.from_dict(response.json())

        return response_200

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
) -> Response[ErrorOut | ListOfAttemptOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tid: UUID,
    eid: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    outcome: None | Unset | WebhookDeliveriesListOutcomeType0 = UNSET,
    event_id: None | Unset | UUID = UNSET,
) -> Response[ErrorOut | ListOfAttemptOut]:
    """List Deliveries

     The delivery log, newest first: every attempt with its status code, latency and error.
    `outcome` keeps the attempts that succeeded (2xx) or failed; `event_id`, one event's.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        eid (UUID):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        outcome (None | Unset | WebhookDeliveriesListOutcomeType0): Only the attempts answered 2xx
            (`succeeded`), or only the others.
        event_id (None | Unset | UUID): Only the attempts to deliver this event.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ListOfAttemptOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        eid=eid,
        limit=limit,
        cursor=cursor,
        outcome=outcome,
        event_id=event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tid: UUID,
    eid: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    outcome: None | Unset | WebhookDeliveriesListOutcomeType0 = UNSET,
    event_id: None | Unset | UUID = UNSET,
) -> ErrorOut | ListOfAttemptOut | None:
    """List Deliveries

     The delivery log, newest first: every attempt with its status code, latency and error.
    `outcome` keeps the attempts that succeeded (2xx) or failed; `event_id`, one event's.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        eid (UUID):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        outcome (None | Unset | WebhookDeliveriesListOutcomeType0): Only the attempts answered 2xx
            (`succeeded`), or only the others.
        event_id (None | Unset | UUID): Only the attempts to deliver this event.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ListOfAttemptOut
    """

    return sync_detailed(
        tid=tid,
        eid=eid,
        client=client,
        limit=limit,
        cursor=cursor,
        outcome=outcome,
        event_id=event_id,
    ).parsed


async def asyncio_detailed(
    tid: UUID,
    eid: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    outcome: None | Unset | WebhookDeliveriesListOutcomeType0 = UNSET,
    event_id: None | Unset | UUID = UNSET,
) -> Response[ErrorOut | ListOfAttemptOut]:
    """List Deliveries

     The delivery log, newest first: every attempt with its status code, latency and error.
    `outcome` keeps the attempts that succeeded (2xx) or failed; `event_id`, one event's.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        eid (UUID):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        outcome (None | Unset | WebhookDeliveriesListOutcomeType0): Only the attempts answered 2xx
            (`succeeded`), or only the others.
        event_id (None | Unset | UUID): Only the attempts to deliver this event.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ListOfAttemptOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        eid=eid,
        limit=limit,
        cursor=cursor,
        outcome=outcome,
        event_id=event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tid: UUID,
    eid: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    outcome: None | Unset | WebhookDeliveriesListOutcomeType0 = UNSET,
    event_id: None | Unset | UUID = UNSET,
) -> ErrorOut | ListOfAttemptOut | None:
    """List Deliveries

     The delivery log, newest first: every attempt with its status code, latency and error.
    `outcome` keeps the attempts that succeeded (2xx) or failed; `event_id`, one event's.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        eid (UUID):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        outcome (None | Unset | WebhookDeliveriesListOutcomeType0): Only the attempts answered 2xx
            (`succeeded`), or only the others.
        event_id (None | Unset | UUID): Only the attempts to deliver this event.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ListOfAttemptOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            eid=eid,
            client=client,
            limit=limit,
            cursor=cursor,
            outcome=outcome,
            event_id=event_id,
        )
    ).parsed
