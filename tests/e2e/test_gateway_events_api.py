"""`GET /v1/tenants/{tid}/events`: the tenant's recorded webhooks, cursor paged, isolated."""

from __future__ import annotations

from typing import Any

from callplane.db.rls import DbScope
from callplane.gateway.models import Event
from callplane.gateway.schemas import EventOut
from tests.e2e.test_direct_answers import NOBODY, answered_alike, page_queries
from tests.fixtures.api import TenantKit
from tests.fixtures.gateway import GatewayKit


async def test_events_are_paged_filtered_and_isolated(gw: GatewayKit) -> None:
    alice, account = await gw.tenant("master")
    bob, _ = await gw.tenant("master")
    a_agent, _ = await gw.agent(alice)
    b_agent, _ = await gw.agent(bob)
    a_num = await gw.buy(alice, a_agent)
    b_num = await gw.buy(bob, b_agent)
    sids = []
    for _ in range(5):
        params = gw.call_params(account, a_num.e164)
        sids.append(params["CallSid"])
        assert (await gw.post("voice", params)).status_code == 200
    await gw.post(
        "status",
        {**gw.call_params(account, a_num.e164), "CallSid": sids[0], "CallStatus": "completed"},
    )
    await gw.post("voice", gw.call_params(account, b_num.e164))

    url = f"/v1/tenants/{alice.id}/events"
    page = await gw.api.client.get(url, params={"limit": 2}, headers=alice.headers("member"))
    assert page.status_code == 200, page.text
    seen = [e["sid"] for e in page.json()["data"]]
    cursor = page.json()["next_cursor"]
    while cursor:
        page = await gw.api.client.get(
            url, params={"limit": 2, "cursor": cursor}, headers=alice.headers("member")
        )
        seen += [e["sid"] for e in page.json()["data"]]
        cursor = page.json()["next_cursor"]
    assert seen == sids + [sids[0]]
    first = (await gw.api.client.get(url, params={"limit": 1}, headers=alice.headers())).json()[
        "data"
    ][0]
    assert (
        first["kind"] == "voice" and first["from"] == "+12125550199" and first["to"] == a_num.e164
    )
    assert first["decision"] == "routed" and first["agent_id"] == str(a_agent)
    assert first["number_id"] == str(a_num.id) and first["detail"]["mode"] == "stream"

    statuses = await gw.api.client.get(url, params={"kind": "status"}, headers=alice.headers())
    assert [e["state"] for e in statuses.json()["data"]] == ["completed"]
    one = await gw.api.client.get(url, params={"sid": sids[0]}, headers=alice.headers())
    assert [e["kind"] for e in one.json()["data"]] == ["voice", "status"]
    # The sid's call moved to completed.
    assert one.json()["data"][0]["state"] == "completed"

    bobs = await gw.api.client.get(f"/v1/tenants/{bob.id}/events", headers=bob.headers())
    assert [e["to"] for e in bobs.json()["data"]] == [b_num.e164]
    assert (await gw.api.client.get(url, headers=bob.headers())).status_code == 404
    assert (
        await gw.api.client.get(url, params={"cursor": "%%%"}, headers=alice.headers())
    ).status_code == 400


async def _through_the_orm(gw: GatewayKit, tenant: TenantKit) -> list[dict[str, Any]]:
    """Every event of the tenant as the ORM reads and `EventOut` shows it."""
    async with gw.api.runtime.uow(DbScope.tenant(tenant.id)) as uow:
        rows, _ = await uow.repo(Event, tenant.scope).page(cursor=None, limit=1000)
        return [EventOut.from_model(e).model_dump(mode="json", by_alias=True) for e in rows]


async def test_listed_events_are_shown_as_the_orm_reads_them(gw: GatewayKit) -> None:
    """The list has its own read path (gateway/event_pages.py): every kind of event (routed,
    unrouted with no number nor agent, a status with its state, an SMS), each field as the
    model holds it, and its direct answer (`dispatch.directly`) answers every request as the
    route does through FastAPI."""
    alice, account = await gw.tenant("master")
    bob, _ = await gw.tenant("master")
    agent, _ = await gw.agent(alice)
    number = await gw.buy(alice, agent)
    other = await gw.buy(bob, (await gw.agent(bob))[0])
    detached = await gw.buy(alice, None)
    call = gw.call_params(account, number.e164)
    assert (await gw.post("voice", call)).status_code == 200
    assert (await gw.post("voice", gw.call_params(account, detached.e164))).status_code == 200
    status = {**call, "CallStatus": "completed"}
    assert (await gw.post("status", status)).status_code == 200
    assert (
        await gw.post("sms", gw.message_params(account, number.e164, "hé ☎"))
    ).status_code == 200
    assert (await gw.post("voice", gw.call_params(account, other.e164))).status_code == 200

    url = f"/v1/tenants/{alice.id}/events"
    listed = await gw.api.client.get(url, params={"limit": 200}, headers=alice.headers("member"))
    assert listed.status_code == 200, listed.text
    expected = await _through_the_orm(gw, alice)
    assert listed.json() == {"data": expected, "next_cursor": None}
    assert [e["kind"] for e in expected] == ["voice", "voice", "status", "sms"]
    assert expected[1]["agent_id"] is None and expected[1]["decision"] != "routed"
    assert expected[0]["received_at"].endswith("Z") and expected[0]["detail"]

    first = await gw.api.client.get(url, params={"limit": 2}, headers=alice.headers())
    cursor = first.json()["next_cursor"]
    assert cursor
    callers = {"member": alice.headers("member"), "other": bob.headers(), "none": {}}
    sid = call["CallSid"]
    filters = ["kind=status", "kind=BAD", f"sid={sid}", f"sid={sid}&kind=voice&limit=1"]
    await answered_alike(
        gw.api.client,
        callers,
        [
            f"/v1/tenants/{tid}/events{query}"
            for tid in (str(alice.id), NOBODY, "nope")
            for query in page_queries(cursor, *filters)
        ],
    )
    app = gw.api.client._transport.app  # type: ignore[attr-defined]
    assert app.middleware_stack.direct_paths[("GET", url)] is not None
