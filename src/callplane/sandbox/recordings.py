"""Call recordings started by TwiML `<Start><Recording>`, and their status callbacks.

The smallest part of Twilio's Voice Recording that callplane relies on: when a call's webhook
answers `<Start><Recording recordingStatusCallback=...>`, Twilio records the call from then on,
and when the call ends (`inbound/status` with a final status) it requests the callback with the
recording's fields (`RecordingSid`, `RecordingUrl`, `RecordingStatus=completed`,
`RecordingDuration`, `RecordingChannels`, `RecordingSource=StartCallRecordingTwiML`...), signed
like every webhook. The Recordings REST resource itself (and the media) is not emulated.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime

from callplane.sandbox.inbound import Delivery
from callplane.sandbox.state import Account, Call
from callplane.sandbox.util import new_sid, now, rfc2822

FINAL_STATUSES = ("completed", "busy", "failed", "no-answer", "canceled")


@dataclass
class CallRecording:
    """A recording running on a call."""

    sid: str
    callback: str | None
    method: str
    events: tuple[str, ...]
    channels: int
    started: datetime = field(default_factory=now)
    status: str = "in-progress"


def started_by(twiml: str | None) -> list[CallRecording]:
    """The recordings a TwiML answer starts (`<Start><Recording>`); none for anything else."""
    if not twiml:
        return []
    try:
        root = ET.fromstring(twiml)
    except ET.ParseError:
        return []
    found = []
    for element in root.findall("./Start/Recording"):
        events = (element.get("recordingStatusCallbackEvent") or "completed").split()
        found.append(
            CallRecording(
                sid=new_sid("RE"),
                callback=element.get("recordingStatusCallback") or None,
                method=(element.get("recordingStatusCallbackMethod") or "POST").upper(),
                events=tuple(events),
                channels=2 if element.get("channels") == "dual" else 1,
            )
        )
    return found


def finished(call: Call, account: Account, recordings: list[CallRecording]) -> list[Delivery]:
    """The recordings of a call that just ended: completed, with the callbacks they asked for."""
    if call.status not in FINAL_STATUSES:
        return []
    deliveries = []
    for rec in recordings:
        if rec.status != "in-progress":
            continue
        rec.status = "completed"
        if not rec.callback or "completed" not in rec.events:
            continue
        duration = int(((call.end_time or now()) - rec.started).total_seconds())
        params = {
            "AccountSid": account.sid,
            "CallSid": call.sid,
            "RecordingSid": rec.sid,
            "RecordingUrl": (
                f"https://api.twilio.com/2010-04-01/Accounts/{account.sid}/Recordings/{rec.sid}"
            ),
            "RecordingStatus": "completed",
            "RecordingDuration": str(max(0, duration)),
            "RecordingChannels": str(rec.channels),
            "RecordingStartTime": rfc2822(rec.started) or "",
            "RecordingSource": "StartCallRecordingTwiML",
            "RecordingTrack": "both",
            "ErrorCode": "0",
        }
        deliveries.append(
            Delivery(
                url=rec.callback,
                method=rec.method,
                params=params,
                token=account.auth_token,
                number_sid=call.phone_number_sid,
                resource_sid=call.sid,
            )
        )
    return deliveries
