"""Voice-AI providers through the API (DESIGN section 12, issue 17), against the emulators.

Each provider: credentials connected, an agent there, a number bought for it; the emulator holds
the registration bound to that agent, an inbound call reaches the agent and an outbound call
authenticates at the tenant's trunk termination. Then what must follow: rotations, a failing
provider, moves, detaches, releases, offboarding, two providers in one tenant, and bad input.
"""

from __future__ import annotations

from typing import Any

import pytest
import retell
from sqlalchemy import func, select

from callplane.jobs import engine as jobs
from callplane.providers.models import ProviderAccount, ProviderRegistration
from callplane.trunks.models import Trunk
from tests.fixtures.admin import Consoles
from tests.fixtures.gateway import GatewayKit
from tests.fixtures.providers import PROVIDERS, ProvidersKit, eventually

STREAM = {"mode": "stream", "stream_url": "wss://ai.example.com/stream"}


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_bought_number_reaches_the_provider_agent(
    providers: ProvidersKit, provider: str
) -> None:
    tenant, key, remote, agent = await providers.setup(provider)
    number = await providers.buy(tenant, agent)
    e164 = number["phone_number"]
    synced = await providers.provider_status(tenant, number["id"], "synced")
    assert synced["name"] == provider and synced["agent_id"] == remote
    assert synced["synced_at"] and synced["detail"] is None
    held = await providers.registration(provider, e164)
    assert held is not None and held["agent_id"] == remote
    assert held["registration_id"] == synced["registration_id"]
    # The termination is the tenant's trunk toward this provider, with the tenant's SIP user.
    trunk = (
        await providers.api.client.get(f"/v1/tenants/{tenant.id}/trunk", headers=tenant.headers())
    ).json()
    assert held["sip_username"] == trunk["sip_username"]
    assert held["termination_uri"].endswith(".pstn.twilio.com")
    assert f"-{provider}-" in held["termination_uri"], "the provider's own trunk, not the tenant's"
    call = await providers.inbound(e164)
    assert call.get("provider") == {"name": provider, "agent_id": remote}, call
    out = await providers.outbound(provider, e164)
    assert out["status"] == "ok" and out["sip_status"] == 200, out
    # The provider and its numbers are listed, never with a key.
    r = await providers.api.client.get(
        f"/v1/tenants/{tenant.id}/providers", headers=tenant.headers()
    )
    assert r.status_code == 200
    (listed,) = r.json()["data"]
    assert listed["name"] == provider and listed["status"] == "connected"
    assert listed["registrations"] == 1 and listed["origination_uri"]
    assert key.api_key not in r.text


async def test_two_providers_in_one_tenant_each_number_reaches_its_own(
    providers: ProvidersKit,
) -> None:
    tenant, _, retell_agent, at_retell = await providers.setup("retell")
    _, _, vapi_agent, at_vapi = await providers.setup("vapi", tenant)
    one = await providers.buy(tenant, at_retell)
    two = await providers.buy(tenant, at_vapi)
    await providers.provider_status(tenant, one["id"], "synced")
    await providers.provider_status(tenant, two["id"], "synced")
    assert (await providers.inbound(one["phone_number"]))["provider"] == {
        "name": "retell",
        "agent_id": retell_agent,
    }
    assert (await providers.inbound(two["phone_number"]))["provider"] == {
        "name": "vapi",
        "agent_id": vapi_agent,
    }
    assert await providers.registration("vapi", one["phone_number"]) is None
    assert await providers.registration("retell", two["phone_number"]) is None
    # Three trunks of this tenant at Twilio: its own and one per provider, each tagged for it.
    async with providers.api.runtime.uow() as uow:
        rows = (
            await uow.session.execute(
                select(Trunk.provider, Trunk.twilio_sid).where(Trunk.tenant_id == tenant.id)
            )
        ).all()
    assert sorted(str(r.provider) for r in rows) == ["None", "retell", "vapi"]
    assert len({r.twilio_sid for r in rows}) == 3
    for n in (one, two):
        assert (await providers.outbound("retell" if n is one else "vapi", n["phone_number"]))[
            "status"
        ] == "ok"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_rotated_password_reaches_the_provider_even_after_it_failed(
    providers: ProvidersKit, provider: str
) -> None:
    tenant, _, _, agent = await providers.setup(provider)
    number = await providers.buy(tenant, agent)
    e164 = number["phone_number"]
    before = await providers.provider_status(tenant, number["id"], "synced")

    # The provider fails while the password rotates: the registration says failed, and why.
    await providers.fault(provider)
    await providers.rotate(tenant)
    failed = await providers.provider_status(tenant, number["id"], "failed")
    assert "retrying" in failed["detail"], failed
    # The provider still has the old password: its calls are refused at the termination.
    await providers.clear_faults()
    stale = await providers.outbound(provider, e164)
    assert stale["status"] == "failed" and stale["sip_status"] == 403, stale
    # It recovers: the next attempt pushes the new password.
    synced = await providers.provider_status(tenant, number["id"], "synced")
    assert synced["synced_at"] > before["synced_at"]
    assert (await providers.outbound(provider, e164))["status"] == "ok"


