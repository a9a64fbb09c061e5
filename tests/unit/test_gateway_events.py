"""The rows a webhook records and how they are written: every column of the tables, derived from
the models (no I/O)."""

from __future__ import annotations

import json
import re
import uuid
from types import SimpleNamespace

from callplane.agents.models import Agent
from callplane.db import models  # noqa: F401  (every table, for foreign keys)
from callplane.events.models import TenantEvent
from callplane.gateway import events, pg_insert, queries, recorder
from callplane.gateway.decision import AGENT_ROUTE_FIELDS, AgentRoute
from callplane.gateway.models import Event, OutboxMessage
from callplane.gateway.twilio_signature import FormParams

ACCOUNT = "AC" + "1" * 32
FIELDS = FormParams(
    [("From", "+12125550199"), ("To", "+14155550100"), ("CallSid", "CA" + "2" * 32)]
)


def event(token: str | None = "tok-1", account_sid: str = ACCOUNT) -> dict[str, object]:
    return events.event_row(
        kind="voice",
        fields=FIELDS,
        account_sid=account_sid,
        sid=FIELDS["CallSid"],
        decision="routed",
        state="ringing",
        idempotency_token=token,
        tenant_id=uuid.uuid4(),
        number_id=uuid.uuid4(),
        agent_id=uuid.uuid4(),
        detail={"reason": "stream"},
    )


def test_an_event_and_its_deliveries_set_every_column_of_their_tables() -> None:
    row = event()
    assert set(row) == {c.name for c in Event.__table__.columns} == set(events.EVENT_COLUMNS)
    deliveries = events.outbox_rows(
        row,
        [("https://app.example.com/sms", "sms"), ("https://app.example.com/events", "events")],
        agent_id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        event_type="call.received",
        fields=FIELDS,
    )
    assert len(deliveries) == 2
    for delivery in deliveries:
        assert set(delivery) == {c.name for c in OutboxMessage.__table__.columns}
        assert (
            delivery["event_id"] == row["id"] and delivery["next_attempt_at"] == row["received_at"]
        )
    assert deliveries[0]["payload"] == deliveries[1]["payload"]  # one body for every URL
    body = json.loads(deliveries[0]["payload"])
    assert body["id"] == str(row["id"]) and body["type"] == "call.received"
    assert body["from"] == "+12125550199" and body["twilio"] == dict(FIELDS)
    assert (
        events.outbox_rows(
            row,
            [],
            agent_id=uuid.uuid4(),
            tenant_id=uuid.uuid4(),
            event_type="call.received",
            fields=FIELDS,
        )
        == []
    )


def test_a_webhooks_tenant_events_say_what_its_agent_payload_says() -> None:
    odd = FormParams([*FIELDS.items(), ("Body", 'café "☎" \\ \n'), ("Caller", "")])
    row = event()
    tenant = uuid.uuid4()
    told = events.tenant_event_rows(
        row, ["call.status_changed", "call.completed"], tenant_id=tenant, fields=odd, number=None
    )
    assert [set(t) for t in told] == [{c.name for c in TenantEvent.__table__.columns}] * 2
    assert told[0]["id"] == row["id"] and told[1]["id"] != row["id"]
    assert told[1]["created_at"] > told[0]["created_at"] == row["received_at"]
    agent = json.loads(events.payload(row, "call.completed", None, odd, None))
    for t, event_type in zip(told, ("call.status_changed", "call.completed"), strict=True):
        body = json.loads(t["body"])
        assert list(body) == ["id", "type", "schema_version", "created_at", "tenant_id", "data"]
        assert (body["id"], body["type"], body["tenant_id"]) == (
            str(t["id"]),
            event_type,
            str(tenant),
        )
        # The agent's payload beyond its id, type, time and tenant, in its order.
        assert list(body["data"].items()) == [
            (k, v) for k, v in agent.items() if k not in ("id", "type", "created_at", "tenant_id")
        ]
        assert t["body"] == json.dumps(body, separators=(",", ":"))


