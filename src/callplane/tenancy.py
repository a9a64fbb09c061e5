"""Who is asking, and on behalf of which tenant."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass


class Role(str, enum.Enum):
    """API key roles: platform reaches every tenant; admin writes its tenant; member reads."""

    platform = "platform"
    admin = "admin"
    member = "member"


@dataclass(frozen=True)
class Actor:
    """The authenticated caller."""

    role: Role
    tenant_id: uuid.UUID | None = None
    key_id: uuid.UUID | None = None
    label: str | None = None

    @property
    def is_platform(self) -> bool:
        """True for platform keys and internal jobs."""
        return self.role is Role.platform

    @property
    def can_write(self) -> bool:
        """True when the caller may change its tenant's resources."""
        return self.role in (Role.platform, Role.admin)

    @property
    def audit_name(self) -> str:
        """How the audit log names the caller."""
        if self.key_id is not None:
            return f"key:{self.key_id}"
        return self.label or "system"


SYSTEM = Actor(role=Role.platform, label="system")


@dataclass(frozen=True)
class TenantScope:
    """The tenant every query and write of a request is confined to."""

    tenant_id: uuid.UUID
    actor: Actor
