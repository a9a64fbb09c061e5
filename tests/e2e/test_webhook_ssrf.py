"""The SSRF guard on every URL callplane calls for a tenant, through the real paths: refused
when written (422 `url_not_allowed`) and again when sent (the endpoint worker and the agents'
outbox, DNS having changed since the write), and redirects never followed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from callplane.security import public_urls
from tests.fixtures.dns import PUBLIC_ADDRESS
from tests.fixtures.events import HooksKit

# What the names resolve to in these tests (the others under documentation domains: public).
DNS: dict[str, list[str]] = {"loopback.example.test": ["127.0.0.1"]}

# host -> how it is written in a URL (a port is added where the receiver listens).
PRIVATE_HOSTS = [
    "127.0.0.1",
    "127.9.9.9",
    "[::1]",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",
    "[fd00::1]",
    "0.0.0.0",
    "loopback.example.test",  # a name resolving to loopback
    "2130706433",  # decimal 127.0.0.1
    "0177.0.0.1",  # octal 127.0.0.1
    "0x7f.0.0.1",  # hex 127.0.0.1
    "[::ffff:127.0.0.1]",  # IPv4-mapped loopback
]


class Receiver:
    """A local HTTP server: counts requests; answers `answer`."""

    def __init__(self, answer: bytes = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n") -> None:
        self.answer = answer
        self.hits = 0
        self.port = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.hits += 1
            await reader.readuntil(b"\r\n\r\n")
            writer.write(self.answer)
            await writer.drain()
            writer.close()

        self.server = await asyncio.start_server(handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, port: int) -> list[str]:
        return DNS.get(host, [PUBLIC_ADDRESS])

    monkeypatch.setattr(public_urls, "resolver", resolve)


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
async def test_refused_when_written(hooks: HooksKit, host: str) -> None:
    tenant, _ = await hooks.gw.tenant()
    url = f"http://{host}:8080/hooks"
    r = await hooks.call(tenant, "POST", "/webhook-endpoints", json={"url": url, "events": ["*"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "url_not_allowed", r.text
    r = await hooks.call(
        tenant,
        "POST",
        "/agents",
        json={
            "name": "A",
            "voice": {"mode": "stream", "stream_url": "wss://a.example.com/s"},
            "events_url": url,
        },
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "url_not_allowed", r.text
    r = await hooks.call(
        tenant,
        "POST",
        "/agents",
        json={
            "name": "A",
            "voice": {"mode": "stream", "stream_url": "wss://a.example.com/s"},
            "sms": {"mode": "webhook", "url": url},
        },
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "url_not_allowed", r.text
    assert (await hooks.call(tenant, "GET", "/webhook-endpoints")).json()["data"] == []
    assert (await hooks.call(tenant, "GET", "/agents")).json()["data"] == []


async def test_refused_when_sent_through_the_delivery_path(
    hooks: HooksKit, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = hooks.gw.api.runtime.settings
    tenant, _ = await hooks.gw.tenant()
    # Written while allowed (as in development), or public when written (DNS changes later).
    monkeypatch.setattr(settings, "allow_private_urls", True)
    ids = []
    for host in [*PRIVATE_HOSTS, "rebinding.example.test"]:
        made = await hooks.endpoint(tenant, f"http://{host}:{receiver.port}/hooks", ["*"])
        ids.append(made["id"])
    monkeypatch.setattr(settings, "allow_private_urls", False)
    monkeypatch.setitem(DNS, "rebinding.example.test", ["127.0.0.1"])
    hooks.worker.transport = None  # the real, guarded client
    for eid in ids:
        assert (
            await hooks.call(tenant, "POST", f"/webhook-endpoints/{eid}/test")
        ).status_code == 202

    async def logs() -> list[list[dict[str, object]]]:
        return [await hooks.log(tenant, eid) for eid in ids]

    deadline = asyncio.get_running_loop().time() + 15
    while any(not log for log in await logs()):
        assert asyncio.get_running_loop().time() < deadline, "not every endpoint was tried"
        await hooks.worker.run_once()
    for log in await logs():
        assert log[0]["status_code"] is None
        assert str(log[0]["error"]).startswith("url_not_allowed"), log[0]
    assert receiver.hits == 0

    # The same path delivers once private addresses are allowed (the check is what refused).
    monkeypatch.setattr(settings, "allow_private_urls", True)
    await hooks.call(tenant, "POST", f"/webhook-endpoints/{ids[0]}/test")
    await hooks.deliver(lambda: receiver.hits >= 1)


async def test_redirects_are_not_followed(hooks: HooksKit, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = hooks.gw.api.runtime.settings
    monkeypatch.setattr(settings, "allow_private_urls", True)
    target = Receiver()
    await target.start()
    redirect = Receiver()
    await redirect.start()
    redirect.answer = (
        f"HTTP/1.1 307 Temporary Redirect\r\nlocation: http://127.0.0.1:{target.port}/x\r\n"
        "content-length: 0\r\n\r\n"
    ).encode()
    try:
        tenant, _ = await hooks.gw.tenant()
        made = await hooks.endpoint(tenant, f"http://127.0.0.1:{redirect.port}/hooks", ["*"])
        hooks.worker.transport = None
        await hooks.call(tenant, "POST", f"/webhook-endpoints/{made['id']}/test")
        log: list[dict[str, object]] = []
        while not log:
            await hooks.worker.run_once()
            log = await hooks.log(tenant, made["id"])
        assert log[0]["status_code"] == 307 and log[0]["error"] == "HTTP 307"
        assert redirect.hits == 1 and target.hits == 0
    finally:
        await target.stop()
        await redirect.stop()


async def test_agents_events_url_refused_when_sent(
    hooks: HooksKit, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw = hooks.gw
    tenant, _ = await gw.tenant()
    url = f"http://agent-app.example.test:{receiver.port}/events"
    agent_id, _ = await gw.agent(tenant, events_url=url)  # public when written
    held = await gw.buy(tenant, agent_id)
    monkeypatch.setitem(DNS, "agent-app.example.test", ["127.0.0.1"])  # loopback when sent
    try:
        gw.gateway.outbox.transport = None
        assert (
            await gw.post("voice", gw.call_params(gw.platform_sid, held.e164))
        ).status_code == 200
        rows = []
        while not rows or rows[0].last_error is None:
            await gw.gateway.outbox.run_once()
            rows = await gw.outbox()
        assert rows[0].last_error.startswith("url_not_allowed")
        assert receiver.hits == 0
    finally:
        gw.gateway.outbox.transport = None
