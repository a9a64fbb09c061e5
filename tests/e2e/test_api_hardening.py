"""What an outside attacker found on the JSON API (issue 16): NUL characters (500 on PostgreSQL),
a bring-your-own token that is not Latin-1, lenient coercion of booleans and integers, 405 answers
without `Allow`, a chunked body over the limit answered 400."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from callplane.middleware import MAX_BODY_BYTES
from callplane.tenants.models import Tenant
from tests.fixtures.api import Api, TenantKit

NUL = "\x00"


async def _agent(api: Api, t: TenantKit) -> str:
    r = await api.client.post(
        f"/v1/tenants/{t.id}/agents",
        json={"name": "Ava", "voice": {"mode": "voicemail", "greeting": "Hi"}},
        headers=t.headers(),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _tenants(api: Api) -> int:
    async with api.runtime.uow() as uow:
        return len(await uow.platform_repo(Tenant).all())


def _refused(r: Any, field: str | None = None) -> None:
    assert r.status_code == 422, (r.status_code, r.text)
    error = r.json()["error"]
    assert error["code"] == "nul_character", error
    if field is not None:
        assert field in error["fields"][0]["field"], error


async def test_nul_in_json_fields_is_422_nul_character_and_nothing_written(api: Api) -> None:
    t = await api.tenant()
    agent = await _agent(api, t)
    tenants = await _tenants(api)
    p = api.platform
    cases: list[tuple[str, str, dict[str, Any], dict[str, str], str]] = [
        ("POST", "/v1/tenants", {"slug": "nul-co", "name": f"A{NUL}B"}, p, "name"),
        ("PATCH", f"/v1/tenants/{t.id}", {"name": NUL}, p, "name"),
        ("POST", f"/v1/tenants/{t.id}/api-keys", {"role": "admin", "name": f"k{NUL}"}, p, "name"),
        ("PUT", f"/v1/tenants/{t.id}/subscription", {"plan": f"p{NUL}", "status": "active"}, p, ""),
        ("POST", f"/v1/tenants/{t.id}/agents", {"name": f"A{NUL}"}, t.headers(), "name"),
        (
            "PATCH",
            f"/v1/tenants/{t.id}/agents/{agent}",
            {"voice": {"mode": "voicemail", "greeting": f"Hi{NUL}"}},
            t.headers(),
            "voice",
        ),
        (
            "PATCH",
            f"/v1/tenants/{t.id}/agents/{agent}",
            {"sms": {"mode": "reply", "reply": f"{NUL}"}},
            t.headers(),
            "sms",
        ),
        (
            "PATCH",
            f"/v1/tenants/{t.id}/agents/{agent}",
            {
                "voice": {
                    "mode": "stream",
                    "stream_url": "wss://a.example/s",
                    "parameters": {NUL: "x"},
                }
            },
            t.headers(),
            "voice",
        ),
        (
            "POST",
            f"/v1/tenants/{t.id}/messages",
            {"from": "+14155550100", "to": "+14155550123", "body": f"hi{NUL}"},
            t.headers(),
            "body",
        ),
        ("PUT", f"/v1/tenants/{t.id}/connection", {"model": "byo", "auth_token": NUL}, p, ""),
    ]
    for method, path, body, headers, field in cases:
        r = await api.client.request(method, path, json=body, headers=headers)
        _refused(r, field)
    assert await _tenants(api) == tenants
    r = await api.client.get(f"/v1/tenants/{t.id}/agents/{agent}", headers=t.headers())
    assert r.json()["voice"]["greeting"] == "Hi" and r.json()["name"] == "Ava"


async def test_nul_in_paths_and_queries_is_422_nul_character(api: Api) -> None:
    t = await api.tenant()
    p = api.platform
    for method, url, headers in (
        ("GET", "/v1/plans/%00", p),
        ("PUT", "/v1/plans/pro%00", p),
        ("GET", f"/v1/tenants/{t.id}/events?sid=CA%00", t.headers()),
        ("GET", "/v1/routes/explain?to=%2B1415%00", p),
        ("GET", f"/v1/tenants/{t.id}/phone-numbers/available?contains=%00", t.headers()),
        ("GET", f"/v1/tenants/{t.id}/phone-numbers?cursor=%00", t.headers()),
    ):
        r = await api.client.request(method, url, headers=headers, json={"quota_phone_numbers": 1})
        _refused(r)
    # A literal backslash-u text (not a NUL) is just text.
    r = await api.client.put("/v1/plans/plain", json={"quota_phone_numbers": 1}, headers=p)
    assert r.status_code == 200
    r = await api.client.post("/v1/tenants", json={"slug": "bs-co", "name": "A\\u0000B"}, headers=p)
    assert r.status_code == 201 and r.json()["name"] == "A\\u0000B"


async def test_byo_auth_token_that_is_not_latin1_is_invalid_credentials(api: Api) -> None:
    t = await api.tenant()
    for token in ("a" * 31 + "€", "tökén-ü" + "✓" * 12):
        r = await api.client.put(
            f"/v1/tenants/{t.id}/connection",
            json={"model": "byo", "account_sid": "AC" + "1" * 32, "auth_token": token},
            headers=t.headers(),
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "invalid_credentials"
        assert token not in r.text
    r = await api.client.get(f"/v1/tenants/{t.id}/connection", headers=t.headers())
    assert r.json()["model"] != "byo"


async def test_strict_types_refuse_lenient_coercion(api: Api) -> None:
    t = await api.tenant()
    agent = await _agent(api, t)
    p = api.platform
    for method, path, body, headers in (
        ("POST", "/v1/reconcile", {"dry_run": 0}, p),
        ("POST", "/v1/reconcile", {"dry_run": "true"}, p),
        ("PUT", "/v1/plans/pro", {"quota_phone_numbers": False}, p),
        ("PUT", "/v1/plans/pro", {"quota_phone_numbers": "5"}, p),
        ("PUT", "/v1/plans/pro", {"quota_phone_numbers": 5.0}, p),
        (
            "PUT",
            f"/v1/tenants/{t.id}/subscription",
            {"plan": "pro", "status": "active", "cancel_at_period_end": 1},
            p,
        ),
        (
            "PUT",
            f"/v1/tenants/{t.id}/subscription",
            {"plan": "pro", "status": "canceled", "canceled_at": 0},
            p,
        ),
        (
            "PATCH",
            f"/v1/tenants/{t.id}/agents/{agent}",
            {"rotate_events_secret": "yes"},
            t.headers(),
        ),
        ("PATCH", f"/v1/tenants/{t.id}/agents/{agent}", {"name": 7}, t.headers()),
        ("POST", f"/v1/tenants/{t.id}/phone-numbers", {"phone_number": 14155550100}, t.headers()),
    ):
        r = await api.client.request(method, path, json=body, headers=headers)
        assert r.status_code == 422, (path, body, r.text)
        assert r.json()["error"]["code"] == "validation_error"
    # JSON's own types, and strings for what JSON has no type for (ids, times), still pass.
    assert (
        await api.client.put("/v1/plans/pro", json={"quota_phone_numbers": 5}, headers=p)
    ).status_code == 200
    r = await api.client.put(
        f"/v1/tenants/{t.id}/subscription",
        json={
            "plan": "pro",
            "status": "canceled",
            "cancel_at_period_end": True,
            "canceled_at": "2026-11-01T00:00:00Z",
        },
        headers=p,
    )
    assert r.status_code == 200, r.text
    r = await api.client.post(
        "/v1/reconcile", json={"dry_run": True, "tenant_id": str(t.id), "wait": False}, headers=p
    )
    assert r.status_code in (200, 202), r.text


async def test_405_answers_carry_allow_with_every_method_of_the_path(api: Api) -> None:
    t = await api.tenant()
    for method, url, allowed in (
        ("POST", f"/v1/tenants/{t.id}", {"GET", "PATCH", "DELETE"}),
        ("DELETE", "/v1/tenants", {"GET", "POST"}),
        ("GET", "/webhooks/twilio/voice", {"POST"}),
        ("POST", "/v1/plans/pro", {"GET", "PUT"}),
    ):
        r = await api.client.request(method, url, headers=api.platform)
        assert r.status_code == 405, (url, r.text)
        assert r.json()["error"]["code"] == "method_not_allowed"
        assert set(r.headers["allow"].replace(" ", "").split(",")) - {"HEAD"} == allowed, url


async def test_chunked_body_over_the_limit_is_413(api: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"slug": "big", "name": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    headers = {**api.platform, "Content-Type": "application/json"}
    r = await api.client.post("/v1/tenants", content=chunks(), headers=headers)
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("field", ["name", "slug"])
async def test_non_latin1_text_is_text(api: Api, field: str) -> None:
    # Non-Latin-1 is fine where it is text (names): stored and answered as sent.
    body = {"slug": "uni-co", "name": "Ünïcødé €"}
    if field == "slug":
        body["slug"] = "€-co"
    r = await api.client.post("/v1/tenants", json=body, headers=api.platform)
    if field == "name":
        assert r.status_code == 201 and r.json()["name"] == "Ünïcødé €"
    else:
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
