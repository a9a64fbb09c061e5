"""LiveKit: the SIP service (inbound and outbound trunks, dispatch rules) over Twirp.

`livekit-api` POSTs `twirp/livekit.SIP/<Method>` with a protobuf body (`application/protobuf`;
JSON is accepted too, as Twirp allows) and a JWT signed HS256 with the project's API secret,
carrying the `sip.admin` grant. The token is checked with the SDK's own `TokenVerifier`; the
messages are `livekit-protocol`'s. Errors are Twirp's `{"code", "msg"}`. An agent id is the agent
name a dispatch rule's room configuration names; the `agents` control says which names run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import jwt
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from livekit.api import TokenVerifier
from livekit.protocol import models, sip

from callplane.sandbox.providers.common import (
    Answer,
    Emulator,
    ProviderError,
    ProviderRequest,
    Registration,
    Workspace,
    bearer,
    new_id,
    now_ms,
)

SIP_DOMAIN = ".sip.livekit.cloud"
ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"
KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
STATUS_OF = {
    "invalid_argument": 400,
    "malformed": 400,
    "unauthenticated": 401,
    "permission_denied": 403,
    "not_found": 404,
    "bad_route": 404,
    "already_exists": 409,
    "failed_precondition": 412,
    "resource_exhausted": 429,
    "unimplemented": 501,
    "internal": 500,
    "unavailable": 503,
}
CODE_OF = {
    400: "invalid_argument",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "bad_route",
    408: "deadline_exceeded",
    409: "already_exists",
    412: "failed_precondition",
    429: "resource_exhausted",
    501: "unimplemented",
    503: "unavailable",
    504: "deadline_exceeded",
}


def twirp(code: str, message: str) -> ProviderError:
    """A Twirp error with its code (and the HTTP status Twirp gives that code)."""
    return ProviderError(STATUS_OF.get(code, 500), message, code=code)


@dataclass(eq=False)
class Project(Workspace):
    """A LiveKit project: inbound and outbound trunks and dispatch rules, by id."""

    inbound: dict[str, sip.SIPInboundTrunkInfo] = field(default_factory=dict)
    outbound: dict[str, sip.SIPOutboundTrunkInfo] = field(default_factory=dict)
    rules: dict[str, sip.SIPDispatchRuleInfo] = field(default_factory=dict)


def _list_update(current: Iterable[str], update: models.ListUpdate) -> list[str]:
    values = [] if update.clear else list(current)
    if update.set:
        values = list(update.set)
    values += [v for v in update.add if v not in values]
    return [v for v in values if v not in update.remove]


def _stamp(info: Any, *, created: bool) -> None:
    ms = now_ms()
    if created:
        info.created_at.FromMilliseconds(ms)
    info.updated_at.FromMilliseconds(ms)


M = TypeVar("M", bound=Message)


def _public(info: M) -> M:
    """A copy to answer with: LiveKit does not hand stored SIP passwords back."""
    copy = type(info)()
    copy.CopyFrom(info)
    if "auth_password" in type(info).DESCRIPTOR.fields_by_name:
        copy.auth_password = ""  # type: ignore[attr-defined]
    return copy


def _page(items: list[Any], key: Callable[[Any], str], page: models.Pagination) -> list[Any]:
    if page.after_id:
        keys = [key(i) for i in items]
        items = items[keys.index(page.after_id) + 1 :] if page.after_id in keys else []
    return items[: page.limit] if page.limit else items


def _overlap(a: Iterable[str], b: Iterable[str]) -> bool:
    """Two filters overlap when either is empty (matches all) or they share a value."""
    a, b = set(a), set(b)
    return not a or not b or bool(a & b)


def _create(info: M, id_field: str, prefix: str) -> M:
    """A copy of a new resource's message, with a fresh id."""
    copy = type(info)()
    copy.CopyFrom(info)
    setattr(copy, id_field, new_id(prefix, 12, KEY_ALPHABET))
    return copy


