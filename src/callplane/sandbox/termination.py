"""Elastic SIP trunk termination: the checks Twilio makes when a provider places a call.

A provider sends the INVITE to the trunk's termination URI (`<domain>.pstn.twilio.com`, or a
localized `<domain>.pstn.<edge>.twilio.com`) and answers Twilio's digest challenge with the SIP
username and password it stores. Twilio finds the trunk by its domain name, requires a credential
list on it holding that username with that password, and takes the call only from a caller ID
the trunk's account holds on that trunk. What it answers is a SIP status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from callplane.sandbox import inventory
from callplane.sandbox.messaging import set_call_status
from callplane.sandbox.providers.common import uri_host
from callplane.sandbox.state import Call, SandboxState, Trunk
from callplane.sandbox.util import new_sid

TERMINATION_HOST = re.compile(
    r"^(?P<name>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)"
    r"\.pstn(?:\.[a-z0-9-]+)?\.twilio\.com$"
)


@dataclass
class TerminationResult:
    """The final SIP answer to the INVITE (200 when the call goes through)."""

    sip_status: int
    detail: str
    trunk_sid: str | None = None
    call_sid: str | None = None

    def as_json(self) -> dict[str, Any]:
        """`{"status": "ok" | "failed", "sip_status", "detail"}` (+ trunk and call SIDs)."""
        body: dict[str, Any] = {
            "status": "ok" if self.sip_status == 200 else "failed",
            "sip_status": self.sip_status,
            "detail": self.detail,
        }
        if self.trunk_sid is not None:
            body["trunk_sid"] = self.trunk_sid
        if self.call_sid is not None:
            body["call_sid"] = self.call_sid
        return body


def termination_domain(uri: str) -> str | None:
    """The trunk domain name a termination URI reaches (localized edges included), if any."""
    match = TERMINATION_HOST.match(uri_host(uri))
    return f"{match.group('name')}.pstn.twilio.com" if match else None


def _authenticate(
    state: SandboxState, trunk: Trunk, username: str | None, password: str | None
) -> TerminationResult | None:
    """None when the digest credentials are in one of the trunk's credential lists."""
    lists = [assoc.sid for assoc in state.trunk_credential_lists.owned(trunk.sid)]
    if not lists:
        return TerminationResult(
            403,
            f"trunk {trunk.sid} has no credential list: termination refuses the call",
            trunk.sid,
        )
    if not username or password is None:
        return TerminationResult(
            401, "the caller answered no digest challenge (no SIP credentials)", trunk.sid
        )
    matches = [
        cred
        for cl_sid in lists
        for cred in state.credentials.owned(cl_sid)
        if cred.username == username
    ]
    if not matches:
        return TerminationResult(
            403, f"no credential list of trunk {trunk.sid} holds username {username!r}", trunk.sid
        )
    if not any(cred.password == password for cred in matches):
        return TerminationResult(
            403, f"wrong password for SIP username {username!r} on trunk {trunk.sid}", trunk.sid
        )
    return None


def terminate(
    state: SandboxState,
    *,
    uri: str,
    username: str | None,
    password: str | None,
    caller: str,
    callee: str,
) -> TerminationResult:
    """Place an outbound call through a trunk's termination (under the state lock)."""
    domain = termination_domain(uri)
    if domain is None:
        return TerminationResult(
            404, f"{uri!r} is not an Elastic SIP trunk termination URI (<domain>.pstn.twilio.com)"
        )
    trunk = state.trunks.get(state.trunk_domains.get(domain))
    if trunk is None:
        return TerminationResult(404, f"no trunk has the domain name {domain}")
    account = state.account(trunk.account_sid)
    if account is None or not state.is_usable(account):
        return TerminationResult(403, f"the account of trunk {trunk.sid} is not active", trunk.sid)
    refused = _authenticate(state, trunk, username, password)
    if refused is not None:
        return refused
    number = state.number_by_e164.get(inventory.normalize(caller) or caller)
    if number is None or number.account_sid != trunk.account_sid or number.trunk_sid != trunk.sid:
        return TerminationResult(
            403, f"caller ID {caller} is not a number of trunk {trunk.sid}", trunk.sid
        )
    to = inventory.normalize(callee)
    if to is None:
        return TerminationResult(484, f"{callee!r} is not a dialable number", trunk.sid)
    call = Call(
        sid=new_sid("CA"),
        account_sid=trunk.account_sid,
        from_=number.phone_number,
        to=to,
        direction="trunking-terminating",
        status="ringing",
        phone_number_sid=number.sid,
        trunk_sid=trunk.sid,
    )
    state.calls.add(call)
    set_call_status(call, "in-progress")
    return TerminationResult(200, f"call placed through trunk {trunk.sid}", trunk.sid, call.sid)
