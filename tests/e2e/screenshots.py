"""Screenshots of the admin console's main pages, for docs/screenshots/ and the README.

    .venv/bin/python -m tests.e2e.screenshots [OUTDIR]      # default: docs/screenshots

It starts the Twilio sandbox and the real service (SQLite in a temporary directory), builds a
demo through the HTTP API and the sandbox (tenants in the three account models, agents, numbers
bought from the sandbox, a trunk, inbound calls and messages simulated through the sandbox, a
reconciliation with an orphan, a health check), and photographs the pages in Debian's Chromium.

One liberty, for the 14-day chart only: the simulated calls and messages all happen now, so
their `received_at` is spread over the last two weeks afterwards (a direct UPDATE of the demo
database); everything else on the pages is what the service recorded.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from callplane.sandbox.server import SandboxServer
from tests.fixtures.admin import CHROMIUM_ARGS, NO_CHROMIUM, LiveService, Tenant, chromium_path

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 860}


def _callers(n: int) -> list[str]:
    return [f"+1212555{(137 * i + 1000) % 10000:04d}" for i in range(n)]


def seed(service: LiveService) -> dict[str, Any]:
    """The demo: what the screenshots show."""
    acme = service.tenant("Acme Dental", slug="acme-dental", quota=10)
    front = service.agent(
        acme,
        "Front desk",
        voice={
            "mode": "stream",
            "stream_url": "wss://voice.example-ai.com/acme",
            "parameters": {"lang": "en"},
        },
        sms={"mode": "webhook", "url": "https://app.acme-dental.example/sms"},
        events_url="https://app.acme-dental.example/callplane/events",
    )
    after = service.agent(
        acme,
        "After hours",
        voice={"mode": "voicemail", "greeting": "Thanks for calling Acme Dental. Leave a message."},
        sms={"mode": "reply", "reply": "We're closed; we'll text you back in the morning."},
    )
    service.agent(acme, "Billing line", voice={"mode": "forward", "forward_to": "+14155550123"})
    main = service.buy(acme, agent_id=front["id"])
    night = service.buy(acme, agent_id=after["id"])
    toll = service.buy(acme, kind="toll_free", agent_id=front["id"])
    r = service.call(
        "PUT",
        f"/v1/tenants/{acme.id}/trunk",
        key=acme.admin_key,
        json={"origination_sip_uri": "sip:acme.sip.example-voice-ai.com"},
    )
    assert r.status_code in (200, 201), r.text
    r = service.call(
        "PUT", f"/v1/tenants/{acme.id}/trunk/phone-numbers/{toll['id']}", key=acme.admin_key
    )
    assert r.status_code == 200, r.text
    unrouted = service.buy(acme)  # no agent yet

    northwind = service.tenant("Northwind Clinics", slug="northwind", quota=5)
    own = httpx.post(
        f"{service.sandbox.url}/__sandbox/accounts", json={"friendly_name": "Northwind"}, timeout=30
    ).json()
    r = service.call(
        "PUT",
        f"/v1/tenants/{northwind.id}/connection",
        key=northwind.admin_key,
        json={"model": "byo", "account_sid": own["sid"], "auth_token": own["auth_token"]},
    )
    assert r.status_code == 200, r.text
    service.buy(northwind, agent_id=service.agent(northwind, "Reception")["id"])

    globex = service.tenant("Globex Support", slug="globex", quota=3)
    r = service.call(
        "PUT",
        f"/v1/tenants/{globex.id}/connection",
        key=globex.admin_key,
        json={"model": "subaccount"},
    )
    assert r.status_code == 200, r.text
    service.buy(globex)
    service.buy(globex)

    initech = service.call(
        "POST", "/v1/tenants", json={"slug": "initech", "name": "Initech"}
    ).json()
    r = service.call("PATCH", f"/v1/tenants/{initech['id']}", json={"status": "suspended"})
    assert r.status_code == 200, r.text

    # A number bought at Twilio behind callplane's back: reconciliation reports it as an orphan.
    account_url = f"{service.sandbox.url}/api/2010-04-01/Accounts/{service.sandbox.account_sid}"
    r = httpx.get(
        f"{account_url}/AvailablePhoneNumbers/US/Local.json",
        auth=(service.sandbox.account_sid, service.sandbox.auth_token),
        params={"PageSize": 1},
        timeout=30,
    )
    stray = r.json()["available_phone_numbers"][0]["phone_number"]
    httpx.post(
        f"{account_url}/IncomingPhoneNumbers.json",
        auth=(service.sandbox.account_sid, service.sandbox.auth_token),
        data={"PhoneNumber": stray},
        timeout=30,
    ).raise_for_status()
    assert service.call("POST", "/v1/reconcile", json={"dry_run": False}).status_code == 200
    assert service.call("POST", "/v1/reconcile", json={"dry_run": True}).status_code == 200
    assert (
        service.call("GET", "/v1/health/connections", params={"check": "true"}).status_code == 200
    )

    # Traffic: calls and messages through the sandbox, as Twilio would send them.
    callers = _callers(40)
    for i, caller in enumerate(callers):
        to = main["phone_number"] if i % 3 else night["phone_number"]
        if i % 11 == 5:
            to = unrouted["phone_number"]
        service.inbound_call(to, frm=caller)
        if i % 2 == 0:
            service.inbound_sms(
                main["phone_number"] if i % 4 else night["phone_number"],
                body="Can I move my appointment?",
                frm=caller,
            )
    _spread_over_two_weeks(service, acme)
    service.inbound_call(main["phone_number"], frm="+12125550142")
    service.inbound_sms(main["phone_number"], body="Running 5 min late", frm="+12125550187")
    return {"acme": acme, "main": main, "toll": toll, "front": front}


def _spread_over_two_weeks(service: LiveService, tenant: Tenant) -> None:
    """Move the demo events' timestamps over the last 14 days (the chart's one liberty)."""
    db = service.settings.database_url.removeprefix("sqlite+aiosqlite:///")
    now = datetime.now(UTC)
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT id FROM events WHERE tenant_id = ? ORDER BY received_at",
            (uuid.UUID(tenant.id).hex,),
        ).fetchall()
        if not rows:  # ids stored with dashes on some SQLAlchemy versions
            rows = conn.execute(
                "SELECT id FROM events WHERE tenant_id = ? ORDER BY received_at", (tenant.id,)
            ).fetchall()
        weights = [1, 2, 3, 3, 2, 1, 0, 2, 4, 3, 4, 2, 1, 3]  # a working-week shape
        slots = [day for day, w in enumerate(weights) for _ in range(w)]
        for i, (event_id,) in enumerate(rows):
            day = slots[(i * 7) % len(slots)]
            when = now - timedelta(days=13 - day, hours=(i * 5) % 9 + 1, minutes=(i * 17) % 60)
            conn.execute(
                "UPDATE events SET received_at = ? WHERE id = ?",
                (
                    when.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f"),
                    event_id,
                ),
            )
        conn.commit()


def _shot(page: Any, out: Path, name: str, written: list[Path], *, full_page: bool = True) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    written.append(path)


def _sign_in(page: Any, service: LiveService, key: str) -> None:
    page.goto(f"{service.url}/admin/login")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def take(out: Path, *, sandbox: SandboxServer, browser: Any, workdir: Path) -> list[Path]:
    """Seed a demo on a fresh service and photograph the main pages into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    service = LiveService(sandbox, workdir).start()
    try:
        demo = seed(service)
        acme: Tenant = demo["acme"]
        base = f"{service.url}/admin/t/{acme.id}"
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(f"{service.url}/admin/login")
        _shot(page, out, "01-sign-in", written)
        _sign_in(page, service, service.platform_key)
        _shot(page, out, "02-platform-tenants", written)
        page.goto(f"{service.url}/admin/reconcile")
        _shot(page, out, "03-platform-reconciliation", written)
        page.goto(f"{service.url}/admin/health")
        _shot(page, out, "04-platform-credential-health", written)
        context.close()

        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        _sign_in(page, service, acme.admin_key)
        page.goto(base)
        _shot(page, out, "05-tenant-overview", written)
        page.goto(f"{base}/numbers")
        _shot(page, out, "06-tenant-numbers", written)
        page.goto(f"{base}/numbers/connect?country=US&type=local&contains=")
        _shot(page, out, "07-connect-a-number", written)
        page.goto(f"{base}/numbers/{demo['main']['id']}/release")
        _shot(page, out, "08-release-confirmation", written)
        page.goto(f"{base}/agents")
        _shot(page, out, "09-agents", written)
        page.goto(f"{base}/agents/{demo['front']['id']}")
        _shot(page, out, "10-agent-routing", written)
        page.goto(f"{base}/trunk")
        _shot(page, out, "11-sip-trunk", written)
        page.goto(f"{base}/connection")
        page.get_by_role("button", name="Test now").click()
        page.wait_for_load_state()
        _shot(page, out, "12-connection-test-now", written)
        page.goto(f"{base}/activity")
        _shot(page, out, "13-activity", written, full_page=False)  # the chart and the latest rows
        page.goto(f"{base}/numbers/{demo['main']['id']}/explain")
        _shot(page, out, "14-explain-number", written)
        context.close()

        # An error of the error mapping, shown as it is: a tenant at its quota.
        small = service.tenant("Tiny Shop", slug="tiny-shop", quota=1)
        service.buy(small)
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        _sign_in(page, service, small.admin_key)
        page.goto(f"{service.url}/admin/t/{small.id}/numbers/connect?country=US&type=local")
        page.locator("table tbody tr").first.get_by_role("button").click()
        page.wait_for_load_state()
        _shot(page, out, "15-quota-reached", written)
        context.close()
    finally:
        service.stop()
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    path = chromium_path()
    if path is None:
        print(NO_CHROMIUM, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from callplane.log import configure_logging

    configure_logging("WARNING", False)  # the demo's events URLs do not exist: no retry noise
    with SandboxServer() as sandbox, tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            written = take(out, sandbox=sandbox, browser=browser, workdir=Path(tmp))
        finally:
            browser.close()
    for shot in written:
        print(shot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
