"""Importing the numbers a Twilio account already holds, through the API and the sandbox.

Per run: a new top-level account in the sandbox holding N numbers, a new tenant on it (its own
"byo" connection, a plan whose quota fits), made through the API with the platform key; then the
tenant's admin key imports every number (`manage_webhooks: true`: callplane wires them), and the
clock stops when the API lists all N as active.

Today an import is one number per request (`POST .../phone-numbers/import {"phone_number"}`).
A bulk form (a list in one request) is used when the service offers it: `--import-mode auto`
reads /openapi.json and takes the import operation's array property (strings, or objects with
`phone_number`), of that operation or of one beside it (`.../phone-numbers/import/batch`), in
requests of at most its `maxItems`; `bulk` insists on it, `single` never
uses it, and `--import-field` names the property when the schema does not tell. A bulk request
answered 202 (imported in the background) is waited for until the numbers are listed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

IMPORT_SUFFIX = "/phone-numbers/import"
BACKGROUND_WAIT = 600.0  # seconds a background (202) import may take to list its numbers


@dataclass
class ImportResult:
    """One import run."""

    numbers: int
    seconds: float  # until the API lists them all as active
    mode: str  # "single" or "bulk"
    requests: int
    errors: int  # requests answered with an error
    missing: int  # numbers not listed as active at the end

    @property
    def per_second(self) -> float:
        return self.numbers / self.seconds if self.seconds else 0.0


@dataclass
class BulkForm:
    """How the service takes many numbers in one import request."""

    field: str
    suffix: str  # the operation's path after the tenant's (`/phone-numbers/import...`)
    objects: bool  # items are {"phone_number": ...} (else E.164 strings)
    item_manage: bool  # items carry `manage_webhooks`
    top_manage: bool  # the request carries `manage_webhooks`
    max_items: int | None


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _alternatives(spec: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(spec, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [alt for s in schema[key] for alt in _alternatives(spec, s)]
    return [schema]


def bulk_form(spec: dict[str, Any], field: str | None = None) -> BulkForm | None:
    """The import operation's list form in an OpenAPI document, if it has one."""
    # The import operation itself, or one beside it (`.../phone-numbers/import/<form>`).
    paths = sorted((p for p in spec.get("paths", {}) if IMPORT_SUFFIX in p), key=len)
    for path in paths:
        operation = spec["paths"][path].get("post")
        if operation:
            form = _bulk_operation(spec, operation, path, field)
            if form is not None:
                return form
    return None


def _bulk_operation(
    spec: dict[str, Any], operation: dict[str, Any], path: str, field: str | None
) -> BulkForm | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    for alt in _alternatives(spec, content.get("schema", {})):
        for name, prop in alt.get("properties", {}).items():
            # An optional list is `anyOf: [array, null]`: its array alternative.
            prop = next((a for a in _alternatives(spec, prop) if a.get("type") == "array"), {})
            if (field and name != field) or prop.get("type") != "array":
                continue
            item = _resolve(spec, prop.get("items", {}))
            objects = item.get("type") == "object" or "properties" in item
            return BulkForm(
                field=name,
                suffix=path[path.index("/phone-numbers/") :],
                objects=objects,
                item_manage=objects and "manage_webhooks" in item.get("properties", {}),
                top_manage="manage_webhooks" in alt.get("properties", {}),
                max_items=prop.get("maxItems"),
            )
    return None


async def _ok(http: httpx.AsyncClient, method: str, path: str, key: str, **kw: Any) -> Any:
    r = await http.request(method, path, headers={"Authorization": f"Bearer {key}"}, **kw)
    if r.status_code >= 300:
        raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:300]}")
    return r.json()


async def _account(
    sandbox: httpx.AsyncClient, count: int, label: str
) -> tuple[str, str, list[str]]:
    """A new sandbox account holding `count` numbers: (SID, token, its numbers)."""
    acct = (await sandbox.post("/__sandbox/accounts", json={"friendly_name": label})).json()
    sid, token = acct["sid"], acct["auth_token"]
    seeded = await sandbox.post("/__sandbox/seed", json={"account_sid": sid, "count": count})
    seeded.raise_for_status()
    numbers: list[str] = []
    # Twilio's api.twilio.com lives under /api in the sandbox; its page URIs are host-relative.
    uri: str | None = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json?PageSize=1000"
    while uri:
        r = await sandbox.get("/api" + uri, auth=(sid, token))
        r.raise_for_status()
        page = r.json()
        numbers += [n["phone_number"] for n in page["incoming_phone_numbers"]]
        uri = page.get("next_page_uri")
    return sid, token, numbers


