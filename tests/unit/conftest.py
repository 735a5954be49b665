"""Chats of a pair (Дарья on Telegram, Миша on VK) and a stranger, for dialog tests."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.chat import Chat
from tests.pair_chats import chats


@pytest.fixture
def dasha(app: App) -> Chat:
    return chats(app)[0]


@pytest.fixture
def misha(app: App) -> Chat:
    return chats(app)[1]


@pytest.fixture
def stranger(app: App) -> Chat:
    return chats(app)[2]
