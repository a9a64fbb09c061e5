from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.list_of_queued_out import ListOfQueuedOut
from ...types import Response


def _get_kwargs(
    tid: UUID,
    event_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tenants/{tid}/events/{event_id}/replay".format(
            tid=quote(str(tid), safe=""),
            event_id=quote(str(event_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | ListOfQueuedOut | None:
    if response.status_code == 202:
        response_202 = ListOfQueuedOut.from_dict(response.json())

        return response_202

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
) -> Response[ErrorOut | ListOfQueuedOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tid: UUID,
    event_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorOut | ListOfQueuedOut]:
    """Replay Event

     Send an event again to every enabled endpoint subscribed to its type.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        event_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ListOfQueuedOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        event_id=event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tid: UUID,
    event_id: UUID,
    *,
    client: AuthenticatedClient,
) -> ErrorOut | ListOfQueuedOut | None:
    """Replay Event

     Send an event again to every enabled endpoint subscribed to its type.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        event_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ListOfQueuedOut
    """

    return sync_detailed(
        tid=tid,
        event_id=event_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    tid: UUID,
    event_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorOut | ListOfQueuedOut]:
    """Replay Event

     Send an event again to every enabled endpoint subscribed to its type.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        event_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ListOfQueuedOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        event_id=event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tid: UUID,
    event_id: UUID,
    *,
    client: AuthenticatedClient,
) -> ErrorOut | ListOfQueuedOut | None:
    """Replay Event

     Send an event again to every enabled endpoint subscribed to its type.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        event_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ListOfQueuedOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            event_id=event_id,
            client=client,
        )
    ).parsed
