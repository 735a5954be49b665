"""The seven stages of a program's cycle: planned dates, a checklist computed from the data,
moving to the next stage by the curator's hand or by date, and each stage's pushes.

Entering a stage plans its messages through the outbox, keyed by program, stage and person, so
entering twice (or by two workers) sends nothing twice:
- 2 and 3: mentees (2) or mentors (3) who have not finished their questionnaire are reminded;
- 4: approved mentors hear about their training;
- 5: members of active pairs hear that pairs are formed; unmatched mentees what happens next;
- 6: the pairs hear that the work begins (the nudges and pulse surveys run on their own);
- 7: the final survey goes out, every participant gets the results and thanks, and the mentors
  ranked first for awards are told.
After stage 7 the program is closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from bot.services import calendar
from bot.services.base import Service
from bot.services.outbox import NotificationKind
from bot.services.programs import CLI, Access, Actor, Refusal, System, acting
from bot.services.reports import ReportService
from bot.services.surveys import SurveyService
from storage import (
    CycleStage,
    Goal,
    GoalStatus,
    Invitation,
    MatchProposal,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Organization,
    Pair,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramCurator,
    ProgramMaterial,
    ProgramStage,
    ProgramStatus,
    ProposalStatus,
)

LAST = int(CycleStage.COMPLETION)
ACTION_MOVED = "programs.stage"
ACTION_DATES = "programs.stage-dates"
ACTION_AUTO = "programs.advance-by-date"
SYSTEM = System("stages")
# People who take part (or may soon): not gone, and not a minor waiting for a parent.
TAKING_PART = (
    ParticipantStatus.INVITED,
    ParticipantStatus.ONBOARDING,
    ParticipantStatus.READY,
    ParticipantStatus.MATCHED,
    ParticipantStatus.FINISHED,
)
AWARDED = 3  # mentors told they are ranked for an award at stage 7


@dataclass(frozen=True, slots=True)
class Item:
    """One checklist item of a stage: done or still open, with its figures; `id` in
    snake_case (its text is `stages-item-<id in kebab-case>`)."""

    id: str
    done: bool
    count: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class StageView:
    """A stage as the curator sees it."""

    stage: int
    planned_start: date | None
    planned_end: date | None
    started_at: datetime | None
    completed_at: datetime | None
    current: bool


@dataclass(frozen=True, slots=True)
class Overview:
    """A program's place in the cycle and what its current stage still needs."""

    program_id: int
    program: str
    stage: int
    closed: bool
    advance_by_date: bool
    stages: tuple[StageView, ...]
    checklist: tuple[Item, ...]

    @property
    def open_items(self) -> tuple[Item, ...]:
        """What is not done yet."""
        return tuple(item for item in self.checklist if not item.done)


class StageError(ValueError):
    """A stage call that makes no sense: dates in the wrong order, a stage out of range."""


