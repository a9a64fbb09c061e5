"""Legacy shared trunks: adopted only when every number on them is the tenant's; migrated."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from sqlalchemy import select

from callplane.db.audit import AuditLog
from callplane.numbers.models import PhoneNumber
from callplane.tenancy import SYSTEM
from callplane.trunks.migrate import migrate_legacy_trunks
from callplane.trunks.naming import tenant_tag
from tests.fixtures.api import Api
from tests.fixtures.db import TEST_KEY
from tests.fixtures.logscan import record_output
from tests.fixtures.trunks import SandboxView, connect_byo, held_number, legacy_trunk

LEGACY_ORIGINATION = "sip:legacy.voice-ai.example"


async def trunk_ids(api: Api) -> dict[str, object]:
    async with api.runtime.uow() as uow:
        rows = (await uow.session.execute(select(PhoneNumber))).scalars().all()
        return {r.e164: r.trunk_id for r in rows}


async def audit_actions(api: Api) -> list[str]:
    async with api.runtime.uow() as uow:
        return list((await uow.session.execute(select(AuditLog.action))).scalars())


async def test_a_legacy_trunk_with_only_the_tenants_numbers_is_adopted(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    n1, n2 = await held_number(api, t), await held_number(api, t)
    client = sandbox_view.platform_client()
    legacy = legacy_trunk(
        client, f"cp_{str(t.id)[:8]}", [n1.twilio_sid, n2.twilio_sid], LEGACY_ORIGINATION
    )
    r = await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["sid"] == legacy and body["origin"] == "adopted"
    # Renamed, so that a lost row finds it by its tag later.
    assert body["friendly_name"].startswith(f"cp_{tenant_tag(t.id)}_")
    # It had no domain: it gets a tagged one, the termination URI for the provider.
    suffix = body["friendly_name"].rsplit("_", 1)[1]
    assert body["domain_name"] == f"cp-{tenant_tag(t.id)}-{suffix}.pstn.twilio.com"
    assert body["origination_uri"] == LEGACY_ORIGINATION  # kept: calls still go where they went
    assert body["sip_password"] and body["password_reissued"] is True  # callplane's own credentials
    assert sorted(body["phone_numbers"]) == sorted([n1.e164, n2.e164])
    assert len(sandbox_view.trunks()) == 1
    assert "trunk.adopted" in await audit_actions(api)
    # And from now on it is simply the tenant's trunk.
    again = (await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())).json()
    assert again["sid"] == legacy and again["sip_password"] is None


async def test_a_legacy_trunk_holding_another_tenants_number_is_not_adopted(
    api: Api, sandbox_view: SandboxView
) -> None:
    a, b = await api.tenant(), await api.tenant()
    mine, theirs = await held_number(api, a), await held_number(api, b)
    client = sandbox_view.platform_client()
    legacy = legacy_trunk(client, "cp", [mine.twilio_sid, theirs.twilio_sid], LEGACY_ORIGINATION)
    r = await api.client.put(f"/v1/tenants/{a.id}/trunk", headers=a.headers())
    assert r.status_code == 201, r.text
    assert r.json()["sid"] != legacy and r.json()["origin"] == "created"
    # The legacy trunk is untouched: same name, both numbers still on it.
    old = next(x for x in sandbox_view.trunks() if x["sid"] == legacy)
    assert old["friendly_name"] == "cp"
    assert sorted(old["phone_numbers"]) == sorted([mine.twilio_sid, theirs.twilio_sid])
    assert "trunk.adopted" not in await audit_actions(api)


async def test_a_legacy_trunk_with_a_number_nobody_holds_is_not_adopted(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    mine = await held_number(api, t)
    client = sandbox_view.platform_client()
    stray = client.incoming_phone_numbers.create(
        phone_number=client.available_phone_numbers("US").local.list(limit=1)[0].phone_number
    )
    legacy = legacy_trunk(client, "cp-main", [mine.twilio_sid, stray.sid])
    r = await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())
    assert r.status_code == 201 and r.json()["sid"] != legacy


async def test_an_empty_legacy_trunk_or_two_candidates_are_not_adopted(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    client = sandbox_view.platform_client()
    legacy_trunk(client, "cp_empty", [])
    r = await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())
    assert r.status_code == 201, r.text
    await api.client.delete(f"/v1/tenants/{t.id}/trunk", headers=t.headers())
    n1, n2 = await held_number(api, t), await held_number(api, t)
    first = legacy_trunk(client, "cp_one", [n1.twilio_sid])
    second = legacy_trunk(client, "cp_two", [n2.twilio_sid])
    r = await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())
    assert r.status_code == 201 and r.json()["sid"] not in (first, second)


async def test_a_tagged_trunk_of_another_tenant_is_never_legacy(
    api: Api, sandbox_view: SandboxView
) -> None:
    a, b = await api.tenant(), await api.tenant()
    ta = (await api.client.put(f"/v1/tenants/{a.id}/trunk", headers=a.headers())).json()
    number = await held_number(api, b)
    # Someone put B's number on A's trunk at Twilio: it is still not B's to adopt.
    sandbox_view.platform_client().trunking.v1.trunks(ta["sid"]).phone_numbers.create(
        phone_number_sid=number.twilio_sid
    )
    tb = (await api.client.put(f"/v1/tenants/{b.id}/trunk", headers=b.headers())).json()
    assert tb["sid"] != ta["sid"] and tb["origin"] == "created"


async def test_migrate_moves_numbers_to_their_owners_and_deletes_the_empty_legacy_trunk(
    api: Api, sandbox_view: SandboxView
) -> None:
    a, b = await api.tenant(), await api.tenant()
    a1, a2, b1 = await held_number(api, a), await held_number(api, a), await held_number(api, b)
    client = sandbox_view.platform_client()
    shared = legacy_trunk(
        client, "cp_shared", [a1.twilio_sid, a2.twilio_sid, b1.twilio_sid], LEGACY_ORIGINATION
    )
    # B already has its isolated trunk; A has none yet.
    tb = (await api.client.put(f"/v1/tenants/{b.id}/trunk", headers=b.headers())).json()

    # A dry run changes nothing, at Twilio or in the database.
    before_state, before_db = sandbox_view.state(), await trunk_ids(api)
    async with api.runtime.uow() as uow:
        plan = await migrate_legacy_trunks(uow=uow, actor=SYSTEM, dry_run=True)
    assert plan.dry_run and len(plan.moved) == 3
    assert {m.phone_number: m.to_trunk for m in plan.moved} == {
        a1.e164: "new trunk",
        a2.e164: "new trunk",
        b1.e164: tb["sid"],
    }
    assert [t.outcome for t in plan.legacy_trunks] == ["would delete"]
    after_state = sandbox_view.state()
    assert after_state["trunks"] == before_state["trunks"]
    assert after_state["numbers"] == before_state["numbers"]
    assert after_state["credential_lists"] == before_state["credential_lists"]
    assert await trunk_ids(api) == before_db

    async with api.runtime.uow() as uow:
        report = await migrate_legacy_trunks(uow=uow, actor=SYSTEM)
    assert not report.errors and report.deleted == [shared]
    ta = (await api.client.get(f"/v1/tenants/{a.id}/trunk", headers=a.headers())).json()
    assert ta["origin"] == "created" and ta["origination_uri"] == LEGACY_ORIGINATION
    trunks = {t["sid"]: t for t in sandbox_view.trunks()}
    assert set(trunks) == {ta["sid"], tb["sid"]}  # the emptied legacy trunk is gone
    assert sorted(trunks[ta["sid"]]["phone_numbers"]) == sorted([a1.twilio_sid, a2.twilio_sid])
    assert trunks[tb["sid"]]["phone_numbers"] == [b1.twilio_sid]
    ids = await trunk_ids(api)
    assert ids[a1.e164] == ids[a2.e164] and str(ids[a1.e164]) == ta["id"]
    assert str(ids[b1.e164]) == tb["id"]
    actions = await audit_actions(api)
    assert actions.count("trunk.number_migrated") == 3 and "trunk.legacy_deleted" in actions
    # Running it again finds nothing to do.
    async with api.runtime.uow() as uow:
        again = await migrate_legacy_trunks(uow=uow, actor=SYSTEM)
    assert again.moved == [] and again.legacy_trunks == []


async def test_migrate_keeps_unowned_numbers_and_the_trunk_that_holds_them(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    mine = await held_number(api, t)
    client = sandbox_view.platform_client()
    stray = client.incoming_phone_numbers.create(
        phone_number=client.available_phone_numbers("US").local.list(limit=1)[0].phone_number
    )
    legacy = legacy_trunk(client, "cp", [mine.twilio_sid, stray.sid])
    async with api.runtime.uow() as uow:
        report = await migrate_legacy_trunks(uow=uow, actor=SYSTEM)
    assert [m.phone_number for m in report.moved] == [mine.e164]
    assert [u["phone_number"] for u in report.unowned] == [stray.phone_number]
    [entry] = report.legacy_trunks
    assert entry.sid == legacy and entry.outcome == "kept"
    remaining = next(x for x in sandbox_view.trunks() if x["sid"] == legacy)
    assert remaining["phone_numbers"] == [stray.sid]


async def test_migrate_one_tenant_only(api: Api, sandbox_view: SandboxView) -> None:
    a, b = await api.tenant(), await api.tenant()
    na, nb = await held_number(api, a), await held_number(api, b)
    client = sandbox_view.platform_client()
    legacy = legacy_trunk(client, "cp", [na.twilio_sid, nb.twilio_sid])
    async with api.runtime.uow() as uow:
        report = await migrate_legacy_trunks(uow=uow, actor=SYSTEM, tenant_id=a.id)
    assert [m.phone_number for m in report.moved] == [na.e164]
    assert [s["phone_number"] for s in report.skipped] == [nb.e164]
    old = next(x for x in sandbox_view.trunks() if x["sid"] == legacy)
    assert old["phone_numbers"] == [nb.twilio_sid]  # B's number waits for B's turn
    assert (
        await api.client.get(f"/v1/tenants/{b.id}/trunk", headers=b.headers())
    ).status_code == 404
    async with api.runtime.uow() as uow:
        report = await migrate_legacy_trunks(uow=uow, actor=SYSTEM, tenant_id=b.id)
    # Only B's number is left on the legacy trunk now: B adopts it (DESIGN section 7, step 3).
    assert report.moved == [] and [t.outcome for t in report.legacy_trunks] == ["adopted"]
    tb = (await api.client.get(f"/v1/tenants/{b.id}/trunk", headers=b.headers())).json()
    assert tb["sid"] == legacy and tb["origin"] == "adopted" and tb["phone_numbers"] == [nb.e164]


async def test_migrate_adopts_a_legacy_trunk_of_one_tenant_and_fills_it(
    api: Api, sandbox_view: SandboxView
) -> None:
    a, b = await api.tenant(), await api.tenant()
    a1, a2, b1 = await held_number(api, a), await held_number(api, a), await held_number(api, b)
    client = sandbox_view.platform_client()
    shared = legacy_trunk(client, "cp_shared", [a1.twilio_sid, b1.twilio_sid], LEGACY_ORIGINATION)
    own = legacy_trunk(client, f"cp_{str(a.id)[:8]}", [a2.twilio_sid], LEGACY_ORIGINATION)
    async with api.runtime.uow() as uow:
        report = await migrate_legacy_trunks(uow=uow, actor=SYSTEM)
    assert not report.errors
    assert report.tenant_trunks[str(a.id)]["sid"] == own  # A's own legacy trunk is adopted
    assert {m.phone_number: m.to_trunk for m in report.moved}[a1.e164] == own
    assert report.deleted == [shared]
    outcomes = {t.sid: t.outcome for t in report.legacy_trunks}
    assert outcomes == {shared: "deleted", own: "adopted"}
    trunks = {t["sid"]: t for t in sandbox_view.trunks()}
    assert sorted(trunks[own]["phone_numbers"]) == sorted([a1.twilio_sid, a2.twilio_sid])


async def test_migrate_in_a_shared_byo_account(api: Api, sandbox_view: SandboxView) -> None:
    account = sandbox_view.new_account("shared byo")
    a, b = await api.tenant(), await api.tenant()
    await connect_byo(api, a, account)
    await connect_byo(api, b, account)
    na, nb = await held_number(api, a), await held_number(api, b)
    legacy = legacy_trunk(account.client, "cp", [na.twilio_sid, nb.twilio_sid], LEGACY_ORIGINATION)
    async with api.runtime.uow() as uow:
        report = await migrate_legacy_trunks(uow=uow, actor=SYSTEM)
    assert not report.errors and report.deleted == [legacy]
    trunks = sandbox_view.trunks(account.sid)
    assert len(trunks) == 2 and all(len(t["phone_numbers"]) == 1 for t in trunks)
    by_tag = {t["friendly_name"].split("_")[1]: t for t in trunks}
    assert by_tag[tenant_tag(a.id)]["phone_numbers"] == [na.twilio_sid]
    assert by_tag[tenant_tag(b.id)]["phone_numbers"] == [nb.twilio_sid]


async def test_the_cli_dry_run_reports_and_changes_nothing(
    api: Api, sandbox_view: SandboxView
) -> None:
    a, b = await api.tenant(), await api.tenant()
    na, nb = await held_number(api, a), await held_number(api, b)
    legacy = legacy_trunk(sandbox_view.platform_client(), "cp", [na.twilio_sid, nb.twilio_sid])
    settings = api.runtime.settings
    env = {
        **os.environ,
        "CALLPLANE_DATABASE_URL": settings.database_url,
        "CALLPLANE_ENCRYPTION_KEYS": TEST_KEY,
        "CALLPLANE_TWILIO_ACCOUNT_SID": settings.twilio_account_sid or "",
        "CALLPLANE_TWILIO_AUTH_TOKEN": settings.twilio_auth_token.get_secret_value(),  # type: ignore[union-attr]
        "CALLPLANE_TWILIO_BASE_URL": settings.twilio_base_url or "",
        "CALLPLANE_LOG_LEVEL": "WARNING",
    }
    before = sandbox_view.state()

    async def cli(*args: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "callplane.cli",
            "trunks",
            "migrate",
            *args,
            env=env,
            cwd=Path(__file__).parents[2],
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        record_output("callplane trunks migrate", out)
        return proc.returncode or 0, out.decode()

    code, out = await cli("--dry-run")
    assert code == 0, out
    assert f"would move {na.e164} (tenant {a.id}): {legacy} -> new trunk" in out
    assert f"would move {nb.e164} (tenant {b.id}): {legacy} -> new trunk" in out
    assert f"legacy trunk {legacy} 'cp': would delete" in out
    after = sandbox_view.state()
    assert (after["trunks"], after["numbers"]) == (before["trunks"], before["numbers"])
    code, out = await cli("--dry-run", "--tenant", a.slug)
    assert code == 0 and f"would move {na.e164}" in out and nb.e164 not in out.split("legacy")[0]
    code, out = await cli("--json")
    assert code == 0, out
    report = json.loads(out[out.index("{") :])
    assert sorted(m["phone_number"] for m in report["moved"]) == sorted([na.e164, nb.e164])
    assert report["legacy_trunks"][0]["sid"] == legacy
    assert report["legacy_trunks"][0]["outcome"] == "deleted"
    assert legacy not in {t["sid"] for t in sandbox_view.trunks()}


async def test_adoption_detaches_credentials_shared_with_other_trunks(
    api: Api, sandbox_view: SandboxView
) -> None:
    a, b = await api.tenant(), await api.tenant()
    na, nb = await held_number(api, a), await held_number(api, b)
    client = sandbox_view.platform_client()
    sip = client.sip.credential_lists
    shared_list = sip.create(friendly_name="legacy shared")
    own_list = sip.create(friendly_name="legacy tenant a")
    mine = legacy_trunk(client, f"cp_{str(a.id)[:8]}", [na.twilio_sid], LEGACY_ORIGINATION)
    theirs = legacy_trunk(client, f"cp_{str(b.id)[:8]}", [nb.twilio_sid], LEGACY_ORIGINATION)
    for trunk, cl in ((mine, shared_list), (theirs, shared_list), (mine, own_list)):
        client.trunking.v1.trunks(trunk).credentials_lists.create(credential_list_sid=cl.sid)
    body = (await api.client.put(f"/v1/tenants/{a.id}/trunk", headers=a.headers())).json()
    assert body["sid"] == mine and body["origin"] == "adopted"
    attached = {t["sid"]: set(t["credential_lists"]) for t in sandbox_view.trunks()}
    # The shared list no longer opens A's trunk; A's own legacy list and callplane's list do.
    assert shared_list.sid not in attached[mine] and own_list.sid in attached[mine]
    assert len(attached[mine]) == 2
    assert attached[theirs] == {shared_list.sid}  # B's legacy trunk is not touched
    async with api.runtime.uow() as uow:
        audit = (
            await uow.session.execute(select(AuditLog).where(AuditLog.action == "trunk.adopted"))
        ).scalar_one()
        assert audit.detail["shared_credential_lists_detached"] == [shared_list.sid]


async def test_an_adopted_trunk_keeps_its_domain(api: Api, sandbox_view: SandboxView) -> None:
    t = await api.tenant()
    number = await held_number(api, t)
    client = sandbox_view.platform_client()
    domain = "legacy-acme.pstn.twilio.com"
    legacy = legacy_trunk(client, "cp_acme", [number.twilio_sid], domain_name=domain)
    body = (await api.client.put(f"/v1/tenants/{t.id}/trunk", headers=t.headers())).json()
    assert body["sid"] == legacy and body["domain_name"] == domain
    assert body["termination_uri"] == f"sip:{domain}"
