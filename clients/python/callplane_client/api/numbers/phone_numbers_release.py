from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.number_out import NumberOut
from ...models.number_release import NumberRelease
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tid: UUID,
    nid: UUID,
    *,
    body: None | NumberRelease | Unset = UNSET,
    at_twilio: bool | Unset = False,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["at_twilio"] = at_twilio

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/tenants/{tid}/phone-numbers/{nid}".format(
            tid=quote(str(tid), safe=""),
            nid=quote(str(nid), safe=""),
        ),
        "params": params,
    }

    if isinstance(body, NumberRelease):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | NumberOut | None:
    if response.status_code == 200:
        response_200 = NumberOut.from_dict(response.json())

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
) -> Response[ErrorOut | NumberOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tid: UUID,
    nid: UUID,
    *,
    client: AuthenticatedClient,
    body: None | NumberRelease | Unset = UNSET,
    at_twilio: bool | Unset = False,
) -> Response[ErrorOut | NumberOut]:
    """Release Number

     Release the number; idempotent. A bought number goes back to Twilio; an imported one is
    handed back (its saved configuration restored) unless `?at_twilio=true` with
    `{"confirm": "<its E.164>"}` (409 `confirmation_required` without it).

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        nid (UUID):
        at_twilio (bool | Unset): Delete an imported number at Twilio too (needs `confirm`)
            Default: False.
        body (None | NumberRelease | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | NumberOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        nid=nid,
        body=body,
        at_twilio=at_twilio,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tid: UUID,
    nid: UUID,
    *,
    client: AuthenticatedClient,
    body: None | NumberRelease | Unset = UNSET,
    at_twilio: bool | Unset = False,
) -> ErrorOut | NumberOut | None:
    """Release Number

     Release the number; idempotent. A bought number goes back to Twilio; an imported one is
    handed back (its saved configuration restored) unless `?at_twilio=true` with
    `{"confirm": "<its E.164>"}` (409 `confirmation_required` without it).

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        nid (UUID):
        at_twilio (bool | Unset): Delete an imported number at Twilio too (needs `confirm`)
            Default: False.
        body (None | NumberRelease | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | NumberOut
    """

    return sync_detailed(
        tid=tid,
        nid=nid,
        client=client,
        body=body,
        at_twilio=at_twilio,
    ).parsed


async def asyncio_detailed(
    tid: UUID,
    nid: UUID,
    *,
    client: AuthenticatedClient,
    body: None | NumberRelease | Unset = UNSET,
    at_twilio: bool | Unset = False,
) -> Response[ErrorOut | NumberOut]:
    """Release Number

     Release the number; idempotent. A bought number goes back to Twilio; an imported one is
    handed back (its saved configuration restored) unless `?at_twilio=true` with
    `{"confirm": "<its E.164>"}` (409 `confirmation_required` without it).

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        nid (UUID):
        at_twilio (bool | Unset): Delete an imported number at Twilio too (needs `confirm`)
            Default: False.
        body (None | NumberRelease | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | NumberOut]
    """

    kwargs = _get_kwargs(
        tid=tid,
        nid=nid,
        body=body,
        at_twilio=at_twilio,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tid: UUID,
    nid: UUID,
    *,
    client: AuthenticatedClient,
    body: None | NumberRelease | Unset = UNSET,
    at_twilio: bool | Unset = False,
) -> ErrorOut | NumberOut | None:
    """Release Number

     Release the number; idempotent. A bought number goes back to Twilio; an imported one is
    handed back (its saved configuration restored) unless `?at_twilio=true` with
    `{"confirm": "<its E.164>"}` (409 `confirmation_required` without it).

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        nid (UUID):
        at_twilio (bool | Unset): Delete an imported number at Twilio too (needs `confirm`)
            Default: False.
        body (None | NumberRelease | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | NumberOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            nid=nid,
            client=client,
            body=body,
            at_twilio=at_twilio,
        )
    ).parsed