def _updated(
    store: dict[str, M],
    req: Any,
    resource_id: str,
    *,
    lists: tuple[str, ...],
    fields: tuple[str, ...],
) -> M:
    """The stored resource with an update request applied (`replace`, or `update`'s list
    updates and present fields); the store is not changed."""
    current = store.get(resource_id)
    if current is None:
        raise twirp("not_found", f"{resource_id} not found")
    info = type(current)()
    info.CopyFrom(current)
    if req.HasField("replace"):
        info.CopyFrom(req.replace)
        info.created_at.CopyFrom(current.created_at)  # type: ignore[attr-defined]
    elif req.HasField("update"):
        update = req.update
        for name in lists:
            if update.HasField(name):
                values = _list_update(getattr(info, name), getattr(update, name))
                del getattr(info, name)[:]
                getattr(info, name).extend(values)
        for name in fields:
            if update.HasField(name):
                value = getattr(update, name)
                if isinstance(value, Message):
                    getattr(info, name).CopyFrom(value)
                else:
                    setattr(info, name, value)
    else:
        raise twirp("invalid_argument", "either replace or update is required")
    return info


def _store(store: dict[str, M], info: M, resource_id: str, *, created: bool) -> M:
    """Stamp and keep a checked resource."""
    _stamp(info, created=created)
    store[resource_id] = info
    return info


def _list_trunks(store: dict[str, M], req: Any) -> list[M]:
    """The trunks a list request asks for (trunk_ids and numbers filters, page), no passwords."""
    items = [
        t
        for t in store.values()
        if (not req.trunk_ids or t.sip_trunk_id in req.trunk_ids)  # type: ignore[attr-defined]
        and (not req.numbers or set(req.numbers) & set(t.numbers))  # type: ignore[attr-defined]
    ]
    return [_public(t) for t in _page(items, lambda t: t.sip_trunk_id, req.page)]


