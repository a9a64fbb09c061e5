"""The naive handlers' tables, database access and TwiML (the recipe's shared parts)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, Integer, String, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Connect, VoiceResponse

VOICE_PATH = "/webhooks/twilio/voice"


class Base(DeclarativeBase):
    """The naive app's own schema."""


class Number(Base):
    """A tenant's number and where its calls go (the token kept as the seed apps kept it)."""

    __tablename__ = "naive_numbers"

    e164: Mapped[str] = mapped_column(String(20), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34))
    auth_token: Mapped[str] = mapped_column(String(64))
    tenant_id: Mapped[str] = mapped_column(String(36))
    agent_id: Mapped[str] = mapped_column(String(36))
    stream_url: Mapped[str] = mapped_column(String(2048))


class CallEvent(Base):
    """One inbound call, as the recording handler writes it."""

    __tablename__ = "naive_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_sid: Mapped[str] = mapped_column(String(34))
    account_sid: Mapped[str] = mapped_column(String(34))
    to: Mapped[str] = mapped_column(String(20))
    from_: Mapped[str] = mapped_column("from", String(20))
    status: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def settings() -> tuple[str, str]:
    """(database URL, public base URL) from the environment."""
    return os.environ["NAIVE_DATABASE_URL"], os.environ["NAIVE_PUBLIC_BASE_URL"].rstrip("/")


def sync_engine(url: str) -> Engine:
    """A blocking engine (stdlib sqlite3 or psycopg) for the URL, with SQLAlchemy's defaults."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        parsed = parsed.set(drivername="sqlite")
    return create_engine(parsed)


def async_engine(url: str) -> AsyncEngine:
    """An asyncio engine (aiosqlite or psycopg) for the URL, with SQLAlchemy's defaults."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return create_async_engine(parsed)


def create_tables(url: str) -> None:
    """Make the naive tables (idempotent)."""
    engine = sync_engine(url)
    try:
        Base.metadata.create_all(engine)
    finally:
        engine.dispose()


def signed(number: Number, url: str, form: dict[str, str], signature: str) -> bool:
    """Twilio's signature check with the SDK, a validator made per request."""
    return bool(RequestValidator(number.auth_token).validate(url, form, signature))


def answers_for(number: Number, form: dict[str, str]) -> bool:
    """Whether the number found is held in the account that calls."""
    return number.account_sid == form.get("AccountSid")


def twiml(number: Number) -> str:
    """The call's answer: a media stream to the tenant's agent, built with the SDK."""
    response = VoiceResponse()
    connect = Connect()
    stream = connect.stream(url=number.stream_url)
    stream.parameter(name="tenant_id", value=number.tenant_id)
    stream.parameter(name="agent_id", value=number.agent_id)
    stream.parameter(name="number", value=number.e164)
    response.append(connect)
    return str(response)


def not_in_service() -> str:
    """The answer for a number nobody holds."""
    response = VoiceResponse()
    response.say("The number you have called is not in service.")
    response.hangup()
    return str(response)


def event(form: dict[str, str]) -> CallEvent:
    """The row the recording handler writes for a call."""
    return CallEvent(
        call_sid=form.get("CallSid", ""),
        account_sid=form.get("AccountSid", ""),
        to=form.get("To", ""),
        from_=form.get("From", ""),
        status=form.get("CallStatus", ""),
        payload=form,
        created_at=datetime.now(UTC),
    )


def number_row(
    e164: str,
    account_sid: str,
    auth_token: str,
    tenant_id: uuid.UUID,
    agent_id: uuid.UUID,
    stream_url: str,
) -> dict[str, str]:
    """A `naive_numbers` row for seeding."""
    return {
        "e164": e164,
        "account_sid": account_sid,
        "auth_token": auth_token,
        "tenant_id": str(tenant_id),
        "agent_id": str(agent_id),
        "stream_url": stream_url,
    }
