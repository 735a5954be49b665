"""Reports in chat: the curator opens «Отчёты» on the program card and gets the workbook (which
opens with openpyxl), the CSV files and the final report; a program id forged into the dialog's
state, or a role lost meanwhile, gets a refusal and no file."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.messages import AttachmentKind, Reply
from bot.services import Services
from bot.services.programs import CLI, OrganizationInfo, ProgramDraft, ProgramInfo
from bot.services.reports import ACTION_EXPORTED, CSV_MIME, XLSX_MIME
from storage import (
    AuditLog,
    DialogState,
    MentorshipForm,
    MessengerAccount,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    ProgramCurator,
    RoleModel,
)
from tests.chat import Chat

A, B = "Наставничество 2026/27", "Чужая программа"
MENU = ["Выгрузка XLSX", "Выгрузка CSV", "Итоговый отчёт", "Закрыть"]


@pytest.fixture
async def programs(app: App, clock: FrozenClock) -> tuple[ProgramInfo, ProgramInfo]:
    """Program A with two mentors and two mentees (one born in 2014), and program B."""
    async with app.database.transaction() as session:
        service = Services(session, clock, app.policy).programs
        org = await service.create_organization("Школа №5", "Europe/Moscow")
        assert isinstance(org, OrganizationInfo)
        found = []
        for name in (A, B):
            program = await service.create_program(
                CLI, org.id, ProgramDraft(name, MentorshipForm.STUDENT_STUDENT, RoleModel.PEER_PEER)
            )
            assert isinstance(program, ProgramInfo)
            found.append(program)
        for index, role in enumerate((ParticipantRole.MENTOR, ParticipantRole.MENTEE) * 2):
            person = Person(full_name=f"Участник {index}", grade="6Б", created_at=clock.now())
            session.add(person)
            await session.flush()
            session.add(
                Participant(
                    program_id=found[0].id,
                    person_id=person.id,
                    role=role,
                    status=ParticipantStatus.READY,
                    created_at=clock.now(),
                )
            )
    return found[0], found[1]


@pytest.fixture
async def olga(app: App, programs: tuple[ProgramInfo, ProgramInfo]) -> Chat:
    """The curator of program A, on its reports screen."""
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
    await chat.tap("Отчёты")
    return chat


def documents(replies: list[Reply]) -> list[Reply]:
    return [r for r in replies if r.attachment is not None]


async def exports(app: App) -> int:
    async with app.database.transaction() as session:
        rows = await session.scalars(select(AuditLog.id).where(AuditLog.action == ACTION_EXPORTED))
        return len(list(rows))


async def test_the_curator_gets_the_workbook_and_the_csv_files(
    app: App, programs: tuple[ProgramInfo, ProgramInfo], olga: Chat
) -> None:
    a, _ = programs
    assert olga.ids == ["report-menu"]
    assert A in olga.last.text
    assert olga.labels[:4] == MENU

    await olga.tap("Выгрузка XLSX")
    (reply,) = documents(olga.replies)
    assert reply.text_id == "report-xlsx-sent"
    attachment = reply.attachment
    assert attachment is not None
    assert attachment.content is not None
    assert attachment.kind is AttachmentKind.DOCUMENT
    assert attachment.mime_type == XLSX_MIME
    assert attachment.filename == f"nastavnik-{a.id}-2026-11-23.xlsx"  # 12:00 in Moscow
    book = load_workbook(io.BytesIO(attachment.content))
    assert book.sheetnames[:3] == ["О выгрузке", "Участники", "Пары"]
    names = [row[1] for row in book["Участники"].iter_rows(min_row=2, values_only=True)]
    assert names == [f"Участник {index}" for index in range(4)]
    assert olga.ids[-1] == "report-menu"  # the menu again, for the next file
    assert await exports(app) == 1

    await olga.tap("Выгрузка CSV")
    files = documents(olga.replies)
    assert [r.attachment.filename for r in files if r.attachment] == [
        f"nastavnik-{a.id}-2026-11-23-{key}.csv"
        for key in ("participants", "pairs", "meetings", "feedback", "goals", "consents")
    ]
    assert files[0].text == "Участники (CSV)"
    first = files[0].attachment
    assert first is not None
    assert first.content is not None
    assert first.mime_type == CSV_MIME
    assert first.content.decode("utf-8-sig").startswith("№ участника;Имя;Класс;")
    assert await exports(app) == 2

    await olga.tap("Закрыть")
    assert olga.ids == ["staff-card"]


async def test_the_final_report_in_chat(
    app: App, programs: tuple[ProgramInfo, ProgramInfo], olga: Chat
) -> None:
    await olga.tap("Итоговый отчёт")
    sent = documents(olga.replies)
    assert [r.text_id for r in sent] == ["report-final-xlsx"] + ["report-final-chart"] * 3
    assert [r.attachment.kind for r in sent if r.attachment] == [
        AttachmentKind.DOCUMENT,
        *[AttachmentKind.IMAGE] * 3,
    ]
    first = sent[0].attachment
    assert first is not None
    assert first.content is not None
    assert load_workbook(io.BytesIO(first.content)).sheetnames[0] == "Итоги"
    assert olga.ids[-2:] == ["report-final-summary", "report-menu"]
    summary = olga.replies[-2].text
    assert "предварительный отчёт" in summary  # stage 1: not complete yet
    assert "Наставников для рейтинга пока нет." in summary


@pytest.mark.parametrize("button", ["Выгрузка XLSX", "Выгрузка CSV", "Итоговый отчёт"])
async def test_a_forged_program_id_gets_no_file(
    app: App, programs: tuple[ProgramInfo, ProgramInfo], olga: Chat, button: str
) -> None:
    _, b = programs
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(DialogState).where(DialogState.external_user_id == "olga")
        )
        assert row is not None
        stack = [dict(frame) for frame in row.state["stack"]]
        stack[-1]["args"] = {**stack[-1]["args"], "program_id": b.id}
        row.state = {**row.state, "stack": stack}
    await olga.tap(button)
    assert documents(olga.replies) == []
    assert "report-not-allowed" in olga.ids
    assert B not in "\n".join(reply.text for reply in olga.replies)
    assert await exports(app) == 0


async def test_a_curator_who_lost_the_role_gets_no_file(
    app: App, programs: tuple[ProgramInfo, ProgramInfo], olga: Chat
) -> None:
    async with app.database.transaction() as session:
        await session.execute(delete(ProgramCurator))
    await olga.tap("Выгрузка XLSX")
    assert documents(olga.replies) == []
    assert olga.ids[0] == "report-not-allowed"
    assert await exports(app) == 0
