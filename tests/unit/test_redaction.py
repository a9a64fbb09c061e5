"""Secrets never reach a log line."""

from __future__ import annotations

import io
import logging

import pytest
import structlog

from callplane import log as log_module
from callplane.log import MASK, configure_logging, redact_text, register_secret


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


def test_each_of_thousands_of_registered_secrets_is_masked_wherever_it_sits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every tenant's opened token is registered: a deployment holds thousands, some sharing
    # their first characters, some inside others, some glued to other text.
    monkeypatch.setattr(log_module, "_known_secrets", set(log_module._known_secrets))
    monkeypatch.setattr(
        log_module,
        "_secrets_by_head",
        {head: set(found) for head, found in log_module._secrets_by_head.items()},
    )
    tokens = [f"{i:06d}{i * 7919 % 10**9:09d}feedface" for i in range(5000)]
    for token in tokens:
        register_secret(token)
    register_secret("sh0rt!")  # the shortest kind registered
    register_secret(f"{tokens[42]}-and-more")  # holds another
    buffer, handler = _capture()
    try:
        log = structlog.get_logger("test")
        log.info(f"glued x{tokens[4999]}y and {tokens[0]}")
        log.info(f"at the end: {tokens[2500]}")
        log.info("shortest: sh0rt!")
        log.info(f"longer one: {tokens[42]}-and-more.")
        log.info(f"shares a head only: {tokens[7][:10]} stays")
    finally:
        logging.getLogger().removeHandler(handler)
    out = buffer.getvalue()
    for secret in (tokens[4999], tokens[0], tokens[2500], "sh0rt!", "and-more"):
        assert secret not in out, secret
    assert f"glued x{MASK}y and {MASK}" in out
    assert f"longer one: {MASK}." in out
    assert f"shares a head only: {tokens[7][:10]} stays" in out
    # A secret that is the whole text, begins it or ends it.
    assert redact_text(tokens[3]) == MASK
    assert redact_text(f"{tokens[1]} starts") == f"{MASK} starts"
    assert redact_text(f"ends with {tokens[2]}") == f"ends with {MASK}"
    assert redact_text("ends with sh0rt!") == f"ends with {MASK}"
