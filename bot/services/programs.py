"""Organizations, programs and their staff, and who may see or change what.

The access rule: a curator sees and changes only the programs they curate, a coordinator every
program of the organisations they coordinate, anybody else nothing. Coordinators and curators
create programs in their organisations, and a person who creates one becomes its curator. A system
actor (the admin command line) may do everything. Every call checks the acting person's right
anew, so a stale screen or a person who lost the role gets a refusal, never data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, exists, func, or_, select

from bot.services.base import Service
from storage import (
    ROLE_MODELS_BY_FORM,
    CycleStage,
    MentorshipForm,
    Organization,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    ProgramStage,
    ProgramStatus,
    RoleModel,
    StaffMember,
    StaffRole,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


NAME_MAX = 200
DESCRIPTION_MAX = 2000
# Participant statuses in the order of the life cycle, for counts and lists.
STATUS_ORDER = tuple(ParticipantStatus)

# Staff roles that may create programs in their organisation.
CREATOR_ROLES = (StaffRole.COORDINATOR, StaffRole.CURATOR)

ACTION_ORGANIZATION_CREATED = "organizations.created"
ACTION_PROGRAM_CREATED = "programs.created"
ACTION_PROGRAM_CONFIGURED = "programs.configured"
MAX_REMINDERS = 4
REMINDER_MINUTES = (5, 7 * 24 * 60)
PULSE_WEEKS = (1, 12)


@dataclass(frozen=True, slots=True)
class System:
    """A trusted actor with every right: the admin command line, a scheduler job."""

    name: str = "cli"

    @property
    def audit_name(self) -> str:
        """How the audit log names it."""
        return f"system:{self.name}"


# A person's id, or a system actor. Dialogs always pass the person's id.
Actor: TypeAlias = int | System
CLI = System("cli")


class Refusal(StrEnum):
    """Why a call changed or showed nothing."""

    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"


class InvalidInputError(ValueError):
    """Data a caller should have checked: an unknown form, a role model of another form, dates
    in the wrong order, an empty name. The message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class OrganizationInfo:
    """A school or centre."""

    id: int
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class ProgramDraft:
    """What creating a program needs."""

    name: str
    form: MentorshipForm
    role_model: RoleModel
    description: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True, slots=True)
class ProgramInfo:
    """A program as lists and cards show it."""

    id: int
    organization_id: int
    organization: str
    name: str
    form: MentorshipForm
    role_model: RoleModel
    stage: CycleStage
    status: ProgramStatus
    description: str | None
    starts_on: date | None
    ends_on: date | None


@dataclass(frozen=True, slots=True)
class ProgramCard:
    """A program with how many people joined it, by role and status."""

    program: ProgramInfo
    counts: Mapping[ParticipantRole, Mapping[ParticipantStatus, int]]
    curators: int
    # Whether the viewer may appoint curators (coordinators of the organisation may).
    manages_staff: bool

    def total(self, role: ParticipantRole) -> int:
        """Participants of a role, whatever their status."""
        return sum(self.counts.get(role, {}).values())


@dataclass(frozen=True, slots=True)
class JoinedPerson:
    """One participant in the "who joined" list."""

    participant_id: int
    person_id: int
    name: str | None
    role: ParticipantRole
    status: ParticipantStatus
    joined_at: datetime
    questionnaire_done: bool


@dataclass(frozen=True, slots=True)
class JoinedPage:
    """A page of the people who joined a program, mentees first, then by name."""

    program: ProgramInfo
    people: tuple[JoinedPerson, ...]
    total: int
    offset: int
    limit: int
    counts: Mapping[ParticipantRole, Mapping[ParticipantStatus, int]] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        """Whether a page follows this one."""
        return self.offset + len(self.people) < self.total


