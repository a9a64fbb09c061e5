"""Audit log: one row for every write, in the same transaction as the write."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from callplane.db.base import Base, IdMixin, utcnow
from callplane.db.uow import UnitOfWork
from callplane.log import redact_value
from callplane.tenancy import Actor


class AuditLog(IdMixin, Base):
    """Who did what to which resource, when."""

    __tablename__ = "audit_log"

    actor: Mapped[str] = mapped_column(String(80))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(index=True, default=None)
    action: Mapped[str] = mapped_column(String(80))
    target: Mapped[str | None] = mapped_column(String(200), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


def record_audit(
    *,
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    tenant_id: uuid.UUID | None = None,
    target: object | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the current transaction (secrets in `detail` are masked)."""
    uow.add(
        AuditLog(
            actor=actor.audit_name,
            tenant_id=tenant_id,
            action=action,
            target=str(target) if target is not None else None,
            detail=redact_value(detail) if detail else None,
        )
    )