async def _tenant(
    api: httpx.AsyncClient, platform_key: str, sid: str, token: str, count: int, label: str
) -> tuple[str, str]:
    """A new tenant on its own account, quota for `count` numbers: (tenant id, admin key)."""
    await _ok(
        api, "PUT", f"/v1/plans/{label}", platform_key, json={"quota_phone_numbers": count + 10}
    )
    tid = (
        await _ok(api, "POST", "/v1/tenants", platform_key, json={"slug": label, "name": label})
    )["id"]
    await _ok(
        api,
        "PUT",
        f"/v1/tenants/{tid}/subscription",
        platform_key,
        json={"plan": label, "status": "active"},
    )
    await _ok(
        api,
        "PUT",
        f"/v1/tenants/{tid}/connection",
        platform_key,
        json={"model": "byo", "account_sid": sid, "auth_token": token},
    )
    key = (
        await _ok(
            api,
            "POST",
            f"/v1/tenants/{tid}/api-keys",
            platform_key,
            json={"role": "admin", "name": "import"},
        )
    )["key"]
    return tid, key


async def _active(api: httpx.AsyncClient, tid: str, key: str) -> int:
    count, cursor = 0, None
    while True:
        params: dict[str, Any] = {"status": "active", "limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = await _ok(api, "GET", f"/v1/tenants/{tid}/phone-numbers", key, params=params)
        count += len(page["data"])
        cursor = page.get("next_cursor")
        if not cursor:
            return count


def _bulk_bodies(form: BulkForm, numbers: list[str]) -> list[dict[str, Any]]:
    size = form.max_items or len(numbers)
    bodies = []
    for start in range(0, len(numbers), size):
        chunk = numbers[start : start + size]
        items: list[Any] = chunk
        if form.objects:
            items = [
                {"phone_number": n, **({"manage_webhooks": True} if form.item_manage else {})}
                for n in chunk
            ]
        body: dict[str, Any] = {form.field: items}
        if form.top_manage:
            body["manage_webhooks"] = True
        bodies.append(body)
    return bodies


async def run_import(
    api: httpx.AsyncClient,
    sandbox: httpx.AsyncClient,
    platform_key: str,
    count: int,
    mode: str = "auto",
    field: str | None = None,
    concurrency: int = 1,
) -> ImportResult:
    """Import `count` numbers a new sandbox account holds into a new tenant (clients on the
    service and on the sandbox); the wall time until the API lists them all as active."""
    label = f"import-{uuid.uuid4().hex[:8]}"
    form = None
    if mode != "single":
        form = bulk_form((await api.get("/openapi.json")).json(), field)
        if form is None and mode == "bulk":
            raise RuntimeError("the service has no bulk import (an array in its import body)")
    sid, token, numbers = await _account(sandbox, count, label)
    tid, key = await _tenant(api, platform_key, sid, token, count, label)
    path = f"/v1/tenants/{tid}{form.suffix if form else IMPORT_SUFFIX}"
    bodies = (
        _bulk_bodies(form, numbers)
        if form
        else [{"phone_number": n, "manage_webhooks": True} for n in numbers]
    )
    errors = background = 0
    gate = asyncio.Semaphore(concurrency)

    async def send(body: dict[str, Any]) -> None:
        nonlocal errors, background
        async with gate:
            r = await api.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
            errors += r.status_code >= 300
            background += r.status_code == 202

    started = time.monotonic()
    await asyncio.gather(*(send(b) for b in bodies))
    active = await _active(api, tid, key)
    while background and active < count and time.monotonic() - started < BACKGROUND_WAIT:
        await asyncio.sleep(0.5)
        active = await _active(api, tid, key)
    seconds = time.monotonic() - started
    return ImportResult(
        count, seconds, "bulk" if form else "single", len(bodies), errors, count - active
    )


def import_numbers(
    service_url: str,
    sandbox_url: str,
    platform_key: str,
    count: int,
    mode: str = "auto",
    field: str | None = None,
    concurrency: int = 1,
) -> ImportResult:
    """`run_import` against a running service and sandbox."""

    async def go() -> ImportResult:
        async with (
            httpx.AsyncClient(base_url=service_url, timeout=600) as api,
            httpx.AsyncClient(base_url=sandbox_url, timeout=120) as sandbox,
        ):
            return await run_import(api, sandbox, platform_key, count, mode, field, concurrency)

    return asyncio.run(go())
