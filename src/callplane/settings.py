"""Service settings, read from the environment (prefix CALLPLANE_)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of DESIGN section 4; defaults give the embedded SQLite + sandbox setup."""

    model_config = SettingsConfigDict(env_prefix="CALLPLANE_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./callplane.db"
    public_base_url: str = "http://127.0.0.1:8000"
    encryption_keys: SecretStr | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_base_url: str | None = None
    bootstrap_platform_key: SecretStr | None = None
    origination_sip_uri: str | None = None
    trunk_prefix: str = "cp"
    reconcile_cron: str = "15 3 * * *"
    twilio_concurrency: int = Field(default=8, ge=1, le=256)
    stripe_webhook_secret: SecretStr | None = None
    # Jobs (DESIGN section 8): whether this process runs the job engine (schedules and workers),
    # the hourly credential health slot, how often live replicas look for jobs of dead ones, and
    # how long a purchase may stay pending before reconciliation fails it.
    jobs_enabled: bool = True
    health_cron: str = "0 * * * *"
    jobs_recovery_cron: str = "* * * * *"
    pending_timeout_seconds: int = Field(default=900, ge=0)
    # Grace period during which a rotated Twilio auth token still verifies webhooks.
    token_rotation_grace_seconds: int = 24 * 3600
    # The platform account's token before its rotation: it still verifies webhooks (never REST
    # calls) until CALLPLANE_TWILIO_PREVIOUS_AUTH_TOKEN_UNTIL (ISO 8601, with an offset), or for
    # as long as it is set when that is not given.
    twilio_previous_auth_token: SecretStr | None = None
    twilio_previous_auth_token_until: datetime | None = None
    # Tenant URLs (events, routing hooks, SMS webhooks) must resolve to public addresses;
    # true allows loopback and private ones, for local development and the sandbox.
    allow_private_urls: bool = False
    # Webhook endpoints (docs/events.md): an endpoint failing for this long is disabled; after a
    # secret rotation the previous secret also signs for this long.
    webhook_failure_window_seconds: float = Field(default=3 * 24 * 3600, gt=0)
    webhook_secret_grace_seconds: float = Field(default=24 * 3600, ge=0)
    # Retention (docs/events.md): recorded webhooks and tenant events, with their deliveries and
    # attempts, are deleted this many days after they were received and sent out (0: kept for
    # ever), by the daily `callplane-retention` slot.
    events_retention_days: int = Field(default=90, ge=0)
    retention_cron: str = "45 3 * * *"
    # Outbound sends whose outcome is not known (messaging/outcomes.py) are looked up at Twilio
    # again by the hourly `callplane-sends` slot.
    sends_cron: str = "25 * * * *"
    # On PostgreSQL the service, the worker and the CLI's jobs refuse to start as a role that
    # bypasses row-level security (superuser or BYPASSRLS); true lets them, with a warning.
    allow_rls_bypass: bool = False
    # Platform numbers (E.164, comma-separated, in the platform's own account) that send the
    # messages of tenants with no sender of their own (`POST messages` without `from` and no
    # default sender). Empty: off.
    sms_pool_numbers: str = ""
    # Voice-AI providers (docs/providers.md): one provider call's timeout, and how a number's
    # registration is retried while its provider fails (doubling from the first delay, capped,
    # then left to the daily reconciliation).
    provider_timeout_seconds: float = Field(default=15.0, gt=0)
    provider_sync_retry_seconds: float = Field(default=5.0, ge=0)
    provider_sync_retry_max_seconds: float = Field(default=600.0, ge=0)
    provider_sync_attempts: int = Field(default=12, ge=1)
    log_level: str = "INFO"
    log_json: bool = False

    @field_validator("twilio_previous_auth_token_until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give the time with its offset, e.g. 2026-11-22T12:00:00+00:00")
        return value

    @field_validator("sms_pool_numbers")
    @classmethod
    def _pool(cls, value: str) -> str:
        from callplane.phone import try_normalize_e164

        numbers = []
        for raw in (v.strip() for v in value.split(",")):
            if raw:
                e164 = try_normalize_e164(raw)
                if e164 is None:
                    raise ValueError(f"{raw!r} is not a phone number in E.164 (+country code)")
                numbers.append(e164)
        return ",".join(numbers)

    @property
    def sms_pool(self) -> tuple[str, ...]:
        """The SMS pool's numbers (empty: the pool is off)."""
        return tuple(n for n in self.sms_pool_numbers.split(",") if n)

    @field_validator("public_base_url", "twilio_base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
