"""The hot path's statements, built once (SQLAlchemy then reuses their cache keys and compiled
forms), and the route a row of them describes. `lookup` runs them in batches; `explain` runs
`route_select` through a unit of work, so both read a number's route the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, any_, bindparam, outerjoin, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from callplane.agents.models import Agent
from callplane.connections.models import Connection
from callplane.gateway.decision import AGENT_ROUTE_FIELDS, NumberRoute
from callplane.gateway.events import CALL_KINDS, MESSAGE_KINDS
from callplane.gateway.lite_direct import LiteStatement
from callplane.gateway.models import Event
from callplane.gateway.pg_direct import Query
from callplane.gateway.route_parts import AGENT_PREFIX, RouteParts
from callplane.gateway.store import GatewayStore
from callplane.numbers.models import PhoneNumber
from callplane.tenants.models import Subscription, Tenant
from callplane.trunks.models import Trunk

# The exact predicate of the unique partial index on phone_numbers.e164, written out so that
# SQLite (which matches partial-index predicates literally) uses the index too.
HELD = text("phone_numbers.status IN ('pending', 'active', 'releasing')")
CHUNK = 400  # keys per IN list on SQLite
CONN_PREFIX = "conn_"
# The columns of a connection its webhook tokens come from (`connections.tokens`).
TOKEN_COLUMNS = (
    "tenant_id",
    "model",
    "auth_token",
    "previous_auth_token",
    "token_rotated_at",
    "status",
)


@dataclass(frozen=True)
class BatchSelect:
    """One statement for a batch of keys: on PostgreSQL with one array parameter (the text, and
    so its server-side prepared plan, is the same for any batch size); elsewhere with an IN
    list, in chunks."""

    pg: Query
    lite: LiteStatement
    name: str

    @classmethod
    def where_in(cls, base: Any, column: Any, name: str) -> BatchSelect:
        """`base` restricted to rows whose `column` is one of the keys bound as `name`."""
        array = bindparam(name, type_=postgresql.ARRAY(String))
        return cls(
            pg=Query(base.where(column == any_(array))),
            lite=LiteStatement(base.where(column.in_(bindparam(name, expanding=True)))),
            name=name,
        )

    async def fetch(self, store: GatewayStore, keys: list[Any]) -> list[Any]:
        """The rows for `keys`, on the gateway's store (PostgreSQL: psycopg's connections)."""
        if store.dialect_name == "postgresql":
            return await store.fetch(self.pg, {self.name: keys})
        rows: list[Any] = []
        for i in range(0, len(keys), CHUNK):
            rows.extend(await store.select(self.lite, {self.name: keys[i : i + CHUNK]}))
        return rows


NumberConnection = aliased(Connection)

# A number's own columns in a route.
NUMBER_COLUMNS = (
    PhoneNumber.id,
    PhoneNumber.tenant_id,
    PhoneNumber.account_sid,
    PhoneNumber.e164,
    PhoneNumber.status,
    PhoneNumber.managed,
    PhoneNumber.manage_voice,
)

ROUTE_COLUMNS = (
    *NUMBER_COLUMNS,
    # The agent and trunk the number names (the joined ones' columns are empty when they are
    # not its tenant's own): the keys of its shared parts (`route_parts`).
    PhoneNumber.agent_id.label("number_agent_id"),
    PhoneNumber.trunk_id.label("number_trunk_id"),
    Tenant.status.label("tenant_status"),
    Subscription.status.label("subscription_status"),
    # What `AgentRoute.from_agent` reads, each column named `agent_<attribute>`.
    *(getattr(Agent, name).label(AGENT_PREFIX + name) for name in AGENT_ROUTE_FIELDS),
    Trunk.id.label("trunk_id"),
    Trunk.twilio_sid.label("trunk_sid"),
    Trunk.friendly_name.label("trunk_name"),
    Trunk.domain_name.label("trunk_domain"),
    Trunk.origination_uri.label("trunk_origination"),
    # The number's tenant's own connection to this account, if it has one: its tokens usually
    # verify the webhook, so most batches need no separate read of the account's connections.
    *(getattr(NumberConnection, name).label(CONN_PREFIX + name) for name in TOKEN_COLUMNS),
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


ROUTES = BatchSelect.where_in(route_select(), PhoneNumber.e164, "e164s")

# A held number's own columns: its route when its shared parts are known (`route_parts`).
NUMBERS = BatchSelect.where_in(
    select(*NUMBER_COLUMNS, PhoneNumber.agent_id, PhoneNumber.trunk_id).where(HELD),
    PhoneNumber.e164,
    "e164s",
)

# Master-model connections hold no token (the platform's comes from settings): only the
# accounts' own connections are read, however many tenants use the master account.
ACCOUNTS = BatchSelect.where_in(
    select(Connection.account_sid, *(getattr(Connection, name) for name in TOKEN_COLUMNS)).where(
        Connection.status != "closed", Connection.model != "master"
    ),
    Connection.account_sid,
    "sids",
)

CALLS = BatchSelect.where_in(
    select(
        Event.sid,
        Event.kind,
        Event.account_sid,
        Event.tenant_id,
        Event.number_id,
        Event.agent_id,
        Event.decision,
        Event.state,
        Event.received_at,
        Agent.events_url,
    )
    .outerjoin(Agent, and_(Agent.id == Event.agent_id, Agent.tenant_id == Event.tenant_id))
    .where(Event.kind.in_(CALL_KINDS + MESSAGE_KINDS))
    .order_by(Event.received_at),
    Event.sid,
    "sids",
)

# An agent's whisper text and the account its tenant's numbers live in (none: the platform's).
WHISPER = (
    select(Agent.whisper, Connection.account_sid)
    .select_from(outerjoin(Agent, Connection, Connection.tenant_id == Agent.tenant_id))
    .where(Agent.id == bindparam("agent_id"))
)


def route_from_row(row: Any) -> NumberRoute:
    """A NumberRoute from a row of `route_select()`."""
    return RouteParts(size=1).learn(row)[0]
