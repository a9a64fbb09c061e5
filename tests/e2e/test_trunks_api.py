"""Per-tenant SIP trunks over the API, against the sandbox (every test runs on SQLite and PG)."""

from __future__ import annotations

import re
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from callplane.app import create_app
from callplane.connections import service as connections
from callplane.db.audit import AuditLog
from callplane.runtime import Runtime
from callplane.tenants import service as tenants_service
from callplane.trunks.models import Trunk
from callplane.trunks.naming import tenant_tag
from tests.fixtures.api import Api, TenantKit
from tests.fixtures.trunks import SandboxView, connect_byo

ORIGINATION = "sip:agent.voice-ai.example;transport=tcp"


def trunk_url(t: TenantKit) -> str:
    return f"/v1/tenants/{t.id}/trunk"


async def put_trunk(api: Api, t: TenantKit, body: dict | None = None, role: str = "admin"):
    if body is None:
        return await api.client.put(trunk_url(t), headers=t.headers(role))
    return await api.client.put(trunk_url(t), json=body, headers=t.headers(role))


async def test_put_creates_an_isolated_trunk_once(api: Api, sandbox_view: SandboxView) -> None:
    t = await api.tenant()
    r = await put_trunk(api, t, {"origination_sip_uri": ORIGINATION})
    assert r.status_code == 201, r.text
    body = r.json()
    tag = tenant_tag(t.id)
    assert re.fullmatch(rf"cp_{tag}_[a-z0-9]{{6}}", body["friendly_name"])
    suffix = body["friendly_name"].rsplit("_", 1)[1]
    assert body["domain_name"] == f"cp-{tag}-{suffix}.pstn.twilio.com"
    assert body["termination_uri"] == f"sip:{body['domain_name']}"
    assert body["origination_uri"] == ORIGINATION
    assert body["account_sid"] == api.runtime.settings.twilio_account_sid
    assert body["origin"] == "created" and body["password_reissued"] is False
    assert body["sip_username"] and body["sip_password"]
    password = body["sip_password"]
    assert len(password) >= 12 and re.search(r"\d", password)
    assert re.search(r"[a-z]", password) and re.search(r"[A-Z]", password)
    assert sandbox_view.sip_password_works(body["domain_name"], body["sip_username"], password)

    [trunk] = sandbox_view.trunks()
    assert trunk["sid"] == body["sid"] and trunk["origination_urls"] == [ORIGINATION]
    assert len(trunk["credential_lists"]) == 1
    [cl] = sandbox_view.credential_lists()
    assert cl["sid"] == trunk["credential_lists"][0] and cl["usernames"] == [body["sip_username"]]

    # The password is stored encrypted, and never shown again.
    async with api.runtime.uow() as uow:
        row = (await uow.session.execute(select(Trunk))).scalar_one()
        assert (
            row.sip_password
            and row.sip_password.startswith("v1:")
            and password not in row.sip_password
        )
    r = await api.client.get(trunk_url(t), headers=t.headers("member"))
    assert r.status_code == 200 and r.json()["sid"] == body["sid"]
    assert r.json()["sip_password"] is None and password not in r.text

    # Idempotent: the same trunk, no password, nothing new at Twilio.
    again = await put_trunk(api, t)
    assert again.status_code == 200, again.text
    assert again.json()["sid"] == body["sid"] and again.json()["sip_password"] is None
    assert again.json()["origination_uri"] == ORIGINATION  # a bare PUT keeps the origination
    assert sandbox_view.counts() == (1, 1, 1)


