"""The program card's stages and announcements in chat: the curator moves the program on (with
the checklist's confirmation), sets a stage's dates, sends an announcement to mentors; a forged
program id in the dialog's arguments shows and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.services import Services
from bot.services.programs import CLI, OrganizationInfo, ProgramDraft, ProgramInfo
from storage import (
    AuditLog,
    DialogState,
    MentorshipForm,
    MessengerAccount,
    Notification,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    ProgramStage,
    RoleModel,
)
from tests.chat import Chat

A, B = "Наставничество 2026/27", "Молодые педагоги"


@pytest.fixture
async def programs(app: App, clock: FrozenClock) -> tuple[ProgramInfo, ProgramInfo]:
    async with app.database.transaction() as session:
        service = Services(session, clock, app.policy).programs
        org = await service.create_organization("Школа №5", "Europe/Moscow")
        assert isinstance(org, OrganizationInfo)
        found = []
        for name in (A, B):
            program = await service.create_program(
                CLI,
                org.id,
                ProgramDraft(name, MentorshipForm.STUDENT_STUDENT, RoleModel.PEER_PEER),
            )
            assert isinstance(program, ProgramInfo)
            found.append(program)
        for index, role in enumerate((ParticipantRole.MENTOR, ParticipantRole.MENTEE) * 2):
            person = Person(full_name=f"Участник {index}", created_at=clock.now())
            session.add(person)
            await session.flush()
            session.add(
                Participant(
                    program_id=found[0].id,
                    person_id=person.id,
                    role=role,
                    status=ParticipantStatus.READY,
                )
            )
    return found[0], found[1]


@pytest.fixture
async def olga(app: App, programs: tuple[ProgramInfo, ProgramInfo]) -> Chat:
    """The curator of program A."""
    chat = Chat(app.conversation, user_id="olga")
    await chat.send("/start")
    async with app.database.transaction() as session:
        account = await session.scalar(
            select(MessengerAccount).where(MessengerAccount.external_user_id == "olga")
        )
        assert account is not None
        session.add(ProgramCurator(program_id=programs[0].id, person_id=account.person_id))
    await chat.send("/menu")
    await chat.tap("Мои программы")
    await chat.tap(A)
    return chat


async def stage_of(app: App, program_id: int) -> int:
    async with app.database.transaction() as session:
        return (await session.get_one(Program, program_id)).stage


async def test_the_curator_moves_the_program_on_and_sets_dates(
    app: App, programs: tuple[ProgramInfo, ProgramInfo], olga: Chat
) -> None:
    a, _ = programs
    await olga.tap("Этапы")
    assert olga.ids == ["stages-overview"]
    text = olga.last.text
    assert "этап 1 из 7 — подготовка" in text
    assert "▶ 1. подготовка" in text
    assert "✓ Назначен куратор программы" in text
    assert "○ Даты этапов: 0 из 7" in text
    await olga.tap("Перейти к этапу 2: формирование базы наставляемых")
    assert olga.ids == ["stages-confirm"]
    assert "○ Описание программы для участников" in olga.last.text
    assert await stage_of(app, a.id) == 1
    await olga.tap("Перейти всё равно")
    assert olga.ids == ["stages-moved", "stages-overview"]
    assert await stage_of(app, a.id) == 2

    await olga.tap("Даты этапов")
    await olga.tap("3. формирование базы наставников")
    assert olga.ids == ["stages-ask-dates"]
    await olga.send("30.09.2026 - 01.09.2026")
    assert olga.ids == ["stages-dates-order"]
    await olga.send("в сентябре")
    assert olga.ids == ["stages-dates-invalid"]
    await olga.send("01.09.2026 – 30.09.2026")
    assert olga.ids == ["stages-dates-set", "stages-overview"]
    assert "○ 3. формирование базы наставников: 01.09.2026 – 30.09.2026" in olga.last.text
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(ProgramStage).where(ProgramStage.program_id == a.id, ProgramStage.stage == 3)
        )
    assert row is not None
    assert (row.planned_start, row.planned_end) == (date(2026, 9, 1), date(2026, 9, 30))
    await olga.tap("Переход по датам: включить")
    assert olga.ids == ["stages-auto-set", "stages-overview"]
    assert "Переход по датам: выключить" in olga.labels


async def test_an_announcement_to_mentors(
    app: App, programs: tuple[ProgramInfo, ProgramInfo], olga: Chat
) -> None:
    await olga.tap("Объявление")
    await olga.tap("Новое объявление")
    assert olga.labels[:3] == ["Всем участникам (4)", "Наставникам (2)", "Наставляемым (2)"]
    await olga.tap("Наставникам (2)")
    assert olga.ids == ["announce-ask-text"]
    await olga.sticker()
    assert olga.ids == ["input-text-expected"]
    await olga.send("Встреча наставников в пятницу в 15:00, кабинет 12")
    assert olga.ids == ["announce-review"]  # the program has no files: no file step
    assert "получателей: 2" in olga.last.text
    await olga.tap("Отправить")
    assert olga.ids == ["announce-sent", "staff-card"]
    async with app.database.transaction() as session:
        rows = list(await session.scalars(select(Notification)))
    assert len(rows) == 2
    assert {row.payload["args"]["text"] for row in rows} == {
        "Встреча наставников в пятницу в 15:00, кабинет 12"
    }
    await olga.tap("Объявление")
    await olga.tap("Отправленные")
    assert olga.ids == ["announce-recent"]
    assert "Получателей 2: доставлено 0, недоступны 0, ошибки 0, в пути 2" in olga.last.text


@pytest.mark.parametrize(
    ("button", "then", "refused"),
    [
        ("Этапы", "Перейти к этапу 2: формирование базы наставляемых", "stages-not_allowed"),
        ("Объявление", "Новое объявление", "announce-not_allowed"),
    ],
)
async def test_a_forged_program_id_is_refused(
    app: App,
    programs: tuple[ProgramInfo, ProgramInfo],
    olga: Chat,
    button: str,
    then: str,
    refused: str,
) -> None:
    _, b = programs
    await olga.tap(button)
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(DialogState).where(DialogState.external_user_id == "olga")
        )
        assert row is not None
        stack = [dict(frame) for frame in row.state["stack"]]
        stack[-1]["args"] = {**stack[-1]["args"], "program_id": b.id}
        row.state = {**row.state, "stack": stack}
        audit_before = len(list(await session.scalars(select(AuditLog.id))))
    await olga.tap(then)
    shown = "\n".join(reply.text for reply in olga.replies)
    assert refused in olga.ids
    assert B not in shown
    assert await stage_of(app, b.id) == 1
    async with app.database.transaction() as session:
        assert list(await session.scalars(select(Notification.id))) == []
        assert len(list(await session.scalars(select(AuditLog.id)))) == audit_before
