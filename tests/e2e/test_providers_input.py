"""Bad input around voice-AI providers: a clear 4xx with a stable code, and nothing written
(nothing stored here, nothing registered at the provider)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.providers import ProvidersKit


def _code(r: Any) -> str:
    return str(r.json()["error"]["code"])


async def test_provider_credentials_are_verified_before_they_are_stored(
    providers: ProvidersKit,
) -> None:
    tenant = await providers.api.tenant()
    key = await providers.key("retell")
    url = f"/v1/tenants/{tenant.id}/providers"
    client, headers = providers.api.client, tenant.headers()

    r = await client.put(f"{url}/nosuch", json=key.body(), headers=headers)
    assert r.status_code == 422 and _code(r) == "validation_error", r.text
    wrong = {**key.body(), "api_key": "key_0123456789abcdef0123456789"}
    r = await client.put(f"{url}/retell", json=wrong, headers=headers)
    assert r.status_code == 422 and _code(r) == "invalid_provider_credentials", r.text
    assert wrong["api_key"] not in r.text
    r = await client.put(
        f"{url}/retell", json={**key.body(), "sip_host": "x.sip.example.com"}, headers=headers
    )
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "sip_host"
    lk = await providers.key("livekit")
    body = lk.body()
    del body["sip_host"]
    r = await client.put(f"{url}/livekit", json=body, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "sip_host"
    wrong_secret = {**lk.body(), "api_secret": "s" * 43}
    r = await client.put(f"{url}/livekit", json=wrong_secret, headers=headers)
    assert r.status_code == 422 and _code(r) == "invalid_provider_credentials", r.text
    r = await client.put(f"{url}/retell", json=key.body(), headers=tenant.headers("member"))
    assert r.status_code == 403
    r = await client.get(url, headers=headers)
    assert r.json()["data"] == [], "nothing stored"

    r = await client.put(f"{url}/retell", json=key.body(), headers=headers)
    assert r.status_code == 201, r.text
    again = await client.put(f"{url}/retell", json=key.body(), headers=headers)
    assert again.status_code == 200
    for answer in (r, again, await client.get(url, headers=headers)):
        assert key.api_key not in answer.text
    # Another tenant cannot see them (404, as if it had none).
    other = await providers.api.tenant()
    r = await client.get(f"{url}/retell", headers=other.headers())
    assert r.status_code == 404
    r = await client.get(f"/v1/tenants/{other.id}/providers/retell", headers=other.headers())
    assert r.status_code == 404


async def test_a_private_base_url_is_refused(
    providers: ProvidersKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(providers.api.runtime.settings, "allow_private_urls", False)
    tenant = await providers.api.tenant()
    key = await providers.key("vapi")
    r = await providers.api.client.put(
        f"/v1/tenants/{tenant.id}/providers/vapi", json=key.body(), headers=tenant.headers()
    )
    assert r.status_code == 422 and _code(r) == "url_not_allowed", r.text


async def test_provider_agents_are_checked_at_the_provider(providers: ProvidersKit) -> None:
    tenant = await providers.api.tenant()
    client, headers = providers.api.client, tenant.headers()
    url = f"/v1/tenants/{tenant.id}/agents"

    def voice(**v: Any) -> dict[str, Any]:
        return {"name": "AI", "voice": {"mode": "provider", **v}}

    r = await client.post(url, json=voice(provider="retell"), headers=headers)
    assert r.status_code == 422 and "provider_agent_id" in r.text, r.text
    r = await client.post(
        url, json=voice(provider="nosuch", provider_agent_id="a"), headers=headers
    )
    assert r.status_code == 422 and _code(r) == "validation_error"
    r = await client.post(
        url,
        json={
            "name": "AI",
            "voice": {
                "mode": "stream",
                "stream_url": "wss://x.example.com",
                "provider": "vapi",
            },
        },
        headers=headers,
    )
    assert r.status_code == 422, "provider fields belong to voice mode provider"
    r = await client.post(
        url, json=voice(provider="retell", provider_agent_id="a"), headers=headers
    )
    assert r.status_code == 409 and _code(r) == "provider_not_connected", r.text

    for provider in ("retell", "elevenlabs", "vapi"):
        key = await providers.key(provider)
        await providers.remote_agent(key)
        assert (await providers.connect(tenant, key)).status_code == 201
        unknown = (
            "00000000-0000-4000-8000-000000000001" if provider == "vapi" else "agent_unknown1234"
        )
        r = await client.post(
            url, json=voice(provider=provider, provider_agent_id=unknown), headers=headers
        )
        assert r.status_code == 422 and _code(r) == "unknown_provider_agent", (provider, r.text)
        assert r.json()["error"]["field"] == "voice.provider_agent_id"
    lk = await providers.key("livekit")
    assert (await providers.connect(tenant, lk)).status_code == 201
    r = await client.post(
        url, json=voice(provider="livekit", provider_agent_id="two words"), headers=headers
    )
    assert r.status_code == 422 and _code(r) == "invalid_provider_agent", r.text
    assert (await client.get(url, headers=headers)).json()["data"] == [], "no agent was made"
    state = (await providers.control("GET", "/__sandbox/state")).json()["providers"]
    assert all(not p["registrations"] for p in state.values())


async def test_numbers_cannot_reach_another_tenants_agent_or_a_disconnected_provider(
    providers: ProvidersKit,
) -> None:
    alice, _, _, alice_agent = await providers.setup("retell")
    bob = await providers.api.tenant()
    (e164,) = await providers.numbers.available(bob)
    r = await providers.numbers.buy(bob, e164, agent_id=alice_agent)
    assert r.status_code == 404, r.text
    plain = await providers.buy(bob, None)
    r = await providers.api.client.patch(
        f"/v1/tenants/{bob.id}/phone-numbers/{plain['id']}",
        json={"agent_id": alice_agent},
        headers=bob.headers(),
    )
    assert r.status_code == 404
    assert (await providers.number(bob, plain["id"]))["provider"] is None
    assert await providers.registrations("retell") == []

    # Alice disconnects Retell (no number there yet); her agent cannot take a number any more.
    r = await providers.api.client.delete(
        f"/v1/tenants/{alice.id}/providers/retell", headers=alice.headers()
    )
    assert r.status_code == 204
    (e164,) = await providers.numbers.available(alice)
    r = await providers.numbers.buy(alice, e164, agent_id=alice_agent)
    assert r.status_code == 409 and _code(r) == "provider_not_connected", r.text
    assert (await providers.numbers.held(e164)) == [], "nothing bought"


async def test_a_provider_in_use_is_not_disconnected(providers: ProvidersKit) -> None:
    tenant, _, _, agent = await providers.setup("elevenlabs")
    number = await providers.buy(tenant, agent)
    await providers.provider_status(tenant, number["id"], "synced")
    url = f"/v1/tenants/{tenant.id}/providers/elevenlabs"
    r = await providers.api.client.delete(url, headers=tenant.headers())
    assert r.status_code == 409 and _code(r) == "provider_in_use", r.text
    assert r.json()["error"]["registrations"] == 1
    await providers.api.client.patch(
        f"/v1/tenants/{tenant.id}/phone-numbers/{number['id']}",
        json={"agent_id": None},
        headers=tenant.headers(),
    )
    await providers.no_provider(tenant, number["id"])
    r = await providers.api.client.delete(url, headers=tenant.headers())
    assert r.status_code == 204, r.text
    assert (await providers.api.client.get(url, headers=tenant.headers())).status_code == 404


async def test_credentials_of_another_workspace_register_the_numbers_there(
    providers: ProvidersKit,
) -> None:
    tenant, _, _, agent = await providers.setup("vapi")
    number = await providers.buy(tenant, agent)
    await providers.provider_status(tenant, number["id"], "synced")
    # The tenant moves to another Vapi org with an assistant of the same id... it has its own:
    new_key = await providers.key("vapi")
    remote = await providers.remote_agent(new_key)
    assert (await providers.connect(tenant, new_key)).status_code == 200
    r = await providers.api.client.patch(
        f"/v1/tenants/{tenant.id}/agents/{agent}",
        json={"voice": {"mode": "provider", "provider": "vapi", "provider_agent_id": remote}},
        headers=tenant.headers(),
    )
    assert r.status_code == 200, r.text

    async def registered_there() -> bool:
        p = (await providers.number(tenant, number["id"]))["provider"]
        return p["status"] == "synced" and p["agent_id"] == remote

    from tests.fixtures.providers import eventually

    await eventually(registered_there)
    call = await providers.inbound(number["phone_number"])
    assert call["provider"] == {"name": "vapi", "agent_id": remote}, call
