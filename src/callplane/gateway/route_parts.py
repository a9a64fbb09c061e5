"""What a number's route shares with its tenant's other numbers, kept with the route cache.

A route is a number's own columns and the parts it shares: its tenant's status and
subscription, its agent, its trunk, and its tenant's own connection to its account. Reading
all of that joined (`queries.ROUTES`) cost ~16 µs a number in SQLite alone, about half of it
the joins; the number's own columns (`queries.NUMBERS`) ~7. A route-cache miss (a number not
called since the last change, which under uniform traffic over many numbers is most calls)
reads the number alone when its parts are known at the cache's version, and the whole route
only otherwise. The parts are forgotten whenever the route cache is (`lookup.Lookup`).
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from typing import Any

from callplane.gateway.decision import AgentRoute, NumberRoute, TrunkRoute
from callplane.gateway.route_cache import AccountAuth

AGENT_PREFIX = "agent_"


class OwnConnection:
    """The number's tenant's own connection to its account, as read with a route (its columns
    prefixed `conn_`): its tokens usually verify the number's webhooks."""

    __slots__ = (
        "account",
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
        # What its tokens verify, once worked out (`lookup.Lookup`): shared by every number of
        # the connection, as the connection is by the routes built from the parts.
        self.account: AccountAuth | None = None


@dataclass(frozen=True, slots=True)
class _TenantPart:
    id: uuid.UUID  # one object for every route of the tenant
    status: str
    subscription_status: str | None


def _intern(value: str | None) -> str | None:
    return sys.intern(value) if value is not None else None


class RouteParts:
    """Tenants, agents, trunks and own connections as read with whole routes, shared by the
    routes built from them (`route`), until `clear`. None kept for a part a route lacks (an agent
    of another tenant, no own connection) is an answer too."""

    def __init__(self, size: int) -> None:
        self._size = size  # parts kept at most, before all are forgotten
        self._tenants: dict[uuid.UUID, _TenantPart] = {}
        self._agents: dict[tuple[uuid.UUID, uuid.UUID], AgentRoute | None] = {}
        self._trunks: dict[tuple[uuid.UUID, uuid.UUID], TrunkRoute | None] = {}
        self._own: dict[tuple[uuid.UUID, str], OwnConnection | None] = {}

    def __bool__(self) -> bool:
        return bool(self._tenants)

    def clear(self) -> None:
        """Forget every part (the database changed)."""
        for kept in (self._tenants, self._agents, self._trunks, self._own):
            kept.clear()

    def route(self, row: Any) -> tuple[NumberRoute, OwnConnection | None] | None:
        """The route of a row of `queries.NUMBERS` and its own connection, from the parts
        kept; None when one of them is not."""
        tenant = self._tenants.get(row.tenant_id)
        if tenant is None:
            return None
        agent = trunk = None
        if row.agent_id is not None:
            key = (row.tenant_id, row.agent_id)
            if key not in self._agents:
                return None
            agent = self._agents[key]
        if row.trunk_id is not None:
            key = (row.tenant_id, row.trunk_id)
            if key not in self._trunks:
                return None
            trunk = self._trunks[key]
        own_key = (row.tenant_id, row.account_sid)
        if own_key not in self._own:
            return None
        return self._number(row, tenant, agent, trunk), self._own[own_key]

    def learn(self, row: Any) -> tuple[NumberRoute, OwnConnection | None]:
        """The route of a row of `queries.route_select()` and its own connection; its parts
        kept as the row has them (newer than any kept before: a whole route is never joined
        to parts read earlier)."""
        if len(self._agents) + len(self._trunks) + len(self._own) >= self._size:
            self.clear()
        tenant = _TenantPart(
            row.tenant_id, sys.intern(row.tenant_status), _intern(row.subscription_status)
        )
        self._tenants[row.tenant_id] = tenant
        agent = trunk = None
        if row.number_agent_id is not None:
            # The agent's columns are empty when it is not the number's tenant's own.
            if row.agent_id is not None:
                agent = AgentRoute.from_agent(row, prefix=AGENT_PREFIX)
            self._agents[(row.tenant_id, row.number_agent_id)] = agent
        if row.number_trunk_id is not None:
            if row.trunk_id is not None:
                trunk = TrunkRoute(
                    id=row.trunk_id,
                    twilio_sid=row.trunk_sid,
                    friendly_name=row.trunk_name,
                    domain_name=row.trunk_domain,
                    origination_uri=row.trunk_origination,
                )
            self._trunks[(row.tenant_id, row.number_trunk_id)] = trunk
        own = OwnConnection(row) if row.conn_tenant_id is not None else None
        self._own[(row.tenant_id, row.account_sid)] = own
        return self._number(row, tenant, agent, trunk), own

    @staticmethod
    def _number(
        row: Any, tenant: _TenantPart, agent: AgentRoute | None, trunk: TrunkRoute | None
    ) -> NumberRoute:
        return NumberRoute(
            number_id=row.id,
            tenant_id=tenant.id,
            account_sid=row.account_sid,
            e164=row.e164,
            status=sys.intern(row.status),
            managed=bool(row.managed),
            tenant_status=tenant.status,
            subscription_status=tenant.subscription_status,
            agent=agent,
            trunk=trunk,
            manage_voice=bool(row.manage_voice),
        )
