"""Request examples, one per operation that takes a body (a test checks each against its schema).

A feature may instead put examples on its own request model (`json_schema_extra`); these fill
in where it does not.
"""

from __future__ import annotations

from typing import Any

_AGENT_ID = "0f9a4c52-6d1e-4f64-9b7a-3c2d1e0f9a4c"

REQUEST_EXAMPLES: dict[str, Any] = {
    "webhook_endpoints_create": {
        "url": "https://app.acme.example/callplane/events",
        "events": ["call.*", "message.received", "number.*"],
        "enabled": True,
    },
    "webhook_endpoints_update": {"events": ["*"], "enabled": True},
    "tenants_create": {"slug": "acme", "name": "Acme Corp"},
    "tenants_update": {"name": "Acme Corporation", "status": "suspended"},
    "api_keys_create": {"role": "admin", "name": "backend"},
    "plans_put": {"quota_phone_numbers": 10},
    "subscription_put": {
        "plan": "starter",
        "status": "active",
        "cancel_at_period_end": False,
        "canceled_at": None,
    },
    "connection_put": {
        "model": "byo",
        "account_sid": "AC0123456789abcdef0123456789abcdef",
        "auth_token": "your_auth_token_from_twilio",
    },
    "agents_create": {
        "name": "Front desk",
        "voice": {"mode": "stream", "stream_url": "wss://ai.example.com/stream"},
        "sms": {"mode": "reply", "reply": "Thanks, we will call you back."},
        "events_url": "https://app.example.com/callplane/events",
    },
    "agents_update": {"name": "Front desk (after hours)", "rotate_events_secret": True},
    "phone_numbers_buy": {"phone_number": "+15005550006", "agent_id": _AGENT_ID},
    "phone_numbers_import": {
        "phone_number": "+14155550100",
        "manage": {"voice": True, "sms": False},
        "label": "Main line",
    },
    "phone_numbers_import_batch": {
        "phone_numbers": ["+14155550100", "+14155550101"],
        "manage_webhooks": True,
    },
    "phone_numbers_update": {"agent_id": _AGENT_ID, "manage": {"sms": False}, "label": "Main line"},
    "phone_numbers_release": {"confirm": "+14155550100"},
    "providers_put": {"api_key": "key_from_the_providers_dashboard"},
    "platform_compliance_put": {
        "bundle_sid": "BU0123456789abcdef0123456789abcdef",
        "address_sid": "AD0123456789abcdef0123456789abcdef",
    },
    "compliance_put": {"bundle_sid": "BU0123456789abcdef0123456789abcdef"},
    "trunk_put": {"origination_sip_uri": "sip:agents@sip.example.com"},
    "messages_send": {"from": "+15005550006", "to": "+14155550100", "body": "Your table is ready"},
    "calls_start": {"from": "+15005550006", "to": "+14155550100", "agent_id": _AGENT_ID},
    "reconcile_start": {"dry_run": True, "wait": False},
    "billing_receive_stripe_event": {
        "id": "evt_1PQr2sLkdIwHu7ix",
        "object": "event",
        "type": "customer.subscription.updated",
        "data": {
            "object": {
                "id": "sub_1PQr2sLkdIwHu7ix",
                "object": "subscription",
                "status": "active",
                "cancel_at_period_end": False,
                "metadata": {"tenant_slug": "acme", "plan": "starter"},
            }
        },
    },
}
