"""A tenant's phone numbers: search, price, buy (crash-safe, idempotent), import, attach, release.

The purchase is the one flow here that spends money, so it is written to survive a crash at any
point (DESIGN section 1):

1. the intent: a `pending` row with the request's Idempotency-Key, committed under the tenant's
   quota lock (the partial unique index on held E.164 numbers refuses a second holder);
2. the purchase at Twilio (IncomingPhoneNumbers create), never retried blindly: after a 5xx or a
   transport failure the account is searched for the number to learn whether it was bought;
3. the confirmation (`active`), committed.

A crash between 1 and 3 leaves a `pending` row; `resolve_pending` (used by a repeated request
with the same key and by reconciliation) adopts it when Twilio has the number in that account
and fails it when not. The same key never buys twice.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from sqlalchemy.exc import IntegrityError
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from callplane.agents.models import Agent
from callplane.connections import service as connections
from callplane.connections.models import Connection
from callplane.connections.usage import register_usage_check
from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, Forbidden, NotFound, ProviderError, Unprocessable
from callplane.log import get_logger
from callplane.numbers import compliance
from callplane.numbers.models import HELD_STATUSES, RELEASE_REASONS, PhoneNumber
from callplane.numbers.schemas import (
    AvailableNumberOut,
    Capabilities,
    NumberBuy,
    NumberImport,
    NumberOut,
    PriceOut,
    PricingOut,
)
from callplane.phone import normalize_e164, region_of
from callplane.settings import Settings
from callplane.tenancy import SYSTEM, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.models import Tenant
from callplane.twilio.errors import TWILIO_ERRORS, call_twilio
from callplane.twilio.factory import TwilioCredentials
from callplane.twilio.webhooks import webhook_urls

log = get_logger(__name__)

# A pending purchase younger than this may still be in flight (the SDK times out after 15 s):
# a repeated request waits for it instead of resolving it.
PENDING_GRACE = timedelta(seconds=90)
PRICE_TTL_SECONDS = 600
NANP_COUNTRIES = {"US", "CA"}  # Twilio's AreaCode filter exists for these only
PRICING_TYPES = {
    "local": "local",
    "mobile": "mobile",
    "toll free": "toll_free",
    "toll-free": "toll_free",
    "tollfree": "toll_free",
    "toll_free": "toll_free",
}

# Stable codes -> HTTP status, for answering a stored failure again (idempotent replays).
_STATUS_OF_CODE: dict[str, int] = {code: status for status, code, _ in TWILIO_ERRORS.values()}
_STATUS_OF_CODE.update({"provider_error": 502, "purchase_not_completed": 409})


class QuotaExceeded(ApiError):
    """The tenant's plan allows no more numbers."""

    status_code = 402
    code = "phone_number_quota_exceeded"


class PhoneNumberUnavailable(Conflict):
    """The number cannot be bought (taken, or no longer offered)."""

    code = "phone_number_unavailable"


class OwnedElsewhere(Conflict):
    """Another tenant holds this number."""

    code = "phone_number_owned_elsewhere"


class InvalidCountry(Unprocessable):
    """Not an ISO 3166-1 alpha-2 country with phone numbers."""

    code = "invalid_country"


# -- pure helpers ---------------------------------------------------------------------------


def normalize_country(raw: str | None) -> str:
    """ISO-2, upper case; 422 invalid_country for anything else."""
    text = (raw or "").strip().upper()
    if len(text) != 2 or not text.isalpha() or text not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidCountry(
            f"{raw!r} is not a country: use its ISO 3166-1 alpha-2 code (US, GB, DE, ...)"
        )
    return text


def number_type_of(e164: str) -> str:
    """local, mobile or toll_free, as Twilio sells it, from the number itself."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return "mobile"
    if kind == phonenumbers.PhoneNumberType.TOLL_FREE:
        return "toll_free"
    return "local"


def capabilities_of(raw: Mapping[str, Any] | None) -> dict[str, bool]:
    """{voice, sms, mms} from Twilio's capabilities, whose keys come in either case.

    AvailablePhoneNumbers answer `{"voice": true, "SMS": true, "MMS": false}`, IncomingPhoneNumbers
    `{"voice": true, "sms": true, "mms": false, "fax": false}`.
    """
    lowered = {str(k).lower(): v for k, v in (raw or {}).items()}
    return {
        k: lowered.get(k) in (True, "true", "True", 1)
        for k in ("voice", "sms", "mms")
    }


def money(value: Any) -> str | None:
    """A price as a decimal string with at least two decimals ("1.15", "0.0075")."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    cents = amount.quantize(Decimal("0.01"))
    return str(cents if cents == amount else amount.normalize())


