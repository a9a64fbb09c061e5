from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.billing_receive_stripe_event_stripe_event import (
    BillingReceiveStripeEventStripeEvent,
)
from ...models.error_out import ErrorOut
from ...models.stripe_event_out import StripeEventOut
from ...types import Response


def _get_kwargs(
    *,
    body: BillingReceiveStripeEventStripeEvent,
    stripe_signature: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Stripe-Signature"] = stripe_signature

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/billing/stripe",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | StripeEventOut | None:
    if response.status_code == 200:
        response_200 = StripeEventOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())

        return response_400

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
) -> Response[ErrorOut | StripeEventOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BillingReceiveStripeEventStripeEvent,
    stripe_signature: str,
) -> Response[ErrorOut | StripeEventOut]:
    """Stripe Webhook

     Stripe's customer.subscription.created/updated/deleted events.

    Enabled by CALLPLANE_STRIPE_WEBHOOK_SECRET (404 otherwise). The `Stripe-Signature` header is
    checked with the `stripe` library (400 `invalid_signature`); the tenant is the subscription's
    `metadata.tenant_id` (or `metadata.tenant_slug`); the plan is the price's metadata `plan`, its
    lookup key, or the subscription's metadata `plan` (422 `unknown_plan`, so that Stripe retries
    once the plan exists). An event already handled, or older than one applied, changes nothing.

    Public: no API key.

    Args:
        stripe_signature (str):
        body (BillingReceiveStripeEventStripeEvent):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | StripeEventOut]
    """

    kwargs = _get_kwargs(
        body=body,
        stripe_signature=stripe_signature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: BillingReceiveStripeEventStripeEvent,
    stripe_signature: str,
) -> ErrorOut | StripeEventOut | None:
    """Stripe Webhook

     Stripe's customer.subscription.created/updated/deleted events.

    Enabled by CALLPLANE_STRIPE_WEBHOOK_SECRET (404 otherwise). The `Stripe-Signature` header is
    checked with the `stripe` library (400 `invalid_signature`); the tenant is the subscription's
    `metadata.tenant_id` (or `metadata.tenant_slug`); the plan is the price's metadata `plan`, its
    lookup key, or the subscription's metadata `plan` (422 `unknown_plan`, so that Stripe retries
    once the plan exists). An event already handled, or older than one applied, changes nothing.

    Public: no API key.

    Args:
        stripe_signature (str):
        body (BillingReceiveStripeEventStripeEvent):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | StripeEventOut
    """

    return sync_detailed(
        client=client,
        body=body,
        stripe_signature=stripe_signature,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BillingReceiveStripeEventStripeEvent,
    stripe_signature: str,
) -> Response[ErrorOut | StripeEventOut]:
    """Stripe Webhook

     Stripe's customer.subscription.created/updated/deleted events.

    Enabled by CALLPLANE_STRIPE_WEBHOOK_SECRET (404 otherwise). The `Stripe-Signature` header is
    checked with the `stripe` library (400 `invalid_signature`); the tenant is the subscription's
    `metadata.tenant_id` (or `metadata.tenant_slug`); the plan is the price's metadata `plan`, its
    lookup key, or the subscription's metadata `plan` (422 `unknown_plan`, so that Stripe retries
    once the plan exists). An event already handled, or older than one applied, changes nothing.

    Public: no API key.

    Args:
        stripe_signature (str):
        body (BillingReceiveStripeEventStripeEvent):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | StripeEventOut]
    """

    kwargs = _get_kwargs(
        body=body,
        stripe_signature=stripe_signature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: BillingReceiveStripeEventStripeEvent,
    stripe_signature: str,
) -> ErrorOut | StripeEventOut | None:
    """Stripe Webhook

     Stripe's customer.subscription.created/updated/deleted events.

    Enabled by CALLPLANE_STRIPE_WEBHOOK_SECRET (404 otherwise). The `Stripe-Signature` header is
    checked with the `stripe` library (400 `invalid_signature`); the tenant is the subscription's
    `metadata.tenant_id` (or `metadata.tenant_slug`); the plan is the price's metadata `plan`, its
    lookup key, or the subscription's metadata `plan` (422 `unknown_plan`, so that Stripe retries
    once the plan exists). An event already handled, or older than one applied, changes nothing.

    Public: no API key.

    Args:
        stripe_signature (str):
        body (BillingReceiveStripeEventStripeEvent):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | StripeEventOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            stripe_signature=stripe_signature,
        )
    ).parsed
