"""ElevenLabs conversational AI: agents (read) and SIP-trunk phone numbers, as `elevenlabs` calls them.

Endpoints (`xi-api-key` header): `GET v1/convai/agents/{agent_id}`, `GET v1/convai/agents`,
`POST|GET v1/convai/phone-numbers`, `GET|PATCH|DELETE v1/convai/phone-numbers/{phone_number_id}`.
Errors are ElevenLabs' `{"detail": {"status", "message"}}`, and FastAPI's
`{"detail": [{"type", "loc", "msg"}]}` with 422 for a body that does not fit the schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from callplane.sandbox.providers.common import (
    Agent,
    Answer,
    Emulator,
    ProviderError,
    ProviderRequest,
    Registration,
    Workspace,
    found,
    json_object,
    new_id,
    now_ms,
    page_limit,
)

SIP_HOST = "sip.rtc.elevenlabs.io"
ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"
MEDIA_ENCRYPTION = ("disabled", "allowed", "required")
TRANSPORTS = ("auto", "udp", "tcp", "tls")
DEFAULT_VOICE = "21m00Tcm4TlvDq8ikWAM"


class SchemaError(ProviderError):
    """A 422 for a body that does not fit the request schema (FastAPI's shape)."""

    def __init__(self, loc: list[str | int], message: str, kind: str = "value_error") -> None:
        super().__init__(422, message)
        self.loc = loc
        self.kind = kind


@dataclass(eq=False)
class ElevenNumber:
    """A SIP-trunk phone number of a workspace."""

    phone_number_id: str
    phone_number: str
    label: str
    supports_inbound: bool = True
    supports_outbound: bool = True
    agent_id: str | None = None
    inbound: dict[str, Any] | None = None
    outbound: dict[str, Any] | None = None
    livekit_stack: str = "standard"
    store_sip_messages: bool = False
    created_ms: int = field(default_factory=now_ms)


@dataclass(eq=False)
class ElevenWorkspace(Workspace):
    """An ElevenLabs workspace: agents and phone numbers (by id)."""

    numbers: dict[str, ElevenNumber] = field(default_factory=dict)


def _secs(ms: int) -> int:
    return ms // 1000


def _credentials(value: Any, loc: list[str | int], old: dict[str, Any] | None) -> dict[str, Any]:
    """`{"username", "password"?}`; a missing password keeps the one already stored."""
    if not isinstance(value, dict):
        raise SchemaError(loc, "Input should be a valid dictionary", "dict_type")
    username = value.get("username")
    if not isinstance(username, str) or not username:
        raise SchemaError([*loc, "username"], "Field required", "missing")
    password = value.get("password")
    if password is not None and not isinstance(password, str):
        raise SchemaError([*loc, "password"], "Input should be a valid string", "string_type")
    if password is None and old is not None and old.get("username") == username:
        password = old.get("password")
    return {"username": username, "password": password}


def _choice(
    config: dict[str, Any], key: str, allowed: tuple[str, ...], loc: list[str | int]
) -> None:
    value = config.get(key)
    if value is not None and value not in allowed:
        raise SchemaError(
            [*loc, key], f"Input should be {', '.join(repr(a) for a in allowed)}", "enum"
        )


def _str_list(config: dict[str, Any], key: str, loc: list[str | int]) -> None:
    value = config.get(key)
    if value is not None and (
        not isinstance(value, list) or not all(isinstance(v, str) for v in value)
    ):
        raise SchemaError([*loc, key], "Input should be a valid list of strings", "list_type")


def _inbound_config(value: Any, old: dict[str, Any] | None) -> dict[str, Any] | None:
    loc: list[str | int] = ["body", "inbound_trunk_config"]
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SchemaError(loc, "Input should be a valid dictionary", "dict_type")
    for key in ("allowed_addresses", "allowed_numbers", "remote_domains"):
        _str_list(value, key, loc)
    _choice(value, "media_encryption", MEDIA_ENCRYPTION, loc)
    config = dict(value)
    if value.get("credentials") is not None:
        config["credentials"] = _credentials(
            value["credentials"], [*loc, "credentials"], (old or {}).get("credentials")
        )
    return config


def _outbound_config(value: Any, old: dict[str, Any] | None) -> dict[str, Any] | None:
    loc: list[str | int] = ["body", "outbound_trunk_config"]
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SchemaError(loc, "Input should be a valid dictionary", "dict_type")
    address = value.get("address")
    if not isinstance(address, str) or not address.strip():
        raise SchemaError([*loc, "address"], "Field required", "missing")
    _choice(value, "transport", TRANSPORTS, loc)
    _choice(value, "media_encryption", MEDIA_ENCRYPTION, loc)
    _str_list(value, "enabled_codecs", loc)
    config = {**value, "address": address.strip()}
    if value.get("credentials") is not None:
        config["credentials"] = _credentials(
            value["credentials"], [*loc, "credentials"], (old or {}).get("credentials")
        )
    return config


def _outbound_json(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """GetPhoneNumberOutboundSipTrunkConfigResponseModel (no password)."""
    if config is None:
        return None
    creds = config.get("credentials")
    return {
        "address": config["address"],
        "transport": config.get("transport") or "auto",
        "media_encryption": config.get("media_encryption") or "allowed",
        "headers": config.get("headers") or {},
        "has_auth_credentials": bool(creds),
        "username": creds["username"] if creds else None,
        "has_outbound_trunk": True,
        "enabled_codecs": config.get("enabled_codecs"),
    }


def _inbound_json(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """GetPhoneNumberInboundSipTrunkConfigResponseModel (no password)."""
    if config is None:
        return None
    creds = config.get("credentials")
    return {
        "allowed_addresses": config.get("allowed_addresses") or [],
        "allowed_numbers": config.get("allowed_numbers"),
        "media_encryption": config.get("media_encryption") or "allowed",
        "has_auth_credentials": bool(creds),
        "username": creds["username"] if creds else None,
        "remote_domains": config.get("remote_domains"),
    }


class ElevenLabsEmulator(Emulator[ElevenWorkspace]):
    """The ElevenLabs conversational AI API subset callplane uses."""

    name = "elevenlabs"
    sip_host = SIP_HOST

    def new_workspace(self) -> ElevenWorkspace:
        """A workspace with an `sk_...` API key."""
        return ElevenWorkspace(id=new_id("ws_", 16), api_key=new_id("sk_", 48))

    def new_agent_id(self, name: str) -> str:
        """`agent_` and 26 lowercase letters and digits."""
        return new_id("agent_", 26, ALNUM)

    def register_routes(self) -> None:
        """ElevenLabs' paths, as the elevenlabs SDK requests them."""
        self.route("GET", "/v1/convai/agents/{agent_id}", self.get_agent)
        self.route("GET", "/v1/convai/agents", self.list_agents)
        self.route("POST", "/v1/convai/phone-numbers", self.create_number)
        self.route("GET", "/v1/convai/phone-numbers", self.list_numbers)
        self.route("GET", "/v1/convai/phone-numbers/{phone_number_id}", self.get_number)
        self.route("PATCH", "/v1/convai/phone-numbers/{phone_number_id}", self.update_number)
        self.route("DELETE", "/v1/convai/phone-numbers/{phone_number_id}", self.delete_number)

    def authenticate(self, request: ProviderRequest) -> ElevenWorkspace:
        """The `xi-api-key` header."""
        key = request.header("xi-api-key")
        if not key:
            raise ProviderError(
                401,
                "Neither authorization header nor xi-api-key received, please provide one.",
                code="needs_authorization",
            )
        ws = self.by_key.get(key)
        if ws is None:
            raise ProviderError(401, "Invalid API key", code="invalid_api_key")
        return ws

    def error_answer(self, error: ProviderError) -> Answer:
        """`{"detail": {"status", "message"}}`, or FastAPI's 422 list."""
        if isinstance(error, SchemaError):
            return Answer(
                error.status,
                {"detail": [{"type": error.kind, "loc": error.loc, "msg": error.message}]},
            )
        status = error.code or {404: "not_found", 405: "method_not_allowed"}.get(
            error.status, "invalid_request"
        )
        return Answer(error.status, {"detail": {"status": status, "message": error.message}})

    # -- agents ----------------------------------------------------------------------------

    def _agent(self, ws: ElevenWorkspace, agent_id: str) -> Agent:
        message = f"Agent with id {agent_id} was not found."
        return found(ws.agents, agent_id, message, code="agent_not_found")

    def get_agent(self, ws: ElevenWorkspace, req: ProviderRequest, args: dict[str, str]) -> Answer:
        """GET v1/convai/agents/{agent_id}: GetAgentResponseModel."""
        agent = self._agent(ws, args["agent_id"])
        numbers = [n for n in ws.numbers.values() if n.agent_id == agent.agent_id]
        return Answer(
            200,
            {
                "agent_id": agent.agent_id,
                "name": agent.name,
                "conversation_config": {},
                "metadata": {
                    "created_at_unix_secs": _secs(agent.created_ms),
                    "updated_at_unix_secs": _secs(agent.created_ms),
                },
                "phone_numbers": [self._number_json(ws, n) for n in numbers],
                "tags": [],
            },
        )

    def list_agents(
        self, ws: ElevenWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """GET v1/convai/agents (page_size, cursor, search): GetAgentsPageResponseModel."""
        size = page_limit(req.query.get("page_size"), 30, 100)
        agents = list(ws.agents.values())
        search = (req.query.get("search") or "").lower()
        if search:
            agents = [a for a in agents if search in a.name.lower()]
        cursor = req.query.get("cursor")
        if cursor:
            ids = [a.agent_id for a in agents]
            if cursor not in ids:
                raise ProviderError(400, "Invalid cursor", code="invalid_cursor")
            agents = agents[ids.index(cursor) + 1 :]
        page, more = agents[:size], len(agents) > size
        return Answer(
            200,
            {
                "agents": [
                    {
                        "agent_id": a.agent_id,
                        "name": a.name,
                        "voice_id": DEFAULT_VOICE,
                        "tags": [],
                        "created_at_unix_secs": _secs(a.created_ms),
                        "updated_at_unix_secs": _secs(a.created_ms),
                        "access_info": {
                            "is_creator": True,
                            "creator_name": "Sandbox",
                            "creator_email": "sandbox@example.invalid",
                            "role": "admin",
                        },
                    }
                    for a in page
                ],
                "has_more": more,
                "next_cursor": page[-1].agent_id if more else None,
            },
        )

    # -- phone numbers ---------------------------------------------------------------------

    def _number_json(self, ws: ElevenWorkspace, n: ElevenNumber) -> dict[str, Any]:
        """PhoneNumbersGetResponse_SipTrunk."""
        agent = ws.agents.get(n.agent_id) if n.agent_id else None
        outbound = _outbound_json(n.outbound)
        return {
            "provider": "sip_trunk",
            "phone_number": n.phone_number,
            "label": n.label,
            "supports_inbound": n.supports_inbound,
            "supports_outbound": n.supports_outbound,
            "phone_number_id": n.phone_number_id,
            "assigned_agent": {"agent_id": agent.agent_id, "agent_name": agent.name}
            if agent
            else None,
            "provider_config": outbound,
            "outbound_trunk": outbound,
            "inbound_trunk": _inbound_json(n.inbound),
            "livekit_stack": n.livekit_stack,
            "store_sip_messages": n.store_sip_messages,
        }

    def _agent_id(self, ws: ElevenWorkspace, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise SchemaError(["body", "agent_id"], "Input should be a valid string", "string_type")
        return self._agent(ws, value).agent_id

    def create_number(
        self, ws: ElevenWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """POST v1/convai/phone-numbers (provider sip_trunk): `{"phone_number_id"}`."""
        body = json_object(req)
        provider = body.get("provider")
        if provider is None:
            raise SchemaError(["body", "provider"], "Field required", "missing")
        if provider != "sip_trunk":
            raise ProviderError(
                400,
                f"provider {provider!r} is not emulated (only sip_trunk)",
                code="not_emulated",
            )
        for key in ("phone_number", "label"):
            if not isinstance(body.get(key), str) or not body[key]:
                raise SchemaError(["body", key], "Field required", "missing")
        for key in ("supports_inbound", "supports_outbound"):
            if key in body and not isinstance(body[key], bool):
                raise SchemaError(["body", key], "Input should be a valid boolean", "bool_type")
        agent_id = self._agent_id(ws, body.get("agent_id"))
        inbound = _inbound_config(body.get("inbound_trunk_config"), None)
        outbound = _outbound_config(body.get("outbound_trunk_config"), None)
        if any(n.phone_number == body["phone_number"] for n in ws.numbers.values()):
            raise ProviderError(
                409,
                f"Phone number {body['phone_number']} already exists",
                code="phone_number_already_exists",
            )
        number = ElevenNumber(
            phone_number_id=new_id("phnum_", 26, ALNUM),
            phone_number=body["phone_number"],
            label=body["label"],
            supports_inbound=body.get("supports_inbound", True),
            supports_outbound=body.get("supports_outbound", True),
            agent_id=agent_id,
            inbound=inbound,
            outbound=outbound,
        )
        ws.numbers[number.phone_number_id] = number
        return Answer(200, {"phone_number_id": number.phone_number_id})

    def _number(self, ws: ElevenWorkspace, number_id: str) -> ElevenNumber:
        message = f"Phone number {number_id} was not found."
        return found(ws.numbers, number_id, message, code="phone_number_not_found")

    def get_number(self, ws: ElevenWorkspace, req: ProviderRequest, args: dict[str, str]) -> Answer:
        """GET v1/convai/phone-numbers/{phone_number_id}."""
        return Answer(200, self._number_json(ws, self._number(ws, args["phone_number_id"])))

    def list_numbers(
        self, ws: ElevenWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """GET v1/convai/phone-numbers (provider, agent_id filters): a JSON array."""
        numbers = list(ws.numbers.values())
        provider = req.query.get("provider")
        if provider and provider != "sip_trunk":
            numbers = []
        agent_id = req.query.get("agent_id")
        if agent_id:
            numbers = [n for n in numbers if n.agent_id == agent_id]
        return Answer(200, [self._number_json(ws, n) for n in numbers])

    def update_number(
        self, ws: ElevenWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """PATCH v1/convai/phone-numbers/{id}: agent (null unassigns), label, trunk configs."""
        number = self._number(ws, args["phone_number_id"])
        body = json_object(req)
        changes: dict[str, Any] = {}
        if "agent_id" in body:
            changes["agent_id"] = self._agent_id(ws, body["agent_id"])
        if "label" in body:
            if not isinstance(body["label"], str) or not body["label"]:
                raise SchemaError(
                    ["body", "label"], "Input should be a valid string", "string_type"
                )
            changes["label"] = body["label"]
        if "inbound_trunk_config" in body:
            changes["inbound"] = _inbound_config(body["inbound_trunk_config"], number.inbound)
        if "outbound_trunk_config" in body:
            changes["outbound"] = _outbound_config(body["outbound_trunk_config"], number.outbound)
        if body.get("livekit_stack") is not None:
            if body["livekit_stack"] not in ("standard", "static"):
                raise SchemaError(
                    ["body", "livekit_stack"], "Input should be 'standard' or 'static'", "enum"
                )
            changes["livekit_stack"] = body["livekit_stack"]
        if body.get("store_sip_messages") is not None:
            changes["store_sip_messages"] = bool(body["store_sip_messages"])
        for key, value in changes.items():
            setattr(number, key, value)
        return Answer(200, self._number_json(ws, number))

    def delete_number(
        self, ws: ElevenWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """DELETE v1/convai/phone-numbers/{id}."""
        number = self._number(ws, args["phone_number_id"])
        del ws.numbers[number.phone_number_id]
        return Answer(200, {})

    # -- the sandbox's view ----------------------------------------------------------------

    def registrations(self) -> list[Registration]:
        """SIP-trunk numbers: termination is the outbound trunk's address and credentials."""
        out = []
        for ws in self.workspaces.values():
            for n in ws.numbers.values():
                creds = (n.outbound or {}).get("credentials") or {}
                problem = None
                if not n.supports_outbound:
                    problem = f"{n.phone_number} does not support outbound calls at ElevenLabs"
                out.append(
                    Registration(
                        phone_number=n.phone_number,
                        agent_id=n.agent_id,
                        termination_uri=(n.outbound or {}).get("address"),
                        sip_username=creds.get("username"),
                        registration_id=n.phone_number_id,
                        workspace=ws,
                        sip_password=creds.get("password"),
                        outbound_problem=problem,
                    )
                )
        return out

    def route_inbound(self, host: str, number: str, caller: str | None) -> dict[str, Any] | None:
        """Calls to sip.rtc.elevenlabs.io go to the number's assigned agent."""
        if host != self.sip_host:
            return None
        found = [
            n
            for ws in self.workspaces.values()
            for n in ws.numbers.values()
            if n.phone_number == number
        ]
        if not found:
            return self.routed(None, f"{number} is not a phone number at ElevenLabs")
        if len(found) > 1:
            return self.routed(None, f"{number} is a phone number in several ElevenLabs workspaces")
        n = found[0]
        if not n.supports_inbound:
            return self.routed(None, f"{number} does not support inbound calls at ElevenLabs")
        if (n.inbound or {}).get("credentials"):
            # Twilio's origination never answers a digest challenge: such a trunk refuses it.
            return self.routed(
                None,
                f"{number}'s inbound trunk at ElevenLabs requires digest authentication, "
                "which Twilio's origination does not send",
            )
        if n.agent_id is None:
            return self.routed(None, f"{number} has no agent assigned at ElevenLabs")
        return self.routed(n.agent_id)
