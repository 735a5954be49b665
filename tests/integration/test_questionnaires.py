"""QuestionnaireService on SQLite and PostgreSQL: loading, choosing, answering, finishing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.services import Policy, Services
from bot.services.questionnaires import (
    NoQuestionnaireError,
    QuestionnaireError,
    reminder_key,
)
from storage import (
    AuditLog,
    Database,
    MentorshipForm,
    Notification,
    NotificationStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    Questionnaire,
    QuestionnaireAnswer,
)
from tests.integration import factories
from tests.integration.factories import NOW

CUSTOM = """\
id: custom-mentee
version: 1
role: mentee
forms: [student_student, teacher_student]
title: {ru: Своя анкета, en: Our own questionnaire}
questions:
  - id: has_ovz
    type: yesno
    text: Есть ли особенности здоровья?
  - id: details
    type: text
    text: Что учесть?
    required: false
    show_if: {question: has_ovz, equals: true}
  - id: goals
    type: multi
    text: Цели
    options:
      - {id: grades, text: Оценки}
      - {id: project, text: Проект}
    match: {key: goals, against: can_help}
"""


def services(session: object, clock: FrozenClock, **policy: object) -> Services:
    return Services(session, clock, Policy(**policy))  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def program_with(
    database: Database,
    form: MentorshipForm = MentorshipForm.STUDENT_STUDENT,
    role: ParticipantRole = ParticipantRole.MENTEE,
) -> tuple[int, int, int]:
    """(program id, participant id, person id)"""
    async with database.transaction() as session:
        org = await factories.organization(session)
        person = await factories.person(session, org)
        program = await factories.program(session, org)
        program.form = form
        participant = await factories.participant(session, program, person, role)
        return program.id, participant.id, person.id


async def test_a_curators_file_is_validated_and_versions_only_grow(
    database: Database, clock: FrozenClock
) -> None:
    program_id, _, curator_id = await program_with(database)
    async with database.transaction() as session:
        loaded = await services(session, clock).questionnaires.load(program_id, CUSTOM, curator_id)
        assert (loaded.id, loaded.version) == ("custom-mentee", 1)

    failures = [
        (CUSTOM, 2, "version 1 must be greater than 1"),
        (CUSTOM.replace("version: 1", "version: one"), 2, "whole number"),
        (
            CUSTOM.replace("forms: [student_student, teacher_student]", "forms: [teacher_teacher]"),
            4,
            "form student_student",
        ),
    ]
    for source, line, reason in failures:
        async with database.transaction() as session:
            with pytest.raises(QuestionnaireError) as caught:
                await services(session, clock).questionnaires.load(program_id, source, curator_id)
            assert (caught.value.line, reason in caught.value.reason) == (line, True), caught.value
    async with database.transaction() as session:
        questionnaires = services(session, clock).questionnaires
        with pytest.raises(QuestionnaireError, match="program 999999 does not exist"):
            await questionnaires.load(999_999, CUSTOM, None)
        with pytest.raises(QuestionnaireError, match="person 999999 does not exist"):
            await questionnaires.load(
                program_id, CUSTOM.replace("version: 1", "version: 5"), 999_999
            )

    clock.advance(timedelta(minutes=5))
    async with database.transaction() as session:
        await services(session, clock).questionnaires.load(
            program_id, CUSTOM.replace("version: 1", "version: 3"), None
        )
    async with database.sessions() as session:
        listed = await services(session, clock).questionnaires.loaded(program_id)
        assert [(q.key, q.version, q.role, q.title, q.loaded_by_person_id) for q in listed] == [
            ("custom-mentee", 3, ParticipantRole.MENTEE, "Своя анкета", None),
            ("custom-mentee", 1, ParticipantRole.MENTEE, "Своя анкета", curator_id),
        ]
        assert listed[0].loaded_at == NOW + timedelta(minutes=5)
        assert await session.scalar(select(func.count()).select_from(Questionnaire)) == 2
        audit = list(
            await session.scalars(select(AuditLog).where(AuditLog.action == "load-questionnaire"))
        )
        assert [(row.actor, row.details) for row in audit] == [
            (f"person:{curator_id}", {"program": program_id, "key": "custom-mentee", "version": 1}),
            ("system:cli", {"program": program_id, "key": "custom-mentee", "version": 3}),
        ]


async def test_the_programs_own_newest_questionnaire_comes_before_the_built_in(
    database: Database, clock: FrozenClock
) -> None:
    program_id, mentee_id, _ = await program_with(database)
    async with database.transaction() as session:
        program = await session.get_one(Program, program_id)
        mentor = await factories.participant(
            session, program, await factories.person(session), ParticipantRole.MENTOR
        )
    teacher_program, teacher_mentee, _ = await program_with(
        database, MentorshipForm.TEACHER_TEACHER
    )
    _, employer_mentor, _ = await program_with(
        database, MentorshipForm.EMPLOYER_STUDENT, ParticipantRole.MENTOR
    )

    async def chosen(participant_id: int) -> tuple[str, int]:
        async with database.sessions() as session:
            participant = await session.get_one(Participant, participant_id)
            definition = await services(session, clock).questionnaires.for_participant(participant)
            return definition.id, definition.version

    assert await chosen(mentee_id) == ("mentee-student", 1)
    assert await chosen(mentor.id) == ("mentor-student", 1)
    assert await chosen(teacher_mentee) == ("mentee-teacher", 1)
    assert await chosen(employer_mentor) == ("mentor-teacher", 1)

    async with database.transaction() as session:
        await services(session, clock).questionnaires.load(program_id, CUSTOM, None)
    assert await chosen(mentee_id) == ("custom-mentee", 1)
    assert await chosen(mentor.id) == ("mentor-student", 1), "a mentee's file is not a mentor's"
    async with database.transaction() as session:
        questionnaires = services(session, clock).questionnaires
        await questionnaires.load(program_id, CUSTOM.replace("version: 1", "version: 2"), None)
        await questionnaires.load(program_id, CUSTOM.replace("custom-mentee", "second"), None)
    assert await chosen(mentee_id) == ("second", 1), "the newest loaded wins"
    assert await chosen(teacher_mentee) == ("mentee-teacher", 1), "other programs are untouched"
    assert teacher_program != program_id


async def test_a_finished_questionnaire_stays_with_its_version(
    database: Database, clock: FrozenClock
) -> None:
    program_id, done_id, _ = await program_with(database)
    async with database.transaction() as session:
        program = await session.get_one(Program, program_id)
        busy = await factories.participant(session, program, await factories.person(session))
        questionnaires = services(session, clock).questionnaires
        await questionnaires.load(program_id, CUSTOM, None)
        done = await session.get_one(Participant, done_id)
        definition = await questionnaires.start(done)
        await questionnaires.start(busy)
        await questionnaires.save_answer(done, definition, "has_ovz", False)
        await questionnaires.save_answer(done, definition, "goals", ["project"])
        await questionnaires.finish(done, definition)
        await questionnaires.load(program_id, CUSTOM.replace("version: 1", "version: 2"), None)
    async with database.sessions() as session:
        questionnaires = services(session, clock).questionnaires
        done = await session.get_one(Participant, done_id)
        assert (await questionnaires.for_participant(done)).version == 1
        busy = await session.get_one(Participant, busy.id)
        assert (busy.questionnaire_key, busy.questionnaire_version) == ("custom-mentee", 1)
        assert (await questionnaires.for_participant(busy)).version == 2, "unfinished: the newest"
        state = await questionnaires.progress(done_id)
        assert (state.key, state.version, state.answered, state.total, state.done) == (
            "custom-mentee",
            1,
            2,
            2,
            True,
        )


async def test_answers_are_upserted_checked_and_cleared_when_hidden(
    database: Database, clock: FrozenClock
) -> None:
    _, mentor_id, _ = await program_with(database, role=ParticipantRole.MENTOR)
    async with database.transaction() as session:
        questionnaires = services(session, clock).questionnaires
        mentor = await session.get_one(Participant, mentor_id)
        definition = await questionnaires.for_participant(mentor)
        assert definition.id == "mentor-student"
        await questionnaires.save_answer(mentor, definition, "capacity", 2)
        assert mentor.capacity == 2, "the capacity answer fills the participant's capacity"
        await questionnaires.save_answer(mentor, definition, "achievements", True)
        await questionnaires.save_answer(mentor, definition, "achievements_text", "Олимпиада")
        clock.advance(timedelta(minutes=1))
        cleared = await questionnaires.save_answer(mentor, definition, "achievements", False)
        assert cleared == ["achievements_text"]
        await questionnaires.save_answer(mentor, definition, "start_date", None)
        for question_id, value in [
            ("capacity", 4),
            ("capacity", True),
            ("interests", []),
            ("interests", ["sport", "sport"]),
            ("interests", ["chess"]),
            ("motivation", None),
            ("shoe_size", 42),
        ]:
            with pytest.raises(ValueError, match=r"does not|has no"):
                await questionnaires.save_answer(mentor, definition, question_id, value)
        assert await questionnaires.answers(mentor, definition) == {
            "capacity": 2,
            "achievements": False,
            "start_date": None,
        }
    async with database.sessions() as session:
        rows = list(
            await session.scalars(
                select(QuestionnaireAnswer)
                .where(QuestionnaireAnswer.participant_id == mentor_id)
                .order_by(QuestionnaireAnswer.question_id)
            )
        )
        assert [(r.question_id, r.value, r.answered_at) for r in rows] == [
            ("achievements", False, NOW + timedelta(minutes=1)),
            ("capacity", 2, NOW),
            ("start_date", None, NOW + timedelta(minutes=1)),
        ]
        assert {(r.questionnaire_id, r.questionnaire_version) for r in rows} == {
            ("mentor-student", 1)
        }
        state = await services(session, clock).questionnaires.progress(mentor_id)
        assert (state.answered, state.total, state.next_question, state.done) == (
            3,
            11,
            "subjects_strong",
            False,
        )


async def test_reminders_are_planned_on_first_opening_and_skipped_when_done(
    database: Database, clock: FrozenClock
) -> None:
    program_id, participant_id, person_id = await program_with(database)
    reminders = (timedelta(days=1), timedelta(days=3), timedelta(days=10))
    async with database.transaction() as session:
        questionnaires = services(session, clock, questionnaire_reminders=reminders).questionnaires
        await questionnaires.load(program_id, CUSTOM, None)
        participant = await session.get_one(Participant, participant_id)
        definition = await questionnaires.start(participant)
        assert (participant.questionnaire_key, participant.questionnaire_version) == (
            "custom-mentee",
            1,
        )
    clock.advance(timedelta(hours=2))
    async with database.transaction() as session:
        questionnaires = services(session, clock, questionnaire_reminders=reminders).questionnaires
        participant = await session.get_one(Participant, participant_id)
        await questionnaires.start(participant)
        await questionnaires.save_answer(participant, definition, "has_ovz", True)
        with pytest.raises(ValueError, match=r"unanswered questions: details, goals"):
            await questionnaires.finish(participant, definition)
        await questionnaires.save_answer(participant, definition, "details", None)
        await questionnaires.save_answer(participant, definition, "goals", ["grades"])
        sent = await session.scalar(
            select(Notification).where(Notification.key == reminder_key(participant_id, 1))
        )
        assert sent is not None
        sent.status = NotificationStatus.SENT
        await questionnaires.finish(participant, definition)
        assert participant.questionnaire_done_at == NOW + timedelta(hours=2)
    async with database.sessions() as session:
        rows = list(await session.scalars(select(Notification).order_by(Notification.key)))
        assert [
            (row.key, row.kind, row.recipient_person_id, row.due_at, row.status, row.last_error)
            for row in rows
        ] == [
            (
                reminder_key(participant_id, 1),
                "questionnaire-reminder",
                person_id,
                NOW + reminders[0],
                NotificationStatus.SENT,
                None,
            ),
            (
                reminder_key(participant_id, 2),
                "questionnaire-reminder",
                person_id,
                NOW + reminders[1],
                NotificationStatus.SKIPPED,
                "questionnaire done",
            ),
            (
                reminder_key(participant_id, 3),
                "questionnaire-reminder",
                person_id,
                NOW + reminders[2],
                NotificationStatus.SKIPPED,
                "questionnaire done",
            ),
        ]
        assert rows[0].payload == {
            "text_id": "questionnaire-reminder",
            "args": {"program": "Равный — равному"},
        }


async def test_who_may_answer_and_when_there_is_nothing_to_answer(
    database: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    _, participant_id, person_id = await program_with(database)
    _, _, stranger_id = await program_with(database)
    async with database.transaction() as session:
        questionnaires = services(session, clock).questionnaires
        assert await questionnaires.participant_of(person_id, participant_id) is not None
        assert await questionnaires.participant_of(stranger_id, participant_id) is None
        participant = await session.get_one(Participant, participant_id)
        participant.status = ParticipantStatus.LEFT
        await session.flush()
        assert await questionnaires.participant_of(person_id, participant_id) is None
        with pytest.raises(LookupError):
            await questionnaires.progress(999_999)
        empty = services(session, clock, questionnaires_dir=tmp_path).questionnaires
        with pytest.raises(NoQuestionnaireError):
            await empty.for_participant(participant)
