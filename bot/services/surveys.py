"""Pulse and final surveys (stages 6 and 7), defined as questionnaire files.

A survey is a questionnaire file with `purpose: pulse` or `purpose: final` (the built-in ones are
`questionnaires/pulse-*.yaml` and `final-*.yaml`; a curator may load the program's own). Sending
one creates the participant's `Feedback` row (kind pulse with the round 1, 2, … or kind final with
round 0, and the key and version of the file), then an invitation with a button opening it and one
reminder. Answers are saved into the row one by one; confirming them sets `completed_at`, after
which the response cannot change.

Pulse round k of a pair member is due `k * programs.pulse_weeks` weeks (4 by default) after the
member's earliest active pair in the program was approved; a round that was missed is not sent
late, and a pulse response stops being open once a later round is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.orm import aliased

from bot.services.base import Service
from bot.services.outbox import NotificationKind
from bot.services.programs import Access, Actor, Refusal, acting
from bot.services.questionnaires import (
    JSON,
    SURVEY_SCALES,
    Purpose,
    QuestionnaireDef,
    QuestionnaireService,
)
from storage import (
    CycleStage,
    Feedback,
    FeedbackKind,
    MentorshipForm,
    Notification,
    NotificationStatus,
    Pair,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
)
from storage.db import insert_or_skip

log = logging.getLogger(__name__)

DEFAULT_PULSE_WEEKS = 4
FINAL_ROUND = 0
REMINDER_AFTER = timedelta(days=3)
SURVEY_KINDS = (FeedbackKind.PULSE, FeedbackKind.FINAL)
PURPOSE_OF: Mapping[FeedbackKind, Purpose] = {
    FeedbackKind.PULSE: Purpose.PULSE,
    FeedbackKind.FINAL: Purpose.FINAL,
}
INVITE_TEXT: Mapping[FeedbackKind, str] = {
    FeedbackKind.PULSE: "survey-pulse-invite",
    FeedbackKind.FINAL: "survey-final-invite",
}
REMINDER_TEXT = "survey-reminder"
OPEN_BUTTON = "survey-button-open"
# Participants who are not asked: waiting for a parent's consent, or no longer taking part.
NOT_ASKED = (
    ParticipantStatus.CONSENT_PENDING,
    ParticipantStatus.DECLINED,
    ParticipantStatus.LEFT,
    ParticipantStatus.REMOVED,
)
# NPS: answers 9..10 promote, 0..6 detract, 7..8 are passive.
PROMOTER_MIN, DETRACTOR_MAX = 9, 6

ACTION_FINAL_STARTED = "surveys.final-started"
ACTION_COMPLETED = "surveys.completed"


class SurveyError(StrEnum):
    """Why a survey call changed or showed nothing."""

    NOT_FOUND = "not_found"  # no such program, or a response that is not the person's to answer
    NOT_ALLOWED = "not_allowed"  # the actor does not run the program
    ANSWERED = "answered"  # the response was completed already
    EXPIRED = "expired"  # a pulse response superseded by a later round


def link_of(feedback_id: int) -> str:
    """The deep-link payload that opens a survey response (`s<id>`)."""
    return f"s{feedback_id}"


def invite_key(feedback_id: int) -> str:
    """The outbox key of a survey's invitation."""
    return f"survey:{feedback_id}"


def reminder_key(feedback_id: int) -> str:
    """The outbox key of a survey's reminder."""
    return f"survey:{feedback_id}:remind"


@dataclass(slots=True)
class SurveyResponse:
    """A survey sent to one of the person's participations, not completed yet."""

    feedback: Feedback
    participant: Participant
    program: str
    form: MentorshipForm
    definition: QuestionnaireDef

    @property
    def id(self) -> int:
        """The response's (feedback row's) id."""
        return self.feedback.id

    @property
    def kind(self) -> FeedbackKind:
        """Pulse or final."""
        return self.feedback.kind


