from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.list_of_endpoint_out import ListOfEndpointOut
from ...types import Response


def _get_kwargs(
    tid: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tenants/{tid}/webhook-endpoints".format(
            tid=quote(str(tid), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | ListOfEndpointOut | None:
    if response.status_code == 200:
        response_200 = ListOfEndpointOut.from_dict(response.json())

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
) -> Response[ErrorOut | ListOfEndpointOut]:
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
) -> Response[ErrorOut | ListOfEndpointOut]:
    """List Endpoints

     The tenant's endpoints (never a secret).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ListOfEndpointOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tid: UUID,
    *,
    client: AuthenticatedClient,
) -> ErrorOut | ListOfEndpointOut | None:
    """List Endpoints

     The tenant's endpoints (never a secret).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ListOfEndpointOut
    """

    return sync_detailed(
        tid=tid,
        client=client,
    ).parsed


async def asyncio_detailed(
    tid: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorOut | ListOfEndpointOut]:
    """List Endpoints

     The tenant's endpoints (never a secret).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ListOfEndpointOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tid: UUID,
    *,
    client: AuthenticatedClient,
) -> ErrorOut | ListOfEndpointOut | None:
    """List Endpoints

     The tenant's endpoints (never a secret).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ListOfEndpointOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            client=client,
        )
    ).parsed
