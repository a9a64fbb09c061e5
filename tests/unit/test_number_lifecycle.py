"""A phone number's status has one owner: numbers/lifecycle.py (its transitions, and nobody else).

Two walls: the model refuses a status set outside the lifecycle while the code runs, and a scan
of the source finds no status written outside it (assignments, constructors, UPDATE statements).
"""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest
from sqlalchemy import column, literal_column, update
from sqlalchemy.dialects import sqlite

from callplane.numbers import lifecycle
from callplane.numbers.lifecycle import TRANSITIONS, AtTwilio, Change, IllegalTransition, Transition
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import (
    HELD_SQL,
    HELD_STATUSES,
    NumberOrigin,
    NumberStatus,
    ReleaseReason,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "callplane"
S = NumberStatus


def _number(
    status: NumberStatus, origin: NumberOrigin = NumberOrigin.purchased, **fields: object
) -> PhoneNumber:
    number = lifecycle.new_number(
        origin=origin,
        id=uuid.uuid4(),
        e164="+14155550100",
        account_sid="AC" + "0" * 32,
        managed=origin is NumberOrigin.purchased,
        **fields,
    )
    path = {
        S.pending: [],
        S.active: [Change.activate(twilio_sid="PN1", capabilities={"voice": True})],
        S.failed: [Change.fail(code="x", reason="y")],
        S.releasing: [
            Change.activate(twilio_sid="PN1", capabilities={}),
            Change.begin_release(ReleaseReason.user),
        ],
        S.released: [Change.activate(twilio_sid="PN1", capabilities={}), Change.drift_release()],
    }[status]
    for change in path:
        lifecycle.apply(number, change)
    assert number.status == status
    return number


EXAMPLES = {
    Transition.activate: Change.activate(twilio_sid="PN2", capabilities={"sms": True}),
    Transition.fail: Change.fail(code="purchase_not_completed", reason="nothing was bought"),
    Transition.begin_release: Change.begin_release(ReleaseReason.user),
    Transition.finish_release: Change.finish_release(ReleaseReason.offboarded),
    Transition.hand_back: Change(Transition.hand_back, {"release_reason": ReleaseReason.user}),
    Transition.drift_release: Change.drift_release(),
    Transition.abandon_release: Change.abandon_release(),
}


@pytest.mark.parametrize("transition", list(Transition))
@pytest.mark.parametrize("status", list(NumberStatus))
def test_every_transition_is_allowed_from_its_sources_only(
    transition: Transition, status: NumberStatus
) -> None:
    rule = TRANSITIONS[transition]
    number = _number(status, NumberOrigin.imported)
    if status in rule.sources:
        lifecycle.apply(number, EXAMPLES[transition])
        assert number.status == rule.target
    else:
        with pytest.raises(IllegalTransition):
            lifecycle.apply(number, EXAMPLES[transition])
        assert number.status == status  # nothing changed


def test_the_table_is_the_documented_life() -> None:
    assert {t: (sorted(r.sources), r.target) for t, r in TRANSITIONS.items()} == {
        Transition.activate: (sorted([S.pending, S.failed]), S.active),
        Transition.fail: ([S.pending], S.failed),
        Transition.begin_release: ([S.active], S.releasing),
        Transition.finish_release: ([S.releasing], S.released),
        Transition.hand_back: ([S.releasing], S.released),
        Transition.drift_release: ([S.active], S.released),
        Transition.abandon_release: ([S.releasing], S.active),
    }
    # Released is the end; nothing leads back out of it.
    assert all(S.released not in r.sources for r in TRANSITIONS.values())


def test_only_an_imported_number_is_handed_back() -> None:
    bought = _number(S.releasing, NumberOrigin.purchased)
    with pytest.raises(IllegalTransition):
        lifecycle.apply(bought, EXAMPLES[Transition.hand_back])
    imported = _number(S.releasing, NumberOrigin.imported)
    lifecycle.apply(imported, EXAMPLES[Transition.hand_back])
    assert imported.status == S.released


def test_what_release_does_at_twilio_is_decided_by_origin() -> None:
    bought = _number(S.active, NumberOrigin.purchased)
    unmanaged = _number(S.active, NumberOrigin.imported)
    managed_import = _number(S.active, NumberOrigin.imported)
    managed_import.managed = True
    assert lifecycle.release_at_twilio(bought) is AtTwilio.delete
    # An imported number is never deleted at Twilio, managed or not, unless an admin confirmed.
    assert lifecycle.release_at_twilio(unmanaged) is AtTwilio.keep
    assert lifecycle.release_at_twilio(managed_import) is AtTwilio.keep
    assert lifecycle.release_at_twilio(managed_import, delete_confirmed=True) is AtTwilio.delete
    # The release ends accordingly: handed back when it stays in the tenant's account.
    keep, delete = AtTwilio.keep, AtTwilio.delete
    assert Change.end_release(keep, ReleaseReason.user).transition is Transition.hand_back
    assert Change.end_release(delete, ReleaseReason.user).transition is Transition.finish_release


def test_a_release_clears_the_routing_and_keeps_why() -> None:
    number = _number(S.active, agent_id=uuid.uuid4(), trunk_id=uuid.uuid4())
    lifecycle.apply(number, Change.begin_release(ReleaseReason.subscription_canceled))
    assert number.release_reason == ReleaseReason.subscription_canceled
    at_twilio = lifecycle.release_at_twilio(number)
    lifecycle.apply(number, Change.end_release(at_twilio, ReleaseReason.subscription_canceled))
    assert (number.status, number.agent_id, number.trunk_id) == (S.released, None, None)
    assert number.release_reason == "subscription_canceled" and number.released_at is not None


def test_the_model_refuses_a_status_set_elsewhere() -> None:
    number = _number(S.active)
    with pytest.raises(TypeError, match="numbers.lifecycle"):
        number.status = S.released
    with pytest.raises(TypeError, match="numbers.lifecycle"):
        PhoneNumber(id=uuid.uuid4(), status="active")
    assert number.status == S.active


def test_the_held_statuses_are_the_unique_index_predicate() -> None:
    assert HELD_STATUSES == (S.pending, S.active, S.releasing)
    assert HELD_SQL == "status IN ('pending', 'active', 'releasing')"
    migration = (SRC / "db/migrations/versions/0002_numbers_agents_trunks_events.py").read_text()
    assert HELD_SQL in migration


def test_a_bulk_change_checks_the_transition_in_its_where_clause() -> None:
    """`apply_many` renders the source statuses (and origin) into the UPDATE's WHERE clause."""
    compiled: list[str] = []

    class Repo:
        async def update_returning(
            self, *where: object, returning: object, **values: object
        ) -> list[tuple[object, ...]]:
            stmt = update(PhoneNumber).where(*where).values(**values)  # type: ignore[arg-type]
            compiled.append(str(stmt.compile(dialect=sqlite.dialect())))
            return []

    class Uow:
        def repo(self, model: object, scope: object) -> Repo:
            return Repo()

    import asyncio

    asyncio.run(
        lifecycle.apply_many(
            uow=Uow(),  # type: ignore[arg-type]
            scope=None,
            change=Change(Transition.hand_back, {"release_reason": ReleaseReason.user}),
            where=[column("id") == literal_column("1")],
        )
    )
    (sql,) = compiled
    assert "phone_numbers.status IN" in sql and "phone_numbers.origin =" in sql
    assert "SET status=" in sql


# -- the scan ---------------------------------------------------------------------------------

NUMBER_ONLY_WORDS = {"releasing", "released"}  # statuses no other model has


def _mentions(node: ast.AST, name: str) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id == name)
        or (isinstance(n, ast.Attribute) and n.attr == name)
        for n in ast.walk(node)
    )


