"""Secrets: encrypted at rest, bound to their row, absent from answers and logs; key rotation."""

from __future__ import annotations

import asyncio
import base64
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy import select, update

from callplane.connections import service as connections
from callplane.connections.models import Connection
from callplane.log import configure_logging
from callplane.providers.access import credentials
from callplane.providers.models import ProviderAccount
from callplane.runtime import Runtime
from callplane.security.crypto import DecryptionError
from callplane.security.rotation import rotate_keys
from tests.fixtures.api import Api, stored_webhook_tokens
from tests.fixtures.db import TEST_KEY
from tests.fixtures.logscan import register_secret
from tests.fixtures.providers import ProvidersKit


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Every log line meanwhile (DEBUG), through the service's own redacting formatter."""
    configure_logging("DEBUG")
    ours = next(h for h in logging.getLogger().handlers if getattr(h, "_callplane", False))
    buffer = io.StringIO()
    capture = logging.StreamHandler(buffer)
    capture.setFormatter(ours.formatter)
    logging.getLogger().addHandler(capture)
    try:
        yield buffer
    finally:
        logging.getLogger().removeHandler(capture)


async def _connect_byo(api: Api, tenant_id: object, headers: dict) -> dict:
    async with httpx.AsyncClient() as http:
        acct = (
            await http.post(
                f"{api.runtime.settings.twilio_base_url}/__sandbox/accounts",
                json={"friendly_name": "own"},
            )
        ).json()
    r = await api.client.put(
        f"/v1/tenants/{tenant_id}/connection",
        json={"model": "byo", "account_sid": acct["sid"], "auth_token": acct["auth_token"]},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    return acct


async def test_no_secret_in_responses_logs_or_database_file(api: Api) -> None:
    with captured_logs() as buffer:
        t = await api.tenant()
        acct = await _connect_byo(api, t.id, t.headers())
        responses = []
        for path in ("", "/connection", "/api-keys", "/subscription"):
            r = await api.client.get(f"/v1/tenants/{t.id}{path}", headers=t.headers())
            responses.append(r.text)
        r = await api.client.post(f"/v1/tenants/{t.id}/connection/health", headers=t.headers())
        responses.append(r.text)
        # A failure path logs too: a wrong token must not be echoed anywhere.
        bad = await api.client.put(
            f"/v1/tenants/{t.id}/connection",
            json={"model": "byo", "account_sid": acct["sid"], "auth_token": "f" * 32},
            headers=t.headers(),
        )
        responses.append(bad.text)
    secrets = [acct["auth_token"], "f" * 32, t.admin_key, t.member_key, api.platform_key]
    for text in responses:
        for secret in secrets:
            assert secret not in text
    logs = buffer.getvalue()
    for secret in secrets:
        assert secret not in logs
    url = api.runtime.settings.database_url
    if url.startswith("sqlite"):
        await api.runtime.engine.dispose()  # flush the WAL into the file
        raw = b"".join(
            p.read_bytes()
            for p in Path(url.split("///", 1)[1]).parent.iterdir()
            if p.name.startswith("callplane.db")
        )
        for secret in secrets:
            assert secret.encode() not in raw


async def test_ciphertext_copied_to_another_tenant_fails(api: Api) -> None:
    alice = await api.tenant()
    bob = await api.tenant()
    await _connect_byo(api, alice.id, alice.headers())
    await _connect_byo(api, bob.id, bob.headers())
    async with api.runtime.uow() as uow:
        a = await connections.get_connection(uow=uow, scope=alice.scope)
        await uow.session.execute(
            update(Connection).where(Connection.tenant_id == bob.id).values(auth_token=a.auth_token)
        )
        await uow.commit()
    async with api.runtime.uow() as uow:
        b = await connections.get_connection(uow=uow, scope=bob.scope)
        with pytest.raises(DecryptionError):
            stored_webhook_tokens(uow.runtime, b)


async def test_key_rotation_under_load(api: Api) -> None:
    tenants = [await api.tenant() for _ in range(6)]
    tokens = {}
    for t in tenants:
        tokens[t.id] = (await _connect_byo(api, t.id, t.headers()))["auth_token"]
    # Step 1 of a rotation: every replica gets the new key first in its ring (it encrypts with it
    # and still decrypts the old one). Step 2, measured here: `keys rotate` while traffic flows.
    new_key = "t2:" + base64.b64encode(b"n" * 32).decode()
    rotated_settings = api.runtime.settings.model_copy(
        update={"encryption_keys": SecretStr(new_key + "," + TEST_KEY)}
    )
    rotator = Runtime.create(rotated_settings)
    old_secrets = api.runtime.secrets
    api.runtime.secrets = rotator.secrets
    stop = asyncio.Event()
    statuses: list[int] = []

    async def traffic() -> None:
        while not stop.is_set():
            for t in tenants:
                r = await api.client.post(
                    f"/v1/tenants/{t.id}/connection/health", headers=t.headers()
                )
                statuses.append(r.status_code)

    load = asyncio.create_task(traffic())
    try:
        report = await rotate_keys(runtime=rotator, batch_size=2)
        await asyncio.sleep(0.05)
    finally:
        stop.set()
        await load
        api.runtime.secrets = old_secrets
    assert report.rotated >= len(tenants)
    assert statuses and all(s == 200 for s in statuses), statuses
    async with rotator.uow() as uow:
        rows = (await uow.session.execute(select(Connection))).scalars().all()
        assert all(r.auth_token.startswith("v1:t2:") for r in rows)
        for r in rows:
            assert stored_webhook_tokens(uow.runtime, r) == [tokens[r.tenant_id]]
    await rotator.close()


async def test_provider_keys_never_in_answers_logs_or_at_rest(
    providers: ProvidersKit,
) -> None:
    api = providers.api
    wrong = "key_wrong" + "5f3a9c" * 4
    register_secret(wrong, "a refused provider key")
    with captured_logs() as buffer:
        t, retell_key, _, agent = await providers.setup("retell")
        _, livekit_key, _, _ = await providers.setup("livekit", t)
        number = await providers.buy(t, agent)
        await providers.provider_status(t, number["id"], "synced")
        texts = []
        for path in ("/providers", "/providers/retell", "/providers/livekit", "/phone-numbers"):
            texts.append(
                (await api.client.get(f"/v1/tenants/{t.id}{path}", headers=t.headers())).text
            )
        bad = await api.client.put(
            f"/v1/tenants/{t.id}/providers/retell",
            json={**retell_key.body(), "api_key": wrong},
            headers=t.headers(),
        )
        assert bad.status_code == 422
        texts.append(bad.text)
        texts.append(
            (
                await api.client.post(
                    f"/v1/tenants/{t.id}/providers/retell/test", headers=t.headers()
                )
            ).text
        )
    secrets = [retell_key.api_key, livekit_key.api_key, livekit_key.answer["api_secret"], wrong]
    for answer in texts:
        for secret in secrets:
            assert secret not in answer
    logs = buffer.getvalue()
    assert "provider registration synced" in logs, "the capture saw the sync"
    for secret in secrets:
        assert secret not in logs
    # At rest: ciphertext bound to the tenant and column, never the key.
    async with api.runtime.uow() as uow:
        rows = (await uow.session.execute(select(ProviderAccount))).scalars().all()
        assert {r.name for r in rows} == {"retell", "livekit"}
        for row in rows:
            assert row.api_key.startswith("v1:")
            assert all(s not in row.api_key for s in secrets)
        dump = " ".join(
            str(v)
            for v in (await uow.session.execute(sa.text("SELECT * FROM provider_accounts"))).all()
        )
        for secret in secrets:
            assert secret not in dump
    url = api.runtime.settings.database_url
    if url.startswith("sqlite"):
        await api.runtime.engine.dispose()  # flush the WAL into the file
        raw = b"".join(
            p.read_bytes()
            for p in Path(url.split("///", 1)[1]).parent.iterdir()
            if p.name.startswith("callplane.db")
        )
        for secret in secrets:
            assert secret.encode() not in raw
    # `keys rotate` re-encrypts them under the new first key, and they still open.
    new_key = "t3:" + base64.b64encode(b"p" * 32).decode()
    rotator = Runtime.create(
        api.runtime.settings.model_copy(
            update={"encryption_keys": SecretStr(new_key + "," + TEST_KEY)}
        )
    )
    try:
        report = await rotate_keys(runtime=rotator)
        assert report.by_column.get("provider_accounts.api_key") == 2
        assert report.by_column.get("provider_accounts.api_secret") == 1
        async with rotator.uow() as uow:
            for row in (await uow.session.execute(select(ProviderAccount))).scalars():
                assert row.api_key.startswith("v1:t3:")
                opened = credentials(uow, row)
                assert opened.api_key in (retell_key.api_key, livekit_key.api_key)
    finally:
        await rotator.close()
