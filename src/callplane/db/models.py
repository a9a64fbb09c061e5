"""Imports every model so that the metadata (and Alembic) sees every table."""

from callplane.connections.models import Connection
from callplane.db.audit import AuditLog
from callplane.db.base import Base
from callplane.tenants.models import ApiKey, Plan, Subscription, Tenant

__all__ = ["ApiKey", "AuditLog", "Base", "Connection", "Plan", "Subscription", "Tenant"]