def _is_number_status(value: ast.AST) -> bool:
    if _mentions(value, "NumberStatus"):
        return True
    return isinstance(value, ast.Constant) and value.value in NUMBER_ONLY_WORDS


def _status_writes(tree: ast.AST) -> list[int]:
    """Lines that write a number's status: `x.status = <number status>`, `PhoneNumber(status=)`,
    and UPDATE statements of phone numbers (`update(PhoneNumber)`, a PhoneNumber repository's
    `.update`) that set `status`."""
    found = []
    # Names bound to something of phone numbers (`repo = uow.repo(PhoneNumber, scope)`, ...).
    bound = {
        t.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _mentions(node.value, "PhoneNumber")
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            writes = any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets)
            if writes and node.value is not None and _is_number_status(node.value):
                found.append(node.lineno)
        elif isinstance(node, ast.Call):
            sets_status = any(k.arg == "status" for k in node.keywords)
            if not sets_status:
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "PhoneNumber":
                found.append(node.lineno)
            elif isinstance(func, ast.Attribute) and func.attr in ("values", "update"):
                receiver = func.value
                if _mentions(receiver, "PhoneNumber") or (
                    isinstance(receiver, ast.Name) and receiver.id in bound
                ):
                    found.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            if "update phone_numbers" in text and "status" in text:
                found.append(node.lineno)
    return sorted(found)


def test_no_module_but_the_lifecycle_writes_a_number_status() -> None:
    offenders = []
    scanned = 0
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("sandbox/") or relative == "numbers/lifecycle.py":
            continue  # the emulator has its own numbers; the lifecycle is the owner
        scanned += 1
        for line in _status_writes(ast.parse(path.read_text(), filename=str(path))):
            offenders.append(f"{relative}:{line}")
    assert scanned > 50
    assert offenders == [], "a number's status changes only in numbers/lifecycle.py"


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scan itself: each way of writing a number's status is caught."""
    code = """
number.status = NumberStatus.released
row.status = "releasing"
PhoneNumber(id=1, status="pending")
update(PhoneNumber).where(x).values(status="active")
uow.repo(PhoneNumber, scope).update(PhoneNumber.id == 1, status="failed")
text("UPDATE phone_numbers SET status = 'active'")
repo = uow.repo(PhoneNumber, None)
repo.update(PhoneNumber.id == 1, status=x)
conn.status = ConnectionStatus.active
tenant.status = "offboarded"
uow.repo(Connection, scope).update(status="closed")
"""
    assert _status_writes(ast.parse(code)) == [2, 3, 4, 5, 6, 7, 9]
    lifecycle_source = (SRC / "numbers/lifecycle.py").read_text()
    assert _status_writes(ast.parse(lifecycle_source))  # the owner does write statuses
