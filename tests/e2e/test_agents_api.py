"""Agents through the API: modes, validation, secrets shown once, isolation."""

from __future__ import annotations

from tests.fixtures.api import Api

STREAM = {
    "mode": "stream",
    "stream_url": "wss://ai.example.com/stream",
    "parameters": {"lang": "en"},
}


async def test_create_read_update_delete(api: Api) -> None:
    t = await api.tenant()
    body = {
        "name": "Receptionist",
        "voice": STREAM,
        "sms": {"mode": "reply", "reply": "Thanks!"},
        "events_url": "https://app.example.com/events",
    }
    r = await api.client.post(f"/v1/tenants/{t.id}/agents", json=body, headers=t.headers())
    assert r.status_code == 201, r.text
    agent = r.json()
    secret = agent["events_secret"]
    assert secret and secret.startswith("whsec_")
    assert agent["voice"]["mode"] == "stream" and agent["voice"]["parameters"] == {"lang": "en"}
    assert agent["sms"] == {"mode": "reply", "url": None, "reply": "Thanks!"}
    got = await api.client.get(
        f"/v1/tenants/{t.id}/agents/{agent['id']}", headers=t.headers("member")
    )
    assert got.status_code == 200 and got.json()["events_secret"] is None and secret not in got.text
    listed = await api.client.get(f"/v1/tenants/{t.id}/agents", headers=t.headers("member"))
    assert [a["id"] for a in listed.json()["data"]] == [agent["id"]]
    r = await api.client.patch(
        f"/v1/tenants/{t.id}/agents/{agent['id']}",
        json={
            "voice": {
                "mode": "forward",
                "forward_to": "+1 (415) 555-0100",
                "whisper": "Call from callplane",
            },
            "rotate_events_secret": True,
        },
        headers=t.headers(),
    )
    assert r.status_code == 200, r.text
    assert r.json()["voice"]["forward_to"] == "+14155550100"
    assert r.json()["events_secret"] and r.json()["events_secret"] != secret
    r = await api.client.delete(f"/v1/tenants/{t.id}/agents/{agent['id']}", headers=t.headers())
    assert r.status_code == 204
    r = await api.client.get(f"/v1/tenants/{t.id}/agents/{agent['id']}", headers=t.headers())
    assert r.status_code == 404


async def test_mode_fields_are_validated(api: Api) -> None:
    t = await api.tenant()
    bad = [
        {"name": "a", "voice": {"mode": "stream"}},
        {"name": "a", "voice": {"mode": "stream", "stream_url": "http://not-a-websocket"}},
        {"name": "a", "voice": {"mode": "sip", "sip_uri": "not-sip"}},
        {"name": "a", "voice": {"mode": "forward", "forward_to": "12"}},
        {"name": "a", "voice": {"mode": "teleport"}},
        {"name": "a", "voice": STREAM, "sms": {"mode": "webhook"}},
        {"name": "", "voice": STREAM},
        {"name": "a", "voice": STREAM, "color": "blue"},
    ]
    for body in bad:
        r = await api.client.post(f"/v1/tenants/{t.id}/agents", json=body, headers=t.headers())
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["code"] in ("validation_error", "invalid_phone_number")
    listed = await api.client.get(f"/v1/tenants/{t.id}/agents", headers=t.headers())
    assert listed.json()["data"] == []


async def test_other_tenants_agent_is_404(api: Api) -> None:
    alice = await api.tenant()
    bob = await api.tenant()
    r = await api.client.post(
        f"/v1/tenants/{alice.id}/agents",
        json={"name": "x", "voice": STREAM},
        headers=alice.headers(),
    )
    aid = r.json()["id"]
    for method in ("GET", "PATCH", "DELETE"):
        r = await api.client.request(
            method,
            f"/v1/tenants/{bob.id}/agents/{aid}",
            headers=bob.headers(),
            json={} if method == "PATCH" else None,
        )
        assert r.status_code == 404, method
