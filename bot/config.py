"""Settings read once from the environment (and `.env`) by the composition root."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Locale = Literal["ru", "en"]


class DatabaseSettings(BaseModel):
    """Where the data lives."""

    url: str = "sqlite+aiosqlite:///data/nastavnik.db"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("expected sqlite+aiosqlite:///<file> or postgresql+asyncpg://<...>")
        return value


# A message that starts with the variable it is about.
NAMED = re.compile(r"[A-Z]+__[A-Z_]+\b")
# What Telegram accepts as a webhook secret_token.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramSettings(BaseModel):
    """Telegram Bot API access."""

    token: SecretStr | None = None
    api_url: str | None = None
    # The bot's @username for invite links; learnt from Telegram at start when empty.
    username: str | None = None
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # Messages per second over all chats, and per chat.
    rate_limit: float = Field(default=30.0, gt=0)
    chat_rate_limit: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _webhook_complete(self) -> TelegramSettings:
        if self.mode != "webhook":
            return self
        if not (self.webhook_url or "").startswith("https://"):
            raise ValueError(
                "TELEGRAM__WEBHOOK_URL: webhook mode needs the public https:// address"
            )
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not WEBHOOK_SECRET.fullmatch(secret):
            raise ValueError(
                "TELEGRAM__WEBHOOK_SECRET: webhook mode needs 1-256 characters A-Z a-z 0-9 _ -"
            )
        return self


class VkSettings(BaseModel):
    """VK community access."""

    token: SecretStr | None = None
    group_id: int | None = Field(default=None, gt=0)
    api_url: str | None = None
    mode: Literal["longpoll", "callback"] = "longpoll"
    callback_confirmation: str | None = None
    callback_secret: SecretStr | None = None
    # API requests per second with the community token.
    rate_limit: float = Field(default=20.0, gt=0)

    @model_validator(mode="after")
    def _group_with_token(self) -> VkSettings:
        if self.token is not None and self.group_id is None:
            raise ValueError("VK__GROUP_ID is required when VK__TOKEN is set")
        if self.mode == "callback":
            if not self.callback_confirmation:
                raise ValueError(
                    "VK__CALLBACK_CONFIRMATION: Callback API mode needs the string VK shows "
                    "in the community's Callback API settings"
                )
            if not self.callback_secret or not self.callback_secret.get_secret_value():
                raise ValueError("VK__CALLBACK_SECRET: Callback API mode needs the secret key")
        return self


class WebSettings(BaseModel):
    """The HTTP server for Telegram webhooks and the VK Callback API (webhook/callback modes)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    vk_path: str = "/vk"

    @field_validator("vk_path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("expected a path starting with /")
        return value


class OutboxSettings(BaseModel):
    """Delivery of proactive messages."""

    deliver_every_seconds: float = Field(default=2.0, gt=0)
    lease_seconds: int = Field(default=300, ge=10)
    max_attempts: int = Field(default=6, ge=1)
    # Notifications sent at once (each still waits for its channel's rate limit).
    concurrency: int = Field(default=8, ge=1, le=100)


class BotSettings(BaseModel):
    """Behaviour shared by every channel."""

    default_locale: Locale = "ru"
    timezone: str = "Europe/Moscow"
    locales_dir: Path = Path(__file__).resolve().parent.parent / "locales"
    demo: bool = True
    max_input_chars: int = Field(default=4000, ge=100, le=100_000)
    # Parents consent below adult_age; from self_consent_age the student consents as well.
    adult_age: int = Field(default=18, ge=1, le=25)
    self_consent_age: int = Field(default=14, ge=1, le=25)
    consent_link_days: int = Field(default=7, ge=1, le=90)
    # Days after joining when an unfinished questionnaire is reminded of.
    questionnaire_reminder_days: list[int] = [3, 7]
    questionnaires_dir: Path = Path(__file__).resolve().parent.parent / "questionnaires"

    @model_validator(mode="after")
    def _ages_in_order(self) -> BotSettings:
        if self.self_consent_age > self.adult_age:
            raise ValueError("BOT__SELF_CONSENT_AGE must not exceed BOT__ADULT_AGE")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, e.g. Europe/Moscow") from None
        return value


class LogSettings(BaseModel):
    """Logging."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseSettings):
    """All configuration, from environment variables with `__` between section and name."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    database: DatabaseSettings = DatabaseSettings()
    telegram: TelegramSettings = TelegramSettings()
    vk: VkSettings = VkSettings()
    web: WebSettings = WebSettings()
    outbox: OutboxSettings = OutboxSettings()
    bot: BotSettings = BotSettings()
    log: LogSettings = LogSettings()

    @model_validator(mode="after")
    def _distinct_paths(self) -> Settings:
        if self.telegram.mode == "webhook" and self.vk.mode == "callback":
            telegram_path = urlsplit(self.telegram.webhook_url or "").path or "/"
            if telegram_path == self.web.vk_path:
                raise ValueError(
                    f"WEB__VK_PATH: {self.web.vk_path} is also the path of "
                    "TELEGRAM__WEBHOOK_URL; give each its own"
                )
        return self

    @property
    def has_messengers(self) -> bool:
        """Whether any messenger token is configured."""
        return self.telegram.token is not None or self.vk.token is not None


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Read the settings, turning pydantic's report into one line naming the variable."""
    try:
        return Settings(_env_file=env_file)
    except ValidationError as error:
        raise ConfigError(describe_error(error)) from None


def describe_error(error: ValidationError) -> str:
    """The first problem as `VARIABLE: reason`."""
    first = error.errors()[0]
    location = [str(part) for part in first["loc"]]
    variable = "__".join(location).upper() or "configuration"
    message = first["msg"].removeprefix("Value error, ")
    if NAMED.match(message):
        return message  # a model check that names its variable itself
    return f"{variable}: {message}"
