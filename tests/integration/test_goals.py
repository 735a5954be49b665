"""GoalService on SQLite and PostgreSQL: goals recorded at a meeting with the other member told,
progress updates kept as history, the limits, roadmap steps in a teacher-teacher program,
strangers and other pairs' members refused, an ended pair's goals frozen, goals of one mentee in
a group, and the summary figures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.services import Services
from bot.services.goals import OPEN_MAX, GoalError, GoalsSummary
from storage import (
    AuditLog,
    Database,
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
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    RoleModel,
)
from tests.integration import factories as f

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 16:00 in Vladivostok, 08:00 in Kaliningrad
TODAY = date(2026, 12, 1)


class Pairs:
    """Two active pairs of one program, each with a planning meeting held, and a stranger."""

    def __init__(self, database: Database, clock: FrozenClock) -> None:
        self.database = database
        self.clock = clock

    async def open(self, form: MentorshipForm = MentorshipForm.STUDENT_STUDENT) -> Pairs:
        async with self.database.transaction() as session:
            org = await f.organization(session)
            prog = await f.program(session, org)
            if form is MentorshipForm.TEACHER_TEACHER:
                prog.form, prog.role_model = form, RoleModel.COLLEAGUE_YOUNG_COLLEAGUE
            self.program_id = prog.id
            self.mentor = await f.person(
                session, org, full_name="Дарья", timezone="Asia/Vladivostok"
            )
            self.mentee = await f.person(
                session, org, full_name="Миша", timezone="Europe/Kaliningrad"
            )
            self.other_mentor = await f.person(session, org, full_name="Ольга")
            self.other_mentee = await f.person(session, org, full_name="Петя")
            self.stranger = await f.person(session, org, full_name="Чужой")
            self.parts: dict[int, Participant] = {}
            for who, role in (
                (self.mentor, ParticipantRole.MENTOR),
                (self.mentee, ParticipantRole.MENTEE),
                (self.other_mentor, ParticipantRole.MENTOR),
                (self.other_mentee, ParticipantRole.MENTEE),
                (self.stranger, ParticipantRole.MENTEE),
            ):
                part = await f.participant(session, prog, who, role)
                part.status = ParticipantStatus.MATCHED
                self.parts[who.id] = part
            self.pair_id = await self._pair(session, prog, self.mentor, [self.mentee])
            self.other_pair_id = await self._pair(
                session, prog, self.other_mentor, [self.other_mentee]
            )
            self.meeting_id = await self._meeting(session, self.pair_id, MeetingStatus.HELD)
            self.other_meeting_id = await self._meeting(
                session, self.other_pair_id, MeetingStatus.HELD
            )
        return self

    async def _pair(
        self, session: Any, prog: Program, mentor: Person, mentees: list[Person]
    ) -> int:
        pair = await f.add(
            session,
            Pair(
                program_id=prog.id,
                kind=PairKind.GROUP if len(mentees) > 1 else PairKind.PAIR,
                status=PairStatus.ACTIVE,
                mentor_participant_id=self.parts[mentor.id].id,
                created_at=NOW,
            ),
        )
        for who in (mentor, *mentees):
            session.add(
                PairMember(
                    pair_id=pair.id,
                    participant_id=self.parts[who.id].id,
                    role=self.parts[who.id].role,
                    joined_at=NOW,
                )
            )
        await session.flush()
        return pair.id

    async def _meeting(self, session: Any, pair_id: int, status: MeetingStatus) -> int:
        meeting = await f.add(
            session,
            Meeting(
                pair_id=pair_id,
                kind=MeetingKind.PLANNING,
                status=status,
                starts_at=NOW - timedelta(hours=2),
                duration_minutes=60,
                created_at=NOW,
                updated_at=NOW,
            ),
        )
        return meeting.id

    async def add_meeting(self, status: MeetingStatus, pair_id: int | None = None) -> int:
        async with self.database.transaction() as session:
            return await self._meeting(session, pair_id or self.pair_id, status)

    @asynccontextmanager
    async def services(self) -> AsyncIterator[Services]:
        async with self.database.transaction() as session:
            yield Services(session, self.clock)

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        async with self.database.transaction() as session:
            return list(await session.scalars(select(model).where(*where).order_by(model.id)))

    async def counts(self) -> tuple[int, ...]:
        async with self.database.transaction() as session:
            return tuple(
                [
                    int(await session.scalar(select(func.count()).select_from(model)) or 0)
                    for model in (Goal, GoalProgress, Notification, AuditLog)
                ]
            )

    async def set_pair_status(self, status: PairStatus) -> None:
        async with self.database.transaction() as session:
            pair = await session.get_one(Pair, self.pair_id)
            pair.status = status

    async def add(self, person: Person, title: str, **kw: Any) -> int:
        async with self.services() as s:
            goal_id = await s.goals.add(person.id, self.pair_id, title, **kw)
        assert isinstance(goal_id, int), goal_id
        return goal_id


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def pairs(database: Database, clock: FrozenClock) -> Pairs:
    return await Pairs(database, clock).open()


async def test_goals_recorded_at_the_planning_meeting_then_updated(
    pairs: Pairs, clock: FrozenClock
) -> None:
    titles = ["Подготовить проект к конференции", "Подтянуть геометрию", "Прочитать 3 книги"]
    ids = [await pairs.add(pairs.mentor, t, meeting_id=pairs.meeting_id) for t in titles]
    goals = await pairs.rows(Goal)
    assert [(g.title, g.position, g.progress, g.status, g.meeting_id) for g in goals] == [
        (t, n, 0, GoalStatus.OPEN, pairs.meeting_id) for n, t in enumerate(titles, 1)
    ]
    assert all(g.participant_id is None and g.area is None for g in goals)
    history = await pairs.rows(GoalProgress)
    assert [(h.goal_id, h.progress, h.status, h.meeting_id) for h in history] == [
        (i, 0, GoalStatus.OPEN, pairs.meeting_id) for i in ids
    ]
    assert {h.participant_id for h in history} == {pairs.parts[pairs.mentor.id].id}
    # The mentee is told of each goal once, with a button to the goals.
    notes = await pairs.rows(Notification)
    assert [(n.recipient_person_id, n.kind, n.payload["text_id"]) for n in notes] == [
        (pairs.mentee.id, "pair", "goals-added")
    ] * 3
    assert len({n.key for n in notes}) == 3
    assert notes[0].payload["links"] == [["goals-button-open", f"g{pairs.pair_id}"]]
    assert notes[0].payload["args"] == {
        "who": "Дарья",
        "title": titles[0],
        "program": "Равный — равному",
        "roadmap": "no",
        "area": "none",
        "product": "none",
        "due": "none",
    }
    audit = await pairs.rows(AuditLog, AuditLog.action == "goals.added")
    assert [a.entity_id for a in audit] == [str(i) for i in ids]

    # A week later, at a regular meeting, the mentee updates progress with a note.
    clock.advance(timedelta(days=7))
    later = await pairs.add_meeting(MeetingStatus.CONFIRMED)
    async with pairs.services() as s:
        assert await s.goals.update(pairs.mentee.id, ids[0], progress=50, meeting_id=later) is None
        assert (
            await s.goals.update(pairs.mentee.id, ids[0], progress=60, note="  Тема выбрана  ")
            is None
        )
        assert await s.goals.update(pairs.mentee.id, ids[1], status=GoalStatus.DONE) is None
        # 100 % on an open goal marks it done.
        assert await s.goals.update(pairs.mentor.id, ids[2], progress=100) is None
    async with pairs.services() as s:
        views = await s.goals.goals(pairs.mentee.id, pairs.pair_id)
        updates = await s.goals.history(pairs.mentee.id, ids[0])
    assert not isinstance(views, GoalError)
    assert [(v.title, v.progress, v.status) for v in views] == [
        (titles[0], 60, GoalStatus.OPEN),
        (titles[1], 100, GoalStatus.DONE),
        (titles[2], 100, GoalStatus.DONE),
    ]
    assert (views[0].last_note, views[0].last_note_at) == ("Тема выбрана", clock.now())
    assert views[0].updated_at == clock.now()
    assert all(v.editable and v.mentee is None for v in views)
    assert not isinstance(updates, GoalError)
    assert [(u.progress, u.note, u.who, u.meeting_kind) for u in updates] == [
        (60, "Тема выбрана", "Миша", None),
        (50, None, "Миша", MeetingKind.PLANNING),
        (0, None, "Дарья", MeetingKind.PLANNING),
    ]
    closed = [n for n in await pairs.rows(Notification) if n.payload["text_id"] == "goals-closed"]
    assert [(n.recipient_person_id, n.payload["args"]["status"]) for n in closed] == [
        (pairs.mentor.id, "done"),
        (pairs.mentee.id, "done"),
    ]

    # Second taps and no-ops change nothing; a done goal takes a note or a reopening only.
    before = await pairs.counts()
    async with pairs.services() as s:
        assert await s.goals.update(pairs.mentee.id, ids[0], progress=60) is GoalError.UNCHANGED
        assert (
            await s.goals.update(pairs.mentee.id, ids[1], status=GoalStatus.DONE)
            is GoalError.CLOSED
        )
        assert await s.goals.update(pairs.mentee.id, ids[1], progress=30) is GoalError.CLOSED
        assert await s.goals.update(pairs.mentee.id, ids[0], progress=101) is GoalError.INVALID
        assert await s.goals.update(pairs.mentee.id, ids[0], progress=-1) is GoalError.INVALID
        assert await s.goals.update(pairs.mentee.id, ids[0], note="x" * 2001) is GoalError.INVALID
        assert (
            await s.goals.update(pairs.mentee.id, ids[0], progress=70, meeting_id=9999)
            is GoalError.MEETING
        )
    assert await pairs.counts() == before
    async with pairs.services() as s:
        assert await s.goals.update(pairs.mentee.id, ids[1], note="Четвёрка в четверти") is None
        assert await s.goals.update(pairs.mentor.id, ids[2], status=GoalStatus.OPEN) is None
        assert await s.goals.update(pairs.mentor.id, ids[0], status=GoalStatus.DROPPED) is None
        views = await s.goals.goals(pairs.mentor.id, pairs.pair_id)
    assert not isinstance(views, GoalError)
    # Dropped goals come last.
    assert [(v.id, v.progress, v.status) for v in views] == [
        (ids[1], 100, GoalStatus.DONE),
        (ids[2], 100, GoalStatus.OPEN),
        (ids[0], 60, GoalStatus.DROPPED),
    ]
    dropped = await pairs.rows(
        Notification, Notification.key == f"goal:{ids[0]}:dropped:{pairs.parts[pairs.mentee.id].id}"
    )
    assert [n.recipient_person_id for n in dropped] == [pairs.mentee.id]
    audit = await pairs.rows(AuditLog, AuditLog.action == "goals.updated")
    assert len(audit) == 7
    assert audit[0].details == {
        "pair": pairs.pair_id,
        "meeting": later,
        "progress": 50,
        "status": "open",
        "note": False,
    }


async def test_limits_refuse_and_change_nothing(pairs: Pairs, clock: FrozenClock) -> None:
    ids = [await pairs.add(pairs.mentor, f"Цель {n}") for n in range(OPEN_MAX)]
    cancelled = await pairs.add_meeting(MeetingStatus.CANCELLED)
    before = await pairs.counts()
    async with pairs.services() as s:
        add = s.goals.add
        assert await add(pairs.mentor.id, pairs.pair_id, "Одиннадцатая") is GoalError.FULL
        assert await add(pairs.mentee.id, pairs.pair_id, "x" * 201) is GoalError.INVALID
        assert await add(pairs.mentee.id, pairs.pair_id, "   ") is GoalError.INVALID
        # An area is only for roadmap steps.
        assert await add(pairs.mentor.id, pairs.pair_id, "Цель", area="ict") is GoalError.INVALID
        assert (
            await add(pairs.mentor.id, pairs.pair_id, "Цель", due_on=TODAY - timedelta(days=1))
            is GoalError.DUE_DATE
        )
        assert (
            await add(pairs.mentor.id, pairs.pair_id, "Цель", due_on=TODAY + timedelta(days=1200))
            is GoalError.DUE_DATE
        )
        for meeting in (pairs.other_meeting_id, cancelled, 9999):
            assert (
                await add(pairs.mentor.id, pairs.pair_id, "Цель", meeting_id=meeting)
                is GoalError.MEETING
            )
        # Only a mentee of the pair can be the one a goal is for.
        assert (
            await add(
                pairs.mentor.id,
                pairs.pair_id,
                "Цель",
                mentee_participant_id=pairs.parts[pairs.other_mentee.id].id,
            )
            is GoalError.INVALID
        )
    assert await pairs.counts() == before
    # Once one is done, there is room again; a 200-character title due today fits.
    async with pairs.services() as s:
        assert await s.goals.update(pairs.mentee.id, ids[0], status=GoalStatus.DONE) is None
    goal_id = await pairs.add(pairs.mentee, "я" * 200, due_on=TODAY)
    (goal,) = await pairs.rows(Goal, Goal.id == goal_id)
    assert (len(goal.title), goal.due_on, goal.position) == (200, TODAY, OPEN_MAX + 1)
    # Reopening counts against the limit too.
    async with pairs.services() as s:
        assert await s.goals.update(pairs.mentee.id, ids[0], status=GoalStatus.OPEN) is (
            GoalError.FULL
        )


async def test_due_date_is_checked_in_the_persons_own_zone(
    pairs: Pairs, clock: FrozenClock
) -> None:
    # 20:00 UTC on 30 November: 1 December in Vladivostok, still 30 November in Kaliningrad.
    clock.advance(datetime(2026, 11, 30, 20, 0, tzinfo=UTC) - clock.now())
    nov30 = date(2026, 11, 30)
    async with pairs.services() as s:
        assert (
            await s.goals.add(pairs.mentor.id, pairs.pair_id, "Цель", due_on=nov30)
            is GoalError.DUE_DATE
        )
        assert isinstance(
            await s.goals.add(pairs.mentee.id, pairs.pair_id, "Цель", due_on=nov30), int
        )


async def test_strangers_and_other_pairs_members_are_refused(pairs: Pairs) -> None:
    goal_id = await pairs.add(pairs.mentor, "Цель пары")
    before = await pairs.counts()
    async with pairs.services() as s:
        for outsider in (pairs.stranger, pairs.other_mentor, pairs.other_mentee):
            assert await s.goals.goals(outsider.id, pairs.pair_id) is GoalError.NOT_FOUND
            assert await s.goals.board(outsider.id, pairs.pair_id) is GoalError.NOT_FOUND
            assert await s.goals.goal(outsider.id, goal_id) is GoalError.NOT_FOUND
            assert await s.goals.history(outsider.id, goal_id) is GoalError.NOT_FOUND
            assert await s.goals.add(outsider.id, pairs.pair_id, "Чужая") is GoalError.NOT_FOUND
            for change in ({"progress": 90}, {"status": GoalStatus.DONE}, {"note": "хи"}):
                assert await s.goals.update(outsider.id, goal_id, **change) is GoalError.NOT_FOUND
        assert await s.goals.update(pairs.mentor.id, 9999, progress=10) is GoalError.NOT_FOUND
        assert await s.goals.goals(pairs.mentor.id, 9999) is GoalError.NOT_FOUND
    assert await pairs.counts() == before
    (goal,) = await pairs.rows(Goal)
    assert (goal.progress, goal.status) == (0, GoalStatus.OPEN)


async def test_roadmap_mode_follows_the_program_form(
    database: Database, clock: FrozenClock
) -> None:
    school = await Pairs(database, clock).open()
    teachers = await Pairs(database, clock).open(MentorshipForm.TEACHER_TEACHER)
    async with teachers.services() as s:
        assert await s.goals.roadmap(teachers.pair_id) is True
        assert await s.goals.roadmap(school.pair_id) is False
        assert await s.goals.roadmap(9999) is False
        step = await s.goals.add(
            teachers.mentor.id,
            teachers.pair_id,
            "Пройти курс по формирующему оцениванию",
            area="methods",
            product="Сертификат и конспект урока",
            due_on=date(2027, 2, 15),
            meeting_id=teachers.meeting_id,
        )
        assert isinstance(step, int)
        assert (
            await s.goals.add(teachers.mentor.id, teachers.pair_id, "Шаг", area="art")
            is GoalError.INVALID
        )
        board = await s.goals.board(teachers.mentee.id, teachers.pair_id, teachers.meeting_id)
    assert not isinstance(board, GoalError)
    assert (board.roadmap, board.active, board.group, board.meeting_kind) == (
        True,
        True,
        False,
        MeetingKind.PLANNING,
    )
    (view,) = board.goals
    assert (view.area, view.product, view.due_on, view.overdue) == (
        "methods",
        "Сертификат и конспект урока",
        date(2027, 2, 15),
        False,
    )
    (note,) = await teachers.rows(Notification)
    assert note.payload["args"] == {
        "who": "Дарья",
        "title": "Пройти курс по формирующему оцениванию",
        "program": "Равный — равному",
        "roadmap": "yes",
        "area": "methods",
        "product": "Сертификат и конспект урока",
        "due": "15.02.2027",
    }
    # Past its due date an open step is overdue.
    clock.advance(timedelta(days=120))
    async with teachers.services() as s:
        later = await s.goals.goal(teachers.mentee.id, step)
    assert not isinstance(later, GoalError)
    assert later.overdue is True


async def test_an_ended_pairs_goals_are_kept_but_frozen(pairs: Pairs) -> None:
    goal_id = await pairs.add(pairs.mentor, "Цель")
    await pairs.set_pair_status(PairStatus.FINISHED)
    before = await pairs.counts()
    async with pairs.services() as s:
        views = await s.goals.goals(pairs.mentee.id, pairs.pair_id)
        assert not isinstance(views, GoalError)
        assert [(v.title, v.editable) for v in views] == [("Цель", False)]
        assert await s.goals.add(pairs.mentor.id, pairs.pair_id, "Ещё") is GoalError.ENDED
        assert await s.goals.update(pairs.mentee.id, goal_id, progress=40) is GoalError.ENDED
        assert await s.goals.update(pairs.mentee.id, goal_id, note="Итог") is GoalError.ENDED
    assert await pairs.counts() == before
    # A pair that never started (or was rejected) shows nothing.
    await pairs.set_pair_status(PairStatus.REJECTED)
    async with pairs.services() as s:
        assert await s.goals.goals(pairs.mentee.id, pairs.pair_id) is GoalError.NOT_FOUND


async def test_a_groups_goal_for_one_mentee(database: Database, clock: FrozenClock) -> None:
    pairs = await Pairs(database, clock).open()
    async with database.transaction() as session:
        prog = await session.get_one(Program, pairs.program_id)
        anna = await f.person(session, full_name="Аня")
        part = await f.participant(session, prog, anna, ParticipantRole.MENTEE)
        pairs.parts[anna.id] = part
        group_id = await pairs._pair(session, prog, pairs.mentor, [pairs.mentee, anna])
    pairs.pair_id = group_id
    misha_part, anna_part = pairs.parts[pairs.mentee.id].id, pairs.parts[anna.id].id
    shared = await pairs.add(pairs.mentor, "Общий проект группы")
    annas = await pairs.add(pairs.mentor, "Выступить на конкурсе", mentee_participant_id=anna_part)
    mishas = await pairs.add(pairs.mentee, "Моя цель")  # a mentee's own goal in a group is theirs
    async with pairs.services() as s:
        assert (
            await s.goals.add(
                pairs.mentee.id, group_id, "Цель Ани", mentee_participant_id=anna_part
            )
            is GoalError.INVALID
        )
        mentor_sees = await s.goals.board(pairs.mentor.id, group_id)
        misha_sees = await s.goals.goals(pairs.mentee.id, group_id)
        assert await s.goals.update(pairs.mentee.id, annas, progress=50) is GoalError.NOT_FOUND
        assert await s.goals.goal(pairs.mentee.id, annas) is GoalError.NOT_FOUND
        summary = await s.goals.summary_of(group_id, mentee_participant_id=misha_part)
    assert not isinstance(mentor_sees, GoalError)
    assert not isinstance(misha_sees, GoalError)
    assert mentor_sees.group
    assert mentor_sees.mentees == ((misha_part, "Миша"), (anna_part, "Аня"))
    assert [(v.id, v.mentee) for v in mentor_sees.goals] == [
        (shared, None),
        (annas, "Аня"),
        (mishas, "Миша"),
    ]
    assert [v.id for v in misha_sees] == [shared, mishas]
    assert [t for t, _, _ in summary.items] == ["Общий проект группы", "Моя цель"]
    # Anna's goal is told to her only; Misha's own to the mentor and not to Anna.
    told = {
        (n.payload["args"]["title"], n.recipient_person_id) for n in await pairs.rows(Notification)
    }
    assert told == {
        ("Общий проект группы", pairs.mentee.id),
        ("Общий проект группы", anna.id),
        ("Выступить на конкурсе", anna.id),
        ("Моя цель", pairs.mentor.id),
    }


async def test_summary_of_a_pair(pairs: Pairs) -> None:
    async with pairs.services() as s:
        assert await s.goals.summary_of(pairs.pair_id) == GoalsSummary(0, 0, 0, None, ())
    first = await pairs.add(pairs.mentor, "Первая")
    second = await pairs.add(pairs.mentor, "Вторая")
    third = await pairs.add(pairs.mentor, "Третья")
    await pairs.add(pairs.mentor, "Четвёртая")
    async with pairs.services() as s:
        assert await s.goals.update(pairs.mentee.id, first, progress=50) is None
        assert await s.goals.update(pairs.mentee.id, second, status=GoalStatus.DONE) is None
        assert await s.goals.update(pairs.mentee.id, third, progress=30) is None
        assert await s.goals.update(pairs.mentee.id, third, status=GoalStatus.DROPPED) is None
    async with pairs.services() as s:
        summary = await s.goals.summary_of(pairs.pair_id)
    # The mean leaves out the dropped goal: (50 + 100 + 0) / 3.
    assert summary == GoalsSummary(
        open=2,
        done=1,
        dropped=1,
        mean_progress=50,
        items=(
            ("Первая", 50, GoalStatus.OPEN),
            ("Вторая", 100, GoalStatus.DONE),
            ("Третья", 30, GoalStatus.DROPPED),
            ("Четвёртая", 0, GoalStatus.OPEN),
        ),
    )
