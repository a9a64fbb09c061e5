"""A tenant's numbers on its trunk: attach, detach, emergency address, delete, lost row."""

from __future__ import annotations

import httpx
from sqlalchemy import delete, select

from callplane.numbers import compliance
from callplane.numbers.models import PhoneNumber
from callplane.numbers.schemas import ComplianceIn
from callplane.tenancy import SYSTEM
from callplane.trunks.models import Trunk
from tests.fixtures.api import Api, TenantKit
from tests.fixtures.trunks import SandboxView, held_number

ORIGINATION = "sip:agent.voice-ai.example"


def numbers_url(t: TenantKit, nid: object) -> str:
    return f"/v1/tenants/{t.id}/trunk/phone-numbers/{nid}"


def sandbox_number(view: SandboxView, sid: str) -> dict:
    return next(n for n in view.state()["numbers"] if n["sid"] == sid)


async def inbound_call(api: Api, to: str) -> dict:
    async with httpx.AsyncClient(base_url=api.runtime.settings.twilio_base_url or "") as http:
        r = await http.post("/__sandbox/inbound/call", json={"from": "+15005550006", "to": to})
    r.raise_for_status()
    return r.json()


async def test_attach_and_detach_a_number(api: Api, sandbox_view: SandboxView) -> None:
    t = await api.tenant()
    trunk = (
        await api.client.put(
            f"/v1/tenants/{t.id}/trunk",
            json={"origination_sip_uri": ORIGINATION},
            headers=t.headers(),
        )
    ).json()
    number = await held_number(api, t)
    r = await api.client.put(numbers_url(t, number.id), headers=t.headers())
    assert r.status_code == 200, r.text
    assert r.json()["trunk_id"] == trunk["id"] and r.json()["phone_number"] == number.e164
    assert sandbox_number(sandbox_view, number.twilio_sid)["trunk_sid"] == trunk["sid"]
    got = (await api.client.get(f"/v1/tenants/{t.id}/trunk", headers=t.headers())).json()
    assert got["phone_numbers"] == [number.e164]
    # Twilio now routes the number by the trunk: the call goes to the origination URI.
    call = await inbound_call(api, number.e164)
    assert call["trunk_sid"] == trunk["sid"] and call["url"] == ORIGINATION
    # Attaching again changes nothing.
    assert (await api.client.put(numbers_url(t, number.id), headers=t.headers())).status_code == 200
    assert [x["phone_numbers"] for x in sandbox_view.trunks()] == [[number.twilio_sid]]

    r = await api.client.delete(numbers_url(t, number.id), headers=t.headers())
    assert r.status_code == 200 and r.json()["trunk_id"] is None
    assert sandbox_number(sandbox_view, number.twilio_sid)["trunk_sid"] is None
    assert (
        await api.client.delete(numbers_url(t, number.id), headers=t.headers())
    ).status_code == 200
    assert (await inbound_call(api, number.e164)).get("trunk_sid") is None
    async with api.runtime.uow() as uow:
        rows = set((await uow.session.execute(select(Trunk.id))).scalars())
        assert len(rows) == 1  # detaching a number leaves the trunk alone


async def test_another_tenants_number_is_404_and_untouched(
    api: Api, sandbox_view: SandboxView
) -> None:
    a, b = await api.tenant(), await api.tenant()
    await api.client.put(f"/v1/tenants/{a.id}/trunk", headers=a.headers())
    theirs = await held_number(api, b)
    before = sandbox_view.state()
    r = await api.client.put(numbers_url(a, theirs.id), headers=a.headers())
    assert r.status_code == 404, r.text
    r = await api.client.delete(numbers_url(a, theirs.id), headers=a.headers())
    assert r.status_code == 404
    # Even a platform key cannot put B's number on A's trunk through A's URL.
    assert (
        await api.client.put(numbers_url(a, theirs.id), headers=api.platform)
    ).status_code == 404
    after = sandbox_view.state()
    assert after["trunks"] == before["trunks"] and after["numbers"] == before["numbers"]
    async with api.runtime.uow() as uow:
        row = await uow.session.get(PhoneNumber, theirs.id)
        assert row is not None and row.trunk_id is None


