"""Configuration: nested sections from the environment, secrets hidden, one-line errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    sections = tuple(f"{section.upper()}__" for section in Settings.model_fields)
    for name in list(os.environ):
        if name.startswith(sections):
            monkeypatch.delenv(name)


def test_defaults_need_nothing() -> None:
    settings = load_settings(None)
    assert settings.database.url == "sqlite+aiosqlite:///data/nastavnik.db"
    assert settings.bot.default_locale == "ru"
    assert settings.bot.timezone == "Europe/Moscow"
    assert not settings.has_messengers


def test_nested_variables_and_secret_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE__URL", "postgresql+asyncpg://u:p@127.0.0.1/db")
    monkeypatch.setenv("TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("BOT__TIMEZONE", "Asia/Vladivostok")
    settings = load_settings(None)
    assert settings.database.url.startswith("postgresql+asyncpg://")
    assert settings.telegram.token is not None
    assert settings.telegram.token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)
    assert settings.has_messengers


def test_env_file_is_read(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("BOT__DEFAULT_LOCALE=en\nVK__TOKEN=t\nVK__GROUP_ID=42\n")
    settings = load_settings(env)
    assert settings.bot.default_locale == "en"
    assert settings.vk.group_id == 42


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BOT__TIMEZONE", "Mars/Base", "BOT__TIMEZONE: unknown time zone 'Mars/Base'"),
        ("DATABASE__URL", "mysql://db", "DATABASE__URL: expected sqlite+aiosqlite"),
        ("VK__GROUP_ID", "-5", "VK__GROUP_ID: Input should be greater than 0"),
        ("LOG__LEVEL", "LOUD", "LOG__LEVEL: Input should be"),
    ],
)
def test_malformed_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings(None)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_every_variable_is_documented_in_env_example() -> None:
    documented = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if "=" in line and line.lstrip("# ").split("=", 1)[0].strip().isupper()
    }
    expected = {
        f"{section.upper()}__{name.upper()}"
        for section, field in Settings.model_fields.items()
        for name in field.annotation.model_fields  # type: ignore[union-attr]
    }
    assert expected <= documented, expected - documented


def test_webhook_mode_needs_https_url_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM__MODE", "webhook")
    monkeypatch.setenv("TELEGRAM__WEBHOOK_URL", "http://bot.example/telegram")
    with pytest.raises(ConfigError, match=r"^TELEGRAM__WEBHOOK_URL: .*https://"):
        load_settings(None)
    monkeypatch.setenv("TELEGRAM__WEBHOOK_URL", "https://bot.example/telegram")
    monkeypatch.setenv("TELEGRAM__WEBHOOK_SECRET", "has spaces")
    with pytest.raises(ConfigError, match=r"^TELEGRAM__WEBHOOK_SECRET: "):
        load_settings(None)
    monkeypatch.setenv("TELEGRAM__WEBHOOK_SECRET", "s3cret_-token")
    assert load_settings(None).telegram.mode == "webhook"


def test_vk_callback_mode_needs_confirmation_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VK__MODE", "callback")
    with pytest.raises(ConfigError, match=r"^VK__CALLBACK_CONFIRMATION: "):
        load_settings(None)
    monkeypatch.setenv("VK__CALLBACK_CONFIRMATION", "a1b2c3")
    with pytest.raises(ConfigError, match=r"^VK__CALLBACK_SECRET: "):
        load_settings(None)
    monkeypatch.setenv("VK__CALLBACK_SECRET", "key")
    settings = load_settings(None)
    assert (settings.vk.mode, settings.web.vk_path) == ("callback", "/vk")


def test_rate_limits_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM__RATE_LIMIT", "0")
    with pytest.raises(ConfigError, match=r"^TELEGRAM__RATE_LIMIT: "):
        load_settings(None)


def test_webhook_and_callback_need_different_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM__MODE", "webhook")
    monkeypatch.setenv("TELEGRAM__WEBHOOK_URL", "https://bot.example/hook")
    monkeypatch.setenv("TELEGRAM__WEBHOOK_SECRET", "s3cret")
    monkeypatch.setenv("VK__MODE", "callback")
    monkeypatch.setenv("VK__CALLBACK_CONFIRMATION", "a1b2c3")
    monkeypatch.setenv("VK__CALLBACK_SECRET", "key")
    monkeypatch.setenv("WEB__VK_PATH", "/hook")
    with pytest.raises(ConfigError, match=r"^WEB__VK_PATH: /hook is also the path"):
        load_settings(None)
    monkeypatch.setenv("WEB__VK_PATH", "/vk")
    assert load_settings(None).web.vk_path == "/vk"
