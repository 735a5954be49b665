"""Two workers (two engines, as two processes) serving one conversation on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.core.conversation import RECENT_UPDATES, Conversation
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


async def test_many_people_on_two_workers_writing_at_once_lose_nothing(
    database: Database,
) -> None:
    """Two engines write at once (SQLite: two connections contend for the file's one writer);
    none of them is refused with "database is locked", and no update is lost."""
    other = Database(database.url)
    workers = [worker(database), worker(other)]
    script = ["/start", "/help", "/menu", "/lang", "/menu", "/help"]

    async def person(number: int) -> list[str]:
        ids = []
        for step, text in enumerate(script):
            incoming = Incoming(
                Channel.VK, user_id=str(number), chat_id=str(number), text=text, language="ru"
            )
            # Each update of one person goes to the worker its turn picks, as behind a balancer.
            replies = await workers[(number + step) % 2].handle(incoming)
            ids += [reply.text_id for reply in replies]
        return ids

    try:
        answers = await asyncio.gather(*(person(number) for number in range(1, 31)))
    finally:
        await other.dispose()
    assert all("error-internal" not in ids for ids in answers), answers
    async with database.sessions() as session:
        revisions = list(await session.scalars(select(DialogState.revision)))
        assert await session.scalar(select(func.count()).select_from(Person)) == 30
    assert revisions == [len(script)] * 30


async def test_a_redelivered_update_is_handled_once_whichever_worker_gets_it(
    database: Database,
) -> None:
    """Telegram re-posts a webhook update, VK repeats a Callback event, maybe to the other
    worker: the first delivery is answered, its copies get nothing and change nothing."""
    other = Database(database.url)
    workers = [worker(database), worker(other)]
    hello = Incoming(
        Channel.TELEGRAM, "42", "42", text="/start", language="ru", update_key="telegram:7"
    )
    again = Incoming(
        Channel.TELEGRAM, "42", "42", text="/start", language="ru", update_key="telegram:8"
    )
    try:
        copies = await asyncio.gather(*(workers[index % 2].handle(hello) for index in range(4)))
        later = await workers[1].handle(hello)
        fresh = await workers[0].handle(again)
    finally:
        await other.dispose()
    answered = [[reply.text_id for reply in replies] for replies in copies]
    assert sorted(answered, key=len) == [[], [], [], ["welcome", "menu-title"]], answered
    assert later == [], "a copy after the commit is ignored too"
    assert [reply.text_id for reply in fresh] == ["welcome-back", "menu-title"]
    async with database.sessions() as session:
        state = await session.scalar(select(DialogState))
        assert state is not None
        assert state.revision == 2, "the update and the next one, each applied once"
        assert state.recent_updates == ["telegram:7", "telegram:8"]


async def test_a_conversation_remembers_its_last_twenty_updates(database: Database) -> None:
    conversation = worker(database)

    def update(number: int) -> Incoming:
        return Incoming(Channel.VK, "5", "5", text="/help", update_key=f"vk:message:{number}")

    for number in range(1, RECENT_UPDATES + 3):
        assert await conversation.handle(update(number)) != []
    assert await conversation.handle(update(RECENT_UPDATES + 2)) == [], "the newest: a copy"
    assert await conversation.handle(update(3)) == [], "the oldest one remembered"
    assert await conversation.handle(update(2)) != [], "forgotten: handled as new"
    async with database.sessions() as session:
        state = await session.scalar(select(DialogState))
        assert state is not None
        assert len(state.recent_updates) == RECENT_UPDATES
