"""The hot path's reads: an account's webhook tokens, a number's route, a call's owner.

Each is an indexed query (the route comes with its tenant's own connection to the account, so
that usually one statement answers both), coalesced across concurrent webhooks
(`batching.Batcher`). A number not in the route cache is read alone when what its route shares
with its tenant's other numbers is known (`route_parts`). A route change is seen by the very
next webhook:

- resolved routes (`route_cache`: out of the garbage collector's way), and the parts they
  share, are kept in a bounded cache that is emptied whenever the database changes
  (`GatewayStore.kept_version`, checked once per batch): a number bought or released, an agent
  edited, a tenant suspended, a subscription canceled, a token rotated, by this process, a job
  or another process;
- on SQLite that is any commit of another connection (`PRAGMA data_version` on the gateway's
  own connection): seen by the very next batch;
- on PostgreSQL, a change to the tables a route is read from (migrations 0010 and 0012 notify
  them) or a commit of this process that wrote one of them: another process's change is seen as soon as its
  notification arrives (a sub-millisecond window on one machine), and while the change feed
  does not listen nothing is kept. Entries whose token list ends by itself (a rotated token's
  grace) expire then.

Token plain texts are cached by ciphertext (`TokenCache`): a changed token is a new ciphertext.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection as SyncConnection

from callplane.connections.tokens import SecretOpener, webhook_tokens
from callplane.gateway import queries
from callplane.gateway.batching import Batcher
from callplane.gateway.decision import NumberRoute
from callplane.gateway.route_cache import AccountAuth, Key, Resolved, RouteCache
from callplane.gateway.route_parts import OwnConnection, RouteParts
from callplane.gateway.store import GatewayStore
from callplane.log import get_logger
from callplane.twilio.factory import TwilioCredentials, TwilioFactory

log = get_logger(__name__)

# Per-number caches, sized together. Routes kept between webhooks: every number of a large
# deployment (uniform traffic over 100,000 numbers must not miss), each entry small (what routes
# share is kept once: `route_parts`, bounded by the same size). `To` parsed when it is not
# written in E.164 (Twilio writes E.164: rare), remembered for a tenth as many numbers.
ROUTE_CACHE_SIZE = 100_000
NORMALISED_CACHE_SIZE = ROUTE_CACHE_SIZE // 10


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

    def __init__(self, secrets: SecretOpener, size: int = 4096) -> None:
        self._secrets = secrets
        self._size = size
        self._plain: OrderedDict[tuple[str, uuid.UUID | None, str], str | None] = OrderedDict()

    def open(self, token: str | None, *, tenant_id: uuid.UUID | None, field: str) -> str | None:
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


def _now() -> float:
    return time.time()


@dataclass
class _AccountTokens:
    """An account's tokens, as they are gathered."""

    tokens: list[str] = field(default_factory=list)
    until: float = float("inf")

    def add_tokens(self, tokens: list[str]) -> None:
        """Tokens that verify the account's webhooks, each once, in the order found."""
        for token in tokens:
            if token and token not in self.tokens:
                self.tokens.append(token)

    def auth(self, account_sid: str) -> AccountAuth:
        """What the webhooks check."""
        return AccountAuth(
            account_sid=account_sid, tokens=tuple(self.tokens), valid_until=self.until
        )


