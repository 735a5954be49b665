"""Settings read once from the environment (and `.env`) by the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
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


class TelegramSettings(BaseModel):
    """Telegram Bot API access."""

    token: SecretStr | None = None
    api_url: str | None = None


class VkSettings(BaseModel):
    """VK community access."""

    token: SecretStr | None = None
    group_id: int | None = Field(default=None, gt=0)
    api_url: str | None = None

    @model_validator(mode="after")
    def _group_with_token(self) -> VkSettings:
        if self.token is not None and self.group_id is None:
            raise ValueError("VK__GROUP_ID is required when VK__TOKEN is set")
        return self


class BotSettings(BaseModel):
    """Behaviour shared by every channel."""

    default_locale: Locale = "ru"
    timezone: str = "Europe/Moscow"
    locales_dir: Path = Path(__file__).resolve().parent.parent / "locales"
    demo: bool = True
    max_input_chars: int = Field(default=4000, ge=100, le=100_000)

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
    bot: BotSettings = BotSettings()
    log: LogSettings = LogSettings()

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
    if message.startswith(tuple(f"{part.upper()}__" for part in location[:1])):
        return message
    return f"{variable}: {message}"
