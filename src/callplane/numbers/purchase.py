"""Buying a tenant's numbers (crash-safe, idempotent), and pending purchases.

The purchase is the one flow here that spends money, so it is written to survive a crash at any
point (DESIGN section 1):

1. the intent: a `pending` row with the request's Idempotency-Key, committed under the tenant's
   quota lock (the partial unique index on held E.164 numbers refuses a second holder);
2. the purchase at Twilio (IncomingPhoneNumbers create), never retried blindly: after a 5xx or a
   transport failure the account is searched for the number to learn whether it was bought;
3. the confirmation (`active`), committed.

A crash between 1 and 3 leaves a `pending` row; `resolve_pending` (a repeated request with the
same key, a release) and the daily reconciliation adopt it when Twilio has the number in that
account and fail it when not. The same key never buys twice. An import is written the same
way (numbers/importing.py): a `pending` row, the wiring at Twilio, then `active`.

Twilio answers an account buying a number it already owns with that number (201, the request
acting as an update; older behaviour: 21422). So the account is looked at before the intent: a
number already there is the tenant's own, to import, never to buy (a "purchase" would rewire it
and a release would then delete it). After the intent, a create answered 201 or 21422 for a
number the account now holds is the purchase this request made, confirmed with that SID.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from twilio.base.exceptions import TwilioRestException

from callplane.connections.clients import TenantTwilio, tenant_client
from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, ProviderError, Unprocessable
from callplane.log import get_logger
from callplane.numbers import channels, compliance, guards, lifecycle
from callplane.numbers.lifecycle import Change, Transition
from callplane.numbers.models import PhoneNumber
from callplane.numbers.remote import TwilioNumbers
from callplane.numbers.rows import activation, new_row, provider_hook
from callplane.numbers.schemas import NumberBuy
from callplane.numbers.states import NumberOrigin, NumberStatus
from callplane.phone import normalize_e164
from callplane.tenancy import SYSTEM, TenantScope
from callplane.twilio.errors import TWILIO_ERRORS, refused_before_acting

log = get_logger(__name__)

# A pending purchase younger than this may still be in flight (the SDK times out after 15 s):
# a repeated request waits for it instead of resolving it.
PENDING_GRACE = timedelta(seconds=90)

# Stable codes -> HTTP status, for answering a stored failure again (idempotent replays).
_STATUS_OF_CODE: dict[str, int] = {code: status for status, code, _ in TWILIO_ERRORS.values()}
_STATUS_OF_CODE.update({"provider_error": 502, "purchase_not_completed": 409})
# What a key whose failure is final says (its answer is replayed, it never buys again).
REPLAY_HINT = "use a new Idempotency-Key to try again"


class PhoneNumberUnavailable(Conflict):
    """The number cannot be bought (taken, or no longer offered)."""

    code = "phone_number_unavailable"


class AlreadyInAccount(Conflict):
    """The tenant's Twilio account already has this number: it is imported, not bought."""

    code = "phone_number_in_account"


# Twilio's "not available" answer to a create (what it answered, before it learned to answer
# an account's own number as an update).
NOT_AVAILABLE = 21422


def _unavailable(e164: str, holder: PhoneNumber | None, scope: TenantScope) -> ApiError:
    if holder is not None and holder.tenant_id == scope.tenant_id:
        return PhoneNumberUnavailable(
            f"{e164} is already this tenant's number", number_id=str(holder.id)
        )
    return PhoneNumberUnavailable(f"{e164} is not available. Search again and pick another one.")


# -- purchase -------------------------------------------------------------------------------