def number_out(number: PhoneNumber) -> NumberOut:
    """The public view of a number."""
    return NumberOut(
        id=number.id,
        phone_number=number.e164,
        status=number.status,  # type: ignore[arg-type]
        agent_id=number.agent_id,
        trunk_id=number.trunk_id,
        managed=number.managed,
        origin=number.origin,
        country=number.country,
        type=number.type,
        capabilities=Capabilities(**capabilities_of(number.capabilities)),
        monthly_price=money(number.monthly_price),
        price_unit=number.price_unit,
        twilio_sid=number.twilio_sid,
        account_sid=number.account_sid,
        bundle_sid=number.bundle_sid,
        address_sid=number.address_sid,
        purchased_at=number.purchased_at,
        released_at=number.released_at,
        release_reason=number.release_reason,
        failure_reason=number.failure_reason,
        failure_code=number.failure_code,
        created_at=number.created_at,
    )


def wiring(settings: Settings) -> dict[str, str]:
    """The IncomingPhoneNumber fields of a managed number: the generic webhook URLs."""
    urls = webhook_urls(settings)
    return {
        "voice_url": urls.voice,
        "voice_method": "POST",
        "sms_url": urls.sms,
        "sms_method": "POST",
        "status_callback": urls.status,
        "status_callback_method": "POST",
    }


def is_wired(ipn: Any, settings: Settings) -> bool:
    """Whether a Twilio number already points at callplane's webhook URLs."""
    want = wiring(settings)
    return all(
        (getattr(ipn, field, None) or "") == value
        for field, value in want.items()
        if field.endswith("url") or field == "status_callback"
    )


# -- Twilio plumbing ------------------------------------------------------------------------


def _client(uow: UnitOfWork, conn: Connection) -> tuple[Client, TwilioCredentials]:
    creds = connections.credentials(uow, conn)
    return uow.runtime.twilio.client(creds), creds


async def find_at_twilio(client: Client, account_sid: str, e164: str) -> Any | None:
    """The IncomingPhoneNumber with this E.164 in the account, or None (safe to retry)."""

    async def find() -> list[Any]:
        return await client.api.v2010.accounts(account_sid).incoming_phone_numbers.list_async(
            phone_number=e164, limit=5
        )

    rows = await call_twilio(find, retry=True, action="look up number")
    return next((r for r in rows if r.phone_number == e164), None)


async def rewire(client: Client, account_sid: str, twilio_sid: str, settings: Settings) -> Any:
    """Point a number at the generic webhook URLs (an update: safe to repeat)."""

    async def update() -> Any:
        return await client.api.v2010.accounts(account_sid).incoming_phone_numbers(
            twilio_sid
        ).update_async(**wiring(settings))

    return await call_twilio(update, retry=True, action="wire number")


_price_cache: dict[tuple[str, str, str], tuple[float, PricingOut]] = {}


async def _fetch_pricing(
    uow: UnitOfWork, client: Client, account_sid: str, country: str
) -> PricingOut:
    key = (uow.runtime.settings.twilio_base_url or "", account_sid, country)
    cached = _price_cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]

    async def fetch() -> Any:
        return await client.pricing.v1.phone_numbers.countries(country).fetch_async()

    found = await call_twilio(fetch, retry=True, action="fetch number pricing")
    prices: dict[str, PriceOut] = {}
    for item in found.phone_number_prices or []:
        kind = PRICING_TYPES.get(str(item.get("number_type", "")).strip().lower())
        monthly = money(item.get("current_price") or item.get("base_price"))
        if kind is None or monthly is None or kind in prices:
            continue
        base = money(item.get("base_price"))
        prices[kind] = PriceOut(type=kind, monthly=monthly, base=base)  # type: ignore[arg-type]
    order = ["local", "mobile", "toll_free"]
    out = PricingOut(
        country=found.iso_country or country,
        currency=found.price_unit or "USD",
        prices=sorted(prices.values(), key=lambda p: order.index(p.type)),
    )
    _price_cache[key] = (time.monotonic() + PRICE_TTL_SECONDS, out)
    return out


