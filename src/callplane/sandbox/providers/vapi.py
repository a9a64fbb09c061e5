"""Vapi: assistants (read), BYO SIP trunk credentials and BYO phone numbers.

Endpoints (Bearer private key): `GET /assistant/{id}`, `GET /assistant`, `POST|GET /credential`,
`GET|PATCH|DELETE /credential/{id}`, `POST|GET /phone-number`, `GET|PATCH|DELETE /phone-number/{id}`.
`vapi_server_sdk` has assistants and phone numbers; it has no credential client (none of its
releases does), so callplane sends `/credential` through the SDK's own HTTP client with the SDK's
models (docs/decisions.md). Errors are NestJS's `{"message", "error", "statusCode"}`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

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
    now_ms,
    page_limit,
)

SIP_DOMAIN = ".sip.vapi.ai"
PROTOCOLS = ("tls/srtp", "tcp", "tls", "udp")
GATEWAY_FIELDS = {
    "ip",
    "port",
    "netmask",
    "inboundEnabled",
    "outboundEnabled",
    "outboundProtocol",
    "optionsPingEnabled",
}
CREDENTIAL_FIELDS = {
    "provider",
    "name",
    "gateways",
    "outboundAuthenticationPlan",
    "outboundLeadingPlusEnabled",
    "techPrefix",
    "sipDiversionHeader",
}
NUMBER_FIELDS = {
    "provider",
    "number",
    "credentialId",
    "name",
    "assistantId",
    "workflowId",
    "squadId",
    "numberE164CheckEnabled",
    "fallbackDestination",
    "hooks",
    "server",
}


class BadRequest(ProviderError):
    """A 400 whose message is class-validator's list of problems."""

    def __init__(self, *problems: str) -> None:
        super().__init__(400, "; ".join(problems))
        self.problems = list(problems)


def _iso(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    )


@dataclass(eq=False)
class VapiRecord:
    """A Vapi resource: a `byo-sip-trunk` credential or a `byo-phone-number`, its fields as sent."""

    id: str
    fields: dict[str, Any]
    created_ms: int = field(default_factory=now_ms)
    updated_ms: int = field(default_factory=now_ms)


@dataclass(eq=False)
class VapiWorkspace(Workspace):
    """A Vapi org: assistants, credentials and phone numbers (by id)."""

    credentials: dict[str, VapiRecord] = field(default_factory=dict)
    numbers: dict[str, VapiRecord] = field(default_factory=dict)


def _check_fields(body: dict[str, Any], allowed: set[str], prefix: str = "") -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise BadRequest(*(f"property {prefix}{name} should not exist" for name in unknown))