async def test_two_tenants_in_one_byo_account_get_two_trunks(
    api: Api, sandbox_view: SandboxView
) -> None:
    account = sandbox_view.new_account("shared byo")
    a, b = await api.tenant(), await api.tenant()
    await connect_byo(api, a, account)
    await connect_byo(api, b, account)
    ra = await put_trunk(api, a, {"origination_sip_uri": "sip:a.example.com"})
    rb = await put_trunk(api, b, {"origination_sip_uri": "sip:b.example.com"})
    assert ra.status_code == rb.status_code == 201, (ra.text, rb.text)
    ta, tb = ra.json(), rb.json()
    assert ta["account_sid"] == tb["account_sid"] == account.sid
    assert ta["sid"] != tb["sid"] and ta["domain_name"] != tb["domain_name"]
    assert ta["sip_username"] != tb["sip_username"] and ta["sip_password"] != tb["sip_password"]
    assert tenant_tag(a.id) in ta["friendly_name"] and tenant_tag(b.id) in tb["friendly_name"]
    trunks = {t["sid"]: t for t in sandbox_view.trunks(account.sid)}
    assert set(trunks) == {ta["sid"], tb["sid"]}
    assert trunks[ta["sid"]]["credential_lists"] != trunks[tb["sid"]]["credential_lists"]
    # Each tenant's credentials open its own trunk only.
    assert sandbox_view.sip_password_works(
        ta["domain_name"], ta["sip_username"], ta["sip_password"]
    )
    assert not sandbox_view.sip_password_works(
        ta["domain_name"], tb["sip_username"], tb["sip_password"]
    )
    assert not sandbox_view.sip_password_works(
        tb["domain_name"], ta["sip_username"], ta["sip_password"]
    )
    # Nothing in the platform account.
    assert sandbox_view.trunks(api.runtime.settings.twilio_account_sid) == []
    # And each setup is idempotent in the shared account too.
    assert (await put_trunk(api, a)).json()["sid"] == ta["sid"]
    assert (await put_trunk(api, b)).json()["sid"] == tb["sid"]
    assert len(sandbox_view.trunks(account.sid)) == 2


