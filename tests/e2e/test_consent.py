"""A parent's consent end to end: the child in the real aiogram client, the parent in the real
vkbottle client (opening the VK link), the child told through the outbox in Telegram."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.handlers.telegram import TelegramSender
from bot.services.outbox import DeliveryWorker
from storage import (
    Channel,
    Consent,
    ConsentRelation,
    ConsentStatus,
    MessengerAccount,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    ProgramCurator,
)
from tests.e2e.fake_telegram import TOKEN, FakeTelegram
from tests.e2e.fake_vk import GROUP_ID, FakeVk
from tests.e2e.test_telegram import TelegramUser, polling
from tests.e2e.test_vk import VkUser, running
from tests.integration import factories

VK_LINK_RE = re.compile(rf"https://vk\.me/club{GROUP_ID}\?ref=(c_[\w-]+)")
MISHA, CURATOR, MOTHER = 1001, 3003, 2002


@pytest.fixture
async def telegram(app: App) -> AsyncIterator[FakeTelegram]:
    """A fake Bot API long-polled by the real bot until the test ends."""
    fake = FakeTelegram()
    await fake.start()
    async with polling(app.conversation, fake):
        yield fake
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


async def invite(app: App, telegram_user_id: int) -> int:
    """A curator's program with the Telegram user in it as a mentee who has just joined."""
    async with app.database.transaction() as session:
        person_id = await session.scalar(
            select(MessengerAccount.person_id).where(
                MessengerAccount.channel == Channel.TELEGRAM,
                MessengerAccount.external_user_id == str(telegram_user_id),
            )
        )
        assert person_id is not None
        org = await factories.organization(session)
        prog = await factories.program(session, org)
        curator = await factories.person(session, org, full_name="Ольга Петровна")
        await factories.account(session, curator, external_user_id=str(CURATOR))
        session.add(ProgramCurator(program_id=prog.id, person_id=curator.id))
        part = Participant(
            program_id=prog.id,
            person_id=person_id,
            role=ParticipantRole.MENTEE,
            status=ParticipantStatus.ONBOARDING,
        )
        session.add(part)
        await session.flush()
        return part.id


async def test_child_in_telegram_parent_agrees_in_vk(
    app: App, clock: FrozenClock, telegram: FakeTelegram, vk: FakeVk
) -> None:
    app.policy.links.telegram_username = "nastavnik_test_bot"
    app.policy.links.vk_group_id = GROUP_ID
    misha = TelegramUser(telegram, user_id=MISHA)
    await misha.send("/start", expect=2)
    pid = await invite(app, MISHA)

    await misha.send("/menu")
    await misha.tap("Моё участие")
    assert misha.texts[0] is not None
    assert misha.texts[0].startswith("Вас пригласили в программу наставничества «Равный — равному»")
    await misha.tap("Начать")
    await misha.send("Миша Иванов")
    await misha.send("6Б")
    [needed, forward, waiting] = await misha.send("14.03.2014", expect=3)
    assert needed.text is not None
    assert needed.text.startswith("Вам ещё нет 14 лет")
    assert forward.text is not None
    match = VK_LINK_RE.search(forward.text)
    assert match is not None, forward.text
    assert f"https://t.me/nastavnik_test_bot?start={match.group(1)}" in forward.text
    assert waiting.labels == ["Новая ссылка", "В меню", "Отмена"]

    mother = VkUser(vk, user_id=MOTHER)
    [welcome, consent] = await mother.writes("Начать", 2, ref=match.group(1))
    assert welcome.text.startswith("Здравствуйте! Я «Наставник»")
    assert consent.text.startswith("Согласие родителя (законного представителя) (версия parent-v2)")
    assert "Миша Иванов (класс 6Б) просит разрешения" in consent.text
    assert consent.labels == ["Не даю согласия", "Отмена"]
    [confirm] = await mother.writes("Елена Викторовна Иванова", 1)
    assert confirm.text.startswith("Елена Викторовна Иванова, подтвердите:")
    [thanks, _menu] = await mother.taps("Даю согласие", 2)
    assert thanks.text.startswith("Спасибо! Согласие записано. Миша Иванов получит сообщение")

    async with app.database.sessions() as session:
        rows = list(await session.scalars(select(Consent).order_by(Consent.id)))
        status = await session.scalar(select(Participant.status).where(Participant.id == pid))
    assert [(r.relation, r.status, r.channel, r.signer_name) for r in rows] == [
        (ConsentRelation.PARENT, ConsentStatus.GRANTED, Channel.VK, "Елена Викторовна Иванова")
    ] * 2
    assert status is ParticipantStatus.ONBOARDING

    api = TelegramAPIServer.from_base(telegram.base_url)
    client = Bot(TOKEN, session=AiohttpSession(api=api))
    try:
        worker = DeliveryWorker(
            app.database, app.translator, {Channel.TELEGRAM: TelegramSender(client)}, clock
        )
        assert (await worker.run_once()).sent == 2  # the child and the curator
    finally:
        await client.session.close()
    assert misha.last.text is not None
    assert misha.last.text.startswith(
        "Родитель дал согласие на ваше участие в программе «Равный — равному»."
    )
    [told] = telegram.messages(CURATOR)
    assert told.text == (
        "Родитель дал согласие: Миша Иванов продолжает регистрацию в программе «Равный — равному»."
    )
