from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.list_of_available_number_out import ListOfAvailableNumberOut
from ...models.phone_numbers_search_type import (
    PhoneNumbersSearchType,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tid: UUID,
    *,
    country: str,
    type_: PhoneNumbersSearchType | Unset = "local",
    contains: None | str | Unset = UNSET,
    area_code: None | str | Unset = UNSET,
    sms: bool | None | Unset = UNSET,
    voice: bool | None | Unset = UNSET,
    mms: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["country"] = country

    json_type_: str | Unset = UNSET
    if not isinstance(type_, Unset):
        json_type_ = type_

    params["type"] = json_type_

    json_contains: None | str | Unset
    if isinstance(contains, Unset):
        json_contains = UNSET
    else:
        json_contains = contains
    params["contains"] = json_contains

    json_area_code: None | str | Unset
    if isinstance(area_code, Unset):
        json_area_code = UNSET
    else:
        json_area_code = area_code
    params["area_code"] = json_area_code

    json_sms: bool | None | Unset
    if isinstance(sms, Unset):
        json_sms = UNSET
    else:
        json_sms = sms
    params["sms"] = json_sms

    json_voice: bool | None | Unset
    if isinstance(voice, Unset):
        json_voice = UNSET
    else:
        json_voice = voice
    params["voice"] = json_voice

    json_mms: bool | None | Unset
    if isinstance(mms, Unset):
        json_mms = UNSET
    else:
        json_mms = mms
    params["mms"] = json_mms

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tenants/{tid}/phone-numbers/available".format(
            tid=quote(str(tid), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | ListOfAvailableNumberOut | None:
    if response.status_code == 200:
        response_200 = ListOfAvailableNumberOut.from_dict(response.json())

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
) -> Response[ErrorOut | ListOfAvailableNumberOut]:
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
    country: str,
    type_: PhoneNumbersSearchType | Unset = "local",
    contains: None | str | Unset = UNSET,
    area_code: None | str | Unset = UNSET,
    sms: bool | None | Unset = UNSET,
    voice: bool | None | Unset = UNSET,
    mms: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
) -> Response[ErrorOut | ListOfAvailableNumberOut]:
    """Search Available

     Numbers Twilio offers in the tenant's account, with their monthly price.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        country (str): ISO-2, e.g. US
        type_ (PhoneNumbersSearchType | Unset):  Default: 'local'.
        contains (None | str | Unset): digits, letters and * wildcards
        area_code (None | str | Unset):
        sms (bool | None | Unset):
        voice (bool | None | Unset):
        mms (bool | None | Unset):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ListOfAvailableNumberOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        country=country,
        type_=type_,
        contains=contains,
        area_code=area_code,
        sms=sms,
        voice=voice,
        mms=mms,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    country: str,
    type_: PhoneNumbersSearchType | Unset = "local",
    contains: None | str | Unset = UNSET,
    area_code: None | str | Unset = UNSET,
    sms: bool | None | Unset = UNSET,
    voice: bool | None | Unset = UNSET,
    mms: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
) -> ErrorOut | ListOfAvailableNumberOut | None:
    """Search Available

     Numbers Twilio offers in the tenant's account, with their monthly price.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        country (str): ISO-2, e.g. US
        type_ (PhoneNumbersSearchType | Unset):  Default: 'local'.
        contains (None | str | Unset): digits, letters and * wildcards
        area_code (None | str | Unset):
        sms (bool | None | Unset):
        voice (bool | None | Unset):
        mms (bool | None | Unset):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ListOfAvailableNumberOut
    """

    return sync_detailed(
        tid=tid,
        client=client,
        country=country,
        type_=type_,
        contains=contains,
        area_code=area_code,
        sms=sms,
        voice=voice,
        mms=mms,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    country: str,
    type_: PhoneNumbersSearchType | Unset = "local",
    contains: None | str | Unset = UNSET,
    area_code: None | str | Unset = UNSET,
    sms: bool | None | Unset = UNSET,
    voice: bool | None | Unset = UNSET,
    mms: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
) -> Response[ErrorOut | ListOfAvailableNumberOut]:
    """Search Available

     Numbers Twilio offers in the tenant's account, with their monthly price.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        country (str): ISO-2, e.g. US
        type_ (PhoneNumbersSearchType | Unset):  Default: 'local'.
        contains (None | str | Unset): digits, letters and * wildcards
        area_code (None | str | Unset):
        sms (bool | None | Unset):
        voice (bool | None | Unset):
        mms (bool | None | Unset):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ListOfAvailableNumberOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        country=country,
        type_=type_,
        contains=contains,
        area_code=area_code,
        sms=sms,
        voice=voice,
        mms=mms,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tid: UUID,
    *,
    client: AuthenticatedClient,
    country: str,
    type_: PhoneNumbersSearchType | Unset = "local",
    contains: None | str | Unset = UNSET,
    area_code: None | str | Unset = UNSET,
    sms: bool | None | Unset = UNSET,
    voice: bool | None | Unset = UNSET,
    mms: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
) -> ErrorOut | ListOfAvailableNumberOut | None:
    """Search Available

     Numbers Twilio offers in the tenant's account, with their monthly price.

    Any key of the tenant (`admin` or `member`), or a platform key.

    Args:
        tid (UUID): Tenant id
        country (str): ISO-2, e.g. US
        type_ (PhoneNumbersSearchType | Unset):  Default: 'local'.
        contains (None | str | Unset): digits, letters and * wildcards
        area_code (None | str | Unset):
        sms (bool | None | Unset):
        voice (bool | None | Unset):
        mms (bool | None | Unset):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ListOfAvailableNumberOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            client=client,
            country=country,
            type_=type_,
            contains=contains,
            area_code=area_code,
            sms=sms,
            voice=voice,
            mms=mms,
            limit=limit,
        )
    ).parsed
