"""The Python and TypeScript clients, end to end against `callplane serve --sandbox`.

With each client: a platform key sets up a plan, a tenant, its subscription and an admin key;
the tenant's key searches and buys a number (with an Idempotency-Key), creates an agent whose
events go to a local app, and attaches it to the number; "Twilio" calls the number; the app
receives the signed event and the client's `verify` accepts it (and refuses it tampered, with
another secret, or too old). A refused request comes back as the error envelope with its code.
Both clients are what `make clients` generates from openapi.json, byte for byte.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.fixtures.clients import EventSink, Served
from tools import clients as generator

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TS_CLIENT = ROOT / "clients" / "typescript"


def test_committed_document_and_clients_are_current(tmp_path: Path) -> None:
    stale = generator.stale(tmp_path)
    assert not stale, f"stale, run `make clients`: {stale}"


def test_python_client_end_to_end(served: Served, event_sink: EventSink) -> None:
    from callplane_client import AuthenticatedClient
    from callplane_client.api.agents import agents_create
    from callplane_client.api.numbers import (
        phone_numbers_buy,
        phone_numbers_search,
        phone_numbers_update,
    )
    from callplane_client.api.tenants import (
        api_keys_create,
        plans_put,
        subscription_put,
        tenants_create,
    )
    from callplane_client.models import (
        AgentCreate,
        AgentOut,
        ApiKeyCreate,
        ApiKeyOut,
        ErrorOut,
        ListOfAvailableNumberOut,
        NumberBuy,
        NumberOut,
        NumberPatch,
        PlanOut,
        PlanPut,
        SubscriptionOut,
        SubscriptionPut,
        TenantCreate,
        TenantOut,
        VoiceIn,
    )
    from callplane_client.results import CallplaneError, unwrap
    from callplane_client.webhooks import HEADER, verify

    platform = AuthenticatedClient(base_url=served.url, token=served.platform_key)
    plan = plans_put.sync("py-plan", client=platform, body=PlanPut(quota_phone_numbers=2))
    assert isinstance(plan, PlanOut) and plan.quota_phone_numbers == 2
    slug = f"py-{uuid.uuid4().hex[:8]}"
    created = tenants_create.sync_detailed(client=platform, body=TenantCreate(slug=slug, name="P"))
    tenant = unwrap(created, TenantOut)
    assert tenant.slug == slug
    sub = subscription_put.sync(
        tenant.id, client=platform, body=SubscriptionPut(plan="py-plan", status="active")
    )
    assert isinstance(sub, SubscriptionOut) and sub.status == "active"
    key = api_keys_create.sync(tenant.id, client=platform, body=ApiKeyCreate(role="admin"))
    assert isinstance(key, ApiKeyOut) and isinstance(key.key, str)

    admin = AuthenticatedClient(base_url=served.url, token=key.key)
    # A tenant key may not create tenants: the error envelope, typed, with its stable code.
    refused = tenants_create.sync_detailed(client=admin, body=TenantCreate(slug="x", name="X"))
    assert refused.status_code == 403
    assert isinstance(refused.parsed, ErrorOut) and refused.parsed.error.code == "forbidden"
    with pytest.raises(CallplaneError) as error:
        unwrap(
            tenants_create.sync_detailed(client=platform, body=TenantCreate(slug=slug, name="P")),
            TenantOut,
        )
    assert error.value.status == 409 and error.value.code == "slug_taken"

    found = phone_numbers_search.sync(tenant.id, client=admin, country="US", limit=1)
    assert isinstance(found, ListOfAvailableNumberOut) and len(found.data) == 1
    wanted = found.data[0].phone_number
    idem = f"buy-{uuid.uuid4()}"
    bought = phone_numbers_buy.sync(
        tenant.id, client=admin, body=NumberBuy(phone_number=wanted), idempotency_key=idem
    )
    assert isinstance(bought, NumberOut) and bought.phone_number == wanted
    assert bought.status == "active"
    again = phone_numbers_buy.sync_detailed(
        tenant.id, client=admin, body=NumberBuy(phone_number=wanted), idempotency_key=idem
    )
    assert isinstance(again.parsed, NumberOut) and again.parsed.id == bought.id
    assert again.headers.get("Idempotent-Replayed") == "true"

    agent = agents_create.sync(
        tenant.id,
        client=admin,
        body=AgentCreate(
            name="Py agent",
            voice=VoiceIn(mode="stream", stream_url="wss://ai.example.com/py"),
            events_url=event_sink.url,
        ),
    )
    assert isinstance(agent, AgentOut) and isinstance(agent.events_secret, str)
    attached = phone_numbers_update.sync(
        tenant.id, bought.id, client=admin, body=NumberPatch(agent_id=agent.id)
    )
    assert isinstance(attached, NumberOut) and attached.agent_id == agent.id

    served.ring(bought.phone_number)
    (event,) = event_sink.wait(1)
    header = event.headers[HEADER]
    payload = json.loads(event.body)
    assert payload["tenant_id"] == str(tenant.id) and payload["agent_id"] == str(agent.id)
    assert verify(event.body, header, agent.events_secret)
    assert verify(event.body, header, ["whsec_old_secret", agent.events_secret])
    assert not verify(event.body + b" ", header, agent.events_secret)
    assert not verify(event.body, header, "whsec_another_secret")
    stamp = int(re.search(r"t=(\d+)", header).group(1))  # type: ignore[union-attr]
    assert not verify(event.body, header, agent.events_secret, now=stamp + 301)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the TypeScript client cannot be tested")
    if not (TS_CLIENT / "node_modules" / ".bin" / "tsc").exists():
        pytest.fail(
            "clients/typescript/node_modules is missing: `npm ci --prefix clients/typescript` "
            "(make test runs it)"
        )
    return node


def test_typescript_client_end_to_end(served: Served, tmp_path: Path) -> None:
    node = _node()
    out = tmp_path / "build"
    # Type-check and compile the client and its tests (the types are the generated ones).
    tsc = subprocess.run(
        [node, str(TS_CLIENT / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.test.json"]
        + ["--outDir", str(out)],
        cwd=TS_CLIENT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
    # The compiled modules are ES modules that import the client's installed dependencies.
    (out / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    (out / "node_modules").symlink_to(TS_CLIENT / "node_modules", target_is_directory=True)
    env = {
        **os.environ,
        "CALLPLANE_URL": served.url,
        "CALLPLANE_PLATFORM_KEY": served.platform_key,
        "CALLPLANE_SANDBOX_URL": served.sandbox_url,
    }
    tests = sorted(str(p) for p in (out / "test").glob("*.test.js"))
    assert tests, list(out.rglob("*"))
    done = subprocess.run(
        [node, "--test", "--test-reporter=tap", *tests],
        cwd=TS_CLIENT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = done.stdout + done.stderr
    passed = re.search(r"^# pass (\d+)$", output, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", output, re.MULTILINE)
    assert done.returncode == 0 and failed is not None and failed.group(1) == "0", output
    assert passed is not None and int(passed.group(1)) >= 4, output
