"""Surveys in chat: the pulse survey opens from its notification's button, is answered with the
questionnaire's steps (back, review, change), and once confirmed cannot change; a stranger's link
changes nothing; the «Опросы» menu entry shows only while a survey waits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.messages import LINK_BUTTON
from bot.services import Services
from bot.services.programs import CLI
from bot.services.surveys import invite_key, reminder_key
from storage import (
    Feedback,
    MessengerAccount,
    Notification,
    NotificationStatus,
    Program,
)
from tests.chat import Chat
from tests.pair_chats import MENTEE, MENTOR, open_pair

BACK, CANCEL, DONE = "← Назад", "Отмена", "Готово"
SURVEYS = "Опросы"


@pytest.fixture
async def program_id(app: App, clock: FrozenClock, dasha: Chat, misha: Chat, stranger: Chat) -> int:
    """Дарья mentors Миша since now, in a program at stage 6; a stranger is in the program."""

    def at_work(program: Program) -> None:
        program.stage = 6

    paired = await open_pair(
        app,
        dasha,
        misha,
        stranger,
        created_at=clock.now(),
        approved_at=clock.now(),
        program=at_work,
    )
    return paired.program_id


async def pulse(app: App, clock: FrozenClock) -> dict[int, int]:
    """Four weeks on, the hourly job sends round 1: {recipient person id: survey id}."""
    clock.advance(timedelta(weeks=4))
    async with app.database.transaction() as session:
        assert await Services(session, clock, app.policy).surveys.plan_pulse() == 2
        rows = await session.scalars(select(Notification).where(Notification.kind == "survey"))
        invites = [row for row in rows if row.payload["text_id"] == "survey-pulse-invite"]
        result = {}
        for row in invites:
            ((label, link),) = row.payload["links"]
            assert label == "survey-button-open"
            result[row.recipient_person_id] = int(link.removeprefix("s"))
        return result


def number(chat: Chat) -> int:
    """The number of the question shown."""
    assert chat.last.text_id == "questionnaire-question", chat.ids
    return int(str(chat.last.args["number"]))


async def person_of(app: App, user_id: str) -> int:
    async with app.database.sessions() as session:
        person_id = await session.scalar(
            select(MessengerAccount.person_id).where(MessengerAccount.external_user_id == user_id)
        )
        assert person_id is not None
        return person_id


async def feedback(app: App, survey_id: int) -> Feedback:
    async with app.database.sessions() as session:
        return await session.get_one(Feedback, survey_id)


async def test_a_pulse_survey_from_the_button_to_the_thanks(
    app: App, clock: FrozenClock, program_id: int, misha: Chat
) -> None:
    await misha.send("/menu")
    assert SURVEYS not in misha.labels, "no survey waits yet"
    survey_id = (await pulse(app, clock))[await person_of(app, MENTEE)]
    await misha.send("/menu")
    assert SURVEYS in misha.labels

    await misha.press(f"{LINK_BUTTON}s{survey_id}")
    assert misha.ids == ["survey-intro", "questionnaire-question"]
    assert misha.replies[0].text.startswith("Опрос «Как дела с наставником?»: 4 вопроса.")
    assert misha.labels == ["1", "2", "3", "4", "5", CANCEL]
    await misha.tap("4")
    assert number(misha) == 2
    assert misha.labels[:11] == [str(n) for n in range(11)]
    assert [len(row) for row in misha.last.buttons] == [6, 5, 2]
    await misha.tap("9")
    assert (await feedback(app, survey_id)).answers == {"satisfaction": 4, "nps": 9}, "at once"
    await misha.tap("Не хватает времени")
    await misha.tap(DONE)
    assert number(misha) == 4
    assert misha.last.accepts_text

    await misha.tap(BACK)
    assert number(misha) == 3
    assert "✓ Не хватает времени" in misha.labels
    await misha.tap(DONE)
    await misha.send("Всё хорошо, но мало времени")
    assert misha.ids == ["questionnaire-review"]
    assert misha.last.text.splitlines()[2:6] == [
        "1. Как проходят встречи: 4 из 5",
        "2. Посоветую программу: 9 из 10",
        "3. Что мешает: Не хватает времени",
        "4. Для куратора: Всё хорошо, но мало времени",
    ]
    await misha.tap("Изменить ответ")
    await misha.tap("2. Посоветую программу")
    assert misha.labels[9] == "✓ 9"
    await misha.tap("10")
    assert misha.ids == ["questionnaire-review"]

    await misha.tap("Всё верно")
    assert misha.ids == ["survey-done", "menu-title"]
    assert SURVEYS not in misha.labels, "nothing waits any more"
    row = await feedback(app, survey_id)
    assert row.answers == {
        "satisfaction": 4,
        "nps": 10,
        "obstacles": ["time"],
        "comment": "Всё хорошо, но мало времени",
    }
    assert row.completed_at == clock.now()
    async with app.database.sessions() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Notification.key, Notification.status).where(
                        Notification.key.in_((invite_key(survey_id), reminder_key(survey_id)))
                    )
                )
            ).all()
        )
    assert statuses[reminder_key(survey_id)] is NotificationStatus.SKIPPED

    # The old button again: a clear message, nothing changes.
    await misha.press(f"{LINK_BUTTON}s{survey_id}")
    assert misha.ids == ["survey-answered", "menu-title"]
    assert (await feedback(app, survey_id)).answers == row.answers


async def test_a_strangers_link_changes_nothing(
    app: App, clock: FrozenClock, program_id: int, stranger: Chat
) -> None:
    surveys = await pulse(app, clock)
    survey_id = surveys[await person_of(app, MENTEE)]
    await stranger.press(f"{LINK_BUTTON}s{survey_id}")
    assert stranger.ids == ["survey-unavailable", "menu-title"]
    await stranger.start(f"s{survey_id}")
    assert stranger.ids == ["survey-unavailable", "menu-title"]
    await stranger.start("s99999999")
    assert stranger.ids == ["survey-unavailable", "menu-title"]
    assert SURVEYS not in stranger.labels
    assert (await feedback(app, survey_id)).answers is None


async def test_the_menu_lists_open_surveys_and_resumes_one(
    app: App, clock: FrozenClock, program_id: int, dasha: Chat
) -> None:
    survey_id = (await pulse(app, clock))[await person_of(app, MENTOR)]
    async with app.database.transaction() as session:
        assert await Services(session, clock, app.policy).surveys.start_final(CLI, program_id) == 3
    await dasha.send("/menu")
    await dasha.tap(SURVEYS)
    assert dasha.ids == ["survey-list"]
    assert dasha.labels == [
        "Итоговый опрос — «Равный — равному»",
        "Опрос № 1 — «Равный — равному»",
        CANCEL,
    ]
    await dasha.tap("Опрос № 1 — «Равный — равному»")
    assert dasha.ids == ["survey-intro", "questionnaire-question"]
    await dasha.tap("5")
    await dasha.tap(CANCEL)
    assert (await feedback(app, survey_id)).answers == {"satisfaction": 5}

    await dasha.tap(SURVEYS)
    await dasha.tap("Опрос № 1 — «Равный — равному»")
    assert dasha.ids == ["survey-resume", "questionnaire-question"]
    assert number(dasha) == 2
    for label in ("7", "Нужна помощь куратора", DONE, "Пропустить", "Всё верно"):
        await dasha.tap(label)
    assert dasha.ids == ["survey-done", "survey-list"], "one more waits: back to the list"
    assert dasha.labels == ["Итоговый опрос — «Равный — равному»", CANCEL]
    assert (await feedback(app, survey_id)).answers == {
        "satisfaction": 5,
        "nps": 7,
        "obstacles": ["support"],
        "comment": None,
    }
