"""Compliance profiles (bundle and addresses per country and number type) and their use at purchase.

Where the SIDs of a profile live, by account model of the buying tenant:
- master: the platform account. A tenant's own profile there can only be set with a platform key
  (every tenant shares that account: a tenant admin must not pick another company's bundle).
- byo: the tenant's own account; only the tenant's profile applies (the platform's bundle is in
  another, unrelated account).
- subaccount: the tenant's profile holds SIDs of its subaccount; otherwise the platform's profile
  is used and its bundle is cloned into the subaccount (numbers v2 `Bundles/{BU}/Clones`,
  DESIGN section 1) and its addresses copied there, once per subaccount.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from callplane.connections import access
from callplane.connections import service as connections
from callplane.connections.clients import TenantTwilio, tenant_client
from callplane.connections.models import Connection
from callplane.db.audit import record_audit
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Forbidden, NotFound, Unprocessable
from callplane.log import get_logger
from callplane.numbers.models import ClonedBundle, ComplianceProfile, CopiedAddress, PhoneNumber
from callplane.numbers.schemas import ComplianceIn
from callplane.tenancy import Actor, TenantScope
from callplane.twilio.errors import call_twilio

log = get_logger(__name__)

APPROVED = ("twilio-approved", "provisionally-approved")


class BundleRequired(Unprocessable):
    """A regulated number needs an approved bundle in the buying account (Twilio 21649)."""

    code = "bundle_required"


async def _find(
    uow: UnitOfWork, scope: TenantScope | None, country: str, number_type: str
) -> ComplianceProfile | None:
    if scope is None:
        return await uow.repo(ComplianceProfile, None).find(
            ComplianceProfile.tenant_id.is_(None),
            ComplianceProfile.country == country,
            ComplianceProfile.number_type == number_type,
        )
    return await uow.repo(ComplianceProfile, scope).find(
        ComplianceProfile.country == country, ComplianceProfile.number_type == number_type
    )


async def get_profile(
    *, uow: UnitOfWork, scope: TenantScope | None, country: str, number_type: str
) -> ComplianceProfile:
    """The platform's profile (scope None) or the tenant's; 404 when none is set."""
    profile = await _find(uow, scope, country, number_type)
    if profile is None:
        raise NotFound("compliance profile")
    return profile


async def _verify_sids(client: Client, account_sid: str, data: ComplianceIn) -> str | None:
    """Check at Twilio that the bundle and addresses belong to this account; the bundle's status."""
    status = None

    async def check(kind: str, sid: str, fetch: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await call_twilio(fetch, retry=True, action=f"verify {kind}")
        except ApiError as exc:
            if exc.details.get("twilio_code") in (20404, 20403):
                raise Unprocessable(
                    f"{sid} is not a {kind} of the Twilio account {account_sid}; create it "
                    "there (or use the SID of one that is) and try again",
                    code=f"invalid_{kind.replace(' ', '_')}",
                    twilio_code=exc.details.get("twilio_code"),
                ) from exc
            raise

    if data.bundle_sid:
        bundle_sid = data.bundle_sid
        bundle = await check(
            "bundle",
            bundle_sid,
            lambda: client.numbers.v2.regulatory_compliance.bundles(bundle_sid).fetch_async(),
        )
        status = getattr(bundle, "status", None)
    addresses = client.api.v2010.accounts(account_sid).addresses
    for sid in sorted(s for s in {data.address_sid, data.emergency_address_sid} if s):
        address = addresses(sid)
        await check("address", sid, address.fetch_async)
    return status


async def put_profile(
    *,
    uow: UnitOfWork,
    actor: Actor,
    scope: TenantScope | None,
    country: str,
    number_type: str,
    data: ComplianceIn,
) -> tuple[ComplianceProfile, str | None]:
    """Set the platform's (scope None) or a tenant's profile; returns it and the bundle's status."""
    if scope is None:
        client, account_sid = access.platform_client(uow), access.require_platform(uow).account_sid
    else:
        conn = await connections.get_connection(uow=uow, scope=scope)
        if conn.model == "master" and not actor.is_platform:
            raise Forbidden(
                "in the master account model every tenant shares the platform's Twilio account: "
                "only a platform key may set a tenant's compliance profile"
            )
        tw = await tenant_client(uow=uow, scope=scope)
        client, account_sid = tw.client, tw.account_sid
    bundle_status = await _verify_sids(client, account_sid, data)
    profile = await _find(uow, scope, country, number_type)
    if profile is None:
        profile = ComplianceProfile(id=uuid.uuid4(), country=country, number_type=number_type)
        if scope is None:
            uow.add(profile)
        else:
            uow.repo(ComplianceProfile, scope).add(profile)
    profile.bundle_sid = data.bundle_sid
    profile.address_sid = data.address_sid
    profile.emergency_address_sid = data.emergency_address_sid
    record_audit(
        uow=uow,
        actor=actor,
        action="compliance.put",
        tenant_id=scope.tenant_id if scope else None,
        target=f"{country}/{number_type}",
        detail={**data.model_dump(), "account_sid": account_sid},
    )
    await uow.commit()
    return profile, bundle_status


async def delete_profile(
    *, uow: UnitOfWork, actor: Actor, scope: TenantScope | None, country: str, number_type: str
) -> None:
    """Remove a profile (404 when there is none)."""
    profile = await get_profile(uow=uow, scope=scope, country=country, number_type=number_type)
    if scope is not None and not actor.is_platform:
        conn = await connections.get_connection(uow=uow, scope=scope)
        if conn.model == "master":
            raise Forbidden("in the master account model only a platform key may change this")
    await uow.session.delete(profile)
    record_audit(
        uow=uow,
        actor=actor,
        action="compliance.delete",
        tenant_id=scope.tenant_id if scope else None,
        target=f"{country}/{number_type}",
    )
    await uow.commit()


@dataclass(frozen=True)
class PurchaseCompliance:
    """What a purchase passes to Twilio, and where it came from."""

    bundle_sid: str | None = None
    address_sid: str | None = None
    emergency_address_sid: str | None = None
    source: str = "none"  # none|tenant|platform|platform-clone

    def twilio_params(self) -> dict[str, str]:
        """IncomingPhoneNumbers create parameters."""
        params = {
            "bundle_sid": self.bundle_sid,
            "address_sid": self.address_sid,
            "emergency_address_sid": self.emergency_address_sid,
        }
        return {k: v for k, v in params.items() if v}


async def for_purchase(
    *, uow: UnitOfWork, scope: TenantScope, tw: TenantTwilio, country: str, number_type: str
) -> PurchaseCompliance:
    """The bundle and addresses to buy this country's number type in the tenant's account."""
    conn = tw.conn
    own = await _find(uow, scope, country, number_type)
    if own is not None:
        return PurchaseCompliance(
            own.bundle_sid, own.address_sid, own.emergency_address_sid, source="tenant"
        )
    if conn.model == "byo":
        return PurchaseCompliance()
    platform = await _find(uow, None, country, number_type)
    if platform is None:
        return PurchaseCompliance()
    if conn.model == "master":
        return PurchaseCompliance(
            platform.bundle_sid,
            platform.address_sid,
            platform.emergency_address_sid,
            source="platform",
        )
    # Subaccount: the platform's SIDs live in the parent account; bring them into the subaccount.
    account_sid = conn.account_sid or ""
    parent, child = access.platform_client(uow), tw.client
    bundle = address = emergency = None
    if platform.bundle_sid:
        bundle = await cloned_bundle(
            uow=uow,
            scope=scope,
            source_sid=platform.bundle_sid,
            account_sid=account_sid,
            parent=parent,
            child=child,
            country=country,
            number_type=number_type,
        )
    for source_sid, slot in (
        (platform.address_sid, "address"),
        (platform.emergency_address_sid, "emergency"),
    ):
        if source_sid:
            copied = await copied_address(
                uow=uow,
                scope=scope,
                source_sid=source_sid,
                account_sid=account_sid,
                parent=parent,
                child=child,
            )
            if slot == "address":
                address = copied
            else:
                emergency = copied
    return PurchaseCompliance(bundle, address, emergency, source="platform-clone")


def clone_name(source_sid: str) -> str:
    """The friendly name of a clone: finds a clone made before a crash again."""
    return f"callplane clone of {source_sid}"


async def cloned_bundle(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    source_sid: str,
    account_sid: str,
    parent: Client,
    child: Client,
    country: str,
    number_type: str,
) -> str:
    """The subaccount's clone of a platform bundle, cloning it the first time (once)."""
    async with named_lock(uow, f"bundle-clone:{source_sid}:{account_sid}"):
        known = await uow.repo(ClonedBundle, None).find(
            ClonedBundle.source_bundle_sid == source_sid, ClonedBundle.account_sid == account_sid
        )
        if known is not None:
            return known.bundle_sid
        name = clone_name(source_sid)

        async def find_existing() -> list[Any]:
            found: list[Any] = await child.numbers.v2.regulatory_compliance.bundles.list_async(
                friendly_name=name, limit=20
            )
            return found

        existing = [
            b
            for b in await call_twilio(find_existing, retry=True, action="find bundle clone")
            if b.status in APPROVED
        ]
        if existing:
            sid = existing[0].sid
        else:

            async def clone() -> Any:
                return await parent.numbers.v2.bundle_clone(source_sid).create_async(
                    target_account_sid=account_sid, friendly_name=name
                )

            try:
                made = await call_twilio(clone, retry=False, action="clone bundle")
            except ApiError as exc:
                cause = exc.__cause__
                if not (isinstance(cause, TwilioRestException) and cause.status < 500):
                    raise  # Twilio unreachable or failing: not the bundle's fault
                raise BundleRequired(
                    f"{country} {number_type} numbers need a twilio-approved regulatory bundle in "
                    f"the tenant's subaccount, and the platform's bundle {source_sid} could not be "
                    f"cloned into it (Twilio: {exc.message}). Make sure that bundle is "
                    f"twilio-approved, or register an approved one with PUT "
                    f"/v1/compliance/{country}/{number_type}",
                    twilio_code=exc.details.get("twilio_code"),
                ) from exc
            sid = made.bundle_sid
        uow.add(
            ClonedBundle(
                id=uuid.uuid4(),
                source_bundle_sid=source_sid,
                account_sid=account_sid,
                bundle_sid=sid,
            )
        )
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="compliance.bundle_cloned",
            tenant_id=scope.tenant_id,
            target=sid,
            detail={"source_bundle_sid": source_sid, "account_sid": account_sid},
        )
        await uow.commit()
        log.info("bundle cloned", source=source_sid, clone=sid, account_sid=account_sid)
        return str(sid)


