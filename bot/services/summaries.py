"""The summary of a pair's work (stage 6) for its members and its program's staff: meetings
held and planned, how they went, the goals and the next meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.services import calendar
from bot.services.base import Service
from bot.services.goals import GoalService, GoalsSummary
from bot.services.meetings import MeetingService
from bot.services.programs import Access, Actor, Refusal, System
from storage import (
    Feedback,
    FeedbackKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Organization,
    Pair,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    Person,
    Program,
)

PAGE = 8


@dataclass(frozen=True, slots=True)
class MeetingCounts:
    """A pair's meetings by outcome. `unknown`: ended, confirmed, and nobody said it happened."""

    held: int = 0
    planned: int = 0  # proposed or confirmed, not ended
    missed: int = 0
    unknown: int = 0
    cancelled: int = 0


@dataclass(frozen=True, slots=True)
class PairSummary:
    """One pair as its members and curators see it; times in the reader's zone."""

    pair_id: int
    program: str
    status: PairStatus
    mentor: str
    mentees: tuple[str, ...]
    since: date | None
    meetings: MeetingCounts
    kinds_held: frozenset[MeetingKind]
    regular_held: int
    next_kind: MeetingKind
    next_meeting: datetime | None  # local
    next_meeting_kind: MeetingKind | None
    next_meeting_confirmed: bool
    zone: str  # "UTC+3", for next_meeting
    rating_mentor: float | None  # the mentor's mean rating of the meetings
    rating_mentees: float | None  # the mentees' mean rating
    ratings: int
    goals: GoalsSummary


@dataclass(frozen=True, slots=True)
class PairLine:
    """A pair in the curator's list."""

    pair_id: int
    mentor: str
    mentees: tuple[str, ...]
    held: int
    last_held: date | None
    quiet_days: int  # days since the last meeting held (or since approval)


