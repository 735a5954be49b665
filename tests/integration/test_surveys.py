"""SurveyService on SQLite and PostgreSQL: when pulse surveys go out, the final survey, answering
and the figures the curator reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.services import Policy, Services
from bot.services.programs import CLI
from bot.services.surveys import (
    SurveyError,
    SurveyResponse,
    invite_key,
    reminder_key,
)
from storage import (
    AuditLog,
    Database,
    Feedback,
    FeedbackKind,
    Notification,
    NotificationStatus,
    Pair,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramCurator,
    ProgramStatus,
    StaffMember,
    StaffRole,
)
from tests.integration import factories
from tests.integration.factories import NOW

WEEK = timedelta(weeks=1)

CUSTOM_PULSE = """\
id: our-pulse
version: 1
purpose: pulse
role: mentee
forms: [student_student]
title: Наш опрос
questions:
  - id: satisfaction
    type: scale
    text: Как встречи?
    min: 1
    max: 5
  - id: nps
    type: scale
    text: Посоветуете?
    min: 0
    max: 10
  - id: worried
    type: yesno
    text: Что-то тревожит?
  - id: what
    type: text
    text: Что именно?
    show_if: {question: worried, equals: true}
"""


def services(session: object, clock: FrozenClock) -> Services:
    return Services(session, clock, Policy())  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@dataclass
class World:
    program_id: int
    mentor: int  # participant ids
    mentee: int
    mentor_person: int
    mentee_person: int
    pair_id: int


async def world(database: Database, *, approved_at: datetime = NOW) -> World:
    """A program at stage 6 with one active pair approved at `approved_at`."""
    async with database.transaction() as session:
        org = await factories.organization(session)
        program = await factories.program(session, org)
        program.stage = 6
        people = [await factories.person(session, org) for _ in range(2)]
        mentor = await factories.participant(session, program, people[0], ParticipantRole.MENTOR)
        mentee = await factories.participant(session, program, people[1])
        pair = await pair_of(session, program, mentor, [mentee], approved_at)
        return World(program.id, mentor.id, mentee.id, people[0].id, people[1].id, pair.id)


async def pair_of(
    session: object,
    program: Program,
    mentor: Participant,
    mentees: list[Participant],
    approved_at: datetime,
) -> Pair:
    pair = await factories.add(
        session,  # type: ignore[arg-type]
        Pair(
            program_id=program.id,
            status=PairStatus.ACTIVE,
            mentor_participant_id=mentor.id,
            created_at=approved_at,
            approved_at=approved_at,
        ),
    )
    for member in (mentor, *mentees):
        member.status = ParticipantStatus.MATCHED
        await factories.add(
            session,  # type: ignore[arg-type]
            PairMember(
                pair_id=pair.id, participant_id=member.id, role=member.role, joined_at=approved_at
            ),
        )
    return pair


async def plan(database: Database, clock: FrozenClock) -> int:
    async with database.transaction() as session:
        return await services(session, clock).surveys.plan_pulse()


async def surveys(database: Database) -> list[tuple[int, FeedbackKind, int | None, str | None]]:
    """(participant, kind, round, survey key) of every survey response."""
    async with database.sessions() as session:
        rows = await session.scalars(select(Feedback).order_by(Feedback.id))
        return [(r.participant_id, r.kind, r.round, r.survey_key) for r in rows]


async def test_pulse_rounds_go_out_every_four_weeks_once_and_never_late(
    database: Database, clock: FrozenClock
) -> None:
    w = await world(database)
    clock.advance(4 * WEEK - timedelta(hours=1))
    assert await plan(database, clock) == 0
    clock.advance(timedelta(hours=1))
    assert await plan(database, clock) == 2
    assert await plan(database, clock) == 0, "idempotent"
    assert await surveys(database) == [
        (w.mentor, FeedbackKind.PULSE, 1, "pulse-mentor"),
        (w.mentee, FeedbackKind.PULSE, 1, "pulse-mentee"),
    ]
    async with database.sessions() as session:
        rows = list(await session.scalars(select(Feedback).order_by(Feedback.id)))
        assert {(r.survey_version, r.created_at, r.completed_at, r.answers) for r in rows} == {
            (1, NOW + 4 * WEEK, None, None)
        }
        notes = list(await session.scalars(select(Notification).order_by(Notification.id)))
    first = rows[1].id
    assert [
        (n.key, n.kind, n.recipient_person_id, n.due_at, n.payload)
        for n in notes
        if n.recipient_person_id == w.mentee_person
    ] == [
        (
            invite_key(first),
            "survey",
            w.mentee_person,
            NOW + 4 * WEEK,
            {
                "text_id": "survey-pulse-invite",
                "args": {"program": "Равный — равному", "round": 1},
                "links": [["survey-button-open", f"s{first}"]],
            },
        ),
        (
            reminder_key(first),
            "survey",
            w.mentee_person,
            NOW + 4 * WEEK + timedelta(days=3),
            {
                "text_id": "survey-reminder",
                "args": {"program": "Равный — равному", "round": 1},
                "links": [["survey-button-open", f"s{first}"]],
            },
        ),
    ]
    assert len(notes) == 4

    clock.advance(4 * WEEK)
    assert await plan(database, clock) == 2
    # Rounds 3 and 4 pass while the job is down: only the latest round due goes out.
    clock.advance(12 * WEEK)
    assert await plan(database, clock) == 2
    assert [(kind, round_) for _, kind, round_, _ in await surveys(database)] == [
        (FeedbackKind.PULSE, 1),
        (FeedbackKind.PULSE, 1),
        (FeedbackKind.PULSE, 2),
        (FeedbackKind.PULSE, 2),
        (FeedbackKind.PULSE, 5),
        (FeedbackKind.PULSE, 5),
    ]


async def test_the_programs_pulse_weeks_are_honoured(
    database: Database, clock: FrozenClock
) -> None:
    w = await world(database)
    async with database.transaction() as session:
        (await session.get_one(Program, w.program_id)).pulse_weeks = 2
    clock.advance(2 * WEEK)
    assert await plan(database, clock) == 2
    clock.advance(WEEK)
    assert await plan(database, clock) == 0
    clock.advance(WEEK)
    assert await plan(database, clock) == 2
    assert sorted(round_ or 0 for _, _, round_, _ in await surveys(database)) == [1, 1, 2, 2]


async def test_ended_pairs_finished_programs_and_people_gone_get_no_pulse(
    database: Database, clock: FrozenClock
) -> None:
    ended, completing, closed, gone = [await world(database) for _ in range(4)]
    async with database.transaction() as session:
        (await session.get_one(Pair, ended.pair_id)).status = PairStatus.FINISHED
        (await session.get_one(Program, completing.program_id)).stage = 7
        (await session.get_one(Program, closed.program_id)).status = ProgramStatus.CLOSED
        (await session.get_one(Participant, gone.mentee)).status = ParticipantStatus.LEFT
    clock.advance(4 * WEEK)
    assert await plan(database, clock) == 1
    assert await surveys(database) == [(gone.mentor, FeedbackKind.PULSE, 1, "pulse-mentor")]


async def test_a_mentor_in_two_pairs_gets_one_survey_a_round(
    database: Database, clock: FrozenClock
) -> None:
    w = await world(database)
    async with database.transaction() as session:
        program = await session.get_one(Program, w.program_id)
        mentor = await session.get_one(Participant, w.mentor)
        second = await factories.participant(session, program, await factories.person(session))
        await pair_of(session, program, mentor, [second], NOW + WEEK)
    clock.advance(4 * WEEK)
    assert await plan(database, clock) == 2, "the mentor by the earlier pair, its mentee"
    clock.advance(WEEK)
    assert await plan(database, clock) == 1, "the second mentee, by their own pair"
    assert await surveys(database) == [
        (w.mentor, FeedbackKind.PULSE, 1, "pulse-mentor"),
        (w.mentee, FeedbackKind.PULSE, 1, "pulse-mentee"),
        (second.id, FeedbackKind.PULSE, 1, "pulse-mentee"),
    ]


async def test_a_loaded_survey_file_serves_surveys_never_the_intake(
    database: Database, clock: FrozenClock
) -> None:
    w = await world(database)
    async with database.transaction() as session:
        loaded = await services(session, clock).questionnaires.load(
            w.program_id, CUSTOM_PULSE, None
        )
        assert loaded.purpose == "pulse"
        await services(session, clock).questionnaires.load(
            w.program_id, CUSTOM_PULSE.replace("version: 1", "version: 2"), None
        )
        listed = await services(session, clock).questionnaires.loaded(w.program_id)
        assert [(q.key, q.version, q.purpose) for q in listed] == [
            ("our-pulse", 2, "pulse"),
            ("our-pulse", 1, "pulse"),
        ]
        mentee = await session.get_one(Participant, w.mentee)
        intake = await services(session, clock).questionnaires.for_participant(mentee)
        assert intake.id == "mentee-student", "a survey file is not an intake questionnaire"
    clock.advance(4 * WEEK)
    await plan(database, clock)
    assert [key for *_, key in await surveys(database)] == ["pulse-mentor", "our-pulse"]

    async with database.transaction() as session:
        surveys_ = services(session, clock).surveys
        (opened,) = await surveys_.open_for(w.mentee_person)
        response = await surveys_.response(w.mentee_person, opened.feedback_id)
        assert isinstance(response, SurveyResponse)
        assert (response.definition.id, response.definition.version) == ("our-pulse", 2)
        await surveys_.save_answer(response, "worried", True)
        await surveys_.save_answer(response, "what", "Мало времени")
        assert await surveys_.save_answer(response, "worried", False) == ["what"]
        with pytest.raises(ValueError, match="does not answer"):
            await surveys_.save_answer(response, "nps", 11)
        with pytest.raises(ValueError, match="unanswered questions: satisfaction, nps"):
            await surveys_.finish(response)
        assert surveys_.answers(response) == {"worried": False}


async def test_the_final_survey_is_for_staff_to_send_once(
    database: Database, clock: FrozenClock
) -> None:
    w = await world(database)
    other = await world(database)
    async with database.transaction() as session:
        program = await session.get_one(Program, w.program_id)
        waiting = await factories.participant(session, program, await factories.person(session))
        waiting.status = ParticipantStatus.CONSENT_PENDING
        left = await factories.participant(session, program, await factories.person(session))
        left.status = ParticipantStatus.LEFT
        newcomer = await factories.participant(session, program, await factories.person(session))
        curator = await factories.person(session)
        session.add(ProgramCurator(program_id=w.program_id, person_id=curator.id, created_at=NOW))
        stranger = await factories.person(session)
        session.add(
            ProgramCurator(program_id=other.program_id, person_id=stranger.id, created_at=NOW)
        )
        coordinator = await factories.person(session)
        session.add(
            StaffMember(
                organization_id=program.organization_id,
                person_id=coordinator.id,
                role=StaffRole.COORDINATOR,
                created_at=NOW,
            )
        )

    async def start(actor: object, program_id: int) -> int | SurveyError:
        async with database.transaction() as session:
            return await services(session, clock).surveys.start_final(actor, program_id)  # type: ignore[arg-type]

    assert await start(stranger.id, w.program_id) is SurveyError.NOT_ALLOWED
    assert await start(curator.id, 999_999) is SurveyError.NOT_FOUND
    assert await surveys(database) == [], "a refusal writes nothing"
    assert await start(curator.id, w.program_id) == 3
    assert await start(coordinator.id, w.program_id) == 0, "idempotent"
    assert await start(CLI, w.program_id) == 0
    assert await surveys(database) == [
        (w.mentor, FeedbackKind.FINAL, 0, "final-mentor"),
        (w.mentee, FeedbackKind.FINAL, 0, "final-mentee"),
        (newcomer.id, FeedbackKind.FINAL, 0, "final-mentee"),
    ]
    async with database.sessions() as session:
        invites = await session.scalars(
            select(Notification).where(Notification.key.not_like("%:remind"))
        )
        assert {row.payload["text_id"] for row in invites} == {"survey-final-invite"}
        audit = list(
            await session.scalars(
                select(AuditLog).where(AuditLog.action == "surveys.final-started")
            )
        )
        assert [(row.actor, row.entity_id, row.details) for row in audit] == [
            (f"person:{curator.id}", str(w.program_id), {"sent": 3})
        ]


async def test_a_completed_survey_cannot_change_and_strangers_cannot_open_it(
    database: Database, clock: FrozenClock
) -> None:
    w = await world(database)
    other = await world(database)
    async with database.transaction() as session:
        await services(session, clock).surveys.start_final(CLI, w.program_id)
    async with database.transaction() as session:
        surveys_ = services(session, clock).surveys
        (opened,) = await surveys_.open_for(w.mentee_person)
        assert (opened.kind, opened.round, opened.program) == (
            FeedbackKind.FINAL,
            0,
            "Равный — равному",
        )
        survey_id = opened.feedback_id
        assert await surveys_.response(other.mentee_person, survey_id) is SurveyError.NOT_FOUND
        response = await surveys_.response(w.mentee_person, survey_id)
        assert isinstance(response, SurveyResponse)
        for question_id, value in [
            ("satisfaction", 5),
            ("nps", 10),
            ("results", ["project", "confidence"]),
            ("become_mentor", True),
            ("comment", None),
        ]:
            assert await surveys_.save_answer(response, question_id, value) == []
        clock.advance(timedelta(hours=1))
        assert await surveys_.finish(response) is None
        assert await surveys_.finish(response) is SurveyError.ANSWERED
        assert await surveys_.save_answer(response, "nps", 0) is SurveyError.ANSWERED
    async with database.transaction() as session:
        surveys_ = services(session, clock).surveys
        assert await surveys_.response(w.mentee_person, survey_id) is SurveyError.ANSWERED
        assert await surveys_.open_for(w.mentee_person) == []
        row = await session.get_one(Feedback, survey_id)
        assert row.answers == {
            "satisfaction": 5,
            "nps": 10,
            "results": ["project", "confidence"],
            "become_mentor": True,
            "comment": None,
        }
        assert row.completed_at == NOW + timedelta(hours=1)
        notes = await session.execute(
            select(Notification.key, Notification.status).where(
                Notification.key.in_((invite_key(survey_id), reminder_key(survey_id)))
            )
        )
        assert sorted(notes.all()) == [
            (invite_key(survey_id), NotificationStatus.SKIPPED),
            (reminder_key(survey_id), NotificationStatus.SKIPPED),
        ]
        assert (
            await session.scalar(select(func.count()).where(AuditLog.action == "surveys.completed"))
            == 1
        )
        (await session.get_one(Participant, w.mentor)).status = ParticipantStatus.LEFT
    async with database.sessions() as session:
        surveys_ = services(session, clock).surveys
        assert await surveys_.open_for(w.mentor_person) == [], "gone: nothing to answer"


async def test_a_pulse_round_closes_when_the_next_one_comes(
    database: Database, clock: FrozenClock
) -> None:
    w = await world(database)
    clock.advance(4 * WEEK)
    await plan(database, clock)
    clock.advance(4 * WEEK)
    await plan(database, clock)
    async with database.transaction() as session:
        await services(session, clock).surveys.start_final(CLI, w.program_id)
    async with database.sessions() as session:
        surveys_ = services(session, clock).surveys
        listed = await surveys_.open_for(w.mentee_person)
        assert [(s.kind, s.round) for s in listed] == [
            (FeedbackKind.FINAL, 0),
            (FeedbackKind.PULSE, 2),
        ], "newest first; round 1 is closed"
        first = await session.scalar(
            select(Feedback.id).where(Feedback.participant_id == w.mentee, Feedback.round == 1)
        )
        assert first is not None
        assert await surveys_.response(w.mentee_person, first) is SurveyError.EXPIRED


async def test_results_count_answers_satisfaction_and_nps(
    database: Database, clock: FrozenClock
) -> None:
    w = await world(database)
    other = await world(database)
    answered = NOW + WEEK
    mentee, mentor = ParticipantRole.MENTEE, ParticipantRole.MENTOR
    pulse, final = FeedbackKind.PULSE, FeedbackKind.FINAL
    # (role, kind, round, answers or None when unanswered)
    crafted: list[tuple[ParticipantRole, FeedbackKind, int, dict[str, object] | None]] = [
        (mentee, pulse, 1, {"satisfaction": 5, "nps": 10}),
        (mentee, pulse, 1, {"satisfaction": 4, "nps": 9}),
        (mentor, pulse, 1, {"satisfaction": 4, "nps": 7}),
        (mentee, pulse, 1, {"satisfaction": 3, "nps": 3}),
        (mentee, pulse, 1, None),
        (mentee, pulse, 2, {"satisfaction": 2, "nps": 6}),
        (mentee, pulse, 2, None),
        (mentee, final, 0, {"satisfaction": 5, "nps": 10, "become_mentor": True}),
        (mentee, final, 0, {"satisfaction": 4, "nps": 8, "become_mentor": False}),
        (mentor, final, 0, {"satisfaction": 5, "nps": 9, "mentor_again": True}),
        (mentee, final, 0, None),
    ]
    async with database.transaction() as session:
        program = await session.get_one(Program, w.program_id)
        for role, kind, round_, answers in crafted:
            who = await factories.participant(
                session, program, await factories.person(session), role
            )
            session.add(
                Feedback(
                    participant_id=who.id,
                    kind=kind,
                    round=round_,
                    survey_key="any",
                    survey_version=1,
                    answers=answers,
                    completed_at=answered if answers is not None else None,
                    created_at=NOW,
                )
            )
        session.add(
            Feedback(participant_id=other.mentee, kind=FeedbackKind.PULSE, round=1, created_at=NOW)
        )
        curator = await factories.person(session)
        session.add(ProgramCurator(program_id=other.program_id, person_id=curator.id))
    async with database.sessions() as session:
        surveys_ = services(session, clock).surveys
        assert await surveys_.results(curator.id, w.program_id) is SurveyError.NOT_ALLOWED
        results = await surveys_.results(CLI, w.program_id)
    assert not isinstance(results, SurveyError)
    assert results.program == "Равный — равному"
    first, second = results.pulse_rounds
    assert (first.round, first.sent, first.completed, first.unanswered) == (1, 5, 4, 1)
    assert first.satisfaction == 4.0
    assert (first.promoters, first.passives, first.detractors, first.nps) == (2, 1, 1, 25.0)
    assert (second.round, second.sent, second.completed, second.nps) == (2, 2, 1, -100.0)
    overall = results.pulse
    assert (overall.round, overall.sent, overall.completed) == (None, 7, 5)
    assert overall.satisfaction == pytest.approx(3.6)
    assert overall.nps == 0.0
    end = results.final
    assert end is not None
    assert (end.sent, end.completed, end.unanswered) == (4, 3, 1)
    assert end.satisfaction == pytest.approx(14 / 3)
    assert end.nps == pytest.approx(200 / 3)
    assert (end.would_mentor, end.mentor_again) == (1, 1)

    async with database.sessions() as session:
        empty = await services(session, clock).surveys.results(CLI, other.program_id)
    assert not isinstance(empty, SurveyError)
    assert (empty.pulse.sent, empty.pulse.satisfaction, empty.pulse.nps, empty.final) == (
        1,
        None,
        None,
        None,
    )
