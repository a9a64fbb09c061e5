"""Operation ids and tags: derived in one place from each route's tag and function name.

The convention: a route function is named `<verb>_<noun>` (`buy_number`, `list_agents`); its
tag's row in `RESOURCES` maps the noun to the resource the id starts with, and the id is
`<resource>_<verb>` (`phone_numbers_buy`, `agents_list`). Where the function name is not the
right verb, `OVERRIDES` names the id. A route that fits neither gets a provisional id
`<tag>__<function>` and is reported by `problems()` (a test fails naming it), so a new route is
named on purpose before it reaches clients: generated clients name their methods after these
ids, and renaming one breaks every caller.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

# The feature tags, in the order the document lists them, with what each covers.
TAGS: dict[str, str] = {
    "tenants": "Tenants, their API keys, plans and subscriptions (platform keys).",
    "connections": "A tenant's Twilio connection: the account model and its credentials.",
    "agents": "Agents: how calls and messages to a tenant's numbers are handled.",
    "numbers": "Phone numbers: search, prices, buy, import, attach to agents, release.",
    "compliance": "Regulatory bundles and addresses per country and number type.",
    "trunks": "A tenant's isolated SIP trunk and its credentials.",
    "messaging": "Outbound SMS and calls.",
    "gateway": "Recorded webhook events and routing explanations.",
    "jobs": "Reconciliation with Twilio and connection health (platform keys).",
    "billing": "Stripe subscription events (signed by Stripe, no API key).",
    "providers": "Voice-AI providers (Retell, ElevenLabs, Vapi, LiveKit): a tenant's credentials "
    "there, and its numbers' registrations.",
    "webhooks": "Webhook endpoints: tenant-wide event subscriptions, their delivery log, "
    "retry, replay and secret rotation (event payloads: the document's `webhooks`).",
    "recordings": "Call recordings of a tenant's numbers (from Twilio's recording callbacks).",
}

VERBS = frozenset(
    {
        "attach",
        "buy",
        "check",
        "create",
        "delete",
        "detach",
        "explain",
        "get",
        "import",
        "list",
        "offboard",
        "put",
        "release",
        "revoke",
        "rotate",
        "send",
        "start",
        "update",
    }
)

# tag -> noun of the function name (singular or plural) -> resource prefix of the id.
RESOURCES: dict[str, dict[str, str]] = {
    "tenants": {
        "tenant": "tenants",
        "tenants": "tenants",
        "api_key": "api_keys",
        "api_keys": "api_keys",
        "plan": "plans",
        "plans": "plans",
        "subscription": "subscription",
    },
    "connections": {"connection": "connection"},
    "agents": {"agent": "agents", "agents": "agents"},
    "numbers": {"number": "phone_numbers", "numbers": "phone_numbers"},
    "compliance": {"platform_profile": "platform_compliance", "tenant_profile": "compliance"},
    "trunks": {"trunk": "trunk", "credentials": "trunk_credentials", "number": "trunk_numbers"},
    "messaging": {"message": "messages", "call": "calls"},
    "gateway": {"events": "events", "route": "routes"},
    "jobs": {"run": "job_runs", "runs": "job_runs"},
    "recordings": {"recordings": "recordings"},
    "providers": {"provider": "providers", "providers": "providers"},
    "webhooks": {
        "endpoint": "webhook_endpoints",
        "endpoints": "webhook_endpoints",
        "deliveries": "webhook_deliveries",
    },
}

# (tag, function name) -> id, where the function name is not `<verb>_<noun>`.
OVERRIDES: dict[tuple[str, str], str] = {
    ("numbers", "search_available"): "phone_numbers_search",
    ("numbers", "pricing"): "phone_numbers_get_pricing",
    ("numbers", "import_numbers_batch"): "phone_numbers_import_batch",
    ("connections", "check_health"): "connection_check_health",
    ("jobs", "reconcile"): "reconcile_start",
    ("jobs", "connections_health"): "connection_health_list",
    ("billing", "stripe_webhook"): "billing_receive_stripe_event",
    ("providers", "connect_provider"): "providers_put",
    ("providers", "disconnect_provider"): "providers_delete",
    ("providers", "test_provider"): "providers_check",
    ("providers", "sync_number_provider"): "phone_numbers_sync_provider",
    ("webhooks", "rotate_secret"): "webhook_endpoints_rotate_secret",
    ("webhooks", "test_endpoint"): "webhook_endpoints_test",
    ("webhooks", "retry_delivery"): "webhook_deliveries_retry",
    ("webhooks", "replay_event"): "events_replay",
}

ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def api_routes(routes: Sequence[BaseRoute]) -> list[Any]:
    """The JSON API's routes as the document sees them (an included router's routes carry the
    router's prefix, tags and responses: FastAPI's route contexts)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - FastAPI before route contexts
        return [r for r in routes if isinstance(r, APIRoute) and r.include_in_schema]
    return [
        c
        for c in iter_route_contexts(routes)
        if isinstance(c.original_route, APIRoute) and c.include_in_schema
    ]


def feature_tag(route: Any) -> str:
    """The route's feature: its most specific tag (a router's tag comes first, a route's last)."""
    tags = [str(t) for t in route.tags]
    return tags[-1] if tags else ""


def derive(tag: str, name: str) -> str | None:
    """The operation id of function `name` under `tag`, or None when no rule names it."""
    if (tag, name) in OVERRIDES:
        return OVERRIDES[(tag, name)]
    verb, _, noun = name.partition("_")
    resource = RESOURCES.get(tag, {}).get(noun)
    if verb in VERBS and resource is not None:
        return f"{resource}_{verb}"
    return None


def operation_id(route: Any) -> str:
    """FastAPI's `generate_unique_id_function`: the stable operation id of a route."""
    tag = feature_tag(route)
    return derive(tag, route.name) or f"{tag or 'untagged'}__{route.name}"


def _where(route: Any) -> str:
    methods = ",".join(sorted(route.methods))
    return f"{methods} {route.path} ({route.endpoint.__module__}.{route.name})"


def problems(routes: Sequence[BaseRoute]) -> list[str]:
    """Every route of the document without a good operation id or tag, named, with the fix."""
    api = api_routes(routes)
    found: list[str] = []
    for route in api:
        tag = feature_tag(route)
        if tag not in TAGS:
            found.append(f"{_where(route)}: tag {tag!r} is not in TAGS (openapi/ids.py)")
            continue
        if route.operation_id is not None:
            if not ID_PATTERN.match(route.operation_id):
                found.append(f"{_where(route)}: operation_id {route.operation_id!r} is not snake")
            continue
        if derive(tag, route.name) is None:
            found.append(
                f"{_where(route)}: no operation id: name the function `<verb>_<noun>` with a "
                f"verb of VERBS and the noun in RESOURCES[{tag!r}], or add "
                f"OVERRIDES[({tag!r}, {route.name!r})] in openapi/ids.py"
            )
    counts = Counter(r.unique_id for r in api)
    for route in api:
        if counts[route.unique_id] > 1:
            found.append(f"{_where(route)}: operation id {route.unique_id!r} is not unique")
    return found
