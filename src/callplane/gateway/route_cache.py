"""The route cache: resolved routes kept between webhooks, out of the garbage collector's way.

Kept as they are resolved, a route was four objects the collector tracks (its `Resolved`, its
`NumberRoute`, its number's id and its key), and at 100,000 numbers under uniform traffic
every webhook kept one more route: each young collection promoted thousands of them, the next
generation's collection (every twentieth) walked every route kept meanwhile (139 ms after
~40 s of load) and the full collections, run whenever a quarter as many objects again had been
promoted, all of them (docs/benchmarks.md, twenty-second pass).

So an entry is kept as one tuple of plain values (strings, numbers, booleans, None) and of
handles: small integers naming the objects routes share (accounts' tokens, tenants' ids,
agents, trunks), which are few, kept once here. The collector stops tracking such a tuple at
the first young collection it meets, and never walks it again. The routes used most recently
are also kept built (`hot`, once used again), so that a hit on a deployment of a few thousand
numbers builds nothing.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from callplane.gateway.decision import NumberRoute

Key = tuple[str, str | None]  # (account SID, E.164 of the number asked for, if any)


@dataclass(frozen=True, slots=True)
class AccountAuth:
    """An account the gateway knows: the tokens that may sign its webhooks."""

    account_sid: str
    tokens: tuple[str, ...]
    # When the token list changes by itself (a previous token's grace period ends).
    valid_until: float = float("inf")
    # False: only the called number's tenant's connection was read; when its tokens do not
    # verify, the account's other connections (several tenants may share a byo account) are.
    complete: bool = True


@dataclass(frozen=True, slots=True)
class Resolved:
    """An account (None: unknown) and the route of the number asked for (None: not found)."""

    account: AccountAuth | None
    route: NumberRoute | None


# Routes kept built besides their plain form: a small deployment's every number.
HOT_SIZE = 4096
_NONE = -1  # the handle of None


class RouteCache:
    """Resolved routes by (account SID, number), bounded, least recently used first out."""

    def __init__(self, size: int, *, hot_size: int | None = None) -> None:
        self._size = size
        self._hot_size = min(HOT_SIZE if hot_size is None else hot_size, size)
        self._plain: OrderedDict[Key, tuple[Any, ...]] = OrderedDict()
        self._hot: OrderedDict[Key, Resolved] = OrderedDict()
        self._shared: list[Any] = []  # what the handles name
        self._by_value: dict[Hashable, int] = {}
        self._by_identity: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._plain)

    def clear(self) -> None:
        """Forget every route (the database changed)."""
        for kept in (self._plain, self._hot, self._by_value, self._by_identity):
            kept.clear()
        self._shared.clear()

    def get(self, key: Key, now: float) -> Resolved | None:
        """The route kept for `key`, unless its account's token list has changed since."""
        hit = self._hot.get(key)
        if hit is not None:
            self._hot.move_to_end(key)
        else:
            plain = self._plain.get(key)
            if plain is None:
                return None
            hit = self._built(plain)
            self._keep_hot(key, hit)
        if hit.account is not None and hit.account.valid_until <= now:
            return None
        self._plain.move_to_end(key)
        return hit

    def update(self, fresh: Iterable[tuple[Key, Resolved]]) -> None:
        """Keep these routes, forgetting the least recently used beyond the size."""
        for key, resolved in fresh:
            if len(self._shared) >= self._size:
                # The handles would outgrow the routes: start again (as on a change).
                self.clear()
            self._plain[key] = self._plain_form(resolved)
            self._plain.move_to_end(key)
            # Not kept built until used again: under uniform traffic over many numbers the
            # built routes, let go of in turn, would be promoted first, and the young
            # generation's list outgrow its count (the count is lowered by every object
            # freed, of any generation).
            self._hot.pop(key, None)
        while len(self._plain) > self._size:
            key, _ = self._plain.popitem(last=False)
            self._hot.pop(key, None)

    def _keep_hot(self, key: Key, resolved: Resolved) -> None:
        self._hot[key] = resolved
        self._hot.move_to_end(key)
        if len(self._hot) > self._hot_size:
            self._hot.popitem(last=False)

    # -- the plain form ------------------------------------------------------------------------

    def _handle(self, value: Any) -> int:
        """The handle of a shared object: by identity when it is the one kept (its id names
        it while it is kept), else by value when it has one (an account's tokens, worked out
        again for a batch), else a new one."""
        if value is None:
            return _NONE
        handle = self._by_identity.get(id(value))
        if handle is not None:
            return handle
        hashable = value.__hash__ is not None
        if hashable:
            handle = self._by_value.get(value)
            if handle is not None:
                return handle
        handle = len(self._shared)
        self._shared.append(value)
        self._by_identity[id(value)] = handle
        if hashable:
            self._by_value[value] = handle
        return handle

    def _plain_form(self, resolved: Resolved) -> tuple[Any, ...]:
        account = self._handle(resolved.account)
        route = resolved.route
        if route is None:
            return (account,)
        return (
            account,
            route.number_id.int,
            self._handle(route.tenant_id),
            route.account_sid,
            route.e164,
            route.status,
            route.managed,
            route.tenant_status,
            route.subscription_status,
            self._handle(route.agent),
            self._handle(route.trunk),
            route.manage_voice,
        )

    def _built(self, plain: tuple[Any, ...]) -> Resolved:
        shared = self._shared
        account = None if plain[0] == _NONE else shared[plain[0]]
        if len(plain) == 1:
            return Resolved(account, None)
        (_, number, tenant, sid, e164, status, managed, tenant_status, subscription, agent,
         trunk, manage_voice) = plain  # fmt: skip
        route = NumberRoute(
            number_id=uuid.UUID(int=number),
            tenant_id=shared[tenant],
            account_sid=sid,
            e164=e164,
            status=status,
            managed=managed,
            tenant_status=tenant_status,
            subscription_status=subscription,
            agent=None if agent == _NONE else shared[agent],
            trunk=None if trunk == _NONE else shared[trunk],
            manage_voice=manage_voice,
        )
        return Resolved(account, route)
