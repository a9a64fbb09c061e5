"""Test controls under `/__sandbox/` (no auth): accounts, faults, inbound, state, reset, seed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from callplane.sandbox import inbound, inventory, recordings
from callplane.sandbox.faults import FaultSpecError
from callplane.sandbox.messaging import CALL_STATUSES, set_call_status
from callplane.sandbox.state import Alert, Call, Message, PhoneNumber
from callplane.sandbox.util import iso8601, new_sid

if TYPE_CHECKING:
    from callplane.sandbox.app import Sandbox

MAX_SEED = 200_000


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise FaultSpecError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise FaultSpecError("the body must be a JSON object")
    return data


def _base_url(request: Request) -> str:
    """Where this sandbox is reachable, its mount prefix included."""
    root = request.scope.get("root_path", "")
    return f"{request.url.scheme}://{request.url.netloc}{root}".rstrip("/")


async def create_account(request: Request) -> Response:
    """POST /__sandbox/accounts {"friendly_name"}: another top-level account (a BYO tenant's)."""
    try:
        data = await _json(request)
    except FaultSpecError as exc:
        return _error(400, str(exc))
    name = data.get("friendly_name") or "Sandbox account"
    if not isinstance(name, str) or len(name) > 64:
        return _error(400, "friendly_name must be a string of at most 64 characters")
    sandbox = _sandbox(request)
    with sandbox.state.lock:
        account = sandbox.state.create_account(friendly_name=name)
    return JSONResponse(
        {
            "sid": account.sid,
            "auth_token": account.auth_token,
            "friendly_name": account.friendly_name,
            "owner_account_sid": account.owner_account_sid,
            "status": account.status,
        },
        status_code=201,
    )


async def add_fault(request: Request) -> Response:
    """POST /__sandbox/faults: add a rule; answers its id."""
    try:
        rule = _sandbox(request).faults.add(await _json(request))
    except FaultSpecError as exc:
        return _error(400, str(exc))
    return JSONResponse(rule.as_json(), status_code=201)


async def list_faults(request: Request) -> Response:
    """GET /__sandbox/faults."""
    return JSONResponse({"faults": [r.as_json() for r in _sandbox(request).faults.rules]})


async def clear_faults(request: Request) -> Response:
    """DELETE /__sandbox/faults: remove every rule."""
    faults = _sandbox(request).faults
    count = len(faults.rules)
    faults.clear()
    return JSONResponse({"cleared": count})


async def _inbound(request: Request, kind: str) -> Response:
    try:
        data = await _json(request)
    except FaultSpecError as exc:
        return _error(400, str(exc))
    sandbox = _sandbox(request)
    record: Call | Message | None = None
    ended: list[inbound.Delivery] = []
    try:
        with sandbox.state.lock:
            if kind == "status":
                call_sid, status = data.get("call_sid"), data.get("status")
                if not isinstance(call_sid, str) or status not in CALL_STATUSES:
                    return _error(
                        400, f"call_sid and status ({', '.join(CALL_STATUSES)}) are required"
                    )
                answer, delivery = inbound.prepare_status(sandbox.state, call_sid, status)
                ended = _recordings_ended(sandbox, call_sid)
            else:
                frm, to, body = data.get("from"), data.get("to"), data.get("body", "")
                if not isinstance(frm, str) or not isinstance(to, str) or not isinstance(body, str):
                    return _error(400, '"from" and "to" (strings) are required; "body" is a string')
                if kind == "call":
                    answer, delivery, record = inbound.prepare_call(
                        sandbox.state, frm, to, providers=sandbox.providers
                    )
                else:
                    answer, delivery, record = inbound.prepare_sms(sandbox.state, frm, to, body)
    except inbound.InboundError as exc:
        return _error(exc.status, str(exc))
    result = answer or {}
    if delivery is not None:
        # The lock is released while the webhook runs: it may well call the sandbox's API itself.
        outcome = await inbound.deliver(delivery, sandbox.webhook_transport)
        result = outcome.answer
        with sandbox.state.lock:
            _record_alerts(sandbox, delivery, outcome)
            if isinstance(record, Call):
                result["call_sid"] = record.sid
                set_call_status(record, "in-progress" if outcome.ok else "failed")
                if outcome.ok:
                    record.recordings.extend(recordings.started_by(result.get("twiml")))
            elif isinstance(record, Message):
                result["message_sid"] = record.sid
    if ended:
        result["recordings"] = [await _recording_callback(sandbox, d) for d in ended]
    return JSONResponse(result)


def _recordings_ended(sandbox: Sandbox, call_sid: str) -> list[inbound.Delivery]:
    """The recording callbacks of a call that has just ended (under lock)."""
    call = sandbox.state.calls.get(call_sid)
    account = sandbox.state.account(call.account_sid) if call is not None else None
    if call is None or account is None:
        return []
    return recordings.finished(call, account, call.recordings)


async def _recording_callback(sandbox: Sandbox, delivery: inbound.Delivery) -> dict[str, Any]:
    """Send one recording status callback; what the control answers about it."""
    outcome = await inbound.deliver(delivery, sandbox.webhook_transport)
    with sandbox.state.lock:
        _record_alerts(sandbox, delivery, outcome)
    return {
        "sid": delivery.params["RecordingSid"],
        "url": delivery.url,
        "recording_url": delivery.params["RecordingUrl"],
        "status": outcome.answer.get("status"),
        "error_code": outcome.answer.get("error_code"),
    }


def _record_alerts(sandbox: Sandbox, delivery: inbound.Delivery, outcome: inbound.Outcome) -> None:
    """Keep the errors Twilio logs and count the fallback request on the number (under lock)."""
    account_sid = delivery.params.get("AccountSid", "")
    for failed in outcome.alerts:
        sandbox.state.alerts.add(
            Alert(
                sid=new_sid("NO"),
                account_sid=account_sid,
                error_code=failed.error_code or 0,
                request_url=failed.url,
                response_status=failed.status,
                resource_sid=delivery.resource_sid,
                phone_number_sid=delivery.number_sid,
            )
        )
    number = sandbox.state.numbers.get(delivery.number_sid)
    if outcome.fallback_used and number is not None:
        number.fallback_requests += 1


async def inbound_call(request: Request) -> Response:
    """POST /__sandbox/inbound/call {"from", "to"}."""
    return await _inbound(request, "call")


async def inbound_sms(request: Request) -> Response:
    """POST /__sandbox/inbound/sms {"from", "to", "body"}."""
    return await _inbound(request, "sms")


async def inbound_status(request: Request) -> Response:
    """POST /__sandbox/inbound/status {"call_sid", "status"}: a status callback."""
    return await _inbound(request, "status")


def _number_state(n: PhoneNumber) -> dict[str, Any]:
    return {
        "sid": n.sid,
        "account_sid": n.account_sid,
        "phone_number": n.phone_number,
        "iso_country": n.iso_country,
        "type": n.number_type,
        "friendly_name": n.friendly_name,
        "voice_url": n.voice_url,
        "voice_method": n.voice_method,
        "voice_application_sid": n.voice_application_sid,
        "sms_url": n.sms_url,
        "sms_method": n.sms_method,
        "sms_application_sid": n.sms_application_sid,
        "status_callback": n.status_callback,
        "status_callback_method": n.status_callback_method,
        "trunk_sid": n.trunk_sid,
        "address_sid": n.address_sid,
        "bundle_sid": n.bundle_sid,
        "voice_fallback_url": n.voice_fallback_url,
        "voice_fallback_method": n.voice_fallback_method,
        "sms_fallback_url": n.sms_fallback_url,
        "sms_fallback_method": n.sms_fallback_method,
        "fallback_requests": n.fallback_requests,
        "date_created": iso8601(n.date_created),
    }


async def get_state(request: Request) -> Response:
    """GET /__sandbox/state: everything, as JSON (never auth tokens, secrets or passwords)."""
    sandbox = _sandbox(request)
    s = sandbox.state
    with s.lock:
        body = {
            "sandbox_url": _base_url(request),
            "main_account_sid": s.main_account_sid,
            "accounts": [
                {
                    "sid": a.sid,
                    "friendly_name": a.friendly_name,
                    "owner_account_sid": a.owner_account_sid,
                    "status": a.status,
                    "date_created": iso8601(a.date_created),
                }
                for a in s.accounts.values()
            ],
            "keys": [
                {"sid": k.sid, "account_sid": k.account_sid, "friendly_name": k.friendly_name}
                for k in s.keys.values()
            ],
            "numbers": [_number_state(n) for n in s.numbers.values()],
            "addresses": [
                {
                    "sid": a.sid,
                    "account_sid": a.account_sid,
                    "iso_country": a.iso_country,
                    "customer_name": a.customer_name,
                }
                for a in s.addresses.values()
            ],
            "trunks": [
                {
                    "sid": t.sid,
                    "account_sid": t.account_sid,
                    "friendly_name": t.friendly_name,
                    "domain_name": t.domain_name,
                    "origination_urls": [o.sip_url for o in s.origination_urls.owned(t.sid)],
                    "credential_lists": [c.sid for c in s.trunk_credential_lists.owned(t.sid)],
                    "phone_numbers": [link.sid for link in s.trunk_numbers.owned(t.sid)],
                    "recording": {"mode": t.recording_mode, "trim": t.recording_trim},
                }
                for t in s.trunks.values()
            ],
            "credential_lists": [
                {
                    "sid": c.sid,
                    "account_sid": c.account_sid,
                    "friendly_name": c.friendly_name,
                    "usernames": [cr.username for cr in s.credentials.owned(c.sid)],
                }
                for c in s.credential_lists.values()
            ],
            "messages": [
                {
                    "sid": m.sid,
                    "account_sid": m.account_sid,
                    "from": m.from_,
                    "to": m.to,
                    "body": m.body,
                    "status": m.status,
                    "direction": m.direction,
                }
                for m in s.messages.values()
            ],
            "calls": [
                {
                    "sid": c.sid,
                    "account_sid": c.account_sid,
                    "from": c.from_,
                    "to": c.to,
                    "status": c.status,
                    "direction": c.direction,
                    "trunk_sid": c.trunk_sid,
                    "recordings": [
                        {"sid": r.sid, "status": r.status, "channels": r.channels}
                        for r in c.recordings
                    ],
                }
                for c in s.calls.values()
            ],
            "bundles": [
                {
                    "sid": b.sid,
                    "account_sid": b.account_sid,
                    "status": b.status,
                    "iso_country": b.iso_country,
                    "number_type": b.number_type,
                    "friendly_name": b.friendly_name,
                }
                for b in s.bundles.values()
            ],
            "alerts": [
                {
                    "sid": a.sid,
                    "account_sid": a.account_sid,
                    "error_code": a.error_code,
                    "request_url": a.request_url,
                    "response_status": a.response_status,
                    "resource_sid": a.resource_sid,
                    "phone_number_sid": a.phone_number_sid,
                    "date_created": iso8601(a.date_created),
                }
                for a in s.alerts.values()
            ],
            "fallback_requests": sum(n.fallback_requests for n in s.numbers.values()),
            "faults": [r.as_json() for r in sandbox.faults.rules],
            "providers": sandbox.providers.state_json(),
        }
    return JSONResponse(body)


async def reset(request: Request) -> Response:
    """POST /__sandbox/reset: forget all but the main account (which keeps its credentials)."""
    sandbox = _sandbox(request)
    sandbox.reset()
    return JSONResponse({"reset": True, "account_sid": sandbox.state.main_account_sid})


async def seed(request: Request) -> Response:
    """POST /__sandbox/seed {"account_sid", "count", "country"?, "type"?}: many numbers, fast."""
    try:
        data = await _json(request)
    except FaultSpecError as exc:
        return _error(400, str(exc))
    sandbox = _sandbox(request)
    state = sandbox.state
    count = data.get("count", 1)
    iso = str(data.get("country") or "US").upper()
    number_type = str(data.get("type") or "local")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_SEED:
        return _error(400, f"count must be an integer between 0 and {MAX_SEED}")
    country = inventory.CATALOGUE.get(iso)
    if country is None or number_type not in country.blocks:
        return _error(400, f"no {number_type} inventory for {iso}")
    with state.lock:
        account = state.account(
            data.get("account_sid") if isinstance(data.get("account_sid"), str) else None
        )
        if account is None:
            return _error(404, "account_sid is not a sandbox account")
        info = country.types[number_type]
        created: list[PhoneNumber] = []
        for e164, block in inventory.iter_available(country, number_type, state.number_by_e164):
            if len(created) >= count:
                break
            number = PhoneNumber(
                sid=new_sid("PN"),
                account_sid=account.sid,
                phone_number=e164,
                iso_country=block.country,
                number_type=block.number_type,
                friendly_name=inventory.friendly_name(e164),
                capabilities={
                    "voice": block.voice,
                    "sms": block.sms,
                    "mms": block.mms,
                    "fax": False,
                },
                address_requirements=info.address_requirements,
            )
            state.add_number(number)
            created.append(number)
    return JSONResponse(
        {
            "account_sid": account.sid,
            "created": len(created),
            "first": created[0].phone_number if created else None,
            "last": created[-1].phone_number if created else None,
        },
        status_code=201,
    )


async def unknown_control(request: Request) -> Response:
    """Any other /__sandbox/ path."""
    return _error(404, f"no sandbox control at {request.url.path}")


def routes() -> list[Route]:
    """The control routes, matched before the Twilio catch-all."""
    return [
        Route("/__sandbox/accounts", create_account, methods=["POST"]),
        Route("/__sandbox/faults", add_fault, methods=["POST"]),
        Route("/__sandbox/faults", list_faults, methods=["GET"]),
        Route("/__sandbox/faults", clear_faults, methods=["DELETE"]),
        Route("/__sandbox/inbound/call", inbound_call, methods=["POST"]),
        Route("/__sandbox/inbound/sms", inbound_sms, methods=["POST"]),
        Route("/__sandbox/inbound/status", inbound_status, methods=["POST"]),
        Route("/__sandbox/state", get_state, methods=["GET"]),
        Route("/__sandbox/reset", reset, methods=["POST"]),
        Route("/__sandbox/seed", seed, methods=["POST"]),
        Route("/__sandbox/{rest:path}", unknown_control, methods=["GET", "POST", "DELETE", "PUT"]),
    ]
