"""`callplane apikeys create`, `callplane migrate` and `callplane keys rotate` from the command line."""

from __future__ import annotations

import asyncio
from typing import Any

from typer.testing import CliRunner

from callplane.cli import app
from tests.fixtures.api import Api


async def test_apikeys_create_for_a_tenant_and_the_platform(api: Api, cli: Any) -> None:
    t = await api.tenant("cli-tenant")
    member = (await cli("apikeys", "create", "--tenant", "cli-tenant", "--role", "member")).strip()
    assert member.startswith("cpk_")
    r = await api.client.get(f"/v1/tenants/{t.id}", headers={"Authorization": f"Bearer {member}"})
    assert r.status_code == 200
    r = await api.client.post(
        f"/v1/tenants/{t.id}/api-keys",
        json={"role": "member"},
        headers={"Authorization": f"Bearer {member}"},
    )
    assert r.status_code == 403
    by_id = (await cli("apikeys", "create", "--tenant", str(t.id), "--role", "admin")).strip()
    assert by_id.startswith("cpk_") and by_id != member
    platform = (await cli("apikeys", "create", "--platform")).strip()
    r = await api.client.get("/v1/tenants", headers={"Authorization": f"Bearer {platform}"})
    assert r.status_code == 200 and [x["slug"] for x in r.json()["data"]] == ["cli-tenant"]


async def test_apikeys_create_refuses_bad_arguments(api: Api, cli: Any) -> None:
    for args in (
        ["apikeys", "create"],
        ["apikeys", "create", "--platform", "--tenant", "x"],
        ["apikeys", "create", "--tenant", "no-such-tenant"],
    ):
        result = await asyncio.to_thread(CliRunner().invoke, app, args)
        assert result.exit_code != 0, args
