"""The gateway's SQLite reads on the driver's own connection (gateway/lite_direct.py) give the
rows SQLAlchemy gives for the same statement: the same columns by name, the same values of the
same types (UUIDs, timezone-aware datetimes, booleans, JSON), for keyed reads, IN lists of any
length, literal IN lists and the page shapes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import bindparam, create_engine, insert, select

import callplane.db.models  # noqa: F401 - every table known (a foreign key's type)
from callplane.agents.models import Agent
from callplane.db.base import Base
from callplane.events import carry
from callplane.gateway import queries
from callplane.gateway.lite_direct import LiteStatement, execute, execute_many
from callplane.gateway.store import GatewayStore, sync_url
from callplane.numbers import pages
from callplane.numbers.models import PhoneNumber
from callplane.tenants import access
from tests.fixtures.gateway import STREAM, GatewayKit

pytestmark = pytest.mark.sqlite_only


def _alchemy(url: str, statement: Any, params: dict[str, Any]) -> list[Any]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(statement, params))
    finally:
        engine.dispose()


def _same(ours: list[Any], theirs: list[Any]) -> None:
    assert [r._fields for r in ours] == [tuple(r._fields) for r in theirs]
    assert [[(v, type(v)) for v in r] for r in ours] == [[(v, type(v)) for v in r] for r in theirs]


async def test_rows_are_what_sqlalchemy_reads(gw: GatewayKit) -> None:
    a, sid = await gw.tenant("master")
    b, byo = await gw.tenant("byo")  # its own account: a connection with tokens
    mine, _ = await gw.agent(a, voice={**STREAM, "record": True, "parameters": {"lang": "fr"}})
    theirs, _ = await gw.agent(b)
    held = [await gw.buy(a, mine) for _ in range(3)] + [await gw.buy(b, theirs)]
    url = gw.api.runtime.settings.database_url
    store = GatewayStore(url)
    try:
        cases: list[tuple[Any, dict[str, Any]]] = [
            (queries.ROUTES.lite.statement, {"e164s": [h.e164 for h in held]}),
            (queries.ROUTES.lite.statement, {"e164s": [held[0].e164, "+15550000000"]}),
            (queries.NUMBERS.lite.statement, {"e164s": [h.e164 for h in held]}),
            (queries.ACCOUNTS.lite.statement, {"sids": [sid, byo, "AC" + "0" * 32]}),
            (access._TENANT.statement, {"tenant_id": a.id}),
            (
                select(Agent.id, Agent.created_at, Agent.record, Agent.stream_parameters)
                .where(Agent.id.in_(bindparam("ids", expanding=True)))
                .where(Agent.voice_mode.in_(["stream", "sip"]))  # a literal list
                .order_by(Agent.name),
                {"ids": [mine, theirs, uuid.uuid4()]},
            ),
        ]
        page = {"tenant_id": a.id, "limit": 2}
        for (statuses, cursor), query in pages._SHAPES.items():
            params = dict(page)
            if statuses:
                params["statuses"] = ["active", "pending"]
            if cursor:
                oldest = select(PhoneNumber.created_at, PhoneNumber.id).order_by(
                    PhoneNumber.created_at
                )
                params["after_at"], params["after_id"] = _alchemy(url, oldest, {})[0]
            cases.append((query.statement, params))
        for statement, params in cases:
            theirs_rows = _alchemy(url, statement, params)
            ours = await store.select(LiteStatement(statement), params)
            _same(ours, theirs_rows)
        # Every case read something, and the routes of the other tenant's number too.
        assert [i for i, (s, p) in enumerate(cases) if not _alchemy(url, s, p)] == []
        routes = await store.select(queries.ROUTES.lite, {"e164s": [h.e164 for h in held]})
        assert {r.tenant_id for r in routes} == {a.id, b.id}
        assert {type(r.id) for r in routes} == {uuid.UUID}
    finally:
        await store.close()


def test_writes_store_and_return_what_sqlalchemy_does(tmp_path: Path) -> None:
    """The endpoints worker's statements (events/carry.py) on the driver: an INSERT of many
    rows stores the text SQLAlchemy stores, and an UPDATE ... RETURNING over a subquery returns
    the rows, names and types SQLAlchemy returns."""
    engine = create_engine(f"sqlite:///{tmp_path / 'lite.db'}")
    Base.metadata.create_all(engine, tables=[carry.EVENTS])
    now = datetime.now(UTC)
    tenant = uuid.uuid4()

    def event(order_key: str, at: datetime) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "tenant_id": tenant,
            "type": "call.started",
            "order_key": order_key,
            "body": '{"call": "CA1"}',
            "created_at": at,
            "fanned_out_at": None,
            "only_endpoint_id": None,
        }

    stored = "SELECT tenant_id, type, order_key, body, created_at FROM tenant_events"
    try:
        with engine.connect() as conn:
            firsts = [event("ours", now), event("theirs", now)]
            with conn.begin():
                execute_many(conn, carry._INSERT_EVENTS, firsts[:1])
                conn.execute(insert(carry.EVENTS), firsts[1:])
            ours, theirs = (
                conn.exec_driver_sql(f"{stored} WHERE order_key = ?", (key,)).one()[:2]
                + conn.exec_driver_sql(f"{stored} WHERE order_key = ?", (key,)).one()[3:]
                for key in ("ours", "theirs")
            )
            assert ours == theirs
            execute_many(conn, carry._INSERT_EVENTS, [event("later", now + timedelta(seconds=1))])
            conn.commit()
            params = {"limit": 2, "now": now}
            with conn.begin() as tx:
                taken = execute(conn, carry._TAKE_EVENTS[False], params)
                tx.rollback()
            with conn.begin() as tx:
                expected = list(conn.execute(carry._TAKE_EVENTS[False].statement, params))
                tx.rollback()
        # Each taken event returns its key as stored (the UUID's hex, not made a UUID): the two
        # first ones'.
        assert sorted(r.key for r in taken) == sorted(e["id"].hex for e in firsts)
        _same(sorted(taken, key=lambda r: r.key), sorted(expected, key=lambda r: r.key))
    finally:
        engine.dispose()


def test_in_lists_of_every_length_read_their_rows_from_a_few_forms(tmp_path: Path) -> None:
    """An IN list is rendered padded to a power of two with its last key repeated: every length
    reads exactly its keys' rows (no row twice), and 0 to 40 keys need eight compiled forms."""
    engine = create_engine(f"sqlite:///{tmp_path / 'lite.db'}")
    Base.metadata.create_all(engine, tables=[carry.EVENTS])
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(40)]
    rows = [
        {
            "id": ident,
            "tenant_id": uuid.uuid4(),
            "type": "call.started",
            "order_key": str(i),
            "body": "{}",
            "created_at": now,
            "fanned_out_at": None,
            "only_endpoint_id": None,
        }
        for i, ident in enumerate(ids)
    ]
    statement = LiteStatement(carry._KNOWN_EVENTS.statement)
    try:
        with engine.connect() as conn:
            with conn.begin():
                conn.execute(insert(carry.EVENTS), rows)
            for n in range(41):
                found = [row.id for row in execute(conn, statement, {"ids": ids[:n]})]
                assert sorted(found) == sorted(ids[:n])
    finally:
        engine.dispose()
    assert sorted(statement._forms) == [(0,), (1,), (2,), (4,), (8,), (16,), (32,), (64,)]