class SummaryService(Service):
    """Pair summaries; members see their own pairs, staff the pairs of their programs."""

    def __init__(self, *common: Any, meetings: MeetingService, goals: GoalService) -> None:
        super().__init__(*common)
        self.meetings = meetings
        self.goals = goals

    async def pair(self, actor: Actor, pair_id: int) -> PairSummary | Refusal:
        """The pair's summary, if the actor is in it or on its program's staff."""
        pair = await self.session.get(Pair, pair_id)
        if pair is None:
            return Refusal.NOT_FOUND
        program = await self.session.get_one(Program, pair.program_id)
        member = await self._member(actor, pair_id)
        if member is None:
            access = await Access(self.session).program(actor, program.id)
            if isinstance(access, Refusal):
                return Refusal.NOT_FOUND  # a stranger learns nothing, not even that it exists
        members = await self._members(pair_id)
        mentor = next((n for role, n in members if role is ParticipantRole.MENTOR), "—")
        mentees = tuple(n for role, n in members if role is ParticipantRole.MENTEE)
        rows = list(await self.session.scalars(select(Meeting).where(Meeting.pair_id == pair_id)))
        now = self.clock.now()
        counts, upcoming = _count(rows, now)
        kinds_held = frozenset(m.kind for m in rows if m.status is MeetingStatus.HELD)
        zone = await self._zone(actor, program)
        ratings = await self._ratings(pair_id)
        return PairSummary(
            pair_id=pair.id,
            program=program.name,
            status=pair.status,
            mentor=mentor,
            mentees=mentees,
            since=calendar.local(pair.approved_at, zone).date() if pair.approved_at else None,
            meetings=counts,
            kinds_held=kinds_held,
            regular_held=sum(
                1 for m in rows if m.status is MeetingStatus.HELD and m.kind is MeetingKind.REGULAR
            ),
            next_kind=await self.meetings.suggest_kind(pair_id),
            next_meeting=calendar.local(upcoming.starts_at, zone) if upcoming else None,
            next_meeting_kind=upcoming.kind if upcoming else None,
            next_meeting_confirmed=bool(upcoming and upcoming.status is MeetingStatus.CONFIRMED),
            zone=calendar.utc_offset(zone, upcoming.starts_at if upcoming else now),
            rating_mentor=ratings.get(ParticipantRole.MENTOR, (None, 0))[0],
            rating_mentees=ratings.get(ParticipantRole.MENTEE, (None, 0))[0],
            ratings=sum(count for _, count in ratings.values()),
            goals=await self.goals.summary_of(
                pair_id,
                # In a group a mentee sees the shared goals and their own.
                mentee_participant_id=member.id
                if member is not None and member.role is ParticipantRole.MENTEE
                else None,
            ),
        )

    async def program_pairs(
        self, actor: Actor, program_id: int, page: int = 0
    ) -> tuple[list[PairLine], int] | Refusal:
        """The program's active pairs, the quietest first, a page at a time; and the total."""
        program = await Access(self.session).program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        pairs = list(
            await self.session.scalars(
                select(Pair)
                .where(Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE)
                .order_by(Pair.id)
            )
        )
        if not pairs:
            return [], 0
        ids = [p.id for p in pairs]
        held = {
            pair_id: (count, last)
            for pair_id, count, last in (
                await self.session.execute(
                    select(Meeting.pair_id, func.count(), func.max(Meeting.starts_at))
                    .where(Meeting.pair_id.in_(ids), Meeting.status == MeetingStatus.HELD)
                    .group_by(Meeting.pair_id)
                )
            ).all()
        }
        names = await self._names(ids)
        now = self.clock.now()
        organization = await self.session.get(Organization, program.organization_id)
        zone = organization.timezone if organization else calendar.DEFAULT_ZONE
        lines = []
        for pair in pairs:
            count, last = held.get(pair.id, (0, None))
            since = last or pair.approved_at or pair.created_at
            mentor = next(
                (n for role, n in names.get(pair.id, []) if role is ParticipantRole.MENTOR), "—"
            )
            lines.append(
                PairLine(
                    pair.id,
                    mentor,
                    tuple(
                        n for role, n in names.get(pair.id, []) if role is ParticipantRole.MENTEE
                    ),
                    count,
                    calendar.local(last, zone).date() if last else None,
                    max(0, (now - since) // timedelta(days=1)),
                )
            )
        lines.sort(key=lambda line: (-line.quiet_days, line.pair_id))
        return lines[page * PAGE : (page + 1) * PAGE], len(lines)

    async def _member(self, actor: Actor, pair_id: int) -> Participant | None:
        """The actor's participant in the pair, if they are in it."""
        if isinstance(actor, System):
            return None
        return await self.session.scalar(
            select(Participant)
            .join(PairMember, PairMember.participant_id == Participant.id)
            .where(PairMember.pair_id == pair_id, Participant.person_id == actor)
        )

    async def _zone(self, actor: Actor, program: Program) -> str:
        if isinstance(actor, System):
            return calendar.DEFAULT_ZONE
        return await self.meetings.zone_of(await self.session.get_one(Person, actor))

    async def _members(self, pair_id: int) -> list[tuple[ParticipantRole, str]]:
        return (await self._names([pair_id])).get(pair_id, [])

    async def _names(self, pair_ids: list[int]) -> dict[int, list[tuple[ParticipantRole, str]]]:
        rows = await self.session.execute(
            select(PairMember.pair_id, PairMember.role, Person.full_name)
            .join(Participant, Participant.id == PairMember.participant_id)
            .join(Person, Person.id == Participant.person_id)
            .where(PairMember.pair_id.in_(pair_ids))
            .order_by(PairMember.id)
        )
        found: dict[int, list[tuple[ParticipantRole, str]]] = {}
        for pair_id, role, name in rows.all():
            found.setdefault(pair_id, []).append((role, name or "—"))
        return found

    async def _ratings(self, pair_id: int) -> dict[ParticipantRole, tuple[float | None, int]]:
        rows = await self.session.execute(
            select(
                PairMember.role,
                func.avg(Feedback.rating).label("mean"),
                func.count(Feedback.id).label("ratings"),
            )
            .join(Meeting, Meeting.id == Feedback.meeting_id)
            .join(PairMember, PairMember.participant_id == Feedback.participant_id)
            .where(
                Meeting.pair_id == pair_id,
                PairMember.pair_id == pair_id,
                Feedback.kind == FeedbackKind.MEETING,
                Feedback.rating.is_not(None),
            )
            .group_by(PairMember.role)
        )
        return {
            row.role: (round(float(row.mean), 1) if row.mean is not None else None, row.ratings)
            for row in rows.all()
        }


def _count(rows: list[Meeting], now: datetime) -> tuple[MeetingCounts, Meeting | None]:
    """Meetings by outcome, and the soonest one not ended."""
    held = planned = missed = unknown = cancelled = 0
    upcoming: list[Meeting] = []
    for meeting in rows:
        ended = meeting.starts_at + timedelta(minutes=meeting.duration_minutes) <= now
        match meeting.status:
            case MeetingStatus.HELD:
                held += 1
            case MeetingStatus.MISSED:
                missed += 1
            case MeetingStatus.CANCELLED:
                cancelled += 1
            case MeetingStatus.CONFIRMED if ended:
                unknown += 1
            case MeetingStatus.PROPOSED | MeetingStatus.CONFIRMED if not ended:
                planned += 1
                upcoming.append(meeting)
    upcoming.sort(key=lambda m: m.starts_at)
    return MeetingCounts(held, planned, missed, unknown, cancelled), (
        upcoming[0] if upcoming else None
    )