@dataclass(frozen=True, slots=True)
class OpenSurvey:
    """A survey waiting for the person's answers, as a list shows it."""

    feedback_id: int
    kind: FeedbackKind
    round: int
    program: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class SurveyFigures:
    """The figures of one survey round, or of every pulse round together (`round` None)."""

    kind: FeedbackKind
    round: int | None
    sent: int = 0
    completed: int = 0
    # The mean satisfaction (1..5) over completed responses; None before any.
    satisfaction: float | None = None
    # NPS answers of completed responses: 9..10, 7..8 and 0..6.
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    # Final survey: mentees who would become mentors, mentors who would mentor again.
    would_mentor: int = 0
    mentor_again: int = 0

    @property
    def unanswered(self) -> int:
        """Sent but not completed."""
        return self.sent - self.completed

    @property
    def nps(self) -> float | None:
        """Net promoter score, -100..100: % promoters minus % detractors; None before any."""
        answered = self.promoters + self.passives + self.detractors
        if not answered:
            return None
        return 100 * (self.promoters - self.detractors) / answered


@dataclass(frozen=True, slots=True)
class SurveyResults:
    """A program's survey figures: each pulse round, every pulse round together, the final."""

    program_id: int
    program: str
    pulse_rounds: tuple[SurveyFigures, ...]
    pulse: SurveyFigures
    final: SurveyFigures | None  # None until the final survey is sent


@dataclass(frozen=True, slots=True)
class _Member:
    """A pair member and the pulse round due now (0: none yet)."""

    participant_id: int
    person_id: int
    role: ParticipantRole
    program_id: int
    program: str
    form: MentorshipForm
    round: int


@dataclass(slots=True)
class _Tally:
    """Figures being counted."""

    sent: int = 0
    completed: int = 0
    satisfaction: list[int] = field(default_factory=list)
    nps: list[int] = field(default_factory=list)
    would_mentor: int = 0
    mentor_again: int = 0

    def add(self, role: ParticipantRole, answers: Mapping[str, JSON], completed: bool) -> None:
        self.sent += 1
        if not completed:
            return
        self.completed += 1
        for question_id, scores in (("satisfaction", self.satisfaction), ("nps", self.nps)):
            value = answers.get(question_id)
            low, high = SURVEY_SCALES[question_id]
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                scores.append(value)
        if role is ParticipantRole.MENTEE and answers.get("become_mentor") is True:
            self.would_mentor += 1
        if role is ParticipantRole.MENTOR and answers.get("mentor_again") is True:
            self.mentor_again += 1

    def figures(self, kind: FeedbackKind, round_: int | None) -> SurveyFigures:
        scores = self.satisfaction
        return SurveyFigures(
            kind=kind,
            round=round_,
            sent=self.sent,
            completed=self.completed,
            satisfaction=sum(scores) / len(scores) if scores else None,
            promoters=sum(n >= PROMOTER_MIN for n in self.nps),
            passives=sum(DETRACTOR_MAX < n < PROMOTER_MIN for n in self.nps),
            detractors=sum(n <= DETRACTOR_MAX for n in self.nps),
            would_mentor=self.would_mentor,
            mentor_again=self.mentor_again,
        )


def _open_surveys(person: ColumnElement[int] | int) -> tuple[ColumnElement[bool], ...]:
    """Feedback rows (joined to their participant) that wait for the person's answers: a survey
    not completed, of a participation still asked, and not replaced by a newer round."""
    later = aliased(Feedback)
    return (
        Participant.person_id == person,
        Participant.status.not_in(NOT_ASKED),
        Feedback.kind.in_(SURVEY_KINDS),
        Feedback.completed_at.is_(None),
        ~exists().where(
            later.participant_id == Feedback.participant_id,
            later.kind == Feedback.kind,
            later.round > Feedback.round,
        ),
    )


def has_open_survey(person: ColumnElement[int] | int) -> ColumnElement[bool]:
    """Whether a survey waits for the person's answers."""
    return exists().where(Participant.id == Feedback.participant_id, *_open_surveys(person))