async def _price_for(
    uow: UnitOfWork, client: Client, account_sid: str, country: str, number_type: str
) -> tuple[Decimal | None, str | None]:
    """(monthly price, currency) of a number type, or (None, None): prices never block a flow."""
    try:
        pricing = await _fetch_pricing(uow, client, account_sid, country)
    except ApiError as exc:
        log.info("no price for numbers", country=country, code=exc.code)
        return None, None
    for price in pricing.prices:
        if price.type == number_type:
            return Decimal(price.monthly), pricing.currency
    return None, pricing.currency


# -- search and pricing ---------------------------------------------------------------------


async def search_available(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    country: str,
    number_type: str,
    contains: str | None = None,
    area_code: str | None = None,
    sms: bool | None = None,
    voice: bool | None = None,
    mms: bool | None = None,
    limit: int = 20,
) -> list[AvailableNumberOut]:
    """Numbers Twilio offers in the tenant's account; an empty list when it has none of the kind."""
    country = normalize_country(country)
    if area_code and country not in NANP_COUNTRIES:
        raise Unprocessable(
            "area_code works for US and CA numbers only; use contains for other countries",
            code="area_code_not_supported",
        )
    conn = await connections.ensure_account(uow=uow, scope=scope)
    client, creds = _client(uow, conn)
    lists = client.api.v2010.accounts(creds.account_sid).available_phone_numbers(country)
    lister = {"local": lists.local, "mobile": lists.mobile, "toll_free": lists.toll_free}[
        number_type
    ]
    filters: dict[str, Any] = {}
    if contains:
        filters["contains"] = contains
    if area_code:
        filters["area_code"] = area_code
    for name, value in (("sms_enabled", sms), ("voice_enabled", voice), ("mms_enabled", mms)):
        if value is not None:
            filters[name] = value

    async def search() -> list[Any]:
        return await lister.list_async(limit=limit, **filters)

    try:
        found = await call_twilio(search, retry=True, action="search numbers")
    except ApiError as exc:
        cause = exc.__cause__
        if exc.details.get("twilio_code") == 20404:
            return []  # Twilio has no inventory of that kind in that country
        if isinstance(cause, TwilioRestException) and cause.status == 400:
            raise Unprocessable(
                f"Twilio refused the search: {cause.msg}",
                code="invalid_search",
                twilio_code=cause.code,
            ) from exc
        raise
    price, unit = (
        await _price_for(uow, client, creds.account_sid, country, number_type)
        if found
        else (None, None)
    )
    out = []
    for item in found[:limit]:
        out.append(
            AvailableNumberOut(
                phone_number=item.phone_number,
                friendly_name=item.friendly_name,
                country=item.iso_country or country,
                type=number_type,  # type: ignore[arg-type]
                capabilities=Capabilities(**capabilities_of(item.capabilities)),
                locality=item.locality or None,
                region=item.region or None,
                postal_code=item.postal_code or None,
                address_requirements=item.address_requirements,
                monthly_price=money(price),
                price_unit=unit,
            )
        )
    return out


async def get_pricing(*, uow: UnitOfWork, scope: TenantScope, country: str) -> PricingOut:
    """Monthly number prices of a country in the tenant's account."""
    country = normalize_country(country)
    conn = await connections.ensure_account(uow=uow, scope=scope)
    client, creds = _client(uow, conn)
    try:
        return await _fetch_pricing(uow, client, creds.account_sid, country)
    except ApiError as exc:
        if exc.details.get("twilio_code") == 20404:
            raise NotFound(
                f"pricing for {country} (Twilio sells no numbers there)",
                code="country_not_supported",
            ) from exc
        raise


# -- guards ---------------------------------------------------------------------------------


async def _require_active_tenant(uow: UnitOfWork, scope: TenantScope) -> None:
    tenant = await uow.session.get(Tenant, scope.tenant_id)
    if tenant is None:
        raise NotFound("tenant")
    if tenant.status != "active":
        raise Conflict(
            f"the tenant is {tenant.status}: it cannot take new numbers", code="tenant_not_active"
        )


async def held_count(*, uow: UnitOfWork, scope: TenantScope) -> int:
    """How many numbers count against the tenant's quota (pending, active, releasing)."""
    return await uow.repo(PhoneNumber, scope).count(PhoneNumber.status.in_(HELD_STATUSES))


