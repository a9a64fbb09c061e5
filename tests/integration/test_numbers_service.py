"""The numbers services other jobs call: the database constraint, pending resolution (as the daily
reconciliation runs it), release (one number, and a tenant's numbers as the jobs release them)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from callplane.connections.usage import resources_in_account
from callplane.errors import ApiError
from callplane.jobs.releasing import release_tenant_numbers
from callplane.numbers import guards, purchase, search
from callplane.numbers import service as numbers
from callplane.numbers.models import PhoneNumber
from callplane.numbers.purchase import PENDING_GRACE
from callplane.numbers.schemas import NumberBuy, NumberOut
from callplane.runtime import Runtime
from callplane.sandbox.server import SandboxServer
from callplane.tenancy import SYSTEM, TenantScope
from callplane.tenants import service as tenants
from callplane.tenants.schemas import PlanPut, SubscriptionPut, TenantCreate
from tests.fixtures.jobs import backdate, reconcile
from tests.fixtures.numbers import number_rows


class Crash(BaseException):
    """The process dying mid-purchase (nothing in the service catches it)."""


async def _tenant(rt: Runtime, quota: int = 5) -> TenantScope:
    async with rt.uow() as uow:
        t = await tenants.create_tenant(
            uow=uow, actor=SYSTEM, data=TenantCreate(slug=f"t-{uuid.uuid4().hex[:8]}", name="T")
        )
        scope = TenantScope(tenant_id=t.id, actor=SYSTEM)
        await tenants.put_plan(
            uow=uow, actor=SYSTEM, name="p", data=PlanPut(quota_phone_numbers=quota)
        )
        await tenants.put_subscription(
            uow=uow, scope=scope, data=SubscriptionPut(plan="p", status="active")
        )
    return scope


async def _available(rt: Runtime, scope: TenantScope, n: int = 1) -> list[str]:
    async with rt.uow() as uow:
        found = await search.search_available(
            uow=uow, scope=scope, country="US", number_type="local", limit=n
        )
    return [f.phone_number for f in found]


async def _buy(rt: Runtime, scope: TenantScope, e164: str, key: str | None = None) -> Any:
    async with rt.uow() as uow:
        row, _ = await purchase.buy_number(
            uow=uow, scope=scope, data=NumberBuy(phone_number=e164), idempotency_key=key
        )
        return NumberOut.from_model(row)


async def _fault(sandbox: SandboxServer, **rule: Any) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        (await http.post("/__sandbox/faults", json=rule)).raise_for_status()


def _resolution(summary: dict[str, int]) -> dict[str, int]:
    """What a reconciliation did about pending purchases (unresolved: its account not listed)."""
    return {
        "adopted": summary["adopted"],
        "failed": summary["pending_failed"],
        "unresolved": summary["accounts_failed"],
    }


def _held(sandbox: SandboxServer, e164: str) -> list[dict[str, Any]]:
    state = httpx.get(f"{sandbox.url}/__sandbox/state").json()
    return [n for n in state["numbers"] if n["phone_number"] == e164]


async def test_the_database_refuses_a_second_holder(
    db: Runtime, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the friendly pre-check out of the way, the unique index alone decides the race."""

    async def nobody(uow: Any, e164: str) -> None:
        return None

    alice, bob = await _tenant(db), await _tenant(db)
    (e164,) = await _available(db, alice)
    monkeypatch.setattr(guards, "holder", nobody)
    results = await asyncio.gather(
        _buy(db, alice, e164), _buy(db, bob, e164), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], ApiError) and errors[0].code == "phone_number_unavailable"
    assert len(_held(sandbox, e164)) == 1
    rows = await number_rows(db)
    assert [r.status for r in rows] == ["active"]


