"""The sandbox's in-memory world: accounts and everything they own, with per-owner indexes.

Every record gets a global sequence number when it is stored; per-owner indexes keep records
in that order so that a page token ("after sequence N") finds its place by bisection. That is
what keeps listing page 50 of 50,000 numbers as cheap as page 1.
"""

from __future__ import annotations

import itertools
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from callplane.sandbox.util import new_sid, new_token, now

T = TypeVar("T", bound="Record")


@dataclass(eq=False)
class Record:
    """Base of every stored resource: its key, owner and place in the global order."""

    sid: str
    seq: int = field(default=0, init=False)

    @property
    def key(self) -> str:
        """The unique key of the record in its table (the SID unless overridden)."""
        return self.sid


class OrderedIndex(Generic[T]):
    """Records of one owner in insertion order, with O(log n) seek by sequence number."""

    __slots__ = ("_dead", "_items", "_seqs")

    def __init__(self) -> None:
        self._seqs: list[int] = []
        self._items: dict[int, T] = {}
        self._dead = 0

    def add(self, record: T) -> None:
        """Append a record (its seq is larger than any already here)."""
        self._seqs.append(record.seq)
        self._items[record.seq] = record

    def discard(self, record: T) -> None:
        """Forget a record; the sorted list is compacted lazily."""
        if self._items.pop(record.seq, None) is None:
            return
        self._dead += 1
        if self._dead > 64 and self._dead * 2 > len(self._seqs):
            self._seqs = [s for s in self._seqs if s in self._items]
            self._dead = 0

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def after(self, seq: int | None) -> Iterator[T]:
        """Records whose seq is greater than `seq` (all when None), in order."""
        if seq is None:
            yield from list(self._items.values())
            return
        start = bisect_right(self._seqs, seq)
        seqs = self._seqs
        items = self._items
        for i in range(start, len(seqs)):
            item = items.get(seqs[i])
            if item is not None:
                yield item

    def newest_first(self) -> Iterator[T]:
        """Records from the newest to the oldest."""
        yield from reversed(list(self._items.values()))

    def before(self, seq: int | None) -> Iterator[T]:
        """Records whose seq is smaller than `seq`, newest first (all when None)."""
        if seq is None:
            yield from self.newest_first()
            return
        end = bisect_left(self._seqs, seq)
        seqs = self._seqs
        items = self._items
        for i in range(end - 1, -1, -1):
            item = items.get(seqs[i])
            if item is not None:
                yield item


class Table(Generic[T]):
    """All records of one kind: by key, and per owner in order."""

    def __init__(self, state: SandboxState, owner_attr: str) -> None:
        self._state = state
        self._owner_attr = owner_attr
        self.by_key: dict[str, T] = {}
        self.by_owner: dict[str, OrderedIndex[T]] = {}

    def add(self, record: T) -> T:
        """Store a record under its owner, at the end of the global order."""
        record.seq = next(self._state.seq)
        self.by_key[record.key] = record
        owner = getattr(record, self._owner_attr)
        self.by_owner.setdefault(owner, OrderedIndex()).add(record)
        return record

    def remove(self, record: T) -> None:
        """Forget a record."""
        self.by_key.pop(record.key, None)
        owner = getattr(record, self._owner_attr)
        index = self.by_owner.get(owner)
        if index is not None:
            index.discard(record)

    def move(self, record: T, new_owner: str) -> None:
        """Give a record to another owner (it goes to the end of the order)."""
        self.remove(record)
        setattr(record, self._owner_attr, new_owner)
        self.add(record)

    def get(self, key: str | None) -> T | None:
        """The record with that key, if any."""
        if key is None:
            return None
        return self.by_key.get(key)

    def owned(self, owner: str) -> OrderedIndex[T]:
        """The ordered records of one owner (an empty index when none)."""
        return self.by_owner.get(owner) or OrderedIndex()

    def __len__(self) -> int:
        return len(self.by_key)

    def values(self) -> list[T]:
        """Every record (a copy, safe to iterate while changing the table)."""
        return list(self.by_key.values())


@dataclass(eq=False)
class Account(Record):
    """A Twilio account (main, top-level or subaccount)."""

    auth_token: str = ""
    friendly_name: str = ""
    owner_account_sid: str = ""
    status: str = "active"
    type: str = "Full"
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)

    @property
    def is_subaccount(self) -> bool:
        """Whether another account owns this one."""
        return self.owner_account_sid != self.sid


@dataclass(eq=False)
class ApiKey(Record):
    """A standard API key (SK...) of one account."""

    account_sid: str = ""
    secret: str = ""
    friendly_name: str = ""
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)


@dataclass(eq=False)
class Address(Record):
    """A v2010 Address."""

    account_sid: str = ""
    customer_name: str = ""
    friendly_name: str = ""
    street: str = ""
    street_secondary: str | None = None
    city: str = ""
    region: str = ""
    postal_code: str = ""
    iso_country: str = ""
    emergency_enabled: bool = False
    validated: bool = True
    verified: bool = False
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)


