"""Imports every model so that the metadata (and Alembic) sees every table."""

from callplane.agents.models import Agent
from callplane.billing.models import StripeEvent
from callplane.connections.models import Connection
from callplane.db.audit import AuditLog
from callplane.db.base import Base
from callplane.events.models import TenantEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from callplane.gateway.models import Event, OutboxMessage
from callplane.jobs.models import JobRun
from callplane.numbers.models import ClonedBundle, ComplianceProfile, PhoneNumber
from callplane.providers.models import ProviderAccount, ProviderRegistration
from callplane.recordings.models import Recording
from callplane.tenants.models import ApiKey, Plan, Subscription, Tenant
from callplane.trunks.models import Trunk

__all__ = [
    "Agent",
    "ApiKey",
    "AuditLog",
    "Base",
    "ClonedBundle",
    "ComplianceProfile",
    "Connection",
    "Event",
    "JobRun",
    "OutboxMessage",
    "PhoneNumber",
    "Plan",
    "ProviderAccount",
    "ProviderRegistration",
    "Recording",
    "StripeEvent",
    "Subscription",
    "Tenant",
    "TenantEvent",
    "Trunk",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
