"""Reports on SQLite and PostgreSQL: the XLSX workbook and the CSV files hold what the database
holds (each sheet compared with its own query), nothing the curator may not see (birth dates,
chat ids, questionnaire answers, what erased people wrote), texts that look like formulas stay
texts; the award ranking follows its formula; the final report's figures match the data; access
is refused to other programs' curators and to participants, and their attempts leave no audit."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.core.i18n import Translator
from bot.services import Services
from bot.services.programs import CLI, Refusal
from bot.services.reports import (
    ACTION_EXPORTED,
    ACTION_FINAL,
    Export,
    FinalReport,
    award_score,
    labels_of,
    write_export,
)
from storage import (
    AuditLog,
    Channel,
    Consent,
    ConsentPurpose,
    ConsentRelation,
    ConsentStatus,
    Database,
    Feedback,
    FeedbackKind,
    Goal,
    GoalStatus,
    Meeting,
    MeetingConfirmation,
    MeetingKind,
    MeetingStatus,
    Pair,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    ProgramCurator,
    QuestionnaireAnswer,
    StaffMember,
    StaffRole,
)
from tests.integration import factories as f

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2027, 5, 20, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
ZONE = ZoneInfo("Europe/Moscow")
BIRTH = date(2014, 5, 17)
FORMULA = '=HYPERLINK("http://evil.example","click")'
SECRETS = (
    "chat-misha",  # a messenger chat id
    "ext-misha",  # a messenger user id
    "quiet_place",  # the private health answer (ovz_support)
    "Тихое место",
    "Люблю шахматы",  # a questionnaire answer that is not private: answers are not exported
    "секрет",  # written by a person whose data were erased
    "Гоша",
    "Анна Гошина",  # the parent of the erased child
    "2014-05-17",
    "17.05.2014",
)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def labels() -> Callable[..., str]:
    return labels_of(Translator(ROOT / "locales", strict=True), "ru")


def at(days: int, hour: int = 12) -> datetime:
    """A moment of the school year (UTC)."""
    return datetime(2026, 10, 1, hour, 0, tzinfo=UTC) + timedelta(days=days)


@dataclass
class Year:
    """A program at stage 6 with its people, pairs, meetings, feedback, goals and consents."""

    program_id: int
    other_program_id: int
    curator: int
    coordinator: int
    stranger: int
    people: dict[str, int]
    parts: dict[str, int]
    pairs: dict[str, int]


async def pair(
    session: Any, program_id: int, mentor: int, mentees: Sequence[int], status: PairStatus
) -> int:
    row = await f.add(
        session,
        Pair(
            program_id=program_id,
            status=status,
            mentor_participant_id=mentor,
            score=70.0,
            created_at=at(0),
            approved_at=at(0),
        ),
    )
    session.add(
        PairMember(
            pair_id=row.id, participant_id=mentor, role=ParticipantRole.MENTOR, joined_at=at(0)
        )
    )
    for number, mentee in enumerate(mentees):
        session.add(
            PairMember(
                pair_id=row.id,
                participant_id=mentee,
                role=ParticipantRole.MENTEE,
                joined_at=at(0),
                score=80.5 + number,
                reasons=[{"key": "interests", "common": ["chess"]}],
            )
        )
    await session.flush()
    return row.id


async def meeting(
    session: Any,
    pair_id: int,
    kind: MeetingKind,
    status: MeetingStatus,
    day: int,
    *,
    topic: str | None = None,
    proposed_by: int | None = None,
) -> int:
    row = await f.add(
        session,
        Meeting(
            pair_id=pair_id,
            kind=kind,
            status=status,
            starts_at=at(day, 13),
            duration_minutes=45,
            place="Кабинет 12",
            online_url="https://meet.example/secret-room",
            topic=topic,
            proposed_by_participant_id=proposed_by,
            created_at=at(day - 3),
            updated_at=at(day - 3),
        ),
    )
    return row.id


async def feedback(session: Any, participant: int, meeting_id: int | None, **values: Any) -> None:
    values.setdefault("kind", FeedbackKind.MEETING)
    values.setdefault("created_at", at(40))
    session.add(Feedback(participant_id=participant, meeting_id=meeting_id, **values))
    await session.flush()


async def seed(database: Database) -> Year:
    async with database.transaction() as session:
        org = await f.organization(session)
        program = await f.program(session, org)
        program.stage = 6
        other = await f.program(session, org)
        curator = await f.person(session, org, full_name="Ольга Сергеевна")
        session.add(ProgramCurator(program_id=program.id, person_id=curator.id))
        coordinator = await f.person(session, org, full_name="Сергей Петрович")
        session.add(
            StaffMember(
                organization_id=org.id, person_id=coordinator.id, role=StaffRole.COORDINATOR
            )
        )
        stranger = await f.person(session, org, full_name="Чужой куратор")
        session.add(ProgramCurator(program_id=other.id, person_id=stranger.id))
        people: dict[str, int] = {}
        parts: dict[str, int] = {}
        for key, name, grade, role, status in (
            ("dasha", "Дарья", "10А", ParticipantRole.MENTOR, ParticipantStatus.MATCHED),
            ("oleg", "Олег", "11Б", ParticipantRole.MENTOR, ParticipantStatus.MATCHED),
            ("misha", "Миша", "6Б", ParticipantRole.MENTEE, ParticipantStatus.MATCHED),
            ("vera", "Вера", "7А", ParticipantRole.MENTEE, ParticipantStatus.MATCHED),
            ("gosha", "Гоша", "6В", ParticipantRole.MENTEE, ParticipantStatus.MATCHED),
        ):
            person = await f.person(session, org, full_name=name, grade=grade, birth_date=BIRTH)
            account = await f.account(
                session, person, channel=Channel.VK, external_user_id=f"ext-{key}"
            )
            account.chat_id = f"chat-{key}"
            part = await f.participant(session, program, person, role)
            part.status = status
            part.approved = role is ParticipantRole.MENTOR
            part.capacity = 2 if role is ParticipantRole.MENTOR else None
            part.questionnaire_done_at = at(-20)
            people[key], parts[key] = person.id, part.id
        for question, value in (
            ("has_ovz", True),
            ("ovz_support", ["quiet_place"]),
            ("about", "Люблю шахматы"),
        ):
            session.add(
                QuestionnaireAnswer(
                    participant_id=parts["misha"],
                    questionnaire_id="mentee-student",
                    questionnaire_version=1,
                    question_id=question,
                    value=value,
                    answered_at=at(-20),
                )
            )
        pairs = {
            "dasha": await pair(
                session, program.id, parts["dasha"], [parts["misha"]], PairStatus.ACTIVE
            ),
            "oleg": await pair(
                session, program.id, parts["oleg"], [parts["vera"]], PairStatus.ACTIVE
            ),
            "gosha": await pair(
                session, program.id, parts["dasha"], [parts["gosha"]], PairStatus.DISSOLVED
            ),
        }
        intro = await meeting(session, pairs["dasha"], MeetingKind.INTRO, MeetingStatus.HELD, 5)
        trial = await meeting(
            session,
            pairs["dasha"],
            MeetingKind.TRIAL,
            MeetingStatus.HELD,
            12,
            topic="Пробная встреча",
            proposed_by=parts["dasha"],
        )
        planning = await meeting(
            session, pairs["dasha"], MeetingKind.PLANNING, MeetingStatus.MISSED, 19
        )
        await meeting(session, pairs["dasha"], MeetingKind.REGULAR, MeetingStatus.CONFIRMED, 60)
        vera_intro = await meeting(session, pairs["oleg"], MeetingKind.INTRO, MeetingStatus.HELD, 6)
        gosha_intro = await meeting(
            session,
            pairs["gosha"],
            MeetingKind.INTRO,
            MeetingStatus.HELD,
            7,
            topic="секрет темы",
            proposed_by=parts["gosha"],
        )
        for who, reason in (("misha", "Заболел"), ("gosha", "секрет причины")):
            session.add(
                MeetingConfirmation(
                    meeting_id=planning if who == "misha" else gosha_intro,
                    participant_id=parts[who],
                    missed_reason=reason,
                )
            )
        await feedback(session, parts["misha"], intro, rating=5, comment="Было интересно")
        await feedback(
            session, parts["misha"], trial, rating=4, intermediate_result="Составили план"
        )
        await feedback(session, parts["dasha"], intro, rating=5, done_text="Познакомились")
        await feedback(session, parts["vera"], vera_intro, rating=3)
        await feedback(session, parts["oleg"], vera_intro, rating=4, done_text="Поговорили")
        # What an erasure would have deleted, left behind: it must not be exported anyway.
        await feedback(session, parts["gosha"], gosha_intro, comment="секрет отзыва")
        await feedback(
            session,
            parts["misha"],
            None,
            kind=FeedbackKind.PULSE,
            round=1,
            answers={"satisfaction": 5, "nps": 9, "obstacles": ["time"], "comment": FORMULA},
            completed_at=at(30),
        )
        await feedback(
            session,
            parts["vera"],
            None,
            kind=FeedbackKind.PULSE,
            round=1,
            answers={"satisfaction": 1},  # sent and begun, never confirmed
        )
        await feedback(
            session,
            parts["misha"],
            None,
            kind=FeedbackKind.FINAL,
            round=0,
            answers={"satisfaction": 4, "nps": 10, "become_mentor": True},
            completed_at=at(50),
        )
        for pair_key, title, goal_status in (
            ("dasha", "Проект к конференции", GoalStatus.DONE),
            ("dasha", "Прочитать три книги", GoalStatus.OPEN),
            ("oleg", "Подтянуть алгебру", GoalStatus.DROPPED),
        ):
            session.add(
                Goal(
                    pair_id=pairs[pair_key],
                    title=title,
                    status=goal_status,
                    progress=100 if goal_status is GoalStatus.DONE else 30,
                    due_on=date(2027, 4, 30),
                    created_at=at(10),
                    updated_at=at(20),
                )
            )
        for subject, purpose, decision, relation in (
            ("misha", ConsentPurpose.PARTICIPATION, ConsentStatus.GRANTED, ConsentRelation.PARENT),
            ("misha", ConsentPurpose.PERSONAL_DATA, ConsentStatus.GRANTED, ConsentRelation.PARENT),
            ("gosha", ConsentPurpose.PARTICIPATION, ConsentStatus.GRANTED, ConsentRelation.PARENT),
            ("gosha", ConsentPurpose.PARTICIPATION, ConsentStatus.REVOKED, ConsentRelation.PARENT),
            ("dasha", ConsentPurpose.PERSONAL_DATA, ConsentStatus.GRANTED, ConsentRelation.SELF),
        ):
            session.add(
                Consent(
                    subject_person_id=people[subject],
                    program_id=program.id,
                    purpose=purpose,
                    status=decision,
                    relation=relation,
                    signer_name=None
                    if relation is ConsentRelation.SELF
                    else "Анна Гошина"
                    if subject == "gosha"
                    else "Анна Петровна",
                    text_version="2026-09",
                    text_hash="ab" * 32,
                    channel=Channel.VK,
                    decided_at=at(-30),
                    valid_until=datetime(2027, 8, 31, 20, 59, tzinfo=UTC),
                    created_at=at(-30),
                )
            )
        # Гоша's data were erased (consent revoked): the row stays, his profile is emptied.
        gosha = await session.get_one(Person, people["gosha"])
        gosha.full_name = gosha.grade = gosha.birth_date = None
        gosha.anonymized_at = at(45)
        gosha_part = await session.get_one(Participant, parts["gosha"])
        gosha_part.status = ParticipantStatus.LEFT
        await session.flush()
        return Year(
            program.id, other.id, curator.id, coordinator.id, stranger.id, people, parts, pairs
        )


@pytest.fixture
async def year(database: Database) -> Year:
    return await seed(database)


# --- expected rows, from the database -------------------------------------------------------


def local(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(ZONE).replace(tzinfo=None)


class Expect:
    """Each sheet's rows as the database holds them, rendered as the workbook shows them."""

    def __init__(self, session: Any, labels: Callable[..., str], program_id: int) -> None:
        self.session = session
        self.t = labels
        self.program_id = program_id

    def name(self, person: Person | None) -> str | None:
        if person is None:
            return None
        if person.anonymized_at is not None:
            return f"удалён (#{person.id})"
        return person.full_name

    def yes_no(self, value: bool) -> str:
        return "да" if value else "нет"

    async def people(self) -> dict[int, Person]:
        """Participant id -> person."""
        rows = await self.session.execute(
            select(Participant.id, Person)
            .join(Person, Person.id == Participant.person_id)
            .where(Participant.program_id == self.program_id)
        )
        return {int(row[0]): row[1] for row in rows.all()}

    async def participants(self) -> list[tuple[Any, ...]]:
        rows = await self.session.execute(
            select(Participant, Person)
            .join(Person, Person.id == Participant.person_id)
            .where(Participant.program_id == self.program_id)
            .order_by(Participant.id)
        )
        return [
            (
                p.id,
                self.name(person),
                person.grade,
                self.t("report-role", value=p.role.value),
                self.t("report-participant-status", value=p.status.value),
                self.yes_no(p.approved) if p.role is ParticipantRole.MENTOR else None,
                p.capacity,
                local(p.questionnaire_done_at),
                local(p.created_at),
            )
            for p, person in rows.all()
        ]

    async def pairs(self) -> list[tuple[Any, ...]]:
        people = await self.people()
        rows = await self.session.execute(
            select(Pair, PairMember)
            .join(PairMember, PairMember.pair_id == Pair.id)
            .where(Pair.program_id == self.program_id, PairMember.role == ParticipantRole.MENTEE)
            .order_by(Pair.id, PairMember.id)
        )
        result = []
        for p, member in rows.all():
            held = await self.session.scalar(
                select(func.count())
                .select_from(Meeting)
                .where(Meeting.pair_id == p.id, Meeting.status == MeetingStatus.HELD)
            )
            mentee = people[member.participant_id]
            result.append(
                (
                    p.id,
                    self.t("report-pair-kind", value=p.kind.value),
                    self.t("report-pair-status", value=p.status.value),
                    self.name(people[p.mentor_participant_id]),
                    self.name(mentee),
                    mentee.grade,
                    member.score,
                    local(p.approved_at),
                    local(p.ended_at),
                    held,
                )
            )
        return result

    async def meetings(self) -> list[tuple[Any, ...]]:
        people = await self.people()
        rows = await self.session.execute(
            select(Meeting, Pair.mentor_participant_id)
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(Pair.program_id == self.program_id)
            .order_by(Meeting.id)
        )
        result = []
        for m, mentor in rows.all():
            mentees = await self.session.scalars(
                select(PairMember.participant_id)
                .where(PairMember.pair_id == m.pair_id, PairMember.role == ParticipantRole.MENTEE)
                .order_by(PairMember.id)
            )
            reasons = await self.session.scalars(
                select(MeetingConfirmation)
                .where(
                    MeetingConfirmation.meeting_id == m.id,
                    MeetingConfirmation.missed_reason.is_not(None),
                )
                .order_by(MeetingConfirmation.id)
            )
            proposer = people.get(m.proposed_by_participant_id or 0)
            shown = [
                f"{people[c.participant_id].full_name}: {c.missed_reason}"
                for c in reasons
                if people[c.participant_id].anonymized_at is None
            ]
            result.append(
                (
                    m.id,
                    m.pair_id,
                    self.name(people[mentor]),
                    "; ".join(str(self.name(people[i])) for i in mentees) or None,
                    self.t("report-meeting-kind", value=m.kind.value),
                    self.t("report-meeting-status", value=m.status.value),
                    local(m.starts_at),
                    m.duration_minutes,
                    None if proposer is not None and proposer.anonymized_at else m.topic,
                    "; ".join(shown) or None,
                )
            )
        return result

    async def feedback(self) -> list[tuple[Any, ...]]:
        people = await self.people()
        rows = await self.session.execute(
            select(Feedback, Participant.role)
            .join(Participant, Participant.id == Feedback.participant_id)
            .where(
                Participant.program_id == self.program_id,
                (Feedback.kind == FeedbackKind.MEETING) | Feedback.completed_at.is_not(None),
            )
            .order_by(Feedback.id)
        )
        result = []
        for fb, role in rows.all():
            author = people[fb.participant_id]
            gone = author.anonymized_at is not None
            answers = {} if gone else (fb.answers or {})
            survey = fb.kind is not FeedbackKind.MEETING
            would = answers.get("become_mentor", answers.get("mentor_again"))
            others = [
                f"{key}: {', '.join(value) if isinstance(value, list) else value}"
                for key, value in answers.items()
                if key not in {"satisfaction", "nps", "become_mentor", "mentor_again", "comment"}
            ]
            result.append(
                (
                    fb.id,
                    self.t("report-feedback-kind", value=fb.kind.value),
                    fb.round,
                    self.name(author),
                    self.t("report-role", value=role.value),
                    fb.meeting_id,
                    fb.rating,
                    None if gone else fb.done_text,
                    None if gone else (answers.get("comment") if survey else fb.comment),
                    None if gone else fb.intermediate_result,
                    answers.get("satisfaction"),
                    answers.get("nps"),
                    None if would is None else self.yes_no(would),
                    "; ".join(others) or None,
                    local(fb.completed_at if survey else fb.created_at),
                )
            )
        return result

    async def goals(self) -> list[tuple[Any, ...]]:
        people = await self.people()
        rows = await self.session.execute(
            select(Goal, Pair.mentor_participant_id)
            .join(Pair, Pair.id == Goal.pair_id)
            .where(Pair.program_id == self.program_id)
            .order_by(Goal.id)
        )
        return [
            (
                g.id,
                g.pair_id,
                self.name(people[mentor]),
                self.name(people.get(g.participant_id or 0)),
                g.title,
                self.t("report-goal-status", value=g.status.value),
                g.progress,
                datetime.combine(g.due_on, datetime.min.time()) if g.due_on else None,
                local(g.updated_at),
            )
            for g, mentor in rows.all()
        ]

    async def consents(self) -> list[tuple[Any, ...]]:
        rows = await self.session.scalars(
            select(Consent).where(Consent.program_id == self.program_id).order_by(Consent.id)
        )
        result = []
        for c in rows:
            subject = await self.session.get_one(Person, c.subject_person_id)
            if c.relation is ConsentRelation.SELF:
                given_by = self.name(subject)
            elif subject.anonymized_at is not None:
                given_by = None
            else:
                given_by = c.signer_name
            result.append(
                (
                    c.id,
                    self.name(subject),
                    self.t("report-consent-purpose", value=c.purpose.value),
                    self.t("report-consent-status", value=c.status.value),
                    self.t("report-consent-relation", value=c.relation.value),
                    given_by,
                    None if c.channel is None else self.t("report-channel", value=c.channel.value),
                    c.text_version,
                    c.text_hash,
                    local(c.decided_at),
                    local(c.valid_until),
                )
            )
        return result


