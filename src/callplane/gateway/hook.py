"""Voice mode `webhook`: the tenant's app routes each call (DESIGN section 13).

For a call to a number whose agent is in mode webhook, callplane POSTs the call's data to the
agent's `url`, signed like the events it sends (`Callplane-Signature: t=...,v1=...`, HMAC-SHA256
with the agent's events signing secret: the one secret the tenant's app already holds for that
agent), and waits at most `timeout_ms` (default 2000) for one of:

- `{"agent_id": "<one of the tenant's agents>"}`: routed as that agent would route the call;
- `{"action": "forward", "forward_to", "caller_id"?}`, `{"action": "voicemail", "greeting"?}`,
  `{"action": "say", "text"}`, `{"action": "reject"}`.

A timeout, a connection failure, a non-2xx answer, anything else in the body, an unknown agent
or one that cannot take the call (itself in mode webhook, or incomplete), and a URL that does
not resolve to a public address at call time: the agent's voice fallback. The call's event says
what happened (`detail.hook`: result, reason, the app's status, latency, and the explanation
sentence, as `explain` words it). Only calls of mode webhook come here: the other modes' hot
path does not change.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from prometheus_client import Counter
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection as SyncConnection
from sqlalchemy import and_, bindparam, select

from callplane import __version__
from callplane.agents.actions import HookAction
from callplane.agents.models import Agent
from callplane.agents.service import SECRET_FIELD
from callplane.connections.tokens import SecretOpener
from callplane.db.base import utcnow
from callplane.errors import ApiError
from callplane.gateway import answers, event_signature
from callplane.gateway.decision import (
    AGENT_ROUTE_FIELDS,
    AgentRoute,
    Decision,
    NumberRoute,
    decide_voice,
)
from callplane.gateway.store import GatewayStore
from callplane.gateway.twilio_signature import FormParams
from callplane.log import get_logger
from callplane.security.public_urls import public_http_client, refused_at_send
from callplane.settings import Settings

log = get_logger(__name__)

HOOK_CALLS = Counter(
    "callplane_routing_hook_total", "Calls routed by a tenant's routing hook", ["result"]
)
EVENT_TYPE = "call.routing"
MAX_ANSWER_BYTES = 16 * 1024
_ACTION: TypeAdapter[Any] = TypeAdapter(HookAction)

# One of the tenant's agents, by id: the routing fields (`AgentRoute`).
_AGENT = select(*(getattr(Agent, name) for name in AGENT_ROUTE_FIELDS)).where(
    and_(Agent.id == bindparam("agent_id"), Agent.tenant_id == bindparam("tenant_id"))
)


@dataclass
class Routed:
    """What the hook decided: the answer, the agent that takes the call (None: the number's
    own), and what to record about the exchange."""

    decision: Decision
    agent: AgentRoute | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class HookFailed(Exception):
    """The app's answer cannot route the call: the fallback takes over, for this reason."""

    def __init__(self, reason: str, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.detail = detail


class RoutingHook:
    """Asks tenants' apps how to route calls (one kept-alive client per process)."""

    def __init__(self, settings: Settings, secrets: SecretOpener, store: GatewayStore) -> None:
        self.settings = settings
        self.secrets = secrets
        self.store = store
        self.transport: httpx.AsyncBaseTransport | None = None  # tests play the tenant's app
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # Public addresses only, checked as each connection is made (DNS may have changed
            # since the URL was written); never a redirect.
            self._client = public_http_client(
                allow_private=self.settings.allow_private_urls,
                timeout=10.0,
                transport=self.transport,
            )
        return self._client

    async def close(self) -> None:
        """Close the kept-alive connections."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def route(self, route: NumberRoute, decision: Decision, fields: FormParams) -> Routed:
        """The call routed by the agent's app, or its fallback (`decision`) and why."""
        agent = route.agent
        assert agent is not None and agent.hook_url
        started = time.perf_counter()
        detail: dict[str, Any] = {"url": agent.hook_url}
        try:
            answer, status = await self._ask(route, agent, fields)
            detail["status"] = status
            routed = await self._follow(route, agent, answer, fields)
        except HookFailed as failed:
            HOOK_CALLS.labels(result=failed.reason).inc()
            detail.update(failed.detail, result="fallback", reason=failed.reason)
            detail["latency_ms"] = int((time.perf_counter() - started) * 1000)
            log.warning(
                "routing hook failed: fallback",
                tenant_id=str(route.tenant_id),
                agent_id=str(agent.id),
                reason=failed.reason,
            )
            _, gets = answers.action_answer(agent.voice_fallback, self.settings)
            fallback = replace(
                decision,
                reason="hook_fallback",
                explanation=f"the routing hook failed ({failed.reason}: {failed.message}): "
                f"agent {agent.name!r}'s fallback, the caller is {gets}",
            )
            detail["explanation"] = fallback.explanation
            return Routed(fallback, None, detail)
        HOOK_CALLS.labels(result=routed.detail.get("result", "routed")).inc()
        detail.update(routed.detail, latency_ms=int((time.perf_counter() - started) * 1000))
        detail["explanation"] = routed.decision.explanation
        routed.detail = detail
        return routed

    async def _ask(
        self, route: NumberRoute, agent: AgentRoute, fields: FormParams
    ) -> tuple[Any, int]:
        """POST the call to the app; (its JSON answer, its status)."""
        secret = self.secrets.open(
            agent.events_secret, tenant_id=agent.tenant_id, field=SECRET_FIELD
        )
        if not secret:
            raise HookFailed("hook_no_secret", "the agent has no signing secret")
        body = _body(route, agent, fields)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"callplane/{__version__}",
            event_signature.HEADER: event_signature.sign(secret, body),
        }
        url = str(agent.hook_url)
        timeout = (agent.hook_timeout_ms or 2000) / 1000
        try:
            async with asyncio.timeout(timeout):
                response = await self._http().post(url, content=body, headers=headers)
        except TimeoutError:
            raise HookFailed("hook_timeout", f"no answer within {timeout:g} s") from None
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, the caller gets the fallback
            refused = refused_at_send(exc)
            if refused is not None:
                raise HookFailed("hook_url_not_allowed", refused.message) from None
            raise HookFailed("hook_unreachable", type(exc).__name__) from None
        if not 200 <= response.status_code < 300:
            raise HookFailed(
                "hook_status",
                f"the app answered {response.status_code}",
                status=response.status_code,
            )
        if len(response.content) > MAX_ANSWER_BYTES:
            raise HookFailed("hook_bad_answer", "the answer is too large")
        try:
            return json.loads(response.content), response.status_code
        except ValueError:
            raise HookFailed("hook_bad_answer", "the answer is not JSON") from None

    async def _follow(
        self, route: NumberRoute, agent: AgentRoute, answer: Any, fields: FormParams
    ) -> Routed:
        """The app's answer, as a routing decision."""
        if isinstance(answer, dict) and set(answer) == {"agent_id"}:
            return await self._to_agent(route, answer["agent_id"], fields)
        try:
            action = _ACTION.validate_python(answer).model_dump(exclude_none=True)
        except (ValidationError, ApiError):  # an invalid phone number is an ApiError
            raise HookFailed(
                "hook_bad_answer",
                'the answer is neither {"agent_id"} nor a valid {"action"}',
            ) from None
        twiml, gets = answers.action_answer(action, self.settings)
        kind = action["action"]
        decision = Decision(
            "voice",
            "rejected" if kind == "reject" else "routed",
            f"hook_{kind}",
            f"the tenant's app at {agent.hook_url} answered {kind!r}: the caller is {gets}",
            twiml,
            mode="webhook",
        )
        return Routed(decision, None, {"result": "action", "action": kind})

    async def _to_agent(self, route: NumberRoute, raw: Any, fields: FormParams) -> Routed:
        """Routed as the agent the app named would route it (one of the tenant's)."""
        try:
            agent_id = uuid.UUID(str(raw))
        except ValueError:
            raise HookFailed("hook_bad_answer", "agent_id is not an agent's id") from None

        def read(conn: SyncConnection) -> Any:
            return conn.execute(
                _AGENT, {"agent_id": agent_id, "tenant_id": route.tenant_id}
            ).first()

        row = await self.store.read(read)
        if row is None:
            raise HookFailed(
                "hook_unknown_agent",
                f"{agent_id} is not an agent of the tenant",
                agent_id=str(agent_id),
            )
        chosen = AgentRoute.from_agent(row)
        if chosen.voice_mode == "webhook":
            raise HookFailed(
                "hook_agent_is_webhook",
                f"agent {chosen.name!r} routes by webhook itself",
                agent_id=str(agent_id),
            )
        decision = decide_voice(
            replace(route, agent=chosen),
            settings=self.settings,
            caller=fields.get("From"),
            to_e164=route.e164,
        )
        if decision.outcome != "routed":
            raise HookFailed("hook_agent_incomplete", decision.explanation, agent_id=str(agent_id))
        return Routed(decision, chosen, {"result": "agent", "agent_id": str(agent_id)})


def _body(route: NumberRoute, agent: AgentRoute, fields: FormParams) -> bytes:
    """What the app is asked: the call, its number and agent."""
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "type": EVENT_TYPE,
            "created_at": utcnow().isoformat(),
            "tenant_id": str(route.tenant_id),
            "agent_id": str(agent.id),
            "number_id": str(route.number_id),
            "number": route.e164,
            "account_sid": route.account_sid,
            "call_sid": fields.get("CallSid"),
            "from": fields.get("From"),
            "to": fields.get("To"),
            "direction": fields.get("Direction"),
            "twilio": dict(fields),
        },
        separators=(",", ":"),
    ).encode()