class Lookup:
    """Coalesced reads for the webhooks of one process."""

    def __init__(
        self,
        store: GatewayStore,
        *,
        twilio: TwilioFactory,
        secrets: SecretOpener,
        grace: timedelta,
    ) -> None:
        self.store = store
        self.twilio = twilio  # the platform account's tokens, read at each batch (settings)
        self.tokens = TokenCache(secrets)
        self.grace = grace
        self._cache = RouteCache(ROUTE_CACHE_SIZE)
        self._cache_version: object = None
        self._parts = RouteParts(size=ROUTE_CACHE_SIZE)  # shared by the cached routes
        # One read at a time: under load, the next read serves everyone who queued meanwhile.
        self._resolve: Batcher[Key, Resolved] = Batcher(self._fetch_resolve, concurrency=1)
        self._calls: Batcher[tuple[str, str], CallRef | None] = Batcher(
            self._fetch_calls, concurrency=2
        )

    async def resolve(self, account_sid: str, e164: str | None) -> Resolved:
        """The account's tokens (None: unknown account) and the active number `e164` in it.

        One database round trip for both (the number is used only once the signature verified).
        """
        return await self._resolve.load((account_sid, e164))

    async def account(self, account_sid: str) -> AccountAuth | None:
        """The account's tokens; None for an account no tenant (nor the platform) uses."""
        return (await self.resolve(account_sid, None)).account

    async def number(self, account_sid: str, e164: str) -> NumberRoute | None:
        """The active number `e164` in `account_sid`; another account's number is None."""
        return (await self.resolve(account_sid, e164)).route

    async def call(self, account_sid: str, sid: str) -> CallRef | None:
        """The first recorded call or message with this SID in this account."""
        return await self._calls.load((account_sid, sid))

    async def whisper(self, agent_id: uuid.UUID, account_sid: str) -> str | None:
        """The agent's whisper text, when its tenant's numbers live in `account_sid`: another
        account's agent is none of this caller's business (None, as for no agent)."""

        def read(conn: SyncConnection) -> Any:
            return conn.execute(queries.WHISPER, {"agent_id": agent_id}).first()

        row = await self.store.read(read)
        if row is None or not row.whisper:
            return None
        platform = self.twilio.platform_credentials
        account = row.account_sid or (platform.account_sid if platform else None)
        return str(row.whisper) if account == account_sid else None

    async def drain(self) -> None:
        """Finish every queued read."""
        for batcher in (self._resolve, self._calls):
            await batcher.drain()

    # -- fetches ----------------------------------------------------------------------------

    async def _fetch_resolve(self, batch: dict[Key, Any]) -> dict[Key, Resolved]:
        # The cache holds only what the database said since its last change by anyone else
        # (`GatewayStore.kept_version`): a number bought, an agent edited, a tenant suspended, a
        # token rotated, by this process or another, changes the version and empties it. None
        # (PostgreSQL while its change feed does not listen): nothing is kept.
        version = self.store.kept_version()
        if version is None:
            self._cache_version = None
            return await self._query_resolve(list(batch))
        if version != self._cache_version:
            self._cache.clear()
            self._parts.clear()
            self._cache_version = version
        now = _now()
        found: dict[Key, Resolved] = {}
        missing: list[Key] = []
        for key in batch:
            hit = self._cache.get(key, now)
            if hit is not None:
                found[key] = hit
            else:
                missing.append(key)
        if missing:
            fresh = await self._query_resolve(missing)
            if self.store.kept_version() == version:  # nobody changed anything meanwhile
                self._cache.update(fresh.items())
            found.update(fresh)
        return found

    async def _query_resolve(self, batch: list[Key]) -> dict[Key, Resolved]:
        platform = self.twilio.platform_credentials
        platform_sid = platform.account_sid if platform is not None else None
        routes, own = await self._routes(sorted({e164 for _, e164 in batch if e164}))
        # The account's connections are read only for what the routes did not answer: no
        # number (or none of its tenant's connections in that account), or `account()`.
        need = sorted(
            {
                sid
                for sid, e164 in batch
                if sid != platform_sid and (e164 is None or (sid, e164) not in own)
            }
        )
        rows = await queries.ACCOUNTS.fetch(self.store, need) if need else []
        asked = {sid for sid, _ in batch if sid == platform_sid} | set(need)
        full = self._accounts(platform, sorted(asked), rows)
        return {key: self._resolved(key, routes, own, full, platform) for key in batch}

    async def _routes(
        self, numbers: list[str]
    ) -> tuple[dict[Key, NumberRoute], dict[Key, OwnConnection]]:
        """The active numbers' routes, and their tenants' own connections to their accounts:
        the numbers alone when their shared parts are known, else read with them."""
        routes: dict[Key, NumberRoute] = {}
        own: dict[Key, OwnConnection] = {}
        if not numbers:
            return routes, own
        kept = self._cache_version is not None
        unknown = numbers
        # The kept parts may serve only rows read at their version: a number read just after
        # a change is read again whole. (A whole route's row carries its own parts.)
        if kept and self._parts:
            rows = await queries.NUMBERS.fetch(self.store, numbers)
            if self.store.kept_version() == self._cache_version:
                unknown = []
                for row in rows:
                    if row.status != "active":
                        continue
                    known = self._parts.route(row)
                    if known is None:
                        unknown.append(row.e164)
                    else:
                        self._add(routes, own, *known)
        if unknown:
            # Not kept between changes while nothing is (the version unknown): shared within
            # this read only.
            parts = self._parts if kept else RouteParts(size=ROUTE_CACHE_SIZE)
            for row in await queries.ROUTES.fetch(self.store, unknown):
                if row.status == "active":
                    self._add(routes, own, *parts.learn(row))
        return routes, own

    @staticmethod
    def _add(
        routes: dict[Key, NumberRoute],
        own: dict[Key, OwnConnection],
        route: NumberRoute,
        connection: OwnConnection | None,
    ) -> None:
        key = (route.account_sid, route.e164)
        routes[key] = route
        if connection is not None:
            own[key] = connection

    def _resolved(
        self,
        key: Key,
        routes: dict[Key, NumberRoute],
        own: dict[Key, OwnConnection],
        full: dict[str, AccountAuth],
        platform: TwilioCredentials | None,
    ) -> Resolved:
        sid, e164 = key
        account = full.get(sid)
        if account is None and key in own:
            account = self._partial(platform, sid, own[key])
        return Resolved(account, routes.get(key) if e164 else None)

    def _partial(
        self, platform: TwilioCredentials | None, sid: str, connection: OwnConnection
    ) -> AccountAuth | None:
        """What the number's tenant's connection alone verifies (the account's other
        connections unread): enough when its tokens verify. Worked out once per connection while
        its token list holds, and shared by the routes of its numbers: under uniform traffic
        each was worked out again, and kept, for every number (docs/benchmarks.md, twenty-first
        pass). The platform's own account is worked out each time (its tokens are settings)."""
        kept = connection.account
        if kept is not None and kept.valid_until > _now():
            return kept
        partial = self._accounts(platform, [sid], [connection]).get(sid)
        account = replace(partial, complete=False) if partial is not None else None
        if platform is None or sid != platform.account_sid:
            connection.account = account
        return account

    def _accounts(
        self, platform: TwilioCredentials | None, sids: list[str], rows: list[Any]
    ) -> dict[str, AccountAuth]:
        """What verifies each account's webhooks: the platform's tokens (from settings) for the
        platform account, each connection's own tokens for the others."""
        found: dict[str, _AccountTokens] = {}
        for sid in sids:
            if platform is not None and sid == platform.account_sid and platform.auth_token:
                found[sid] = self._platform_tokens(platform.auth_token)
        for row in rows:
            entry = found.setdefault(row.account_sid, _AccountTokens())
            entry.add_tokens(self._connection_tokens(row))
            if row.previous_auth_token and row.token_rotated_at is not None:
                grace_end = (row.token_rotated_at + self.grace).timestamp()
                if grace_end > _now():
                    entry.until = min(entry.until, grace_end)
        return {sid: v.auth(sid) for sid, v in found.items()}

    def _platform_tokens(self, token: str) -> _AccountTokens:
        entry = _AccountTokens(tokens=[token])
        previous = self.twilio.platform_previous_token(datetime.fromtimestamp(_now(), UTC))
        if previous is not None:
            entry.tokens.append(previous[0])
            if previous[1] is not None:
                entry.until = previous[1].timestamp()
        return entry

    def _connection_tokens(self, row: Any) -> list[str]:
        try:
            return webhook_tokens(
                row, secrets=self.tokens, grace=self.grace, now=datetime.fromtimestamp(_now(), UTC)
            )
        except Exception as exc:  # noqa: BLE001 - a token we cannot open verifies nothing
            log.error(
                "cannot open a connection's webhook token",
                tenant_id=str(row.tenant_id),
                account_sid=row.account_sid,
                error=type(exc).__name__,
            )
            return []

    async def _fetch_calls(
        self, batch: dict[tuple[str, str], Any]
    ) -> dict[tuple[str, str], CallRef | None]:
        sids = sorted({sid for _, sid in batch})
        refs: dict[tuple[str, str], CallRef] = {}
        for row in await queries.CALLS.fetch(self.store, sids):
            key = (row.account_sid, row.sid)
            if key not in refs:
                refs[key] = CallRef(
                    sid=row.sid,
                    kind=row.kind,
                    tenant_id=row.tenant_id,
                    number_id=row.number_id,
                    agent_id=row.agent_id,
                    decision=row.decision,
                    state=row.state,
                    events_url=row.events_url,
                )
        return {key: refs.get(key) for key in batch}