async def test_a_rotation_reaches_every_registration_within_one_cycle(
    providers: ProvidersKit,
) -> None:
    tenant = await providers.api.tenant()
    numbers: list[tuple[str, dict[str, Any]]] = []
    for provider in PROVIDERS:
        _, _, _, agent = await providers.setup(provider, tenant)
        numbers.append((provider, await providers.buy(tenant, agent)))
    synced = {
        n["id"]: await providers.provider_status(tenant, n["id"], "synced") for _, n in numbers
    }
    rotated = await providers.rotate(tenant)
    assert rotated["sip_password"]
    for provider, n in numbers:
        now = await providers.provider_status(tenant, n["id"], "synced")
        if now["synced_at"] == synced[n["id"]]["synced_at"]:  # not picked up yet: wait for it

            async def newer(n: dict[str, Any] = n) -> bool:
                p = (await providers.number(tenant, n["id"]))["provider"]
                return p["status"] == "synced" and p["synced_at"] > synced[n["id"]]["synced_at"]

            await eventually(newer)
        assert (await providers.outbound(provider, n["phone_number"]))["status"] == "ok", provider


async def test_detach_move_and_release_follow_at_the_provider(providers: ProvidersKit) -> None:
    tenant, key, _, agent = await providers.setup("retell")
    other_remote = await providers.remote_agent(key, "Sales")
    r = await providers.agent(tenant, "retell", other_remote, name="Sales")
    sales = r.json()["id"]
    _, _, eleven_remote, at_eleven = await providers.setup("elevenlabs", tenant)
    number = await providers.buy(tenant, agent)
    nid, e164 = number["id"], number["phone_number"]
    await providers.provider_status(tenant, nid, "synced")

    async def attach(agent_id: str | None) -> dict[str, Any]:
        r = await providers.api.client.patch(
            f"/v1/tenants/{tenant.id}/phone-numbers/{nid}",
            json={"agent_id": agent_id},
            headers=tenant.headers(),
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    # Moved to another agent at the same provider: the registration names it.
    answer = await attach(sales)
    assert answer["provider"]["status"] == "pending", "the answer does not wait for Retell"
    await providers.provider_status(tenant, nid, "synced")
    assert (await providers.registration("retell", e164))["agent_id"] == other_remote  # type: ignore[index]
    assert (await providers.inbound(e164))["provider"]["agent_id"] == other_remote

    # Moved to another provider: gone at the first, registered at the second.
    await attach(at_eleven)
    synced = await providers.provider_status(tenant, nid, "synced")
    assert synced["name"] == "elevenlabs" and synced["agent_id"] == eleven_remote
    assert await providers.registration("retell", e164) is None
    assert (await providers.inbound(e164))["provider"] == {
        "name": "elevenlabs",
        "agent_id": eleven_remote,
    }
    assert (await providers.outbound("elevenlabs", e164))["status"] == "ok"

    # Detached: gone at the provider, off its trunk (the voice webhook routes it again).
    await attach(None)
    await providers.no_provider(tenant, nid)
    assert await providers.registration("elevenlabs", e164) is None
    assert (await providers.number(tenant, nid))["trunk_id"] is None
    assert "provider" not in await providers.inbound(e164)

    # Attached again, then released: gone at the provider too.
    await attach(agent)
    await providers.provider_status(tenant, nid, "synced")
    r = await providers.api.client.delete(
        f"/v1/tenants/{tenant.id}/phone-numbers/{nid}", headers=tenant.headers()
    )
    assert r.status_code == 200 and r.json()["status"] == "released"
    await providers.no_provider(tenant, nid)
    assert await providers.registration("retell", e164) is None


async def test_an_agent_leaving_its_provider_takes_its_numbers_off_it(
    providers: ProvidersKit, gw: GatewayKit
) -> None:
    tenant, key, _, agent = await providers.setup("vapi")
    number = await providers.buy(tenant, agent)
    await providers.provider_status(tenant, number["id"], "synced")
    r = await providers.api.client.patch(
        f"/v1/tenants/{tenant.id}/agents/{agent}",
        json={"voice": STREAM},
        headers=tenant.headers(),
    )
    assert r.status_code == 200, r.text
    await providers.no_provider(tenant, number["id"])
    assert await providers.registration("vapi", number["phone_number"]) is None
    assert "<Stream" in (await providers.inbound(number["phone_number"])).get("twiml", ""), (
        "back on the voice webhook, which streams to the agent's new URL"
    )
    # Deleting a provider agent does the same.
    r = await providers.agent(tenant, "vapi", await providers.remote_agent(key, "Sales"))
    other = r.json()["id"]
    second = await providers.buy(tenant, other)
    await providers.provider_status(tenant, second["id"], "synced")
    r = await providers.api.client.delete(
        f"/v1/tenants/{tenant.id}/agents/{other}", headers=tenant.headers()
    )
    assert r.status_code == 204
    await providers.no_provider(tenant, second["id"])
    assert await providers.registration("vapi", second["phone_number"]) is None


async def test_offboarding_removes_every_registration_and_provider_trunk(
    providers: ProvidersKit,
) -> None:
    tenant, _, _, at_livekit = await providers.setup("livekit")
    _, _, _, at_retell = await providers.setup("retell", tenant)
    numbers = [await providers.buy(tenant, at_livekit), await providers.buy(tenant, at_retell)]
    for n in numbers:
        await providers.provider_status(tenant, n["id"], "synced")
    r = await providers.api.client.delete(
        f"/v1/tenants/{tenant.id}", headers=providers.api.platform
    )
    assert r.status_code == 200, r.text
    assert await providers.registration("livekit", numbers[0]["phone_number"]) is None
    assert await providers.registration("retell", numbers[1]["phone_number"]) is None
    state = (await providers.control("GET", "/__sandbox/state")).json()
    tag_trunks = [t for t in state["trunks"] if str(tenant.id) in t.get("friendly_name", "")]
    assert tag_trunks == []
    async with providers.api.runtime.uow() as uow:
        left = await uow.session.scalar(
            select(func.count()).select_from(Trunk).where(Trunk.tenant_id == tenant.id)
        )
        regs = await uow.session.scalar(
            select(func.count())
            .select_from(ProviderRegistration)
            .where(ProviderRegistration.tenant_id == tenant.id)
        )
        accounts = await uow.session.scalar(
            select(func.count())
            .select_from(ProviderAccount)
            .where(ProviderAccount.tenant_id == tenant.id)
        )
    assert (left, regs, accounts) == (0, 0, 0)
    names = [t["friendly_name"] for t in state["trunks"]]
    assert not any(f"_{p}_" in n for n in names for p in PROVIDERS), names


def _retell_client(key: Any) -> retell.Retell:
    return retell.Retell(api_key=key.api_key, base_url=key.answer["base_url"], max_retries=0)


async def test_reconcile_reregisters_what_went_missing_and_reports_what_it_does_not_know(
    providers: ProvidersKit,
) -> None:
    tenant, key, remote, agent = await providers.setup("retell")
    number = await providers.buy(tenant, agent)
    e164 = number["phone_number"]
    await providers.provider_status(tenant, number["id"], "synced")
    # Once callplane is idle: a sync still in flight (the purchase queues more than one) would
    # register the number again after it is deleted below, and leave reconcile nothing to do.
    await jobs.wait_background()
    client = _retell_client(key)
    # Behind callplane's back: its registration deleted, another number imported by hand.
    client.phone_number.delete(e164)
    stranger = "+14155550177"
    client.phone_number.import_(phone_number=stranger, termination_uri="elsewhere.example.com")
    assert (await providers.outbound("retell", e164))["status"] == "failed"

    async def reconcile(dry_run: bool) -> dict[str, Any]:
        r = await providers.api.client.post(
            "/v1/reconcile",
            json={"tenant_id": str(tenant.id), "dry_run": dry_run},
            headers=providers.api.platform,
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    dry = await reconcile(True)
    assert dry["summary"]["provider_reregistered"] == 1 and dry["summary"]["provider_unknown"] == 1
    assert await providers.registration("retell", e164) is None, "a dry run changes nothing"

    run = await reconcile(False)
    summary = run["summary"]
    assert summary["provider_accounts_checked"] == 1
    assert summary["provider_reregistered"] == 1
    assert summary["provider_unknown"] == 1
    unknown = [o for o in run["orphans"] if o.get("kind") == "provider_registration"]
    assert [(o["provider"], o["phone_number"]) for o in unknown] == [("retell", stranger)]
    back = await providers.registration("retell", e164)
    assert back is not None and back["agent_id"] == remote
    assert (await providers.outbound("retell", e164))["status"] == "ok"
    assert await providers.registration("retell", stranger) is not None, "never deleted"

    # A second run finds nothing to fix (the stranger is reported again).
    again = (await reconcile(False))["summary"]
    assert again["provider_reregistered"] == 0 and again["provider_pushed"] == 0
    assert again["provider_unknown"] == 1


async def test_explain_shows_the_provider_step(
    providers: ProvidersKit, cli: Any, console: Consoles
) -> None:
    tenant, _, remote, agent = await providers.setup("elevenlabs")
    number = await providers.buy(tenant, agent)
    e164 = number["phone_number"]
    await providers.provider_status(tenant, number["id"], "synced")

    async def step() -> dict[str, Any]:
        r = await providers.api.client.get(
            "/v1/routes/explain", params={"to": e164}, headers=providers.api.platform
        )
        assert r.status_code == 200, r.text
        (found,) = [s for s in r.json()["steps"] if s["step"] == "provider"]
        return found  # type: ignore[no-any-return]

    ok = await step()
    assert ok["ok"] and ok["data"]["credentials_in_sync"] is True, ok
    assert remote in ok["summary"] and "in sync" in ok["summary"]
    # The same step in the CLI and in the console (a tenant's admin, its number's page).
    printed = await cli("explain", "--to", e164)
    assert "ok provider" in " ".join(printed.split()) and remote in printed, printed
    page = await (await console.signed_in(tenant.admin_key)).get(
        f"/admin/t/{tenant.id}/numbers/{number['id']}/explain"
    )
    assert page.status_code == 200 and f"ElevenLabs agent &#39;{remote}&#39;" in page.text
    # Rotated while ElevenLabs fails: explain says the credentials there are stale, and why.
    await providers.fault("elevenlabs")
    await providers.rotate(tenant)
    await providers.provider_status(tenant, number["id"], "failed")
    stale = await step()
    assert not stale["ok"] and stale["data"]["credentials_in_sync"] is False, stale
    assert "old ones" in stale["summary"] and "did not answer" in stale["summary"], stale
    await providers.clear_faults()
    await providers.provider_status(tenant, number["id"], "synced")
    assert (await step())["ok"]


async def test_a_forced_sync_answers_how_it_ended(providers: ProvidersKit) -> None:
    tenant, _, _, agent = await providers.setup("retell")
    number = await providers.buy(tenant, agent)
    await providers.provider_status(tenant, number["id"], "synced")
    url = f"/v1/tenants/{tenant.id}/phone-numbers/{number['id']}/provider/sync"
    r = await providers.api.client.post(url, headers=tenant.headers())
    assert r.status_code == 200 and r.json()["provider"]["status"] == "synced", r.text
    await providers.fault("retell")
    r = await providers.api.client.post(url, headers=tenant.headers())
    assert r.status_code == 200 and r.json()["provider"]["status"] == "failed", r.text
    await providers.clear_faults()
    await providers.provider_status(tenant, number["id"], "synced")
    r = await providers.api.client.post(url, headers=tenant.headers("member"))
    assert r.status_code == 403, "members read only"
    plain = await providers.buy(tenant, None)
    r = await providers.api.client.post(
        f"/v1/tenants/{tenant.id}/phone-numbers/{plain['id']}/provider/sync",
        headers=tenant.headers(),
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "phone_number_not_on_provider"