def test_an_event_id_is_its_idempotency_token_within_its_account() -> None:
    assert event("tok-1")["id"] == event("tok-1")["id"]  # a retry meets its first recording
    assert event("tok-1")["id"] != event("tok-2")["id"]
    assert event("tok-1")["id"] != event("tok-1", "AC" + "3" * 32)["id"]
    assert event(None)["id"] != event(None)["id"]  # no token: nothing to meet
    assert events.idempotency_key(" abc ") == "abc"
    long = "x" * 300
    assert events.idempotency_key(long) == events.idempotency_key(long)
    assert len(events.idempotency_key(long) or "") <= 255
    # The outbound sends' namespace is theirs alone: a webhook's token never lands in it.
    claim = "outbound:sms:00000000-0000-0000-0000-000000000001:k"
    stored = events.idempotency_key(claim) or ""
    assert stored == events.idempotency_key(claim) and not stored.startswith("outbound:")


def test_the_writers_statements_insert_every_column() -> None:
    columns = [c.name for c in Event.__table__.columns]
    outbox = [c.name for c in OutboxMessage.__table__.columns]
    pg = pg_insert.INSERT_EVENTS
    listed = re.search(r"INSERT INTO events \(([^)]*)\)", pg)
    assert listed is not None and listed.group(1).split(", ") == columns
    assert re.findall(r"CAST\(%\((\w+)\)b AS", pg) == columns
    assert not re.search(r"VARCHAR\(\d+\)", pg)  # a cast to varchar(n) would cut silently
    told = [c.name for c in TenantEvent.__table__.columns]
    assert pg_insert.INSERT_EVENTS_WITH[False, False] == pg
    every = pg_insert.INSERT_EVENTS_WITH[True, True]
    listed = re.search(r"INSERT INTO outbox \(([^)]*)\)", every)
    assert listed is not None and listed.group(1).split(", ") == outbox
    listed = re.search(r"INSERT INTO tenant_events \(([^)]*)\)", every)
    assert listed is not None and listed.group(1).split(", ") == told
    assert re.findall(r"CAST\(%\((\w+)\)b AS", every) == (
        columns + [f"o_{c}" for c in outbox] + [f"t_{c}" for c in told] + ["t_event_of"]
    )
    assert not re.search(r"VARCHAR\(\d+\)", every)
    for outbox_too in (False, True):
        alone = pg_insert.INSERT_EVENTS_WITH[outbox_too, False]
        assert ("INSERT INTO outbox" in alone) is outbox_too and "tenant_events" not in alone
    assert list(recorder._SQLITE_EVENTS.keys) == columns
    assert list(recorder._SQLITE_OUTBOX.keys) == outbox
    assert list(recorder._SQLITE_TENANT_EVENTS.keys) == told


def test_agent_route_from_an_agent_and_from_a_route_row() -> None:
    assert set(AGENT_ROUTE_FIELDS) <= {c.name for c in Agent.__table__.columns}
    agent = Agent(
        id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        name="Desk",
        voice_mode="forward",
        stream_url=None,
        stream_parameters=None,
        sip_uri=None,
        forward_to="+12125550100",
        caller_id="+14155550100",
        whisper="Hi",
        greeting=None,
        record=None,
        sms_mode="reply",
        sms_url=None,
        sms_reply="Thanks",
        events_url="https://app.example.com/e",
        events_secret="v1:k:abc",
    )
    route = AgentRoute.from_agent(agent)
    for name in AGENT_ROUTE_FIELDS:
        expected = {"stream_parameters": {}, "record": False}.get(name, getattr(agent, name))
        assert getattr(route, name) == expected, name
    # A row of `route_select`: the same attributes, each column named agent_<attribute>.
    row = SimpleNamespace(
        **{queries.AGENT_PREFIX + n: getattr(agent, n) for n in AGENT_ROUTE_FIELDS}
    )
    assert AgentRoute.from_agent(row, prefix=queries.AGENT_PREFIX) == route
    labels = {c.name for c in queries.ROUTE_COLUMNS}
    assert {queries.AGENT_PREFIX + n for n in AGENT_ROUTE_FIELDS} <= labels
