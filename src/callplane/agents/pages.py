"""A page of a tenant's agents as the API lists it: the list's own read path.

A tenant's app reads its agents often (a dashboard, a sync loop). Through FastAPI's dependencies
and the async ORM a page cost ~1.7 ms of CPU on PostgreSQL (docs/benchmarks.md,
sixteenth pass). Here the agents are read in one statement on the gateway's store
(`gateway.plain`), shown by `AgentOut.from_model` as the ORM path shows them, and the page's
JSON is kept between changes (`store.Kept`; `agents` is among `db.changes.WATCHED`), as a page
of numbers is (numbers/pages.py).
"""

from __future__ import annotations

from typing import Any, cast

from pydantic_core import to_json

from callplane.agents.models import Agent
from callplane.agents.schemas import AgentOut
from callplane.gateway.plain import PlainPages
from callplane.gateway.store import GatewayStore, Kept
from callplane.tenancy import TenantScope

# Pages kept between changes; a page of 200 agents is ~100 kB at most.
KEPT_PAGES = 256
# What `AgentOut.from_model` reads.
_PAGES = PlainPages(
    cast(Any, Agent.__table__),
    [
        "id",
        "name",
        "voice_mode",
        "stream_url",
        "stream_parameters",
        "sip_uri",
        "forward_to",
        "caller_id",
        "whisper",
        "greeting",
        "record",
        "hook_url",
        "hook_timeout_ms",
        "voice_fallback",
        "provider",
        "provider_agent_id",
        "sms_mode",
        "sms_url",
        "sms_reply",
        "events_url",
        "created_at",
    ],
    json_fields=("stream_parameters", "voice_fallback"),
)


async def page(*, store: GatewayStore, scope: TenantScope, cursor: str | None, limit: int) -> bytes:
    """A page of the tenant's agents, oldest first, as the JSON of `ListOf[AgentOut]`."""
    kept: Kept[tuple[Any, ...], bytes] = store.kept("agent-pages", KEPT_PAGES)

    async def build() -> bytes:
        rows, next_cursor = await _PAGES.page(
            store, tenant_id=scope.tenant_id, cursor=cursor, limit=limit
        )
        data = [AgentOut.from_model(cast(Agent, row)).model_dump(mode="json") for row in rows]
        return to_json({"data": data, "next_cursor": next_cursor})

    return await kept.through((scope.tenant_id, cursor, limit), build)
