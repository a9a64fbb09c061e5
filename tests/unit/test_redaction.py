"""Secrets never reach a log line."""

from __future__ import annotations

import io
import logging

import structlog

from callplane.log import MASK, configure_logging, register_secret


def _capture() -> tuple[io.StringIO, logging.Handler]:
    configure_logging("DEBUG")
    ours = next(h for h in logging.getLogger().handlers if getattr(h, "_callplane", False))
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(ours.formatter)
    logging.getLogger().addHandler(handler)
    return buffer, handler


def test_secret_keys_values_and_headers_are_masked() -> None:
    buffer, handler = _capture()
    try:
        log = structlog.get_logger("test")
        log.info(
            "calling twilio",
            auth_token="abcdef0123456789abcdef0123456789",
            sip_password="Sup3rSecretPassw0rd",
            headers={"Authorization": "Basic QUM6c2VjcmV0", "X-Twilio-Signature": "sig+/=="},
            api_key_secret="keysecretvalue1234",
            note="retry with Bearer cpk_abcdefghijklmnop",
        )
        logging.getLogger("uvicorn.error").warning("auth_token=plainleak123 in a foreign log")
    finally:
        logging.getLogger().removeHandler(handler)
    out = buffer.getvalue()
    for secret in (
        "abcdef0123456789abcdef0123456789",
        "Sup3rSecretPassw0rd",
        "QUM6c2VjcmV0",
        "sig+/==",
        "keysecretvalue1234",
        "cpk_abcdefghijklmnop",
        "plainleak123",
    ):
        assert secret not in out, secret
    assert MASK in out
    assert "calling twilio" in out


def test_registered_secret_is_masked_anywhere() -> None:
    buffer, handler = _capture()
    register_secret("registered-secret-xyz")
    try:
        structlog.get_logger("test").info("message mentions registered-secret-xyz inline")
        try:
            raise RuntimeError("boom registered-secret-xyz")
        except RuntimeError:
            logging.getLogger("x").exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
    out = buffer.getvalue()
    assert "registered-secret-xyz" not in out
    assert "boom" in out