async def test_a_key_whose_first_request_lands_meanwhile_is_replayed(
    db: Runtime, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same key twice at once: the first request's number appears between the second's key
    lookup and its check of who holds the number. The second answers that number, never 409."""
    scope = await _tenant(db)
    (e164,) = await _available(db, scope)
    original = guards.require_active_tenant
    first: list[Any] = []

    async def first_lands_meanwhile(uow: Any, scope_: TenantScope) -> None:
        if not first:
            monkeypatch.setattr(guards, "require_active_tenant", original)
            first.append(await _buy(db, scope, e164, key="twice"))
        await original(uow, scope_)

    monkeypatch.setattr(guards, "require_active_tenant", first_lands_meanwhile)
    async with db.uow() as uow:
        row, replayed = await purchase.buy_number(
            uow=uow, scope=scope, data=NumberBuy(phone_number=e164), idempotency_key="twice"
        )
        assert replayed and row.id == first[0].id and row.status == "active"
    assert len(_held(sandbox, e164)) == 1


async def test_a_crash_after_buying_is_adopted(
    db: Runtime, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = purchase._create_at_twilio

    async def buy_then_die(*args: Any, **kwargs: Any) -> Any:
        await original(*args, **kwargs)
        raise Crash()

    scope = await _tenant(db)
    (e164,) = await _available(db, scope)
    monkeypatch.setattr(purchase, "_create_at_twilio", buy_then_die)
    with pytest.raises(Crash):
        await _buy(db, scope, e164, key="k")
    monkeypatch.undo()
    (row,) = await number_rows(db)
    assert row.status == "pending" and row.twilio_sid is None

    assert _resolution(await reconcile(db)) == {
        "adopted": 0,
        "failed": 0,
        "unresolved": 0,
    }  # too fresh
    await backdate(db, PENDING_GRACE.total_seconds() + 1)
    assert _resolution(await reconcile(db)) == {"adopted": 1, "failed": 0, "unresolved": 0}
    (row,) = await number_rows(db)
    (held,) = _held(sandbox, e164)
    assert row.status == "active" and row.twilio_sid == held["sid"] and row.purchased_at
    # The key answers the adopted number and buys nothing more.
    again = await _buy(db, scope, e164, key="k")
    assert again.id == row.id and len(_held(sandbox, e164)) == 1


async def test_a_crash_before_buying_is_failed(
    db: Runtime, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def die(*args: Any, **kwargs: Any) -> Any:
        raise Crash()

    scope = await _tenant(db, quota=1)
    (e164,) = await _available(db, scope)
    monkeypatch.setattr(purchase, "_create_at_twilio", die)
    with pytest.raises(Crash):
        await _buy(db, scope, e164)
    monkeypatch.undo()
    (row,) = await number_rows(db)
    assert row.status == "pending"
    async with db.uow() as uow:
        pending = await uow.session.get(PhoneNumber, row.id)
        assert pending is not None
        resolved = await purchase.resolve_pending(uow=uow, number=pending)
        assert resolved.status == "failed" and resolved.failure_code == "purchase_not_completed"
    assert _held(sandbox, e164) == []
    # The quota of one is free again.
    assert (await _buy(db, scope, e164)).status == "active"


async def test_resolution_waits_while_twilio_cannot_be_asked(
    db: Runtime, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def die(*args: Any, **kwargs: Any) -> Any:
        raise Crash()

    scope = await _tenant(db)
    (e164,) = await _available(db, scope)
    monkeypatch.setattr(purchase, "_create_at_twilio", die)
    with pytest.raises(Crash):
        await _buy(db, scope, e164)
    monkeypatch.undo()
    await _fault(sandbox, method="GET", path="IncomingPhoneNumbers", status=403, code=20403)
    # Old enough to be failed, had Twilio said it does not hold the number.
    await backdate(db, db.settings.pending_timeout_seconds + 1)
    assert _resolution(await reconcile(db)) == {"adopted": 0, "failed": 0, "unresolved": 1}
    assert [r.status for r in await number_rows(db)] == ["pending"]


async def test_release_reasons_and_usage(db: Runtime, sandbox: SandboxServer) -> None:
    scope = await _tenant(db)
    a, b = await _available(db, scope, n=2)
    first, second = await _buy(db, scope, a), await _buy(db, scope, b)
    async with db.uow() as uow:
        assert await resources_in_account(uow=uow, scope=scope) == ["2 phone numbers"]
        with pytest.raises(ValueError):
            await numbers.release_number(uow=uow, scope=scope, number_id=first.id, reason="bored")
        done = await numbers.release_number(
            uow=uow, scope=scope, number_id=first.id, reason="subscription_canceled"
        )
        assert done.status == "released" and done.release_reason == "subscription_canceled"
        again = await numbers.release_number(
            uow=uow, scope=scope, number_id=first.id, reason="drift"
        )
        assert again.release_reason == "subscription_canceled"
        await numbers.release_number(uow=uow, scope=scope, number_id=second.id, reason="offboarded")
        assert await resources_in_account(uow=uow, scope=scope) == []
    assert _held(sandbox, a) == [] and _held(sandbox, b) == []
    other = await _tenant(db)
    async with db.uow() as uow:
        with pytest.raises(ApiError) as caught:
            await numbers.release_number(uow=uow, scope=other, number_id=second.id, reason="user")
        assert caught.value.status_code == 404


async def test_releasing_a_tenants_numbers_for_offboarding(
    db: Runtime, sandbox: SandboxServer
) -> None:
    scope = await _tenant(db)
    a, b, c = await _available(db, scope, n=3)
    for e164 in (a, b, c):
        await _buy(db, scope, e164)
    # One number's release keeps failing at Twilio.
    await _fault(sandbox, method="DELETE", path=_held(sandbox, b)[0]["sid"], status=400, code=20001)
    report = await release_tenant_numbers(db, scope.tenant_id, "offboarded")
    assert (report.released, report.failed, report.skipped) == (2, 1, 0)
    statuses = {r.e164: (r.status, r.release_reason) for r in await number_rows(db)}
    assert statuses == {
        a: ("released", "offboarded"),
        b: ("releasing", "offboarded"),
        c: ("released", "offboarded"),
    }
    assert _held(sandbox, a) == [] and _held(sandbox, c) == [] and len(_held(sandbox, b)) == 1
