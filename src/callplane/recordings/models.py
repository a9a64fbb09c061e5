"""Call recordings, as Twilio's recording status callbacks report them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from callplane.db.base import Base, CreatedMixin, IdMixin


class Recording(IdMixin, CreatedMixin, Base):
    """One recording of a tenant's call (one row per Twilio RecordingSid)."""

    __tablename__ = "recordings"
    __resource_name__ = "recording"
    __table_args__ = (Index("ix_recordings_tenant_created", "tenant_id", "created_at"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_sid: Mapped[str] = mapped_column(String(34))
    call_sid: Mapped[str] = mapped_column(String(34), index=True)
    recording_sid: Mapped[str] = mapped_column(String(34), unique=True)
    number_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("phone_numbers.id", ondelete="SET NULL"), default=None
    )
    phone_number: Mapped[str | None] = mapped_column(String(20), default=None)
    duration_s: Mapped[int | None] = mapped_column(Integer, default=None)
    # Twilio's RecordingUrl (the media is fetched from it with the account's credentials; the
    # URL itself never carries them).
    url: Mapped[str | None] = mapped_column(String(2048), default=None)
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime | None] = mapped_column(default=None)
