"""A pair's meeting end to end: the mentor in the real aiogram client (Vladivostok), the mentee
in the real vkbottle client (Kaliningrad); proposal → counter-proposal → confirmation with the
.ics file → both reminders at the right moments → "did it happen?" → feedback; a cancelled
meeting's reminders never go out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.handlers.telegram import TelegramSender
from bot.handlers.vk import VkChannel, VkSender
from bot.services.outbox import DeliveryWorker
from storage import (
    Channel,
    Feedback,
    Meeting,
    MeetingStatus,
    MessengerAccount,
    Pair,
    PairMember,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
    Person,
)
from tests.e2e.fake_telegram import TOKEN, FakeTelegram
from tests.e2e.fake_vk import FakeVk
from tests.e2e.test_telegram import TelegramUser, polling
from tests.e2e.test_vk import VkUser, running
from tests.integration import factories

DASHA, MISHA = 5005, 6006


@pytest.fixture
async def telegram(app: App) -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    async with polling(app.conversation, fake):
        yield fake
    await fake.stop()


@pytest.fixture
async def vk(app: App) -> AsyncIterator[tuple[FakeVk, VkChannel]]:
    fake = FakeVk()
    await fake.start()
    async with running(app.conversation, fake) as channel:
        yield fake, channel
    await fake.stop()
    assert fake.errors == []
    assert fake.duplicates == []


async def pair_up(app: App) -> None:
    """Дарья (Telegram, Vladivostok) mentors Миша (VK, Kaliningrad)."""
    async with app.database.transaction() as session:
        org = await factories.organization(session)
        prog = await factories.program(session, org)
        parts = {}
        for channel, user_id, name, zone, role in (
            (Channel.TELEGRAM, DASHA, "Дарья", "Asia/Vladivostok", ParticipantRole.MENTOR),
            (Channel.VK, MISHA, "Миша", "Europe/Kaliningrad", ParticipantRole.MENTEE),
        ):
            who = await session.scalar(
                select(Person)
                .join(MessengerAccount, MessengerAccount.person_id == Person.id)
                .where(
                    MessengerAccount.channel == channel,
                    MessengerAccount.external_user_id == str(user_id),
                )
            )
            assert who is not None
            who.full_name, who.timezone = name, zone
            part = await factories.participant(session, prog, who, role)
            part.status = ParticipantStatus.MATCHED
            parts[role] = part
        pair = await factories.add(
            session,
            Pair(
                program_id=prog.id,
                status=PairStatus.ACTIVE,
                mentor_participant_id=parts[ParticipantRole.MENTOR].id,
                created_at=factories.NOW,
            ),
        )
        for part in parts.values():
            session.add(
                PairMember(
                    pair_id=pair.id,
                    participant_id=part.id,
                    role=part.role,
                    joined_at=pair.created_at,
                )
            )


async def meetings(app: App) -> list[Meeting]:
    async with app.database.sessions() as session:
        return list(await session.scalars(select(Meeting).order_by(Meeting.id)))


async def test_a_meeting_across_telegram_and_vk(
    app: App, clock: FrozenClock, telegram: FakeTelegram, vk: tuple[FakeVk, VkChannel]
) -> None:
    vk_fake, channel = vk
    dasha = TelegramUser(telegram, user_id=DASHA)
    misha = VkUser(vk_fake, user_id=MISHA)
    await dasha.send("/start", expect=2)
    await misha.writes("Начать", 2)
    await pair_up(app)
    api = TelegramAPIServer.from_base(telegram.base_url)
    client = Bot(TOKEN, session=AiohttpSession(api=api))
    worker = DeliveryWorker(
        app.database,
        app.translator,
        {Channel.TELEGRAM: TelegramSender(client), Channel.VK: VkSender(channel)},
        clock,
    )
    try:
        # Дарья proposes Thursday 26 November, 18:00 her time (08:00 UTC).
        await dasha.send("/menu")
        await dasha.tap("Мои встречи")
        await dasha.tap("Предложить встречу: Миша")
        await dasha.tap("чт, 26.11")
        await dasha.send("18:00")
        await dasha.tap("60 мин")
        await dasha.tap("встреча-знакомство (следующая по плану)")
        await dasha.send("Библиотека")
        await dasha.tap("Пропустить")
        [sent, _list] = await dasha.tap("Отправить", expect=2)
        assert sent.text == "Предложение отправлено. Ответ придёт сообщением."

        assert (await worker.run_once()).sent == 1
        [proposal] = await misha.receives(1)
        assert proposal.text.startswith("Дарья предлагает встречу")
        assert "чт, 26.11.2026, 10:00 (UTC+2)" in proposal.text  # Kaliningrad
        assert proposal.labels == ["Подтвердить", "Не смогу", "Другое время"]

        # Миша answers from the notification: another time, 11:00 his time (09:00 UTC).
        [day] = await misha.taps("Другое время", 1)
        assert day.text.startswith("В какой день?")
        await misha.taps("чт, 26.11", 1)
        await misha.writes("11:00", 1)
        await misha.taps("60 мин", 1)
        await misha.taps("встреча-знакомство (следующая по плану)", 1)
        await misha.taps("Пропустить", 1)
        await misha.writes("Знакомство", 1)
        [countered, _menu] = await misha.taps("Отправить", 2)
        assert countered.text == "Другое время отправлено. Ответ придёт сообщением."

        assert (await worker.run_once()).sent == 1
        counter = dasha.last
        assert counter.text is not None
        assert counter.text.startswith("Миша предлагает другое время")
        assert "чт, 26.11.2026, 19:00 (UTC+10)" in counter.text  # Vladivostok
        [answered, _card] = await dasha.tap("Подтвердить", expect=2)
        assert answered.text is not None
        assert answered.text.startswith("Встреча подтверждена.")
        first, second = await meetings(app)
        assert (first.status, second.status) == (MeetingStatus.COUNTERED, MeetingStatus.CONFIRMED)

        # Both get the calendar file, with the time in UTC.
        assert (await worker.run_once()).sent == 2
        telegram_file = dasha.last.file
        assert telegram_file is not None
        assert b"DTSTART:20261126T090000Z" in telegram_file.content
        [confirmed] = await misha.receives(1)
        assert confirmed.text.startswith("Встреча подтверждена:")
        assert [f.filename for f in confirmed.files] == ["meeting.ics"]
        assert b"DTSTART:20261126T090000Z" in confirmed.files[0].content

        # The reminders: nothing early, then the day before, then the hour before.
        starts = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        clock.advance(starts - timedelta(hours=24, minutes=1) - clock.now())
        assert (await worker.run_once()).sent == 0
        clock.advance(timedelta(minutes=1))
        assert (await worker.run_once()).sent == 2
        assert dasha.last.text is not None
        assert dasha.last.text.startswith("Завтра встреча")
        [tomorrow] = await misha.receives(1)
        assert "чт, 26.11.2026, 11:00 (UTC+2)" in tomorrow.text
        clock.advance(timedelta(hours=23))
        assert (await worker.run_once()).sent == 2
        assert dasha.last.text is not None
        assert dasha.last.text.startswith("Через час")
        await misha.receives(1)

        # After the end: "did it happen?", then feedback in VK.
        clock.advance(timedelta(hours=2))
        assert (await worker.run_once()).sent == 2
        [check] = await misha.receives(1)
        assert check.text.startswith("Встреча чт, 26.11.2026, 11:00 (UTC+2) состоялась?")
        [rating] = await misha.taps("Да, состоялась", 1)
        assert rating.text.startswith("Как прошла встреча?")
        await misha.taps("5", 1)
        await misha.writes("Познакомились", 1)
        [thanks, _] = await misha.taps("Пропустить", 2)
        assert thanks.text.startswith("Спасибо за отзыв!")
        async with app.database.sessions() as session:
            rows = list(await session.scalars(select(Feedback)))
        assert [(r.rating, r.done_text) for r in rows] == [(5, "Познакомились")]
        assert (await meetings(app))[1].status is MeetingStatus.HELD
    finally:
        await client.session.close()


async def test_a_cancelled_meeting_is_never_reminded(
    app: App, clock: FrozenClock, telegram: FakeTelegram, vk: tuple[FakeVk, VkChannel]
) -> None:
    vk_fake, channel = vk
    dasha = TelegramUser(telegram, user_id=DASHA)
    misha = VkUser(vk_fake, user_id=MISHA)
    await dasha.send("/start", expect=2)
    await misha.writes("Начать", 2)
    await pair_up(app)
    api = TelegramAPIServer.from_base(telegram.base_url)
    client = Bot(TOKEN, session=AiohttpSession(api=api))
    worker = DeliveryWorker(
        app.database,
        app.translator,
        {Channel.TELEGRAM: TelegramSender(client), Channel.VK: VkSender(channel)},
        clock,
    )
    try:
        await dasha.send("/menu")
        await dasha.tap("Мои встречи")
        await dasha.tap("Предложить встречу: Миша")
        await dasha.tap("пт, 27.11")
        await dasha.send("18:00")
        await dasha.tap("45 мин")
        await dasha.tap("встреча-знакомство (следующая по плану)")
        await dasha.send("https://meet.example/room")
        await dasha.tap("Пропустить")
        await dasha.tap("Отправить", expect=2)
        assert (await worker.run_once()).sent == 1
        await misha.receives(1)
        [_answered, card] = await misha.taps("Подтвердить", 2)
        assert "Отменить встречу" in card.labels
        assert (await worker.run_once()).sent == 2
        await misha.receives(1)
        [cancelled, _card] = await misha.taps("Отменить встречу", 2)
        assert cancelled.text.startswith("Встреча отменена")
        assert (await worker.run_once()).sent == 1
        notice, calendar_file = dasha.seen[-2:]  # the text, then the file with the buttons
        assert notice.text is not None
        assert notice.text.startswith("Миша отменил(а) встречу")
        assert calendar_file.file is not None
        assert b"METHOD:CANCEL" in calendar_file.file.content
        # A week later nothing else has gone out.
        clock.advance(timedelta(days=7))
        assert (await worker.run_once()).sent == 0
    finally:
        await client.session.close()
