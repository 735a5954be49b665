"""Shared fixtures: a real SQLite database in a temp dir, an injected clock, a chat driver."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, build_app, seed_demo
from bot.config import DatabaseSettings, Settings
from bot.core.clock import FrozenClock
from tests.chat import Chat

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def make_settings(database_url: str) -> Settings:
    """Settings for tests: no .env, nothing from the developer's environment that matters."""
    return Settings(_env_file=None, database=DatabaseSettings(url=database_url))


def bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot process: its own database, no messenger tokens."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(tuple(f"{section.upper()}__" for section in Settings.model_fields))
    }
    env["DATABASE__URL"] = f"sqlite+aiosqlite:///{tmp_path / 'console.db'}"
    env.update(extra)
    return env


@pytest.fixture
def clock() -> FrozenClock:
    """A clock that moves only when a test moves it."""
    return FrozenClock(START)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite file."""
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
async def app(db_url: str, clock: FrozenClock) -> AsyncIterator[App]:
    """The whole bot on a fresh database, with every text id checked."""
    app = await build_app(make_settings(db_url), clock=clock, strict_texts=True)
    await seed_demo(app)
    yield app
    await app.close()


@pytest.fixture
def chat(app: App) -> Chat:
    """One person talking to the bot in the console channel."""
    return Chat(app.conversation)
