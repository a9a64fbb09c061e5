"""A new row for a number of a tenant's Twilio account, and what follows once Twilio holds it:
shared by buying (numbers/purchase.py) and importing (numbers/importing.py, bulk_import.py)."""

from __future__ import annotations

import uuid
from typing import Any

from callplane.connections.clients import TenantTwilio
from callplane.db.uow import UnitOfWork
from callplane.numbers import lifecycle
from callplane.numbers.lifecycle import Change
from callplane.numbers.models import PhoneNumber
from callplane.numbers.remote import capabilities_of
from callplane.numbers.search import number_type_of, price_for
from callplane.numbers.states import NumberOrigin
from callplane.phone import region_of
from callplane.tenancy import TenantScope


async def new_row(tw: TenantTwilio, e164: str, origin: NumberOrigin, **fields: Any) -> PhoneNumber:
    """A new (pending) row for a number of the tenant's account, with its type and price."""
    country = region_of(e164) or "US"
    number_type = number_type_of(e164)
    price, unit = await price_for(tw, country, number_type)
    return lifecycle.new_number(
        origin=origin,
        id=uuid.uuid4(),
        connection_id=tw.conn.id,
        account_sid=tw.account_sid,
        e164=e164,
        country=country,
        type=number_type,
        monthly_price=price,
        price_unit=unit,
        **fields,
    )


async def provider_hook(uow: UnitOfWork, scope: TenantScope, number: PhoneNumber) -> None:
    """A number held for a provider agent gets registered there (in the background)."""
    if number.agent_id is None:
        return
    from callplane.providers.hooks import numbers_changed

    await numbers_changed(uow, scope, [number.id])


def activation(ipn: Any) -> Change:
    """The activation of a number Twilio holds (an IncomingPhoneNumber in hand)."""
    return Change.activate(twilio_sid=ipn.sid, capabilities=capabilities_of(ipn.capabilities))
