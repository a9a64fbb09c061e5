from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.list_of_recording_out import ListOfRecordingOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tid: UUID,
    *,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    call_sid: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params["limit"] = limit

    json_call_sid: None | str | Unset
    if isinstance(call_sid, Unset):
        json_call_sid = UNSET
    else:
        json_call_sid = call_sid
    params["call_sid"] = json_call_sid

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tenants/{tid}/recordings".format(
            tid=quote(str(tid), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | ListOfRecordingOut | None:
    if response.status_code == 200:
        response_200 = ListOfRecordingOut.from_dict(response.json())

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
) -> Response[ErrorOut | ListOfRecordingOut]:
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
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    call_sid: None | str | Unset = UNSET,
) -> Response[ErrorOut | ListOfRecordingOut]:
    """List Recordings

     The tenant's call recordings, oldest first (Twilio's SID and URL; the account's
    credentials fetch the media, and are never in the URL).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.
        call_sid (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ListOfRecordingOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        cursor=cursor,
        limit=limit,
        call_sid=call_sid,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    call_sid: None | str | Unset = UNSET,
) -> ErrorOut | ListOfRecordingOut | None:
    """List Recordings

     The tenant's call recordings, oldest first (Twilio's SID and URL; the account's
    credentials fetch the media, and are never in the URL).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.
        call_sid (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ListOfRecordingOut
    """

    return sync_detailed(
        tid=tid,
        client=client,
        cursor=cursor,
        limit=limit,
        call_sid=call_sid,
    ).parsed


async def asyncio_detailed(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    call_sid: None | str | Unset = UNSET,
) -> Response[ErrorOut | ListOfRecordingOut]:
    """List Recordings

     The tenant's call recordings, oldest first (Twilio's SID and URL; the account's
    credentials fetch the media, and are never in the URL).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.
        call_sid (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ListOfRecordingOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        cursor=cursor,
        limit=limit,
        call_sid=call_sid,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    call_sid: None | str | Unset = UNSET,
) -> ErrorOut | ListOfRecordingOut | None:
    """List Recordings

     The tenant's call recordings, oldest first (Twilio's SID and URL; the account's
    credentials fetch the media, and are never in the URL).

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.
        call_sid (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ListOfRecordingOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            client=client,
            cursor=cursor,
            limit=limit,
            call_sid=call_sid,
        )
    ).parsed