def copy_name(source_sid: str) -> str:
    """The friendly name of a copied address."""
    return f"callplane copy of {source_sid}"


async def copied_address(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    source_sid: str,
    account_sid: str,
    parent: Client,
    child: Client,
) -> str:
    """The subaccount's copy of a platform Address, made the first time (once)."""
    async with named_lock(uow, f"address-copy:{source_sid}:{account_sid}"):
        known = await uow.repo(CopiedAddress, None).find(
            CopiedAddress.source_address_sid == source_sid, CopiedAddress.account_sid == account_sid
        )
        if known is not None:
            return known.address_sid
        name = copy_name(source_sid)
        addresses = child.api.v2010.accounts(account_sid).addresses

        async def find_existing() -> list[Any]:
            found: list[Any] = await addresses.list_async(friendly_name=name, limit=1)
            return found

        existing = await call_twilio(find_existing, retry=True, action="find address copy")
        if existing:
            sid = existing[0].sid
        else:
            parent_sid = access.require_platform(uow).account_sid

            async def fetch() -> Any:
                account = parent.api.v2010.accounts(parent_sid)
                return await account.addresses(source_sid).fetch_async()

            src = await call_twilio(fetch, retry=True, action="fetch platform address")

            async def create() -> Any:
                extra: dict[str, Any] = {}
                if src.street_secondary:
                    extra["street_secondary"] = src.street_secondary
                if src.emergency_enabled:
                    extra["emergency_enabled"] = True
                return await addresses.create_async(
                    customer_name=src.customer_name,
                    street=src.street,
                    city=src.city,
                    region=src.region,
                    postal_code=src.postal_code,
                    iso_country=src.iso_country,
                    friendly_name=name,
                    **extra,
                )

            sid = (await call_twilio(create, retry=False, action="copy address")).sid
        uow.add(
            CopiedAddress(
                id=uuid.uuid4(),
                source_address_sid=source_sid,
                account_sid=account_sid,
                address_sid=sid,
            )
        )
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="compliance.address_copied",
            tenant_id=scope.tenant_id,
            target=sid,
            detail={"source_address_sid": source_sid, "account_sid": account_sid},
        )
        await uow.commit()
        return str(sid)


