"""The console's webhooks page in a real Chromium (Playwright) against the real service: add an
endpoint (secret shown once), send a test event, see the delivery, retry it, replay its event,
rotate the secret, and the notice of an endpoint disabled after failing too long."""

from __future__ import annotations

import time
from typing import Any

import pytest

from callplane.webhooks import verify
from tests.e2e.test_admin_browser import flash, sign_in
from tests.fixtures.admin import LiveService
from tests.fixtures.clients import EventSink, serve_sink
from tests.fixtures.processes import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _rows(page: Any, endpoint: str) -> Any:
    return page.locator(f"[data-endpoint='{endpoint}'] [data-delivery]")


def _until(page: Any, check: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the page never showed it"
        time.sleep(0.3)
        page.reload()


def test_endpoints_deliveries_retry_replay_rotation_and_notice(
    browser_page: Any, live_service: LiveService
) -> None:
    service, page = live_service, browser_page
    service.settings.allow_private_urls = True  # the receiver listens on 127.0.0.1
    service.settings.webhook_failure_window_seconds = 1.0
    sink: EventSink
    sink, stop = serve_sink(path="/hooks")
    try:
        tenant = service.tenant("Acme Hooks")
        sign_in(page, service, tenant.admin_key)
        page.get_by_role("link", name="Webhooks").click()
        assert "No webhook endpoints yet" in page.content()

        # Added: the signing secret is shown on this page only.
        page.get_by_label("URL").fill(sink.url)
        page.get_by_label("Events").fill("*")
        page.get_by_role("button", name="Add endpoint").click()
        assert "Endpoint added" in flash(page)
        secret = page.get_by_label("Signing secret").input_value()
        assert secret.startswith("whsec_")
        card = page.locator("[data-endpoint]").first
        endpoint = card.get_attribute("data-endpoint")
        page.get_by_role("link", name="Webhooks").click()
        assert secret not in page.content()

        # A test event: delivered, signed with that secret, shown in the deliveries.
        page.locator(f"[data-endpoint='{endpoint}']").get_by_role(
            "button", name="Send test event"
        ).click()
        assert "test event is on its way" in flash(page)
        (first,) = sink.wait(1)
        assert verify(first.body, first.headers["Callplane-Signature"], secret)
        _until(page, lambda: _rows(page, endpoint).count() == 1)
        row = _rows(page, endpoint).first
        assert "endpoint.test" in row.inner_text() and "delivered" in row.inner_text()

        # Retry that delivery, then replay its event: the same event twice more.
        row.get_by_role("button", name="Retry").click()
        assert "queued again" in flash(page)
        sink.wait(2)
        _until(page, lambda: _rows(page, endpoint).count() == 2)
        _rows(page, endpoint).first.get_by_role("button", name="Replay").click()
        assert "replayed" in flash(page)
        third = sink.wait(3)[2]
        assert third.headers["Callplane-Event-Id"] == first.headers["Callplane-Event-Id"]

        # Rotation: a new secret, shown once; both sign for now.
        page.locator(f"[data-endpoint='{endpoint}']").get_by_role(
            "button", name="Rotate secret"
        ).click()
        new = page.get_by_label("Signing secret").input_value()
        assert new.startswith("whsec_") and new != secret
        page.locator(f"[data-endpoint='{endpoint}']").get_by_role(
            "button", name="Send test event"
        ).click()
        fourth = sink.wait(4)[3]
        header = fourth.headers["Callplane-Signature"]
        assert verify(fourth.body, header, new) and verify(fourth.body, header, secret)

        # An endpoint that never answers is disabled after the window, with a notice.
        dead = f"http://127.0.0.1:{free_port()}/gone"
        page.get_by_label("URL").fill(dead)
        page.get_by_label("Events").fill("endpoint.test")
        page.get_by_role("button", name="Add endpoint").click()
        gone = page.locator("[data-endpoint]").nth(1).get_attribute("data-endpoint")
        page.locator(f"[data-endpoint='{gone}']").get_by_role(
            "button", name="Send test event"
        ).click()
        _until(page, lambda: page.locator(f"[data-disabled-notice='{gone}']").count() == 1)
        assert "was disabled" in page.locator(f"[data-disabled-notice='{gone}']").inner_text()
        card = page.locator(f"[data-endpoint='{gone}']")
        assert "disabled" in card.inner_text() and "failed" in card.inner_text()
        page.get_by_role("link", name="Overview").click()  # the notice is on the overview too
        assert "was disabled" in page.locator(f"[data-disabled-notice='{gone}']").inner_text()
        page.get_by_role("link", name="Webhooks").click()
        card = page.locator(f"[data-endpoint='{gone}']")
        card.get_by_role("button", name="Enable").click()
        assert page.locator(f"[data-disabled-notice='{gone}']").count() == 0
    finally:
        stop()
