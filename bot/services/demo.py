"""The demo organization and program that `make run` seeds on first start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from storage import (
    MentorshipForm,
    Organization,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    QuestionnaireAnswer,
    RoleModel,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock
    from bot.services.audit import AuditService

DEMO_QUESTIONNAIRE = "demo"
DEMO_QUESTIONNAIRE_VERSION = 1


@dataclass(frozen=True, slots=True)
class DemoProfile:
    """What the demo dialog collects."""

    full_name: str
    role: ParticipantRole
    birth_date: date
    grade: str | None


class DemoService:
    """Seeds the demo program and enrols people into it."""

    def __init__(self, session: AsyncSession, clock: Clock, audit: AuditService) -> None:
        self.session = session
        self.clock = clock
        self.audit = audit

    async def ensure_seeded(
        self, organization_name: str, program_name: str, timezone: str
    ) -> Program:
        """The demo program, created with its organization the first time."""
        program = await self.find_program()
        if program is not None:
            return program
        now = self.clock.now()
        organization = Organization(name=organization_name, timezone=timezone, created_at=now)
        program = Program(
            organization=organization,
            name=program_name,
            form=MentorshipForm.STUDENT_STUDENT,
            role_model=RoleModel.PEER_PEER,
            is_demo=True,
            created_at=now,
        )
        self.session.add_all([organization, program])
        await self.session.flush()
        self.audit.record("system:seed", "seed-demo", "programs", program.id)
        return program

    async def find_program(self) -> Program | None:
        """The demo program, if seeded."""
        return await self.session.scalar(select(Program).where(Program.is_demo.is_(True)).limit(1))

    async def enroll(self, person: Person, profile: DemoProfile) -> Participant | None:
        """Store the profile and make the person a ready participant of the demo program."""
        program = await self.find_program()
        if program is None:
            return None
        now = self.clock.now()
        person.full_name = profile.full_name
        person.birth_date = profile.birth_date
        person.grade = profile.grade
        person.updated_at = now
        participant = await self.session.scalar(
            select(Participant).where(
                Participant.program_id == program.id,
                Participant.person_id == person.id,
                Participant.role == profile.role,
            )
        )
        if participant is None:
            participant = Participant(
                program_id=program.id, person_id=person.id, role=profile.role, created_at=now
            )
            self.session.add(participant)
        participant.status = ParticipantStatus.READY
        participant.updated_at = now
        await self.session.flush()
        answers = {
            "full_name": profile.full_name,
            "role": profile.role.value,
            "birth_date": profile.birth_date.isoformat(),
            "grade": profile.grade,
        }
        stored = {
            answer.question_id: answer
            for answer in await self.session.scalars(
                select(QuestionnaireAnswer).where(
                    QuestionnaireAnswer.participant_id == participant.id,
                    QuestionnaireAnswer.questionnaire_id == DEMO_QUESTIONNAIRE,
                )
            )
        }
        for question_id, value in answers.items():
            answer = stored.get(question_id) or QuestionnaireAnswer(
                participant_id=participant.id,
                questionnaire_id=DEMO_QUESTIONNAIRE,
                question_id=question_id,
            )
            answer.questionnaire_version = DEMO_QUESTIONNAIRE_VERSION
            answer.value = value
            answer.answered_at = now
            self.session.add(answer)
        self.audit.record(person, "enroll", "participants", participant.id, program=program.id)
        return participant