SHEETS = ("participants", "pairs", "meetings", "feedback", "goals", "consents")


def sheet_rows(book: Any, title: str) -> list[tuple[Any, ...]]:
    return list(book[title].iter_rows(min_row=2, values_only=True))


def csv_value(value: Any) -> str:
    """How a workbook value reads in the CSV files."""
    match value:
        case None:
            return ""
        case datetime() if value.hour == value.minute == 0:
            # A date cell reads back from the workbook as midnight (no moment here is one).
            return value.date().isoformat()
        case datetime():
            return value.strftime("%Y-%m-%d %H:%M")
        case float():
            return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        case str() if value.startswith(("=", "+", "-", "@")):
            return "'" + value
        case _:
            return str(value)


async def export_as(database: Database, clock: FrozenClock, actor: Any, program_id: int) -> Any:
    async with database.transaction() as session:
        return await Services(session, clock).reports.export(actor, program_id)


async def final_as(database: Database, clock: FrozenClock, actor: Any, program_id: int) -> Any:
    async with database.transaction() as session:
        return await Services(session, clock).reports.final_report(actor, program_id)


async def audit_rows(database: Database) -> list[AuditLog]:
    async with database.transaction() as session:
        return list(
            await session.scalars(
                select(AuditLog)
                .where(AuditLog.action.in_((ACTION_EXPORTED, ACTION_FINAL)))
                .order_by(AuditLog.id)
            )
        )