async def test_lost_row_refinds_the_same_trunk_and_reissues_the_password(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    first = (await put_trunk(api, t, {"origination_sip_uri": ORIGINATION})).json()
    async with api.runtime.uow() as uow:  # the database row is lost (restore from an old backup)
        await uow.session.execute(delete(Trunk))
        await uow.commit()
    r = await put_trunk(api, t)
    assert r.status_code == 200, r.text
    again = r.json()
    assert again["sid"] == first["sid"] and again["domain_name"] == first["domain_name"]
    assert again["origin"] == "found"
    assert again["origination_uri"] == ORIGINATION  # re-read from Twilio
    assert again["sip_username"] == first["sip_username"]  # re-read from Twilio
    # Twilio never shows a password back: a new one is set, and the answer says so.
    assert again["password_reissued"] is True and again["sip_password"]
    assert again["sip_password"] != first["sip_password"]
    assert sandbox_view.sip_password_works(
        again["domain_name"], again["sip_username"], again["sip_password"]
    )
    assert not sandbox_view.sip_password_works(
        first["domain_name"], first["sip_username"], first["sip_password"]
    )
    assert sandbox_view.counts() == (1, 1, 1)  # no duplicate trunk, list or origination
    # From now on the stored password is known again: no reissue.
    third = (await put_trunk(api, t)).json()
    assert third["sip_password"] is None and third["password_reissued"] is False
    async with api.runtime.uow() as uow:
        actions = (await uow.session.execute(select(AuditLog.action))).scalars().all()
    assert "trunk.found" in actions


async def test_a_trunk_deleted_at_twilio_is_made_again(api: Api, sandbox_view: SandboxView) -> None:
    t = await api.tenant()
    first = (await put_trunk(api, t, {"origination_sip_uri": ORIGINATION})).json()
    sandbox_view.platform_client().trunking.v1.trunks(first["sid"]).delete()
    r = await put_trunk(api, t)
    assert r.status_code == 201, r.text
    again = r.json()
    assert again["sid"] != first["sid"] and again["origin"] == "created"
    assert again["origination_uri"] == ORIGINATION  # carried over from the stored row
    [trunk] = sandbox_view.trunks()
    assert trunk["sid"] == again["sid"] and trunk["origination_urls"] == [ORIGINATION]
    # The tenant's credential list survived the trunk and is reused, not duplicated; its
    # password is still known, so none is issued and the old one opens the new trunk.
    assert len(sandbox_view.credential_lists()) == 1
    assert again["sip_password"] is None and again["password_reissued"] is False
    assert sandbox_view.sip_password_works(
        again["domain_name"], first["sip_username"], first["sip_password"]
    )


async def test_tenant_ids_sharing_their_first_8_characters_get_different_trunks(
    api: Api, sandbox_view: SandboxView, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ObjectId-like ids: the same leading timestamp, different tails.
    monkeypatch.setattr(
        tenants_service,
        "uuid",
        SimpleNamespace(uuid4=lambda: uuid.UUID("5f3a1b2c" + uuid.uuid4().hex[8:])),
    )
    a, b = await api.tenant(), await api.tenant()
    monkeypatch.undo()
    assert str(a.id)[:8] == str(b.id)[:8] == "5f3a1b2c" and a.id != b.id
    ta = (await put_trunk(api, a)).json()
    tb = (await put_trunk(api, b)).json()
    assert ta["sid"] != tb["sid"] and ta["friendly_name"][:15] != tb["friendly_name"][:15]
    # Re-setting either one finds its own trunk, not the other's.
    assert (await put_trunk(api, a)).json()["sid"] == ta["sid"]
    assert (await put_trunk(api, b)).json()["sid"] == tb["sid"]
    async with api.runtime.uow() as uow:
        await uow.session.execute(delete(Trunk))
        await uow.commit()
    assert (await put_trunk(api, b)).json()["sid"] == tb["sid"]
    assert (await put_trunk(api, a)).json()["sid"] == ta["sid"]
    assert len(sandbox_view.trunks()) == 2


async def test_origination_from_settings_and_changed_on_request(
    api: Api, sandbox_view: SandboxView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.runtime.settings, "origination_sip_uri", "sip:default.voice-ai.example")
    t = await api.tenant()
    body = (await put_trunk(api, t)).json()
    assert body["origination_uri"] == "sip:default.voice-ai.example"
    r = await put_trunk(api, t, {"origination_sip_uri": "sip:+15550001111@other.example:5060"})
    assert r.status_code == 200 and r.json()["sid"] == body["sid"]
    assert r.json()["origination_uri"] == "sip:+15550001111@other.example:5060"
    [trunk] = sandbox_view.trunks()
    assert trunk["origination_urls"] == ["sip:+15550001111@other.example:5060"]
    # A bare PUT does not put the default back over the tenant's own choice.
    assert (await put_trunk(api, t)).json()[
        "origination_uri"
    ] == "sip:+15550001111@other.example:5060"


async def test_without_any_origination_the_trunk_has_none(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    body = (await put_trunk(api, t)).json()
    assert body["origination_uri"] is None
    assert sandbox_view.trunks()[0]["origination_urls"] == []


@pytest.mark.parametrize(
    "uri",
    [
        "http://agent.example.com",
        "sips:agent.example.com",
        "sip:",
        "sip:agent example.com",
        "agent.example.com",
        "sip:agent.example.com:70000",
        "",
        "sip:" + "a" * 300,
    ],
)
async def test_an_origination_that_is_not_a_sip_uri_is_422_and_nothing_is_created(
    api: Api, sandbox_view: SandboxView, uri: str
) -> None:
    t = await api.tenant()
    r = await put_trunk(api, t, {"origination_sip_uri": uri})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] in ("invalid_origination_uri", "validation_error")
    assert sandbox_view.counts() == (0, 0, 0)
    assert (await api.client.get(trunk_url(t), headers=t.headers())).status_code == 404


async def test_a_bad_default_origination_is_422_too(
    api: Api, sandbox_view: SandboxView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.runtime.settings, "origination_sip_uri", "https://not-sip.example")
    t = await api.tenant()
    r = await put_trunk(api, t)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_origination_uri"
    assert "CALLPLANE_ORIGINATION_SIP_URI" in r.json()["error"]["message"]
    assert sandbox_view.counts() == (0, 0, 0)


async def test_no_platform_account_is_422_and_nothing_is_created(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    settings = api.runtime.settings.model_copy(
        update={"twilio_account_sid": None, "twilio_auth_token": None}
    )
    bare = Runtime.create(settings)
    try:
        import httpx
        from asgi_lifespan import LifespanManager

        app = create_app(runtime=bare)
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                r = await c.put(
                    trunk_url(t), json={"origination_sip_uri": ORIGINATION}, headers=t.headers()
                )
    finally:
        await bare.close()
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "platform_account_not_configured"
    assert sandbox_view.counts() == (0, 0, 0)


async def test_a_closed_account_is_409_and_nothing_is_created(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    r = await api.client.put(
        f"/v1/tenants/{t.id}/connection", json={"model": "subaccount"}, headers=t.headers()
    )
    assert r.status_code == 200
    async with api.runtime.uow() as uow:
        await connections.ensure_account(uow=uow, scope=t.scope)
    async with api.runtime.uow() as uow:
        await connections.close_account(uow=uow, scope=t.scope)
    r = await put_trunk(api, t)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "connection_closed"
    assert sandbox_view.counts() == (0, 0, 0)


async def test_a_pending_subaccount_is_made_for_the_trunk(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    await api.client.put(
        f"/v1/tenants/{t.id}/connection", json={"model": "subaccount"}, headers=t.headers()
    )
    r = await put_trunk(api, t)
    assert r.status_code == 201, r.text
    conn = (await api.client.get(f"/v1/tenants/{t.id}/connection", headers=t.headers())).json()
    assert conn["status"] == "active" and r.json()["account_sid"] == conn["account_sid"]
    assert conn["account_sid"] != api.runtime.settings.twilio_account_sid
    assert [x["account_sid"] for x in sandbox_view.trunks()] == [conn["account_sid"]]


async def test_rotate_issues_a_new_password_once(api: Api, sandbox_view: SandboxView) -> None:
    t = await api.tenant()
    first = (await put_trunk(api, t)).json()
    r = await api.client.post(f"{trunk_url(t)}/credentials/rotate", headers=t.headers())
    assert r.status_code == 200, r.text
    rotated = r.json()
    assert rotated["sid"] == first["sid"] and rotated["sip_username"] == first["sip_username"]
    assert rotated["sip_password"] and rotated["sip_password"] != first["sip_password"]
    assert sandbox_view.sip_password_works(
        first["domain_name"], first["sip_username"], rotated["sip_password"]
    )
    assert not sandbox_view.sip_password_works(
        first["domain_name"], first["sip_username"], first["sip_password"]
    )
    got = await api.client.get(trunk_url(t), headers=t.headers())
    assert got.json()["sip_password"] is None and rotated["sip_password"] not in got.text
    # The stored (encrypted) password is the new one: a PUT does not reissue it.
    assert (await put_trunk(api, t)).json()["password_reissued"] is False
    assert sandbox_view.counts()[:2] == (1, 1)
    async with api.runtime.uow() as uow:
        audit = (
            await uow.session.execute(
                select(AuditLog).where(AuditLog.action == "trunk.credentials_rotated")
            )
        ).scalar_one()
        assert rotated["sip_password"] not in str(audit.detail)


async def test_rotate_without_a_trunk_is_404(api: Api) -> None:
    t = await api.tenant()
    r = await api.client.post(f"{trunk_url(t)}/credentials/rotate", headers=t.headers())
    assert r.status_code == 404


async def test_delete_removes_trunk_and_credential_list(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    await put_trunk(api, t, {"origination_sip_uri": ORIGINATION})
    other = await api.tenant()
    await put_trunk(api, other)
    r = await api.client.delete(trunk_url(t), headers=t.headers())
    assert r.status_code == 204, r.text
    remaining = sandbox_view.trunks()
    assert len(remaining) == 1 and tenant_tag(other.id) in remaining[0]["friendly_name"]
    assert len(sandbox_view.credential_lists()) == 1
    assert (await api.client.get(trunk_url(t), headers=t.headers())).status_code == 404
    assert (await api.client.delete(trunk_url(t), headers=t.headers())).status_code == 404
    # It can be set up again afterwards.
    assert (await put_trunk(api, t)).status_code == 201


async def test_delete_with_a_lost_row_deletes_the_tagged_trunk(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    await put_trunk(api, t)
    async with api.runtime.uow() as uow:
        await uow.session.execute(delete(Trunk))
        await uow.commit()
    assert (await api.client.delete(trunk_url(t), headers=t.headers())).status_code == 204
    assert sandbox_view.counts() == (0, 0, 0)


async def test_roles_and_isolation(api: Api, sandbox_view: SandboxView) -> None:
    a, b = await api.tenant(), await api.tenant()
    assert (await put_trunk(api, a, role="member")).status_code == 403
    assert sandbox_view.counts() == (0, 0, 0)
    await put_trunk(api, a)
    assert (await api.client.get(trunk_url(a), headers=a.headers("member"))).status_code == 200
    assert (await api.client.get(trunk_url(a), headers=b.headers())).status_code == 404
    assert (await api.client.put(trunk_url(a), headers=b.headers())).status_code == 404
    assert (await api.client.delete(trunk_url(a), headers=b.headers())).status_code == 404
    assert (
        await api.client.post(f"{trunk_url(a)}/credentials/rotate", headers=b.headers())
    ).status_code == 404
    assert (await api.client.put(trunk_url(a), headers=api.platform)).status_code == 200
    assert (await api.client.delete(trunk_url(a), headers=a.headers("member"))).status_code == 403
    assert len(sandbox_view.trunks()) == 1


async def test_unknown_fields_are_rejected(api: Api, sandbox_view: SandboxView) -> None:
    t = await api.tenant()
    r = await put_trunk(api, t, {"origination": ORIGINATION})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert sandbox_view.counts() == (0, 0, 0)


async def test_a_tenant_with_a_trunk_cannot_switch_account_model(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    await put_trunk(api, t)
    account = sandbox_view.new_account()
    body = {"model": "byo", "account_sid": account.sid, "auth_token": account.auth_token}
    r = await api.client.put(f"/v1/tenants/{t.id}/connection", json=body, headers=t.headers())
    assert r.status_code == 409, r.text
    assert (
        r.json()["error"]["code"] == "connection_in_use" and "trunk" in r.json()["error"]["message"]
    )
    assert (await api.client.delete(trunk_url(t), headers=t.headers())).status_code == 204
    r = await api.client.put(f"/v1/tenants/{t.id}/connection", json=body, headers=t.headers())
    assert r.status_code == 200, r.text
    moved = (await put_trunk(api, t)).json()
    assert moved["account_sid"] == account.sid


async def test_offboarded_tenant_gets_no_trunk(api: Api, sandbox_view: SandboxView) -> None:
    t = await api.tenant()
    async with api.runtime.uow() as uow:
        await tenants_service.mark_offboarded(uow=uow, scope=t.scope)
    r = await api.client.put(trunk_url(t), headers=api.platform)
    assert r.status_code == 409 and r.json()["error"]["code"] == "tenant_offboarded"
    assert sandbox_view.counts() == (0, 0, 0)


async def test_a_trunk_blocks_moving_to_another_byo_account(
    api: Api, sandbox_view: SandboxView
) -> None:
    t = await api.tenant()
    first, second = sandbox_view.new_account("old"), sandbox_view.new_account("new")
    await connect_byo(api, t, first)
    old = (await put_trunk(api, t)).json()
    body = {"model": "byo", "account_sid": second.sid, "auth_token": second.auth_token}
    r = await api.client.put(f"/v1/tenants/{t.id}/connection", json=body, headers=t.headers())
    assert r.status_code == 409 and r.json()["error"]["code"] == "connection_in_use"
    conn = await api.client.get(f"/v1/tenants/{t.id}/connection", headers=t.headers())
    assert conn.json()["account_sid"] == first.sid
    assert sandbox_view.trunks(second.sid) == []
    # Deleting the trunk (in the old account, still reachable) frees the move.
    assert (await api.client.delete(trunk_url(t), headers=t.headers())).status_code == 204
    assert sandbox_view.trunks(first.sid) == [] and old["sid"]
    r = await api.client.put(f"/v1/tenants/{t.id}/connection", json=body, headers=t.headers())
    assert r.status_code == 200, r.text
    assert (await put_trunk(api, t)).json()["account_sid"] == second.sid
