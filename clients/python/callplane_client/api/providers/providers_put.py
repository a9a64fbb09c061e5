from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.provider_out import ProviderOut
from ...models.provider_put import ProviderPut
from ...models.providers_put_name import ProvidersPutName
from ...types import Response


def _get_kwargs(
    tid: UUID,
    name: ProvidersPutName,
    *,
    body: ProviderPut,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/tenants/{tid}/providers/{name}".format(
            tid=quote(str(tid), safe=""),
            name=quote(str(name), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | ProviderOut | None:
    if response.status_code == 200:
        response_200 = ProviderOut.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = ProviderOut.from_dict(response.json())

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
) -> Response[ErrorOut | ProviderOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tid: UUID,
    name: ProvidersPutName,
    *,
    client: AuthenticatedClient,
    body: ProviderPut,
) -> Response[ErrorOut | ProviderOut]:
    """Connect Provider

     Store the tenant's credentials at a provider, verified there first (422
    `invalid_provider_credentials`, nothing stored, when it refuses them); write-only.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        name (ProvidersPutName):
        body (ProviderPut): `PUT providers/{name}`: the tenant's API key there (LiveKit: project
            URL, key, secret and
            SIP host), verified with one harmless read before it is stored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ProviderOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        name=name,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tid: UUID,
    name: ProvidersPutName,
    *,
    client: AuthenticatedClient,
    body: ProviderPut,
) -> ErrorOut | ProviderOut | None:
    """Connect Provider

     Store the tenant's credentials at a provider, verified there first (422
    `invalid_provider_credentials`, nothing stored, when it refuses them); write-only.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        name (ProvidersPutName):
        body (ProviderPut): `PUT providers/{name}`: the tenant's API key there (LiveKit: project
            URL, key, secret and
            SIP host), verified with one harmless read before it is stored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ProviderOut
    """

    return sync_detailed(
        tid=tid,
        name=name,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    tid: UUID,
    name: ProvidersPutName,
    *,
    client: AuthenticatedClient,
    body: ProviderPut,
) -> Response[ErrorOut | ProviderOut]:
    """Connect Provider

     Store the tenant's credentials at a provider, verified there first (422
    `invalid_provider_credentials`, nothing stored, when it refuses them); write-only.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        name (ProvidersPutName):
        body (ProviderPut): `PUT providers/{name}`: the tenant's API key there (LiveKit: project
            URL, key, secret and
            SIP host), verified with one harmless read before it is stored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ProviderOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        name=name,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tid: UUID,
    name: ProvidersPutName,
    *,
    client: AuthenticatedClient,
    body: ProviderPut,
) -> ErrorOut | ProviderOut | None:
    """Connect Provider

     Store the tenant's credentials at a provider, verified there first (422
    `invalid_provider_credentials`, nothing stored, when it refuses them); write-only.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        name (ProvidersPutName):
        body (ProviderPut): `PUT providers/{name}`: the tenant's API key there (LiveKit: project
            URL, key, secret and
            SIP host), verified with one harmless read before it is stored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ProviderOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            name=name,
            client=client,
            body=body,
        )
    ).parsed
