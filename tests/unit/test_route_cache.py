"""The route cache keeps routes out of the garbage collector's way, and gives them back as they
were resolved, sharing what routes share."""

from __future__ import annotations

import gc
import uuid

from callplane.gateway.decision import AgentRoute, NumberRoute, TrunkRoute
from callplane.gateway.route_cache import AccountAuth, Resolved, RouteCache

ACCOUNT = "AC" + "1" * 32
TENANT = uuid.uuid4()


def _agent() -> AgentRoute:
    return AgentRoute(
        id=uuid.uuid4(),
        tenant_id=TENANT,
        name="front desk",
        voice_mode="stream",
        stream_url="wss://ai.example.com/stream",
        stream_parameters={"lang": "en"},
        sip_uri=None,
        forward_to=None,
        caller_id=None,
        whisper=None,
        greeting=None,
        record=False,
        sms_mode="reply",
        sms_url=None,
        sms_reply="hi",
        events_url=None,
        events_secret=None,
    )


TRUNK = TrunkRoute(
    id=uuid.uuid4(),
    twilio_sid="TK" + "2" * 32,
    friendly_name="cp-t",
    domain_name="cp-t.pstn.twilio.com",
    origination_uri=None,
)


def _resolved(
    i: int, agent: AgentRoute | None, account: AccountAuth | None, tenant: uuid.UUID = TENANT
) -> Resolved:
    return Resolved(
        account,
        NumberRoute(
            number_id=uuid.uuid4(),
            tenant_id=tenant,
            account_sid=ACCOUNT,
            e164=f"+1415555{i:04d}",
            status="active",
            managed=True,
            tenant_status="active",
            subscription_status=None if i % 2 else "active",
            agent=agent,
            trunk=TRUNK if i % 3 == 0 else None,
            manage_voice=i % 5 != 0,
        ),
    )


def _key(i: int) -> tuple[str, str]:
    return (ACCOUNT, f"+1415555{i:04d}")


def test_a_route_comes_back_as_it_was_kept_sharing_its_parts() -> None:
    cache = RouteCache(100, hot_size=2)
    agent = _agent()
    account = AccountAuth(ACCOUNT, ("t" * 32,), complete=False)
    kept = {_key(i): _resolved(i, agent if i % 4 else None, account) for i in range(10)}
    kept[_key(10)] = Resolved(account, None)  # `account()`: no number asked for
    kept[_key(11)] = Resolved(None, None)  # an unknown account
    cache.update(kept.items())
    for key, resolved in kept.items():  # all but the last two from their plain form
        assert cache.get(key, 0.0) == resolved
    got = [cache.get(_key(i), 0.0) for i in range(1, 4)]
    assert all(r is not None and r.route is not None for r in got)
    routes = [r.route for r in got if r is not None and r.route is not None]
    assert all(r.agent is agent and r.tenant_id is TENANT for r in routes)
    assert all(r is not None and r.account is account for r in got)
    assert len(cache) == 12


def test_kept_routes_are_out_of_the_collectors_sight() -> None:
    # Under uniform traffic over many numbers every webhook keeps a route: kept as objects
    # the collector tracks, each collection of the older generations walked them all.
    cache = RouteCache(100_000, hot_size=8)
    agent, account = _agent(), AccountAuth(ACCOUNT, ("t" * 32,))
    gc.collect()
    before = len(gc.get_objects())
    cache.update((_key(i), _resolved(i, agent, account)) for i in range(5_000))
    gc.collect()
    assert len(cache) == 5_000
    assert len(gc.get_objects()) - before < 100
    route = cache.get(_key(17), 0.0)
    assert route is not None and route.route is not None and route.route.e164 == "+14155550017"


def test_the_least_recently_used_go_first() -> None:
    cache = RouteCache(3, hot_size=1)
    account = AccountAuth(ACCOUNT, ("t" * 32,))
    first, second, third, fourth = 1, 2, 4, 5  # no trunk: two shared objects in all
    cache.update((_key(i), _resolved(i, None, account)) for i in (first, second, third))
    assert cache.get(_key(first), 0.0) is not None  # used: now the most recent
    cache.update([(_key(fourth), _resolved(fourth, None, account))])
    assert cache.get(_key(second), 0.0) is None
    assert all(cache.get(_key(i), 0.0) is not None for i in (first, third, fourth))


def test_a_route_whose_tokens_changed_by_themselves_is_not_answered() -> None:
    # A rotated token's grace ends: the account's token list is read again.
    cache = RouteCache(10, hot_size=1)
    graced = AccountAuth(ACCOUNT, ("n" * 32, "o" * 32), valid_until=100.0)
    cache.update([(_key(0), _resolved(0, None, graced)), (_key(1), _resolved(1, None, graced))])
    assert cache.get(_key(0), 99.0) is not None  # from its plain form
    assert cache.get(_key(1), 99.0) is not None  # built
    assert cache.get(_key(0), 100.0) is None
    assert cache.get(_key(1), 100.0) is None


def test_what_routes_share_is_bounded_with_them() -> None:
    # Every tenant a different one: the shared objects are let go with the routes.
    cache = RouteCache(4, hot_size=1)
    account = AccountAuth(ACCOUNT, ("t" * 32,))
    for i in range(20):
        tenant = uuid.uuid4()
        cache.update([(_key(i), _resolved(i, _agent(), account, tenant))])
        got = cache.get(_key(i), 0.0)
        assert got is not None and got.route is not None and got.route.tenant_id == tenant
    assert len(cache._shared) <= 4
    assert len(cache) <= 4
