from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.endpoint_create import EndpointCreate
from ...models.endpoint_out import EndpointOut
from ...models.error_out import ErrorOut
from ...types import Response


def _get_kwargs(
    tid: UUID,
    *,
    body: EndpointCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tenants/{tid}/webhook-endpoints".format(
            tid=quote(str(tid), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EndpointOut | ErrorOut | None:
    if response.status_code == 201:
        response_201 = EndpointOut.from_dict(response.json())

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
) -> Response[EndpointOut | ErrorOut]:
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
    body: EndpointCreate,
) -> Response[EndpointOut | ErrorOut]:
    """Create Endpoint

     Add an endpoint; the answer carries its signing `secret`, shown this once (422
    `url_not_allowed` for a URL that is not public).

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        body (EndpointCreate): `POST webhook-endpoints`: where to send which events.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndpointOut | ErrorOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    body: EndpointCreate,
) -> EndpointOut | ErrorOut | None:
    """Create Endpoint

     Add an endpoint; the answer carries its signing `secret`, shown this once (422
    `url_not_allowed` for a URL that is not public).

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        body (EndpointCreate): `POST webhook-endpoints`: where to send which events.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndpointOut | ErrorOut
    """

    return sync_detailed(
        tid=tid,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    body: EndpointCreate,
) -> Response[EndpointOut | ErrorOut]:
    """Create Endpoint

     Add an endpoint; the answer carries its signing `secret`, shown this once (422
    `url_not_allowed` for a URL that is not public).

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        body (EndpointCreate): `POST webhook-endpoints`: where to send which events.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndpointOut | ErrorOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    body: EndpointCreate,
) -> EndpointOut | ErrorOut | None:
    """Create Endpoint

     Add an endpoint; the answer carries its signing `secret`, shown this once (422
    `url_not_allowed` for a URL that is not public).

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        body (EndpointCreate): `POST webhook-endpoints`: where to send which events.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndpointOut | ErrorOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            client=client,
            body=body,
        )
    ).parsed
