"""The tenant's trunk and its providers: a trunk found again after its row was lost, or a legacy
trunk adopted, issues a new SIP password, which every provider gets (also after failing for a
while); the tenant's trunk is not deleted from under its providers' numbers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from callplane.trunks.models import Trunk
from tests.fixtures.api import TenantKit
from tests.fixtures.providers import ProvidersKit
from tests.fixtures.trunks import SandboxView, legacy_trunk


async def _own_trunk(providers: ProvidersKit, tenant: TenantKit) -> dict[str, Any]:
    r = await providers.api.client.get(
        f"/v1/tenants/{tenant.id}/trunk",
        headers=tenant.headers(),
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def _put_trunk(providers: ProvidersKit, tenant: TenantKit) -> dict[str, Any]:
    r = await providers.api.client.put(
        f"/v1/tenants/{tenant.id}/trunk",
        headers=tenant.headers(),
    )
    assert r.status_code in (200, 201), r.text
    return r.json()  # type: ignore[no-any-return]


async def _forget_own_trunk_row(providers: ProvidersKit, tenant: TenantKit) -> None:
    async with providers.api.runtime.uow() as uow:
        await uow.session.execute(
            delete(Trunk).where(
                Trunk.tenant_id == tenant.id,
                Trunk.provider.is_(None),
            )
        )
        await uow.commit()


async def test_a_trunk_found_again_gives_the_providers_its_new_password(
    providers: ProvidersKit,
) -> None:
    tenant, _, _, agent = await providers.setup("retell")
    number = await providers.buy(tenant, agent)
    e164 = number["phone_number"]
    first = await providers.provider_status(tenant, number["id"], "synced")
    before = await _own_trunk(providers, tenant)

    await providers.fault("retell")
    await _forget_own_trunk_row(providers, tenant)  # a lost database row
    found = await _put_trunk(providers, tenant)
    assert found["origin"] == "found" and found["password_reissued"], found
    assert found["sid"] == before["sid"]
    await providers.provider_status(tenant, number["id"], "failed")
    await providers.clear_faults()
    assert (await providers.outbound("retell", e164))["sip_status"] == 403, "stale until synced"
    synced = await providers.provider_status(tenant, number["id"], "synced")
    assert synced["synced_at"] > first["synced_at"]
    assert (await providers.outbound("retell", e164))["status"] == "ok"


async def test_an_adopted_legacy_trunk_gives_the_providers_its_new_password(
    providers: ProvidersKit, sandbox_view: SandboxView
) -> None:
    tenant, _, _, agent = await providers.setup("livekit")
    number = await providers.buy(tenant, agent)
    e164 = number["phone_number"]
    await providers.provider_status(tenant, number["id"], "synced")
    own = await _own_trunk(providers, tenant)
    # Before callplane's trunk, the tenant's numbers were on a legacy trunk: the tenant's own
    # trunk is gone (at Twilio and here), and a legacy trunk holds another of its numbers.
    other = await providers.buy(tenant, None)
    client = sandbox_view.platform_client()
    legacy_trunk(client, "cp-legacy", [other["twilio_sid"]], origination="sip:old.example.com")
    client.trunking.v1.trunks(own["sid"]).delete()
    await _forget_own_trunk_row(providers, tenant)

    await providers.fault("livekit")
    adopted = await _put_trunk(providers, tenant)
    assert adopted["origin"] == "adopted" and adopted["sid"] != own["sid"], adopted
    await providers.provider_status(tenant, number["id"], "failed")
    await providers.clear_faults()
    assert (await providers.outbound("livekit", e164))["sip_status"] == 403, "stale until synced"
    await providers.provider_status(tenant, number["id"], "synced")
    assert (await providers.outbound("livekit", e164))["status"] == "ok"
    call = await providers.inbound(e164)
    assert call["provider"]["name"] == "livekit" and "error" not in call["provider"], call


async def test_the_tenants_trunk_stays_while_providers_use_its_credentials(
    providers: ProvidersKit,
) -> None:
    tenant, _, _, agent = await providers.setup("vapi")
    number = await providers.buy(tenant, agent)
    await providers.provider_status(tenant, number["id"], "synced")
    client, headers = providers.api.client, tenant.headers()
    r = await client.delete(f"/v1/tenants/{tenant.id}/trunk", headers=headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "trunk_in_use_by_providers"
    r = await client.put(
        f"/v1/tenants/{tenant.id}/trunk/phone-numbers/{number['id']}", headers=headers
    )
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "phone_number_on_provider_trunk"
    assert (await providers.outbound("vapi", number["phone_number"]))["status"] == "ok"

    # Once no number is registered, the trunk goes, and the provider trunks with it.
    await client.patch(
        f"/v1/tenants/{tenant.id}/phone-numbers/{number['id']}",
        json={"agent_id": None},
        headers=headers,
    )
    await providers.no_provider(tenant, number["id"])
    r = await client.delete(f"/v1/tenants/{tenant.id}/trunk", headers=headers)
    assert r.status_code == 204, r.text
    state = (await providers.control("GET", "/__sandbox/state")).json()
    assert not [t for t in state["trunks"] if "_vapi_" in t["friendly_name"]]
