"""Provider pieces without I/O: trunk names, retry delays, fingerprints, error messages."""

from __future__ import annotations

import uuid

from callplane.providers.adapters import Credentials, Push
from callplane.providers.adapters.base import kind_of_status, message_of
from callplane.providers.sync import retry_delay
from callplane.settings import Settings
from callplane.trunks import naming

TENANT = uuid.UUID("6f1c2b4a-0d9e-4c1f-8a7b-3e2d1c0b9a88")


def test_provider_trunk_names_carry_the_tenant_and_the_provider() -> None:
    names = naming.new_provider_trunk_names("cp", TENANT, "retell", suffix="abc123")
    tag = naming.tenant_tag(TENANT)
    assert names.friendly_name == f"cp_{tag}_retell_abc123"
    assert names.domain_name == f"cp-{tag}-retell-abc123.pstn.twilio.com"
    own = naming.new_trunk_names("cp", TENANT, suffix="abc123")
    assert own.friendly_name == f"cp_{tag}_abc123"
    assert naming.provider_of_name(names.friendly_name, "cp", TENANT) == "retell"
    assert naming.provider_of_name(own.friendly_name, "cp", TENANT) is None
    assert naming.provider_of_name(names.friendly_name, "cp", uuid.uuid4()) is None
    assert not naming.is_legacy_name(names.friendly_name, "cp")


def test_retries_double_up_to_the_cap_then_stop() -> None:
    s = Settings(
        provider_sync_retry_seconds=5,
        provider_sync_retry_max_seconds=30,
        provider_sync_attempts=6,
    )
    assert [retry_delay(s, n) for n in range(1, 7)] == [5, 10, 20, 30, 30, None]


def test_a_fingerprint_changes_with_what_is_pushed_and_nothing_shows_the_secrets() -> None:
    push = Push("+14155550100", "agent_1", "cp-x.pstn.twilio.com", "user", "Pw-1" * 8, "label")
    same = Push("+14155550100", "agent_1", "cp-x.pstn.twilio.com", "user", "Pw-1" * 8, "other")
    rotated = Push("+14155550100", "agent_1", "cp-x.pstn.twilio.com", "user", "Pw-2" * 8, "label")
    assert push.fingerprint("retell") == same.fingerprint("retell")
    assert push.fingerprint("retell") != rotated.fingerprint("retell")
    assert push.fingerprint("retell") != push.fingerprint("vapi")
    assert push.fingerprint("vapi", "cred-1") != push.fingerprint("vapi", "cred-2")
    assert "Pw-1" not in repr(push) and "Pw-1" not in push.fingerprint("retell")
    creds = Credentials(name="livekit", api_key="APIkey123456", api_secret="s3cr3t-" * 6)
    assert "APIkey123456" not in repr(creds) and "s3cr3t" not in repr(creds)


def test_provider_errors_are_read_whatever_their_shape() -> None:
    assert message_of({"status": "error", "message": "Not found"}, "x") == "Not found"
    assert message_of({"detail": {"status": "x", "message": "No agent"}}, "x") == "No agent"
    assert message_of({"detail": [{"msg": "a"}, {"msg": "b"}]}, "x") == "a; b"
    assert message_of({"message": ["one", "two"], "statusCode": 400}, "x") == "one; two"
    assert message_of({"code": "not_found", "msg": "gone"}, "x") == "gone"
    assert message_of(None, "fallback") == "fallback"
    assert [kind_of_status(s) for s in (401, 403, 404, 409, 400, 422, 429, 503)] == [
        "auth",
        "auth",
        "not_found",
        "conflict",
        "invalid",
        "invalid",
        "unavailable",
        "unavailable",
    ]
