"""A small typed callplane client on httpx, written by hand (compared with the generated one)."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

import httpx


class Tenant(TypedDict):
    id: str
    slug: str
    name: str
    status: str


class ApiKey(TypedDict):
    id: str
    role: str
    key: str | None


class Plan(TypedDict):
    name: str
    quota_phone_numbers: int


class Subscription(TypedDict):
    plan: str
    status: str
    cancel_at_period_end: bool
    canceled_at: str | None


class AvailableNumber(TypedDict):
    phone_number: str
    country: str
    type: str


class PhoneNumber(TypedDict):
    id: str
    phone_number: str
    status: str
    agent_id: str | None


class Voice(TypedDict):
    mode: Literal["stream", "sip", "forward", "voicemail"]
    stream_url: NotRequired[str]
    sip_uri: NotRequired[str]
    forward_to: NotRequired[str]


class Agent(TypedDict):
    id: str
    name: str
    events_url: str | None
    events_secret: str | None


class Page(TypedDict):
    data: list[Any]
    next_cursor: str | None


class CallplaneError(Exception):
    """An error answer: `code` is stable, `details` the rest of the envelope."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


class Callplane:
    """`Callplane(base_url, api_key)`: one method per operation used here."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self._http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=timeout
        )
        self.last_response: httpx.Response | None = None

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        r = self._http.request(method, path, **kwargs)
        self.last_response = r
        if r.status_code >= 400:
            error = dict(r.json().get("error", {}))
            code, message = error.pop("code", "error"), error.pop("message", r.reason_phrase)
            raise CallplaneError(r.status_code, code, message, error)
        return r.json() if r.content else None

    def put_plan(self, name: str, *, quota_phone_numbers: int) -> Plan:
        body = {"quota_phone_numbers": quota_phone_numbers}
        result: Plan = self._call("PUT", f"/v1/plans/{name}", json=body)
        return result

    def create_tenant(self, *, slug: str, name: str) -> Tenant:
        result: Tenant = self._call("POST", "/v1/tenants", json={"slug": slug, "name": name})
        return result

    def put_subscription(self, tid: str, *, plan: str, status: str) -> Subscription:
        body = {"plan": plan, "status": status}
        result: Subscription = self._call("PUT", f"/v1/tenants/{tid}/subscription", json=body)
        return result

    def create_api_key(self, tid: str, *, role: Literal["admin", "member"]) -> ApiKey:
        result: ApiKey = self._call("POST", f"/v1/tenants/{tid}/api-keys", json={"role": role})
        return result

    def search_numbers(self, tid: str, *, country: str, limit: int = 20) -> list[AvailableNumber]:
        params = {"country": country, "limit": limit}
        page: Page = self._call("GET", f"/v1/tenants/{tid}/phone-numbers/available", params=params)
        return page["data"]

    def buy_number(
        self, tid: str, *, phone_number: str, idempotency_key: str | None = None
    ) -> PhoneNumber:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        result: PhoneNumber = self._call(
            "POST",
            f"/v1/tenants/{tid}/phone-numbers",
            json={"phone_number": phone_number},
            headers=headers,
        )
        return result

    def attach_agent(self, tid: str, nid: str, *, agent_id: str | None) -> PhoneNumber:
        body = {"agent_id": agent_id}
        result: PhoneNumber = self._call(
            "PATCH", f"/v1/tenants/{tid}/phone-numbers/{nid}", json=body
        )
        return result

    def create_agent(
        self, tid: str, *, name: str, voice: Voice, events_url: str | None = None
    ) -> Agent:
        body = {"name": name, "voice": voice, "events_url": events_url}
        result: Agent = self._call("POST", f"/v1/tenants/{tid}/agents", json=body)
        return result
