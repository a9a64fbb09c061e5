"""The service writes one access line per request (status and latency at INFO): every
webhook's outcome can be found in the log, the API's and the health routes' too."""

from __future__ import annotations

import io
import logging
import re

from callplane.log import configure_logging
from tests.fixtures.gateway import GatewayKit

LINE = re.compile(r"method=(\S+) path=(\S+) status=(\d+)$")


async def test_every_request_has_its_access_line(gw: GatewayKit) -> None:
    tenant, account = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    buffer = io.StringIO()
    configure_logging("INFO")
    ours = next(h for h in logging.getLogger().handlers if getattr(h, "_callplane", False))
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(ours.formatter)
    logging.getLogger().addHandler(handler)
    try:
        assert (await gw.post("voice", gw.call_params(account, held.e164))).status_code == 200
        assert (
            await gw.post("voice", gw.call_params(account, held.e164), signature="x")
        ).status_code == 403
        client = gw.api.client
        assert (await client.get("/healthz")).status_code == 200
        assert (
            await client.get(f"/v1/tenants/{tenant.id}", headers=tenant.headers())
        ).status_code == 200
        assert (await client.get("/v1/nothing-here")).status_code == 404
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [line for line in buffer.getvalue().splitlines() if "[callplane.access]" in line]
    found = [m.groups() for m in map(LINE.search, lines) if m]
    assert found == [
        ("POST", "/webhooks/twilio/voice", "200"),
        ("POST", "/webhooks/twilio/voice", "403"),
        ("GET", "/healthz", "200"),
        ("GET", f"/v1/tenants/{tenant.id}", "200"),
        ("GET", "/v1/nothing-here", "404"),
    ], lines
    assert all("duration_ms=" in line for line in lines)