@dataclass(eq=False)
class PhoneNumber(Record):
    """An IncomingPhoneNumber: a number some account owns."""

    account_sid: str = ""
    phone_number: str = ""
    iso_country: str = ""
    number_type: str = "local"
    friendly_name: str = ""
    capabilities: dict[str, bool] = field(default_factory=dict)
    address_requirements: str = "none"
    beta: bool = False
    voice_url: str = ""
    voice_method: str = "POST"
    voice_fallback_url: str = ""
    voice_fallback_method: str = "POST"
    voice_caller_id_lookup: bool = False
    voice_application_sid: str = ""
    voice_receive_mode: str = "voice"
    sms_url: str = ""
    sms_method: str = "POST"
    sms_fallback_url: str = ""
    sms_fallback_method: str = "POST"
    sms_application_sid: str = ""
    status_callback: str = ""
    status_callback_method: str = "POST"
    trunk_sid: str | None = None
    address_sid: str | None = None
    bundle_sid: str | None = None
    identity_sid: str | None = None
    emergency_address_sid: str | None = None
    emergency_status: str = "Inactive"
    origin: str = "twilio"
    api_version: str = "2010-04-01"
    fallback_requests: int = 0  # how often Twilio fell back to a fallback URL (state only)
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)


@dataclass(eq=False)
class Alert(Record):
    """An error Twilio logs about a webhook request (its Monitor Alerts; the API does not serve
    them, the sandbox's state shows them)."""

    account_sid: str = ""
    error_code: int = 0
    request_url: str = ""
    request_method: str = "POST"
    response_status: int | None = None
    resource_sid: str | None = None
    phone_number_sid: str | None = None
    date_created: datetime = field(default_factory=now)


@dataclass(eq=False)
class CredentialList(Record):
    """A SIP credential list."""

    account_sid: str = ""
    friendly_name: str = ""
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)


@dataclass(eq=False)
class Credential(Record):
    """A SIP username/password inside a credential list (the password is never shown)."""

    account_sid: str = ""
    credential_list_sid: str = ""
    username: str = ""
    password: str = ""
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)


@dataclass(eq=False)
class Trunk(Record):
    """An Elastic SIP trunk."""

    account_sid: str = ""
    friendly_name: str | None = None
    domain_name: str | None = None
    disaster_recovery_url: str | None = None
    disaster_recovery_method: str | None = None
    transfer_mode: str = "disable-all"
    transfer_caller_id: str = "from-transferee"
    secure: bool = False
    cnam_lookup_enabled: bool = False
    symmetric_rtp_enabled: bool = False
    recording_mode: str = "do-not-record"
    recording_trim: str = "do-not-trim"
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)


@dataclass(eq=False)
class OriginationUrl(Record):
    """Where a trunk sends inbound calls."""

    account_sid: str = ""
    trunk_sid: str = ""
    weight: int = 10
    priority: int = 10
    enabled: bool = True
    friendly_name: str = ""
    sip_url: str = ""
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)


@dataclass(eq=False)
class TrunkCredentialList(Record):
    """A credential list associated with a trunk (sid is the CL SID)."""

    trunk_sid: str = ""
    account_sid: str = ""
    date_created: datetime = field(default_factory=now)

    @property
    def key(self) -> str:
        """One association per (trunk, list)."""
        return f"{self.trunk_sid}/{self.sid}"


@dataclass(eq=False)
class TrunkNumber(Record):
    """A number associated with a trunk (sid is the PN SID; a number is on one trunk)."""

    trunk_sid: str = ""


@dataclass(eq=False)
class Message(Record):
    """A v2010 Message."""

    account_sid: str = ""
    from_: str = ""
    to: str = ""
    body: str = ""
    status: str = "queued"
    direction: str = "outbound-api"
    num_segments: int = 1
    num_media: int = 0
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)
    date_sent: datetime | None = None


@dataclass(eq=False)
class Call(Record):
    """A v2010 Call."""

    account_sid: str = ""
    from_: str = ""
    to: str = ""
    status: str = "queued"
    direction: str = "outbound-api"
    phone_number_sid: str | None = None
    trunk_sid: str | None = None
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    duration: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)
    recordings: list[Any] = field(default_factory=list)  # sandbox.recordings.CallRecording


@dataclass(eq=False)
class Bundle(Record):
    """A regulatory-compliance Bundle (numbers v2)."""

    account_sid: str = ""
    friendly_name: str = ""
    email: str = ""
    status_callback: str | None = None
    status: str = "draft"
    regulation_sid: str = ""
    iso_country: str | None = None
    number_type: str | None = None
    end_user_type: str | None = None
    valid_until: datetime | None = None
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)


