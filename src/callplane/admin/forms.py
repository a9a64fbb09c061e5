"""HTML form fields to the API's request schemas (the same validation as the JSON API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, SecretStr, ValidationError

from callplane.agents.models import Agent
from callplane.agents.schemas import AgentCreate, AgentPatch
from callplane.connections.schemas import ConnectionPut
from callplane.numbers.schemas import NumberBuy
from callplane.tenants.schemas import TenantCreate

M = TypeVar("M", bound=BaseModel)

FIELD_LABELS = {
    "name": "Name",
    "voice": "Voice",
    "voice.mode": "Voice mode",
    "voice.stream_url": "Stream URL",
    "voice.parameters": "Stream parameters",
    "voice.sip_uri": "SIP URI",
    "voice.forward_to": "Forward to",
    "voice.caller_id": "Caller ID",
    "voice.whisper": "Whisper",
    "voice.greeting": "Greeting",
    "sms.mode": "SMS mode",
    "sms": "SMS",
    "sms.url": "SMS webhook URL",
    "sms.reply": "SMS reply",
    "events_url": "Events URL",
    "slug": "Slug",
    "account_sid": "Account SID",
    "auth_token": "Auth token",
    "api_key_sid": "API key SID",
    "api_key_secret": "API key secret",
    "model": "Account model",
}


def text(form: Mapping[str, Any], name: str) -> str | None:
    """A trimmed text field; blank is None."""
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def checked(form: Mapping[str, Any], name: str) -> bool:
    """A checkbox: ticked or not."""
    return form.get(name) in ("on", "true", "1")


def query(form: Mapping[str, Any], *names: str) -> str:
    """The query string of these fields of the form (blank ones kept empty)."""
    return urlencode({name: text(form, name) or "" for name in names})


class Invalid(Exception):
    """A form that makes no valid request; `problems` say why, one per field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def validate(schema: type[M], body: Mapping[str, Any]) -> M:
    """The request `schema` of a form's `body`, validated as the API does; `Invalid` if not."""
    try:
        return schema.model_validate(body)
    except ValidationError as exc:
        raise Invalid(problems(exc)) from None


def problems(exc: ValidationError) -> list[str]:
    """Readable problems of a validation error, one per field."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        label = FIELD_LABELS.get(loc, loc.replace("_", " ").capitalize() if loc else "")
        message = str(err.get("msg", "is not valid"))
        message = message.removeprefix("Value error, ")
        if err.get("type") == "string_pattern_mismatch":
            message = "is not in the expected format"
        out.append(f"{label}: {message}" if label else message)
    return out


def parse_parameters(raw: str | None) -> dict[str, str]:
    """Stream parameters written one `name=value` per line."""
    params: dict[str, str] = {}
    for line in (raw or "").splitlines():
        line = line.strip()
        if not line:
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"stream parameter {line!r} is not name=value")
        params[name.strip()] = value.strip()
    return params


def agent_body(form: Mapping[str, Any]) -> dict[str, Any]:
    """The `AgentCreate` / `AgentPatch` body an agent form describes."""
    voice: dict[str, Any] = {
        "mode": text(form, "voice_mode") or "stream",
        "stream_url": text(form, "stream_url"),
        "parameters": parse_parameters(text(form, "parameters")),
        "sip_uri": text(form, "sip_uri"),
        "forward_to": text(form, "forward_to"),
        "caller_id": text(form, "caller_id"),
        "whisper": text(form, "whisper"),
        "greeting": text(form, "greeting"),
        "record": checked(form, "record"),
    }
    if voice["mode"] == "provider":
        voice["provider"] = text(form, "provider")
        voice["provider_agent_id"] = text(form, "provider_agent_id")
    sms = {
        "mode": text(form, "sms_mode") or "none",
        "url": text(form, "sms_url"),
        "reply": text(form, "sms_reply"),
    }
    return {
        "name": text(form, "name") or "",
        "voice": voice,
        "sms": sms,
        "events_url": text(form, "events_url"),
    }


def agent_values(agent: Agent | None) -> dict[str, Any]:
    """The form fields of an existing agent (or the defaults of a new one)."""
    if agent is None:
        return {"voice_mode": "stream", "sms_mode": "none", "record": False}
    return {
        "name": agent.name,
        "voice_mode": agent.voice_mode,
        "stream_url": agent.stream_url or "",
        "parameters": "\n".join(f"{k}={v}" for k, v in (agent.stream_parameters or {}).items()),
        "sip_uri": agent.sip_uri or "",
        "forward_to": agent.forward_to or "",
        "caller_id": agent.caller_id or "",
        "whisper": agent.whisper or "",
        "greeting": agent.greeting or "",
        "record": agent.record,
        "provider": agent.provider or "",
        "provider_agent_id": agent.provider_agent_id or "",
        "sms_mode": agent.sms_mode,
        "sms_url": agent.sms_url or "",
        "sms_reply": agent.sms_reply or "",
        "events_url": agent.events_url or "",
    }


def form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """What the person typed, to show the form again after an error (never secrets)."""
    keep: dict[str, Any] = {
        k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"
    }
    keep["record"] = checked(form, "record")
    for secret in ("auth_token", "api_key_secret", "api_key", "api_secret"):
        keep.pop(secret, None)
    return keep


def _agent_fields(form: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return agent_body(form)
    except ValueError as exc:  # a stream parameter line that is not name=value
        raise Invalid([str(exc)]) from None


def agent_create(form: Mapping[str, Any]) -> AgentCreate:
    """The `POST agents` body of a new agent's form."""
    return validate(AgentCreate, _agent_fields(form))


def agent_patch(form: Mapping[str, Any]) -> AgentPatch:
    """The `PATCH agents/{aid}` body of an agent's form (voice and SMS replaced whole)."""
    body = _agent_fields(form)
    body["rotate_events_secret"] = checked(form, "rotate_events_secret")
    return validate(AgentPatch, body)


def connection_put(form: Mapping[str, Any]) -> ConnectionPut:
    """The `PUT connection` body of the account model form (credentials for byo only)."""
    model = text(form, "model") or "master"
    body: dict[str, Any] = {"model": model}
    if model == "byo":
        body["account_sid"] = text(form, "account_sid")
        token = text(form, "auth_token")
        body["auth_token"] = SecretStr(token) if token else None
    return validate(ConnectionPut, body)


def tenant_create(form: Mapping[str, Any]) -> TenantCreate:
    """The `POST /v1/tenants` body of the new tenant form."""
    return validate(
        TenantCreate, {"slug": text(form, "slug") or "", "name": text(form, "name") or ""}
    )


def number_buy(form: Mapping[str, Any]) -> NumberBuy:
    """The `POST phone-numbers` body of a buy button."""
    return validate(NumberBuy, {"phone_number": text(form, "phone_number") or ""})
