"""Recording shapes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from callplane.recordings.models import Recording


class RecordingOut(BaseModel):
    """A recording of one of the tenant's calls (the media stays at Twilio, behind `url`)."""

    id: uuid.UUID
    call_sid: str
    recording_sid: str
    phone_number: str | None
    number_id: uuid.UUID | None
    duration_s: int | None
    url: str | None
    status: str
    created_at: datetime

    @classmethod
    def from_model(cls, row: Recording) -> RecordingOut:
        """The public view of a recording."""
        return cls(
            id=row.id,
            call_sid=row.call_sid,
            recording_sid=row.recording_sid,
            phone_number=row.phone_number,
            number_id=row.number_id,
            duration_s=row.duration_s,
            url=row.url,
            status=row.status,
            created_at=row.created_at,
        )
