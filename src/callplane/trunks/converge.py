"""Converging a trunk found (or made) at Twilio to what callplane keeps for the tenant: its
origination URL, callplane's credential list with one SIP credential attached, the stored row
and the numbers' `trunk_id`. Every step looks before it creates, so a crash between two Twilio
calls is repaired by the next call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from callplane.connections.models import Connection
from callplane.db.audit import record_audit
from callplane.db.uow import UnitOfWork
from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.security.crypto import DecryptionError
from callplane.security.secrets import SecretBox
from callplane.tenancy import TenantScope
from callplane.trunks import naming
from callplane.trunks.models import Trunk
from callplane.trunks.numbers import number_owners, put_number_on_trunk
from callplane.trunks.remote import TwilioTrunking

log = get_logger(__name__)

PASSWORD_FIELD = "trunks.sip_password"


@dataclass(frozen=True)
class TrunkAccess:
    """What trunk work for one tenant needs besides the database: its connection, the Twilio
    calls in that account, the name prefix, and the secrets the SIP password is sealed with."""

    conn: Connection
    tw: TwilioTrunking
    prefix: str
    secrets: SecretBox


@dataclass
class TrunkResult:
    """What `ensure_trunk` (or a rotation) did; the plain password only when one was issued."""

    trunk: Trunk
    outcome: str  # existing | found | adopted | created
    sip_password: str | None = None
    password_reissued: bool = False
    numbers: list[str] = field(default_factory=list)

    @property
    def created(self) -> bool:
        """A new trunk was made at Twilio."""
        return self.outcome == "created"


def open_password(secrets: SecretBox, row: Trunk) -> str | None:
    """The stored SIP password; None when it cannot be recovered (its key left the ring)."""
    try:
        return secrets.open(row.sip_password, tenant_id=row.tenant_id, field=PASSWORD_FIELD)
    except DecryptionError:
        log.warning("stored SIP password cannot be decrypted", tenant_id=str(row.tenant_id))
        return None


def seal_password(secrets: SecretBox, row: Trunk, password: str) -> None:
    """Store `password` encrypted in the row, bound to its tenant and column."""
    row.sip_password = secrets.seal(password, tenant_id=row.tenant_id, field=PASSWORD_FIELD)


async def numbers_on(uow: UnitOfWork, scope: TenantScope, row: Trunk) -> list[str]:
    """The E.164 numbers the database has on the trunk, sorted."""
    numbers = await uow.repo(PhoneNumber, scope).all(PhoneNumber.trunk_id == row.id)
    return sorted(n.e164 for n in numbers)


async def converge(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    access: TrunkAccess,
    row: Trunk | None,
    remote: Any,
    outcome: str,
    origination: str | None,
    explicit: bool,
    extra_detail: dict[str, Any] | None = None,
) -> TrunkResult:
    """The trunk `remote` made whole and stored (flushed, not committed), with an audit row."""
    tw = access.tw
    same_trunk = row is not None and row.twilio_sid == remote.sid
    ou_sid, ou_uri = await converge_origination(
        tw=tw,
        remote=remote,
        known_sid=row.origination_url_sid if same_trunk and row is not None else None,
        desired=origination,
        explicit=explicit,
    )
    creds = await converge_credentials(access=access, scope=scope, remote=remote, row=row)
    previous_uri = row.origination_uri if row is not None else None
    new_row = row is None
    if row is None:
        row = uow.repo(Trunk, scope).add(Trunk(id=uuid.uuid4(), tenant_id=scope.tenant_id))
    _store(access, row, remote, ou_sid, ou_uri, creds, outcome)
    await uow.session.flush()
    if outcome != "existing" or not same_trunk:
        await _sync_numbers(
            uow=uow, scope=scope, access=access, row=row, remote=remote, relink=not new_row
        )
    reissued = creds.password is not None and outcome != "created"
    if outcome != "existing" or previous_uri != ou_uri or reissued:
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="trunk.update" if outcome == "existing" else f"trunk.{outcome}",
            tenant_id=scope.tenant_id,
            target=remote.sid,
            detail={
                "sid": remote.sid,
                "friendly_name": row.friendly_name,
                "domain_name": row.domain_name,
                "outcome": outcome,
                "origination_uri": ou_uri,
                "credentials_reissued": reissued,
                **(extra_detail or {}),
            },
        )
    return TrunkResult(
        trunk=row,
        outcome=outcome,
        sip_password=creds.password,
        password_reissued=reissued,
        numbers=await numbers_on(uow, scope, row),
    )


def _store(
    access: TrunkAccess,
    row: Trunk,
    remote: Any,
    ou_sid: str | None,
    ou_uri: str | None,
    creds: Credentials,
    outcome: str,
) -> None:
    row.connection_id = access.conn.id
    row.account_sid = access.tw.account_sid
    row.twilio_sid = remote.sid
    row.friendly_name = remote.friendly_name or ""
    row.domain_name = remote.domain_name or ""
    row.origination_uri = ou_uri
    row.origination_url_sid = ou_sid
    creds.store(row)
    row.status = "active"
    if outcome != "existing":
        row.origin = outcome
    if creds.password is not None:
        seal_password(access.secrets, row, creds.password)


async def converge_origination(
    *, tw: TwilioTrunking, remote: Any, known_sid: str | None, desired: str | None, explicit: bool
) -> tuple[str | None, str | None]:
    """(origination URL SID, SIP URI): the trunk's, replaced when the caller asked for another."""
    urls = await tw.list_origination_urls(remote.sid)
    if not urls:
        if desired is None:
            return None, None
        made = await tw.create_origination_url(
            remote.sid, remote.friendly_name or "callplane", desired
        )
        return made.sid, made.sip_url
    mine = (
        next((u for u in urls if u.sid == known_sid), None)
        or next((u for u in urls if desired and u.sip_url == desired), None)
        or min(urls, key=lambda u: (u.priority, -(u.weight or 0), u.sid))
    )
    if explicit and desired is not None and mine.sip_url != desired:
        mine = await tw.update_origination_url(remote.sid, mine.sid, desired)
    return mine.sid, mine.sip_url


