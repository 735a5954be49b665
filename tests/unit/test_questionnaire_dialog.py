"""The questionnaire dialog through the conversation core: answer, check, back, review, resume."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from bot.app import App, build_app
from bot.core.clock import FrozenClock
from bot.dialogs.engine import (
    JSON,
    Choice,
    ChoiceStep,
    Dialog,
    Outcome,
    Push,
    Stay,
    StepContext,
)
from bot.dialogs.questionnaire import NAME
from bot.services import Services
from storage import (
    Channel,
    MentorshipForm,
    Notification,
    NotificationStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    QuestionnaireAnswer,
)
from tests.chat import Chat, conversation_with
from tests.conftest import START, make_settings
from tests.integration import factories

BACK, CANCEL, SKIP, DONE = "← Назад", "Отмена", "Пропустить", "Готово"

TEST_YAML = """
id: test-mentee
version: 1
role: mentee
forms: [student_student]
title: {ru: Тестовая анкета, en: Test questionnaire}
questions:
  - id: colour
    type: single
    text: {ru: "Любимый цвет?", en: "Favourite colour?"}
    short: {ru: Цвет, en: Colour}
    options:
      - {id: red, text: {ru: Красный, en: Red}}
      - {id: blue, text: {ru: Синий, en: Blue}}
  - id: subjects
    type: multi
    text: Какие предметы нравятся?
    short: Предметы
    max: 2
    options:
      - {id: math, text: Математика}
      - {id: physics, text: Физика}
      - {id: art, text: ИЗО}
  - id: has_ovz
    type: yesno
    text: Есть ли особенности здоровья?
    short: ОВЗ
  - id: ovz_details
    type: text
    text: Что важно учесть?
    short: Подробности
    required: false
    max_length: 50
    show_if: {question: has_ovz, equals: true}
  - id: age
    type: number
    text: Сколько тебе лет?
    short: Возраст
    min: 5
    max: 18
  - id: mood
    type: scale
    text: Как настроение?
    short: Настроение
  - id: start
    type: date
    text: С какого числа начнём?
    short: Начало
    required: false
    min: 2026-01-01
    max: 2026-12-31