async def buy_number(
    *, uow: UnitOfWork, scope: TenantScope, data: NumberBuy, idempotency_key: str | None
) -> tuple[PhoneNumber, bool]:
    """Buy a number; returns (row, replayed). The same key never buys twice."""
    e164 = normalize_e164(data.phone_number, country=data.country)
    key = idempotency_key or f"auto:{uuid.uuid4()}"
    repo = uow.repo(PhoneNumber, scope)
    prior = await repo.find(PhoneNumber.idempotency_key == key)
    if prior is not None:
        return await _replay(uow=uow, number=prior, e164=e164), True
    await guards.check_agent(uow, scope, data.agent_id)
    await guards.require_active_tenant(uow, scope)
    # Cheap checks first: a refused request never reaches Twilio.
    await guards.check_quota(uow, scope)
    holder = await guards.holder(uow, e164)
    if holder is not None:
        if holder.tenant_id == scope.tenant_id and holder.idempotency_key == key:
            # The same key sent twice at once: the other request's intent is there now.
            return await _replay(uow=uow, number=holder, e164=e164), True
        raise _unavailable(e164, holder, scope)
    tw = await tenant_client(uow=uow, scope=scope)
    remote = TwilioNumbers(tw)
    if await remote.find(e164) is not None:
        raise AlreadyInAccount(
            f"{e164} is already in the Twilio account {tw.account_sid}: import it "
            "(POST phone-numbers/import) instead of buying it",
            account_sid=tw.account_sid,
        )

    # 1. The intent.
    number = await new_row(
        tw, e164, NumberOrigin.purchased, agent_id=data.agent_id, idempotency_key=key
    )
    channels.set_manage(number, voice=data.manage.voice, sms=data.manage.sms)
    number.label = data.label
    try:
        async with named_lock(uow, f"numbers:{scope.tenant_id}"):
            await guards.check_quota(uow, scope)
            repo.add(number)
            record_audit(
                uow=uow,
                actor=scope.actor,
                action="phone_number.purchase_started",
                tenant_id=scope.tenant_id,
                target=number.id,
                detail={"phone_number": e164, "account_sid": number.account_sid},
            )
            await uow.commit()
    except IntegrityError:
        await uow.rollback()
        prior = await repo.find(PhoneNumber.idempotency_key == key)
        if prior is not None:  # the same key, sent twice at once
            return await _replay(uow=uow, number=prior, e164=e164), True
        holder = await guards.holder(uow, e164)
        raise _unavailable(e164, holder, scope) from None

    # 2. Compliance (a clone of the platform's bundle in a subaccount), then the purchase.
    try:
        needs = await compliance.for_purchase(
            uow=uow, scope=scope, tw=tw, country=number.country, number_type=number.type
        )
    except ApiError as exc:  # nothing was bought: the key is free for a retry
        await _fail(uow, scope, number, exc, free_key=True)
        raise
    try:
        ipn = await _create_at_twilio(remote, number, needs)
    except ApiError as exc:
        ipn = await _after_failed_create(uow, scope, tw, number, exc)

    # 3. The confirmation.
    await _confirm(uow, scope, remote, number, ipn, needs)
    await provider_hook(uow, scope, number)
    return number, False


async def _create_at_twilio(
    remote: TwilioNumbers, number: PhoneNumber, needs: compliance.PurchaseCompliance
) -> Any:
    """IncomingPhoneNumbers create (a seam the crash tests cut)."""
    return await remote.buy(number.e164, channels.of(number, remote.wiring), needs.twilio_params())


async def _confirm(
    uow: UnitOfWork,
    scope: TenantScope,
    remote: TwilioNumbers,
    number: PhoneNumber,
    ipn: Any,
    needs: compliance.PurchaseCompliance,
) -> None:
    """Step 3: the number is the tenant's; commits (or gives back what no row can own)."""
    await uow.session.refresh(number)
    if number.status != NumberStatus.pending:
        log.warning(
            "purchase confirmed after it was resolved",
            number_id=str(number.id),
            status=number.status,
        )
    if lifecycle.allowed(number, Transition.activate):
        lifecycle.apply(number, activation(ipn))
    number.bundle_sid = needs.bundle_sid
    number.address_sid = needs.address_sid
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="phone_number.purchase",
        tenant_id=scope.tenant_id,
        target=number.id,
        detail={
            "phone_number": number.e164,
            "twilio_sid": number.twilio_sid,
            "account_sid": number.account_sid,
            "compliance": needs.source,
        },
    )
    try:
        await uow.commit()
    except IntegrityError:
        # Only possible when the intent was resolved as lost meanwhile and another tenant took
        # the number in the database: give back what was just bought rather than orphan it.
        await uow.rollback()
        await remote.give_back(ipn.sid, account_sid=number.account_sid)
        raise _unavailable(number.e164, None, scope) from None
    log.info(
        "number bought",
        tenant_id=str(scope.tenant_id),
        phone_number=number.e164,
        sid=number.twilio_sid,
    )


async def _after_failed_create(
    uow: UnitOfWork, scope: TenantScope, tw: TenantTwilio, number: PhoneNumber, exc: ApiError
) -> Any:
    """Decide what a failed create means: adopt (it was bought after all), fail, or wait."""
    cause = exc.__cause__
    answered = isinstance(cause, TwilioRestException)
    if answered and exc.details.get("twilio_code") == NOT_AVAILABLE:
        # Not available, or already ours: an attempt whose answer was lost (a rate limit
        # answered after the work) bought it. The account was looked at before the intent, so
        # the number there now is this purchase's.
        found = await TwilioNumbers(tw).find(number.e164, account_sid=number.account_sid)
        if found is not None:
            log.warning(
                "purchase answered 21422 but the account holds it", phone_number=number.e164
            )
            return found
    if refused_before_acting(exc):
        # Twilio refused it (20429 included) or was never reached: nothing was bought, and the
        # key is free, so a retry with it tries again.
        explained = (
            compliance.explain_refusal(exc, tw.conn, scope, number)
            if answered
            else ProviderError(
                "Twilio could not be reached, so nothing was bought: try again in a moment "
                "(with the same Idempotency-Key if you like).",
                number_id=str(number.id),
            )
        )
        await _fail(uow, scope, number, explained, free_key=True)
        raise explained from exc
    # A 5xx or no answer at all: the purchase may or may not have happened.
    try:
        found = await TwilioNumbers(tw).find(number.e164, account_sid=number.account_sid)
    except ApiError:
        found = None
        answered = False  # cannot tell: keep the intent for reconciliation
    if found is not None:
        log.warning("purchase failed in transit but happened", phone_number=number.e164)
        return found
    if answered:
        await _fail(uow, scope, number, exc)
        raise _failure_of(number) from exc
    raise ProviderError(
        f"Twilio did not answer the purchase of {number.e164} and its outcome is not known yet. "
        "Repeat the request with the same Idempotency-Key in a minute: it answers the outcome "
        "and never buys twice.",
        number_id=str(number.id),
    ) from exc


