"""Two workers (two engines, as two processes) serving one conversation on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.core.conversation import Conversation
from bot.core.i18n import Translator
from bot.core.messages import Channel, Incoming
from bot.dialogs import build_registry
from bot.dialogs.engine import Engine
from storage import Database, DialogState, MessengerAccount, Person
from tests.integration.factories import NOW

LOCALES = Path(__file__).resolve().parents[2] / "locales"


def worker(database: Database) -> Conversation:
    translator = Translator(LOCALES, strict=True)
    engine = Engine(build_registry(translator.locales, with_demo=False), translator)
    return Conversation(database, engine, translator, FrozenClock(NOW))


async def test_first_contact_on_two_workers_at_once_creates_one_person(
    database: Database,
) -> None:
    other = Database(database.url)
    workers = [worker(database), worker(other)]
    hello = Incoming(Channel.TELEGRAM, user_id="42", chat_id="42", text="/start", language="ru")
    try:
        answers = await asyncio.gather(*(workers[index % 2].handle(hello) for index in range(6)))
    finally:
        await other.dispose()
    first = [replies[0].text_id for replies in answers]
    assert sorted(first) == ["welcome"] + ["welcome-back"] * 5, first
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
        assert await session.scalar(select(func.count()).select_from(MessengerAccount)) == 1
        state = await session.scalar(select(DialogState))
        assert state is not None
        assert state.revision == 6, "every update applied once, one after another"
