"""Keeping a recording from Twilio's recording status callback (the gateway's own connection,
platform scope: the callback comes before any tenant is known)."""

from __future__ import annotations

import uuid
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Connection as SyncConnection
from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite

from callplane.db.base import utcnow
from callplane.gateway.store import GatewayStore
from callplane.gateway.twilio_signature import FormParams
from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.recordings.models import Recording

log = get_logger(__name__)
RECORDINGS = cast(Table, Recording.__table__)
SID_LENGTH = 34


def clean_url(raw: str | None) -> str | None:
    """Twilio's RecordingUrl without any `user:password@` (never credentials in a URL kept)."""
    if not raw:
        return None
    parts = urlsplit(raw)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))[:2048]


def _duration(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


async def keep(
    store: GatewayStore,
    fields: FormParams,
    *,
    account_sid: str,
    tenant_id: uuid.UUID,
    number_id: uuid.UUID | None,
) -> bool:
    """Insert (or bring up to date) the recording a callback reports; False when it could not
    be written (the callback is then answered 503 and Twilio sends it again)."""
    sid = fields.get("RecordingSid") or ""
    if not sid or len(sid) > SID_LENGTH:
        return True  # nothing to keep: the event alone records the callback
    now = utcnow()
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "tenant_id": tenant_id,
        "account_sid": account_sid,
        "call_sid": (fields.get("CallSid") or "")[:SID_LENGTH],
        "recording_sid": sid,
        "number_id": number_id,
        "phone_number": (
            select(PhoneNumber.e164).where(PhoneNumber.id == number_id).scalar_subquery()
            if number_id is not None
            else None
        ),
        "duration_s": _duration(fields.get("RecordingDuration")),
        "url": clean_url(fields.get("RecordingUrl")),
        "status": (fields.get("RecordingStatus") or "")[:16],
        "created_at": now,
        "updated_at": now,
    }
    changing = ("duration_s", "url", "status", "updated_at")

    def write(conn: SyncConnection) -> None:
        insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(RECORDINGS)
        stmt = insert.values(**values)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["recording_sid"],
                set_={c: stmt.excluded[c] for c in changing},
            )
        )

    try:
        await store.write(write, single_statement=True)
    except Exception as exc:  # noqa: BLE001 - answered 503: Twilio retries the callback
        log.error("recording not kept", recording_sid=sid, error=type(exc).__name__)
        return False
    return True
