"""The cycle on SQLite and PostgreSQL: a program driven from stage 1 to 7 and closed, with each
stage's pushes checked against who should get them; moving by date in the school's zone; the
checklist that holds a move back; announcements with their delivery count; access refused to
other programs' curators."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.clock import FrozenClock
from bot.services import Services
from bot.services.announcements import AnnouncementError
from bot.services.meetings import MeetingDraft
from bot.services.outbox import Unreachable
from bot.services.programs import CLI, Refusal
from bot.services.stages import Overview
from storage import (
    Database,
    Feedback,
    FeedbackKind,
    HappenedAnswer,
    MeetingKind,
    Notification,
    NotificationStatus,
    Pair,
    PairMember,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramCurator,
    ProgramMaterial,
    ProgramStatus,
)
from tests.integration import factories as f
from tests.integration.senders import ByChat, worker

NOW = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)  # 09:00 in Moscow


class School:
    """A program at stage 1: a curator, three mentees and two mentors in various states."""

    def __init__(self, database: Database, clock: FrozenClock) -> None:
        self.database = database
        self.clock = clock

    async def open(self) -> School:
        async with self.database.transaction() as session:
            org = await f.organization(session)
            program = await f.program(session, org)
            self.program_id = program.id
            self.curator = (await f.person(session, org, full_name="Ольга")).id
            session.add(ProgramCurator(program_id=program.id, person_id=self.curator))
            other = await f.program(session, org)
            self.stranger = (await f.person(session, org, full_name="Чужой куратор")).id
            session.add(ProgramCurator(program_id=other.id, person_id=self.stranger))
            self.people: dict[str, int] = {}
            self.parts: dict[str, int] = {}
            for name, role, status, done, approved in (
                ("misha", ParticipantRole.MENTEE, ParticipantStatus.READY, True, False),
                ("vera", ParticipantRole.MENTEE, ParticipantStatus.READY, True, False),
                ("gosha", ParticipantRole.MENTEE, ParticipantStatus.ONBOARDING, False, False),
                ("kolya", ParticipantRole.MENTEE, ParticipantStatus.CONSENT_PENDING, False, False),
                ("dasha", ParticipantRole.MENTOR, ParticipantStatus.READY, True, True),
                ("oleg", ParticipantRole.MENTOR, ParticipantStatus.ONBOARDING, False, False),
            ):
                person = await f.person(session, org, full_name=name.title())
                await f.account(session, person, external_user_id=f"chat-{name}")
                part = await f.participant(session, program, person, role)
                part.status = status
                part.approved = approved
                if done:
                    part.questionnaire_done_at = NOW
                self.people[name] = person.id
                self.parts[name] = part.id
        return self

    def services(self, session: Any) -> Services:
        return Services(session, self.clock)

    async def advance(self, *, force: bool = True) -> Overview | Refusal | tuple[Any, ...]:
        async with self.database.transaction() as session:
            return await self.services(session).stages.advance(
                self.curator, self.program_id, force=force
            )

    async def stage_after_advance(self) -> int:
        moved = await self.advance()
        assert isinstance(moved, Overview)
        return moved.stage

    async def work(self, pair_id: int) -> None:
        """The pair meets a day later: both say it happened, Миша rates it 5, a goal is done."""
        starts = self.clock.now() + timedelta(days=1)
        async with self.database.transaction() as session:
            services = self.services(session)
            meeting = await services.meetings.propose(
                self.people["dasha"],
                pair_id,
                MeetingDraft(MeetingKind.INTRO, starts, place="Библиотека"),
            )
            assert isinstance(meeting, int)
            await services.meetings.answer(self.people["misha"], meeting, confirm=True)
            goal = await services.goals.add(self.people["dasha"], pair_id, "Подтянуть алгебру")
            assert isinstance(goal, int)
        self.clock.set(starts + timedelta(hours=2))
        async with self.database.transaction() as session:
            services = self.services(session)
            for name in ("dasha", "misha"):
                await services.meetings.happened(self.people[name], meeting, HappenedAnswer.YES)
            assert await services.meetings.feedback(self.people["misha"], meeting, rating=5) is None
            assert await services.goals.update(self.people["dasha"], goal, progress=100) is None

    async def told(self, text_id: str) -> set[str]:
        """Who got a notification with this text."""
        names = {person: name for name, person in self.people.items()}
        async with self.database.transaction() as session:
            rows = await session.scalars(select(Notification).order_by(Notification.id))
            return {
                names.get(row.recipient_person_id, str(row.recipient_person_id))
                for row in rows
                if row.payload["text_id"] == text_id
            }


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def school(database: Database, clock: FrozenClock) -> School:
    return await School(database, clock).open()


async def test_a_program_runs_from_stage_one_to_closed(school: School) -> None:
    # Stage 1 holds back: no dates, no links, no description.
    held = await school.advance(force=False)
    assert isinstance(held, tuple)
    assert {item.id for item in held} == {"description", "dates", "links"}
    assert await school.told("stage-questionnaire") == set()

    moved = await school.advance()
    assert isinstance(moved, Overview)
    assert moved.stage == 2
    # Stage 2 reminds the mentees without a finished questionnaire; never the child whose
    # parent has not consented.
    assert await school.told("stage-questionnaire") == {"gosha"}
    assert await school.stage_after_advance() == 3
    assert await school.told("stage-questionnaire") == {"gosha", "oleg"}
    assert await school.stage_after_advance() == 4
    assert await school.told("stage-training") == {"dasha"}

    async with school.database.transaction() as session:
        pair = await f.add(
            session,
            Pair(
                program_id=school.program_id,
                status=PairStatus.ACTIVE,
                mentor_participant_id=school.parts["dasha"],
                created_at=NOW,
                approved_at=NOW,
            ),
        )
        for name, role in (("dasha", ParticipantRole.MENTOR), ("misha", ParticipantRole.MENTEE)):
            session.add(
                PairMember(
                    pair_id=pair.id, participant_id=school.parts[name], role=role, joined_at=NOW
                )
            )
    assert await school.stage_after_advance() == 5
    assert await school.told("stage-pairs-formed") == {"dasha", "misha"}
    assert await school.told("stage-unmatched") == {"vera"}
    assert await school.stage_after_advance() == 6
    assert await school.told("stage-work") == {"dasha", "misha"}
    await school.work(pair.id)

    final = await school.advance()
    assert isinstance(final, Overview)
    assert final.stage == 7
    everyone = {"misha", "vera", "gosha", "dasha", "oleg"}
    assert await school.told("stage-thanks") == everyone
    assert await school.told("stage-award") == {"dasha"}
    async with school.database.transaction() as session:
        surveys = list(
            await session.scalars(select(Feedback).where(Feedback.kind == FeedbackKind.FINAL))
        )
    assert len(surveys) == len(everyone)
    # The final report's figures are the data's.
    async with school.database.transaction() as session:
        report = await school.services(session).reports.final_report(
            school.curator, school.program_id
        )
    assert not isinstance(report, Refusal)
    assert report.complete
    assert (report.figures.held_total, report.figures.pairs_active) == (1, 1)
    assert report.figures.rating == 5.0
    assert (report.outcomes.goals_set, report.outcomes.goals_done) == (1, 1)
    # Only mentors who had a pair are ranked; Дарья's score is 10·5 + 2·1 + 0 + 3·1 = 55.
    assert [(m.place, m.name, m.held, m.rating, m.goals_done, m.score) for m in report.mentors] == [
        (1, "Dasha", 1, 5.0, 1, 55.0)
    ]

    closed = await school.advance()
    assert isinstance(closed, Overview)
    assert closed.closed
    assert all(stage.completed_at is not None for stage in closed.stages)
    assert await school.advance() is Refusal.NOT_FOUND
    # Entering a stage twice sends nothing twice: one message per person and stage.
    async with school.database.transaction() as session:
        keys = list(await session.scalars(select(Notification.key)))
    assert len(keys) == len(set(keys))


async def test_moving_by_date_follows_the_school_zone(school: School, clock: FrozenClock) -> None:
    async with school.database.transaction() as session:
        stages = school.services(session).stages
        await stages.set_dates(school.curator, school.program_id, 2, date(2026, 9, 10), None)
        assert await stages.set_advance_by_date(school.curator, school.program_id, True) is None
    # 9 September 20:59 UTC is still the 9th... and 21:00 UTC is midnight of the 10th in Moscow.
    clock.set(datetime(2026, 9, 9, 20, 59, tzinfo=UTC))
    async with school.database.transaction() as session:
        assert await school.services(session).stages.advance_due() == 0
    clock.set(datetime(2026, 9, 9, 21, 0, tzinfo=UTC))
    async with school.database.transaction() as session:
        assert await school.services(session).stages.advance_due() == 1
        assert await school.services(session).stages.advance_due() == 0  # stage 3 has no date
        program = await session.get_one(Program, school.program_id)
        assert program.stage == 2
    assert await school.told("stage-questionnaire") == {"gosha"}


async def test_another_programs_curator_can_neither_see_nor_move_it(school: School) -> None:
    async with school.database.transaction() as session:
        stages = school.services(session).stages
        assert await stages.overview(school.stranger, school.program_id) is Refusal.NOT_ALLOWED
        assert await stages.advance(school.stranger, school.program_id, force=True) is (
            Refusal.NOT_ALLOWED
        )
        assert await stages.set_advance_by_date(school.stranger, school.program_id, True) is (
            Refusal.NOT_ALLOWED
        )
        announcements = school.services(session).announcements
        assert await announcements.send(school.stranger, school.program_id, "Привет") is (
            Refusal.NOT_ALLOWED
        )
        program = await session.get_one(Program, school.program_id)
        assert (program.stage, program.advance_by_date) == (1, False)
    assert await school.told("announcement") == set()


async def test_an_announcement_reaches_one_role_and_reports_its_delivery(
    school: School, clock: FrozenClock
) -> None:
    async with school.database.transaction() as session:
        material = await f.add(
            session,
            ProgramMaterial(
                program_id=school.program_id,
                title="Памятка",
                file_name="pamyatka.pdf",
                media_type="application/pdf",
                content=b"%PDF-1.4",
                created_at=NOW,
            ),
        )
        announcements = school.services(session).announcements
        with pytest.raises(AnnouncementError):
            await announcements.send(school.curator, school.program_id, "   ")
        with pytest.raises(AnnouncementError):
            await announcements.send(school.curator, school.program_id, "я" * 3501)
        assert await announcements.recipients(school.curator, school.program_id, None) == 5
        sent = await announcements.send(
            school.curator,
            school.program_id,
            "Итоговое мероприятие в пятницу в 15:00",
            role=ParticipantRole.MENTOR,
            material_id=material.id,
        )
    assert not isinstance(sent, Refusal)
    assert (sent.recipients, sent.file) == (2, "pamyatka.pdf")
    assert await school.told("announcement") == {"dasha", "oleg"}
    # Олег blocked the bot: one delivered, one unreachable; then the author gets the count.
    telegram = ByChat({"chat-oleg": Unreachable("403: bot was blocked")})
    deliver = worker(school.database, clock, telegram=telegram)
    await deliver.run_once()
    await deliver.run_once()
    assert [(chat, text.startswith("Объявление программы")) for chat, text, _ in telegram.sent] == [
        ("chat-dasha", True)
    ]
    async with school.database.transaction() as session:
        recent = await school.services(session).announcements.recent(
            school.curator, school.program_id
        )
        assert not isinstance(recent, Refusal)
        [view] = recent
        assert (view.delivery.sent, view.delivery.unreachable, view.delivery.waiting) == (1, 1, 0)
        assert await school.services(session).announcements.report_finished() == 1
        assert await school.services(session).announcements.report_finished() == 0
        report = await session.scalar(
            select(Notification).where(Notification.recipient_person_id == school.curator)
        )
    assert report is not None
    assert report.payload["text_id"] == "announcement-report"
    assert (report.payload["args"]["sent"], report.payload["args"]["unreachable"]) == (1, 1)
    assert report.status is NotificationStatus.PENDING


async def test_a_closed_program_takes_no_announcement(school: School) -> None:
    async with school.database.transaction() as session:
        program = await session.get_one(Program, school.program_id)
        program.status = ProgramStatus.CLOSED
        assert (
            await school.services(session).announcements.send(CLI, school.program_id, "Привет")
            is Refusal.NOT_FOUND
        )
