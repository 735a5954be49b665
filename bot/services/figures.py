"""A program's figures (stage 6 and after): what the weekly digest shows and the final report
sums up. One place computes them, so the digest and the report never disagree.

Weeks run Monday to Sunday in the organisation's time zone. A meeting counts in the week it
starts in; it was *planned* when it was confirmed (whether it is still ahead, held, missed or
ended without an answer yet) and *held* when its status is held. A week's rating is the mean
rating of the meeting feedback given about the meetings that started that week. The figures of
many programs come from a fixed number of grouped queries per time zone, never one per pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select

from bot.services.base import Service
from bot.services.calendar import local, to_utc
from bot.services.programs import Access, Actor, Refusal, System
from storage import (
    Feedback,
    FeedbackKind,
    Meeting,
    MeetingStatus,
    Organization,
    Pair,
    PairStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
)

# Meetings that were agreed on: confirmed (ahead, or ended and not yet answered), held, missed.
PLANNED_STATUSES = (MeetingStatus.CONFIRMED, MeetingStatus.HELD, MeetingStatus.MISSED)
# Participants who finished onboarding.
JOINED_STATUSES = (ParticipantStatus.READY, ParticipantStatus.MATCHED, ParticipantStatus.FINISHED)
# Participants who no longer take part: not counted as done or approved.
GONE_STATUSES = (ParticipantStatus.DECLINED, ParticipantStatus.LEFT, ParticipantStatus.REMOVED)
# The rating and its trend compare the last four weeks with the four before.
TREND_WEEKS = 4
# NPS: answers 9..10 promote, 0..6 detract, 7..8 are passive (as the survey results count).
NPS_PROMOTER_MIN, NPS_DETRACTOR_MAX, NPS_MAX = 9, 6, 10
DEFAULT_WEEKS = 8
MAX_WEEKS = 104


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """One week (Monday to Sunday in the organisation's zone) of a program."""

    week_start: date  # the Monday
    held: int  # meetings that started that week and were held
    planned: int  # meetings that started that week and were agreed on (confirmed, held, missed)
    rating: float | None  # the mean rating given to the meetings that started that week


@dataclass(frozen=True, slots=True)
class ProgramFigures:
    """A program's figures at a moment; `weeks` oldest first, the last is the current week."""

    program_id: int
    program: str
    stage: int  # the CycleStage value
    invited: int  # participants who opened an invite link (every participant row)
    joined: int  # participants who finished onboarding (ready, matched or finished)
    consent_pending: int  # participants waiting for a parent's consent
    questionnaires_done: int  # participants still taking part whose questionnaire is finished
    mentors_approved: int  # mentors still taking part whom the curator approved
    pairs_active: int  # pairs and groups at work
    held_this_week: int  # meetings of the current week held so far
    planned_this_week: int  # meetings of the current week agreed on (ahead ones included)
    held_total: int  # every meeting held, ever
    planned_total: int  # every meeting agreed on, ever (ahead ones included)
    rating: float | None  # the mean meeting rating of the last four weeks
    rating_trend: float | None  # that minus the mean of the four weeks before
    pulse_nps: int | None  # the NPS of the latest pulse round with answers, -100..100
    weeks: tuple[WeekPoint, ...]
    organization_id: int = 0
    timezone: str = ""  # the organisation's zone, in which the weeks are counted

    @property
    def last_week(self) -> WeekPoint | None:
        """The week before the current one, if the figures cover it."""
        return self.weeks[-2] if len(self.weeks) > 1 else None


def week_start(moment: datetime, zone_name: str | None) -> date:
    """The Monday of the week `moment` falls in, in the zone."""
    day = local(moment, zone_name).date()
    return day - timedelta(days=day.weekday())


def nps(scores: Iterable[int]) -> int | None:
    """Net promoter score, -100..100 rounded: % of 9..10 minus % of 0..6; None with no answer."""
    values = list(scores)
    if not values:
        return None
    promoters = sum(value >= NPS_PROMOTER_MIN for value in values)
    detractors = sum(value <= NPS_DETRACTOR_MAX for value in values)
    return round(100 * (promoters - detractors) / len(values))


def _nps_score(answers: object) -> int | None:
    if not isinstance(answers, Mapping):
        return None
    value = answers.get("nps")
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= NPS_MAX:
        return value
    return None


def _mean(total: float, count: int) -> float | None:
    return total / count if count else None


def _bucket(column: Any, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """The index of the week a moment falls in (bounds: each week's start, then the end);
    -1 outside them."""
    whens = [((column >= bounds[i]) & (column < bounds[i + 1]), i) for i in range(len(bounds) - 1)]
    return case(*whens, else_=-1)


class FigureService(Service):
    """Computes programs' figures for those entitled to see them."""

    async def program(
        self, actor: Actor, program_id: int, *, weeks: int = DEFAULT_WEEKS
    ) -> ProgramFigures | Refusal:
        """The program's figures now, for its curators, its organisation's coordinators and
        system actors."""
        found = await self.programs(actor, [program_id], weeks=weeks)
        return found if isinstance(found, Refusal) else found[0]

    async def programs(
        self, actor: Actor, program_ids: Sequence[int], *, weeks: int = DEFAULT_WEEKS
    ) -> list[ProgramFigures] | Refusal:
        """Several programs' figures in the order asked; a refusal when any of them is unknown
        or not the actor's to see."""
        ids = list(dict.fromkeys(program_ids))
        rows = (
            await self.session.execute(
                select(Program, Organization)
                .join(Organization, Organization.id == Program.organization_id)
                .where(Program.id.in_(ids))
            )
        ).all()
        found = {program.id: (program, organization) for program, organization in rows}
        if len(found) < len(ids):
            return Refusal.NOT_FOUND
        if not isinstance(actor, System):
            access = Access(self.session)
            curated = set(await access.curated(actor))
            coordinated = set(await access.coordinated(actor))
            if any(
                program_id not in curated and program.organization_id not in coordinated
                for program_id, (program, _) in found.items()
            ):
                return Refusal.NOT_ALLOWED
        weeks = max(1, min(weeks, MAX_WEEKS))
        by_zone: dict[str, list[tuple[Program, Organization]]] = defaultdict(list)
        for program, organization in found.values():
            by_zone[organization.timezone].append((program, organization))
        figures: dict[int, ProgramFigures] = {}
        for zone_name, group in by_zone.items():
            for item in await self._compute(group, zone_name, weeks):
                figures[item.program_id] = item
        return [figures[program_id] for program_id in ids]

    async def _compute(
        self, group: Sequence[tuple[Program, Organization]], zone_name: str, weeks: int
    ) -> list[ProgramFigures]:
        """The figures of programs whose organisations share a time zone."""
        ids = [program.id for program, _ in group]
        now = self.clock.now()
        current = week_start(now, zone_name)
        span = max(weeks, 2 * TREND_WEEKS)
        mondays = [current - timedelta(weeks=span - 1 - i) for i in range(span + 1)]
        bounds = [to_utc(monday, time(0), zone_name) for monday in mondays]
        people = await self._people(ids)
        pairs = await self._pairs(ids)
        meetings = await self._meetings(ids, bounds)
        ratings = await self._ratings(ids, bounds)
        pulse = await self._pulse_nps(ids)
        result = []
        for program, organization in group:
            counts = people.get(program.id, {})
            held = meetings[program.id]["held"]
            planned = meetings[program.id]["planned"]
            sums = ratings[program.id]
            points = tuple(
                WeekPoint(
                    week_start=mondays[i],
                    held=held.get(i, 0),
                    planned=planned.get(i, 0),
                    rating=_mean(*sums.get(i, (0.0, 0))),
                )
                for i in range(span - weeks, span)
            )
            recent = [sums.get(i, (0.0, 0)) for i in range(span - TREND_WEEKS, span)]
            before = [
                sums.get(i, (0.0, 0)) for i in range(span - 2 * TREND_WEEKS, span - TREND_WEEKS)
            ]
            rating = _mean(sum(s for s, _ in recent), sum(n for _, n in recent))
            earlier = _mean(sum(s for s, _ in before), sum(n for _, n in before))
            result.append(
                ProgramFigures(
                    program_id=program.id,
                    program=program.name,
                    stage=int(program.stage),
                    invited=counts.get("invited", 0),
                    joined=counts.get("joined", 0),
                    consent_pending=counts.get("consent_pending", 0),
                    questionnaires_done=counts.get("questionnaires_done", 0),
                    mentors_approved=counts.get("mentors_approved", 0),
                    pairs_active=pairs.get(program.id, 0),
                    held_this_week=held.get(span - 1, 0),
                    planned_this_week=planned.get(span - 1, 0),
                    held_total=sum(held.values()),
                    planned_total=sum(planned.values()),
                    rating=rating,
                    rating_trend=None if rating is None or earlier is None else rating - earlier,
                    pulse_nps=pulse.get(program.id),
                    weeks=points,
                    organization_id=organization.id,
                    timezone=zone_name,
                )
            )
        return result

    async def _people(self, ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Participants counted per program."""
        staying = Participant.status.not_in(GONE_STATUSES)

        def total(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        rows = await self.session.execute(
            select(
                Participant.program_id,
                func.count().label("invited"),
                total(Participant.status.in_(JOINED_STATUSES)).label("joined"),
                total(Participant.status == ParticipantStatus.CONSENT_PENDING).label(
                    "consent_pending"
                ),
                total(staying & Participant.questionnaire_done_at.is_not(None)).label(
                    "questionnaires_done"
                ),
                total(
                    staying
                    & (Participant.role == ParticipantRole.MENTOR)
                    & Participant.approved.is_(True)
                ).label("mentors_approved"),
            )
            .where(Participant.program_id.in_(ids))
            .group_by(Participant.program_id)
        )
        return {
            row.program_id: {
                key: int(getattr(row, key))
                for key in (
                    "invited",
                    "joined",
                    "consent_pending",
                    "questionnaires_done",
                    "mentors_approved",
                )
            }
            for row in rows.all()
        }

    async def _pairs(self, ids: Sequence[int]) -> dict[int, int]:
        rows = await self.session.execute(
            select(Pair.program_id, func.count().label("pairs"))
            .where(Pair.program_id.in_(ids), Pair.status == PairStatus.ACTIVE)
            .group_by(Pair.program_id)
        )
        return {row.program_id: int(row.pairs) for row in rows.all()}

    async def _meetings(
        self, ids: Sequence[int], bounds: Sequence[datetime]
    ) -> dict[int, dict[str, dict[int, int]]]:
        """Per program, held and planned meetings by week index (-1: outside the weeks)."""
        week = _bucket(Meeting.starts_at, bounds).label("week")
        rows = await self.session.execute(
            select(Pair.program_id, week, Meeting.status, func.count().label("meetings"))
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(Pair.program_id.in_(ids), Meeting.status.in_(PLANNED_STATUSES))
            .group_by(Pair.program_id, week, Meeting.status)
        )
        found: dict[int, dict[str, dict[int, int]]] = defaultdict(
            lambda: {"held": defaultdict(int), "planned": defaultdict(int)}
        )
        for row in rows.all():
            counts = found[row.program_id]
            counts["planned"][row.week] += int(row.meetings)
            if row.status == MeetingStatus.HELD:
                counts["held"][row.week] += int(row.meetings)
        return found

    async def _ratings(
        self, ids: Sequence[int], bounds: Sequence[datetime]
    ) -> dict[int, dict[int, tuple[float, int]]]:
        """Per program, the sum and the number of meeting ratings by week index."""
        week = _bucket(Meeting.starts_at, bounds).label("week")
        rows = await self.session.execute(
            select(
                Pair.program_id,
                week,
                func.sum(Feedback.rating).label("total"),
                func.count(Feedback.rating).label("ratings"),
            )
            .select_from(Feedback)
            .join(Meeting, Meeting.id == Feedback.meeting_id)
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(
                Pair.program_id.in_(ids),
                Feedback.kind == FeedbackKind.MEETING,
                Feedback.rating.is_not(None),
                Meeting.starts_at >= bounds[0],
                Meeting.starts_at < bounds[-1],
            )
            .group_by(Pair.program_id, week)
        )
        found: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)
        for row in rows.all():
            found[row.program_id][row.week] = (float(row.total or 0), int(row.ratings))
        return found

    async def _pulse_nps(self, ids: Sequence[int]) -> dict[int, int]:
        """Per program, the NPS of the latest pulse round that has NPS answers."""
        rows = await self.session.execute(
            select(Participant.program_id, Feedback.round, Feedback.answers)
            .select_from(Feedback)
            .join(Participant, Participant.id == Feedback.participant_id)
            .where(
                Participant.program_id.in_(ids),
                Feedback.kind == FeedbackKind.PULSE,
                Feedback.completed_at.is_not(None),
            )
        )
        rounds: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for row in rows.all():
            score = _nps_score(row.answers)
            if score is not None:
                rounds[row.program_id][row.round or 0].append(score)
        found = {}
        for program_id, by_round in rounds.items():
            value = nps(by_round[max(by_round)])
            if value is not None:
                found[program_id] = value
        return found


__all__ = [
    "DEFAULT_WEEKS",
    "GONE_STATUSES",
    "JOINED_STATUSES",
    "MAX_WEEKS",
    "PLANNED_STATUSES",
    "TREND_WEEKS",
    "FigureService",
    "ProgramFigures",
    "WeekPoint",
    "nps",
    "week_start",
]
