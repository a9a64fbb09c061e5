"""The list of a tenant's agents shows each agent exactly as `GET .../agents/{id}` does (the list
has its own read path, agents/pages.py), pages through cursors, shows every change the next
time it is asked, and never shows another tenant's agents; its direct answer (`dispatch.
directly`) answers every request as the same route answers it through FastAPI."""

from __future__ import annotations

import uuid
from typing import Any

from callplane.agents.models import Agent
from tests.e2e.test_direct_answers import NOBODY, answered_alike, page_queries
from tests.fixtures.api import Api, TenantKit

STREAM = {
    "mode": "stream",
    "stream_url": "wss://ai.example.com/stream",
    "parameters": {"lang": "en", "plan": "pro ☎"},
}
BODIES: list[dict[str, Any]] = [
    {
        "name": "Receptionist",
        "voice": STREAM,
        "sms": {"mode": "reply", "reply": "Thanks!"},
        "events_url": "https://app.example.com/events",
    },
    {
        "name": "Router",
        "voice": {
            "mode": "webhook",
            "url": "https://router.tenant-app.example/route",
            "timeout_ms": 500,
            "fallback": {"action": "say", "text": "All our agents are busy."},
        },
        "sms": {"mode": "webhook", "url": "https://app.example.com/sms"},
    },
    {
        "name": "Desk",
        "voice": {
            "mode": "forward",
            "forward_to": "+1 (415) 555-0100",
            "caller_id": "+14155550111",
            "whisper": "Call from callplane",
            "greeting": "Hold on",
            "record": True,
        },
    },
    {"name": "Trunk", "voice": {"mode": "sip", "sip_uri": "sip:agent@sip.example.com"}},
]


async def _agents(api: Api, tenant: TenantKit) -> list[dict[str, Any]]:
    made = []
    for body in BODIES:
        r = await api.client.post(
            f"/v1/tenants/{tenant.id}/agents", json=body, headers=tenant.headers()
        )
        assert r.status_code == 201, r.text
        made.append(r.json())
    return made


async def _listed(api: Api, tenant: TenantKit, **params: Any) -> dict[str, Any]:
    r = await api.client.get(
        f"/v1/tenants/{tenant.id}/agents", params=params, headers=tenant.headers("member")
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_listed_agents_are_shown_as_each_is_alone(api: Api) -> None:
    a = await api.tenant("acme-agents")
    b = await api.tenant("globex-agents")
    made = await _agents(api, a)
    theirs = await _agents(api, b)

    page = await _listed(api, a, limit=200)
    assert [x["id"] for x in page["data"]] == [x["id"] for x in made]
    assert page["next_cursor"] is None
    for item in page["data"]:
        alone = await api.client.get(f"/v1/tenants/{a.id}/agents/{item['id']}", headers=a.headers())
        assert alone.status_code == 200, alone.text
        assert item == alone.json()
        assert item["events_secret"] is None
    shown = {x["name"]: x for x in page["data"]}
    assert shown["Receptionist"]["voice"]["parameters"] == {"lang": "en", "plan": "pro ☎"}
    assert shown["Router"]["voice"]["fallback"] == BODIES[1]["voice"]["fallback"]
    assert shown["Desk"]["voice"]["record"] is True
    assert shown["Desk"]["voice"]["forward_to"] == "+14155550100"
    assert (
        shown["Trunk"]["voice"]["fallback"] is None and shown["Trunk"]["voice"]["record"] is False
    )
    assert not {x["id"] for x in theirs} & {x["id"] for x in page["data"]}

    # Cursors: pages of one and of three show the same agents in the same order.
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3 if seen else 1}
        if cursor:
            params["cursor"] = cursor
        got = await _listed(api, a, **params)
        seen += [x["id"] for x in got["data"]]
        cursor = got["next_cursor"]
        if cursor is None:
            break
    assert seen == [x["id"] for x in made]
    r = await api.client.get(f"/v1/tenants/{a.id}/agents?cursor=bad", headers=a.headers())
    assert r.status_code == 400, r.text


async def test_a_listed_page_shows_every_change_at_once(api: Api) -> None:
    """The same page asked again (answered from what was kept) shows a change made through the
    API, and one committed by any other connection, the very next time."""
    tenant = await api.tenant()
    agent = (await _agents(api, tenant))[0]
    assert (await _listed(api, tenant))["data"][0]["name"] == "Receptionist"
    assert (await _listed(api, tenant))["data"][0]["name"] == "Receptionist"

    url = f"/v1/tenants/{tenant.id}/agents/{agent['id']}"
    r = await api.client.patch(url, json={"name": "Sales"}, headers=tenant.headers())
    assert r.status_code == 200, r.text
    assert (await _listed(api, tenant))["data"][0]["name"] == "Sales"

    async with api.runtime.uow() as uow:  # a job, another process: not the API's route
        row = await uow.session.get(Agent, uuid.UUID(agent["id"]))
        assert row is not None
        row.name = "Support"
        await uow.commit()
    assert (await _listed(api, tenant))["data"][0]["name"] == "Support"
    assert (await _listed(api, tenant, limit=1))["data"][0]["name"] == "Support"

    r = await api.client.delete(url, headers=tenant.headers())
    assert r.status_code == 204
    assert [x["name"] for x in (await _listed(api, tenant))["data"]] == ["Router", "Desk", "Trunk"]


async def test_a_page_of_agents_directly_answers_as_through_fastapi(api: Api) -> None:
    a = await api.tenant("acme-agent-pages")
    b = await api.tenant("globex-agent-pages")
    await _agents(api, a)
    first = await _listed(api, a, limit=2)
    cursor = first["next_cursor"]
    assert cursor and len(first["data"]) == 2
    callers = {
        "admin": a.headers(),
        "member": a.headers("member"),
        "other": b.headers(),
        "none": {},
    }
    await answered_alike(
        api.client,
        callers,
        [
            f"/v1/tenants/{tid}/agents{query}"
            for tid in (str(a.id), NOBODY, "nope")
            for query in page_queries(cursor)
        ],
    )
    app = api.client._transport.app  # type: ignore[attr-defined]
    door = app.middleware_stack
    assert door.direct_paths[("GET", f"/v1/tenants/{a.id}/agents")] is not None