# --- tests -----------------------------------------------------------------------------------


async def test_the_workbook_holds_what_the_database_holds(
    database: Database, clock: FrozenClock, year: Year, labels: Callable[..., str]
) -> None:
    export = await export_as(database, clock, year.curator, year.program_id)
    assert isinstance(export, Export)
    data = export.xlsx(labels)
    assert export.filename == f"nastavnik-{year.program_id}-2027-05-20.xlsx"
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "О выгрузке",
        "Участники",
        "Пары",
        "Встречи",
        "Отзывы",
        "Цели",
        "Согласия",
    ]
    async with database.transaction() as session:
        expect = Expect(session, labels, year.program_id)
        for key, title in zip(SHEETS, book.sheetnames[1:], strict=True):
            expected = await getattr(expect, key)()
            assert sheet_rows(book, title) == expected, key
            header = next(book[title].iter_rows(max_row=1, values_only=True))
            assert list(header) == export.sheet(key).header(labels)
            assert book[title].freeze_panes == "A2"
            assert book[title]["A1"].font.b
    # The counts: 5 participants, 3 pairs, 6 meetings, 8 feedback rows (the unconfirmed pulse
    # survey left out), 3 goals, 5 consents.
    assert [len(export.sheet(key).rows) for key in SHEETS] == [5, 3, 6, 8, 3, 5]
    about = dict(sheet_rows(book, "О выгрузке"))
    assert about["Программа"] == "Равный — равному"
    assert about["Кто выгрузил"] == "Ольга Сергеевна"
    # Moscow time, a real date cell (the workbook holds naive local times).
    assert about["Выгружено"] == local(NOW) == datetime(2027, 5, 20, 12, 0)  # noqa: DTZ001
    assert about["Этап"] == "6 — работа пар"
    assert about["Часовой пояс дат и времени"] == "Europe/Moscow"
    assert about["Строк на листе «Встречи»"] == 6
    # A meeting time is a date cell in the school's zone: 13:00 UTC is 16:00 in Moscow.
    starts = book["Встречи"]["G2"]
    assert starts.value == datetime(2026, 10, 6, 16, 0)  # noqa: DTZ001
    assert starts.number_format == "DD.MM.YYYY HH:MM"
    # A comment that looks like a formula stays a text.
    (cell,) = [c for row in book["Отзывы"].iter_rows() for c in row if c.value == FORMULA]
    assert cell.data_type == "s"


