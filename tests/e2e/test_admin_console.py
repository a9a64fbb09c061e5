"""The admin console's rules over HTTP (no browser): sign-in, session cookie, CSRF, isolation,
roles, and the actions going through the services. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import base64_decode

from callplane.admin import session as admin_session
from callplane.security.apikeys import hash_api_key
from tests.fixtures.admin import Console, Consoles, csrf_of
from tests.fixtures.api import Api, TenantKit
from tests.fixtures.gateway import GatewayKit

STREAM = {"mode": "stream", "stream_url": "wss://ai.example.com/stream"}


def _cookie(response: object, name: str) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, headers
    return found[-1]


def _payload(cookie_value: str) -> dict:
    """The (signed, not encrypted) session payload: what anyone holding the cookie can read."""
    body = cookie_value.split(".")[0]
    return json.loads(base64_decode(body))


def _flash(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", m).strip()
        for m in re.findall(r'class="flash flash-\w+"[^>]*>(.*?)</div>', html, re.DOTALL)
    ]


async def _tenant_page_count(api: Api) -> int:
    r = await api.client.get("/v1/tenants", headers=api.platform)
    return len(r.json()["data"])


# -- sign-in and the session cookie ----------------------------------------------------------------


async def test_sign_in_sets_a_signed_httponly_strict_cookie_with_the_key_id(
    api: Api, console: Consoles
) -> None:
    c = await console.new()
    r = await c.get("/admin/login")
    assert r.status_code == 200
    assert '<label for="api_key">API key</label>' in r.text
    anonymous_csrf = csrf_of(r.text)
    first = _cookie(r, admin_session.SESSION_COOKIE)
    for flag in ("HttpOnly", "SameSite=Strict", "Secure", "Path=/admin", "Max-Age="):
        assert flag.lower() in first.lower(), first

    r = await c.post("/admin/login", {"api_key": api.platform_key})
    assert r.status_code == 303 and r.headers["location"] == "/admin/tenants"
    cookie = _cookie(r, admin_session.SESSION_COOKIE)
    for flag in ("HttpOnly", "SameSite=Strict", "Secure", "Path=/admin"):
        assert flag.lower() in cookie.lower(), cookie
    found = re.search(r"Max-Age=(\d+)", cookie, re.IGNORECASE)
    assert found
    max_age = int(found.group(1))
    assert 0 < max_age <= admin_session.SESSION_TTL_SECONDS
    value = cookie.split(";")[0].split("=", 1)[1].strip('"')
    assert api.platform_key not in value and hash_api_key(api.platform_key) not in value
    payload = _payload(value)
    async with api.runtime.uow() as uow:
        from sqlalchemy import select

        from callplane.tenants.models import ApiKey

        key_id = (
            await uow.session.execute(
                select(ApiKey.id).where(ApiKey.key_hash == hash_api_key(api.platform_key))
            )
        ).scalar_one()
    assert payload["k"] == str(key_id)
    assert payload["c"] != anonymous_csrf, "a sign-in issues a new CSRF token"
    assert (await c.get("/admin/tenants")).status_code == 200


async def test_a_wrong_key_is_refused_and_a_revoked_key_ends_the_session(
    api: Api, console: Consoles
) -> None:
    c = await console.new()
    await c.get("/admin/login")
    r = await c.post("/admin/login", {"api_key": "cpk_not-a-key"})
    assert r.status_code == 401
    assert "Sign-in refused: invalid or revoked API key." in _flash(r.text)
    assert (await c.get("/admin/tenants")).status_code == 303

    alice = await api.tenant("alice")
    session = await console.signed_in(alice.admin_key)
    assert (await session.get(f"/admin/t/{alice.id}")).status_code == 200
    keys = (
        await api.client.get(f"/v1/tenants/{alice.id}/api-keys", headers=alice.headers())
    ).json()["data"]
    admin_key = next(k for k in keys if k["prefix"] == alice.admin_key[:12])
    r = await api.client.delete(
        f"/v1/tenants/{alice.id}/api-keys/{admin_key['id']}", headers=api.platform
    )
    assert r.status_code == 200
    r = await session.get(f"/admin/t/{alice.id}/numbers")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/login?next=")
    page = await session.get(r.headers["location"])
    assert "your API key was revoked: sign in with another key" in _flash(page.text)


async def test_pages_need_a_valid_unexpired_session(
    api: Api, console: Consoles, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await api.tenant("alice")
    anonymous = await console.new()
    r = await anonymous.get(f"/admin/t/{alice.id}/numbers?show=all")
    assert r.status_code == 303
    target = parse_qs(urlsplit(r.headers["location"]).query)["next"][0]
    assert target == f"/admin/t/{alice.id}/numbers?show=all"
    login = await anonymous.get(r.headers["location"])
    assert f'name="next" value="/admin/t/{alice.id}/numbers?show=all"' in login.text
    r = await anonymous.post("/admin/login", {"api_key": alice.admin_key, "next": target})
    assert r.status_code == 303 and r.headers["location"] == target, (
        "back where the person was going"
    )
    for elsewhere in (
        "https://evil.example/admin",
        "//evil.example/admin",
        "/adminx",
        "/v1/tenants",
    ):
        other = await console.new()
        await other.get("/admin/login")
        r = await other.post("/admin/login", {"api_key": alice.admin_key, "next": elsewhere})
        assert r.headers["location"] == f"/admin/t/{alice.id}", elsewhere

    c = await console.signed_in(alice.admin_key)
    # A cookie changed by hand is not a session.
    value = c.client.cookies.get(admin_session.SESSION_COOKIE)
    assert value
    c.client.cookies.clear()
    c.client.cookies.set(admin_session.SESSION_COOKIE, value[:-3] + "abc")
    assert (await c.get(f"/admin/t/{alice.id}")).status_code == 303

    c = await console.signed_in(alice.admin_key)
    assert (await c.get(f"/admin/t/{alice.id}")).status_code == 200
    later = admin_session.time.time() + admin_session.SESSION_TTL_SECONDS + 60
    monkeypatch.setattr(admin_session.time, "time", lambda: later)
    r = await c.get(f"/admin/t/{alice.id}")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/login")


async def test_sign_out(api: Api, console: Consoles) -> None:
    c = await console.signed_in(api.platform_key)
    assert (await c.post("/admin/logout", csrf=False)).status_code == 403
    r = await c.post("/admin/logout")
    assert r.status_code == 303 and r.headers["location"] == "/admin/login"
    assert "max-age=0" in _cookie(r, admin_session.SESSION_COOKIE).lower()
    assert (await c.get("/admin/tenants")).status_code == 303


# -- CSRF ------------------------------------------------------------------------------------------


async def test_every_form_carries_the_token_and_a_post_without_it_is_refused(
    api: Api, console: Consoles
) -> None:
    alice = await api.tenant("alice")
    c = await console.signed_in(api.platform_key)
    other = await console.signed_in(api.platform_key)
    pages = [
        "/admin/tenants",
        "/admin/reconcile",
        "/admin/health",
        f"/admin/t/{alice.id}/numbers/connect",
        f"/admin/t/{alice.id}/agents/new",
        f"/admin/t/{alice.id}/trunk",
        f"/admin/t/{alice.id}/connection",
        f"/admin/t/{alice.id}/keys",
    ]
    for path in pages:
        html = (await c.get(path)).text
        forms = re.findall(r'<form method="post".*?</form>', html, re.DOTALL)
        assert forms, path
        for form in forms:
            assert f'name="csrf_token" value="{c.csrf}"' in form, (path, form[:200])

    posts = [
        ("/admin/tenants", {"slug": "mallory", "name": "Mallory"}),
        ("/admin/reconcile", {}),
        ("/admin/health", {}),
        (
            f"/admin/t/{alice.id}/agents",
            {"name": "Evil", "voice_mode": "forward", "forward_to": "+14155550100"},
        ),
        (f"/admin/t/{alice.id}/numbers/buy", {"phone_number": "+14155550100"}),
        (f"/admin/t/{alice.id}/connection/health", {}),
        (f"/admin/t/{alice.id}/trunk", {}),
        (f"/admin/t/{alice.id}/keys", {"role": "admin"}),
        ("/admin/logout", {}),
    ]
    before = await _tenant_page_count(api)
    for path, data in posts:
        for token in (None, "", "forged", other.csrf):
            body = dict(data)
            if token is not None:
                body["csrf_token"] = token
            r = await c.post(path, body, csrf=False)
            assert r.status_code == 403, (path, token, r.status_code)
            assert "Form refused" in r.text
    assert await _tenant_page_count(api) == before
    r = await api.client.get(f"/v1/tenants/{alice.id}/agents", headers=alice.headers())
    assert r.json()["data"] == []
    # The sign-in form is protected too, and the session still works after all that.
    anonymous = await console.new()
    await anonymous.get("/admin/login")
    assert (
        await anonymous.post("/admin/login", {"api_key": api.platform_key}, csrf=False)
    ).status_code == 403
    assert (await c.get("/admin/tenants")).status_code == 200
    r = await c.post("/admin/tenants", {"slug": "fine", "name": "Fine"})
    assert r.status_code == 303


# -- isolation and roles ---------------------------------------------------------------------------


async def test_a_tenant_key_sees_only_its_own_tenant(api: Api, console: Consoles) -> None:
    alice = await api.tenant("alice")
    bob = await api.tenant("bob")
    r = await api.client.post(
        f"/v1/tenants/{bob.id}/agents",
        json={"name": "Bob desk", "voice": STREAM},
        headers=bob.headers(),
    )
    bob_agent = r.json()["id"]
    c = await console.signed_in(alice.admin_key)
    assert (await c.get("/admin")).headers["location"] == f"/admin/t/{alice.id}"
    unknown = uuid.uuid4()
    suffixes = [
        "",
        "/numbers",
        "/numbers/connect?country=US",
        "/agents",
        "/agents/new",
        f"/agents/{bob_agent}",
        "/trunk",
        "/connection",
        "/activity",
        "/keys",
        f"/numbers/{uuid.uuid4()}",
    ]
    for suffix in suffixes:
        foreign = await c.get(f"/admin/t/{bob.id}{suffix}")
        missing = await c.get(f"/admin/t/{unknown}{suffix}")
        assert foreign.status_code == missing.status_code == 404, suffix
        assert "Bob" not in foreign.text
        assert foreign.text.replace(str(bob.id), "X") == missing.text.replace(str(unknown), "X")
        if "-" not in suffix:  # the tenant's own pages (those without another id in them)
            assert (await c.get(f"/admin/t/{alice.id}{suffix}")).status_code == 200, suffix
    # Writes to bob's tenant: 404, and nothing changes.
    for path, data in [
        (f"/admin/t/{bob.id}/agents", {"name": "Mine now", "voice_mode": "voicemail"}),
        (f"/admin/t/{bob.id}/agents/{bob_agent}/delete", {}),
        (f"/admin/t/{bob.id}/connection/health", {}),
        (f"/admin/t/{bob.id}/keys", {"role": "admin"}),
    ]:
        assert (await c.post(path, data)).status_code == 404, path
    r = await api.client.get(f"/v1/tenants/{bob.id}/agents", headers=bob.headers())
    assert [a["name"] for a in r.json()["data"]] == ["Bob desk"]
    # Alice's agents page cannot reach bob's agent either.
    assert (await c.get(f"/admin/t/{alice.id}/agents/{bob_agent}")).status_code == 404
    # Platform pages are not for tenant keys.
    for path in ("/admin/tenants", "/admin/reconcile", "/admin/health", "/admin/explain"):
        r = await c.get(path)
        assert r.status_code == 403 and "This needs a platform API key." in r.text, path
    assert (await c.post("/admin/tenants", {"slug": "x", "name": "X"})).status_code == 403
    # The platform key sees every tenant.
    p = await console.signed_in(api.platform_key)
    page = await p.get("/admin/tenants")
    assert "alice" in page.text and "bob" in page.text
    assert (await p.get(f"/admin/t/{bob.id}/agents")).status_code == 200


async def test_members_see_but_cannot_change(api: Api, console: Consoles) -> None:
    alice: TenantKit = await api.tenant("alice")
    c = await console.signed_in(alice.member_key)
    for suffix in (
        "",
        "/numbers",
        "/agents",
        "/trunk",
        "/connection",
        "/activity",
        "/numbers/connect?country=US",
    ):
        r = await c.get(f"/admin/t/{alice.id}{suffix}")
        assert r.status_code == 200, suffix
        assert "read only" in r.text
        assert not re.search(r'<form method="post" action="/admin/t/', r.text), suffix
    offers = (await c.get(f"/admin/t/{alice.id}/numbers/connect?country=US")).text
    assert (
        "Available numbers" in offers and "admins buy" in offers and ">Buy</button>" not in offers
    )
    assert (await c.get(f"/admin/t/{alice.id}/keys")).status_code == 403
    for path, data in [
        (f"/admin/t/{alice.id}/agents", {"name": "Nope", "voice_mode": "voicemail"}),
        (f"/admin/t/{alice.id}/numbers/buy", {"phone_number": "+14155550100"}),
        (f"/admin/t/{alice.id}/connection/health", {}),
        (f"/admin/t/{alice.id}/trunk/rotate", {}),
    ]:
        r = await c.post(path, data)
        assert r.status_code == 403 and "This needs an admin API key." in r.text, path
    r = await api.client.get(f"/v1/tenants/{alice.id}/agents", headers=alice.headers())
    assert r.json()["data"] == []


# -- the actions go through the services -----------------------------------------------------------


async def test_numbers_agents_and_activity_through_the_console(
    api: Api, console: Consoles, gw: GatewayKit
) -> None:
    alice, _ = await gw.tenant()
    c: Console = await console.signed_in(alice.admin_key)
    base = f"/admin/t/{alice.id}"

    # An agent from the form; its signing secret is shown once, on that answer.
    await c.get(f"{base}/agents/new")
    r = await c.post(
        f"{base}/agents", {"name": "Desk", "voice_mode": "stream", "stream_url": "not a url"}
    )
    assert r.status_code == 422 and "Stream URL: is not in the expected format" in r.text
    r = await c.post(
        f"{base}/agents",
        {
            "name": "Desk",
            "voice_mode": "stream",
            "stream_url": "wss://ai.example.com/desk",
            "parameters": "lang=en\nvoice=warm",
            "sms_mode": "reply",
            "sms_reply": "Hi!",
        },
    )
    assert r.status_code == 201, r.text
    assert re.search(r'value="whsec_[^"]+" data-secret', r.text)
    agent = (
        await api.client.get(f"/v1/tenants/{alice.id}/agents", headers=alice.headers())
    ).json()["data"][0]
    assert (
        agent["voice"]["parameters"] == {"lang": "en", "voice": "warm"}
        and agent["sms"]["reply"] == "Hi!"
    )

    # Search, then buy through the form (the API's search and buy).
    r = await c.get(f"{base}/numbers/connect", params={"country": "US", "type": "local"})
    assert r.status_code == 200
    offers = re.findall(r'name="phone_number" value="(\+\d+)"', r.text)
    keys = re.findall(r'name="idempotency_key" value="([^"]+)"', r.text)
    assert len(offers) >= 2 and len(set(keys)) == len(keys)
    assert "$1.15" in r.text
    buy = {
        "phone_number": offers[0],
        "idempotency_key": keys[0],
        "country": "US",
        "type": "local",
        "contains": "",
    }
    r = await c.post(f"{base}/numbers/buy", buy)
    assert r.status_code == 303 and r.headers["location"] == f"{base}/numbers"
    # The same form submitted twice buys once (its Idempotency-Key).
    await c.post(f"{base}/numbers/buy", buy)
    held = (
        await api.client.get(f"/v1/tenants/{alice.id}/phone-numbers", headers=alice.headers())
    ).json()["data"]
    assert [n["phone_number"] for n in held] == [offers[0]]
    number = held[0]
    page = await c.get(f"{base}/numbers")
    assert f"{offers[0]} is yours. Attach it to an agent to route its calls." in _flash(page.text)

    # Attach, see an inbound call, explain, detach.
    r = await c.post(f"{base}/numbers/{number['id']}/agent", {"agent_id": agent["id"]})
    assert r.status_code == 303
    assert f"{offers[0]} now routes to Desk." in _flash((await c.get(f"{base}/numbers")).text)
    answered = await gw.inbound_call(offers[0], frm="+12125550111")
    assert "<Stream" in answered["twiml"]
    await gw.inbound_sms(offers[0], body="hello", frm="+12125550112")
    activity = await c.get(f"{base}/activity")
    rows = re.findall(r"<tr>(.*?)</tr>", activity.text.split("<tbody>")[1], re.DOTALL)
    assert len(rows) == 2
    assert (
        "SMS in" in rows[0]
        and "+12125550112" in rows[0]
        and "routed" in rows[0]
        and "sms reply" in rows[0]
    )
    assert (
        "Call in" in rows[1]
        and "+12125550111" in rows[1]
        and "Desk" in rows[1]
        and "stream" in rows[1]
    )
    assert "1 call, 1 message</title>" in activity.text
    explain = await c.get(f"{base}/numbers/{number['id']}/explain")
    assert "streamed to wss://ai.example.com/desk for agent &#39;Desk&#39;" in explain.text
    r = await c.post(f"{base}/numbers/{number['id']}/agent", {"agent_id": ""})
    assert f"{offers[0]} is detached: its calls reach no agent." in _flash(
        (await c.get(f"{base}/numbers")).text
    )

    # Release: a confirmation page, then the release at Twilio.
    confirm = await c.get(f"{base}/numbers/{number['id']}/release")
    assert "This cannot be undone." in confirm.text
    r = await c.post(f"{base}/numbers/{number['id']}/release")
    assert r.status_code == 303
    assert f"{offers[0]} is released at Twilio." in _flash((await c.get(f"{base}/numbers")).text)
    assert await gw.numbers.held(offers[0]) == []


async def test_an_agent_is_changed_and_deleted_through_the_console(
    api: Api, console: Consoles, gw: GatewayKit
) -> None:
    alice, _ = await gw.tenant()
    agent_id, _ = await gw.agent(alice, name="Desk")
    held = await gw.buy(alice, agent_id)
    c = await console.signed_in(alice.admin_key)
    base = f"/admin/t/{alice.id}"
    await c.get(f"{base}/agents/{agent_id}")

    # A refused change shows the form again: the agent as stored, the fields as typed.
    r = await c.post(
        f"{base}/agents/{agent_id}",
        {"name": "", "voice_mode": "voicemail", "greeting": "Typed, not saved"},
    )
    assert r.status_code == 422 and "Name: String should have at least 1 character" in r.text
    assert "<h1>Agent Desk</h1>" in r.text and "Typed, not saved" in r.text
    r = await c.post(
        f"{base}/agents/{agent_id}",
        {
            "name": "Front",
            "voice_mode": "stream",
            "stream_url": "wss://ai.example.com/x",
            "parameters": "no equals sign",
        },
    )
    assert r.status_code == 422
    assert "stream parameter &#39;no equals sign&#39; is not name=value" in r.text
    assert "<h1>Agent Desk</h1>" in r.text
    stored = (
        await api.client.get(f"/v1/tenants/{alice.id}/agents/{agent_id}", headers=alice.headers())
    ).json()
    assert stored["name"] == "Desk" and stored["voice"]["mode"] == "stream"

    r = await c.post(
        f"{base}/agents/{agent_id}",
        {"name": "Front", "voice_mode": "voicemail", "greeting": "Leave a message"},
    )
    assert r.status_code == 303 and r.headers["location"] == f"{base}/agents"
    assert "Agent Front saved." in _flash((await c.get(f"{base}/agents")).text)

    # A form's way back stays inside the tenant's pages.
    r = await c.post(
        f"{base}/numbers/{held.id}/agent",
        {"agent_id": str(agent_id), "back": f"{base}/numbers/{held.id}"},
    )
    assert r.headers["location"] == f"{base}/numbers/{held.id}"
    assert f"{held.e164} now routes to Front." in _flash((await c.get(r.headers["location"])).text)
    for elsewhere in ("https://evil.example/admin", f"/admin/t/{uuid.uuid4()}/numbers"):
        r = await c.post(
            f"{base}/numbers/{held.id}/agent", {"agent_id": str(agent_id), "back": elsewhere}
        )
        assert r.headers["location"] == f"{base}/numbers", elsewhere

    # Delete: the flash names the agent; its number stays, detached.
    await c.get(f"{base}/agents/{agent_id}/delete")
    r = await c.post(f"{base}/agents/{agent_id}/delete")
    assert r.status_code == 303
    assert "Agent Front deleted; its numbers are detached." in _flash(
        (await c.get(r.headers["location"])).text
    )
    number = (
        await api.client.get(
            f"/v1/tenants/{alice.id}/phone-numbers/{held.id}", headers=alice.headers()
        )
    ).json()
    assert number["status"] == "active" and number["agent_id"] is None


async def test_an_explanation_shows_a_tenant_key_none_of_the_other_tenants_of_its_account(
    api: Api, console: Consoles, gw: GatewayKit
) -> None:
    shared = await gw.numbers.byo_account("Shared")
    alice, account_sid = await gw.tenant("byo", byo=shared)
    bob, _ = await gw.tenant("byo", byo=shared)
    held = await gw.buy(alice)
    path = f"/admin/t/{alice.id}/numbers/{held.id}/explain"
    c = await console.signed_in(alice.admin_key)
    page = (await c.get(path)).text
    assert f"the gateway knows the account {account_sid}" in page
    assert bob.slug not in page and str(bob.id) not in page
    # The platform's explain page says who shares the account.
    p = await console.signed_in(api.platform_key)
    page = (await p.get("/admin/explain", params={"to": held.e164})).text
    assert f"{account_sid} is used by 2 connection(s)" in page and bob.slug in page


async def test_service_errors_are_flashed_with_their_message(
    api: Api, console: Consoles, gw: GatewayKit
) -> None:
    broke = await api.tenant("broke", quota=None)  # no subscription: quota 0
    c = await console.signed_in(broke.admin_key)
    base = f"/admin/t/{broke.id}"
    r = await c.get(f"{base}/numbers/connect", params={"country": "US", "type": "local"})
    offer = re.findall(r'name="phone_number" value="(\+\d+)"', r.text)[0]
    r = await c.post(
        f"{base}/numbers/buy", {"phone_number": offer, "country": "US", "type": "local"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith(
        f"{base}/numbers/connect?country=US"
    )
    page = await c.get(r.headers["location"])
    assert (
        f"{offer} was not bought: the tenant has no active subscription and 0 are held: "
        "release a number or upgrade the plan"
    ) in _flash(page.text)
    # A regulated number without a bundle: the error mapping's words, as they are.
    rich = await api.tenant("rich")
    c = await console.signed_in(rich.admin_key)
    base = f"/admin/t/{rich.id}"
    r = await c.get(f"{base}/numbers/connect", params={"country": "GB", "type": "local"})
    offer = re.findall(r'name="phone_number" value="(\+\d+)"', r.text)[0]
    r = await c.post(f"{base}/numbers/buy", {"phone_number": offer})
    page = await c.get(r.headers["location"])
    (message,) = _flash(page.text)
    assert "GB local numbers are regulated and need an approved regulatory bundle" in message
    # An unknown country in the search form.
    r = await c.get(f"{base}/numbers/connect", params={"country": "ZZ", "type": "local"})
    assert (
        "&#39;ZZ&#39; is not a country: use its ISO 3166-1 alpha-2 code (US, GB, DE, ...)" in r.text
    )


async def test_trunk_and_connection_through_the_console(
    api: Api, console: Consoles, gw: GatewayKit
) -> None:
    alice, _ = await gw.tenant()
    c = await console.signed_in(alice.admin_key)
    base = f"/admin/t/{alice.id}"
    assert "No SIP trunk yet" in (await c.get(f"{base}/trunk")).text
    r = await c.post(f"{base}/trunk", {"origination_sip_uri": "not-sip"})
    assert "origination_sip_uri" in " ".join(_flash((await c.get(r.headers["location"])).text))
    r = await c.post(f"{base}/trunk", {"origination_sip_uri": "sip:alice.example-ai.com"})
    assert r.status_code == 201
    first = re.search(r'value="([^"]+)" data-secret', r.text).group(1)  # type: ignore[union-attr]
    page = await c.get(f"{base}/trunk")
    assert first not in page.text, "the SIP password is shown once"
    assert "pstn.twilio.com" in page.text and "sip:alice.example-ai.com" in page.text
    r = await c.post(f"{base}/trunk/rotate")
    second = re.search(r'value="([^"]+)" data-secret', r.text).group(1)  # type: ignore[union-attr]
    assert second != first
    held = await gw.buy(alice)
    r = await c.post(f"{base}/trunk/add", {"number_id": str(held.id)})
    assert f"{held.e164} is on the trunk" in " ".join(
        _flash((await c.get(r.headers["location"])).text)
    )
    number = (
        await api.client.get(
            f"/v1/tenants/{alice.id}/phone-numbers/{held.id}", headers=alice.headers()
        )
    ).json()
    assert number["trunk_id"] is not None

    r = await c.post(f"{base}/connection/health")
    assert "Connection test: HEALTHY in" in " ".join(
        _flash((await c.get(r.headers["location"])).text)
    )
    r = await c.post(f"{base}/connection", {"model": "subaccount"})
    message = " ".join(_flash((await c.get(r.headers["location"])).text))
    assert "the tenant still has resources in its current Twilio account" in message


async def test_platform_actions_through_the_console(
    api: Api, console: Consoles, gw: GatewayKit
) -> None:
    await api.client.put("/v1/plans/starter", json={"quota_phone_numbers": 3}, headers=api.platform)
    c = await console.signed_in(api.platform_key)
    page = await c.get("/admin/tenants")
    assert "No tenants yet" in page.text and '<option value="starter">' in page.text
    r = await c.post("/admin/tenants", {"slug": "Bad Slug", "name": "X"})
    assert "Slug: is not in the expected format" in _flash(
        (await c.get(r.headers["location"])).text
    )
    r = await c.post("/admin/tenants", {"slug": "acme", "name": "Acme", "plan": "starter"})
    assert r.status_code == 303
    page = await c.get(r.headers["location"])
    assert "Tenant acme created with an active starter subscription." in _flash(page.text)
    r = await c.post("/admin/tenants", {"slug": "acme", "name": "Acme again"})
    assert "the slug &#39;acme&#39; is taken" in (await c.get(r.headers["location"])).text
    row = re.search(
        r"<tr>(?:(?!</tr>).)*acme(?:(?!</tr>).)*</tr>",
        (await c.get("/admin/tenants")).text,
        re.DOTALL,
    )
    assert (
        row and "0 / 3" in row.group(0) and "starter" in row.group(0) and "master" in row.group(0)
    )

    assert "No reconciliation has run yet" in (await c.get("/admin/reconcile")).text
    r = await c.post("/admin/reconcile")
    page = await c.get(r.headers["location"])
    assert "Dry run finished (nothing was changed): 1 tenants checked" in " ".join(
        _flash(page.text)
    )
    assert "dry run</span>" in page.text

    r = await c.post("/admin/health")
    page = await c.get(r.headers["location"])
    assert "Checked 1 connection now: 1 HEALTHY." in _flash(page.text)

    page = await c.get("/admin/explain", params={"to": "+1 415 555 0100"})
    assert "+14155550100" in page.text and "no tenant holds +14155550100" in page.text

    # A plan that does not exist: the tenant is made, and the page says why it has no plan.
    r = await c.post("/admin/tenants", {"slug": "beta", "name": "Beta", "plan": "gold"})
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/t/")
    assert _flash((await c.get(r.headers["location"])).text) == [
        "Tenant beta created.",
        "The subscription was not set: unknown plan &#39;gold&#39;",
    ]
    beta = r.headers["location"].removeprefix("/admin/t/")
    r = await api.client.get(f"/v1/tenants/{beta}/subscription", headers=api.platform)
    assert r.status_code == 404


async def test_pages_are_served_with_protective_headers(api: Api, console: Consoles) -> None:
    c = await console.new()
    r = await c.get("/admin/login")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    css = await c.get("/admin/static/admin.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert (await c.get("/admin/static/../settings.py")).status_code == 404
    assert "/admin" not in json.dumps((await api.client.get("/openapi.json")).json()["paths"])
