from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.endpoint_out import EndpointOut
from ...models.error_out import ErrorOut
from ...types import Response


def _get_kwargs(
    tid: UUID,
    eid: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tenants/{tid}/webhook-endpoints/{eid}".format(
            tid=quote(str(tid), safe=""),
            eid=quote(str(eid), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EndpointOut | ErrorOut | None:
    if response.status_code == 200:
        response_200 = EndpointOut.from_dict(response.json())

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
) -> Response[EndpointOut | ErrorOut]:
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
) -> Response[EndpointOut | ErrorOut]:
    """Get Endpoint

     One endpoint.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        eid (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndpointOut | ErrorOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        eid=eid,
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
) -> EndpointOut | ErrorOut | None:
    """Get Endpoint

     One endpoint.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        eid (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndpointOut | ErrorOut
    """

    return sync_detailed(
        tid=tid,
        eid=eid,
        client=client,
    ).parsed


async def asyncio_detailed(
    tid: UUID,
    eid: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[EndpointOut | ErrorOut]:
    """Get Endpoint

     One endpoint.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        eid (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndpointOut | ErrorOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        eid=eid,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tid: UUID,
    eid: UUID,
    *,
    client: AuthenticatedClient,
) -> EndpointOut | ErrorOut | None:
    """Get Endpoint

     One endpoint.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        eid (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndpointOut | ErrorOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            eid=eid,
            client=client,
        )
    ).parsed
