"""Retell: agents (read) and custom-telephony phone numbers, as `retell-sdk` calls them.

Endpoints (Bearer API key): `GET /get-agent/{agent_id}`, `POST /v2/list-agents`,
`POST /import-phone-number`, `GET /get-phone-number/{phone_number}`, `GET /v2/list-phone-numbers`,
`PATCH /update-phone-number/{phone_number}`, `DELETE /delete-phone-number/{phone_number}`.
Errors are Retell's `{"status": "error", "message"}`; request bodies refuse unknown fields, as
Retell's API reference declares (`additionalProperties: false`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import phonenumbers

from callplane.sandbox.providers.common import (
    Agent,
    Answer,
    Emulator,
    ProviderError,
    ProviderRequest,
    Registration,
    Workspace,
    bearer,
    found,
    is_e164,
    json_object,
    new_id,
    now_ms,
    page_limit,
)

SIP_HOST = "sip.retellai.com"
TRANSPORTS = ("TLS", "TCP", "UDP")
AGENT_LISTS = ("inbound_agents", "outbound_agents", "inbound_sms_agents", "outbound_sms_agents")
COUNTRY_LISTS = ("allowed_inbound_country_list", "allowed_outbound_country_list")
IMPORT_FIELDS = {
    "phone_number",
    "termination_uri",
    "allowed_inbound_country_list",
    "allowed_outbound_country_list",
    "codecs",
    "ignore_e164_validation",
    "inbound_agents",
    "inbound_webhook_url",
    "nickname",
    "outbound_agents",
    "sip_trunk_auth_password",
    "sip_trunk_auth_username",
    "transport",
}
UPDATE_FIELDS = {
    "allowed_inbound_country_list",
    "allowed_outbound_country_list",
    "auth_password",
    "auth_username",
    "codecs",
    "fallback_number",
    "inbound_agents",
    "inbound_sms_agents",
    "inbound_sms_webhook_url",
    "inbound_webhook_url",
    "nickname",
    "outbound_agents",
    "outbound_sms_agents",
    "termination_uri",
    "transport",
}
NOT_FOUND = "Cannot find requested asset under given api key."


@dataclass(eq=False)
class RetellNumber:
    """A custom-telephony number imported into a workspace."""

    phone_number: str
    termination_uri: str
    auth_username: str | None = None
    auth_password: str | None = None
    transport: str | None = None
    codecs: list[str] | None = None
    nickname: str | None = None
    agents: dict[str, list[dict[str, Any]] | None] = field(default_factory=dict)
    inbound_webhook_url: str | None = None
    inbound_sms_webhook_url: str | None = None
    fallback_number: str | None = None
    countries: dict[str, list[str] | None] = field(default_factory=dict)
    modified_ms: int = field(default_factory=now_ms)


@dataclass(eq=False)
class RetellWorkspace(Workspace):
    """A Retell workspace: agents and imported numbers (by E.164)."""

    numbers: dict[str, RetellNumber] = field(default_factory=dict)


def _pretty(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _agent_json(agent: Agent) -> dict[str, Any]:
    """An AgentResponse."""
    return {
        "agent_id": agent.agent_id,
        "agent_name": agent.name,
        "version": 0,
        "is_published": False,
        "response_engine": {
            "type": "retell-llm",
            "llm_id": "llm_" + agent.agent_id.removeprefix("agent_"),
            "version": 0,
        },
        "voice_id": "11labs-Adrian",
        "last_modification_timestamp": agent.created_ms,
    }


def _agent_item(agent: Agent) -> dict[str, Any]:
    """An item of AgentListResponse."""
    return {
        "agent_id": agent.agent_id,
        "agent_name": agent.name,
        "channel": "voice",
        "is_suspended": False,
        "tags": {},
        "user_modified_timestamp": agent.created_ms,
    }


def _number_json(n: RetellNumber) -> dict[str, Any]:
    """A PhoneNumberResponse of a custom (imported) number."""
    body: dict[str, Any] = {
        "phone_number": n.phone_number,
        "phone_number_pretty": _pretty(n.phone_number),
        "phone_number_type": "custom",
        "nickname": n.nickname,
        "inbound_webhook_url": n.inbound_webhook_url,
        "inbound_sms_webhook_url": n.inbound_sms_webhook_url,
        "fallback_number": n.fallback_number,
        "sip_outbound_trunk_config": {
            "termination_uri": n.termination_uri,
            "auth_username": n.auth_username,
            "transport": n.transport,
            "codecs": n.codecs,
        },
        "last_modification_timestamp": n.modified_ms,
    }
    for name in AGENT_LISTS:
        body[name] = n.agents.get(name)
    for name in COUNTRY_LISTS:
        body[name] = n.countries.get(name)
    return body


def _main_agent(agents: list[dict[str, Any]] | None) -> str | None:
    """The agent with the largest weight (the first of equals)."""
    if not agents:
        return None
    return str(max(agents, key=lambda a: a["weight"])["agent_id"])


class RetellEmulator(Emulator[RetellWorkspace]):
    """The Retell API subset callplane uses."""

    name = "retell"
    sip_host = SIP_HOST

    def new_workspace(self) -> RetellWorkspace:
        """A workspace with a `key_...` API key."""
        return RetellWorkspace(id=new_id("org_", 16), api_key=new_id("key_"))

    def register_routes(self) -> None:
        """Retell's paths, as retell-sdk requests them."""
        self.route("GET", "/get-agent/{agent_id}", self.get_agent)
        self.route("POST", "/v2/list-agents", self.list_agents)
        self.route("POST", "/import-phone-number", self.import_number)
        self.route("GET", "/get-phone-number/{phone_number}", self.get_number)
        self.route("GET", "/v2/list-phone-numbers", self.list_numbers)
        self.route("PATCH", "/update-phone-number/{phone_number}", self.update_number)
        self.route("DELETE", "/delete-phone-number/{phone_number}", self.delete_number)

    def authenticate(self, request: ProviderRequest) -> RetellWorkspace:
        """Bearer API key."""
        ws = self.by_key.get(bearer(request) or "")
        if ws is None:
            raise ProviderError(401, "API key is missing or invalid.")
        return ws

    def error_answer(self, error: ProviderError) -> Answer:
        """`{"status": "error", "message"}`."""
        return Answer(error.status, {"status": "error", "message": error.message})

    # -- agents ----------------------------------------------------------------------------

    def get_agent(self, ws: RetellWorkspace, req: ProviderRequest, args: dict[str, str]) -> Answer:
        """GET /get-agent/{agent_id}."""
        return Answer(200, _agent_json(found(ws.agents, args["agent_id"], NOT_FOUND)))

    def list_agents(
        self, ws: RetellWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """POST /v2/list-agents (query limit, pagination_key, sort_order; body filter_criteria)."""
        criteria = json_object(req).get("filter_criteria") or {}
        query = criteria.get("query") if isinstance(criteria, dict) else None
        agents = list(ws.agents.values())
        if isinstance(query, str) and query:
            needle = query.lower()
            agents = [a for a in agents if needle in a.name.lower() or needle in a.agent_id]
        items, more, key = self._page(req, agents, lambda a: a.agent_id)
        return Answer(
            200,
            {"items": [_agent_item(a) for a in items], "has_more": more, "pagination_key": key},
        )

    # -- phone numbers ---------------------------------------------------------------------

    def import_number(
        self, ws: RetellWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """POST /import-phone-number: a number on the caller's own elastic SIP trunk."""
        body = json_object(req)
        self._refuse_unknown(body, IMPORT_FIELDS)
        number = body.get("phone_number")
        if not isinstance(number, str) or not number:
            raise ProviderError(400, "phone_number is required.")
        if body.get("ignore_e164_validation") is False and not is_e164(number):
            raise ProviderError(400, f"phone_number {number} is not a valid E.164 number.")
        if "ignore_e164_validation" in body and not isinstance(
            body["ignore_e164_validation"], bool
        ):
            raise ProviderError(400, "ignore_e164_validation must be a boolean.")
        uri = body.get("termination_uri")
        if not isinstance(uri, str) or not uri.strip():
            raise ProviderError(400, "termination_uri is required.")
        if number in ws.numbers:
            raise ProviderError(422, f"Phone number {number} already exists.")
        entry = RetellNumber(phone_number=number, termination_uri=uri.strip())
        self._apply(ws, entry, body, username_key="sip_trunk_auth_username")
        ws.numbers[number] = entry
        return Answer(201, _number_json(entry))

    def _number(self, ws: RetellWorkspace, number: str) -> RetellNumber:
        return found(ws.numbers, number, NOT_FOUND)

    def get_number(self, ws: RetellWorkspace, req: ProviderRequest, args: dict[str, str]) -> Answer:
        """GET /get-phone-number/{phone_number}."""
        return Answer(200, _number_json(self._number(ws, args["phone_number"])))

    def list_numbers(
        self, ws: RetellWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """GET /v2/list-phone-numbers (limit, pagination_key, sort_order)."""
        items, more, key = self._page(req, list(ws.numbers.values()), lambda n: n.phone_number)
        return Answer(
            200,
            {"items": [_number_json(n) for n in items], "has_more": more, "pagination_key": key},
        )

    def update_number(
        self, ws: RetellWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """PATCH /update-phone-number/{phone_number}: agents, nickname, trunk and its auth."""
        entry = self._number(ws, args["phone_number"])
        body = json_object(req)
        self._refuse_unknown(body, UPDATE_FIELDS)
        if "termination_uri" in body:
            uri = body["termination_uri"]
            if not isinstance(uri, str) or not uri.strip():
                raise ProviderError(400, "termination_uri must be a non-empty string.")
        # Validate everything on a copy first: a refused update changes nothing.
        draft = replace(entry, agents=dict(entry.agents), countries=dict(entry.countries))
        self._apply(ws, draft, body, username_key="auth_username")
        if "termination_uri" in body:
            draft.termination_uri = body["termination_uri"].strip()
        draft.modified_ms = now_ms()
        ws.numbers[entry.phone_number] = draft
        return Answer(200, _number_json(draft))

    def delete_number(
        self, ws: RetellWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """DELETE /delete-phone-number/{phone_number}: 204."""
        entry = self._number(ws, args["phone_number"])
        del ws.numbers[entry.phone_number]
        return Answer(204)

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _refuse_unknown(body: dict[str, Any], allowed: set[str]) -> None:
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise ProviderError(400, f"Unknown field(s): {', '.join(unknown)}.")

    def _apply(
        self, ws: RetellWorkspace, entry: RetellNumber, body: dict[str, Any], *, username_key: str
    ) -> None:
        """Check and copy the optional fields of an import or update onto `entry`."""
        password_key = username_key.replace("username", "password")
        for key, attr in (
            (username_key, "auth_username"),
            (password_key, "auth_password"),
            ("nickname", "nickname"),
            ("inbound_webhook_url", "inbound_webhook_url"),
            ("inbound_sms_webhook_url", "inbound_sms_webhook_url"),
            ("fallback_number", "fallback_number"),
        ):
            if key in body:
                value = body[key]
                if value is not None and not isinstance(value, str):
                    raise ProviderError(400, f"{key} must be a string.")
                setattr(entry, attr, value)
        if "transport" in body:
            transport = body["transport"]
            if transport is not None and (
                not isinstance(transport, str) or transport.upper() not in TRANSPORTS
            ):
                raise ProviderError(400, 'transport must be "TLS", "TCP" or "UDP".')
            entry.transport = transport.upper() if transport else None
        for key in ("codecs", *COUNTRY_LISTS):
            if key in body:
                value = body[key]
                if value is not None and (
                    not isinstance(value, list) or not all(isinstance(v, str) for v in value)
                ):
                    raise ProviderError(400, f"{key} must be a list of strings.")
                if key == "codecs":
                    entry.codecs = value
                else:
                    entry.countries[key] = value
        for key in AGENT_LISTS:
            if key in body:
                entry.agents[key] = self._agents(ws, key, body[key])

    @staticmethod
    def _agents(ws: RetellWorkspace, key: str, value: Any) -> list[dict[str, Any]] | None:
        """A weighted agent list: known agents of the workspace, weights adding up to 1."""
        if value is None:
            return None
        if not isinstance(value, list):
            raise ProviderError(400, f"{key} must be a list.")
        agents: list[dict[str, Any]] = []
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("agent_id"), str):
                raise ProviderError(400, f"each of {key} needs an agent_id.")
            weight = item.get("weight")
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                raise ProviderError(400, f"each of {key} needs a numeric weight.")
            if not 0 < weight <= 1:
                raise ProviderError(400, f"weights of {key} must be in (0, 1].")
            if item["agent_id"] not in ws.agents:
                raise ProviderError(404, NOT_FOUND)
            entry: dict[str, Any] = {"agent_id": item["agent_id"], "weight": float(weight)}
            if "agent_version" in item:
                entry["agent_version"] = item["agent_version"]
            agents.append(entry)
        if agents and not math.isclose(sum(a["weight"] for a in agents), 1.0, abs_tol=1e-6):
            raise ProviderError(400, f"weights of {key} must add up to 1.")
        return agents

    @staticmethod
    def _page(req: ProviderRequest, items: list[Any], key_of: Any) -> tuple[list[Any], bool, Any]:
        """One page: `limit` (default 1000), after `pagination_key`, `sort_order`."""
        limit = page_limit(req.query.get("limit"), 1000, 1000)
        order = req.query.get("sort_order") or "descending"
        if order not in ("ascending", "descending"):
            raise ProviderError(400, 'sort_order must be "ascending" or "descending".')
        if order == "descending":
            items = list(reversed(items))
        after = req.query.get("pagination_key")
        if after:
            keys = [key_of(i) for i in items]
            if after not in keys:
                raise ProviderError(400, "pagination_key is not valid.")
            items = items[keys.index(after) + 1 :]
        page = items[:limit]
        more = len(items) > limit
        return page, more, (key_of(page[-1]) if more and page else None)

    # -- the sandbox's view ----------------------------------------------------------------

    def registrations(self) -> list[Registration]:
        """Imported numbers: agent is the main inbound agent (else outbound)."""
        out = []
        for ws in self.workspaces.values():
            for n in ws.numbers.values():
                inbound = _main_agent(n.agents.get("inbound_agents"))
                outbound = _main_agent(n.agents.get("outbound_agents"))
                out.append(
                    Registration(
                        phone_number=n.phone_number,
                        agent_id=inbound or outbound,
                        termination_uri=n.termination_uri,
                        sip_username=n.auth_username,
                        registration_id=n.phone_number,
                        workspace=ws,
                        sip_password=n.auth_password,
                        outbound_problem=None
                        if outbound
                        else f"{n.phone_number} has no outbound agent at Retell",
                    )
                )
        return out

    def route_inbound(self, host: str, number: str, caller: str | None) -> dict[str, Any] | None:
        """Calls to sip.retellai.com go to the number's main inbound agent."""
        if host != self.sip_host:
            return None
        found = [ws.numbers[number] for ws in self.workspaces.values() if number in ws.numbers]
        if not found:
            return self.routed(None, f"{number} is not imported at Retell")
        if len(found) > 1:
            return self.routed(None, f"{number} is imported in several Retell workspaces")
        agent = _main_agent(found[0].agents.get("inbound_agents"))
        if agent is None:
            return self.routed(None, f"{number} is imported at Retell without an inbound agent")
        return self.routed(agent)
