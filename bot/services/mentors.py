"""Mentor selection and training (stage 4): the curator approves mentors after an interview or
training; approved mentors get the program's training materials (links and files), and only they
are matched."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from bot.services.base import valid_url
from bot.services.matching import MENTOR_ACTIVE, Brief, MatchError, StaffService, brief
from bot.services.outbox import NotificationKind
from bot.services.programs import Actor
from storage import (
    MatchProposal,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramMaterial,
    ProposalStatus,
)

TITLE_MAX = 200
FILE_MAX_BYTES = 20 * 1024 * 1024  # what Telegram and VK accept from a bot, with room to spare
# Mentors who may still come: the questionnaire is not done yet.
MENTOR_PENDING = (
    ParticipantStatus.INVITED,
    ParticipantStatus.ONBOARDING,
    ParticipantStatus.CONSENT_PENDING,
)

ACTION_APPROVED = "mentors.approved"
ACTION_UNAPPROVED = "mentors.unapproved"
ACTION_MATERIAL = "materials.added"


@dataclass(frozen=True, slots=True)
class MentorRow:
    """A mentor on the curator's list."""

    who: Brief
    status: ParticipantStatus
    approved: bool
    capacity: int
    load: int  # mentees in active pairs

    @property
    def ready(self) -> bool:
        """The questionnaire is done: the mentor may be approved."""
        return self.status in MENTOR_ACTIVE


@dataclass(frozen=True, slots=True)
class MaterialRow:
    """A training material."""

    id: int
    title: str
    url: str | None
    file_name: str | None


class MentorService(StaffService):
    """Approving mentors and handing out training materials."""

    async def mentors(self, actor: Actor, program_id: int) -> list[MentorRow] | MatchError:
        """The program's mentors still taking part: approved first, then ready, then the rest."""
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        rows = await self.session.execute(
            select(Participant, Person)
            .join(Person, Person.id == Participant.person_id)
            .where(
                Participant.program_id == program.id,
                Participant.role == ParticipantRole.MENTOR,
                Participant.status.in_((*MENTOR_ACTIVE, *MENTOR_PENDING)),
            )
            .order_by(Person.full_name, Participant.id)
        )
        found = list(rows)
        load = await self._load([participant.id for participant, _ in found])
        result = [
            MentorRow(
                brief(participant, person),
                participant.status,
                participant.approved,
                1 if participant.capacity is None else participant.capacity,
                load.get(participant.id, 0),
            )
            for participant, person in found
        ]
        result.sort(key=lambda row: (not row.approved, not row.ready))
        return result

    async def set_approved(
        self, actor: Actor, participant_id: int, approved: bool
    ) -> MatchError | None:
        """Approve a mentor whose questionnaire is done (they get the materials), or take the
        approval back (their open proposals are dropped; existing pairs stay)."""
        mentor = await self.session.get(Participant, participant_id)
        if mentor is None or mentor.role is not ParticipantRole.MENTOR:
            return MatchError.NOT_FOUND
        program = await self._program(actor, mentor.program_id)
        if isinstance(program, MatchError):
            return program
        if mentor.status not in MENTOR_ACTIVE:
            return MatchError.NOT_READY
        if mentor.approved == approved:
            return MatchError.DECIDED
        now = self.clock.now()
        mentor.approved = approved
        mentor.updated_at = now
        if approved:
            await self._send_materials(program, [mentor], welcome=True)
            await self._audit(actor, ACTION_APPROVED, "participants", mentor.id)
        else:
            await self.session.execute(
                update(MatchProposal)
                .where(
                    MatchProposal.mentor_participant_id == mentor.id,
                    MatchProposal.status == ProposalStatus.PROPOSED,
                )
                .values(status=ProposalStatus.SUPERSEDED, decided_at=now)
            )
            await self._audit(actor, ACTION_UNAPPROVED, "participants", mentor.id)
        return None

    async def materials(self, actor: Actor, program_id: int) -> list[MaterialRow] | MatchError:
        """The program's training materials, oldest first."""
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        rows = await self.session.scalars(
            select(ProgramMaterial)
            .where(ProgramMaterial.program_id == program.id)
            .order_by(ProgramMaterial.id)
        )
        return [MaterialRow(row.id, row.title, row.url, row.file_name) for row in rows]

    async def add_material(
        self,
        actor: Actor,
        program_id: int,
        title: str,
        *,
        url: str | None = None,
        file_name: str | None = None,
        content: bytes | None = None,
        media_type: str | None = None,
    ) -> int | MatchError:
        """A link or a file for mentors; the approved ones get it at once. The material's id."""
        title = " ".join(title.split())
        if not title or len(title) > TITLE_MAX or (url is None) == (content is None):
            return MatchError.INVALID
        if url is not None and not valid_url(url):
            return MatchError.INVALID
        if content is not None and (not content or len(content) > FILE_MAX_BYTES):
            return MatchError.INVALID
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        material = ProgramMaterial(
            program_id=program.id,
            title=title,
            url=url.strip() if url else None,
            file_name=(file_name or "material")[:200] if content is not None else None,
            media_type=media_type if content is not None else None,
            content=content,
            created_by_person_id=actor if isinstance(actor, int) else None,
            created_at=self.clock.now(),
        )
        self.session.add(material)
        await self.session.flush()
        approved = await self.session.scalars(
            select(Participant).where(
                Participant.program_id == program.id,
                Participant.role == ParticipantRole.MENTOR,
                Participant.approved.is_(True),
                Participant.status.in_(MENTOR_ACTIVE),
            )
        )
        await self._send_materials(program, list(approved), only=material)
        await self._audit(actor, ACTION_MATERIAL, "program_materials", material.id, title=title)
        return material.id

    async def _send_materials(
        self,
        program: Program,
        mentors: list[Participant],
        *,
        welcome: bool = False,
        only: ProgramMaterial | None = None,
    ) -> None:
        if only is not None:
            materials = [only]
        else:
            materials = list(
                await self.session.scalars(
                    select(ProgramMaterial)
                    .where(ProgramMaterial.program_id == program.id)
                    .order_by(ProgramMaterial.id)
                )
            )
        for mentor in mentors:
            if welcome:
                await self.outbox.plan(
                    key=f"mentor-approved:{mentor.id}:{self.clock.now().isoformat()}",
                    kind=NotificationKind.TRAINING,
                    recipient_id=mentor.person_id,
                    text_id="mentor-approved",
                    args={"program": program.name, "materials": len(materials)},
                )
            for material in materials:
                await self.outbox.plan(
                    key=f"material:{material.id}:{mentor.id}",
                    kind=NotificationKind.TRAINING,
                    recipient_id=mentor.person_id,
                    text_id="training-material",
                    args={
                        "program": program.name,
                        "title": material.title,
                        "url": material.url or "none",
                    },
                    material_id=material.id if material.content is not None else None,
                )