"""


def host(participant_id: JSON) -> Dialog:
    """What the onboarding does: open the questionnaire, then show its result."""

    class Open(ChoiceStep):
        async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
            ctx.data["result"] = result
            return Stay()

    async def open_questionnaire(ctx: StepContext, value: JSON) -> Outcome:
        return Push(NAME, {"participant_id": participant_id})

    async def shown(ctx: StepContext) -> dict[str, JSON]:
        return {"name": json.dumps(ctx.data.get("result"))}

    return Dialog(
        "host",
        [
            Open(
                "open",
                "demo-done",
                [Choice("open", label="open")],
                then=open_questionnaire,
                args=shown,
            )
        ],
    )


@dataclass
class Setup:
    participant_id: int
    person_id: int


async def enrol(
    app: App,
    *,
    user_id: str = "u1",
    source: str | None = TEST_YAML,
    form: MentorshipForm = MentorshipForm.STUDENT_STUDENT,
) -> Setup:
    """A person with a console account, in a program (with its own questionnaire) as a mentee."""
    async with app.database.transaction() as session:
        org = await factories.organization(session)
        person = await factories.person(session, org)
        await factories.account(session, person, channel=Channel.CONSOLE, external_user_id=user_id)
        program = await factories.program(session, org)
        program.form = form
        participant = await factories.participant(session, program, person)
        if source is not None:
            services = Services(session, app.clock, app.policy)
            await services.questionnaires.load(program.id, source, None)
        return Setup(participant.id, person.id)


async def opened(app: App, clock: FrozenClock, participant_id: JSON, user_id: str = "u1") -> Chat:
    chat = Chat(conversation_with(app, clock, host(participant_id)), user_id=user_id)
    await chat.start("host")
    await chat.tap("open")
    return chat


async def answers(app: App, participant_id: int) -> dict[str, JSON]:
    async with app.database.sessions() as session:
        rows = await session.scalars(
            select(QuestionnaireAnswer).where(QuestionnaireAnswer.participant_id == participant_id)
        )
        return {row.question_id: row.value for row in rows}


def progress(chat: Chat) -> tuple[int, int]:
    assert chat.last.text_id == "questionnaire-question", chat.ids
    return int(str(chat.last.args["number"])), int(str(chat.last.args["total"]))


def result(chat: Chat) -> JSON:
    assert chat.last.text_id == "demo-done", chat.ids
    return json.loads(str(chat.last.args["name"]))


async def to_age(chat: Chat, *, ovz: bool) -> None:
    await chat.tap("Синий")
    await chat.tap("Математика")
    await chat.tap(DONE)
    await chat.tap("Да" if ovz else "Нет")
    if ovz:
        await chat.send("Нужна тишина")
    assert chat.last.args["text"] == "Сколько тебе лет?"


async def test_a_whole_questionnaire_with_validation_review_and_edit(
    app: App, clock: FrozenClock
) -> None:
    setup = await enrol(app)
    chat = await opened(app, clock, setup.participant_id)
    assert chat.ids == ["questionnaire-intro", "questionnaire-question"]
    assert "6 вопросов" in chat.replies[0].text, "the hidden follow-up is not counted"
    assert chat.last.text.startswith("Вопрос 1 из 6\n\nЛюбимый цвет?")
    assert chat.labels == ["Красный", "Синий", BACK, CANCEL]

    await chat.tap("Синий")
    assert progress(chat) == (2, 6)
    assert chat.labels == ["Математика", "Физика", "ИЗО", DONE, BACK, CANCEL]
    assert await answers(app, setup.participant_id) == {"colour": "blue"}, "saved at once"

    await chat.tap(DONE)
    assert chat.ids == ["questionnaire-multi-min"]
    await chat.tap("Математика")
    assert [(reply.text_id, reply.edit) for reply in chat.replies] == [
        ("questionnaire-question", True)
    ], "a tick redraws the message in place"
    await chat.tap("Физика")
    assert chat.labels[:3] == ["✓ Математика", "✓ Физика", "ИЗО"]
    await chat.tap("ИЗО")
    assert chat.ids == ["questionnaire-multi-max"]
    assert "не больше 2 вариантов" in chat.last.text
    await chat.tap("✓ Физика")
    assert chat.labels[:3] == ["✓ Математика", "Физика", "ИЗО"]
    await chat.tap(DONE)
    assert not chat.last.edit, "the next question is a new message"
    assert progress(chat) == (3, 6)
    assert chat.labels == ["Да", "Нет", BACK, CANCEL]
    assert [len(row) for row in chat.last.buttons] == [2, 2]

    await chat.tap("Да")
    assert progress(chat) == (4, 7), "the follow-up appears"
    assert chat.last.accepts_text
    assert chat.labels == [SKIP, BACK, CANCEL]
    await chat.send("ы" * 51)
    assert chat.ids == ["input-too-long"]
    await chat.send("Нужна тишина")

    assert progress(chat) == (5, 7)
    assert "Нужно число от 5 до 18." in chat.last.text
    for typed, error in [
        ("двенадцать", "questionnaire-number-invalid"),
        ("4", "questionnaire-number-range"),
        ("12,5", "questionnaire-number-whole"),
    ]:
        await chat.send(typed)
        assert chat.ids == [error], typed
    await chat.send("12")

    assert progress(chat) == (6, 7)
    assert [len(row) for row in chat.last.buttons] == [5, 2], "a scale is one row"
    await chat.tap("4")

    assert progress(chat) == (7, 7)
    for typed, error in [
        ("завтра", "questionnaire-date-invalid"),
        ("31.02.2026", "questionnaire-date-invalid"),
        ("01.01.2025", "questionnaire-date-early"),
        ("01.01.2027", "questionnaire-date-late"),
    ]:
        await chat.send(typed)
        assert chat.ids == [error], typed
    assert "не позже 31.12.2026" in chat.last.text
    await chat.tap(SKIP)

    assert chat.ids == ["questionnaire-review"]
    assert chat.last.text.splitlines()[:9] == [
        "Проверьте ответы — «Тестовая анкета»:",
        "",
        "1. Цвет: Синий",
        "2. Предметы: Математика",
        "3. ОВЗ: Да",
        "4. Подробности: Нужна тишина",
        "5. Возраст: 12",
        "6. Настроение: 4 из 5",
        "7. Начало: пропущено",
    ]
    assert chat.labels == ["Всё верно", "Изменить ответ", BACK, CANCEL]

    await chat.tap("Изменить ответ")
    assert chat.ids == ["questionnaire-pick"]
    assert chat.labels[:3] == ["1. Цвет", "2. Предметы", "3. ОВЗ"]
    await chat.tap("3. ОВЗ")
    assert progress(chat) == (3, 7)
    assert chat.labels[:2] == ["✓ Да", "Нет"], "the current answer is marked"
    assert chat.labels[-2:] == [BACK, CANCEL]
    await chat.tap("Нет")
    assert chat.ids == ["questionnaire-review"], "back to the review after the change"
    assert "Подробности" not in chat.last.text
    assert "3. ОВЗ: Нет" in chat.last.text
    assert "ovz_details" not in await answers(app, setup.participant_id), "hidden answer cleared"

    await chat.tap("Всё верно")
    assert chat.ids == ["questionnaire-done", "demo-done"]
    assert result(chat) == {"done": True}
    assert await answers(app, setup.participant_id) == {
        "colour": "blue",
        "subjects": ["math"],
        "has_ovz": False,
        "age": 12,
        "mood": 4,
        "start": None,
    }
    async with app.database.sessions() as session:
        participant = await session.get_one(Participant, setup.participant_id)
        assert participant.questionnaire_done_at == START
        assert (participant.questionnaire_key, participant.questionnaire_version) == (
            "test-mentee",
            1,
        )


async def test_a_change_that_reveals_a_question_asks_it_before_the_review(
    app: App, clock: FrozenClock
) -> None:
    setup = await enrol(app)
    chat = await opened(app, clock, setup.participant_id)
    await to_age(chat, ovz=False)
    await chat.send("12")
    await chat.tap("3")
    await chat.send("01.09.2026")
    assert chat.ids == ["questionnaire-review"]
    await chat.tap("Изменить ответ")
    await chat.tap("3. ОВЗ")
    await chat.tap("Да")
    assert progress(chat) == (4, 7)
    assert chat.last.args["text"] == "Что важно учесть?"
    assert chat.labels == [SKIP, BACK, CANCEL]
    await chat.tap(BACK)
    assert chat.ids == ["questionnaire-review"], "Back while changing leads to the review"
    await chat.tap("Всё верно")
    assert chat.ids == ["questionnaire-unanswered", "questionnaire-question"]
    await chat.tap(SKIP)
    assert chat.ids == ["questionnaire-review"]
    assert "4. Подробности: пропущено" in chat.last.text


async def test_back_goes_to_the_previous_visible_question(app: App, clock: FrozenClock) -> None:
    setup = await enrol(app)
    chat = await opened(app, clock, setup.participant_id)
    await to_age(chat, ovz=False)
    assert progress(chat) == (4, 6)
    await chat.tap(BACK)
    assert progress(chat) == (3, 6)
    assert chat.labels[:2] == ["Да", "✓ Нет"]
    await chat.send("/back")
    assert progress(chat) == (2, 6)
    assert chat.labels[:3] == ["✓ Математика", "Физика", "ИЗО"], "ticks come from the answer"
    await chat.tap(BACK)
    assert progress(chat) == (1, 6)
    await chat.tap("✓ Синий")
    await chat.tap(DONE)
    await chat.tap("Да")
    assert progress(chat) == (4, 7)
    await chat.send("Тихое место")
    await chat.tap(BACK)
    assert progress(chat) == (4, 7)
    assert "Сейчас: Тихое место." in chat.last.text
    assert chat.labels == ["Оставить как есть", SKIP, BACK, CANCEL]
    await chat.tap("Оставить как есть")
    assert progress(chat) == (5, 7)
    await chat.send("12")
    await chat.tap("5")
    await chat.tap(SKIP)
    assert chat.ids == ["questionnaire-review"]
    await chat.tap(BACK)
    assert progress(chat) == (7, 7), "Back from the review shows the last question"
    await chat.tap(SKIP)
    await chat.tap("Изменить ответ")
    await chat.tap(BACK)
    assert chat.ids == ["questionnaire-review"]

    for _ in range(7):
        await chat.tap(BACK)
    assert progress(chat) == (1, 7)
    await chat.tap(BACK)
    assert chat.ids == ["demo-done"], "Back on the first question leaves to the opener"
    assert result(chat) is None
    assert (await answers(app, setup.participant_id))["ovz_details"] == "Тихое место"


async def test_reopening_resumes_at_the_first_unanswered_question(
    app: App, clock: FrozenClock
) -> None:
    setup = await enrol(app)
    chat = await opened(app, clock, setup.participant_id)
    await to_age(chat, ovz=True)
    await chat.send("/cancel")
    assert chat.ids == ["dialog-cancelled", "menu-title"]

    chat = await opened(app, clock, setup.participant_id)
    assert chat.ids == ["questionnaire-resume", "questionnaire-question"]
    assert chat.replies[0].text.startswith("Продолжаем анкету с вопроса 5 из 7.")
    assert progress(chat) == (5, 7)
    await chat.tap(BACK)
    assert progress(chat) == (4, 7), "Back works after reopening too"


async def test_restart_keeps_the_place_and_the_answers(db_url: str, clock: FrozenClock) -> None:
    first = await build_app(make_settings(db_url), clock=clock, strict_texts=True)
    setup = await enrol(first)
    await to_age(await opened(first, clock, setup.participant_id), ovz=False)
    await first.close()

    second = await build_app(make_settings(db_url), clock=clock, strict_texts=True)
    chat = Chat(conversation_with(second, clock, host(setup.participant_id)))
    await chat.send("12")
    assert progress(chat) == (5, 6)
    await chat.tap("5")
    await chat.send("15.09.2026")
    assert chat.ids == ["questionnaire-review"]
    assert "2. Предметы: Математика" in chat.last.text
    assert "5. Настроение: 5 из 5" in chat.last.text
    await chat.tap("Всё верно")
    assert result(chat) == {"done": True}
    await second.close()


async def test_reminders_are_planned_once_and_skipped_on_completion(
    app: App, clock: FrozenClock
) -> None:
    setup = await enrol(app)
    chat = await opened(app, clock, setup.participant_id)
    await chat.send("/cancel")
    clock.advance(timedelta(hours=1))
    chat = await opened(app, clock, setup.participant_id)

    async def reminders() -> list[tuple[str, NotificationStatus, JSON, str | None]]:
        async with app.database.sessions() as session:
            rows = await session.scalars(
                select(Notification)
                .where(Notification.kind == "questionnaire-reminder")
                .order_by(Notification.key)
            )
            return [(row.key, row.status, row.due_at, row.last_error) for row in rows]

    pid = setup.participant_id
    assert await reminders() == [
        (
            f"questionnaire-reminder:{pid}:1",
            NotificationStatus.PENDING,
            START + timedelta(days=3),
            None,
        ),
        (
            f"questionnaire-reminder:{pid}:2",
            NotificationStatus.PENDING,
            START + timedelta(days=7),
            None,
        ),
    ], "planned when first opened, not again"
    async with app.database.transaction() as session:
        first = await session.scalar(select(Notification).where(Notification.key.endswith(":1")))
        assert first is not None
        first.status = NotificationStatus.SENT

    await to_age(chat, ovz=False)
    await chat.send("12")
    await chat.tap("3")
    await chat.tap(SKIP)
    await chat.tap("Всё верно")
    assert result(chat) == {"done": True}
    assert [(key[-1], status, error) for key, status, _, error in await reminders()] == [
        ("1", NotificationStatus.SENT, None),
        ("2", NotificationStatus.SKIPPED, "questionnaire done"),
    ]


async def test_a_finished_questionnaire_reopens_at_the_review(app: App, clock: FrozenClock) -> None:
    setup = await enrol(app)
    chat = await opened(app, clock, setup.participant_id)
    await to_age(chat, ovz=False)
    await chat.send("12")
    await chat.tap("3")
    await chat.tap(SKIP)
    await chat.tap("Всё верно")
    chat = await opened(app, clock, setup.participant_id)
    assert chat.ids == ["questionnaire-review"]
    await chat.tap("Всё верно")
    assert chat.ids == ["questionnaire-done", "demo-done"]


async def test_forged_participants_are_refused_politely(app: App, clock: FrozenClock) -> None:
    setup = await enrol(app)
    other = await enrol(app, user_id="u2")
    for forged in (other.participant_id, 10_000, "1", None, True):
        chat = await opened(app, clock, forged)
        assert chat.ids == ["questionnaire-unavailable"], forged
        assert chat.labels == ["Понятно", BACK, CANCEL]
        await chat.tap("Понятно")
        assert result(chat) == {"done": False}
    assert await answers(app, other.participant_id) == {}
    assert await answers(app, setup.participant_id) == {}


async def test_stale_and_forged_buttons_change_nothing(app: App, clock: FrozenClock) -> None:
    setup = await enrol(app)
    chat = await opened(app, clock, setup.participant_id)
    colours = chat.keyboard
    await chat.tap("Красный")
    subjects = chat.keyboard
    await chat.press(colours[1].payload)
    assert chat.ids == ["button-stale", "questionnaire-question"]
    assert progress(chat) == (2, 6)
    nonce = chat.keyboard[0].payload.split(":")[0]
    for forged in (f"{nonce}:9", f"{nonce}:-1", "zz:0", subjects[0].payload):
        await chat.press(forged)
        assert chat.ids == ["button-stale", "questionnaire-question"], forged
    assert await answers(app, setup.participant_id) == {"colour": "red"}
    await chat.send("Физика")
    assert chat.labels[:2] == ["Математика", "✓ Физика"], "a typed label counts as a tap"


async def test_a_participant_who_left_is_let_go(app: App, clock: FrozenClock) -> None:
    setup = await enrol(app)
    chat = await opened(app, clock, setup.participant_id)
    await chat.tap("Синий")
    async with app.database.transaction() as session:
        participant = await session.get_one(Participant, setup.participant_id)
        participant.status = ParticipantStatus.LEFT
    await chat.tap("Математика")
    assert chat.ids == ["questionnaire-unavailable", "demo-done"]
    assert result(chat) == {"done": False}


async def test_english_texts_come_from_the_file_with_russian_fallback(
    app: App, clock: FrozenClock
) -> None:
    setup = await enrol(app)
    chat = Chat(conversation_with(app, clock, host(setup.participant_id)), language="en")
    async with app.database.transaction() as session:
        participant = await session.get_one(Participant, setup.participant_id)
        person = await session.get_one(Person, participant.person_id)
        person.locale = "en"
    await chat.start("host")
    await chat.tap("open")
    assert chat.last.text.startswith("Question 1 of 6\n\nFavourite colour?")
    assert chat.labels[:2] == ["Red", "Blue"]
    await chat.tap("Blue")
    assert chat.last.args["text"] == "Какие предметы нравятся?", "no English: Russian"
    assert chat.labels[3] == "Done"


async def test_the_built_in_mentee_questionnaire_end_to_end(app: App, clock: FrozenClock) -> None:
    setup = await enrol(app, source=None)
    chat = await opened(app, clock, setup.participant_id)
    assert "Анкета «Анкета наставляемого»: 9 вопросов" in chat.replies[0].text
    await chat.tap("Спорт")
    await chat.tap("Книги")
    await chat.tap(DONE)
    await chat.tap("Математика")
    await chat.tap(DONE)
    assert progress(chat) == (3, 10), "maths picked: the follow-up about maths shows"
    await chat.tap("Уравнения")
    await chat.tap(DONE)
    await chat.tap("Подтянуть оценки")
    await chat.tap(DONE)
    await chat.tap("Учёба даётся с трудом")
    assert len(chat.last.buttons[0]) == 5, "the scale in one row"
    await chat.tap("2")
    await chat.tap("Онлайн")
    await chat.tap(DONE)
    await chat.tap("Суббота")
    await chat.tap(DONE)
    await chat.tap("Нет")
    assert progress(chat) == (10, 10)
    await chat.tap(SKIP)
    assert chat.ids == ["questionnaire-review"]
    await chat.tap("Всё верно")
    assert result(chat) == {"done": True}
    async with app.database.sessions() as session:
        services = Services(session, clock, app.policy)
        state = await services.questionnaires.progress(setup.participant_id)
        assert (state.key, state.answered, state.total, state.done) == (
            "mentee-student",
            10,
            10,
            True,
        )


async def test_a_mentor_in_a_teacher_program_sees_the_teacher_questions(
    app: App, clock: FrozenClock
) -> None:
    async with app.database.transaction() as session:
        org = await factories.organization(session)
        person = await factories.person(session, org)
        await factories.account(session, person, channel=Channel.CONSOLE, external_user_id="u1")
        program = await factories.program(session, org)
        program.form = MentorshipForm.TEACHER_TEACHER
        participant = await factories.participant(
            session, program, person, role=ParticipantRole.MENTOR
        )
    chat = await opened(app, clock, participant.id)
    assert progress(chat) == (1, 9)
    await chat.tap("Педагог этой школы")
    await chat.send("15")
    assert (
        chat.last.args["text"]
        == "В чём вы можете поддержать коллегу? Выберите свои сильные стороны."
    )