class LiveKitEmulator(Emulator[Project]):
    """The LiveKit SIP service subset callplane uses."""

    name = "livekit"

    def new_workspace(self) -> Project:
        """A project with an `API...` key and its secret."""
        return Project(
            id=new_id("", 11, ALNUM),
            api_key=new_id("API", 12, KEY_ALPHABET),
            api_secret=new_id("", 43, KEY_ALPHABET),
        )

    def key_answer(self, ws: Project, base_url: str) -> dict[str, Any]:
        """Key, secret, the SDK's `url`, and the project's SIP host."""
        return {
            "api_key": ws.api_key,
            "api_secret": ws.api_secret,
            "url": base_url,
            "base_url": base_url,
            "project": ws.id,
            "sip_host": ws.id + SIP_DOMAIN,
        }

    def new_agent_id(self, name: str) -> str:
        """A LiveKit agent is known by its name."""
        if not name.strip():
            raise ProviderError(400, "an agent name is required")
        return name

    def register_routes(self) -> None:
        """Every SIP method is a POST to `twirp/livekit.SIP/<Method>`."""
        self.route("POST", "/twirp/livekit.SIP/{method}", self.dispatch)
        self.methods: dict[str, tuple[type[Message], Callable[[Project, Any], Message]]] = {
            "CreateSIPInboundTrunk": (sip.CreateSIPInboundTrunkRequest, self.create_inbound),
            "UpdateSIPInboundTrunk": (sip.UpdateSIPInboundTrunkRequest, self.update_inbound),
            "ListSIPInboundTrunk": (sip.ListSIPInboundTrunkRequest, self.list_inbound),
            "CreateSIPOutboundTrunk": (sip.CreateSIPOutboundTrunkRequest, self.create_outbound),
            "UpdateSIPOutboundTrunk": (sip.UpdateSIPOutboundTrunkRequest, self.update_outbound),
            "ListSIPOutboundTrunk": (sip.ListSIPOutboundTrunkRequest, self.list_outbound),
            "DeleteSIPTrunk": (sip.DeleteSIPTrunkRequest, self.delete_trunk),
            "CreateSIPDispatchRule": (sip.CreateSIPDispatchRuleRequest, self.create_rule),
            "UpdateSIPDispatchRule": (sip.UpdateSIPDispatchRuleRequest, self.update_rule),
            "ListSIPDispatchRule": (sip.ListSIPDispatchRuleRequest, self.list_rules),
            "DeleteSIPDispatchRule": (sip.DeleteSIPDispatchRuleRequest, self.delete_rule),
        }

    def authenticate(self, request: ProviderRequest) -> Project:
        """A JWT issued by the project's key, verified with its secret by the SDK's verifier."""
        token = bearer(request)
        if token is None:
            raise twirp("unauthenticated", "no authorization token")
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise twirp("unauthenticated", "invalid authorization token") from None
        project = self.by_key.get(issuer) if isinstance(issuer, str) else None
        if project is None:
            raise twirp("unauthenticated", "invalid API key")
        try:
            claims = TokenVerifier(project.api_key, project.api_secret).verify(token)
        except (jwt.PyJWTError, ValueError):
            raise twirp("unauthenticated", "invalid token: signature or expiry") from None
        if claims.sip is None or not claims.sip.admin:
            raise twirp("permission_denied", "permissions denied: the sip.admin grant is required")
        return project

    def error_answer(self, error: ProviderError) -> Answer:
        """Twirp's `{"code", "msg"}`."""
        code = error.code or CODE_OF.get(error.status, "internal")
        status = STATUS_OF.get(code, error.status if error.status >= 400 else 500)
        return Answer(status, {"code": code, "msg": error.message})

    # -- Twirp plumbing --------------------------------------------------------------------

    def dispatch(self, project: Project, req: ProviderRequest, args: dict[str, str]) -> Answer:
        """Decode the request message, run the method, encode its answer like the request."""
        method = self.methods.get(args["method"])
        if method is None:
            raise twirp("bad_route", f"no handler for path /twirp/livekit.SIP/{args['method']}")
        request_type, handler = method
        as_json = "json" in (req.header("content-type") or "")
        message = request_type()
        try:
            if as_json:
                json_format.Parse(req.body or b"{}", message)
            else:
                message.ParseFromString(req.body)
        except (DecodeError, json_format.ParseError) as exc:
            raise twirp(
                "malformed", f"the request body is not a valid {request_type.__name__}: {exc}"
            ) from None
        answer = handler(project, message)
        if as_json:
            return Answer(200, json_format.MessageToDict(answer))
        return Answer(200, raw=answer.SerializeToString(), media_type="application/protobuf")

    # -- inbound trunks --------------------------------------------------------------------

    @staticmethod
    def _check_inbound(project: Project, trunk: sip.SIPInboundTrunkInfo) -> None:
        if any(not n.strip() for n in trunk.numbers):
            raise twirp("invalid_argument", "trunk numbers must not be empty strings")
        for other in project.inbound.values():
            if other.sip_trunk_id != trunk.sip_trunk_id and _overlap(other.numbers, trunk.numbers):
                raise twirp(
                    "invalid_argument",
                    f"Conflicting inbound SIP Trunks: {other.sip_trunk_id!r} and "
                    f"{trunk.sip_trunk_id!r}, using the same number(s)",
                )

    def create_inbound(self, project: Project, req: sip.CreateSIPInboundTrunkRequest) -> Message:
        """CreateSIPInboundTrunk."""
        if not req.HasField("trunk"):
            raise twirp("invalid_argument", "trunk is required")
        trunk = _create(req.trunk, "sip_trunk_id", "ST_")
        self._check_inbound(project, trunk)
        return _public(_store(project.inbound, trunk, trunk.sip_trunk_id, created=True))

    def update_inbound(self, project: Project, req: sip.UpdateSIPInboundTrunkRequest) -> Message:
        """UpdateSIPInboundTrunk: `replace` the whole trunk or `update` some fields."""
        trunk = _updated(
            project.inbound,
            req,
            req.sip_trunk_id,
            lists=("numbers", "allowed_addresses", "allowed_numbers"),
            fields=(
                "auth_username",
                "auth_password",
                "auth_realm",
                "name",
                "metadata",
                "media_encryption",
            ),
        )
        trunk.sip_trunk_id = req.sip_trunk_id
        self._check_inbound(project, trunk)
        return _public(_store(project.inbound, trunk, trunk.sip_trunk_id, created=False))

    def list_inbound(self, project: Project, req: sip.ListSIPInboundTrunkRequest) -> Message:
        """ListSIPInboundTrunk (trunk_ids, numbers filters; page)."""
        return sip.ListSIPInboundTrunkResponse(items=_list_trunks(project.inbound, req))

    # -- outbound trunks -------------------------------------------------------------------

    @staticmethod
    def _check_outbound(trunk: sip.SIPOutboundTrunkInfo) -> None:
        if not trunk.address.strip():
            raise twirp("invalid_argument", "no outbound address specified")
        if "transport=" in trunk.address:
            raise twirp("invalid_argument", "set the transport as a field, not in the address")
        if not trunk.numbers:
            raise twirp("invalid_argument", "no trunk numbers specified")

    def create_outbound(self, project: Project, req: sip.CreateSIPOutboundTrunkRequest) -> Message:
        """CreateSIPOutboundTrunk: address (the termination URI), numbers, auth."""
        if not req.HasField("trunk"):
            raise twirp("invalid_argument", "trunk is required")
        trunk = _create(req.trunk, "sip_trunk_id", "ST_")
        self._check_outbound(trunk)
        return _public(_store(project.outbound, trunk, trunk.sip_trunk_id, created=True))

    def update_outbound(self, project: Project, req: sip.UpdateSIPOutboundTrunkRequest) -> Message:
        """UpdateSIPOutboundTrunk: `replace` or `update` (address, numbers, auth...)."""
        trunk = _updated(
            project.outbound,
            req,
            req.sip_trunk_id,
            lists=("numbers",),
            fields=(
                "address",
                "transport",
                "destination_country",
                "auth_username",
                "auth_password",
                "name",
                "metadata",
                "media_encryption",
                "from_host",
            ),
        )
        trunk.sip_trunk_id = req.sip_trunk_id
        self._check_outbound(trunk)
        return _public(_store(project.outbound, trunk, trunk.sip_trunk_id, created=False))

    def list_outbound(self, project: Project, req: sip.ListSIPOutboundTrunkRequest) -> Message:
        """ListSIPOutboundTrunk (trunk_ids, numbers filters; page)."""
        return sip.ListSIPOutboundTrunkResponse(items=_list_trunks(project.outbound, req))

    def delete_trunk(self, project: Project, req: sip.DeleteSIPTrunkRequest) -> Message:
        """DeleteSIPTrunk (inbound or outbound): the deleted trunk as a SIPTrunkInfo."""
        inbound = project.inbound.pop(req.sip_trunk_id, None)
        if inbound is not None:
            return sip.SIPTrunkInfo(
                sip_trunk_id=inbound.sip_trunk_id,
                kind=sip.SIPTrunkInfo.TRUNK_INBOUND,
                inbound_numbers=list(inbound.numbers),
                name=inbound.name,
                metadata=inbound.metadata,
            )
        outbound = project.outbound.pop(req.sip_trunk_id, None)
        if outbound is not None:
            return sip.SIPTrunkInfo(
                sip_trunk_id=outbound.sip_trunk_id,
                kind=sip.SIPTrunkInfo.TRUNK_OUTBOUND,
                outbound_address=outbound.address,
                name=outbound.name,
                metadata=outbound.metadata,
            )
        raise twirp("not_found", f"SIP trunk {req.sip_trunk_id} not found")

    # -- dispatch rules --------------------------------------------------------------------

    @staticmethod
    def _pin(rule: sip.SIPDispatchRuleInfo) -> str:
        kind = rule.rule.WhichOneof("rule")
        return getattr(getattr(rule.rule, kind), "pin", "") if kind else ""

    def _check_rule(self, project: Project, rule: sip.SIPDispatchRuleInfo) -> None:
        if rule.rule.WhichOneof("rule") is None:
            raise twirp(
                "invalid_argument", "a dispatch rule (direct, individual or callee) is required"
            )
        for trunk_id in rule.trunk_ids:
            if trunk_id not in project.inbound:
                raise twirp("invalid_argument", f"unknown inbound SIP trunk {trunk_id}")
        for other in project.rules.values():
            if (
                other.sip_dispatch_rule_id != rule.sip_dispatch_rule_id
                and _overlap(other.trunk_ids, rule.trunk_ids)
                and _overlap(other.inbound_numbers, rule.inbound_numbers)
                and _overlap(other.numbers, rule.numbers)
                and self._pin(other) == self._pin(rule)
            ):
                raise twirp(
                    "invalid_argument",
                    f"Conflicting SIP Dispatch Rules: {other.sip_dispatch_rule_id!r} and "
                    f"{rule.sip_dispatch_rule_id!r} match the same trunk, number and PIN",
                )

    def create_rule(self, project: Project, req: sip.CreateSIPDispatchRuleRequest) -> Message:
        """CreateSIPDispatchRule (`dispatch_rule`, or the deprecated top-level fields)."""
        rule = sip.SIPDispatchRuleInfo()
        if req.HasField("dispatch_rule"):
            rule.CopyFrom(req.dispatch_rule)
        else:
            rule.rule.CopyFrom(req.rule)
            rule.trunk_ids.extend(req.trunk_ids)
            rule.hide_phone_number = req.hide_phone_number
            rule.inbound_numbers.extend(req.inbound_numbers)
            rule.name = req.name
            rule.metadata = req.metadata
            rule.attributes.update(req.attributes)
            rule.room_preset = req.room_preset
            if req.HasField("room_config"):
                rule.room_config.CopyFrom(req.room_config)
        rule.sip_dispatch_rule_id = new_id("SDR_", 12, KEY_ALPHABET)
        self._check_rule(project, rule)
        return _store(project.rules, rule, rule.sip_dispatch_rule_id, created=True)

    def update_rule(self, project: Project, req: sip.UpdateSIPDispatchRuleRequest) -> Message:
        """UpdateSIPDispatchRule: `replace` or `update` (trunk_ids, rule, name, metadata)."""
        rule = _updated(
            project.rules,
            req,
            req.sip_dispatch_rule_id,
            lists=("trunk_ids",),
            fields=("rule", "name", "metadata", "media_encryption"),
        )
        if req.HasField("update"):
            rule.attributes.update(req.update.attributes)
        rule.sip_dispatch_rule_id = req.sip_dispatch_rule_id
        self._check_rule(project, rule)
        return _store(project.rules, rule, rule.sip_dispatch_rule_id, created=False)

    def list_rules(self, project: Project, req: sip.ListSIPDispatchRuleRequest) -> Message:
        """ListSIPDispatchRule (dispatch_rule_ids, trunk_ids filters; page)."""
        items = [
            r
            for r in project.rules.values()
            if (not req.dispatch_rule_ids or r.sip_dispatch_rule_id in req.dispatch_rule_ids)
            and (not req.trunk_ids or not r.trunk_ids or set(req.trunk_ids) & set(r.trunk_ids))
        ]
        page = _page(items, lambda r: r.sip_dispatch_rule_id, req.page)
        return sip.ListSIPDispatchRuleResponse(items=page)

    def delete_rule(self, project: Project, req: sip.DeleteSIPDispatchRuleRequest) -> Message:
        """DeleteSIPDispatchRule: the deleted rule."""
        rule = project.rules.pop(req.sip_dispatch_rule_id, None)
        if rule is None:
            raise twirp("not_found", f"SIP dispatch rule {req.sip_dispatch_rule_id} not found")
        return rule

    # -- the sandbox's view ----------------------------------------------------------------

    @staticmethod
    def _inbound_trunk(project: Project, number: str) -> sip.SIPInboundTrunkInfo | None:
        """The trunk that takes calls to `number`: one naming it, else one taking any number."""
        trunks = list(project.inbound.values())
        named = [t for t in trunks if number in t.numbers]
        candidates = named or [t for t in trunks if not t.numbers]
        return candidates[0] if candidates else None

    @staticmethod
    def _rule(
        project: Project, trunk_id: str, number: str, caller: str | None
    ) -> sip.SIPDispatchRuleInfo | None:
        """The dispatch rule for a call: trunk-specific rules before catch-all ones."""

        def fits(rule: sip.SIPDispatchRuleInfo) -> bool:
            return (
                (not rule.trunk_ids or trunk_id in rule.trunk_ids)
                and (not rule.numbers or number in rule.numbers)
                and (not rule.inbound_numbers or caller is None or caller in rule.inbound_numbers)
                and not LiveKitEmulator._pin(rule)
            )

        rules = [r for r in project.rules.values() if fits(r)]
        rules.sort(key=lambda r: not r.trunk_ids)
        return rules[0] if rules else None

    @staticmethod
    def _agent(rule: sip.SIPDispatchRuleInfo | None) -> str | None:
        if rule is None or not rule.room_config.agents:
            return None
        return rule.room_config.agents[0].agent_name or None

    def registrations(self) -> list[Registration]:
        """Each number of a project's trunks: agent via the dispatch rule, termination via
        the outbound trunk that may call from it."""
        out = []
        for project in self.workspaces.values():
            numbers: list[str] = []
            for trunk_numbers in [
                *(t.numbers for t in project.inbound.values()),
                *(t.numbers for t in project.outbound.values()),
            ]:
                numbers += [n for n in trunk_numbers if n not in numbers]
            for number in numbers:
                inbound = next((t for t in project.inbound.values() if number in t.numbers), None)
                outbound = next((t for t in project.outbound.values() if number in t.numbers), None)
                rule = self._rule(project, inbound.sip_trunk_id, number, None) if inbound else None
                out.append(
                    Registration(
                        phone_number=number,
                        agent_id=self._agent(rule),
                        termination_uri=outbound.address if outbound else None,
                        sip_username=(outbound.auth_username or None) if outbound else None,
                        registration_id=(inbound or outbound).sip_trunk_id,  # type: ignore[union-attr]
                        workspace=project,
                        sip_password=(outbound.auth_password or None) if outbound else None,
                        outbound_problem=None
                        if outbound
                        else f"no LiveKit outbound trunk may call from {number}",
                    )
                )
        return out

    def route_inbound(self, host: str, number: str, caller: str | None) -> dict[str, Any] | None:
        """Calls to `<project>.sip.livekit.cloud`: inbound trunk, dispatch rule, agent."""
        if not host.endswith(SIP_DOMAIN):
            return None
        project_id = host[: -len(SIP_DOMAIN)]
        project = self.workspaces.get(project_id)
        if project is None:
            return self.routed(None, f"{project_id} is not a LiveKit project")
        trunk = self._inbound_trunk(project, number)
        if trunk is None:
            return self.routed(None, f"no LiveKit inbound trunk accepts calls to {number}")
        if trunk.auth_username:
            return self.routed(
                None,
                f"LiveKit inbound trunk {trunk.sip_trunk_id} requires digest authentication, "
                "which Twilio's origination does not send",
            )
        if trunk.allowed_numbers and caller not in trunk.allowed_numbers:
            return self.routed(
                None, f"{caller} may not call LiveKit inbound trunk {trunk.sip_trunk_id}"
            )
        rule = self._rule(project, trunk.sip_trunk_id, number, caller)
        if rule is None:
            return self.routed(
                None, f"no LiveKit dispatch rule for inbound trunk {trunk.sip_trunk_id}"
            )
        agent = self._agent(rule)
        if agent is None:
            return self.routed(
                None,
                f"LiveKit dispatch rule {rule.sip_dispatch_rule_id} dispatches no agent "
                "(the caller would wait in an empty room)",
            )
        if agent not in project.agents:
            return self.routed(None, f"no LiveKit agent named {agent!r} is running in the project")
        return self.routed(agent)