async def _check_quota(uow: UnitOfWork, scope: TenantScope) -> None:
    quota = await tenants.phone_number_quota(uow=uow, scope=scope)
    used = await held_count(uow=uow, scope=scope)
    if used >= quota:
        why = (
            "the tenant has no active subscription"
            if quota == 0
            else f"the plan allows {quota} phone number{'s' if quota != 1 else ''}"
        )
        raise QuotaExceeded(
            f"{why} and {used} {'is' if used == 1 else 'are'} held: release a number or "
            "upgrade the plan",
            used=used,
            quota=quota,
        )


async def _holder(uow: UnitOfWork, e164: str) -> PhoneNumber | None:
    """The row holding this number in any tenant (the unique index allows one).

    Across tenants by design (row-level security's explicit platform scope): "another tenant
    holds it" is an answer the API gives (409), never the row itself.
    """
    async with uow.platform_scope():
        return await uow.repo(PhoneNumber, None).find(
            PhoneNumber.e164 == e164, PhoneNumber.status.in_(HELD_STATUSES)
        )


async def _check_agent(uow: UnitOfWork, scope: TenantScope, agent_id: uuid.UUID | None) -> None:
    if agent_id is not None:
        await uow.repo(Agent, scope).get(agent_id)


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
    await _check_agent(uow, scope, data.agent_id)
    await _require_active_tenant(uow, scope)
    # Cheap checks first: a refused request never reaches Twilio.
    await _check_quota(uow, scope)
    holder = await _holder(uow, e164)
    if holder is not None:
        raise _unavailable(e164, holder, scope)
    country = region_of(e164) or "US"
    number_type = number_type_of(e164)
    conn = await connections.ensure_account(uow=uow, scope=scope)
    client, creds = _client(uow, conn)
    price, unit = await _price_for(uow, client, creds.account_sid, country, number_type)

    # 1. The intent.
    number = PhoneNumber(
        id=uuid.uuid4(),
        connection_id=conn.id,
        account_sid=creds.account_sid,
        e164=e164,
        country=country,
        type=number_type,
        status="pending",
        agent_id=data.agent_id,
        managed=True,
        origin="purchased",
        monthly_price=price,
        price_unit=unit,
        idempotency_key=key,
    )
    try:
        async with named_lock(uow, f"numbers:{scope.tenant_id}"):
            await _check_quota(uow, scope)
            repo.add(number)
            record_audit(
                uow=uow, actor=scope.actor, action="phone_number.purchase_started",
                tenant_id=scope.tenant_id, target=number.id,
                detail={"phone_number": e164, "account_sid": number.account_sid},
            )
            await uow.commit()
    except IntegrityError:
        await uow.rollback()
        prior = await repo.find(PhoneNumber.idempotency_key == key)
        if prior is not None:  # the same key, sent twice at once
            return await _replay(uow=uow, number=prior, e164=e164), True
        holder = await _holder(uow, e164)
        raise _unavailable(e164, holder, scope) from None

    # 2. Compliance (a clone of the platform's bundle in a subaccount), then the purchase.
    try:
        needs = await compliance.for_purchase(
            uow=uow, scope=scope, conn=conn, country=country, number_type=number_type
        )
    except ApiError as exc:
        await _fail(uow, scope, number, exc)
        raise
    try:
        ipn = await _create_at_twilio(uow, client, number, needs)
    except ApiError as exc:
        ipn = await _after_failed_create(uow, scope, conn, client, number, exc)

    # 3. The confirmation.
    await uow.session.refresh(number)
    if number.status != "pending":
        log.warning(
            "purchase confirmed after it was resolved",
            number_id=str(number.id),
            status=number.status,
        )
    _activate(number, ipn)
    number.bundle_sid = needs.bundle_sid
    number.address_sid = needs.address_sid
    record_audit(
        uow=uow, actor=scope.actor, action="phone_number.purchase", tenant_id=scope.tenant_id,
        target=number.id,
        detail={
            "phone_number": e164,
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
        await _give_back(client, number.account_sid, ipn.sid)
        raise _unavailable(e164, None, scope) from None
    log.info(
        "number bought", tenant_id=str(scope.tenant_id), phone_number=e164, sid=number.twilio_sid
    )
    return number, False


async def _give_back(client: Client, account_sid: str, twilio_sid: str) -> None:
    """Release a number at Twilio that no row can own (best effort, logged)."""

    async def delete() -> Any:
        return await client.api.v2010.accounts(account_sid).incoming_phone_numbers(
            twilio_sid
        ).delete_async()

    try:
        await call_twilio(delete, retry=True, action="give back number")
    except ApiError as exc:
        log.error("bought number could not be given back", twilio_sid=twilio_sid, code=exc.code)


def _unavailable(e164: str, holder: PhoneNumber | None, scope: TenantScope) -> ApiError:
    if holder is not None and holder.tenant_id == scope.tenant_id:
        return PhoneNumberUnavailable(
            f"{e164} is already this tenant's number", number_id=str(holder.id)
        )
    return PhoneNumberUnavailable(
        f"{e164} is not available. Search again and pick another one."
    )


def _activate(number: PhoneNumber, ipn: Any) -> None:
    number.status = "active"
    number.twilio_sid = ipn.sid
    number.capabilities = capabilities_of(ipn.capabilities)
    number.purchased_at = number.purchased_at or utcnow()
    number.failure_code = number.failure_reason = None


async def _create_at_twilio(
    uow: UnitOfWork, client: Client, number: PhoneNumber, needs: compliance.PurchaseCompliance
) -> Any:
    """IncomingPhoneNumbers create. Only a rate limit (nothing was done) is retried here."""
    params = {"phone_number": number.e164, **wiring(uow.runtime.settings), **needs.twilio_params()}
    ipns = client.api.v2010.accounts(number.account_sid).incoming_phone_numbers

    async def create() -> Any:
        return await ipns.create_async(**params)

    for attempt in range(3):
        try:
            return await call_twilio(create, retry=False, action="buy number")
        except ApiError as exc:
            if exc.details.get("twilio_code") == 20429 and attempt < 2:
                await asyncio.sleep(0.5 * 2**attempt)
                continue
            raise
    raise AssertionError("unreachable")  # pragma: no cover


async def _after_failed_create(
    uow: UnitOfWork,
    scope: TenantScope,
    conn: Connection,
    client: Client,
    number: PhoneNumber,
    exc: ApiError,
) -> Any:
    """Decide what a failed create means: adopt (it was bought after all), fail, or wait."""
    cause = exc.__cause__
    answered = isinstance(cause, TwilioRestException)
    if answered and cause.status < 500:  # type: ignore[union-attr]
        # Twilio refused it: nothing was bought.
        explained = _explain(exc, conn, scope, number)
        await _fail(uow, scope, number, explained)
        raise explained from exc
    # A 5xx or no answer at all: the purchase may or may not have happened.
    try:
        found = await find_at_twilio(client, number.account_sid, number.e164)
    except ApiError:
        found = None
        answered = False  # cannot tell: keep the intent for reconciliation
    if found is not None:
        log.warning("purchase failed in transit but happened", phone_number=number.e164)
        return found
    if answered:
        await _fail(uow, scope, number, exc)
        raise exc
    raise ProviderError(
        f"Twilio did not answer the purchase of {number.e164} and its outcome is not known yet. "
        "Repeat the request with the same Idempotency-Key in a minute: it answers the outcome "
        "and never buys twice.",
        number_id=str(number.id),
    ) from exc


def _explain(exc: ApiError, conn: Connection, scope: TenantScope, number: PhoneNumber) -> ApiError:
    """Twilio's compliance refusals, with what to do in this tenant's account model."""
    code = exc.details.get("twilio_code")
    path = f"{number.country}/{number.type}"
    what = f"{number.country} {number.type.replace('_', '-')} numbers"
    if code == 21649:
        if conn.model == "byo":
            todo = (
                "create a regulatory bundle in the tenant's own Twilio account, get it approved, "
                f"and register it with PUT /v1/tenants/{scope.tenant_id}/compliance/{path} "
                "{\"bundle_sid\": \"BU...\"}"
            )
        elif conn.model == "subaccount":
            todo = (
                "register the platform's twilio-approved bundle with PUT /v1/compliance/"
                f"{path} {{\"bundle_sid\": \"BU...\"}}: callplane clones it into the tenant's "
                "subaccount before buying"
            )
        else:
            todo = (
                "register a twilio-approved bundle of the platform account with PUT "
                f"/v1/compliance/{path} {{\"bundle_sid\": \"BU...\"}}"
            )
        return ApiError(
            f"{what} are regulated and need an approved regulatory bundle in the buying account: "
            + todo,
            code="bundle_required", status_code=422, twilio_code=code,
        )
    if code == 21631:
        where = (
            f"PUT /v1/tenants/{scope.tenant_id}/compliance/{path}"
            if conn.model == "byo"
            else f"PUT /v1/compliance/{path} (or the tenant's own profile)"
        )
        return ApiError(
            f"{what} need a registered address: create an Address in the Twilio account and "
            f"register it with {where} {{\"address_sid\": \"AD...\"}}",
            code="address_required", status_code=422, twilio_code=code,
        )
    return exc


async def _fail(uow: UnitOfWork, scope: TenantScope, number: PhoneNumber, exc: ApiError) -> None:
    """The purchase did not happen: the row is failed (not held) and keeps the reason."""
    await uow.rollback()
    await uow.session.refresh(number)
    if number.status != "pending":
        return
    number.status = "failed"
    number.failure_code = exc.code
    number.failure_reason = exc.message[:500]
    record_audit(
        uow=uow, actor=scope.actor, action="phone_number.purchase_failed",
        tenant_id=scope.tenant_id, target=number.id,
        detail={"phone_number": number.e164, "code": exc.code,
                "twilio_code": exc.details.get("twilio_code")},
    )
    await uow.commit()


async def _replay(*, uow: UnitOfWork, number: PhoneNumber, e164: str) -> PhoneNumber:
    """The answer to a repeated Idempotency-Key."""
    if number.e164 != e164 or number.origin != "purchased":
        raise Unprocessable(
            "this Idempotency-Key was already used for another request; use a new key",
            code="idempotency_key_reused",
            number_id=str(number.id),
        )
    if number.status == "pending" and utcnow() - number.created_at >= PENDING_GRACE:
        try:
            number = await resolve_pending(uow=uow, number=number)
        except ApiError as exc:  # Twilio still unreachable: the intent stays for later
            log.warning("pending purchase not resolved", number_id=str(number.id), code=exc.code)
    if number.status == "failed":
        code = number.failure_code or "provider_error"
        raise ApiError(
            number.failure_reason or "the purchase failed",
            code=code,
            status_code=_STATUS_OF_CODE.get(code, 409),
            number_id=str(number.id),
        )
    return number


# -- pending intents (a crash mid-purchase) -------------------------------------------------


async def _connection_of(uow: UnitOfWork, scope: TenantScope) -> Connection:
    return await connections.get_connection(uow=uow, scope=scope)


async def resolve_pending(*, uow: UnitOfWork, number: PhoneNumber) -> PhoneNumber:
    """Adopt a pending purchase when Twilio holds the number in that account, else fail it.

    Raises the mapped ApiError (and changes nothing) when Twilio cannot be asked. Commits.
    """
    if number.status != "pending":
        return number
    scope = TenantScope(tenant_id=number.tenant_id, actor=SYSTEM)
    conn = await _connection_of(uow, scope)
    client, _ = _client(uow, conn)
    found = await find_at_twilio(client, number.account_sid, number.e164)
    await uow.session.refresh(number)
    if number.status != "pending":
        return number
    if found is not None:
        if not is_wired(found, uow.runtime.settings):
            try:
                found = await rewire(client, number.account_sid, found.sid, uow.runtime.settings)
            except ApiError as exc:  # reconciliation rewires it later
                log.warning("adopted number not rewired", number_id=str(number.id), code=exc.code)
        _activate(number, found)
        action = "phone_number.adopted"
    else:
        number.status = "failed"
        number.failure_code = "purchase_not_completed"
        number.failure_reason = (
            f"the purchase was interrupted and Twilio does not hold {number.e164} in account "
            f"{number.account_sid}: nothing was bought. Search again and buy with a new "
            "Idempotency-Key."
        )
        action = "phone_number.purchase_failed"
    record_audit(
        uow=uow, actor=SYSTEM, action=action, tenant_id=number.tenant_id, target=number.id,
        detail={"phone_number": number.e164, "twilio_sid": number.twilio_sid, "resolved": True},
    )
    await uow.commit()
    log.info("pending number resolved", number_id=str(number.id), status=number.status)
    return number


async def resolve_pending_numbers(
    *, uow: UnitOfWork, older_than: timedelta = PENDING_GRACE, tenant_id: uuid.UUID | None = None
) -> dict[str, int]:
    """Resolve every pending purchase older than `older_than` (reconciliation's entry point)."""
    where = [PhoneNumber.status == "pending", PhoneNumber.created_at <= utcnow() - older_than]
    scope = TenantScope(tenant_id=tenant_id, actor=SYSTEM) if tenant_id else None
    rows = await uow.repo(PhoneNumber, scope).all(*where, order_by=[PhoneNumber.created_at])
    summary = {"adopted": 0, "failed": 0, "unresolved": 0}
    for number_id in [row.id for row in rows]:
        row = await uow.session.get(PhoneNumber, number_id)
        if row is None:
            continue
        try:
            done = await resolve_pending(uow=uow, number=row)
        except ApiError as exc:  # Twilio could not be asked: nothing changed, try next time
            log.warning("pending number not resolved", number_id=str(number_id), code=exc.code)
            summary["unresolved"] += 1
            continue
        if done.status == "active":
            summary["adopted"] += 1
        elif done.status == "failed":
            summary["failed"] += 1
    return summary


# -- import ---------------------------------------------------------------------------------


async def import_number(
    *, uow: UnitOfWork, scope: TenantScope, data: NumberImport
) -> tuple[PhoneNumber, bool]:
    """Claim a number already in the tenant's account; returns (row, created)."""
    e164 = normalize_e164(data.phone_number, country=data.country)
    await _check_agent(uow, scope, data.agent_id)
    await _require_active_tenant(uow, scope)
    conn = await _connection_of(uow, scope)
    if conn.model == "master" and not scope.actor.is_platform:
        raise Forbidden(
            "in the master account model numbers live in the platform's Twilio account: only a "
            "platform key may import one into a tenant"
        )
    holder = await _holder(uow, e164)
    if holder is not None and holder.tenant_id == scope.tenant_id:
        return holder, False
    await _check_quota(uow, scope)
    conn = await connections.ensure_account(uow=uow, scope=scope)
    client, creds = _client(uow, conn)
    account_sid = creds.account_sid
    found = await find_at_twilio(client, account_sid, e164)
    if found is None:
        # Checked before the other tenants' numbers: nobody learns what another account holds.
        raise NotFound(
            f"{e164} in the Twilio account {account_sid}",
            code="phone_number_not_in_account",
        )
    if holder is not None:
        raise OwnedElsewhere(f"{e164} belongs to another tenant")
    country = region_of(e164) or "US"
    number_type = number_type_of(e164)
    price, unit = await _price_for(uow, client, account_sid, country, number_type)
    repo = uow.repo(PhoneNumber, scope)
    number = PhoneNumber(
        id=uuid.uuid4(),
        connection_id=conn.id,
        account_sid=account_sid,
        e164=e164,
        twilio_sid=found.sid,
        country=country,
        type=number_type,
        capabilities=capabilities_of(found.capabilities),
        status="active",
        agent_id=data.agent_id,
        managed=data.manage_webhooks,
        origin="imported",
        monthly_price=price,
        price_unit=unit,
        purchased_at=utcnow(),
    )
    try:
        async with named_lock(uow, f"numbers:{scope.tenant_id}"):
            await _check_quota(uow, scope)
            repo.add(number)
            record_audit(
                uow=uow, actor=scope.actor, action="phone_number.import", tenant_id=scope.tenant_id,
                target=number.id,
                detail={
                    "phone_number": e164,
                    "twilio_sid": found.sid,
                    "managed": data.manage_webhooks,
                },
            )
            await uow.commit()
    except IntegrityError:
        await uow.rollback()
        holder = await _holder(uow, e164)
        if holder is not None and holder.tenant_id == scope.tenant_id:
            return holder, False
        raise OwnedElsewhere(f"{e164} belongs to another tenant") from None
    if data.manage_webhooks and not is_wired(found, uow.runtime.settings):
        try:
            await rewire(client, account_sid, found.sid, uow.runtime.settings)
        except ApiError as exc:
            await uow.session.refresh(number)
            number.status = "failed"
            number.failure_code = exc.code
            number.failure_reason = f"could not wire the number to callplane: {exc.message}"[:500]
            await uow.commit()
            raise
    return number, True


# -- read, attach, release ------------------------------------------------------------------


async def list_numbers(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    statuses: list[str] | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[PhoneNumber], str | None]:
    """A page of the tenant's numbers, oldest first."""
    where = [PhoneNumber.status.in_(statuses)] if statuses else []
    return await uow.repo(PhoneNumber, scope).page(*where, cursor=cursor, limit=limit)


async def get_number(*, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID) -> PhoneNumber:
    """One number of the tenant (another tenant's is 404)."""
    return await uow.repo(PhoneNumber, scope).get(number_id)


async def set_agent(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID, agent_id: uuid.UUID | None
) -> PhoneNumber:
    """Attach the number to one of the tenant's agents, or detach it (None)."""
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    await _check_agent(uow, scope, agent_id)
    if number.status not in ("pending", "active"):
        raise Conflict(
            f"the number is {number.status}: only a held number takes an agent",
            code="phone_number_not_held",
        )
    previous = number.agent_id
    number.agent_id = agent_id
    record_audit(
        uow=uow, actor=scope.actor, action="phone_number.update", tenant_id=scope.tenant_id,
        target=number.id,
        detail={"agent_id": str(agent_id) if agent_id else None,
                "previous_agent_id": str(previous) if previous else None},
    )
    await uow.commit()
    return number


async def release_number(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID, reason: str
) -> PhoneNumber:
    """Release a number at Twilio (a managed one) or detach it (unmanaged); idempotent.

    `reason`: user | subscription_canceled | drift | offboarded. A crash midway leaves the row
    `releasing`, and calling this again finishes the job. Commits.
    """
    if reason not in RELEASE_REASONS:
        raise ValueError(f"unknown release reason {reason!r}")
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    if number.status in ("released", "failed"):
        return number
    if number.status == "pending":
        if utcnow() - number.created_at < PENDING_GRACE:
            raise Conflict(
                "the number is still being bought; release it once the purchase is done",
                code="purchase_in_progress",
            )
        number = await resolve_pending(uow=uow, number=number)
        if number.status != "active":
            return number
    if number.status == "active":
        number.status = "releasing"
        number.release_reason = reason
        await uow.commit()
    deleted = False
    if number.managed and number.twilio_sid:
        conn = await _connection_of(uow, scope)
        if conn.status != "closed":  # a closed account released its numbers itself
            client, _ = _client(uow, conn)
            account_sid, sid = number.account_sid, number.twilio_sid

            async def delete() -> Any:
                return await client.api.v2010.accounts(account_sid).incoming_phone_numbers(
                    sid
                ).delete_async()

            try:
                await call_twilio(delete, retry=True, action="release number")
                deleted = True
            except ApiError as exc:
                if exc.details.get("twilio_code") != 20404:
                    raise  # stays `releasing`; repeating the call finishes it
    number.status = "released"
    number.released_at = utcnow()
    number.release_reason = reason
    number.agent_id = None
    number.trunk_id = None
    record_audit(
        uow=uow, actor=scope.actor, action="phone_number.release", tenant_id=scope.tenant_id,
        target=number.id,
        detail={"phone_number": number.e164, "reason": reason, "deleted_at_twilio": deleted,
                "managed": number.managed},
    )
    await uow.commit()
    log.info(
        "number released", tenant_id=str(scope.tenant_id), phone_number=number.e164, reason=reason
    )
    return number


async def release_all(*, uow: UnitOfWork, scope: TenantScope, reason: str) -> dict[str, int]:
    """Release every number the tenant holds (offboarding, canceled subscriptions).

    One failing number does not stop the others; those stay held (`releasing` or a purchase
    still in progress) and are counted in `failed` for the caller to retry.
    """
    rows = await uow.repo(PhoneNumber, scope).all(
        PhoneNumber.status.in_(HELD_STATUSES), order_by=[PhoneNumber.created_at]
    )
    summary = {"released": 0, "failed": 0}
    for number_id in [row.id for row in rows]:
        try:
            done = await release_number(uow=uow, scope=scope, number_id=number_id, reason=reason)
        except ApiError as exc:
            await uow.rollback()
            log.warning("number not released", number_id=str(number_id), code=exc.code)
            summary["failed"] += 1
            continue
        summary["released" if done.status == "released" else "failed"] += 1
    return summary


@register_usage_check
async def numbers_in_account(*, uow: UnitOfWork, scope: TenantScope) -> str | None:
    """Held numbers keep a tenant in its account model (they live in that account)."""
    count = await held_count(uow=uow, scope=scope)
    return f"{count} phone number{'s' if count != 1 else ''}" if count else None
