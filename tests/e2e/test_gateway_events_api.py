"""`GET /v1/tenants/{tid}/events`: the tenant's recorded webhooks, cursor paged, isolated."""

from __future__ import annotations

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