def explain_refusal(
    exc: ApiError, conn: Connection, scope: TenantScope, number: PhoneNumber
) -> ApiError:
    """Twilio's compliance refusals of a purchase, with what to do in this tenant's account model."""
    code = exc.details.get("twilio_code")
    path = f"{number.country}/{number.type}"
    what = f"{number.country} {number.type.replace('_', '-')} numbers"
    if code == 21649:
        if conn.model == "byo":
            todo = (
                "create a regulatory bundle in the tenant's own Twilio account, get it approved, "
                f"and register it with PUT /v1/tenants/{scope.tenant_id}/compliance/{path} "
                '{"bundle_sid": "BU..."}'
            )
        elif conn.model == "subaccount":
            todo = (
                "register the platform's twilio-approved bundle with PUT /v1/compliance/"
                f'{path} {{"bundle_sid": "BU..."}}: callplane clones it into the tenant\'s '
                "subaccount before buying"
            )
        else:
            todo = (
                "register a twilio-approved bundle of the platform account with PUT "
                f'/v1/compliance/{path} {{"bundle_sid": "BU..."}}'
            )
        return ApiError(
            f"{what} are regulated and need an approved regulatory bundle in the buying account: "
            + todo,
            code="bundle_required",
            status_code=422,
            twilio_code=code,
        )
    if code == 21631:
        where = (
            f"PUT /v1/tenants/{scope.tenant_id}/compliance/{path}"
            if conn.model == "byo"
            else f"PUT /v1/compliance/{path} (or the tenant's own profile)"
        )
        return ApiError(
            f"{what} need a registered address: create an Address in the Twilio account and "
            f'register it with {where} {{"address_sid": "AD..."}}',
            code="address_required",
            status_code=422,
            twilio_code=code,
        )
    return exc
