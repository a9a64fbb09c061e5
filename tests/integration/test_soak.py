"""The soak in its short form (`python -m bench.soak` runs it for longer; docs/benchmarks.md).

The service and the sandbox as processes of their own on PostgreSQL (an ordinary role, so
row-level security applies), webhooks and API calls together for ~25 s while the sandbox fails
10% of callplane's Twilio calls: no webhook Twilio delivered is lost (every one answered 200 is
recorded, once), every outbox row reaches the tenant app with a valid signature (or is
given up because its agent was deleted first), nothing
answers 500 and nothing unhandled is logged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.logscan import register_key_spec, register_log_file, register_secret
from tests.fixtures.soak import SoakConfig, run

pytestmark = pytest.mark.slow


def test_short_soak_loses_nothing_and_never_answers_500(
    postgres_admin_url: str, tmp_path: Path
) -> None:
    config = SoakConfig(
        minutes=25 / 60, postgres_url=postgres_admin_url, workdir=tmp_path, warmup=5
    )
    for secret in (config.platform_key, config.sandbox_token):
        register_secret(secret, "soak credential")
    register_key_spec(config.encryption_keys)
    register_log_file(tmp_path / "service.log")
    register_log_file(tmp_path / "sandbox.log")
    report = run(config)
    for secret in report.secrets:  # tenant keys, byo tokens, events signing secrets
        register_secret(secret, "soak secret")
    print(report.text())
    assert report.events_sent > 200 and sum(report.api.values()) > 100, report.text()
    assert report.lost_events == 0 and report.events_duplicated == 0, report.text()
    assert report.outbox_rows > 0 and report.lost_deliveries == 0, report.text()
    assert report.outbox_pending == 0 and report.app_bad_signatures == 0, report.text()
    assert report.app_received == report.outbox_delivered, report.text()
    assert report.server_errors == 0 and report.webhook_failures == 0, report.text()
    assert report.unhandled_logged == 0 and report.not_recorded_logged == 0, report.text()
    assert report.twilio_faults > 0, "the sandbox injected no fault"
    assert report.ok