async def test_attach_without_a_trunk_is_404_and_nothing_is_created(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    number = await held_number(api, t)
    r = await api.client.put(numbers_url(t, number.id), headers=t.headers())
    assert r.status_code == 404 and "trunk" in r.json()["error"]["message"]
    assert sandbox_view.counts() == (0, 0, 0)
    assert sandbox_number(sandbox_view, number.twilio_sid)["trunk_sid"] is None


async def test_the_emergency_address_of_the_compliance_profile_is_registered(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())
    number = await held_number(api, t)  # bought before the profile existed: no address yet
    client = sandbox_view.platform_client()
    address = client.addresses.create(
        customer_name="Example Inc",
        street="1 Main St",
        city="Austin",
        region="TX",
        postal_code="78701",
        iso_country="US",
        emergency_enabled=True,
    )
    async with api.runtime.uow() as uow:
        await compliance.put_profile(
            uow=uow,
            actor=SYSTEM,
            scope=None,
            country=number.country,
            number_type=number.type,
            data=ComplianceIn(emergency_address_sid=address.sid),
        )
    r = await api.client.put(numbers_url(t, number.id), headers=t.headers())
    assert r.status_code == 200, r.text
    assert r.json()["emergency_address_sid"] == address.sid
    ipn = client.incoming_phone_numbers(number.twilio_sid).fetch()
    assert ipn.emergency_address_sid == address.sid and ipn.trunk_sid is not None


async def test_delete_trunk_detaches_its_numbers_first(api: Api, sandbox_view: SandboxView) -> None:
    t = await api.tenant()
    await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())
    n1, n2 = await held_number(api, t), await held_number(api, t)
    for n in (n1, n2):
        assert (await api.client.put(numbers_url(t, n.id), headers=t.headers())).status_code == 200
    r = await api.client.delete(f"/v1/tenants/{t.id}/trunk", headers=t.headers())
    assert r.status_code == 204, r.text
    assert sandbox_view.counts() == (0, 0, 0)
    for n in (n1, n2):
        assert sandbox_number(sandbox_view, n.twilio_sid)["trunk_sid"] is None  # numbers are kept
    async with api.runtime.uow() as uow:
        rows = (await uow.session.execute(select(PhoneNumber))).scalars().all()
        assert {r.status for r in rows} == {"active"} and {r.trunk_id for r in rows} == {None}


async def test_a_lost_row_re_reads_the_trunks_numbers(api: Api, sandbox_view: SandboxView) -> None:
    t = await api.tenant()
    first = (await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())).json()
    number = await held_number(api, t)
    await api.client.put(numbers_url(t, number.id), headers=t.headers())
    async with api.runtime.uow() as uow:  # the row goes; ON DELETE SET NULL clears trunk_id
        await uow.session.execute(delete(Trunk))
        await uow.commit()
    again = (await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())).json()
    assert again["sid"] == first["sid"] and again["phone_numbers"] == [number.e164]
    async with api.runtime.uow() as uow:
        row = await uow.session.get(PhoneNumber, number.id)
        assert row is not None and str(row.trunk_id) == again["id"]


async def test_a_recreated_trunk_gets_its_numbers_back(api: Api, sandbox_view: SandboxView) -> None:
    t = await api.tenant()
    first = (await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())).json()
    number = await held_number(api, t)
    await api.client.put(numbers_url(t, number.id), headers=t.headers())
    sandbox_view.platform_client().trunking.v1.trunks(first["sid"]).delete()  # gone at Twilio
    again = (await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())).json()
    assert again["sid"] != first["sid"] and again["phone_numbers"] == [number.e164]
    assert sandbox_number(sandbox_view, number.twilio_sid)["trunk_sid"] == again["sid"]


async def test_offboarding_deletes_the_trunk(api: Api, sandbox_view: SandboxView) -> None:
    t, other = await api.tenant(), await api.tenant()
    await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())
    await api.client.put(f"/v1/tenants/{other.id}/trunk", headers=other.headers())
    number = await held_number(api, t)
    await api.client.put(numbers_url(t, number.id), headers=t.headers())
    r = await api.client.delete(f"/v1/tenants/{t.id}", headers=api.platform)
    assert r.status_code == 200, r.text
    [left] = sandbox_view.trunks()  # only the other tenant's trunk and credential list remain
    assert left["credential_lists"] == [c["sid"] for c in sandbox_view.credential_lists()]
    async with api.runtime.uow() as uow:
        assert (await uow.session.execute(select(Trunk.tenant_id))).scalars().all() == [other.id]
