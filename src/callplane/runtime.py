"""Process-wide runtime: settings, database, secrets and the Twilio factory, built once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from callplane.db.engine import create_engine, create_session_factory
from callplane.db.rls import PLATFORM_SCOPE, DbScope
from callplane.db.uow import UnitOfWork
from callplane.log import register_secrets
from callplane.security.secrets import SecretBox, load_key_ring
from callplane.settings import Settings
from callplane.twilio.factory import TwilioFactory


@dataclass
class Runtime:
    """Everything a service needs besides its arguments."""

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    secrets: SecretBox
    twilio: TwilioFactory

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        """Build the runtime for these settings (no I/O besides reading the key file)."""
        register_secrets(
            [
                settings.twilio_auth_token.get_secret_value()
                if settings.twilio_auth_token
                else None,
                settings.twilio_previous_auth_token.get_secret_value()
                if settings.twilio_previous_auth_token
                else None,
                settings.bootstrap_platform_key.get_secret_value()
                if settings.bootstrap_platform_key
                else None,
                settings.stripe_webhook_secret.get_secret_value()
                if settings.stripe_webhook_secret
                else None,
            ]
        )
        ring = load_key_ring(
            settings.encryption_keys.get_secret_value() if settings.encryption_keys else None
        )
        engine = create_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=create_session_factory(engine),
            secrets=SecretBox(ring),
            twilio=TwilioFactory(settings),
        )

    def uow(self, db_scope: DbScope = PLATFORM_SCOPE) -> UnitOfWork:
        """A new unit of work; platform scope (every tenant) unless told otherwise: requests
        start with `NO_SCOPE` and narrow it once they know the caller (deps.py)."""
        return UnitOfWork(self.session_factory, self, db_scope)

    async def close(self) -> None:
        """Release database connections."""
        await self.engine.dispose()

    async def __aenter__(self) -> Self:
        # `async with Runtime.create(settings) as rt:` closes it after (the CLI's commands).
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()
