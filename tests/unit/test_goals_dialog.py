"""Goals in chat: the mentor records three goals at the planning meeting, the mentee is told
with a button to them, updates progress with a button and a typed "60%", adds a note, marks one
done and drops one; in a teacher-teacher program a goal is a roadmap step with its area, product
and due date; Back works from every wizard step; strangers and forged payloads change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.messages import LINK_BUTTON
from bot.dialogs.engine import Choice, ChoiceStep, Dialog, Outcome, Push, StepContext
from storage import (
    Channel,
    Goal,
    GoalProgress,
    GoalStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MentorshipForm,
    Notification,
    Pair,
    PairKind,
    PairMember,
    PairStatus,
    Participant,
    Person,
    Program,
    RoleModel,
)
from tests.chat import Chat, conversation_with
from tests.integration import factories as f
from tests.pair_chats import MENTOR, open_pair

AREA_BUTTONS = [
    "Предметная подготовка",
    "Методика преподавания",
    "Психолого-педагогическая работа",
    "Цифровые технологии (ИКТ)",
    "Воспитательная работа",
    "Здоровье и профилактика выгорания",
    "Без области",
]
CARD_BUTTONS = ["0%", "25%", "50%", "75%", "100%", "Выполнена ✓", "Заметка", "Отказаться"]
NAV = ["← Назад", "Отмена"]


async def make_pair(
    app: App, dasha: Chat, misha: Chat, stranger: Chat, form: MentorshipForm
) -> tuple[int, int]:
    """Дарья (Telegram) mentors Миша (VK) and they held the planning meeting; a stranger is in
    the program. The pair's id and the meeting's."""

    def of_form(program: Program) -> None:
        if form is MentorshipForm.TEACHER_TEACHER:
            program.form, program.role_model = form, RoleModel.COLLEAGUE_YOUNG_COLLEAGUE

    paired = await open_pair(app, dasha, misha, stranger, program=of_form)
    async with app.database.transaction() as session:
        meeting = await f.add(
            session,
            Meeting(
                pair_id=paired.pair_id,
                kind=MeetingKind.PLANNING,
                status=MeetingStatus.HELD,
                starts_at=f.NOW,
                duration_minutes=60,
                created_at=f.NOW,
                updated_at=f.NOW,
            ),
        )
        return paired.pair_id, meeting.id


@pytest.fixture
async def pair(app: App, dasha: Chat, misha: Chat, stranger: Chat) -> tuple[int, int]:
    return await make_pair(app, dasha, misha, stranger, MentorshipForm.STUDENT_STUDENT)


async def goals(app: App) -> list[Goal]:
    async with app.database.transaction() as session:
        return list(await session.scalars(select(Goal).order_by(Goal.id)))


async def history(app: App) -> list[GoalProgress]:
    async with app.database.transaction() as session:
        return list(await session.scalars(select(GoalProgress).order_by(GoalProgress.id)))


async def notes(app: App, text_id: str) -> list[Notification]:
    async with app.database.transaction() as session:
        rows = await session.scalars(select(Notification).order_by(Notification.id))
        return [row for row in rows if row.payload["text_id"] == text_id]


async def counts(app: App) -> tuple[int, ...]:
    async with app.database.transaction() as session:
        return tuple(
            [
                int(await session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (Goal, GoalProgress, Notification)
            ]
        )


async def test_goals_recorded_then_updated_by_the_mentee(
    app: App, pair: tuple[int, int], dasha: Chat, misha: Chat
) -> None:
    pair_id, _ = pair
    await dasha.start(f"g{pair_id}")
    assert dasha.ids == ["goals-empty"]
    assert "встрече-планировании" in dasha.last.text
    assert dasha.labels == ["Добавить цель", "Закрыть", "Отмена"]
    await dasha.send("привет")
    assert dasha.ids == ["input-use-buttons"]
    titles = ["Проект к конференции", "Геометрия на четвёрку", "Прочитать три книги"]
    for title in titles:
        await dasha.tap("Добавить цель")
        assert dasha.ids == ["goals-ask-title"]
        assert dasha.labels == NAV
        await dasha.send(title)
        assert dasha.ids == ["goals-saved", "goals-list"]
    assert dasha.labels == [
        "1. Проект к конференции · 0%",
        "2. Геометрия на четвёрку · 0%",
        "3. Прочитать три книги · 0%",
        "Добавить цель",
        "Закрыть",
        "Отмена",
    ]
    assert "▱▱▱▱▱ 0% · в работе" in dasha.last.text
    assert [(g.title, g.progress, g.status) for g in await goals(app)] == [
        (t, 0, GoalStatus.OPEN) for t in titles
    ]

    # Миша gets a message per goal with a button that opens them.
    added = await notes(app, "goals-added")
    assert [n.payload["args"]["title"] for n in added] == titles
    assert added[0].payload["links"] == [["goals-button-open", f"g{pair_id}"]]
    await misha.press(f"{LINK_BUTTON}g{pair_id}")
    assert misha.ids == ["goals-list"]
    await misha.tap("1. Проект к конференции · 0%")
    assert misha.ids == ["goals-card"]
    assert misha.labels == CARD_BUTTONS + NAV
    await misha.tap("50%")
    assert misha.ids == ["goals-progress-saved", "goals-card"]
    assert "▰▰▱▱▱ 50%" in misha.last.text
    await misha.send("много")
    assert misha.ids == ["goals-progress-invalid"]
    await misha.send("150")
    assert misha.ids == ["goals-progress-invalid"]
    await misha.send("60%")
    assert misha.ids == ["goals-progress-saved", "goals-card"]
    assert misha.replies[0].text == "Записано: 60%."
    await misha.send("60")
    assert misha.ids == ["goals-error-unchanged"]
    await misha.tap("Заметка")
    assert misha.ids == ["goals-ask-note"]
    await misha.send("Тема выбрана, нужен план")
    assert misha.ids == ["goals-note-saved", "goals-card"]
    assert "«Тема выбрана, нужен план»" in misha.last.text
    await misha.tap("← Назад")
    assert misha.ids == ["goals-list"]
    assert "▰▰▰▱▱ 60% · в работе" in misha.last.text

    # Done: the mentor is told; a second tap on the old button changes nothing.
    await misha.tap("2. Геометрия на четвёрку · 0%")
    done = misha.button("Выполнена ✓").payload
    await misha.press(done)
    assert misha.ids == ["goals-done-saved", "goals-card"]
    assert misha.labels == ["Вернуть в работу", "Заметка", *NAV]
    await misha.press(done)
    assert misha.ids == ["button-stale", "goals-card"]
    closed = await notes(app, "goals-closed")
    assert [(n.payload["args"]["status"], n.payload["links"]) for n in closed] == [
        ("done", [["goals-button-open", f"g{pair_id}"]])
    ]

    # Dropping asks first; dropped goals go to the end of the list.
    await misha.tap("← Назад")
    await misha.tap("3. Прочитать три книги · 0%")
    await misha.tap("Отказаться")
    assert misha.ids == ["goals-drop-confirm"]
    await misha.tap("Нет, оставить")
    assert misha.ids == ["goals-drop-kept", "goals-card"]
    await misha.tap("Отказаться")
    await misha.tap("Да, отказаться")
    assert misha.ids == ["goals-dropped", "goals-list"]
    assert misha.labels[:3] == [
        "1. Проект к конференции · 60%",
        "2. Геометрия на четвёрку · ✓",
        "3. Прочитать три книги · ✗",
    ]
    assert [(g.progress, g.status) for g in await goals(app)] == [
        (60, GoalStatus.OPEN),
        (100, GoalStatus.DONE),
        (0, GoalStatus.DROPPED),
    ]
    rows = await history(app)
    assert [(r.goal_id, r.progress, r.status, r.note) for r in rows[3:]] == [
        (1, 50, GoalStatus.OPEN, None),
        (1, 60, GoalStatus.OPEN, None),
        (1, 60, GoalStatus.OPEN, "Тема выбрана, нужен план"),
        (2, 100, GoalStatus.DONE, None),
        (3, 0, GoalStatus.DROPPED, None),
    ]
    await misha.tap("Закрыть")
    assert misha.ids == ["menu-title"]


async def test_goals_opened_at_a_meeting_are_recorded_against_it(
    app: App, clock: FrozenClock, pair: tuple[int, int], dasha: Chat
) -> None:
    pair_id, meeting_id = pair

    async def open_goals(ctx: StepContext, value: object) -> Outcome:
        return Push("goals", {"pair_id": pair_id, "meeting_id": meeting_id})

    opener = Dialog(
        "meeting_stub",
        [ChoiceStep("go", "menu-title", [Choice("go", label="go")], then=open_goals)],
    )
    chat = Chat(conversation_with(app, clock, opener), user_id=MENTOR, channel=Channel.TELEGRAM)
    await chat.start("meeting_stub")
    await chat.tap("go")
    assert chat.ids == ["goals-empty"]
    assert "будут записаны к встрече: встреча-планирование" in chat.last.text
    assert chat.labels == ["Добавить цель", "Закрыть", *NAV]  # Back returns to the meeting
    await chat.tap("Добавить цель")
    await chat.send("Проект к конференции")
    await chat.tap("1. Проект к конференции · 0%")
    await chat.tap("25%")
    (goal,) = await goals(app)
    assert goal.meeting_id == meeting_id
    assert [(r.progress, r.meeting_id) for r in await history(app)] == [
        (0, meeting_id),
        (25, meeting_id),
    ]
    await chat.tap("← Назад")
    await chat.tap("← Назад")
    assert chat.ids == ["menu-title"]  # the stub's step
    # Opened by the plain link, updates are between meetings.
    await dasha.start(f"g{pair_id}")
    await dasha.tap("1. Проект к конференции · 25%")
    await dasha.tap("50%")
    assert (await history(app))[-1].meeting_id is None


async def test_roadmap_steps_of_a_teacher_mentee(
    app: App, dasha: Chat, misha: Chat, stranger: Chat
) -> None:
    pair_id, _ = await make_pair(app, dasha, misha, stranger, MentorshipForm.TEACHER_TEACHER)
    await dasha.start(f"g{pair_id}")
    assert dasha.ids == ["goals-empty"]
    assert "Индивидуальный образовательный маршрут (ИОМ)" in dasha.last.text
    await dasha.tap("Добавить шаг")
    assert dasha.ids == ["goals-ask-title"]
    await dasha.tap("← Назад")
    assert dasha.ids == ["goals-empty"]
    await dasha.tap("Добавить шаг")
    await dasha.send("Провести открытый урок")
    assert dasha.ids == ["goals-ask-area"]
    assert dasha.labels == AREA_BUTTONS + NAV
    await dasha.tap("← Назад")
    assert dasha.ids == ["goals-ask-title"]
    await dasha.send("Провести открытый урок в 7 классе")
    await dasha.tap("Методика преподавания")
    assert dasha.ids == ["goals-ask-product"]
    assert dasha.labels == ["Пропустить", *NAV]
    await dasha.tap("← Назад")
    assert dasha.ids == ["goals-ask-area"]
    await dasha.tap("Методика преподавания")
    await dasha.send("Конспект урока и самоанализ")
    assert dasha.ids == ["goals-ask-due"]
    await dasha.tap("← Назад")
    assert dasha.ids == ["goals-ask-product"]
    await dasha.send("Конспект урока и самоанализ")
    await dasha.send("31.02")
    assert dasha.ids == ["goals-due-invalid"]
    await dasha.send("01.11.2026")
    assert dasha.ids == ["goals-error-due_date"]
    await dasha.send("15.12")
    assert dasha.ids == ["goals-saved", "goals-list"]
    assert dasha.replies[0].text.startswith("Шаг записан: «Провести открытый урок в 7 классе»")
    text = dasha.last.text
    assert "Область: Методика преподавания" in text
    assert "Продукт: Конспект урока и самоанализ" in text
    assert "Срок: до 15.12.2026" in text
    # A step with the area, product and date skipped.
    await dasha.tap("Добавить шаг")
    await dasha.send("Пройти курс по ИКТ")
    await dasha.tap("Без области")
    await dasha.tap("Пропустить")
    await dasha.tap("Пропустить")
    assert dasha.ids == ["goals-saved", "goals-list"]
    first, second = await goals(app)
    assert (first.area, first.product, first.due_on) == (
        "methods",
        "Конспект урока и самоанализ",
        date(2026, 12, 15),
    )
    assert (second.area, second.product, second.due_on) == (None, None, None)
    added = await notes(app, "goals-added")
    assert [n.recipient_person_id for n in added] == [added[0].recipient_person_id] * 2
    assert added[0].payload["args"]["roadmap"] == "yes"
    # The mentee sees a step's card in roadmap words.
    await misha.press(f"{LINK_BUTTON}g{pair_id}")
    await misha.tap(misha.labels[0])
    assert misha.ids == ["goals-card"]
    assert misha.last.text.startswith("Шаг маршрута: Провести открытый урок в 7 классе")
    assert "Выполнен ✓" in misha.labels


async def test_strangers_and_forged_payloads_change_nothing(
    app: App, pair: tuple[int, int], dasha: Chat, stranger: Chat
) -> None:
    pair_id, _ = pair
    await dasha.start(f"g{pair_id}")
    await dasha.tap("Добавить цель")
    await dasha.send("Проект к конференции")
    before = await counts(app)
    for payload in (f"g{pair_id}", "g999999"):
        await stranger.start(payload)
        assert stranger.ids == ["goals-error-not_found", "menu-title"]
        await stranger.press(f"{LINK_BUTTON}{payload}")
        assert stranger.ids == ["goals-error-not_found", "menu-title"]
    # Forged and stale buttons in the mentor's own dialog.
    nonce = dasha.keyboard[0].payload.split(":")[0]
    for payload in ("bogus:0", f"{nonce}:99", f"{nonce}:-1", f"{nonce}:back"):
        await dasha.press(payload)
        assert dasha.ids == ["button-stale", "goals-list"]
    assert await counts(app) == before

    # An ended pair's goals can be read, not changed.
    async with app.database.transaction() as session:
        ended = await session.get_one(Pair, pair_id)
        ended.status = PairStatus.FINISHED
    await dasha.start(f"g{pair_id}")
    assert dasha.ids == ["goals-list"]
    assert "Работа пары завершена" in dasha.last.text
    assert dasha.labels == ["1. Проект к конференции · 0%", "Закрыть", "Отмена"]
    await dasha.tap("1. Проект к конференции · 0%")
    assert dasha.labels == NAV
    await dasha.send("50")
    assert dasha.ids == ["input-use-buttons"]
    assert await counts(app) == before


async def test_the_eleventh_open_goal_is_refused_before_the_wizard(
    app: App, pair: tuple[int, int], dasha: Chat
) -> None:
    pair_id, _ = pair
    async with app.database.transaction() as session:
        for n in range(10):
            session.add(
                Goal(
                    pair_id=pair_id,
                    title=f"Цель {n}",
                    position=n,
                    created_at=f.NOW,
                    updated_at=f.NOW,
                )
            )
    await dasha.start(f"g{pair_id}")
    await dasha.tap("Добавить цель")
    assert dasha.ids == ["goals-error-full"]
    assert "уже 10 открытых целей" in dasha.last.text
    assert len(await goals(app)) == 10


async def test_a_group_mentor_sets_a_goal_for_one_mentee(
    app: App, pair: tuple[int, int], dasha: Chat, misha: Chat, stranger: Chat
) -> None:
    pair_id, _ = pair
    async with app.database.transaction() as session:
        group = await session.get_one(Pair, pair_id)
        group.kind = PairKind.GROUP
        anna = await session.scalar(
            select(Participant)
            .join(Person, Person.id == Participant.person_id)
            .where(Person.full_name == "Чужой")
        )
        assert anna is not None
        session.add(
            PairMember(pair_id=pair_id, participant_id=anna.id, role=anna.role, joined_at=f.NOW)
        )
    await dasha.start(f"g{pair_id}")
    await dasha.tap("Добавить цель")
    await dasha.send("Выступить на конкурсе")
    assert dasha.ids == ["goals-ask-whom"]
    assert dasha.labels == ["Для всей группы", "Миша", "Чужой", *NAV]
    await dasha.tap("← Назад")
    assert dasha.ids == ["goals-ask-title"]
    await dasha.send("Выступить на конкурсе")
    await dasha.tap("Чужой")
    assert dasha.ids == ["goals-saved", "goals-list"]
    assert "Для кого: Чужой" in dasha.last.text
    await dasha.tap("Добавить цель")
    await dasha.send("Общий проект")
    await dasha.tap("Для всей группы")
    first, second = await goals(app)
    assert (first.participant_id, second.participant_id) == (anna.id, None)
    # The other mentee sees the shared goal only and was told of it only.
    await misha.press(f"{LINK_BUTTON}g{pair_id}")
    assert misha.labels[:2] == ["1. Общий проект · 0%", "Добавить цель"]
    told = [
        (n.payload["args"]["title"], n.recipient_person_id) for n in await notes(app, "goals-added")
    ]
    assert [title for title, _ in told] == ["Выступить на конкурсе", "Общий проект", "Общий проект"]
    await stranger.press(f"{LINK_BUTTON}g{pair_id}")
    assert stranger.labels[:2] == ["1. Выступить на конкурсе · 0%", "2. Общий проект · 0%"]
