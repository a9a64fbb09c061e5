"""The OpenAPI document clients are generated from: FastAPI's, completed where it cannot know.

FastAPI reads types; what it cannot read is added here, from the routes themselves: which
operations need an API key and of which role (the `deps` dependencies a route depends on),
which stable error codes each can answer, a request example per body, what pagination and the
`Idempotency-Key` header mean, and one feature tag per operation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi

from callplane import deps
from callplane.events.catalog import webhooks
from callplane.openapi.errors import CODES, OPERATION_CODES
from callplane.openapi.examples import REQUEST_EXAMPLES
from callplane.openapi.ids import TAGS, api_routes, feature_tag

SECURITY_SCHEME = "bearerAuth"
JSON = "application/json"

INTRO = """\
Multi-tenant telephony control plane for Twilio.

**Authentication.** Every `/v1` operation takes an API key as `Authorization: Bearer <key>`,
except the Stripe webhook (signed by Stripe). A platform key reaches every tenant; a tenant's
key reaches only its own tenant (`admin` keys write, `member` keys read and send messages).
Another tenant's resources answer 404, exactly like unknown ones. Each operation says which
role it needs.

**Errors.** Every error answers `{"error": {"code": "...", "message": "...", ...details}}`.
`code` is stable (branch on it); `message` is for people. Twilio's refusals keep Twilio's
number in `twilio_code`. Each operation lists the codes it can answer as examples of its error
answers.

**Pagination.** A list answers `{"data": [...], "next_cursor": "..."}`. Pass `next_cursor` as
`cursor` to get the next page (`limit` items at most); `next_cursor` is `null` on the last page.

**Idempotency.** Buying a number, sending a message and starting a call take an
`Idempotency-Key` header: repeating a request with the same key repeats its answer and never
buys or sends twice.

**Events.** callplane POSTs events to an agent's `events_url`, signed in the
`Callplane-Signature` header: `t=<unix seconds>,v1=<hex>` where `v1` is
HMAC-SHA256(secret, `"<t>.<raw body>"`); several `v1` values may come while a secret rotates.
The clients' `verify(payload, header, secret)` checks it.
"""

PAGINATION = {
    "cursor": "Where to continue: the `next_cursor` of the previous page (omit for the first).",
    "limit": "The most items on this page.",
}
IDEMPOTENCY = (
    "Repeat the request with the same key to repeat it safely: it takes effect once and the "
    "repeat answers the same."
)

ROLE_TEXT = {
    "platform": "Needs a platform API key.",
    "admin": "Needs an `admin` key of the tenant, or a platform key.",
    "member": "Any key of the tenant (`admin` or `member`), or a platform key.",
    None: "Public: no API key.",
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def role_of(route: Any) -> str | None:
    """The key a route needs: platform, admin, member (any tenant key), or None (public)."""
    calls = set(_calls(route.dependant))
    if deps.platform_actor in calls:
        return "platform"
    if deps.admin_scope in calls:
        return "admin"
    if calls & {deps.tenant_scope, deps.current_tenant, deps.current_actor}:
        return "member"
    return None


def _generic_codes(operation: dict[str, Any], role: str | None) -> list[str]:
    params = operation.get("parameters", [])
    codes = []
    if role is not None:
        codes.append("unauthorized")
    if role in ("platform", "admin"):
        codes.append("forbidden")
    if any(p["in"] == "path" for p in params):
        codes.append("not_found")
    if any(p["name"] == "cursor" for p in params):
        codes.append("invalid_cursor")
    if "requestBody" in operation:
        codes += ["invalid_json", "payload_too_large"]
    if params or "requestBody" in operation:
        codes.append("validation_error")
    return codes


def _document_errors(operation: dict[str, Any], codes: list[str]) -> None:
    by_status: dict[int, list[str]] = {}
    for code in dict.fromkeys(codes):
        by_status.setdefault(CODES[code][0], []).append(code)
    responses = operation.setdefault("responses", {})
    for status, listed in sorted(by_status.items()):
        answer = responses.setdefault(str(status), {"description": CODES[listed[0]][1]})
        content = answer.setdefault("content", {}).setdefault(JSON, {})
        content.setdefault("schema", {"$ref": "#/components/schemas/ErrorOut"})
        content["examples"] = {
            code: {
                "summary": CODES[code][1],
                "value": {"error": {"code": code, "message": CODES[code][1]}},
            }
            for code in listed
        }
        answer["description"] = (
            answer["description"].rstrip(".") + ". Codes: " + ", ".join(f"`{c}`" for c in listed)
        )


def _complete(operation: dict[str, Any], route: Any) -> None:
    op_id = operation["operationId"]
    operation["tags"] = [feature_tag(route)]
    role = role_of(route)
    operation["security"] = [{SECURITY_SCHEME: []}] if role else []
    operation["x-callplane-role"] = role or "public"
    if role is None:  # the routers' shared answers include the API key's; a public route has none
        for status in ("401", "403"):
            operation.get("responses", {}).pop(status, None)
    text = operation.get("description", "")
    operation["description"] = (text + "\n\n" if text else "") + ROLE_TEXT[role]
    for param in operation.get("parameters", []):
        if param["in"] == "query" and param["name"] in PAGINATION:
            param.setdefault("description", PAGINATION[param["name"]])
        if param["in"] == "header" and param["name"].lower() == "idempotency-key":
            param.setdefault("description", IDEMPOTENCY)
    body = operation.get("requestBody", {}).get("content", {}).get(JSON)
    if body is not None and op_id in REQUEST_EXAMPLES and "example" not in body:
        body["example"] = REQUEST_EXAMPLES[op_id]
    _document_errors(
        operation, _generic_codes(operation, role) + list(OPERATION_CODES.get(op_id, ()))
    )


def _complete_schemas(schemas: dict[str, Any]) -> None:
    for name, schema in schemas.items():
        if name.startswith("ListOf_"):
            schema["description"] = "One page of a list."
            cursor = schema.get("properties", {}).get("next_cursor")
            if cursor is not None:
                cursor["description"] = (
                    "Pass it as `cursor` for the next page; null on the last page."
                )
    detail = schemas.get("ErrorDetail", {}).get("properties", {})
    if "code" in detail:
        detail["code"]["description"] = "Stable: branch on it (the operation lists its codes)."
    if "message" in detail:
        detail["message"]["description"] = "For people; it may change."


def build(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document."""
    spec = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=INTRO,
        routes=app.routes,
        webhooks=app.webhooks.routes,
        tags=[{"name": name, "description": text} for name, text in TAGS.items()],
    )
    routes = {r.unique_id: r for r in api_routes(app.routes)}
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            route = routes.get(operation.get("operationId", ""))
            if route is not None:
                _complete(operation, route)
    components = spec.setdefault("components", {})
    components["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (`cpk_...`): `Authorization: Bearer <key>`.",
        }
    }
    _complete_schemas(components.get("schemas", {}))
    # The events tenant apps receive (events/catalog.py): typed for generated clients too.
    hooks, schemas = webhooks()
    spec["webhooks"] = {**spec.get("webhooks", {}), **hooks}
    components.setdefault("schemas", {}).update(schemas)
    return spec


def install(app: FastAPI) -> None:
    """Serve `build(app)` at `/openapi.json` (built once, on first use)."""
    cache: dict[str, dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        if "doc" not in cache:
            cache["doc"] = build(app)
        return cache["doc"]

    app.openapi = openapi  # type: ignore[method-assign]
