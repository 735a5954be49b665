"""A bot process killed (SIGKILL) in the middle of a questionnaire: nothing typed is lost.

A real `python -m bot` serves a person through the fake Telegram; it is killed, a new process
starts on the same database, and the person carries on where they were. The scenarios are
tests/e2e/crash.py's, shared with the VK twin test_crash_dialog_vk.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.e2e.crash import (
    TIMEOUT,
    Bot,
    Chat,
    answer_being_replied_to_when_killed_is_kept,
    answers_survive_a_kill_between_updates,
)
from tests.e2e.fake_telegram import TOKEN, FakeTelegram

USER = 4001


class TelegramChat(Chat):
    """A person's private chat on the fake Telegram; held replies are never delivered."""

    def __init__(self, fake: FakeTelegram, user: int) -> None:
        self.fake = fake
        self.user = user

    def texts(self) -> list[str]:
        return [message.text or "" for message in self.fake.messages(self.user)]

    def labels(self) -> list[str]:
        return self.fake.messages(self.user)[-1].labels

    async def writes(self, text: str) -> None:
        await self.fake.user_sends(self.user, text)

    async def taps(self, label: str, answer: str) -> None:
        # The reply may edit the tapped message instead of adding one: no count to wait past.
        sent = next(m for m in reversed(self.fake.messages(self.user)) if label in m.labels)
        await self.fake.user_taps(self.user, sent.message_id, sent.payload(label))
        await self.wait_for(lambda: self.texts()[-1].startswith(answer))

    def hold(self) -> None:
        self.fake.hold_sends = True

    @property
    def held(self) -> int:
        return self.fake.held

    def release(self) -> None:
        self.fake.release_held()

    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        await self.fake.wait_for(predicate, timeout=TIMEOUT)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def chat(fake: FakeTelegram) -> TelegramChat:
    return TelegramChat(fake, USER)


@pytest.fixture
def bot(fake: FakeTelegram, tmp_path: Path) -> Bot:
    return Bot(
        fake,
        lambda: fake.methods().count("getUpdates"),
        tmp_path,
        TELEGRAM__TOKEN=TOKEN,
        TELEGRAM__API_URL=fake.base_url,
    )


async def test_answers_survive_a_kill_between_updates(bot: Bot, chat: TelegramChat) -> None:
    await answers_survive_a_kill_between_updates(bot, chat)


async def test_answer_being_replied_to_when_killed_is_kept(bot: Bot, chat: TelegramChat) -> None:
    await answer_being_replied_to_when_killed_is_kept(bot, chat)
