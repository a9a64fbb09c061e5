"""Who sends an outbound message or call: one of the tenant's active numbers, its default
sender, or a number of the platform's SMS pool.

Only an active number of the tenant may send: another tenant's number (or one nobody holds) is a
404 `from_number_not_found`, exactly like an unknown one; the tenant's own number that is not
active (pending, releasing, released) is a 422 `from_number_not_active`. A message without
`from` goes from the tenant's `default_sms_from`; without one, from the platform's SMS pool
(CALLPLANE_SMS_POOL_NUMBERS, in the platform's account; the number is chosen from the tenant and
the recipient, so a recipient keeps hearing from the same number) when it is on; else 422
`from_required`.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from twilio.rest import Client

from callplane.connections import access
from callplane.connections.clients import TenantTwilio, tenant_client
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, NotFound, Unprocessable
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import NumberStatus
from callplane.phone import normalize_e164
from callplane.tenancy import TenantScope
from callplane.tenants.models import Tenant
from callplane.twilio.webhooks import webhook_urls


class FromNumberNotFound(NotFound):
    """The sender is not a number of this tenant."""

    code = "from_number_not_found"

    def __init__(self, e164: str) -> None:
        super().__init__(f"{e164} among the tenant's numbers")
        self.message = (
            f"{e164} is not one of the tenant's numbers: send from a number the tenant holds"
        )


class FromNumberNotActive(Unprocessable):
    """The tenant's number cannot send (yet, or any more)."""

    code = "from_number_not_active"


class FromRequired(Unprocessable):
    """No sender given, none by default, and no pool to send from."""

    code = "from_required"


@dataclass(frozen=True)
class Sender:
    """The number a message goes from, as the outbound event records it."""

    id: uuid.UUID | None
    e164: str
    account_sid: str
    agent_id: uuid.UUID | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def normalized(raw: str, field: str) -> str:
    try:
        return normalize_e164(raw)
    except ApiError as exc:
        exc.details.setdefault("field", field)
        raise


async def own_number(uow: UnitOfWork, scope: TenantScope, from_raw: str) -> PhoneNumber:
    """The tenant's active number `from_raw` (404 for anyone else's, 422 if not active)."""
    e164 = normalized(from_raw, "from")
    repo = uow.repo(PhoneNumber, scope)
    rows = await repo.all(PhoneNumber.e164 == e164, order_by=[PhoneNumber.created_at.desc()])
    if not rows:
        raise FromNumberNotFound(e164)
    active = next((r for r in rows if r.status == NumberStatus.active), None)
    if active is None:
        raise FromNumberNotActive(
            f"{e164} is {rows[0].status}: only an active number sends messages and calls",
            number_status=rows[0].status,
        )
    return active


async def twilio_for(uow: UnitOfWork, scope: TenantScope, number: Any) -> TenantTwilio:
    """The tenant's Twilio account, which must be the one the number lives in."""
    tw = await tenant_client(uow=uow, scope=scope, ensure=False)
    if tw.account_sid != number.account_sid:
        # The number lives in another account than the connection's (a model change left it):
        # only the platform's credentials can still reach it, for a subaccount of the platform.
        raise Conflict(
            f"{number.e164} lives in account {number.account_sid}, not in the tenant's current "
            f"account {tw.account_sid}",
            code="number_in_other_account",
        )
    return tw


async def choose(
    *, uow: UnitOfWork, scope: TenantScope, from_: str | None, to: str
) -> tuple[Sender, Client, str]:
    """The sender of a message to `to`, the client that sends it and its status callback URL."""
    if from_ is None:
        tenant = await uow.session.get(Tenant, scope.tenant_id)
        from_ = tenant.default_sms_from if tenant is not None else None
        if from_ is None:
            return _from_pool(uow, scope, to)
    number = await own_number(uow, scope, from_)
    tw = await twilio_for(uow, scope, number)
    sender = Sender(number.id, number.e164, number.account_sid, number.agent_id)
    return sender, tw.client, tw.urls.status


def _from_pool(uow: UnitOfWork, scope: TenantScope, to: str) -> tuple[Sender, Client, str]:
    """A number of the platform's pool, the same one for the same tenant and recipient."""
    settings = access.settings(uow)
    pool = settings.sms_pool
    platform = access.platform_credentials(uow) if pool else None
    if not pool or platform is None:
        raise FromRequired(
            "give \"from\" (one of the tenant's numbers) or set the tenant's default_sms_from: "
            "the tenant has no default sender and the platform's SMS pool is off",
            field="from",
        )
    digest = hashlib.sha256(f"{scope.tenant_id}:{to}".encode()).digest()
    e164 = pool[int.from_bytes(digest[:8], "big") % len(pool)]
    sender = Sender(None, e164, platform.account_sid, detail={"pool": True})
    return sender, access.platform_client(uow), webhook_urls(settings).status