def check_draft(draft: ProgramDraft) -> ProgramDraft:
    """The draft with its name and description trimmed; InvalidInputError if it breaks a rule."""
    name = draft.name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInputError(f"the program name must have 1 to {NAME_MAX} characters")
    try:
        form = MentorshipForm(draft.form)
        role_model = RoleModel(draft.role_model)
    except ValueError as error:
        raise InvalidInputError(str(error)) from None
    allowed = ROLE_MODELS_BY_FORM[form]
    if role_model not in allowed:
        raise InvalidInputError(
            f"role model {role_model.value} does not fit the form {form.value}; "
            f"choose one of: {', '.join(model.value for model in allowed)}"
        )
    description = (draft.description or "").strip() or None
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise InvalidInputError(f"the description must have at most {DESCRIPTION_MAX} characters")
    if draft.starts_on and draft.ends_on and draft.ends_on <= draft.starts_on:
        raise InvalidInputError("the program must end after it starts")
    return ProgramDraft(name, form, role_model, description, draft.starts_on, draft.ends_on)


def program_info(program: Program, organization: Organization) -> ProgramInfo:
    """The plain view of a program row."""
    return ProgramInfo(
        id=program.id,
        organization_id=program.organization_id,
        organization=organization.name,
        name=program.name,
        form=program.form,
        role_model=program.role_model,
        stage=CycleStage(program.stage),
        status=program.status,
        description=program.description,
        starts_on=program.starts_on,
        ends_on=program.ends_on,
    )


def curates_or_coordinates(person: ColumnElement[int] | int) -> ColumnElement[bool]:
    """Whether the person curates a program or coordinates an organisation (the staff)."""
    return or_(
        exists().where(ProgramCurator.person_id == person),
        exists().where(StaffMember.person_id == person, StaffMember.role == StaffRole.COORDINATOR),
    )


def may_create_programs(person: ColumnElement[int] | int) -> ColumnElement[bool]:
    """Whether the person coordinates or curates somewhere, and so may create programs."""
    return exists().where(StaffMember.person_id == person, StaffMember.role.in_(CREATOR_ROLES))