def _gateways(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise BadRequest("gateways must be a non-empty array")
    out = []
    for i, gw in enumerate(value):
        if not isinstance(gw, dict):
            raise BadRequest(f"gateways.{i} must be an object")
        _check_fields(gw, GATEWAY_FIELDS, f"gateways.{i}.")
        if not isinstance(gw.get("ip"), str) or not gw["ip"].strip():
            raise BadRequest(
                f"gateways.{i}.ip must be a string", f"gateways.{i}.ip should not be empty"
            )
        port = gw.get("port")
        if port is not None and (
            isinstance(port, bool) or not isinstance(port, int | float) or not 1 <= port <= 65535
        ):
            raise BadRequest(f"gateways.{i}.port must not be greater than 65535")
        if gw.get("outboundProtocol") is not None and gw["outboundProtocol"] not in PROTOCOLS:
            raise BadRequest(
                f"gateways.{i}.outboundProtocol must be one of: {', '.join(PROTOCOLS)}"
            )
        out.append({**gw, "ip": gw["ip"].strip()})
    return out


def _auth_plan(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest("outboundAuthenticationPlan must be an object")
    _check_fields(
        value, {"authUsername", "authPassword", "sipRegisterPlan"}, "outboundAuthenticationPlan."
    )
    for key in ("authUsername", "authPassword"):
        if key in value and not isinstance(value[key], str):
            raise BadRequest(f"outboundAuthenticationPlan.{key} must be a string")
    return dict(value)


def _name(body: dict[str, Any]) -> None:
    name = body.get("name")
    if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 40):
        raise BadRequest("name must be shorter than or equal to 40 characters")


class VapiEmulator(Emulator[VapiWorkspace]):
    """The Vapi API subset callplane uses."""

    name = "vapi"

    def new_workspace(self) -> VapiWorkspace:
        """An org with a private key (a UUID, as Vapi's are)."""
        return VapiWorkspace(id=str(uuid.uuid4()), api_key=str(uuid.uuid4()))

    def new_agent_id(self, name: str) -> str:
        """Assistants are UUIDs."""
        return str(uuid.uuid4())

    def register_routes(self) -> None:
        """Vapi's paths, as vapi_server_sdk requests them (and `/credential`)."""
        self.route("GET", "/assistant/{id}", self.get_assistant)
        self.route("GET", "/assistant", self.list_assistants)
        self.route("POST", "/credential", self.create_credential)
        self.route("GET", "/credential", self.list_credentials)
        self.route("GET", "/credential/{id}", self.get_credential)
        self.route("PATCH", "/credential/{id}", self.update_credential)
        self.route("DELETE", "/credential/{id}", self.delete_credential)
        self.route("POST", "/phone-number", self.create_number)
        self.route("GET", "/phone-number", self.list_numbers)
        self.route("GET", "/phone-number/{id}", self.get_number)
        self.route("PATCH", "/phone-number/{id}", self.update_number)
        self.route("DELETE", "/phone-number/{id}", self.delete_number)

    def authenticate(self, request: ProviderRequest) -> VapiWorkspace:
        """Bearer private key."""
        ws = self.by_key.get(bearer(request) or "")
        if ws is None:
            raise ProviderError(
                401,
                "Invalid Key. Hot tip, you may be using the private key instead of the public "
                "key, or vice versa.",
            )
        return ws

    def error_answer(self, error: ProviderError) -> Answer:
        """`{"message", "error", "statusCode"}` (message a list for validation problems)."""
        message: Any = error.problems if isinstance(error, BadRequest) else error.message
        try:
            reason = HTTPStatus(error.status).phrase
        except ValueError:
            reason = "Error"
        return Answer(
            error.status, {"message": message, "error": reason, "statusCode": error.status}
        )

    # -- assistants ------------------------------------------------------------------------

    def _assistant_json(self, ws: VapiWorkspace, agent: Agent) -> dict[str, Any]:
        return {
            "id": agent.agent_id,
            "orgId": ws.id,
            "name": agent.name,
            "createdAt": _iso(agent.created_ms),
            "updatedAt": _iso(agent.created_ms),
        }

    def _assistant(self, ws: VapiWorkspace, assistant_id: str) -> Agent:
        return found(ws.agents, assistant_id, f"Couldn't Find Assistant {assistant_id}.")

    def get_assistant(
        self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """GET /assistant/{id}."""
        return Answer(200, self._assistant_json(ws, self._assistant(ws, args["id"])))

    def list_assistants(
        self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """GET /assistant (limit, default 100): newest first."""
        limit = page_limit(req.query.get("limit"), 100, 1000)
        agents = list(reversed(ws.agents.values()))[:limit]
        return Answer(200, [self._assistant_json(ws, a) for a in agents])

    # -- credentials -----------------------------------------------------------------------

    def _credential_json(self, ws: VapiWorkspace, c: VapiRecord) -> dict[str, Any]:
        """ByoSipTrunkCredential (the password is never returned, as on Vapi)."""
        body: dict[str, Any] = {
            "provider": "byo-sip-trunk",
            "id": c.id,
            "orgId": ws.id,
            "createdAt": _iso(c.created_ms),
            "updatedAt": _iso(c.updated_ms),
            **{k: v for k, v in c.fields.items() if k != "outboundAuthenticationPlan"},
        }
        plan = c.fields.get("outboundAuthenticationPlan")
        if plan is not None:
            body["outboundAuthenticationPlan"] = {
                k: v for k, v in plan.items() if k != "authPassword"
            }
        return body

    def _credential_fields(self, body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        _check_fields(body, CREDENTIAL_FIELDS)
        provider = body.get("provider")
        if (creating or provider is not None) and provider != "byo-sip-trunk":
            raise BadRequest(f"provider {provider!r} is not emulated (only byo-sip-trunk)")
        fields: dict[str, Any] = {}
        if creating or "gateways" in body:
            fields["gateways"] = _gateways(body.get("gateways"))
        if "outboundAuthenticationPlan" in body:
            fields["outboundAuthenticationPlan"] = _auth_plan(body["outboundAuthenticationPlan"])
        _name(body)
        for key in ("name", "techPrefix", "sipDiversionHeader", "outboundLeadingPlusEnabled"):
            if key in body:
                fields[key] = body[key]
        return fields

    def _credential(self, ws: VapiWorkspace, credential_id: str) -> VapiRecord:
        return found(ws.credentials, credential_id, f"Couldn't Find Credential {credential_id}.")

    def create_credential(
        self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """POST /credential (provider byo-sip-trunk): 201 ByoSipTrunkCredential."""
        fields = self._credential_fields(json_object(req), creating=True)
        credential = VapiRecord(id=str(uuid.uuid4()), fields=fields)
        ws.credentials[credential.id] = credential
        return Answer(201, self._credential_json(ws, credential))

    def list_credentials(
        self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """GET /credential: newest first."""
        limit = page_limit(req.query.get("limit"), 100, 1000)
        items = list(reversed(ws.credentials.values()))[:limit]
        return Answer(200, [self._credential_json(ws, c) for c in items])

    def get_credential(
        self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """GET /credential/{id}."""
        return Answer(200, self._credential_json(ws, self._credential(ws, args["id"])))

    def update_credential(
        self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """PATCH /credential/{id}: given fields replace the stored ones (a plan as a whole)."""
        credential = self._credential(ws, args["id"])
        credential.fields.update(self._credential_fields(json_object(req), creating=False))
        credential.updated_ms = now_ms()
        return Answer(200, self._credential_json(ws, credential))

    def delete_credential(
        self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """DELETE /credential/{id}: refused while a phone number uses it."""
        credential = self._credential(ws, args["id"])
        users = [n.id for n in ws.numbers.values() if n.fields.get("credentialId") == credential.id]
        if users:
            raise ProviderError(
                400, f"Credential {credential.id} is in use by phone number(s) {', '.join(users)}."
            )
        del ws.credentials[credential.id]
        return Answer(200, self._credential_json(ws, credential))

    # -- phone numbers ---------------------------------------------------------------------

    def _number_json(self, ws: VapiWorkspace, n: VapiRecord) -> dict[str, Any]:
        """ByoPhoneNumber."""
        return {
            "provider": "byo-phone-number",
            "id": n.id,
            "orgId": ws.id,
            "createdAt": _iso(n.created_ms),
            "updatedAt": _iso(n.updated_ms),
            "status": "active",
            **n.fields,
        }

    def _number_fields(
        self, ws: VapiWorkspace, body: dict[str, Any], *, current: dict[str, Any] | None
    ) -> dict[str, Any]:
        _check_fields(body, NUMBER_FIELDS)
        provider = body.get("provider")
        if (current is None or provider is not None) and provider != "byo-phone-number":
            raise BadRequest(f"provider {provider!r} is not emulated (only byo-phone-number)")
        merged = {**(current or {}), **{k: v for k, v in body.items() if k != "provider"}}
        if not isinstance(merged.get("credentialId"), str):
            raise BadRequest("credentialId must be a string")
        self._credential(ws, merged["credentialId"])
        if merged.get("assistantId") is not None:
            if not isinstance(merged["assistantId"], str):
                raise BadRequest("assistantId must be a string")
            self._assistant(ws, merged["assistantId"])
        number = merged.get("number")
        if number is not None and not isinstance(number, str):
            raise BadRequest("number must be a string")
        if (
            merged.get("numberE164CheckEnabled", True)
            and number is not None
            and not is_e164(number)
        ):
            raise BadRequest(f"number {number} is not a valid E.164 number")
        _name(body)
        return merged

    def _number(self, ws: VapiWorkspace, number_id: str) -> VapiRecord:
        return found(ws.numbers, number_id, f"Couldn't Find Phone Number {number_id}.")

    def _refuse_duplicate(
        self, ws: VapiWorkspace, fields: dict[str, Any], own_id: str | None
    ) -> None:
        for other in ws.numbers.values():
            same = other.fields.get("number") == fields.get("number") and other.fields.get(
                "credentialId"
            ) == fields.get("credentialId")
            if same and other.id != own_id and fields.get("number") is not None:
                raise ProviderError(
                    400, f"Phone number {fields['number']} already exists on this credential."
                )

    def create_number(
        self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """POST /phone-number (provider byo-phone-number): 201 ByoPhoneNumber."""
        fields = self._number_fields(ws, json_object(req), current=None)
        self._refuse_duplicate(ws, fields, None)
        number = VapiRecord(id=str(uuid.uuid4()), fields=fields)
        ws.numbers[number.id] = number
        return Answer(201, self._number_json(ws, number))

    def list_numbers(self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]) -> Answer:
        """GET /phone-number: newest first."""
        limit = page_limit(req.query.get("limit"), 100, 1000)
        items = list(reversed(ws.numbers.values()))[:limit]
        return Answer(200, [self._number_json(ws, n) for n in items])

    def get_number(self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]) -> Answer:
        """GET /phone-number/{id}."""
        return Answer(200, self._number_json(ws, self._number(ws, args["id"])))

    def update_number(
        self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """PATCH /phone-number/{id}: assistant (null unbinds), credential, name, number."""
        number = self._number(ws, args["id"])
        fields = self._number_fields(ws, json_object(req), current=number.fields)
        self._refuse_duplicate(ws, fields, number.id)
        number.fields = fields
        number.updated_ms = now_ms()
        return Answer(200, self._number_json(ws, number))

    def delete_number(
        self, ws: VapiWorkspace, req: ProviderRequest, args: dict[str, str]
    ) -> Answer:
        """DELETE /phone-number/{id}: answers the deleted number."""
        number = self._number(ws, args["id"])
        del ws.numbers[number.id]
        return Answer(200, self._number_json(ws, number))

    # -- the sandbox's view ----------------------------------------------------------------

    @staticmethod
    def _gateway(credential: VapiRecord | None) -> str | None:
        for gw in (credential.fields.get("gateways") if credential else None) or []:
            if gw.get("outboundEnabled", True):
                return str(gw["ip"])
        return None

    def registrations(self) -> list[Registration]:
        """BYO numbers: termination is their credential's outbound gateway and auth plan."""
        out = []
        for ws in self.workspaces.values():
            for n in ws.numbers.values():
                credential = ws.credentials.get(n.fields.get("credentialId", ""))
                plan = (
                    credential.fields.get("outboundAuthenticationPlan") if credential else None
                ) or {}
                out.append(
                    Registration(
                        phone_number=n.fields.get("number") or "",
                        agent_id=n.fields.get("assistantId"),
                        termination_uri=self._gateway(credential),
                        sip_username=plan.get("authUsername"),
                        registration_id=n.id,
                        workspace=ws,
                        sip_password=plan.get("authPassword"),
                    )
                )
        return out

    def route_inbound(self, host: str, number: str, caller: str | None) -> dict[str, Any] | None:
        """Calls to `<credential id>.sip.vapi.ai` go to that credential's number's assistant."""
        if not host.endswith(SIP_DOMAIN):
            return None
        credential_id = host[: -len(SIP_DOMAIN)]
        owner = next(
            (ws for ws in self.workspaces.values() if credential_id in ws.credentials), None
        )
        if owner is None:
            return self.routed(None, f"{credential_id} is not a Vapi SIP trunk credential")
        found = [
            n
            for n in owner.numbers.values()
            if n.fields.get("credentialId") == credential_id and n.fields.get("number") == number
        ]
        if not found:
            return self.routed(
                None, f"{number} is not a phone number on Vapi credential {credential_id}"
            )
        assistant = found[0].fields.get("assistantId")
        if assistant is None:
            return self.routed(None, f"{number} has no assistant at Vapi")
        return self.routed(assistant)
