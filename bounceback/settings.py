"""Settings, read from the environment and an optional ``.env`` file.

Every setting is documented, with its default, in ``.env.example``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    """Bounceback's configuration. Secrets are ``SecretStr`` so they never print by accident."""

    # An empty value in .env means "not set", as in .env.example.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, env_ignore_empty=True
    )

    database_url: str = Field(default="sqlite:///bounceback.db", alias="DATABASE_URL")
    timezone: str = Field(default="UTC", alias="BOUNCEBACK_TIMEZONE")
    log_level: str = Field(default="INFO", alias="BOUNCEBACK_LOG_LEVEL")
    tick_seconds: float = Field(default=30.0, gt=0, alias="BOUNCEBACK_TICK_SECONDS")
    grace_hours: float = Field(default=3.0, ge=0, alias="BOUNCEBACK_GRACE_HOURS")
    # How long a claimed check-in is held before another instance may take it over (renewed
    # while the claim is worked, so only a dead instance's claims run out).
    lease_seconds: float = Field(default=120.0, ge=1, alias="BOUNCEBACK_LEASE_SECONDS")
    # On SIGTERM: how long in-flight sends and after-acknowledgement work may take to finish.
    shutdown_grace_seconds: float = Field(
        default=20.0, ge=0, alias="BOUNCEBACK_SHUTDOWN_GRACE_SECONDS"
    )
    encryption_key: SecretStr | None = Field(default=None, alias="BOUNCEBACK_ENCRYPTION_KEY")
    retention_days: int = Field(default=365, ge=1, alias="BOUNCEBACK_RETENTION_DAYS")
    support_resources: str = Field(default="", alias="BOUNCEBACK_SUPPORT_RESOURCES")

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    # Slack user ids (comma-separated) who may change community settings besides the
    # workspace's own admins and owners.
    slack_admins: str = Field(default="", alias="SLACK_ADMINS")

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    discord_guild_id: int | None = Field(default=None, alias="DISCORD_GUILD_ID")
    discord_api_url: str | None = Field(default=None, alias="DISCORD_API_URL")
    discord_shard_count: int | None = Field(default=None, alias="DISCORD_SHARD_COUNT")

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        name = value.strip().upper()
        if name not in LOG_LEVELS:
            raise ValueError(f"unknown log level {value!r}; use one of {', '.join(LOG_LEVELS)}")
        return name

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Europe/Paris"
            ) from error
        return value

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> Settings:
        """Settings from an explicit mapping of environment names, ignoring the real environment."""
        return cls.model_validate(dict(values))