async def _fail(
    uow: UnitOfWork,
    scope: TenantScope,
    number: PhoneNumber,
    exc: ApiError,
    *,
    free_key: bool = False,
) -> None:
    """The purchase did not happen: the row is failed (not held) and keeps the answer, which
    its key answers again; unless `free_key` (Twilio certainly did nothing), when the key is
    let go so that a retry with it tries again."""
    await uow.rollback()
    await uow.session.refresh(number)
    if not lifecycle.allowed(number, Transition.fail):
        return
    detail = {
        "status": exc.status_code,
        "details": {k: v for k, v in exc.details.items() if isinstance(v, (str, int, float))},
    }
    lifecycle.apply(number, Change.fail(code=exc.code, reason=exc.message, detail=detail))
    if free_key:
        number.idempotency_key = None
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="phone_number.purchase_failed",
        tenant_id=scope.tenant_id,
        target=number.id,
        detail={
            "phone_number": number.e164,
            "code": exc.code,
            "twilio_code": exc.details.get("twilio_code"),
            "key_freed": free_key,
        },
    )
    await uow.commit()


async def _replay(*, uow: UnitOfWork, number: PhoneNumber, e164: str) -> PhoneNumber:
    """The answer to a repeated Idempotency-Key."""
    if number.e164 != e164 or number.origin != NumberOrigin.purchased:
        raise Unprocessable(
            "this Idempotency-Key was already used for another request; use a new key",
            code="idempotency_key_reused",
            number_id=str(number.id),
        )
    if number.status == NumberStatus.pending and utcnow() - number.created_at >= PENDING_GRACE:
        try:
            number = await resolve_pending(uow=uow, number=number)
        except ApiError as exc:  # Twilio still unreachable: the intent stays for later
            log.warning("pending purchase not resolved", number_id=str(number.id), code=exc.code)
    if number.status == NumberStatus.failed:
        raise _failure_of(number)
    return number


def _failure_of(number: PhoneNumber) -> ApiError:
    """The answer of a failed purchase, the same every time its key is repeated: the first
    answer's fields (`twilio_code` included), the number and what to do."""
    code = number.failure_code or "provider_error"
    stored = number.failure_detail or {}
    return ApiError(
        number.failure_reason or "the purchase failed",
        code=code,
        status_code=int(stored.get("status") or _STATUS_OF_CODE.get(code, 409)),
        **{
            **stored.get("details", {}),
            "number_id": str(number.id),
            "hint": REPLAY_HINT,
        },
    )


# -- pending intents (a crash mid-purchase) -------------------------------------------------


def not_completed(e164: str, account_sid: str) -> Change:
    """The failure of a purchase whose intent Twilio never completed."""
    return Change.fail(
        code="purchase_not_completed",
        reason=(
            f"the purchase was interrupted and Twilio does not hold {e164} in account "
            f"{account_sid}: nothing was bought. Search again and buy with a new "
            "Idempotency-Key."
        ),
    )


async def resolve_pending(*, uow: UnitOfWork, number: PhoneNumber) -> PhoneNumber:
    """Adopt a pending number when Twilio holds it in that account, else fail it.

    Raises the mapped ApiError (and changes nothing) when Twilio cannot be asked. Commits.
    """
    if number.status != NumberStatus.pending:
        return number
    scope = TenantScope(tenant_id=number.tenant_id, actor=SYSTEM)
    remote = TwilioNumbers(await tenant_client(uow=uow, scope=scope, ensure=False))
    found = await remote.find(number.e164, account_sid=number.account_sid)
    await uow.session.refresh(number)
    if number.status != NumberStatus.pending:
        return number
    if found is not None:
        wanted = channels.of(number, remote.wiring)
        if wanted and not channels.is_wired(found, wanted):
            try:
                found = await remote.update(found.sid, wanted, account_sid=number.account_sid)
            except ApiError as exc:  # reconciliation rewires it later
                log.warning("adopted number not rewired", number_id=str(number.id), code=exc.code)
        change = activation(found)
        action = "phone_number.adopted"
    else:
        change = not_completed(number.e164, number.account_sid)
        action = "phone_number.purchase_failed"
    lifecycle.apply(number, change)
    record_audit(
        uow=uow,
        actor=SYSTEM,
        action=action,
        tenant_id=number.tenant_id,
        target=number.id,
        detail={"phone_number": number.e164, "twilio_sid": number.twilio_sid, "resolved": True},
    )
    await uow.commit()
    log.info("pending number resolved", number_id=str(number.id), status=number.status)
    return number