class StageService(Service):
    """Moves programs through the cycle."""

    def __init__(self, *common: Any, surveys: SurveyService, reports: ReportService) -> None:
        super().__init__(*common)
        self.surveys = surveys
        self.reports = reports

    async def overview(self, actor: Actor, program_id: int) -> Overview | Refusal:
        """The stages with their dates and the current stage's checklist."""
        program = await Access(self.session).program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        rows = await self._stages(program)
        return Overview(
            program.id,
            program.name,
            program.stage,
            program.status is ProgramStatus.CLOSED,
            program.advance_by_date,
            tuple(
                StageView(
                    row.stage,
                    row.planned_start,
                    row.planned_end,
                    row.started_at,
                    row.completed_at,
                    row.stage == program.stage,
                )
                for row in rows
            ),
            tuple(await self.checklist(program)),
        )

    async def advance(
        self, actor: Actor, program_id: int, *, force: bool = False
    ) -> Overview | Refusal | tuple[Item, ...]:
        """Move to the next stage (after stage 7: close the program). While the checklist has
        open items, they are returned and nothing moves unless `force`."""
        program = await Access(self.session).program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        if program.status is ProgramStatus.CLOSED:
            return Refusal.NOT_FOUND
        if not force:
            open_items = tuple(i for i in await self.checklist(program) if not i.done)
            if open_items:
                return open_items
        await self._move(actor, program)
        overview = await self.overview(actor, program_id)
        assert not isinstance(overview, Refusal)
        return overview

    async def set_dates(
        self, actor: Actor, program_id: int, stage: int, start: date | None, end: date | None
    ) -> Overview | Refusal:
        """A stage's planned start and end; StageError when out of range or in the wrong
        order."""
        program = await Access(self.session).program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        if not 1 <= stage <= LAST:
            raise StageError(f"stage must be from 1 to {LAST}")
        if start is not None and end is not None and end < start:
            raise StageError("the end is before the start")
        row = next(r for r in await self._stages(program) if r.stage == stage)
        row.planned_start, row.planned_end = start, end
        await self._audit(actor, ACTION_DATES, program, stage=stage, start=str(start), end=str(end))
        overview = await self.overview(actor, program_id)
        assert not isinstance(overview, Refusal)
        return overview

    async def set_advance_by_date(self, actor: Actor, program_id: int, on: bool) -> Refusal | None:
        """Whether the program moves on by itself on the next stage's planned start."""
        program = await Access(self.session).program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        program.advance_by_date = on
        await self._audit(actor, ACTION_AUTO, program, on=on)
        return None

    async def advance_due(self) -> int:
        """Programs that move by date and whose next stage's planned start has come (in the
        organisation's zone): moved one stage each. How many moved."""
        programs = list(
            await self.session.scalars(
                select(Program).where(
                    Program.advance_by_date.is_(True),
                    Program.status == ProgramStatus.ACTIVE,
                    Program.stage < LAST,
                )
            )
        )
        moved = 0
        for program in programs:
            zone = await self._zone(program)
            today = calendar.local(self.clock.now(), zone).date()
            following = next(
                (r for r in await self._stages(program) if r.stage == program.stage + 1), None
            )
            if following and following.planned_start and following.planned_start <= today:
                await self._move(SYSTEM, program)
                moved += 1
        return moved

    # --- the checklist ---------------------------------------------------------------------------

    async def checklist(self, program: Program) -> list[Item]:
        """What the program's current stage needs, computed from the data."""
        match program.stage:
            case CycleStage.PREPARATION:
                return await self._preparation(program)
            case CycleStage.MENTEE_BASE:
                return await self._base(program, ParticipantRole.MENTEE)
            case CycleStage.MENTOR_BASE:
                return await self._base(program, ParticipantRole.MENTOR)
            case CycleStage.MENTOR_SELECTION:
                return await self._selection(program)
            case CycleStage.PAIR_FORMATION:
                return await self._formation(program)
            case CycleStage.PAIRS_AT_WORK:
                return await self._work(program)
            case _:
                return await self._completion(program)

    async def _preparation(self, program: Program) -> list[Item]:
        curators = await self._count(ProgramCurator.program_id == program.id)
        links = set(
            await self.session.scalars(
                select(Invitation.role).where(
                    Invitation.program_id == program.id, Invitation.revoked_at.is_(None)
                )
            )
        )
        rows = await self._stages(program)
        planned = sum(1 for r in rows if r.planned_start is not None)
        return [
            Item("curator", curators > 0, curators),
            Item("description", bool(program.description)),
            Item("dates", planned == LAST, planned, LAST),
            Item("links", len(links) >= 2, len(links), 2),
        ]

    async def _base(self, program: Program, role: ParticipantRole) -> list[Item]:
        joined = await self._participants(program, role)
        done = await self._participants(program, role, done=True)
        pending = await self._count(
            Participant.program_id == program.id,
            Participant.role == role,
            Participant.status == ParticipantStatus.CONSENT_PENDING,
        )
        return [
            Item(f"{role.value}s_joined", joined > 0, joined),
            Item(f"{role.value}s_questionnaires", joined > 0 and done == joined, done, joined),
            Item("consents_pending", pending == 0, pending),
        ]

    async def _selection(self, program: Program) -> list[Item]:
        ready = await self._participants(program, ParticipantRole.MENTOR, done=True)
        approved = await self._count(
            Participant.program_id == program.id,
            Participant.role == ParticipantRole.MENTOR,
            Participant.approved.is_(True),
            Participant.status.in_(TAKING_PART),
        )
        materials = await self._count(ProgramMaterial.program_id == program.id)
        return [
            Item("mentors_approved", approved > 0, approved, ready),
            Item("materials", materials > 0, materials),
        ]

    async def _formation(self, program: Program) -> list[Item]:
        proposals = await self._count(
            MatchProposal.program_id == program.id,
            MatchProposal.status == ProposalStatus.PROPOSED,
        )
        pairs = await self._count(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
        unmatched = len(await self.unmatched(program))
        return [
            Item("pairs", pairs > 0, pairs),
            Item("proposals_decided", proposals == 0, proposals),
            Item("unmatched", unmatched == 0, unmatched),
        ]

    async def _work(self, program: Program) -> list[Item]:
        pairs = await self._count(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
        met = await self._pairs_with(program, (MeetingStatus.HELD,))
        goals = await self.session.scalar(
            select(func.count(func.distinct(Goal.pair_id)))
            .join(Pair, Pair.id == Goal.pair_id)
            .where(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
        )
        return [
            Item("pairs_met", pairs > 0 and met == pairs, met, pairs),
            Item("pairs_goals", pairs > 0 and goals == pairs, int(goals or 0), pairs),
        ]

    async def _completion(self, program: Program) -> list[Item]:
        pairs = await self._count(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
        final = await self.session.scalar(
            select(func.count(func.distinct(Meeting.pair_id)))
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(
                Pair.program_id == program.id,
                Pair.status == PairStatus.ACTIVE,
                Meeting.kind == MeetingKind.FINAL,
                Meeting.status == MeetingStatus.HELD,
            )
        )
        done = await self.session.scalar(
            select(func.count())
            .select_from(Goal)
            .join(Pair, Pair.id == Goal.pair_id)
            .where(Pair.program_id == program.id, Goal.status == GoalStatus.DONE)
        )
        return [
            Item("final_meetings", pairs > 0 and final == pairs, int(final or 0), pairs),
            Item("goals_done", True, int(done or 0)),
        ]

    # --- moving and its pushes -------------------------------------------------------------------

    async def _move(self, actor: Actor, program: Program) -> None:
        now = self.clock.now()
        rows = {r.stage: r for r in await self._stages(program)}
        rows[program.stage].completed_at = now
        if program.stage == LAST:
            program.status = ProgramStatus.CLOSED
            program.closed_at = now
            await self._audit(actor, ACTION_MOVED, program, stage="closed")
            return
        program.stage += 1
        rows[program.stage].started_at = now
        await self._audit(actor, ACTION_MOVED, program, stage=program.stage)
        await self.session.flush()
        await self._enter(program)

    async def _enter(self, program: Program) -> None:
        """The pushes of the stage the program has just entered."""
        match program.stage:
            case CycleStage.MENTEE_BASE | CycleStage.MENTOR_BASE:
                role = (
                    ParticipantRole.MENTEE
                    if program.stage == CycleStage.MENTEE_BASE
                    else ParticipantRole.MENTOR
                )
                people = await self._unfinished(program, role)
                await self._tell(program, people, "stage-questionnaire")
            case CycleStage.MENTOR_SELECTION:
                people = await self._people(
                    program,
                    Participant.role == ParticipantRole.MENTOR,
                    Participant.approved.is_(True),
                )
                await self._tell(program, people, "stage-training")
            case CycleStage.PAIR_FORMATION:
                await self._tell(program, await self._in_pairs(program), "stage-pairs-formed")
                unmatched = [p.person_id for p in await self.unmatched(program)]
                await self._tell(program, unmatched, "stage-unmatched")
            case CycleStage.PAIRS_AT_WORK:
                await self._tell(program, await self._in_pairs(program), "stage-work")
            case CycleStage.COMPLETION:
                await self._complete(program)

    async def _complete(self, program: Program) -> None:
        """Stage 7: the final survey, the results and thanks, the award notices."""
        await self.surveys.start_final(SYSTEM, program.id)
        held = await self.session.scalar(
            select(func.count())
            .select_from(Meeting)
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(Pair.program_id == program.id, Meeting.status == MeetingStatus.HELD)
        )
        pairs = await self._count(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
        people = await self._people(program)
        await self._tell(program, people, "stage-thanks", held=int(held or 0), pairs=pairs)
        for place, person_id in enumerate(await self.award_ranking(program), start=1):
            if place > AWARDED:
                break
            await self._tell(program, [person_id], "stage-award", place=place)

    async def award_ranking(self, program: Program) -> list[int]:
        """Person ids of the program's mentors, best first (see ReportService)."""
        return await self.reports.award_order(CLI, program.id)

    async def _tell(
        self, program: Program, person_ids: Sequence[int], text_id: str, **args: Any
    ) -> None:
        for person_id in dict.fromkeys(person_ids):
            await self.outbox.plan(
                key=f"stage:{program.id}:{program.stage}:{text_id}:{person_id}",
                kind=NotificationKind.STAGE,
                recipient_id=person_id,
                text_id=text_id,
                args={"program": program.name, **args},
            )

    # --- queries ---------------------------------------------------------------------------------

    async def unmatched(self, program: Program) -> list[Participant]:
        """Mentees ready for a pair who have none active."""
        in_pairs = (
            select(PairMember.participant_id)
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
        )
        return list(
            await self.session.scalars(
                select(Participant).where(
                    Participant.program_id == program.id,
                    Participant.role == ParticipantRole.MENTEE,
                    Participant.status.in_((ParticipantStatus.READY, ParticipantStatus.MATCHED)),
                    Participant.id.not_in(in_pairs),
                )
            )
        )

    async def _in_pairs(self, program: Program) -> list[int]:
        return list(
            await self.session.scalars(
                select(Participant.person_id)
                .join(PairMember, PairMember.participant_id == Participant.id)
                .join(Pair, Pair.id == PairMember.pair_id)
                .where(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
            )
        )

    async def _unfinished(self, program: Program, role: ParticipantRole) -> list[int]:
        return await self._people(
            program,
            Participant.role == role,
            Participant.questionnaire_done_at.is_(None),
            Participant.status.in_((ParticipantStatus.INVITED, ParticipantStatus.ONBOARDING)),
        )

    async def _people(self, program: Program, *where: Any) -> list[int]:
        return list(
            await self.session.scalars(
                select(Participant.person_id)
                .where(
                    Participant.program_id == program.id,
                    Participant.status.in_(TAKING_PART),
                    *where,
                )
                .order_by(Participant.id)
            )
        )

    async def _participants(
        self, program: Program, role: ParticipantRole, *, done: bool = False
    ) -> int:
        return await self._count(
            Participant.program_id == program.id,
            Participant.role == role,
            Participant.status.in_(TAKING_PART),
            *([Participant.questionnaire_done_at.is_not(None)] if done else []),
        )

    async def _pairs_with(self, program: Program, statuses: tuple[MeetingStatus, ...]) -> int:
        found = await self.session.scalar(
            select(func.count(func.distinct(Meeting.pair_id)))
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(
                Pair.program_id == program.id,
                Pair.status == PairStatus.ACTIVE,
                Meeting.status.in_(statuses),
            )
        )
        return int(found or 0)

    async def _count(self, *where: Any) -> int:
        return int(await self.session.scalar(select(func.count()).where(*where)) or 0)

    async def _stages(self, program: Program) -> list[ProgramStage]:
        """The program's seven stage rows, created on first use."""
        rows = {
            r.stage: r
            for r in await self.session.scalars(
                select(ProgramStage).where(ProgramStage.program_id == program.id)
            )
        }
        for stage in range(1, LAST + 1):
            if stage not in rows:
                rows[stage] = ProgramStage(program_id=program.id, stage=stage)
                if stage == program.stage:
                    rows[stage].started_at = program.created_at
                self.session.add(rows[stage])
        await self.session.flush()
        return [rows[stage] for stage in range(1, LAST + 1)]

    async def _zone(self, program: Program) -> str:
        organization = await self.session.get(Organization, program.organization_id)
        return organization.timezone if organization else calendar.DEFAULT_ZONE

    async def _audit(self, actor: Actor, action: str, program: Program, **details: Any) -> None:
        self.audit.record(
            await acting(self.session, actor), action, "programs", program.id, **details
        )
