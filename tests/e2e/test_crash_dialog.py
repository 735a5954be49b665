"""A bot process killed (SIGKILL) in the middle of a questionnaire: nothing typed is lost.

A real `python -m bot` serves a person through the fake Telegram; it is killed, a new process
starts on the same database, and the person carries on where they were.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import bot_env
from tests.e2e.fake_telegram import TOKEN, FakeTelegram

USER = 4001
TRY_DEMO = "Попробовать анкету (демо)"
MENU = "Главное меню"
REVIEW = "Проверьте ответы"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


class Bot:
    """`python -m bot` against the fake, on a database that outlives the process."""

    def __init__(self, fake: FakeTelegram, tmp_path: Path) -> None:
        self.fake = fake
        self.env = bot_env(
            tmp_path,
            DATABASE__URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            TELEGRAM__TOKEN=TOKEN,
            TELEGRAM__API_URL=fake.base_url,
        )
        self.cwd = tmp_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        polls = self.fake.methods().count("getUpdates")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=self.cwd,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await self.fake.wait_for(
            lambda: self.fake.methods().count("getUpdates") > polls, timeout=30
        )

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        await self.process.wait()


def texts(fake: FakeTelegram) -> list[str]:
    return [message.text or "" for message in fake.messages(USER)]


async def says(fake: FakeTelegram, text: str, answer: str) -> None:
    """The person writes and waits for the bot's last message to start with `answer`."""
    count = len(fake.messages(USER))
    await fake.user_sends(USER, text)
    await fake.wait_for(
        lambda: len(fake.messages(USER)) > count and texts(fake)[-1].startswith(answer),
        timeout=30,
    )


async def taps(fake: FakeTelegram, label: str, answer: str) -> None:
    """The person taps a button of the newest keyboard, then waits as `says` does."""
    sent = next(m for m in reversed(fake.messages(USER)) if label in m.labels)
    await fake.user_taps(USER, sent.message_id, sent.payload(label))
    await fake.wait_for(lambda: texts(fake)[-1].startswith(answer), timeout=30)


async def test_answers_survive_a_kill_between_updates(fake: FakeTelegram, tmp_path: Path) -> None:
    bot = Bot(fake, tmp_path)
    await bot.start()
    try:
        await says(fake, "/start", MENU)
        await taps(fake, TRY_DEMO, "Шаг 1 из 4")
        await says(fake, "Миша Иванов", "Шаг 2 из 4")
        await taps(fake, "Наставляемым", "Шаг 3 из 4")
    finally:
        await bot.kill()

    await bot.start()
    try:
        await says(fake, "14.03.2013", "Шаг 4 из 4")
        await says(fake, "6Б", REVIEW)
        review = texts(fake)[-1]
    finally:
        await bot.kill()
    for answer in ("Миша Иванов", "Наставляемым", "14.03.2013", "6Б"):
        assert answer in review


async def test_answer_being_replied_to_when_killed_is_kept(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bot = Bot(fake, tmp_path)
    await bot.start()
    try:
        await says(fake, "/start", MENU)
        await taps(fake, TRY_DEMO, "Шаг 1 из 4")
        fake.hold_sends = True
        await fake.user_sends(USER, "Миша Иванов")
        # The answer is handled and its reply is on the wire when the process dies.
        await fake.wait_for(lambda: fake.held == 1, timeout=30)
    finally:
        await bot.kill()
    fake.release_held()
    assert not any(text.startswith("Шаг 2 из 4") for text in texts(fake))

    await bot.start()
    try:
        # The person got no answer and writes again: the bot goes on after the name.
        await says(fake, "/start", "Шаг 2 из 4")
        assert texts(fake)[-2].startswith("С возвращением")
        await taps(fake, "Наставляемым", "Шаг 3 из 4")
        await says(fake, "14.03.2013", "Шаг 4 из 4")
        await says(fake, "6Б", REVIEW)
        review = texts(fake)[-1]
    finally:
        await bot.kill()
    assert "Миша Иванов" in review