class Access:
    """Who may see or change what; asked anew on every call."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def coordinated(self, person_id: int) -> list[int]:
        """Ids of the organisations the person coordinates."""
        rows = await self.session.scalars(
            select(StaffMember.organization_id)
            .where(StaffMember.person_id == person_id, StaffMember.role == StaffRole.COORDINATOR)
            .order_by(StaffMember.organization_id)
        )
        return list(rows)

    async def creating(self, person_id: int) -> list[int]:
        """Ids of the organisations where the person may create programs: those where they are
        a coordinator or a curator."""
        rows = await self.session.scalars(
            select(StaffMember.organization_id)
            .where(StaffMember.person_id == person_id, StaffMember.role.in_(CREATOR_ROLES))
            .distinct()
            .order_by(StaffMember.organization_id)
        )
        return list(rows)

    async def curated(self, person_id: int) -> list[int]:
        """Ids of the programs the person curates."""
        rows = await self.session.scalars(
            select(ProgramCurator.program_id)
            .where(ProgramCurator.person_id == person_id)
            .order_by(ProgramCurator.program_id)
        )
        return list(rows)

    async def is_staff(self, person_id: int) -> bool:
        """Whether the person curates a program or coordinates an organisation."""
        return bool(await self.session.scalar(select(curates_or_coordinates(person_id))))

    async def is_coordinator(self, person_id: int) -> bool:
        """Whether the person coordinates an organisation."""
        return bool(await self.coordinated(person_id))

    async def creates_in(self, actor: Actor, organization_id: int) -> bool:
        """Coordinators and curators of the organisation, and system actors."""
        if isinstance(actor, System):
            return True
        return organization_id in await self.creating(actor)

    async def manages_organization(self, actor: Actor, organization_id: int) -> bool:
        """Coordinators of the organisation, and system actors."""
        if isinstance(actor, System):
            return True
        return organization_id in await self.coordinated(actor)

    async def sees_program(self, actor: Actor, program: Program) -> bool:
        """Curators of the program, coordinators of its organisation, and system actors."""
        if await self.manages_organization(actor, program.organization_id):
            return True
        assert not isinstance(actor, System)
        return program.id in await self.curated(actor)

    async def program(
        self, actor: Actor, program_id: int, *, manage_staff: bool = False
    ) -> Program | Refusal:
        """The program if the actor may see it (or, with `manage_staff`, appoint its staff)."""
        program = await self.session.get(Program, program_id)
        if program is None:
            return Refusal.NOT_FOUND
        if manage_staff:
            allowed = await self.manages_organization(actor, program.organization_id)
        else:
            allowed = await self.sees_program(actor, program)
        return program if allowed else Refusal.NOT_ALLOWED

    async def organization(self, actor: Actor, organization_id: int) -> Organization | Refusal:
        """The organisation if the actor coordinates it."""
        organization = await self.session.get(Organization, organization_id)
        if organization is None:
            return Refusal.NOT_FOUND
        if not await self.manages_organization(actor, organization_id):
            return Refusal.NOT_ALLOWED
        return organization


class ProgramService(Service):
    """Organizations, programs and their staff."""

    @cached_property
    def access(self) -> Access:
        """Who may see and change what."""
        return Access(self.session)

    # --- organisations ---------------------------------------------------------------------------

    async def create_organization(
        self, name: str, timezone: str, *, actor: Actor = CLI
    ) -> OrganizationInfo | Refusal:
        """A new organisation; only system actors create them. InvalidInputError on a bad name or
        an unknown time zone."""
        if not isinstance(actor, System):
            return Refusal.NOT_ALLOWED
        name = name.strip()
        if not name or len(name) > NAME_MAX:
            raise InvalidInputError(f"the organization name must have 1 to {NAME_MAX} characters")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(f"unknown time zone {timezone!r}, e.g. Europe/Moscow") from None
        organization = Organization(name=name, timezone=timezone, created_at=self.clock.now())
        self.session.add(organization)
        await self.session.flush()
        await self._audit(
            actor,
            ACTION_ORGANIZATION_CREATED,
            "organizations",
            organization.id,
            name=name,
            timezone=timezone,
        )
        return OrganizationInfo(organization.id, organization.name, organization.timezone)

    async def organizations(self, actor: Actor) -> list[OrganizationInfo]:
        """Every organisation for system actors; those a person coordinates otherwise."""
        query = select(Organization).order_by(Organization.id)
        if not isinstance(actor, System):
            query = query.where(Organization.id.in_(await self.access.coordinated(actor)))
        return [
            OrganizationInfo(o.id, o.name, o.timezone) for o in await self.session.scalars(query)
        ]

    # --- programs --------------------------------------------------------------------------------

    async def create_program(
        self, actor: Actor, organization_id: int, draft: ProgramDraft
    ) -> ProgramInfo | Refusal:
        """A program at stage 1 with rows for its seven stages; coordinators and curators of the
        organisation (and system actors) may create one, and a person who does becomes its
        curator. InvalidInputError if the draft breaks a rule."""
        draft = check_draft(draft)
        organization = await self.session.get(Organization, organization_id)
        if organization is None:
            return Refusal.NOT_FOUND
        if not await self.access.creates_in(actor, organization.id):
            return Refusal.NOT_ALLOWED
        now = self.clock.now()
        program = Program(
            organization_id=organization.id,
            name=draft.name,
            form=draft.form,
            role_model=draft.role_model,
            stage=CycleStage.PREPARATION,
            status=ProgramStatus.ACTIVE,
            description=draft.description,
            starts_on=draft.starts_on,
            ends_on=draft.ends_on,
            created_at=now,
        )
        program.stages = [
            ProgramStage(stage=stage, started_at=now if stage is CycleStage.PREPARATION else None)
            for stage in CycleStage
        ]
        self.session.add(program)
        await self.session.flush()
        curator = None if isinstance(actor, System) else actor
        if curator is not None:
            # Whoever creates a program in chat runs it, so it shows in their list of programs.
            self.session.add(
                ProgramCurator(program_id=program.id, person_id=curator, created_at=now)
            )
            await self.session.flush()
        await self._audit(
            actor,
            ACTION_PROGRAM_CREATED,
            "programs",
            program.id,
            organization=organization.id,
            name=draft.name,
            form=draft.form.value,
            role_model=draft.role_model.value,
            starts_on=draft.starts_on.isoformat() if draft.starts_on else None,
            ends_on=draft.ends_on.isoformat() if draft.ends_on else None,
            curator=curator,
        )
        return program_info(program, organization)

    async def visible(self, actor: Actor, organization_id: int | None = None) -> list[ProgramInfo]:
        """The programs the actor may see (of one organisation, if given), by name."""
        query = (
            select(Program, Organization)
            .join(Organization, Organization.id == Program.organization_id)
            .order_by(Program.name, Program.id)
        )
        if organization_id is not None:
            query = query.where(Program.organization_id == organization_id)
        if not isinstance(actor, System):
            curated = await self.access.curated(actor)
            coordinated = await self.access.coordinated(actor)
            query = query.where(Program.id.in_(curated) | Program.organization_id.in_(coordinated))
        rows = await self.session.execute(query)
        return [program_info(program, organization) for program, organization in rows]

    async def card(self, actor: Actor, program_id: int) -> ProgramCard | Refusal:
        """A program with its participants counted by role and status."""
        program = await self.access.program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        curators = await self.session.scalar(
            select(func.count()).where(ProgramCurator.program_id == program.id)
        )
        return ProgramCard(
            program=await self._info(program),
            counts=await self._counts(program.id),
            curators=int(curators or 0),
            manages_staff=await self.access.manages_organization(actor, program.organization_id),
        )

    async def set_digest_time(
        self, actor: Actor, organization_id: int, weekday: int, hour: int
    ) -> Organization | Refusal:
        """When the curators' weekly digest goes out: ISO weekday 1–7 and hour 0–23 in the
        organisation's zone; InvalidInputError out of bounds."""
        organization = await self.access.organization(actor, organization_id)
        if isinstance(organization, Refusal):
            return organization
        if not (1 <= weekday <= 7 and 0 <= hour <= 23):
            raise InvalidInputError("the weekday is 1 (Monday) to 7, the hour 0 to 23")
        organization.digest_weekday, organization.digest_hour = weekday, hour
        await self._audit(
            actor,
            "organizations.digest",
            "organizations",
            organization.id,
            weekday=weekday,
            hour=hour,
        )
        return organization

    async def configure(
        self,
        actor: Actor,
        program_id: int,
        *,
        reminder_minutes: Sequence[int] | None = None,
        pulse_weeks: int | None = None,
    ) -> Program | Refusal:
        """Set how long before a meeting its reminders go (up to four, 5 minutes to 7 days;
        an empty list: none) and how many weeks apart the pulse surveys come (1 to 12).

        InvalidInputError for values out of bounds; None leaves a setting as it is.
        """
        program = await self.access.program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        if reminder_minutes is not None:
            minutes = sorted(set(reminder_minutes), reverse=True)
            if len(minutes) > MAX_REMINDERS or any(
                not REMINDER_MINUTES[0] <= m <= REMINDER_MINUTES[1] for m in minutes
            ):
                raise InvalidInputError(
                    f"reminders: up to {MAX_REMINDERS}, each from {REMINDER_MINUTES[0]} to "
                    f"{REMINDER_MINUTES[1]} minutes before the meeting"
                )
            program.reminder_minutes = minutes
        if pulse_weeks is not None:
            if not PULSE_WEEKS[0] <= pulse_weeks <= PULSE_WEEKS[1]:
                raise InvalidInputError(
                    f"pulse surveys: every {PULSE_WEEKS[0]} to {PULSE_WEEKS[1]} weeks"
                )
            program.pulse_weeks = pulse_weeks
        await self._audit(
            actor,
            ACTION_PROGRAM_CONFIGURED,
            "programs",
            program.id,
            reminder_minutes=program.reminder_minutes,
            pulse_weeks=program.pulse_weeks,
        )
        return program

    async def joined(
        self,
        actor: Actor,
        program_id: int,
        *,
        offset: int = 0,
        limit: int = 10,
        role: ParticipantRole | None = None,
    ) -> JoinedPage | Refusal:
        """A page of the program's participants (of one role, if given)."""
        program = await self.access.program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        offset, limit = max(0, offset), max(1, limit)
        condition = Participant.program_id == program.id
        if role is not None:
            condition = condition & (Participant.role == role)
        total = int(await self.session.scalar(select(func.count()).where(condition)) or 0)
        if offset >= total:
            offset = max(0, (total - 1) // limit * limit)
        rows = await self.session.execute(
            select(Participant, Person)
            .join(Person, Person.id == Participant.person_id)
            .where(condition)
            # Nameless people last on SQLite and PostgreSQL alike (they sort NULL differently).
            .order_by(
                Participant.role, Person.full_name.is_(None), Person.full_name, Participant.id
            )
            .offset(offset)
            .limit(limit)
        )
        people = tuple(
            JoinedPerson(
                participant_id=participant.id,
                person_id=person.id,
                name=person.full_name,
                role=participant.role,
                status=participant.status,
                joined_at=participant.created_at,
                questionnaire_done=participant.questionnaire_done_at is not None,
            )
            for participant, person in rows
        )
        return JoinedPage(
            program=await self._info(program),
            people=people,
            total=total,
            offset=offset,
            limit=limit,
            counts=await self._counts(program.id),
        )

    async def creatable_organizations(self, person_id: int) -> list[OrganizationInfo]:
        """The organisations where the person may create programs (coordinator or curator)."""
        ids = await self.access.creating(person_id)
        rows = await self.session.scalars(
            select(Organization).where(Organization.id.in_(ids)).order_by(Organization.id)
        )
        return [OrganizationInfo(o.id, o.name, o.timezone) for o in rows]

    async def may_create(self, person_id: int) -> bool:
        """Whether the person may create a program somewhere (coordinator or curator)."""
        return bool(await self.session.scalar(select(may_create_programs(person_id))))

    async def is_staff(self, person_id: int) -> bool:
        """Whether the person curates a program or coordinates an organisation."""
        return await self.access.is_staff(person_id)

    async def is_coordinator(self, person_id: int) -> bool:
        """Whether the person coordinates an organisation."""
        return await self.access.is_coordinator(person_id)

    # --- helpers ---------------------------------------------------------------------------------

    async def _info(self, program: Program) -> ProgramInfo:
        organization = await self.session.get_one(Organization, program.organization_id)
        return program_info(program, organization)

    async def _counts(self, program_id: int) -> dict[ParticipantRole, dict[ParticipantStatus, int]]:
        rows = await self.session.execute(
            select(Participant.role, Participant.status, func.count())
            .where(Participant.program_id == program_id)
            .group_by(Participant.role, Participant.status)
        )
        counts: dict[ParticipantRole, dict[ParticipantStatus, int]] = {}
        for role, status, count in rows:
            counts.setdefault(role, {})[status] = count
        return {
            role: {status: by_status[status] for status in STATUS_ORDER if status in by_status}
            for role, by_status in counts.items()
        }

    async def _audit(
        self, actor: Actor, action: str, entity: str, entity_id: object, **details: object
    ) -> None:
        self.audit.record(await acting(self.session, actor), action, entity, entity_id, **details)


async def acting(session: AsyncSession, actor: Actor) -> Person | str:
    """Who the audit log names: the acting person, or the system actor's name."""
    return actor.audit_name if isinstance(actor, System) else await session.get_one(Person, actor)
