"""RouteParts: a number's route from its own columns and the parts kept from routes read whole."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from callplane.gateway import queries
from callplane.gateway.decision import AGENT_ROUTE_FIELDS
from callplane.gateway.route_parts import AGENT_PREFIX, RouteParts

TENANT, OTHER = uuid.uuid4(), uuid.uuid4()
AGENT, TRUNK = uuid.uuid4(), uuid.uuid4()
ACCOUNT = "AC" + "1" * 32


def _number(e164: str, *, tenant: uuid.UUID = TENANT, **own: Any) -> SimpleNamespace:
    """A row of `queries.NUMBERS`."""
    fields = {
        "id": uuid.uuid4(),
        "tenant_id": tenant,
        "account_sid": ACCOUNT,
        "e164": e164,
        "status": "active",
        "managed": 1,
        "manage_voice": 1,
        "agent_id": AGENT,
        "trunk_id": TRUNK,
    }
    return SimpleNamespace(**{**fields, **own})


def _whole(number: SimpleNamespace, *, agent_owned: bool = True, conn: bool = True) -> Any:
    """The row of `queries.ROUTES` for the same number: its parts joined."""
    agent = {n: None for n in AGENT_ROUTE_FIELDS}
    if agent_owned:
        agent.update(id=number.agent_id, tenant_id=number.tenant_id, name="R", voice_mode="stream")
        agent.update(stream_url="wss://x", sms_mode="off", record=0)
    return SimpleNamespace(
        **{k: v for k, v in vars(number).items() if k not in ("agent_id", "trunk_id")},
        number_agent_id=number.agent_id,
        number_trunk_id=number.trunk_id,
        tenant_status="active",
        subscription_status="active",
        **{AGENT_PREFIX + n: v for n, v in agent.items()},
        trunk_id=number.trunk_id,
        trunk_sid="TK" + "1" * 32,
        trunk_name="t",
        trunk_domain="t.pstn.twilio.com",
        trunk_origination=None,
        **{
            "conn_" + c: (v if conn else None)
            for c, v in {
                "tenant_id": number.tenant_id,
                "model": "byo",
                "auth_token": "v1:k:tok",
                "previous_auth_token": None,
                "token_rotated_at": None,
                "status": "active",
            }.items()
        },
    )


def test_the_whole_rows_columns_are_the_route_selects() -> None:
    labels = {c.name for c in queries.ROUTE_COLUMNS}
    row = _whole(_number("+14155550100"))
    assert set(vars(row)) == labels


def test_a_number_is_routed_from_its_columns_once_its_parts_are_known() -> None:
    parts = RouteParts(size=100)
    first, second = _number("+14155550100"), _number("+14155550101")
    assert parts.route(second) is None and not parts  # nothing known yet
    route, own = parts.learn(_whole(first))
    assert own is not None and own.auth_token == "v1:k:tok"
    found = parts.route(second)
    assert found is not None
    alone, alone_own = found
    whole, whole_own = RouteParts(size=100).learn(_whole(second))
    assert alone == whole  # the same route as read whole
    assert alone.agent is route.agent and alone.trunk is route.trunk  # shared, not copied
    assert alone_own is own and whole_own is not None


def test_a_part_not_known_sends_the_number_to_be_read_whole() -> None:
    parts = RouteParts(size=100)
    parts.learn(_whole(_number("+14155550100")))
    assert parts.route(_number("+14155550101", agent_id=uuid.uuid4())) is None
    assert parts.route(_number("+14155550101", trunk_id=uuid.uuid4())) is None
    assert parts.route(_number("+14155550101", account_sid="AC" + "2" * 32)) is None
    assert parts.route(_number("+14155550101", tenant=OTHER)) is None
    # No agent or trunk named: nothing to know about them.
    found = parts.route(_number("+14155550101", agent_id=None, trunk_id=None))
    assert found is not None and found[0].agent is None and found[0].trunk is None


def test_what_a_route_lacks_is_known_too() -> None:
    parts = RouteParts(size=100)
    # The number names an agent that is not its tenant's own, and has no own connection.
    number = _number("+14155550100", tenant=OTHER)
    route, own = parts.learn(_whole(number, agent_owned=False, conn=False))
    assert route.agent is None and own is None
    found = parts.route(_number("+14155550101", tenant=OTHER))
    assert found is not None and found[0].agent is None and found[1] is None
    # The agent known for its own tenant is not lent to another tenant's number.
    parts.learn(_whole(_number("+14155550102")))
    assert parts.route(_number("+14155550103", tenant=OTHER))[0].agent is None  # type: ignore[index]


def test_clear_forgets_and_a_full_store_starts_over() -> None:
    parts = RouteParts(size=100)
    parts.learn(_whole(_number("+14155550100")))
    parts.clear()
    assert not parts and parts.route(_number("+14155550101")) is None
    small = RouteParts(size=3)
    for i in range(4):  # each learns a new tenant: agent, trunk and connection each
        small.learn(_whole(_number(f"+1415555011{i}", tenant=uuid.uuid4(), agent_id=uuid.uuid4())))
    assert len(small._tenants) == 1  # emptied each time it held 3 parts