class SurveyService(Service):
    """Sends pulse and final surveys and keeps their answers."""

    @cached_property
    def questionnaires(self) -> QuestionnaireService:
        """Where survey definitions come from (the same files as the intake questionnaires)."""
        return QuestionnaireService(self.session, self.clock, self.audit, self.outbox, self.policy)

    @cached_property
    def access(self) -> Access:
        """Who may see and change what."""
        return Access(self.session)

    # --- sending ---------------------------------------------------------------------------------

    async def plan_pulse(self) -> int:
        """Send the pulse surveys now due (an hourly job); returns how many were sent.

        Every member of an active pair in an active program before stage 7 gets round k once
        `k * pulse_weeks` weeks have passed since their earliest such pair was approved; only
        the latest round due is sent, never one already sent or older than one sent.
        """
        now = self.clock.now()
        rows = await self.session.execute(
            select(
                Participant.id,
                Participant.person_id,
                Participant.role,
                Program.id,
                Program.name,
                Program.form,
                Program.pulse_weeks,
                Pair.approved_at,
            )
            .join(PairMember, PairMember.participant_id == Participant.id)
            .join(Pair, Pair.id == PairMember.pair_id)
            .join(Program, Program.id == Participant.program_id)
            .where(
                Pair.status == PairStatus.ACTIVE,
                Pair.approved_at.is_not(None),
                Program.status == ProgramStatus.ACTIVE,
                Program.stage < CycleStage.COMPLETION,
                Participant.status.not_in(NOT_ASKED),
            )
            .order_by(Participant.id, Pair.approved_at, Pair.id)
        )
        members: dict[int, _Member] = {}
        for pid, person_id, role, program_id, name, form, weeks, approved_at in rows.all():
            if pid in members or approved_at is None:
                continue  # a later pair of the same participant: the earliest one counts
            period = timedelta(weeks=weeks if weeks and weeks > 0 else DEFAULT_PULSE_WEEKS)
            round_ = (now - approved_at) // period
            members[pid] = _Member(pid, person_id, role, program_id, name, form, round_)
        due = {pid: member for pid, member in members.items() if member.round >= 1}
        if not due:
            return 0
        sent_rounds = await self._newest_pulse_rounds(due)
        files: dict[int, list[QuestionnaireDef]] = {}
        sent = 0
        for member in due.values():
            if member.round <= sent_rounds.get(member.participant_id, 0):
                continue
            if member.program_id not in files:
                files[member.program_id] = await self.questionnaires.program_files(
                    member.program_id
                )
            definition = self.questionnaires.choose(
                files[member.program_id], member.role, member.form, Purpose.PULSE
            )
            if definition is None:
                log.warning(
                    "no pulse survey for a %s in program %s", member.role, member.program_id
                )
                continue
            feedback_id = await self._send(
                participant_id=member.participant_id,
                person_id=member.person_id,
                kind=FeedbackKind.PULSE,
                round_=member.round,
                definition=definition,
                program_name=member.program,
            )
            sent += feedback_id is not None
        return sent

    async def _newest_pulse_rounds(self, participant_ids: Iterable[int]) -> dict[int, int]:
        """The newest pulse round sent to each of these participants."""
        ids = list(participant_ids)
        result: dict[int, int] = {}
        # In chunks: a database takes only so many bound parameters in one statement.
        for start in range(0, len(ids), 500):
            rows = await self.session.execute(
                select(Feedback.participant_id, func.max(Feedback.round))
                .where(
                    Feedback.participant_id.in_(ids[start : start + 500]),
                    Feedback.kind == FeedbackKind.PULSE,
                )
                .group_by(Feedback.participant_id)
            )
            result.update((pid, int(round_ or 0)) for pid, round_ in rows.all())
        return result

    async def start_final(self, actor: Actor, program_id: int) -> int | SurveyError:
        """Send the final survey to everyone taking part in the program (not to those waiting
        for consent or gone); returns how many were sent now. Staff of the program only."""
        program = await self._program(actor, program_id)
        if isinstance(program, SurveyError):
            return program
        already = select(Feedback.participant_id).where(
            Feedback.kind == FeedbackKind.FINAL, Feedback.round == FINAL_ROUND
        )
        participants = await self.session.execute(
            select(Participant.id, Participant.person_id, Participant.role)
            .where(
                Participant.program_id == program.id,
                Participant.status.not_in(NOT_ASKED),
                Participant.id.not_in(already),
            )
            .order_by(Participant.id)
        )
        files = await self.questionnaires.program_files(program.id)
        sent = 0
        for participant_id, person_id, role in participants.all():
            definition = self.questionnaires.choose(files, role, program.form, Purpose.FINAL)
            if definition is None:
                log.warning("no final survey for a %s in program %s", role, program.id)
                continue
            feedback_id = await self._send(
                participant_id=participant_id,
                person_id=person_id,
                kind=FeedbackKind.FINAL,
                round_=FINAL_ROUND,
                definition=definition,
                program_name=program.name,
            )
            sent += feedback_id is not None
        if sent:
            self.audit.record(
                await acting(self.session, actor),
                ACTION_FINAL_STARTED,
                "programs",
                program.id,
                sent=sent,
            )
        return sent

    async def _send(
        self,
        *,
        participant_id: int,
        person_id: int,
        kind: FeedbackKind,
        round_: int,
        definition: QuestionnaireDef,
        program_name: str,
    ) -> int | None:
        """Create the response row and plan its invitation and reminder; None if it existed
        (a concurrent run sent it)."""
        now = self.clock.now()
        inserted = await self.session.execute(
            insert_or_skip(self.session, Feedback, ["participant_id", "kind", "round"])
            .values(
                participant_id=participant_id,
                kind=kind,
                round=round_,
                survey_key=definition.id,
                survey_version=definition.version,
                created_at=now,
            )
            .returning(Feedback.id)
        )
        feedback_id = inserted.scalar_one_or_none()
        if feedback_id is None:
            return None
        links = [(OPEN_BUTTON, link_of(feedback_id))]
        args = {"program": program_name, "round": round_}
        await self.outbox.plan(
            key=invite_key(feedback_id),
            kind=NotificationKind.SURVEY,
            recipient_id=person_id,
            text_id=INVITE_TEXT[kind],
            args=args,
            due_at=now,
            links=links,
        )
        await self.outbox.plan(
            key=reminder_key(feedback_id),
            kind=NotificationKind.SURVEY,
            recipient_id=person_id,
            text_id=REMINDER_TEXT,
            args=args,
            due_at=now + REMINDER_AFTER,
            links=links,
        )
        return int(feedback_id)

    # --- answering -------------------------------------------------------------------------------

    async def response(self, person_id: int, feedback_id: int) -> SurveyResponse | SurveyError:
        """A survey response the person may answer now.

        NOT_FOUND unless it is a survey of one of the person's participations that still takes
        part; ANSWERED once completed; EXPIRED for a pulse round followed by a later one.
        """
        found = (
            await self.session.execute(
                select(Feedback, Participant, Program)
                .join(Participant, Participant.id == Feedback.participant_id)
                .join(Program, Program.id == Participant.program_id)
                .where(
                    Feedback.id == feedback_id,
                    Feedback.kind.in_(SURVEY_KINDS),
                    Participant.person_id == person_id,
                    Participant.status.not_in(NOT_ASKED),
                )
            )
        ).first()
        if found is None:
            return SurveyError.NOT_FOUND
        feedback, participant, program = found
        if feedback.completed_at is not None:
            return SurveyError.ANSWERED
        if feedback.kind is FeedbackKind.PULSE and await self._superseded(feedback):
            return SurveyError.EXPIRED
        definition = None
        if feedback.survey_key and feedback.survey_version is not None:
            definition = await self.questionnaires.resolve(
                program.id, feedback.survey_key, feedback.survey_version
            )
        if definition is None or definition.purpose is not PURPOSE_OF[feedback.kind]:
            log.warning("survey response %s: its questionnaire is gone", feedback.id)
            return SurveyError.NOT_FOUND
        return SurveyResponse(feedback, participant, program.name, program.form, definition)

    async def _superseded(self, feedback: Feedback) -> bool:
        later = await self.session.scalar(
            select(
                exists().where(
                    Feedback.participant_id == feedback.participant_id,
                    Feedback.kind == feedback.kind,
                    Feedback.round > (feedback.round or 0),
                )
            )
        )
        return bool(later)

    @staticmethod
    def answers(response: SurveyResponse) -> dict[str, JSON]:
        """The answers so far that fit the survey, by question id (None: skipped)."""
        return response.definition.valid_answers(response.feedback.answers or {})

    async def save_answer(
        self, response: SurveyResponse, question_id: str, value: JSON
    ) -> list[str] | SurveyError:
        """Store one answer at once (None skips an optional question) and drop the answers of
        questions it hides; returns the ids dropped. ANSWERED if the response is completed;
        ValueError if the value does not fit the question."""
        definition = response.definition
        if response.feedback.completed_at is not None:
            return SurveyError.ANSWERED
        question = definition.question(question_id)
        if question is None:
            raise ValueError(f"{definition.id} has no question {question_id}")
        if (value is None and question.required) or (
            value is not None and not question.accepts(value)
        ):
            raise ValueError(f"{value!r} does not answer {definition.id}.{question_id}")
        answers = self.answers(response)
        answers[question_id] = value
        visible = {q.id for q in definition.visible(answers, response.form)}
        hidden = [qid for qid in answers if qid not in visible]
        for qid in hidden:
            del answers[qid]
        # A new dict: the JSON column notices a replaced value, not one changed in place.
        response.feedback.answers = answers
        await self.session.flush()
        return hidden

    async def finish(self, response: SurveyResponse) -> SurveyError | None:
        """Complete the response and skip its reminder; ANSWERED if it was completed already.

        ValueError if a visible question is unanswered.
        """
        feedback, definition = response.feedback, response.definition
        if feedback.completed_at is not None:
            return SurveyError.ANSWERED
        answers = self.answers(response)
        missing = [q.id for q in definition.visible(answers, response.form) if q.id not in answers]
        if missing:
            raise ValueError(f"unanswered questions: {', '.join(missing)}")
        feedback.answers = answers
        feedback.completed_at = self.clock.now()
        await self.session.execute(
            update(Notification)
            .where(
                Notification.key.in_((invite_key(feedback.id), reminder_key(feedback.id))),
                Notification.status == NotificationStatus.PENDING,
            )
            .values(status=NotificationStatus.SKIPPED, last_error="survey answered")
        )
        self.audit.record(
            f"person:{response.participant.person_id}",
            ACTION_COMPLETED,
            "feedback",
            feedback.id,
            kind=feedback.kind.value,
            round=feedback.round,
            key=definition.id,
            version=definition.version,
        )
        return None

    async def open_for(self, person_id: int) -> list[OpenSurvey]:
        """The person's surveys waiting for answers, newest first."""
        rows = await self.session.execute(
            select(Feedback.id, Feedback.kind, Feedback.round, Program.name, Feedback.created_at)
            .join(Participant, Participant.id == Feedback.participant_id)
            .join(Program, Program.id == Participant.program_id)
            .where(*_open_surveys(person_id))
            .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        )
        return [
            OpenSurvey(feedback_id, kind, round_ or 0, program, sent_at)
            for feedback_id, kind, round_, program, sent_at in rows.all()
        ]

    # --- results ---------------------------------------------------------------------------------

    async def results(self, actor: Actor, program_id: int) -> SurveyResults | SurveyError:
        """Sent, completed, mean satisfaction and NPS per round; staff of the program only."""
        program = await self._program(actor, program_id)
        if isinstance(program, SurveyError):
            return program
        rows = await self.session.execute(
            select(
                Feedback.kind,
                Feedback.round,
                Feedback.answers,
                Feedback.completed_at,
                Participant.role,
            )
            .join(Participant, Participant.id == Feedback.participant_id)
            .where(Participant.program_id == program.id, Feedback.kind.in_(SURVEY_KINDS))
        )
        rounds: dict[int, _Tally] = {}
        pulse, final = _Tally(), _Tally()
        for row in rows.all():
            role: ParticipantRole = row.role
            answers: dict[str, JSON] = row.answers or {}
            done = row.completed_at is not None
            if row.kind is FeedbackKind.FINAL:
                final.add(role, answers, done)
            else:
                rounds.setdefault(row.round or 0, _Tally()).add(role, answers, done)
                pulse.add(role, answers, done)
        return SurveyResults(
            program_id=program.id,
            program=program.name,
            pulse_rounds=tuple(
                rounds[number].figures(FeedbackKind.PULSE, number) for number in sorted(rounds)
            ),
            pulse=pulse.figures(FeedbackKind.PULSE, None),
            final=final.figures(FeedbackKind.FINAL, FINAL_ROUND) if final.sent else None,
        )

    async def _program(self, actor: Actor, program_id: int) -> Program | SurveyError:
        program = await self.access.program(actor, program_id)
        if program is Refusal.NOT_FOUND:
            return SurveyError.NOT_FOUND
        if program is Refusal.NOT_ALLOWED:
            return SurveyError.NOT_ALLOWED
        assert isinstance(program, Program)
        return program


__all__ = [
    "DEFAULT_PULSE_WEEKS",
    "FINAL_ROUND",
    "OpenSurvey",
    "SurveyError",
    "SurveyFigures",
    "SurveyResponse",
    "SurveyResults",
    "SurveyService",
    "invite_key",
    "link_of",
    "reminder_key",
]
