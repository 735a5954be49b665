"""What the crash-dialog tests of every messenger share: a bot process to kill, and the scripts.

Each messenger's test module gives a `Chat` (how its fake spells a person's moves) and a `Bot`
configured for it; the scenarios below run the same on either.
"""

from __future__ import annotations

import asyncio
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Protocol

from sqlalchemy import select

from storage import Database, Person
from tests.conftest import bot_env

TRY_DEMO = "Попробовать анкету (демо)"
MENU = "Главное меню"
REVIEW = "Проверьте ответы"
DONE = "Спасибо, Миша Иванов! Анкета сохранена."
ANSWERS = ("Миша Иванов", "Наставляемым", "14.03.2013", "6Б")
STORED = ("Миша Иванов", date(2013, 3, 14), "6Б")
TIMEOUT = 30  # a fresh process imports everything and runs the migrations first


class Fake(Protocol):
    """A fake messenger server: it can wait until something the bot did holds."""

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = ...) -> None: ...


class Chat(ABC):
    """One person's chat with the bot on a fake messenger, and the fake's hold on replies."""

    @abstractmethod
    def texts(self) -> list[str]:
        """The bot's messages to the person, oldest first."""

    @abstractmethod
    def labels(self) -> list[str]:
        """The buttons of the bot's newest message."""

    @abstractmethod
    async def writes(self, text: str) -> None:
        """The person writes, and nothing is waited for."""

    @abstractmethod
    async def taps(self, label: str, answer: str) -> None:
        """The person taps a button of the newest keyboard showing it, then waits as `says`."""

    @abstractmethod
    def hold(self) -> None:
        """The bot's replies from now on never get an answer from the fake until `release()`."""

    @property
    @abstractmethod
    def held(self) -> int:
        """How many replies are being held."""

    @abstractmethod
    def release(self) -> None:
        """Let held replies end (their sender is gone by then) and hold no new ones."""

    @abstractmethod
    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        """Wait until `predicate()` holds; checked whenever the bot calls the fake."""

    async def says(self, text: str, answer: str) -> None:
        """The person writes and waits for the bot's newest message to start with `answer`."""
        count = len(self.texts())
        await self.writes(text)
        await self.wait_for(
            lambda: len(self.texts()) > count and self.texts()[-1].startswith(answer)
        )


class Bot:
    """`python -m bot` against a fake messenger, on a database that outlives the process."""

    def __init__(
        self, fake: Fake, polls: Callable[[], int], tmp_path: Path, **messenger: str
    ) -> None:
        self.fake = fake
        self.polls = polls  # how many times a process has asked the fake for updates
        self.database_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        self.env = bot_env(tmp_path, DATABASE__URL=self.database_url, **messenger)
        self.cwd = tmp_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start a process and wait until it is polling."""
        polls = self.polls()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=self.cwd,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await self.fake.wait_for(lambda: self.polls() > polls, timeout=TIMEOUT)

    async def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def stored(self) -> tuple[str | None, date | None, str | None]:
        """The person's saved name, birth date and grade."""
        database = Database(self.database_url)
        try:
            async with database.sessions() as session:
                [person] = await session.scalars(select(Person))
                return person.full_name, person.birth_date, person.grade
        finally:
            await database.dispose()


async def confirmed(chat: Chat) -> str:
    """The person checks the review and confirms it; the review's text."""
    review = chat.texts()[-1]
    assert chat.labels()[0] == "Всё верно"
    await chat.taps("Всё верно", DONE)
    return review


async def killed_after_the_role(bot: Bot, chat: Chat) -> None:
    """A process takes the name and the role, and is killed between two updates."""
    await bot.start()
    try:
        await chat.says("/start", MENU)
        await chat.taps(TRY_DEMO, "Шаг 1 из 4")
        await chat.says("Миша Иванов", "Шаг 2 из 4")
        await chat.taps("Наставляемым", "Шаг 3 из 4")
    finally:
        await bot.kill()


async def killed_while_replying_to_the_name(bot: Bot, chat: Chat) -> None:
    """A process handles the name and is killed while its reply is held by the fake."""
    await bot.start()
    try:
        await chat.says("/start", MENU)
        await chat.taps(TRY_DEMO, "Шаг 1 из 4")
        chat.hold()
        await chat.writes("Миша Иванов")
        # The name is handled and its reply is on the wire when the process dies.
        await chat.wait_for(lambda: chat.held == 1)
    finally:
        await bot.kill()
    chat.release()


async def answers_survive_a_kill_between_updates(bot: Bot, chat: Chat) -> None:
    """The next process asks for what comes after the last answer, and keeps every answer."""
    await killed_after_the_role(bot, chat)

    await bot.start()
    try:
        await chat.says("14.03.2013", "Шаг 4 из 4")
        await chat.says("6Б", REVIEW)
        review = await confirmed(chat)
    finally:
        await bot.kill()
    for answer in ANSWERS:
        assert answer in review
    assert await bot.stored() == STORED


async def answer_being_replied_to_when_killed_is_kept(bot: Bot, chat: Chat) -> None:
    """A name whose reply never reached the person is kept: the next process asks the role."""
    await killed_while_replying_to_the_name(bot, chat)
    assert not any(text.startswith("Шаг 2 из 4") for text in chat.texts())

    await bot.start()
    try:
        # The person got no answer and writes again: the bot goes on after the name.
        await chat.says("/start", "Шаг 2 из 4")
        assert chat.texts()[-2].startswith("С возвращением")
        await chat.taps("Наставляемым", "Шаг 3 из 4")
        await chat.says("14.03.2013", "Шаг 4 из 4")
        await chat.says("6Б", REVIEW)
        review = await confirmed(chat)
    finally:
        await bot.kill()
    assert "Миша Иванов" in review
    assert await bot.stored() == STORED
