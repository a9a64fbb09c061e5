"""The stable error codes of the API, and which operations answer which.

`CODES` is the catalogue: every `code` the JSON API can answer in its error envelope
`{"error": {"code", "message", ...details}}`, with its HTTP status. A test scans the product's
source for the codes it raises and fails on one missing here (or listed here and raised
nowhere). `OPERATION_CODES` lists the codes specific to an operation (the generic ones, such as
`unauthorized` or `validation_error`, follow from the operation's parameters and roles); the
document shows each as an example of the operation's error answer.
"""

from __future__ import annotations

# code -> (HTTP status, what it means / what to do).
CODES: dict[str, tuple[int, str]] = {
    # Generic: any operation, by its shape (app.py's handlers, deps.py, the body size limit).
    "bad_request": (400, "The request is malformed."),
    "invalid_json": (400, "The body is not valid JSON."),
    "invalid_cursor": (400, "The `cursor` is not one this list gave out."),
    "unauthorized": (401, "No API key, or an unknown or revoked one."),
    "forbidden": (403, "The key's role may not do this (admin or platform key needed)."),
    "not_found": (404, "Unknown, or another tenant's: the two look the same."),
    "method_not_allowed": (405, "The path does not take this method."),
    "conflict": (409, "The request conflicts with the current state."),
    "payload_too_large": (413, "The body is over 1 MiB (`limit`)."),
    "unsupported_media_type": (415, "The body's content type is not accepted."),
    "validation_error": (422, "The request is not valid: `fields` says which and why."),
    "unprocessable": (422, "Well-formed, but not acceptable."),
    "rate_limited": (429, "Too many requests: retry later."),
    "internal_error": (500, "Something failed on callplane's side; it has been logged."),
    "provider_error": (502, "Twilio failed after retries (`twilio_code` when it answered)."),
    # Tenants, keys, plans, subscriptions.
    "slug_taken": (409, "Another tenant has this slug."),
    "tenant_offboarded": (409, "The tenant is offboarded: it cannot change any more."),
    "tenant_not_active": (409, "The tenant is suspended or offboarded."),
    "invalid_role": (422, "Platform keys have no tenant; tenant keys need one."),
    "unknown_plan": (422, "No plan of this name: create it first (PUT /v1/plans/{name})."),
    "subscription_canceled": (409, "The subscription is canceled: the tenant cannot send."),
    # Connections.
    "invalid_credentials": (422, "Twilio rejected the credentials (20003)."),
    "account_not_active": (422, "The Twilio account is suspended or closed."),
    "connection_in_use": (409, "The tenant holds numbers or a trunk in its current account."),
    "connection_closed": (409, "The tenant's Twilio account is closed."),
    "connection_pending": (409, "The tenant's Twilio account is not ready yet."),
    "platform_account_not_configured": (422, "The platform's Twilio account is not set up."),
    "no_credentials": (400, "No credentials for this account."),
    "url_not_allowed": (422, "The URL does not resolve to a public address."),
    # Numbers and compliance.
    "invalid_phone_number": (422, "Not a phone number callplane can read as E.164."),
    "invalid_country": (422, "Not an ISO 3166-1 alpha-2 country code."),
    "country_not_supported": (404, "Twilio sells no numbers in this country."),
    "area_code_not_supported": (422, "Area codes only apply to US and Canadian numbers."),
    "invalid_search": (422, "This search cannot be made (a filter does not fit the type)."),
    "phone_number_quota_exceeded": (402, "The plan's quota is used up (`used`, `quota`)."),
    "phone_number_unavailable": (409, "The number is taken or no longer offered (21422)."),
    "phone_number_owned_elsewhere": (409, "Another tenant holds this number."),
    "phone_number_in_account": (409, "The tenant's Twilio account already holds it: import it."),
    "phone_number_gone": (409, "The number is no longer in the Twilio account."),
    "confirmation_required": (409, "Deleting an imported number at Twilio needs `confirm`."),
    "phone_number_not_in_account": (404, "The tenant's Twilio account does not hold it."),
    "phone_number_not_held": (409, "The number is not held (released or failed)."),
    "phone_number_not_active": (409, "The number is not active at Twilio yet."),
    "purchase_in_progress": (409, "The purchase has not finished yet: try again shortly."),
    "purchase_not_completed": (409, "An interrupted purchase that Twilio never completed."),
    "idempotency_key_reused": (422, "This Idempotency-Key was used for another request."),
    "bundle_required": (422, "The number needs an approved regulatory bundle (21649)."),
    "address_required": (422, "The number needs a registered address (21631)."),
    "invalid_bundle": (422, "The bundle SID is not one of the Twilio account's."),
    "invalid_address": (422, "The address SID is not one of the Twilio account's."),
    "invalid_emergency_address": (422, "The emergency address SID is not the account's."),
    "twilio_resource_not_found": (404, "Twilio does not know this resource (20404)."),
    # Trunks.
    "invalid_origination_uri": (422, "The origination SIP URI is not valid."),
    "trunk_in_other_account": (409, "The trunk lives in another Twilio account."),
    "trunk_missing_at_twilio": (409, "Twilio no longer has the trunk: PUT it again."),
    "account_mismatch": (409, "The number and the trunk are in different Twilio accounts."),
    # Voice-AI providers.
    "invalid_provider_credentials": (422, "The provider refused the key: nothing was stored."),
    "unknown_provider_agent": (422, "The provider does not know this agent id."),
    "invalid_provider_agent": (422, "The provider refused the agent id as malformed."),
    "provider_not_connected": (409, "The tenant has no credentials at this provider."),
    "provider_refused": (422, "The provider refused the request (its message is included)."),
    "provider_unavailable": (502, "The provider did not answer: nothing changed, try again."),
    "provider_in_use": (409, "Numbers are registered at this provider."),
    "phone_number_not_on_provider": (409, "The number's agent is not at a voice-AI provider."),
    "phone_number_on_provider_trunk": (409, "The number is on its provider's trunk."),
    "trunk_in_use_by_providers": (409, "Provider registrations use this trunk's credentials."),
    "sip_password_unreadable": (409, "The SIP password cannot be read: rotate it."),
    # Messaging.
    "from_number_not_found": (404, "`from` is not one of the tenant's numbers."),
    "from_required": (422, "No `from`, no default sender and no pool to send from."),
    "invalid_default_sms_from": (422, "The default sender is not an active SMS number here."),
    "from_number_not_active": (422, "`from` is not active."),
    "agent_incomplete": (422, "The agent has no way to take the call."),
    "number_in_other_account": (409, "`from` is in another Twilio account than the tenant's."),
    "twilio_rejected": (422, "Twilio refused the message or call."),
    "invalid_to_number": (422, "`to` is not a valid phone number (21211)."),
    "invalid_from_number": (422, "`from` is not a valid caller ID (21212)."),
    "from_number_not_sms_capable": (422, "`from` cannot send SMS there (21606)."),
    "recipient_unsubscribed": (422, "The recipient replied STOP (21610)."),
    "to_number_not_mobile": (422, "`to` cannot receive SMS (21614)."),
    "send_outcome_unknown": (
        502,
        "Twilio failed after it may have sent, and the send is not found there (not repeated).",
    ),
    # Billing (the Stripe webhook).
    "billing_not_configured": (404, "CALLPLANE_STRIPE_WEBHOOK_SECRET is not set."),
    "invalid_signature": (400, "The Stripe-Signature header does not sign this body."),
    "invalid_payload": (400, "The body is not a Stripe event."),
}

