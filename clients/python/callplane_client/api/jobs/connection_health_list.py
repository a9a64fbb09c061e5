from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.health_list_out import HealthListOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    check: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["check"] = check

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/health/connections",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | HealthListOut | None:
    if response.status_code == 200:
        response_200 = HealthListOut.from_dict(response.json())

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
) -> Response[ErrorOut | HealthListOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    check: bool | Unset = False,
) -> Response[ErrorOut | HealthListOut]:
    """Connections Health

     The last credential health of every tenant's connection (`check=true` checks them now).

    Needs a platform API key.

    Args:
        check (bool | Unset): Check every connection now first Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | HealthListOut]
    """

    kwargs = _get_kwargs(
        check=check,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    check: bool | Unset = False,
) -> ErrorOut | HealthListOut | None:
    """Connections Health

     The last credential health of every tenant's connection (`check=true` checks them now).

    Needs a platform API key.

    Args:
        check (bool | Unset): Check every connection now first Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | HealthListOut
    """

    return sync_detailed(
        client=client,
        check=check,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    check: bool | Unset = False,
) -> Response[ErrorOut | HealthListOut]:
    """Connections Health

     The last credential health of every tenant's connection (`check=true` checks them now).

    Needs a platform API key.

    Args:
        check (bool | Unset): Check every connection now first Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | HealthListOut]
    """

    kwargs = _get_kwargs(
        check=check,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    check: bool | Unset = False,
) -> ErrorOut | HealthListOut | None:
    """Connections Health

     The last credential health of every tenant's connection (`check=true` checks them now).

    Needs a platform API key.

    Args:
        check (bool | Unset): Check every connection now first Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | HealthListOut
    """

    return (
        await asyncio_detailed(
            client=client,
            check=check,
        )
    ).parsed
