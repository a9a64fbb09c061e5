"""The console's providers page, a provider agent and a number's "sync now", in a real Chromium
(Playwright) against the real service and the sandbox's provider emulators."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.e2e.test_admin_browser import flash, sign_in
from tests.fixtures.admin import LiveService

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _control(service: LiveService, path: str, **body: Any) -> dict[str, Any]:
    r = httpx.post(f"{service.sandbox.url}{path}", json=body or None, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _provider_of(service: LiveService, tenant: Any, number_id: str) -> dict[str, Any] | None:
    r = service.call("GET", f"/v1/tenants/{tenant.id}/phone-numbers/{number_id}")
    return r.json()["provider"]  # type: ignore[no-any-return]


def test_connect_a_provider_make_an_agent_and_sync_a_number(
    browser_page: Any, live_service: LiveService
) -> None:
    service, page = live_service, browser_page
    service.settings.allow_private_urls = True  # the emulators listen on 127.0.0.1
    tenant = service.tenant("Acme Voice")
    key = _control(service, "/__sandbox/providers/retell/keys")
    remote = _control(
        service, "/__sandbox/providers/retell/agents", name="Reception", api_key=key["api_key"]
    )["agent_id"]
    sign_in(page, service, tenant.admin_key)

    # The providers page: none connected; a wrong key is refused and nothing is stored.
    page.get_by_role("link", name="Providers").click()
    card = page.locator("[data-provider=retell]")
    assert "not connected" in card.inner_text()
    card.get_by_label("API key").fill("key_0000000000000000000000000000")
    card.get_by_label("API base URL").fill(key["base_url"])
    card.get_by_role("button", name="Connect").click()
    assert "Retell refused the API key" in flash(page)
    assert "not connected" in page.locator("[data-provider=retell]").inner_text()

    # The right key: connected, tested, and never shown again.
    card = page.locator("[data-provider=retell]")
    card.get_by_label("API key").fill(key["api_key"])
    card.get_by_label("API base URL").fill(key["base_url"])
    card.get_by_role("button", name="Connect").click()
    assert "Retell is connected" in flash(page)
    card = page.locator("[data-provider=retell]")
    assert "connected" in card.inner_text() and "sip:sip.retellai.com" in card.inner_text()
    card.get_by_role("button", name="Test credentials").click()
    assert "Retell accepts the stored key" in flash(page)
    assert key["api_key"] not in page.content()

    # An agent at Retell, made with the agent form.
    page.get_by_role("link", name="Agents", exact=True).click()
    page.get_by_role("link", name="New agent").first.click()
    page.get_by_label("Name").fill("Reception AI")
    page.get_by_label("Voice mode").select_option("provider")
    page.get_by_label("Provider", exact=True).select_option("retell")
    page.get_by_label("Agent at the provider").fill("agent_unknown123")
    page.get_by_role("button", name="Create agent").click()
    assert "Retell has no agent 'agent_unknown123'" in page.locator(".flash-error").inner_text()
    page.get_by_label("Voice mode").select_option("provider")
    page.get_by_label("Provider", exact=True).select_option("retell")
    page.get_by_label("Agent at the provider").fill(remote)
    page.get_by_role("button", name="Create agent").click()
    page.get_by_role("link", name="Agents", exact=True).click()
    row = page.locator("tr", has=page.get_by_role("link", name="Reception AI"))
    assert f"retell: {remote}" in row.inner_text()
    agent_id = row.get_by_role("link", name="Reception AI").get_attribute("href").rsplit("/", 1)[1]

    # A number bought for it is registered at Retell; "sync now" syncs it again.
    number = service.buy(tenant, agent_id=agent_id)
    deadline = time.monotonic() + 20
    while (_provider_of(service, tenant, number["id"]) or {}).get("status") != "synced":
        assert time.monotonic() < deadline, _provider_of(service, tenant, number["id"])
        time.sleep(0.1)
    page.get_by_role("link", name="Numbers", exact=True).click()
    row = page.locator("tr", has=page.get_by_role("link", name=number["phone_number"]))
    status = row.locator("[data-provider-status]")
    assert "retell" in status.inner_text() and "synced" in status.inner_text()
    row.get_by_role("button", name=f"Sync {number['phone_number']} with retell now").click()
    assert "Registered at Retell and in sync" in flash(page)

    # Disconnecting is refused while the number is registered there.
    page.get_by_role("link", name="Providers").click()
    card = page.locator("[data-provider=retell]")
    assert card.locator("[data-registrations]").inner_text() == "1"
    card.get_by_role("button", name="Disconnect Retell").click()
    assert "registered at Retell" in flash(page)
    assert key["api_key"] not in page.content()
