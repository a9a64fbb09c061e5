from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.explain_out import ExplainOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    to: str,
    account_sid: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["to"] = to

    json_account_sid: None | str | Unset
    if isinstance(account_sid, Unset):
        json_account_sid = UNSET
    else:
        json_account_sid = account_sid
    params["account_sid"] = json_account_sid

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/routes/explain",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | ExplainOut | None:
    if response.status_code == 200:
        response_200 = ExplainOut.from_dict(response.json())

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
) -> Response[ErrorOut | ExplainOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    to: str,
    account_sid: None | str | Unset = UNSET,
) -> Response[ErrorOut | ExplainOut]:
    """Explain Route

     Every step of the routing decision for a call or message to `to`.

    Needs a platform API key.

    Args:
        to (str):
        account_sid (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ExplainOut]
    """

    kwargs = _get_kwargs(
        to=to,
        account_sid=account_sid,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    to: str,
    account_sid: None | str | Unset = UNSET,
) -> ErrorOut | ExplainOut | None:
    """Explain Route

     Every step of the routing decision for a call or message to `to`.

    Needs a platform API key.

    Args:
        to (str):
        account_sid (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ExplainOut
    """

    return sync_detailed(
        client=client,
        to=to,
        account_sid=account_sid,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    to: str,
    account_sid: None | str | Unset = UNSET,
) -> Response[ErrorOut | ExplainOut]:
    """Explain Route

     Every step of the routing decision for a call or message to `to`.

    Needs a platform API key.

    Args:
        to (str):
        account_sid (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ExplainOut]
    """

    kwargs = _get_kwargs(
        to=to,
        account_sid=account_sid,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    to: str,
    account_sid: None | str | Unset = UNSET,
) -> ErrorOut | ExplainOut | None:
    """Explain Route

     Every step of the routing decision for a call or message to `to`.

    Needs a platform API key.

    Args:
        to (str):
        account_sid (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ExplainOut
    """

    return (
        await asyncio_detailed(
            client=client,
            to=to,
            account_sid=account_sid,
        )
    ).parsed
