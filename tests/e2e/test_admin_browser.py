"""The admin console in a real Chromium (Playwright), against the real service and the sandbox.

Skipped, with a message saying why, when no Chromium is installed (see tests/fixtures/admin.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e import screenshots
from tests.fixtures.admin import LiveService

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sign_in(page: Any, service: LiveService, key: str) -> None:
    page.goto(f"{service.url}/admin")
    assert "/admin/login" in page.url
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/admin/login" not in page.url, page.content()


def flash(page: Any) -> str:
    return str(page.locator(".flash").first.inner_text())


def test_buy_attach_call_release_in_the_browser(
    browser_page: Any, live_service: LiveService
) -> None:
    service, page = live_service, browser_page
    tenant = service.tenant("Acme Dental", quota=2)
    service.agent(tenant, "Front desk")

    # Sign in with the tenant's admin key: its overview, nothing else.
    sign_in(page, service, tenant.admin_key)
    assert page.url.endswith(f"/admin/t/{tenant.id}")
    assert page.get_by_role("heading", name="Acme Dental").is_visible()

    # Connect a number: country, type and digits -> available numbers with a price -> buy.
    page.get_by_role("link", name="Numbers", exact=True).click()
    assert page.get_by_text("No numbers yet").is_visible()
    page.get_by_role("link", name="Connect a number").first.click()
    dialog = page.get_by_role("dialog", name="Connect a number")
    dialog.get_by_label("Country").select_option("US")
    dialog.get_by_label("Type").select_option("local")
    dialog.get_by_role("button", name="Search").click()
    offers = page.get_by_role("table", name="Available numbers")
    first_row = offers.locator("tbody tr").first
    e164 = first_row.locator("td").first.inner_text().strip()
    assert re.fullmatch(r"\+1\d{10}", e164), e164
    assert re.search(r"\$\d+\.\d\d", first_row.inner_text()), "the offer shows its monthly price"
    first_row.get_by_role("button", name=f"Buy {e164}").click()
    assert f"{e164} is yours" in flash(page)
    row = page.locator("tr", has=page.get_by_role("link", name=e164))
    assert "active" in row.inner_text()
    assert [n["phone_number"] for n in service.numbers(tenant)] == [e164]

    # Attach it to the agent.
    row.get_by_label(f"Agent for {e164}").select_option(label="Front desk")
    row.get_by_role("button", name="Attach").click()
    assert f"{e164} now routes to Front desk" in flash(page)
    assert service.numbers(tenant)[0]["agent_id"] is not None

    # An inbound call simulated through the sandbox appears in recent calls, routed.
    answered = service.inbound_call(e164, frm="+12125550142")
    assert answered["status"] == 200 and "<Stream" in answered["twiml"], answered
    page.get_by_role("link", name="Activity").click()
    calls = page.locator("table").first
    call_row = calls.locator("tbody tr").first
    text = call_row.inner_text()
    assert "Call in" in text and "+12125550142" in text and e164 in text, text
    assert "Front desk" in text and "routed" in text, text
    assert page.locator("svg.chart title").first.text_content().endswith("1 call, 0 messages")

    # Explain this number, from the call.
    call_row.get_by_role("link", name="Explain").click()
    assert page.get_by_role("heading", name=f"Explain {e164}").is_visible()
    assert "Calls:" in page.locator("section.card h2").first.inner_text()
    assert page.locator(".step-ok", has_text="agent 'Front desk': voice mode stream").count() == 1

    # A quota error is shown as the API words it.
    page.goto(f"{service.url}/admin/t/{tenant.id}/numbers/connect?country=US&type=local")
    service.buy(tenant)  # the second and last number of the plan, bought through the API
    page.locator("table tbody tr").nth(3).get_by_role("button").click()
    assert "the plan allows 2 phone numbers and 2 are held" in flash(page)

    # Release, with a confirmation step.
    page.goto(f"{service.url}/admin/t/{tenant.id}/numbers")
    row = page.locator("tr", has=page.get_by_role("link", name=e164))
    row.get_by_role("link", name="Release…").click()
    assert page.get_by_role("alertdialog").is_visible()
    assert "cannot be undone" in page.get_by_role("alertdialog").inner_text()
    page.get_by_role("button", name=f"Release {e164}").click()
    assert f"{e164} is released at Twilio" in flash(page)
    assert page.locator("tr", has=page.get_by_role("link", name=e164)).count() == 0
    released = [n for n in service.numbers(tenant, "released") if n["phone_number"] == e164]
    assert len(released) == 1
    state = httpx.get(f"{service.sandbox.url}/__sandbox/state", timeout=30).json()
    assert e164 not in [n["phone_number"] for n in state["numbers"]], "released at Twilio too"


def test_a_tenant_admin_cannot_reach_another_tenants_pages(
    browser_page: Any, live_service: LiveService
) -> None:
    service, page = live_service, browser_page
    alice = service.tenant("Alice Co")
    bob = service.tenant("Bob Co")
    sign_in(page, service, alice.admin_key)
    for path in (
        "",
        "/numbers",
        "/agents",
        "/trunk",
        "/connection",
        "/activity",
        "/numbers/connect",
    ):
        response = page.goto(f"{service.url}/admin/t/{bob.id}{path}")
        assert response is not None and response.status == 404, path
        assert "Bob Co" not in page.content()
        assert page.get_by_role("heading", name="Not found").is_visible()
    response = page.goto(f"{service.url}/admin/tenants")
    assert response is not None and response.status == 403
    response = page.goto(f"{service.url}/admin/t/{alice.id}")
    assert response is not None and response.status == 200
    assert page.get_by_role("link", name="Tenants").count() == 0, "no platform navigation"


def test_a_form_without_its_csrf_token_is_refused(
    browser_page: Any, live_service: LiveService
) -> None:
    service, page = live_service, browser_page
    sign_in(page, service, service.platform_key)
    form = page.locator("form[action='/admin/tenants']")
    form.get_by_label("Name").fill("Mallory Inc")
    form.get_by_label("Slug").fill("mallory")
    # What a forged form would send: everything but this session's token.
    form.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    form.get_by_role("button", name="Create tenant").click()
    assert page.get_by_role("heading", name="Form refused").is_visible()
    assert "CSRF" in page.content()
    assert "mallory" not in service.call("GET", "/v1/tenants").text
    # The same form with its token works.
    page.goto(f"{service.url}/admin/tenants")
    form.get_by_label("Name").fill("Mallory Inc")
    form.get_by_label("Slug").fill("mallory")
    form.get_by_role("button", name="Create tenant").click()
    assert "Tenant mallory created" in flash(page)


def test_platform_pages_in_the_browser(browser_page: Any, live_service: LiveService) -> None:
    service, page = live_service, browser_page
    tenant = service.tenant("Globex")
    service.buy(tenant)
    sign_in(page, service, service.platform_key)
    row = page.locator("tr", has=page.get_by_role("link", name="Globex"))
    text = row.inner_text()
    assert "master" in text and "1 / 5" in text and "plan-5" in text, text

    page.get_by_role("link", name="Reconciliation").click()
    assert page.get_by_text("No reconciliation has run yet").is_visible()
    page.get_by_role("button", name="Run now (dry run)").click()
    assert "Dry run finished (nothing was changed): 1 tenants checked" in flash(page)
    assert "dry run" in page.locator("table tbody tr").first.inner_text()

    page.get_by_role("link", name="Credential health").click()
    page.get_by_role("button", name="Check all now").click()
    assert "Checked 1 connection now: 1 HEALTHY" in flash(page)
    assert "healthy" in page.locator("tr", has_text=tenant.slug).inner_text()


def test_screenshots_of_the_main_pages(chromium: Any, sandbox: Any, tmp_path: Path) -> None:
    """The screenshot script runs end to end (it writes to tmp_path here, not to docs/)."""
    written = screenshots.take(
        tmp_path / "shots", sandbox=sandbox, browser=chromium, workdir=tmp_path
    )
    assert len(written) >= 10
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000, path
