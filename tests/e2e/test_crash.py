"""A delivery worker killed (SIGKILL) after claiming a notification: nothing is left undelivered."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.core.clock import FrozenClock, SystemClock
from bot.core.i18n import Translator
from bot.handlers.telegram import TelegramSender
from bot.services.outbox import DeliveryWorker, OutboxService
from storage import Channel, Database, MessengerAccount, Notification, NotificationStatus, Person
from tests.conftest import bot_env
from tests.e2e.fake_telegram import TOKEN, FakeTelegram

LOCALES = Path(__file__).resolve().parents[2] / "locales"
CHAT = 3001


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def plan_one(database: Database) -> None:
    clock = SystemClock()
    async with database.transaction() as session:
        person = Person(locale="ru", created_at=clock.now(), updated_at=clock.now())
        session.add(person)
        await session.flush()
        session.add(
            MessengerAccount(
                person_id=person.id,
                channel=Channel.TELEGRAM,
                external_user_id=str(CHAT),
                chat_id=str(CHAT),
                created_at=clock.now(),
            )
        )
        await OutboxService(session, clock).plan(
            key="crash-1", kind="test", recipient_id=person.id, text_id="welcome-back"
        )


async def notification(database: Database) -> Notification:
    async with database.sessions() as session:
        row = await session.scalar(select(Notification))
        assert row is not None
        return row


async def test_worker_killed_after_claiming_leaves_nothing_undelivered(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    database = Database(url)
    await database.upgrade()
    await plan_one(database)
    fake.hold_sends = True
    env = bot_env(
        tmp_path,
        DATABASE__URL=url,
        TELEGRAM__TOKEN=TOKEN,
        TELEGRAM__API_URL=fake.base_url,
        OUTBOX__DELIVER_EVERY_SECONDS="0.2",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        # The worker claimed the row and is in the middle of sending it...
        await fake.wait_for(lambda: fake.held == 1, timeout=30)
    finally:
        process.kill()  # ...when its process dies.
        await process.wait()
    fake.release_held()
    try:
        claimed = await notification(database)
        assert (claimed.status, claimed.attempts) == (NotificationStatus.SENDING, 1)
        assert fake.messages(CHAT) == []

        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
        later = FrozenClock(SystemClock().now() + timedelta(minutes=6))
        survivor = DeliveryWorker(
            database, Translator(LOCALES), {Channel.TELEGRAM: TelegramSender(bot)}, later
        )
        try:
            assert (await survivor.run_once()).sent == 1, "the lapsed lease is taken over"
        finally:
            await bot.session.close()
        delivered = await notification(database)
    finally:
        await database.dispose()
    assert delivered.status is NotificationStatus.SENT
    assert [m.text for m in fake.messages(CHAT)] == [
        "С возвращением! Продолжим с того места, где остановились."
    ]
