"""Recording shapes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class RecordingOut(BaseModel):
    """A recording of one of the tenant's calls (the media stays at Twilio, behind `url`)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    call_sid: str
    recording_sid: str
    phone_number: str | None
    number_id: uuid.UUID | None
    duration_s: int | None
    url: str | None
    status: str
    created_at: datetime
