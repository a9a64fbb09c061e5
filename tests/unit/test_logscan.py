"""The session's log scan finds a secret wherever it sits in a line (and only real ones)."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures import logscan


def test_scan_finds_secrets_inside_longer_tokens_and_with_odd_characters(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    token = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    odd = "pa ss!word#with spaces"
    log.write_text(
        "a clean line\n"
        f"url=https://AC123:{token}@api.twilio.com/x\n"
        "another clean line with AC0000 and cpk_***\n"
        f"password was {odd}.\n"
    )
    secrets = {token: "Twilio auth token", odd: "SIP password", "never-there-xyz123": "API key"}
    hits = logscan._scan([log], secrets)
    assert hits == [(log, 2, "Twilio auth token"), (log, 4, "SIP password")]


def test_short_and_synthetic_values_are_not_secrets() -> None:
    before = dict(logscan._secrets)
    logscan.register_secret("short")
    logscan.register_secret("f" * 32)
    logscan.register_secret(None)
    assert logscan._secrets == before
