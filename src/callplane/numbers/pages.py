"""A page of a tenant's numbers as the API lists it: the list's own read path.

The list is the API's heaviest common read (a tenant's app polls it). Read through the async
ORM it cost ~8 ms for 100 numbers: a driver-thread hop per statement on SQLite, an ORM object
per row, a Pydantic model built and then validated again per row. Here the numbers and their
provider registrations are read in one go on the gateway's store (on PostgreSQL on psycopg's own
connections, in the tenant's row-level security scope: `GatewayStore.fetch`), as rows of the
models' columns, and the page is serialised at once from the same fields `NumberOut.from_model`
validates (`number_fields`). A page's JSON is kept between changes (`store.Kept`: on SQLite
until another connection commits anything, on PostgreSQL until a table it is read from changes:
db/changes.py): a tenant's app polling its list reads it again for nothing
in between, as the key and tenant reads are.
"""

from __future__ import annotations

import json
import uuid
from collections import namedtuple
from collections.abc import Sequence
from typing import Any, cast

from pydantic_core import to_json
from sqlalchemy import String, Text, any_, bindparam, select, type_coerce
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import NullType

from callplane.db.base import driver_utc
from callplane.db.repository import after_cursor, cut_page, decode_cursor
from callplane.db.rls import DbScope
from callplane.gateway.pg_direct import Query
from callplane.gateway.store import GatewayStore, Kept
from callplane.numbers.models import PhoneNumber
from callplane.numbers.remote import capabilities_of
from callplane.numbers.schemas import number_fields
from callplane.providers.models import ProviderRegistration
from callplane.providers.schemas import NumberProviderOut
from callplane.providers.service import view
from callplane.tenancy import TenantScope

# Pages kept between changes (`Kept`: numbers and registrations are never written by the
# gateway's own connection); ~100 kB each at most.
KEPT_PAGES = 256
_NUMBERS = PhoneNumber.__table__
_REGISTRATIONS = ProviderRegistration.__table__
_FIELDS = [
    "id",
    "agent_id",
    "trunk_id",
    "managed",
    "manage_voice",
    "manage_sms",
    "status",
    "origin",
    "original_config",
    "label",
    "e164",
    "country",
    "type",
    "capabilities",
    "monthly_price",
    "price_unit",
    "twilio_sid",
    "account_sid",
    "bundle_sid",
    "address_sid",
    "purchased_at",
    "released_at",
    "release_reason",
    "failure_reason",
    "failure_code",
    "created_at",
]
_REG_FIELDS = ["provider", "provider_agent_id", "registration_id", "status", "detail", "synced_at"]
_JSON_FIELDS = ("capabilities", "original_config")
# The columns as the driver gives them (SQLAlchemy's result processing cost ~20 µs a row);
# `_Decoder` turns each kind into what the models hold. JSON comes as its text, decoded once per
# distinct value (psycopg decoding it per row was ~8% of a page's CPU on PostgreSQL). A number's
# registration (one at most) comes in the same row.
_SELECT = select(
    *[
        type_coerce(
            sql_cast(_NUMBERS.c[name], Text) if name in _JSON_FIELDS else _NUMBERS.c[name],
            NullType(),
        ).label(name)
        for name in _FIELDS
    ],
    *[type_coerce(_REGISTRATIONS.c[name], NullType()).label(f"reg_{name}") for name in _REG_FIELDS],
).select_from(_NUMBERS.outerjoin(_REGISTRATIONS, _REGISTRATIONS.c.number_id == _NUMBERS.c.id))
_INDEX = {name: i for i, name in enumerate(_FIELDS)}
_UUIDS = [_INDEX[n] for n in ("id", "agent_id", "trunk_id")]
_TIMES = [_INDEX[n] for n in ("purchased_at", "released_at", "created_at")]
_JSON = [_INDEX[n] for n in _JSON_FIELDS]
# Each JSON column's text as the page shows it: the capabilities already as `{voice, sms, mms}`
# (`number_fields` takes them as they are), once per distinct text.
_DECODE: dict[int, Any] = {
    _INDEX["capabilities"]: lambda text: capabilities_of(json.loads(text)),
    _INDEX["original_config"]: json.loads,
}
_BOOLS = [_INDEX[n] for n in ("managed", "manage_voice", "manage_sms")]
_SPLIT = len(_FIELDS)

