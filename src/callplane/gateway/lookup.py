"""The hot path's reads: an account's webhook tokens, a number's route, a call's owner.

Each is an indexed query (the route comes with its tenant's own connection to the account, so
that usually one statement answers both), coalesced across concurrent webhooks (`batching.Batcher`). A route
change is seen by the very next webhook:

- on PostgreSQL nothing is cached: every batch reads the database;
- on SQLite resolved routes are kept in a bounded cache that is emptied whenever any other
  connection has committed anything (SQLite's `PRAGMA data_version`, checked once per batch on
  the gateway's own connection): a number bought or released, an agent edited, a tenant
  suspended, a subscription canceled, a token rotated, by this process, a job or another
  process. Entries whose token list ends by itself (a rotated token's grace) expire then.

Token plain texts are cached by ciphertext (`TokenCache`): a changed token is a new ciphertext.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection as SyncConnection
from sqlalchemy import String, and_, any_, bindparam, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from callplane.agents.models import Agent
from callplane.connections import service as connections
from callplane.connections.models import Connection
from callplane.gateway.batching import Batcher
from callplane.gateway.models import Event
from callplane.gateway.decision import CALL_KINDS, MESSAGE_KINDS, AgentRoute, NumberRoute, TrunkRoute
from callplane.gateway.store import GatewayStore
from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.runtime import Runtime
from callplane.tenants.models import Subscription, Tenant
from callplane.trunks.models import Trunk

log = get_logger(__name__)

# The exact predicate of the unique partial index on phone_numbers.e164, written out so that
# SQLite (which matches partial-index predicates literally) uses the index too.
HELD = text("phone_numbers.status IN ('pending', 'active', 'releasing')")
CHUNK = 400
# Routes kept between webhooks (SQLite only, where a change anywhere is detected for free).
ROUTE_CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class AccountAuth:
    """An account the gateway knows: the tokens that may sign its webhooks, and who uses it."""

    account_sid: str
    tokens: tuple[str, ...]
    tenant_ids: tuple[uuid.UUID, ...]
    models: tuple[str, ...]
    platform: bool
    # When the token list changes by itself (a previous token's grace period ends).
    valid_until: float = float("inf")
    # False: only the called number's tenant's connection was read; when its tokens do not
    # verify, the account's other connections (several tenants may share a byo account) are.
    complete: bool = True


class _ConnectionRow:
    """A connection row as read through a route (its columns are prefixed `conn_`)."""

    __slots__ = (
        "account_sid",
        "auth_token",
        "model",
        "previous_auth_token",
        "status",
        "tenant_id",
        "token_rotated_at",
    )

    def __init__(self, row: Any) -> None:
        self.tenant_id = row.conn_tenant_id
        self.model = row.conn_model
        self.account_sid = row.account_sid
        self.auth_token = row.conn_auth_token
        self.previous_auth_token = row.conn_previous_auth_token
        self.token_rotated_at = row.conn_token_rotated_at
        self.status = row.conn_status


@dataclass(frozen=True, slots=True)
class Resolved:
    """An account (None: unknown) and the route of the number asked for (None: not found)."""

    account: AccountAuth | None
    route: NumberRoute | None


@dataclass(frozen=True, slots=True)
class CallRef:
    """The call (or message) a status or recording callback is about, as first recorded."""

    sid: str
    kind: str
    tenant_id: uuid.UUID | None
    number_id: uuid.UUID | None
    agent_id: uuid.UUID | None
    decision: str
    state: str | None
    events_url: str | None


class TokenCache:
    """Plain text of secret ciphertexts, so that tokens are not decrypted on every webhook.

    Keyed by the ciphertext itself (plus tenant and column, the associated data), so a rotated
    token, being a new ciphertext, is never answered from here. Bounded.
    """

    def __init__(self, secrets: Any, size: int = 4096) -> None:
        self._secrets = secrets
        self._size = size
        self._plain: OrderedDict[tuple[str, Any, str], str | None] = OrderedDict()

    def open(self, token: str | None, *, tenant_id: Any, field: str) -> str | None:
        """Same as SecretBox.open, remembered."""
        if token is None:
            return None
        key = (token, tenant_id, field)
        try:
            value = self._plain[key]
            self._plain.move_to_end(key)
            return value
        except KeyError:
            pass
        value = self._secrets.open(token, tenant_id=tenant_id, field=field)
        self._plain[key] = value
        if len(self._plain) > self._size:
            self._plain.popitem(last=False)
        return value

    def seal(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - never used here
        raise RuntimeError("the gateway never encrypts")


class _TokenRuntime:
    """The slice of a runtime `connections.webhook_tokens` needs, with cached decryption."""

    def __init__(self, runtime: Runtime, cache: TokenCache) -> None:
        self.settings = runtime.settings
        self.twilio = runtime.twilio
        self.secrets = cache


class _TokenUow:
    def __init__(self, runtime: _TokenRuntime) -> None:
        self.runtime = runtime


def _now() -> float:
    return time.time()


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


NumberConnection = aliased(Connection)

ROUTE_COLUMNS = (
    PhoneNumber.id,
    PhoneNumber.tenant_id,
    PhoneNumber.account_sid,
    PhoneNumber.e164,
    PhoneNumber.status,
    PhoneNumber.managed,
    Tenant.status.label("tenant_status"),
    Subscription.status.label("subscription_status"),
    Agent.id.label("agent_id"),
    Agent.name.label("agent_name"),
    Agent.voice_mode,
    Agent.stream_url,
    Agent.stream_parameters,
    Agent.sip_uri,
    Agent.forward_to,
    Agent.caller_id,
    Agent.whisper,
    Agent.greeting,
    Agent.record,
    Agent.sms_mode,
    Agent.sms_url,
    Agent.sms_reply,
    Agent.events_url,
    Agent.events_secret,
    Trunk.id.label("trunk_id"),
    Trunk.twilio_sid.label("trunk_sid"),
    Trunk.friendly_name.label("trunk_name"),
    Trunk.domain_name.label("trunk_domain"),
    Trunk.origination_uri.label("trunk_origination"),
    # The number's tenant's own connection to this account, if it has one: its tokens usually
    # verify the webhook, so most batches need no separate read of the account's connections.
    NumberConnection.tenant_id.label("conn_tenant_id"),
    NumberConnection.model.label("conn_model"),
    NumberConnection.auth_token.label("conn_auth_token"),
    NumberConnection.previous_auth_token.label("conn_previous_auth_token"),
    NumberConnection.token_rotated_at.label("conn_token_rotated_at"),
    NumberConnection.status.label("conn_status"),
)


def route_select() -> Any:
    """Held numbers with their tenant, subscription, agent and trunk (one indexed query)."""
    return (
        select(*ROUTE_COLUMNS)
        .join(Tenant, Tenant.id == PhoneNumber.tenant_id)
        .outerjoin(Subscription, Subscription.tenant_id == PhoneNumber.tenant_id)
        # The agent and trunk must be the number's tenant's own, whatever the row says.
        .outerjoin(
            Agent, and_(Agent.id == PhoneNumber.agent_id, Agent.tenant_id == PhoneNumber.tenant_id)
        )
        .outerjoin(
            Trunk, and_(Trunk.id == PhoneNumber.trunk_id, Trunk.tenant_id == PhoneNumber.tenant_id)
        )
        .outerjoin(
            NumberConnection,
            and_(
                NumberConnection.tenant_id == PhoneNumber.tenant_id,
                NumberConnection.account_sid == PhoneNumber.account_sid,
                NumberConnection.status != "closed",
                NumberConnection.model != "master",
            ),
        )
        .where(HELD)
    )


def _any(column: Any, name: str) -> Any:
    return column == any_(bindparam(name, type_=postgresql.ARRAY(String)))


# Master-model connections hold no token (the platform's comes from settings): only the
# accounts' own connections are read, however many tenants use the master account.
# Statements are built once: SQLAlchemy then reuses their cache keys and compiled forms.
ACCOUNTS = select(
    Connection.tenant_id,
    Connection.model,
    Connection.account_sid,
    Connection.auth_token,
    Connection.previous_auth_token,
    Connection.token_rotated_at,
    Connection.status,
).where(Connection.status != "closed", Connection.model != "master")
ACCOUNT_SELECT = ACCOUNTS.where(Connection.account_sid.in_(bindparam("sids", expanding=True)))

PG_ACCOUNT_SELECT = ACCOUNTS.where(_any(Connection.account_sid, "sids"))

CALL_SELECT = (
    select(
        Event.sid, Event.kind, Event.account_sid, Event.tenant_id, Event.number_id,
        Event.agent_id, Event.decision, Event.state, Event.received_at, Agent.events_url,
    )
    .outerjoin(Agent, and_(Agent.id == Event.agent_id, Agent.tenant_id == Event.tenant_id))
    .where(Event.kind.in_(CALL_KINDS + MESSAGE_KINDS))
    .order_by(Event.received_at)
)
PG_CALL_SELECT = CALL_SELECT.where(_any(Event.sid, "sids"))
CALL_SELECT = CALL_SELECT.where(Event.sid.in_(bindparam("sids", expanding=True)))


ROUTE_SELECT = route_select().where(PhoneNumber.e164.in_(bindparam("e164s", expanding=True)))
# PostgreSQL: one array parameter instead of an IN list, so that the statement's text is the
# same for any batch size and stays prepared on the server (parsed and planned once).
PG_ROUTE_SELECT = route_select().where(_any(PhoneNumber.e164, "e164s"))


def route_from_row(row: Any) -> NumberRoute:
    """A NumberRoute from a row of `route_select()`."""
    agent = None
    if row.agent_id is not None:
        agent = AgentRoute(
            id=row.agent_id,
            tenant_id=row.tenant_id,
            name=row.agent_name,
            voice_mode=row.voice_mode,
            stream_url=row.stream_url,
            stream_parameters=row.stream_parameters or {},
            sip_uri=row.sip_uri,
            forward_to=row.forward_to,
            caller_id=row.caller_id,
            whisper=row.whisper,
            greeting=row.greeting,
            record=bool(row.record),
            sms_mode=row.sms_mode,
            sms_url=row.sms_url,
            sms_reply=row.sms_reply,
            events_url=row.events_url,
            events_secret=row.events_secret,
        )
    trunk = None
    if row.trunk_id is not None:
        trunk = TrunkRoute(
            id=row.trunk_id,
            twilio_sid=row.trunk_sid,
            friendly_name=row.trunk_name,
            domain_name=row.trunk_domain,
            origination_uri=row.trunk_origination,
        )
    return NumberRoute(
        number_id=row.id,
        tenant_id=row.tenant_id,
        account_sid=row.account_sid,
        e164=row.e164,
        status=row.status,
        managed=bool(row.managed),
        tenant_status=row.tenant_status,
        subscription_status=row.subscription_status,
        agent=agent,
        trunk=trunk,
    )


class Lookup:
    """Coalesced reads for the webhooks of one process."""

    def __init__(self, runtime: Runtime, store: GatewayStore) -> None:
        self.runtime = runtime
        self.store = store
        self.tokens = TokenCache(runtime.secrets)
        self._token_uow = _TokenUow(_TokenRuntime(runtime, self.tokens))
        self._cache_size = ROUTE_CACHE_SIZE
        self._cache: OrderedDict[tuple[str, str | None], Resolved] = OrderedDict()
        self._cache_version: object = None
        # One read at a time: under load, the next read serves everyone who queued meanwhile.
        self._resolve: Batcher[tuple[str, str | None], Resolved] = Batcher(
            self._fetch_resolve, concurrency=1
        )
        self._calls: Batcher[tuple[str, str], CallRef | None] = Batcher(
            self._fetch_calls, concurrency=2
        )

    async def resolve(self, account_sid: str, e164: str | None) -> Resolved:
        """The account's tokens (None: unknown account) and the active number `e164` in it.

        One database round trip for both (the number is used only once the signature verified).
        """
        return await self._resolve.load((account_sid, e164))

    async def account(self, account_sid: str) -> AccountAuth | None:
        """The account's tokens and users; None for an account no tenant (nor the platform) uses."""
        return (await self.resolve(account_sid, None)).account

    async def number(self, account_sid: str, e164: str) -> NumberRoute | None:
        """The active number `e164` in `account_sid`; another account's number is None."""
        return (await self.resolve(account_sid, e164)).route

    async def call(self, account_sid: str, sid: str) -> CallRef | None:
        """The first recorded call or message with this SID in this account."""
        return await self._calls.load((account_sid, sid))

    async def drain(self) -> None:
        """Finish every queued read."""
        for batcher in (self._resolve, self._calls):
            await batcher.drain()

    # -- fetches ----------------------------------------------------------------------------

    async def _fetch_resolve(
        self, batch: dict[tuple[str, str | None], Any]
    ) -> dict[tuple[str, str | None], Resolved]:
        if not self._cache_size or not self.store.versioned:
            return await self._query_resolve(list(batch))
        # The cache holds only what the database said since its last change by anyone else:
        # any commit elsewhere (a number bought, an agent edited, a tenant suspended, a token
        # rotated, by this process or another) changes the version and empties it.
        version = self.store.version()
        if version != self._cache_version:
            self._cache.clear()
            self._cache_version = version
        now = _now()
        found: dict[tuple[str, str | None], Resolved] = {}
        missing: list[tuple[str, str | None]] = []
        for key in batch:
            hit = self._cache.get(key)
            if hit is not None and (hit.account is None or hit.account.valid_until > now):
                self._cache.move_to_end(key)
                found[key] = hit
            else:
                missing.append(key)
        if missing:
            fresh = await self._query_resolve(missing)
            if self.store.version() == version:  # nobody changed anything meanwhile
                self._cache.update(fresh)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            found.update(fresh)
        return found

    async def _query_resolve(
        self, batch: list[tuple[str, str | None]]
    ) -> dict[tuple[str, str | None], Resolved]:
        platform = self.runtime.twilio.platform_credentials
        platform_sid = platform.account_sid if platform is not None else None
        numbers = sorted({e164 for _, e164 in batch if e164})

        pg = self.store.dialect_name == "postgresql"

        def read_routes(conn: SyncConnection) -> list[Any]:
            if pg:
                return list(conn.execute(PG_ROUTE_SELECT, {"e164s": numbers}))
            rows: list[Any] = []
            for chunk in _chunks(numbers):
                rows.extend(conn.execute(ROUTE_SELECT, {"e164s": chunk}))
            return rows

        routes: dict[tuple[str, str], NumberRoute] = {}
        own_connection: dict[tuple[str, str], Any] = {}
        for row in await self.store.read(read_routes) if numbers else []:
            if row.status == "active":
                routes[(row.account_sid, row.e164)] = route_from_row(row)
                if row.conn_tenant_id is not None:
                    own_connection[(row.account_sid, row.e164)] = row
        # The account's connections are read only for what the routes did not answer: no
        # number (or none of its tenant's connections in that account), or `account()`.
        need = sorted({
            sid for sid, e164 in batch
            if sid != platform_sid and (e164 is None or (sid, e164) not in own_connection)
        })

        def read_accounts(conn: SyncConnection) -> list[Any]:
            if pg:
                return list(conn.execute(PG_ACCOUNT_SELECT, {"sids": need}))
            rows: list[Any] = []
            for chunk in _chunks(need):
                rows.extend(conn.execute(ACCOUNT_SELECT, {"sids": chunk}))
            return rows

        full = self._accounts(
            sorted({sid for sid, _ in batch if sid == platform_sid} | set(need)),
            await self.store.read(read_accounts) if need else [],
        )
        out: dict[tuple[str, str | None], Resolved] = {}
        for sid, e164 in batch:
            route = routes.get((sid, e164)) if e164 else None
            account = full.get(sid)
            if account is None and e164 and (sid, e164) in own_connection:
                row = own_connection[(sid, e164)]
                partial = self._accounts([sid], [_ConnectionRow(row)])
                account = partial.get(sid)
                if account is not None:
                    account = replace(account, complete=False)
            out[(sid, e164)] = Resolved(account, route)
        return out

    def _accounts(self, sids: list[str], rows: list[Any]) -> dict[str, AccountAuth]:
        platform = self.runtime.twilio.platform_credentials
        grace = self.runtime.settings.token_rotation_grace_seconds
        found: dict[str, dict[str, Any]] = {}
        for sid in sids:
            if platform is not None and sid == platform.account_sid and platform.auth_token:
                found[sid] = {"tokens": [platform.auth_token], "tenants": [], "models": ["master"]}
                previous = self.runtime.twilio.platform_previous_token(
                    datetime.fromtimestamp(_now(), UTC)
                )
                if previous is not None:
                    found[sid]["tokens"].append(previous[0])
                    if previous[1] is not None:
                        found[sid]["until"] = previous[1].timestamp()
        for row in rows:
            entry = found.setdefault(row.account_sid, {"tokens": [], "tenants": [], "models": []})
            conn = Connection(
                tenant_id=row.tenant_id,
                model=row.model,
                account_sid=row.account_sid,
                auth_token=row.auth_token,
                previous_auth_token=row.previous_auth_token,
                token_rotated_at=row.token_rotated_at,
                status=row.status,
            )
            try:
                tokens = connections.webhook_tokens(self._token_uow, conn)  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001 - a token we cannot open verifies nothing
                log.error(
                    "cannot open a connection's webhook token",
                    tenant_id=str(row.tenant_id), account_sid=row.account_sid,
                    error=type(exc).__name__,
                )
                tokens = []
            for token in tokens:
                if token and token not in entry["tokens"]:
                    entry["tokens"].append(token)
            if row.previous_auth_token and row.token_rotated_at is not None:
                grace_end = row.token_rotated_at.timestamp() + grace
                if grace_end > _now():
                    entry["until"] = min(entry.get("until", float("inf")), grace_end)
            entry["tenants"].append(row.tenant_id)
            entry["models"].append(row.model)
        return {
            sid: AccountAuth(
                account_sid=sid,
                tokens=tuple(v["tokens"]),
                tenant_ids=tuple(v["tenants"]),
                models=tuple(v["models"]),
                platform=platform is not None and sid == platform.account_sid,
                valid_until=v.get("until", float("inf")),
            )
            for sid, v in found.items()
        }

    async def _fetch_calls(
        self, batch: dict[tuple[str, str], Any]
    ) -> dict[tuple[str, str], CallRef | None]:
        sids = sorted({sid for _, sid in batch})

        pg = self.store.dialect_name == "postgresql"

        def read(conn: SyncConnection) -> list[Any]:
            if pg:
                return list(conn.execute(PG_CALL_SELECT, {"sids": sids}))
            rows: list[Any] = []
            for chunk in _chunks(sids):
                rows.extend(conn.execute(CALL_SELECT, {"sids": chunk}))
            return rows

        refs: dict[tuple[str, str], CallRef] = {}
        for row in await self.store.read(read):
            key = (row.account_sid, row.sid)
            if key in refs:
                continue
            refs[key] = CallRef(
                sid=row.sid, kind=row.kind, tenant_id=row.tenant_id,
                number_id=row.number_id, agent_id=row.agent_id, decision=row.decision,
                state=row.state, events_url=row.events_url,
            )
        return {key: refs.get(key) for key in batch}
