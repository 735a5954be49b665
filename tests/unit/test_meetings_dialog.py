"""Meetings in chat: a mentor proposes through the wizard, the mentee counters from the
notification's button, the mentor confirms from another, both answer "did it happen?" and give
feedback; a stranger's forged payloads change nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.messages import LINK_BUTTON
from storage import (
    Feedback,
    HappenedAnswer,
    Meeting,
    MeetingConfirmation,
    MeetingKind,
    MeetingStatus,
    MessengerAccount,
    Notification,
    Person,
)
from tests.chat import Chat
from tests.pair_chats import MENTEE, open_pair


@pytest.fixture
async def pair_id(app: App, dasha: Chat, misha: Chat, stranger: Chat) -> int:
    """Дарья (Vladivostok, Telegram) mentors Миша (Moscow, VK); a stranger is in the program."""
    paired = await open_pair(app, dasha, misha, stranger, mentor_zone="Asia/Vladivostok")
    return paired.pair_id


async def meetings(app: App) -> list[Meeting]:
    async with app.database.transaction() as session:
        return list(await session.scalars(select(Meeting).order_by(Meeting.id)))


async def notes(app: App, text_id: str) -> list[Notification]:
    async with app.database.transaction() as session:
        rows = await session.scalars(select(Notification).order_by(Notification.id))
        return [row for row in rows if row.payload["text_id"] == text_id]


async def test_propose_counter_confirm_and_feedback_in_chat(
    app: App, clock: FrozenClock, pair_id: int, dasha: Chat, misha: Chat
) -> None:
    await dasha.send("/menu")
    await dasha.tap("Мои встречи")
    assert dasha.ids == ["meetings-list"]
    await dasha.tap("Предложить встречу: Миша")
    assert dasha.ids == ["meeting-ask-day"]
    # Today in Vladivostok is 23 November (the clock is 09:00 UTC, 19:00 there).
    assert dasha.labels[:2] == ["сегодня, 23.11", "завтра, 24.11"]
    await dasha.send("31.02")
    assert dasha.ids == ["meeting-date-invalid"]
    await dasha.tap("чт, 26.11")
    assert dasha.ids == ["meeting-ask-time"]
    await dasha.send("вечером")
    assert dasha.ids == ["meeting-time-invalid"]
    await dasha.send("18:30")
    await dasha.tap("60 мин")
    assert dasha.ids == ["meeting-ask-kind"]
    assert dasha.labels[0] == "встреча-знакомство (следующая по плану)"
    await dasha.tap(dasha.labels[0])
    await dasha.send("Библиотека, 2 этаж")
    await dasha.tap("Пропустить")
    assert dasha.ids == ["meeting-review"]
    await dasha.tap("Отправить")
    assert dasha.ids[0] == "meeting-sent"
    (first,) = await meetings(app)
    # 18:30 in Vladivostok (UTC+10) is 08:30 UTC.
    assert first.starts_at == datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
    assert (first.kind, first.place, first.status) == (
        MeetingKind.INTRO,
        "Библиотека, 2 этаж",
        MeetingStatus.PROPOSED,
    )
    proposed = await notes(app, "meeting-proposed")
    assert [n.payload["args"]["time"] for n in proposed] == ["11:30"]  # Moscow for Миша

    # Миша taps "Another time" on the notification and proposes 12:00 his time.
    await misha.press(f"{LINK_BUTTON}m{first.id}_counter")
    assert misha.ids == ["meeting-ask-day"]
    await misha.tap("чт, 26.11")
    await misha.send("12:00")
    await misha.tap("60 мин")
    await misha.tap(misha.labels[0])
    await misha.tap("Пропустить")
    assert misha.ids == ["meeting-ask-topic"]
    await misha.send("Знакомство")
    await misha.tap("Отправить")
    assert misha.ids[0] == "meeting-sent"
    assert misha.ids[-1] == "menu-title"  # opened from a notification: back to the menu
    first, second = await meetings(app)
    assert first.status is MeetingStatus.COUNTERED
    assert second.starts_at == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    # Дарья confirms from her notification's button; a second tap changes nothing.
    await dasha.press(f"{LINK_BUTTON}m{second.id}_yes")
    assert dasha.ids == ["meeting-answered", "meeting-card"]
    await dasha.press(f"{LINK_BUTTON}m{first.id}_yes")
    assert dasha.ids == ["meeting-error-decided", "meeting-card"]
    assert [m.status for m in await meetings(app)] == [
        MeetingStatus.COUNTERED,
        MeetingStatus.CONFIRMED,
    ]
    assert len(await notes(app, "meeting-confirmed")) == 2

    # After the meeting: "did it happen?" then feedback; the mentor also notes a result.
    await misha.press(f"{LINK_BUTTON}m{second.id}_held")
    assert misha.ids == ["meeting-error-too_early", "meeting-card"]
    clock.advance(datetime(2026, 11, 26, 10, 5, tzinfo=UTC) - clock.now())
    await misha.press(f"{LINK_BUTTON}m{second.id}_held")
    assert misha.ids == ["meeting-ask-rating"]
    await misha.tap("5")
    await misha.send("Познакомились и выбрали тему проекта")
    await misha.tap("Пропустить")
    assert misha.ids[0] == "meeting-feedback-thanks"
    await dasha.press(f"{LINK_BUTTON}m{second.id}_held")
    await dasha.tap("4")
    await dasha.tap("Пропустить")
    await dasha.send("Всё хорошо")
    assert dasha.ids == ["meeting-ask-result"]
    await dasha.send("План на четверть")
    assert dasha.ids[0] == "meeting-feedback-thanks"
    async with app.database.transaction() as session:
        rows = list(await session.scalars(select(Feedback).order_by(Feedback.id)))
    assert [(r.rating, r.done_text, r.comment, r.intermediate_result) for r in rows] == [
        (5, "Познакомились и выбрали тему проекта", None, None),
        (4, None, "Всё хорошо", "План на четверть"),
    ]
    assert (await meetings(app))[1].status is MeetingStatus.HELD


async def test_a_strangers_forged_payloads_change_nothing(
    app: App, pair_id: int, dasha: Chat, stranger: Chat
) -> None:
    await dasha.send("/menu")
    await dasha.tap("Мои встречи")
    await dasha.tap("Предложить встречу: Миша")
    await dasha.tap("завтра, 24.11")
    await dasha.send("18:00")
    await dasha.tap("45 мин")
    await dasha.tap(dasha.labels[0])
    await dasha.send("https://meet.example/abc")
    await dasha.tap("Пропустить")
    await dasha.tap("Отправить")
    (meeting,) = await meetings(app)
    assert meeting.online_url == "https://meet.example/abc"
    assert meeting.place is None
    for action in ("yes", "no", "counter", "held", ""):
        await stranger.press(f"{LINK_BUTTON}m{meeting.id}" + (f"_{action}" if action else ""))
        assert stranger.ids[0] == "meeting-error-not_found"
    await stranger.send("/menu")
    assert "Мои встречи" not in stranger.labels
    assert [m.status for m in await meetings(app)] == [MeetingStatus.PROPOSED]
    # Nor can the proposer answer their own proposal.
    await dasha.press(f"{LINK_BUTTON}m{meeting.id}_yes")
    assert dasha.ids == ["meeting-error-decided", "meeting-card"]
    assert [m.status for m in await meetings(app)] == [MeetingStatus.PROPOSED]


async def test_a_person_sets_their_time_zone_and_sees_times_in_it(
    app: App, pair_id: int, misha: Chat
) -> None:
    await misha.send("/menu")
    await misha.tap("Мои встречи")
    assert "Часовой пояс: Москва (UTC+3)" in misha.labels
    await misha.tap("Часовой пояс: Москва (UTC+3)")
    assert misha.ids == ["meetings-ask-zone"]
    assert len(misha.labels) == 11 + 2  # the zones, Back and Cancel
    await misha.tap("Калининград (UTC+2)")
    assert misha.ids == ["meetings-zone-saved", "meetings-list"]
    assert "Часовой пояс: Калининград (UTC+2)" in misha.labels
    async with app.database.transaction() as session:
        zone = await session.scalar(
            select(Person.timezone)
            .join(MessengerAccount, MessengerAccount.person_id == Person.id)
            .where(MessengerAccount.external_user_id == MENTEE)
        )
    assert zone == "Europe/Kaliningrad"
    await misha.tap("Предложить встречу: Дарья")
    await misha.tap("завтра, 24.11")
    await misha.send("10:00")
    await misha.tap("30 мин")
    await misha.tap(misha.labels[0])
    await misha.tap("Пропустить")
    await misha.tap("Пропустить")
    await misha.tap("Отправить")
    (meeting,) = await meetings(app)
    assert meeting.starts_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 10:00 at UTC+2


async def agree(app: App, dasha: Chat, misha: Chat, kind: str = "встреча-знакомство") -> Meeting:
    """Дарья proposes tomorrow 18:00 her time (08:00 UTC) for an hour; Миша confirms."""
    await dasha.send("/menu")
    await dasha.tap("Мои встречи")
    await dasha.tap("Предложить встречу: Миша")
    await dasha.tap("завтра, 24.11")
    await dasha.send("18:00")
    await dasha.tap("60 мин")
    await dasha.tap(next(label for label in dasha.labels if label.startswith(kind)))
    await dasha.send("Библиотека")
    await dasha.tap("Пропустить")
    await dasha.tap("Отправить")
    meeting = (await meetings(app))[-1]
    await misha.press(f"{LINK_BUTTON}m{meeting.id}_yes")
    assert misha.ids == ["meeting-answered", "meeting-card"]
    return meeting


async def test_no_asks_why_and_offers_a_new_time(
    app: App, clock: FrozenClock, pair_id: int, dasha: Chat, misha: Chat
) -> None:
    meeting = await agree(app, dasha, misha)
    clock.set(datetime(2026, 11, 24, 9, 30, tzinfo=UTC))
    await misha.press(f"{LINK_BUTTON}m{meeting.id}_missed")
    assert misha.ids == ["meeting-ask-reason"]
    assert "Записали: встреча не состоялась." in misha.last.text
    await misha.sticker()
    assert misha.ids == ["input-text-expected"]
    await misha.send("Заболел")
    assert misha.ids == ["meeting-reason-thanks", "meeting-offer-again"]
    await misha.tap("Предложить новое время")
    assert misha.ids == ["meeting-ask-day"]
    # Дарья says it was moved, skips the reason and leaves the new time for later.
    await dasha.press(f"{LINK_BUTTON}m{meeting.id}_moved")
    assert "Записали: встречу перенесли." in dasha.last.text
    await dasha.tap("Пропустить")
    assert dasha.ids == ["meeting-offer-again"]
    await dasha.tap("Позже")
    assert dasha.ids == ["menu-title"]
    async with app.database.transaction() as session:
        rows = list(
            await session.scalars(
                select(MeetingConfirmation).order_by(MeetingConfirmation.participant_id)
            )
        )
    assert [(r.happened, r.missed_reason) for r in rows] == [
        (HappenedAnswer.MOVED, None),
        (HappenedAnswer.NO, "Заболел"),
    ]
    assert (await meetings(app))[0].status is MeetingStatus.RESCHEDULED
    # The reason shows on Миша's card; a second reason is refused.
    await misha.press(f"{LINK_BUTTON}m{meeting.id}")
    assert "Почему не состоялась: Заболел" in misha.last.text


async def test_the_nudge_button_proposes_to_members_only(
    app: App, pair_id: int, misha: Chat, stranger: Chat
) -> None:
    await stranger.press(f"{LINK_BUTTON}mp{pair_id}")
    assert stranger.ids == ["meeting-error-not_found", "menu-title"]
    await misha.press(f"{LINK_BUTTON}mp{pair_id}")
    assert misha.ids == ["meeting-ask-day"]


async def test_the_planning_meeting_leads_to_the_goals_and_my_pair_sums_it_up(
    app: App, clock: FrozenClock, pair_id: int, dasha: Chat, misha: Chat
) -> None:
    meeting = await agree(app, dasha, misha, "встреча-планирование")
    clock.set(datetime(2026, 11, 24, 9, 30, tzinfo=UTC))
    await dasha.press(f"{LINK_BUTTON}m{meeting.id}_held")
    await dasha.tap("5")
    await dasha.tap("Пропустить")
    await dasha.tap("Пропустить")
    await dasha.tap("Пропустить")
    assert dasha.ids == ["meeting-feedback-thanks", "meeting-goals-offer"]
    await dasha.tap("Записать цели")
    assert dasha.ids[-1].startswith("goals-")
    await misha.send("/menu")
    await misha.tap("Моя пара")
    await misha.tap("Дарья")
    assert misha.ids == ["pair-summary-text"]
    text = misha.last.text
    assert "Встречи: проведено 1, запланировано 0" in text
    assert "встреча-планирование ✓" in text
    assert "Оценки встреч: наставник — 5.0, наставляемый — нет (из 5)" in text
    assert "Следующая по плану: встреча-знакомство" in text
    await misha.tap("Цели")
    assert misha.ids[-1].startswith("goals-")
