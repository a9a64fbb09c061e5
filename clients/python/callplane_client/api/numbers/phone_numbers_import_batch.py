from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.number_import_batch import NumberImportBatch
from ...models.number_import_batch_out import NumberImportBatchOut
from ...types import Response


def _get_kwargs(
    tid: UUID,
    *,
    body: NumberImportBatch,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tenants/{tid}/phone-numbers/import/batch".format(
            tid=quote(str(tid), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | NumberImportBatchOut | None:
    if response.status_code == 200:
        response_200 = NumberImportBatchOut.from_dict(response.json())

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
) -> Response[ErrorOut | NumberImportBatchOut]:
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
    body: NumberImportBatch,
) -> Response[ErrorOut | NumberImportBatchOut]:
    """Import Numbers Batch

     Claim many numbers of the tenant's Twilio account at once (a list, or `all`): the account
    is read once; each number is imported or refused on its own, and reported in order.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        body (NumberImportBatch): Claim many numbers already in the tenant's Twilio account at
            once: a list, or `all`
            (every number the account holds that no tenant holds yet). The account is read once, page
            by
            page; each number is imported on its own (all or nothing per number) and reported.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | NumberImportBatchOut]
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
    body: NumberImportBatch,
) -> ErrorOut | NumberImportBatchOut | None:
    """Import Numbers Batch

     Claim many numbers of the tenant's Twilio account at once (a list, or `all`): the account
    is read once; each number is imported or refused on its own, and reported in order.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        body (NumberImportBatch): Claim many numbers already in the tenant's Twilio account at
            once: a list, or `all`
            (every number the account holds that no tenant holds yet). The account is read once, page
            by
            page; each number is imported on its own (all or nothing per number) and reported.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | NumberImportBatchOut
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
    body: NumberImportBatch,
) -> Response[ErrorOut | NumberImportBatchOut]:
    """Import Numbers Batch

     Claim many numbers of the tenant's Twilio account at once (a list, or `all`): the account
    is read once; each number is imported or refused on its own, and reported in order.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        body (NumberImportBatch): Claim many numbers already in the tenant's Twilio account at
            once: a list, or `all`
            (every number the account holds that no tenant holds yet). The account is read once, page
            by
            page; each number is imported on its own (all or nothing per number) and reported.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | NumberImportBatchOut]
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
    body: NumberImportBatch,
) -> ErrorOut | NumberImportBatchOut | None:
    """Import Numbers Batch

     Claim many numbers of the tenant's Twilio account at once (a list, or `all`): the account
    is read once; each number is imported or refused on its own, and reported in order.

    Needs an `admin` key of the tenant, or a platform key.

    Args:
        tid (UUID): Tenant id
        body (NumberImportBatch): Claim many numbers already in the tenant's Twilio account at
            once: a list, or `all`
            (every number the account holds that no tenant holds yet). The account is read once, page
            by
            page; each number is imported on its own (all or nothing per number) and reported.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | NumberImportBatchOut
    """

    return (
        await asyncio_detailed(
            tid=tid,
            client=client,
            body=body,
        )
    ).parsed