_NUMBER_WRITE = ("tenant_not_active", "connection_pending", "connection_closed", "provider_error")
_SEND = (
    "from_number_not_found",
    "from_number_not_active",
    "number_in_other_account",
    "tenant_not_active",
    "subscription_canceled",
    "invalid_phone_number",
    "twilio_rejected",
    "invalid_to_number",
    "invalid_from_number",
    "idempotency_key_reused",
    "provider_error",
    "send_outcome_unknown",
)
_COMPLIANCE_PUT: tuple[str, ...] = (
    "invalid_country",
    "invalid_bundle",
    "invalid_address",
    "invalid_emergency_address",
    "provider_error",
)

# operation id -> the codes particular to it (the generic ones are added by shape).
_PROVIDER_AGENT = (
    "unknown_provider_agent",
    "invalid_provider_agent",
    "provider_not_connected",
    "provider_refused",
    "provider_unavailable",
)

OPERATION_CODES: dict[str, tuple[str, ...]] = {
    "tenants_create": ("slug_taken",),
    "tenants_update": ("tenant_offboarded", "invalid_default_sms_from"),
    "tenants_offboard": ("provider_error",),
    "api_keys_create": ("invalid_role",),
    "subscription_put": ("unknown_plan", "provider_error"),
    "connection_put": (
        "invalid_credentials",
        "account_not_active",
        "connection_in_use",
        "connection_closed",
        "platform_account_not_configured",
        "provider_error",
    ),
    "connection_check_health": ("provider_error",),
    "agents_create": ("invalid_phone_number", "url_not_allowed", *_PROVIDER_AGENT),
    "agents_update": ("invalid_phone_number", "url_not_allowed", *_PROVIDER_AGENT),
    "providers_put": (
        "invalid_provider_credentials",
        "provider_refused",
        "provider_unavailable",
        "url_not_allowed",
    ),
    "webhook_endpoints_create": ("url_not_allowed",),
    "webhook_endpoints_update": ("url_not_allowed",),
    "providers_check": ("invalid_provider_credentials", "provider_refused", "provider_unavailable"),
    "providers_delete": ("provider_in_use",),
    "phone_numbers_sync_provider": ("phone_number_not_on_provider", "sip_password_unreadable"),
    "phone_numbers_search": (
        "invalid_country",
        "area_code_not_supported",
        "invalid_search",
        "country_not_supported",
        "connection_pending",
        "provider_error",
    ),
    "phone_numbers_get_pricing": ("invalid_country", "country_not_supported", "provider_error"),
    "phone_numbers_buy": (
        "phone_number_quota_exceeded",
        "phone_number_unavailable",
        "phone_number_owned_elsewhere",
        "phone_number_in_account",
        "invalid_phone_number",
        "bundle_required",
        "address_required",
        "idempotency_key_reused",
        "purchase_not_completed",
        *_NUMBER_WRITE,
    ),
    "phone_numbers_import": (
        "phone_number_quota_exceeded",
        "phone_number_owned_elsewhere",
        "phone_number_not_in_account",
        "invalid_phone_number",
        *_NUMBER_WRITE,
    ),
    # Per number, the codes of phone_numbers_import are in each item of the answer.
    "phone_numbers_import_batch": _NUMBER_WRITE,
    "phone_numbers_update": (
        "phone_number_not_held",
        "phone_number_not_active",
        "phone_number_gone",
        "provider_error",
    ),
    "phone_numbers_release": ("purchase_in_progress", "confirmation_required", "provider_error"),
    "platform_compliance_put": _COMPLIANCE_PUT,
    "compliance_put": _COMPLIANCE_PUT,
    "trunk_put": (
        "invalid_origination_uri",
        "tenant_offboarded",
        "trunk_in_other_account",
        "connection_pending",
        "connection_closed",
        "provider_error",
    ),
    "trunk_delete": ("trunk_in_use_by_providers", "provider_error"),
    "trunk_credentials_rotate": (
        "trunk_in_other_account",
        "trunk_missing_at_twilio",
        "provider_error",
    ),
    "trunk_numbers_attach": (
        "phone_number_not_active",
        "account_mismatch",
        "phone_number_on_provider_trunk",
        "provider_error",
    ),
    "trunk_numbers_detach": ("phone_number_on_provider_trunk", "provider_error"),
    "messages_send": (
        *_SEND,
        "from_required",
        "from_number_not_sms_capable",
        "recipient_unsubscribed",
        "to_number_not_mobile",
    ),
    "calls_start": (*_SEND, "agent_incomplete"),
    "billing_receive_stripe_event": (
        "billing_not_configured",
        "invalid_signature",
        "invalid_payload",
        "unknown_plan",
    ),
}
