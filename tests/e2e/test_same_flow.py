"""One scripted conversation through the real Telegram and VK clients gives the same flow."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from tests.e2e.fake_telegram import FakeTelegram
from tests.e2e.fake_vk import FakeVk
from tests.e2e.test_telegram import TelegramUser, polling
from tests.e2e.test_vk import VkUser, running

# (action, argument, messages the bot answers with)
SCRIPT = [
    ("send", "/start", 2),
    ("tap", "Попробовать анкету (демо)", 1),
    ("send", "42", 1),  # not a name
    ("send", "Миша Иванов", 1),
    ("tap", "← Назад", 1),
    ("send", "Миша Иванов", 1),
    ("tap", "Наставляемым", 1),
    ("send", "32.13.2013", 1),  # not a date
    ("send", "14.03.2013", 1),
    ("send", "6Б", 1),
    ("tap", "Исправить ответ", 1),
    ("tap", "Класс", 1),
    ("send", "7А", 1),
    ("tap", "Всё верно", 2),
    ("send", "/nonsense", 2),
]

Transcript = list[tuple[str | None, list[str]]]


@pytest.fixture
async def telegram(app: App) -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    async with polling(app.conversation, fake):
        yield fake
    await fake.stop()


@pytest.fixture
async def vk(app: App) -> AsyncIterator[FakeVk]:
    fake = FakeVk()
    await fake.start()
    async with running(app.conversation, fake):
        yield fake
    await fake.stop()
    assert fake.errors == []


async def telegram_transcript(fake: FakeTelegram) -> Transcript:
    user = TelegramUser(fake, user_id=701)
    transcript: Transcript = []
    for action, argument, count in SCRIPT:
        if action == "send":
            replies = await user.send(argument, expect=count)
        else:
            replies = await user.tap(argument, expect=count)
        assert len(replies) == count, (argument, [reply.text for reply in replies])
        transcript += [(reply.text, reply.labels) for reply in replies]
    return transcript


async def vk_transcript(fake: FakeVk) -> Transcript:
    user = VkUser(fake, user_id=702)
    transcript: Transcript = []
    for action, argument, count in SCRIPT:
        if action == "send":
            replies = await user.writes(argument, count)
        else:
            replies = await user.taps(argument, count)
        transcript += [(reply.text, reply.labels) for reply in replies]
    return transcript


async def test_the_same_script_gives_the_same_flow_on_both(
    telegram: FakeTelegram, vk: FakeVk
) -> None:
    on_telegram = await telegram_transcript(telegram)
    on_vk = await vk_transcript(vk)
    assert on_telegram == on_vk
    assert len(on_telegram) == sum(count for _, _, count in SCRIPT)
    texts = [text or "" for text, _ in on_telegram]
    assert texts[-4].startswith("Спасибо, Миша Иванов! Анкета сохранена.")
    assert texts[-2] == "Я не знаю команду /nonsense. Список команд — /help."
