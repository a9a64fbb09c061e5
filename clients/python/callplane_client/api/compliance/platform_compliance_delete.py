from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.platform_compliance_delete_type import (
    PlatformComplianceDeleteType,
)
from ...types import Response


def _get_kwargs(
    country: str,
    type_: PlatformComplianceDeleteType,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/compliance/{country}/{type_}".format(
            country=quote(str(country), safe=""),
            type_=quote(str(type_), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorOut | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
) -> Response[Any | ErrorOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    country: str,
    type_: PlatformComplianceDeleteType,
    *,
    client: AuthenticatedClient,
) -> Response[Any | ErrorOut]:
    """Delete Platform Profile

     Remove the platform's profile.

    Needs a platform API key.

    Args:
        country (str): ISO 3166-1 alpha-2 country code
        type_ (PlatformComplianceDeleteType): local, mobile or toll_free

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorOut]
    """

    kwargs = _get_kwargs(
        country=country,
        type_=type_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    country: str,
    type_: PlatformComplianceDeleteType,
    *,
    client: AuthenticatedClient,
) -> Any | ErrorOut | None:
    """Delete Platform Profile

     Remove the platform's profile.

    Needs a platform API key.

    Args:
        country (str): ISO 3166-1 alpha-2 country code
        type_ (PlatformComplianceDeleteType): local, mobile or toll_free

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorOut
    """

    return sync_detailed(
        country=country,
        type_=type_,
        client=client,
    ).parsed


async def asyncio_detailed(
    country: str,
    type_: PlatformComplianceDeleteType,
    *,
    client: AuthenticatedClient,
) -> Response[Any | ErrorOut]:
    """Delete Platform Profile

     Remove the platform's profile.

    Needs a platform API key.

    Args:
        country (str): ISO 3166-1 alpha-2 country code
        type_ (PlatformComplianceDeleteType): local, mobile or toll_free

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorOut]
    """

    kwargs = _get_kwargs(
        country=country,
        type_=type_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    country: str,
    type_: PlatformComplianceDeleteType,
    *,
    client: AuthenticatedClient,
) -> Any | ErrorOut | None:
    """Delete Platform Profile

     Remove the platform's profile.

    Needs a platform API key.

    Args:
        country (str): ISO 3166-1 alpha-2 country code
        type_ (PlatformComplianceDeleteType): local, mobile or toll_free

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorOut
    """

    return (
        await asyncio_detailed(
            country=country,
            type_=type_,
            client=client,
        )
    ).parsed
