"""Linking end to end: a code from the real aiogram client entered in the real vkbottle client."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.handlers.telegram import TelegramSender, build_telegram, run_telegram_polling
from bot.services.outbox import DeliveryWorker
from storage import Channel, MessengerAccount, Person
from tests.e2e.fake_telegram import TOKEN, FakeTelegram
from tests.e2e.fake_vk import FakeVk
from tests.e2e.test_telegram import TelegramUser
from tests.e2e.test_vk import VkUser, running

CODE_RE = re.compile(r"Ваш код: (\d{6})")


@pytest.fixture
async def telegram(app: App) -> AsyncIterator[FakeTelegram]:
    """A fake Bot API long-polled by the real bot until the test ends."""
    fake = FakeTelegram()
    await fake.start()
    bot, dispatcher = build_telegram(app.conversation, TOKEN, fake.base_url)
    polling = asyncio.create_task(
        run_telegram_polling(bot, dispatcher, handle_signals=False, polling_timeout=1)
    )
    await fake.wait_for(lambda: "getUpdates" in fake.methods())
    yield fake
    await dispatcher.stop_polling()
    await polling
    await fake.stop()


@pytest.fixture
async def vk(app: App) -> AsyncIterator[FakeVk]:
    """A fake VK served by the real vkbottle client over Bots Long Poll."""
    fake = FakeVk()
    await fake.start()
    async with running(app.conversation, fake):
        yield fake
    await fake.stop()
    assert fake.errors == []


async def test_code_from_telegram_entered_in_vk_makes_one_person(
    app: App, clock: FrozenClock, telegram: FakeTelegram, vk: FakeVk
) -> None:
    anna_tg = TelegramUser(telegram, user_id=1001)
    await anna_tg.send("/start", expect=2)
    await anna_tg.tap("Мои мессенджеры")
    (shown,) = await anna_tg.tap("Получить код для привязки")
    assert shown.text is not None
    match = CODE_RE.search(shown.text)
    assert match is not None, shown.text
    code = match.group(1)
    assert "Что сделать во ВКонтакте:" in shown.text

    anna_vk = VkUser(vk, user_id=2002)
    await anna_vk.writes("Начать", 2, payload={"command": "start"})
    await anna_vk.taps("Мои мессенджеры", 1)
    [ask] = await anna_vk.taps("Ввести код", 1)
    assert ask.text.startswith("Введите код из 6 цифр.")
    [linked] = await anna_vk.writes(f"{code[:3]} {code[3:]}", 1)
    assert linked.text.startswith("Готово! Мессенджеры связаны: Telegram, ВКонтакте.")
    await vk.wait_for(lambda: len(vk.to(2002)) > anna_vk.seen)
    overview = vk.to(2002)[anna_vk.seen]
    anna_vk.seen += 1
    assert overview.text.startswith("Мессенджеры вашего профиля:\n• Telegram\n• ВКонтакте")
    assert "Отвязать мессенджер" in overview.labels

    async with app.database.sessions() as session:
        people = (await session.scalars(select(Person.id))).all()
        accounts = (
            await session.execute(
                select(MessengerAccount.channel, MessengerAccount.external_user_id)
                .where(MessengerAccount.person_id == people[0])
                .order_by(MessengerAccount.id)
            )
        ).all()
    assert len(people) == 1
    assert accounts == [(Channel.TELEGRAM, "1001"), (Channel.VK, "2002")]

    # The owner hears about the new messenger where they asked for the code.
    api = TelegramAPIServer.from_base(telegram.base_url)
    client = Bot(TOKEN, session=AiohttpSession(api=api))
    try:
        worker = DeliveryWorker(
            app.database, app.translator, {Channel.TELEGRAM: TelegramSender(client)}, clock
        )
        assert (await worker.run_once()).sent == 1
    finally:
        await client.session.close()
    assert anna_tg.last.text is not None
    assert anna_tg.last.text.startswith("К вашему профилю в «Наставнике» привязан ВКонтакте.")