class SandboxState:
    """Everything the sandbox knows; guarded by one re-entrant lock."""

    def __init__(self, account_sid: str | None = None, auth_token: str | None = None) -> None:
        self.lock = threading.RLock()
        self.main_account_sid = account_sid or new_sid("AC")
        self.main_auth_token = auth_token or new_token()
        self.reset()

    def reset(self) -> None:
        """Forget everything but the main account, which keeps its credentials."""
        with self.lock:
            self.seq = itertools.count(1)
            self.accounts: Table[Account] = Table(self, "owner_account_sid")
            self.keys: Table[ApiKey] = Table(self, "account_sid")
            self.addresses: Table[Address] = Table(self, "account_sid")
            self.numbers: Table[PhoneNumber] = Table(self, "account_sid")
            self.number_by_e164: dict[str, PhoneNumber] = {}
            self.credential_lists: Table[CredentialList] = Table(self, "account_sid")
            self.credentials: Table[Credential] = Table(self, "credential_list_sid")
            self.trunks: Table[Trunk] = Table(self, "account_sid")
            self.trunk_domains: dict[str, str] = {}
            self.origination_urls: Table[OriginationUrl] = Table(self, "trunk_sid")
            self.trunk_credential_lists: Table[TrunkCredentialList] = Table(self, "trunk_sid")
            self.trunk_numbers: Table[TrunkNumber] = Table(self, "trunk_sid")
            self.messages: Table[Message] = Table(self, "account_sid")
            self.calls: Table[Call] = Table(self, "account_sid")
            self.bundles: Table[Bundle] = Table(self, "account_sid")
            self.alerts: Table[Alert] = Table(self, "account_sid")
            self.create_account(
                friendly_name="Sandbox main account",
                sid=self.main_account_sid,
                auth_token=self.main_auth_token,
            )

    # -- accounts -------------------------------------------------------------------------

    def create_account(
        self,
        *,
        friendly_name: str,
        owner: Account | None = None,
        sid: str | None = None,
        auth_token: str | None = None,
    ) -> Account:
        """A new top-level account (owner None) or a subaccount of `owner`."""
        sid = sid or new_sid("AC")
        account = Account(
            sid=sid,
            auth_token=auth_token or new_token(),
            friendly_name=friendly_name,
            owner_account_sid=owner.sid if owner else sid,
        )
        return self.accounts.add(account)

    def account(self, sid: str | None) -> Account | None:
        """The account with that SID."""
        return self.accounts.get(sid)

    def parent_of(self, account: Account) -> Account | None:
        """The owning account of a subaccount (None for a top-level account)."""
        if not account.is_subaccount:
            return None
        return self.accounts.get(account.owner_account_sid)

    def is_usable(self, account: Account) -> bool:
        """Active, and its parent (if any) active too: suspension is inherited."""
        if account.status != "active":
            return False
        parent = self.parent_of(account)
        return parent is None or parent.status == "active"

    # -- numbers --------------------------------------------------------------------------

    def add_number(self, number: PhoneNumber) -> PhoneNumber:
        """Store a purchased number (and index it by E.164)."""
        self.numbers.add(number)
        self.number_by_e164[number.phone_number] = number
        return number

    def release_number(self, number: PhoneNumber) -> None:
        """Release a number: off its trunk, out of the account, back to availability."""
        self.set_number_trunk(number, None)
        self.numbers.remove(number)
        if self.number_by_e164.get(number.phone_number) is number:
            del self.number_by_e164[number.phone_number]

    def set_number_trunk(self, number: PhoneNumber, trunk_sid: str | None) -> None:
        """Put a number on a trunk, or take it off (keeps both sides in agreement)."""
        if number.trunk_sid == trunk_sid:
            return
        link = self.trunk_numbers.get(number.sid)
        if link is not None:
            self.trunk_numbers.remove(link)
        number.trunk_sid = trunk_sid
        if trunk_sid is not None:
            self.trunk_numbers.add(TrunkNumber(sid=number.sid, trunk_sid=trunk_sid))
        number.date_updated = now()

    def delete_trunk(self, trunk: Trunk) -> None:
        """Delete a trunk: its numbers lose their trunk_sid, its domain becomes free."""
        for link in self.trunk_numbers.owned(trunk.sid):
            number = self.numbers.get(link.sid)
            if number is not None:
                self.set_number_trunk(number, None)
            else:
                self.trunk_numbers.remove(link)
        for url in self.origination_urls.owned(trunk.sid):
            self.origination_urls.remove(url)
        for assoc in self.trunk_credential_lists.owned(trunk.sid):
            self.trunk_credential_lists.remove(assoc)
        if trunk.domain_name:
            self.trunk_domains.pop(trunk.domain_name.lower(), None)
        self.trunks.remove(trunk)

    def close_account(self, account: Account) -> int:
        """Close an account for good: release its numbers. Answers how many were released."""
        released = 0
        for number in self.numbers.owned(account.sid):
            self.release_number(number)
            released += 1
        account.status = "closed"
        account.date_updated = now()
        return released