# Rows of the driver's values, read as the models' attributes (`number_fields`, `view`); the
# capabilities are already shown as the API shows them.
_Number = namedtuple("_Number", _FIELDS)  # type: ignore[misc]
_Registration = namedtuple("_Registration", _REG_FIELDS)  # type: ignore[misc]


class _Decoder:
    """The driver's values of one page's rows turned into what the models hold; values that
    repeat from row to row (an agent's id, the capabilities) are decoded once."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, Any], Any] = {}

    def row(self, raw: Any) -> tuple[Any, NumberProviderOut | None]:
        values = list(raw)
        seen = self._seen
        for i in _UUIDS:
            value = values[i]
            if isinstance(value, str):  # SQLite: 32 hex digits
                key = (i, value)
                values[i] = seen.get(key) or seen.setdefault(key, uuid.UUID(value))
        for i in _TIMES:
            values[i] = driver_utc(values[i])
        for i in _JSON:
            value = values[i]
            if isinstance(value, str):  # read, never changed, by `number_fields`
                key = (i, value)
                values[i] = seen[key] if key in seen else seen.setdefault(key, _DECODE[i](value))
        for i in _BOOLS:
            values[i] = bool(values[i])
        number = _Number._make(values[:_SPLIT])
        if values[_SPLIT] is None:
            return number, None
        reg = values[_SPLIT:]
        reg[-1] = driver_utc(reg[-1])  # synced_at
        return number, view(cast(ProviderRegistration, _Registration._make(reg)))


def _shape(statuses: bool, cursor: bool, *, postgres: bool) -> Any:
    """The page's statement for one combination of filters (four per database, built once)."""
    n = _NUMBERS.c
    stmt = _SELECT.where(n.tenant_id == bindparam("tenant_id"))
    if statuses:
        stmt = stmt.where(
            n.status == any_(bindparam("statuses", type_=ARRAY(String)))
            if postgres
            else n.status.in_(bindparam("statuses", expanding=True))
        )
    if cursor:
        after_at: Any = bindparam("after_at")
        after_id: Any = bindparam("after_id")
        stmt = stmt.where(after_cursor(n.created_at, n.id, after_at, after_id))
    return stmt.order_by(n.created_at, n.id).limit(bindparam("limit"))


_SHAPES = {
    (s, c): Query(_shape(s, c, postgres=True), lite=_shape(s, c, postgres=False))
    for s in (False, True)
    for c in (False, True)
}


async def _read(
    store: GatewayStore,
    tenant_id: uuid.UUID,
    statuses: Sequence[str] | None,
    cursor: str | None,
    limit: int,
) -> list[tuple[Any, NumberProviderOut | None]]:
    params: dict[str, Any] = {"tenant_id": tenant_id, "limit": limit + 1}
    if statuses:
        params["statuses"] = list(statuses)
    if cursor:
        params["after_at"], params["after_id"] = decode_cursor(cursor)
    shape = _SHAPES[bool(statuses), bool(cursor)]
    raw = await store.fetch(shape, params, scope=DbScope.tenant(tenant_id))
    decoder = _Decoder()
    return [decoder.row(row) for row in raw]


async def page(
    *,
    store: GatewayStore,
    scope: TenantScope,
    statuses: Sequence[str] | None,
    cursor: str | None,
    limit: int,
) -> bytes:
    """A page of the tenant's numbers, oldest first, each with its provider registration, as
    the JSON of `ListOf[NumberOut]`."""
    if cursor:
        decode_cursor(cursor)  # a bad cursor is a 400 before anything is read
    tenant_id = scope.tenant_id
    kept: Kept[tuple[Any, ...], bytes] = store.kept("number-pages", KEPT_PAGES)
    key = (tenant_id, tuple(statuses) if statuses else None, cursor, limit)

    async def build() -> bytes:
        read = await _read(store, tenant_id, statuses, cursor, limit)
        rows, next_cursor = cut_page(read, limit, lambda row: (row[0].created_at, row[0].id))
        # The fields are serialised as they are, not validated again (they are the model's).
        data = [
            number_fields(cast(PhoneNumber, n), provider, capabilities=n.capabilities)
            for n, provider in rows
        ]
        return to_json({"data": data, "next_cursor": next_cursor})

    return await kept.through(key, build)