@dataclass
class Credentials:
    """The trunk's callplane credential list and SIP credential."""

    list_sid: str
    credential_sid: str
    username: str
    password: str | None  # plain, when issued now
    list_created: bool

    def store(self, row: Trunk) -> None:
        """Keep the SIDs and the user in the row (the password is sealed separately)."""
        row.credential_list_sid = self.list_sid
        row.credential_sid = self.credential_sid
        row.sip_username = self.username


async def converge_credentials(
    *,
    access: TrunkAccess,
    scope: TenantScope,
    remote: Any,
    row: Trunk | None,
    force_new_password: bool = False,
) -> Credentials:
    """The trunk's callplane credential list and SIP credential; a password issued if needed."""
    tw = access.tw
    chosen, list_created = await _credential_list(access, scope, remote, row)
    credentials = await tw.list_credentials(chosen.sid)
    known_user = row.sip_username if row is not None else None
    current = next((c for c in credentials if known_user and c.username == known_user), None)
    if current is not None and not force_new_password and _password_kept(access, row, chosen.sid):
        return Credentials(chosen.sid, current.sid, current.username, None, list_created)
    password = naming.new_sip_password()
    target = current or (credentials[0] if credentials else None)
    if target is not None and await tw.set_password(chosen.sid, target.sid, password) is not None:
        return Credentials(chosen.sid, target.sid, target.username, password, list_created)
    username = naming.new_sip_username(access.prefix)
    made = await tw.create_credential(chosen.sid, username, password)
    return Credentials(chosen.sid, made.sid, made.username, password, list_created)


def _password_kept(access: TrunkAccess, row: Trunk | None, list_sid: str) -> bool:
    """Whether the stored password is the credential's and can still be read."""
    return (
        row is not None
        and row.credential_list_sid == list_sid
        and bool(row.sip_password)
        and bool(open_password(access.secrets, row))
    )


async def _credential_list(
    access: TrunkAccess, scope: TenantScope, remote: Any, row: Trunk | None
) -> tuple[Any, bool]:
    """(callplane's credential list on the trunk, whether it was created now); attached."""
    tw = access.tw
    known_list = row.credential_list_sid if row is not None else None

    def ours(cl: Any) -> bool:
        return cl.sid == known_list or naming.is_tagged_for(
            cl.friendly_name, access.prefix, scope.tenant_id
        )

    attached = await tw.list_trunk_credential_lists(remote.sid)
    chosen = next((c for c in attached if c.sid == known_list), None) or next(
        (c for c in attached if ours(c)), None
    )
    if chosen is not None:
        return chosen, False
    # A list made before a crash (or kept from a trunk that was deleted at Twilio) is reused.
    existing = [c for c in await tw.list_credential_lists() if ours(c)]
    chosen = next((c for c in existing if c.sid == known_list), None) or (
        existing[0] if existing else None
    )
    created = chosen is None
    if chosen is None:
        chosen = await tw.create_credential_list(remote.friendly_name)
    await tw.attach_credential_list(remote.sid, chosen.sid)
    return chosen, created


async def _sync_numbers(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    access: TrunkAccess,
    row: Trunk,
    remote: Any,
    relink: bool,
) -> None:
    """Re-read which numbers are on a found/adopted/recreated trunk; put back the row's numbers."""
    tw = access.tw
    on_trunk = await tw.list_trunk_numbers(remote.sid)
    owners = await number_owners(uow=uow, account_sid=tw.account_sid, remote_numbers=on_trunk)
    for n in on_trunk:
        owner = owners.get(n.sid)
        if owner is None or owner.tenant_id != scope.tenant_id:
            log.warning(
                "a number on the tenant's trunk is not held by the tenant",
                tenant_id=str(scope.tenant_id),
                trunk_sid=remote.sid,
                number_sid=n.sid,
            )
            continue
        owner.trunk_id = row.id
    if not relink:
        return
    on_sids = {n.sid for n in on_trunk}
    for number in await uow.repo(PhoneNumber, scope).all(
        PhoneNumber.trunk_id == row.id, PhoneNumber.status == "active"
    ):
        if (
            number.twilio_sid
            and number.twilio_sid not in on_sids
            and number.account_sid == tw.account_sid
        ):
            await put_number_on_trunk(
                uow=uow, scope=scope, tw=tw, conn_model=access.conn.model, trunk=row, number=number
            )
