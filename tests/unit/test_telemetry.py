"""FastAPI's OpenTelemetry support is decided once, when the app is made."""

from __future__ import annotations

import pytest

from callplane import app as app_module


def test_without_a_provider_requests_do_not_ask_for_one() -> None:
    app = app_module.create_app()
    assert app_module._telemetry() == {"tracing": False, "metrics": False, "logs": False}
    assert not app._native_telemetry.enabled()


def test_fastapis_auto_configuration_keeps_its_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTAPI_OTEL_AUTO_CONFIGURE", "true")
    assert app_module._telemetry() is None
    app = app_module.create_app()
    assert app._native_telemetry.config["tracing"] is True