async def test_nothing_the_curator_may_not_see_is_exported(
    database: Database, clock: FrozenClock, year: Year, labels: Callable[..., str]
) -> None:
    export = await export_as(database, clock, year.curator, year.program_id)
    assert isinstance(export, Export)
    data = export.xlsx(labels)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    texts = [xml] + [content.decode("utf-8-sig") for content in export.csv_files(labels).values()]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, secret
        assert "meet.example" not in text
        assert "Кабинет 12" not in text
    book = load_workbook(io.BytesIO(data))
    cells = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert all(not isinstance(v, datetime) or v.date() != BIRTH for v in cells)
    assert f"удалён (#{year.people['gosha']})" in cells


async def test_csv_files_read_back_as_the_workbook(
    database: Database, clock: FrozenClock, year: Year, labels: Callable[..., str]
) -> None:
    export = await export_as(database, clock, year.curator, year.program_id)
    assert isinstance(export, Export)
    book = load_workbook(io.BytesIO(export.xlsx(labels)))
    files = export.csv_files(labels)
    assert list(files) == [f"nastavnik-{year.program_id}-2027-05-20-{key}.csv" for key in SHEETS]
    for (name, content), title in zip(files.items(), book.sheetnames[1:], strict=True):
        assert content.startswith(b"\xef\xbb\xbf"), name  # the BOM Excel needs for Cyrillic
        assert b"\r\n" in content
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
        header, *body = rows
        workbook_header = next(book[title].iter_rows(max_row=1, values_only=True))
        assert header == list(workbook_header)
        assert body == [[csv_value(v) for v in row] for row in sheet_rows(book, title)], name
    feedback = files[f"nastavnik-{year.program_id}-2027-05-20-feedback.csv"].decode("utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in feedback  # defused, quoted by the CSV rules


async def test_write_export_for_the_command_line(
    database: Database, clock: FrozenClock, year: Year, labels: Callable[..., str], tmp_path: Path
) -> None:
    async with database.transaction() as session:
        written = await write_export(
            Services(session, clock), year.program_id, tmp_path / "out", labels
        )
        missing = await write_export(Services(session, clock), 999_999, tmp_path / "none", labels)
    assert missing is Refusal.NOT_FOUND
    assert not (tmp_path / "none").exists()
    assert isinstance(written, list)
    assert [path.name for path in written] == [
        f"nastavnik-{year.program_id}-2027-05-20.xlsx",
        *(f"nastavnik-{year.program_id}-2027-05-20-{key}.csv" for key in SHEETS),
    ]
    assert load_workbook(written[0]).sheetnames[0] == "О выгрузке"
    (row,) = await audit_rows(database)
    assert (row.actor, row.actor_person_id) == ("system:cli", None)


async def test_access_is_checked_and_refusals_leave_no_audit(
    database: Database, clock: FrozenClock, year: Year, labels: Callable[..., str]
) -> None:
    for actor in (year.stranger, year.people["misha"], year.people["dasha"]):
        assert await export_as(database, clock, actor, year.program_id) is Refusal.NOT_ALLOWED
        assert await final_as(database, clock, actor, year.program_id) is Refusal.NOT_ALLOWED
        async with database.transaction() as session:
            reports = Services(session, clock).reports
            assert await reports.ranking(actor, year.program_id) is Refusal.NOT_ALLOWED
            assert await reports.award_order(actor, year.program_id) == []
    assert await export_as(database, clock, year.curator, 999_999) is Refusal.NOT_FOUND
    assert await final_as(database, clock, year.curator, 999_999) is Refusal.NOT_FOUND
    # The curator does not see the other program of the school; its coordinator does.
    assert (
        await export_as(database, clock, year.curator, year.other_program_id) is Refusal.NOT_ALLOWED
    )
    assert await audit_rows(database) == []
    by_coordinator = await export_as(database, clock, year.coordinator, year.program_id)
    assert isinstance(by_coordinator, Export)
    assert isinstance(await export_as(database, clock, CLI, year.program_id), Export)
    rows = await audit_rows(database)
    assert [(r.action, r.actor_person_id, r.entity_id) for r in rows] == [
        (ACTION_EXPORTED, year.coordinator, str(year.program_id)),
        (ACTION_EXPORTED, None, str(year.program_id)),
    ]
    assert rows[0].details == {
        "rows": {
            "participants": 5,
            "pairs": 3,
            "meetings": 6,
            "feedback": 8,
            "goals": 3,
            "consents": 5,
        }
    }


async def test_the_award_ranking_follows_the_formula(
    database: Database, clock: FrozenClock, year: Year
) -> None:
    async with database.transaction() as session:
        order = await Services(session, clock).reports.award_order(year.curator, year.program_id)
    # Дарья: ratings 5 and 4 from Миша (4.5), 3 meetings held (two with Миша, one with Гоша),
    # 1 feedback given, 1 goal done: 45 + 6 + 1 + 3 = 55. Олег: 30 + 2 + 1 + 0 = 33.
    assert award_score(4.5, 3, 1, 1) == 55
    assert award_score(3.0, 1, 1, 0) == 33
    assert award_score(None, 2, 0, 0) == 4
    assert order == [year.people["dasha"], year.people["oleg"]]


async def test_ties_go_to_meetings_held_then_to_the_name(
    database: Database, clock: FrozenClock
) -> None:
    async with database.transaction() as session:
        org = await f.organization(session)
        program = await f.program(session, org)
        mentors: dict[str, int] = {}
        for name in ("Яна", "Борис", "Алла", "Пётр", "Стёртый"):
            person = await f.person(session, org, full_name=name)
            part = await f.participant(session, program, person, ParticipantRole.MENTOR)
            mentee = await f.participant(
                session, program, await f.person(session, org), ParticipantRole.MENTEE
            )
            mentors[name] = person.id
            if name == "Пётр":
                continue  # no pair: not ranked
            if name == "Стёртый":
                person.anonymized_at = NOW  # erased: not ranked
            pair_id = await pair(session, program.id, part.id, [mentee.id], PairStatus.FINISHED)
            if name in {"Яна", "Алла"}:  # two meetings held: 2 × 2 = 4
                for day in (1, 8):
                    await meeting(session, pair_id, MeetingKind.REGULAR, MeetingStatus.HELD, day)
            if name == "Борис":  # a feedback given and a goal done: 1 + 3 = 4
                held = await meeting(session, pair_id, MeetingKind.INTRO, MeetingStatus.MISSED, 1)
                await feedback(session, part.id, held, done_text="Не пришёл")
                session.add(
                    Goal(pair_id=pair_id, title="Цель", status=GoalStatus.DONE, progress=100)
                )
        program_id = program.id
    async with database.transaction() as session:
        reports = Services(session, clock).reports
        order = await reports.award_order(CLI, program_id)
        ranked = await reports.ranking(CLI, program_id)
    assert order == [mentors["Алла"], mentors["Яна"], mentors["Борис"]]
    assert isinstance(ranked, list)
    assert [(m.place, m.name, m.score, m.held) for m in ranked] == [
        (1, "Алла", 4, 2),
        (2, "Яна", 4, 2),
        (3, "Борис", 4, 0),
    ]


async def test_the_final_report_sums_up_the_program(
    database: Database, clock: FrozenClock, year: Year, labels: Callable[..., str]
) -> None:
    report = await final_as(database, clock, year.curator, year.program_id)
    assert isinstance(report, FinalReport)
    assert not report.complete  # stage 6: a preview
    async with database.transaction() as session:
        held = await session.scalar(
            select(func.count())
            .select_from(Meeting)
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(Pair.program_id == year.program_id, Meeting.status == MeetingStatus.HELD)
        )
    assert report.figures.held_total == held == 4
    outcomes = report.outcomes
    assert outcomes.meetings_missed == 1
    assert outcomes.ratings == (0, 0, 1, 2, 2)  # 3 (Вера), 4 (Миша, Олег), 5 (Миша, Дарья)
    assert outcomes.rating == pytest.approx(21 / 5)
    assert (outcomes.goals_set, outcomes.goals_done) == (2, 1)  # the dropped goal left out
    assert outcomes.intermediate_results == 1
    assert (outcomes.would_mentor, outcomes.mentor_again) == (1, 0)
    assert report.surveys.pulse.completed == 1
    assert report.surveys.final is not None
    assert report.nps == 100  # the final survey's one answer, a promoter
    assert report.satisfaction == 4
    top = report.mentors[0]
    assert (top.name, top.rating, top.ratings, top.held, top.feedback_given, top.goals_done) == (
        "Дарья",
        4.5,
        2,
        3,
        1,
        1,
    )
    assert top.score == 55
    book = load_workbook(io.BytesIO(report.xlsx(labels)))
    assert book.sheetnames == ["Итоги", "Рейтинг наставников", "По неделям", "Опросы"]
    summary = dict(sheet_rows(book, "Итоги"))
    assert summary["Встреч проведено"] == 4
    assert summary["Целей достигнуто"] == 1
    assert summary["Наставляемых хотят стать наставниками"] == 1
    assert summary["Программа на этапе завершения"] == "нет"
    assert sheet_rows(book, "Рейтинг наставников") == [
        (1, "Дарья", 4.5, 2, 3, 1, 1, 55),
        (2, "Олег", 3, 1, 1, 1, 0, 33),
    ]
    charts = report.charts(labels)
    assert [name.rsplit("-", 1)[1] for name, _ in charts] == [
        "weeks.png",
        "ratings.png",
        "mentors.png",
    ]
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for _, png in charts)
    args = report.summary_args()
    assert (args["held"], args["goals_done"], args["would_mentor"], args["complete"]) == (
        4,
        1,
        1,
        "False",
    )
    assert [r.action for r in await audit_rows(database)] == [ACTION_FINAL]
