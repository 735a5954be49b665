"""The curators' weekly digest: each program's figures, risk flags and a chart.

A digest covers the programs a person runs: a curator's programs, and for a coordinator every
active program of the organisations they coordinate (with one header per organisation). Each
program shows its figures (see figures.py) and the risk flags DOMAIN.md names, each with the ids
and names of who or what is flagged:

- overloaded mentors: more mentees in active pairs than the mentor's capacity, or more than
  `OVERLOAD_DEFAULT` when no capacity is set;
- quiet pairs: active pairs whose last meeting held started `QUIET_AFTER` ago or more, or with
  no meeting held `FIRST_MEETING_AFTER` after the pair was approved (the nudges' rules);
- falling ratings: mentors whose mean rating from their mentees over the last `FALLING_WINDOW`
  is at least `FALLING_BY` points below the mean over the window before (both must have ratings);
- unanswered surveys: participants with a pulse or final survey sent `UNANSWERED_AFTER` ago or
  more, not answered and not replaced by a later round;
- unreachable: participants no messenger account of whom the bot can write to;
- unmatched mentees: ready mentees in no active pair, from stage `UNMATCHED_FROM_STAGE` on
  (before it, every mentee is unmatched by design).

Participants who declined, left or were removed are never flagged. A program with no flag and
nothing done since the previous week began is quiet; a digest of quiet programs only is empty
and goes out as one line. `plan_due` plans each person's digest once per ISO week through the
outbox, when their organisation's local time passes its `digest_weekday` and `digest_hour`.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import aliased

from bot.core.i18n import Translator
from bot.core.messages import Attachment, AttachmentKind
from bot.services.base import Service
from bot.services.calendar import local, zone
from bot.services.chart import CHART_FILE, PNG_MIME, ChartLabels, render_chart
from bot.services.figures import GONE_STATUSES, FigureService, ProgramFigures
from bot.services.nudges import ACTION_NUDGED
from bot.services.outbox import NotificationKind
from bot.services.programs import Access, Actor, Refusal, System
from storage import (
    AuditLog,
    CycleStage,
    Feedback,
    FeedbackKind,
    Meeting,
    MeetingStatus,
    MessengerAccount,
    Notification,
    Organization,
    Pair,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    ProgramStatus,
    StaffMember,
    StaffRole,
)

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

# --- the flags' rules ---------------------------------------------------------------------------

# Mentees a mentor with no capacity set may have before being overloaded.
OVERLOAD_DEFAULT = 3
# A pair is quiet this long after its last meeting held (the nudges use the same spans)...
QUIET_AFTER = timedelta(days=14)
# ...or this long after it was approved when no meeting was held at all.
FIRST_MEETING_AFTER = timedelta(days=10)
# A mentor's ratings fall when the mean of this window is this much below the window before.
FALLING_WINDOW = timedelta(weeks=4)
FALLING_BY = 1.0
# A survey is unanswered this long after it was sent.
UNANSWERED_AFTER = timedelta(days=7)
# Mentees without a pair count from this stage on.
UNMATCHED_FROM_STAGE = CycleStage.PAIR_FORMATION

SURVEY_KINDS = (FeedbackKind.PULSE, FeedbackKind.FINAL)
# The deep link of a flag's list: `dg<program id>_<flag>`; `dg<program id>` opens the program.
LINK_PREFIX = "dg"
SYSTEM = System("digests")
# Where the chart's words come from when no reader's screen renders them (the weekly job).


class FlagKind(StrEnum):
    """A risk the digest points out; the value names it in links and text ids."""

    OVERLOADED = "overloaded"  # mentors
    QUIET = "quiet"  # pairs
    FALLING = "falling"  # mentors
    UNANSWERED = "unanswered"  # participants
    UNREACHABLE = "unreachable"  # participants
    UNMATCHED = "unmatched"  # mentees


def flag_link(program_id: int, kind: FlagKind | None = None) -> str:
    """The deep-link payload of a program's flag list (or of the program's digest)."""
    return f"{LINK_PREFIX}{program_id}" + ("" if kind is None else f"_{kind.value}")


def week_key(person_id: int, moment: datetime, zone_name: str | None) -> str:
    """The outbox key of a person's digest of the ISO week `moment` falls in, in the zone."""
    year, week, _ = local(moment, zone_name).isocalendar()
    return f"digest:{person_id}:{year}-W{week:02d}"


# --- what a digest holds --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flagged:
    """One flagged participant, or a pair for quiet pairs."""

    id: int  # the participant's id; the pair's id for a quiet pair
    name: str | None  # the person's name; for a pair, its mentor's (None: no name known)
    role: ParticipantRole  # the participant's role (a pair: mentor)
    # What the rule measured: mentees (overloaded), days without a meeting (quiet), the recent
    # mean rating (falling), surveys unanswered (unanswered); None for the others.
    value: float | None = None
    # What it was measured against: the capacity (overloaded), the earlier mean (falling).
    bound: float | None = None
    mentees: tuple[str | None, ...] = ()  # a quiet pair's mentees
    first_meeting: bool = False  # a quiet pair that never met (counted since approval)


@dataclass(frozen=True, slots=True)
class Flag:
    """A risk and who or what shows it, by name."""

    kind: FlagKind
    items: tuple[Flagged, ...]

    @property
    def ids(self) -> tuple[int, ...]:
        """The flagged participants' ids (pairs' ids for quiet pairs)."""
        return tuple(item.id for item in self.items)


@dataclass(frozen=True, slots=True)
class ProgramDigest:
    """One program's part of a digest."""

    figures: ProgramFigures
    organization: str
    flags: tuple[Flag, ...]  # the risks present, in FlagKind order
    new_participants: int  # participants who came since the previous week began
    nudges: int  # the bot's nudges to the program's pairs since the previous week began
    # Things done since the previous week began: participants who came, questionnaires
    # finished, pairs approved, meetings agreed on or held, feedback and survey answers.
    activity: int

    @property
    def program_id(self) -> int:
        """The program's id."""
        return self.figures.program_id

    @property
    def quiet(self) -> bool:
        """No risk and nothing done: nothing to report."""
        return not self.flags and not self.activity

    @property
    def flagged(self) -> int:
        """How many people or pairs are flagged, over every flag."""
        return sum(len(flag.items) for flag in self.flags)

    def flag(self, kind: FlagKind) -> Flag | None:
        """The flag of a kind, if present."""
        return next((flag for flag in self.flags if flag.kind is kind), None)

    def args(self) -> dict[str, Any]:
        """The scalars `digest-program` renders (counts, or "none")."""
        f = self.figures
        last = f.last_week
        trend = f.rating_trend
        counts: dict[str, Any] = {
            kind.value: len(found.items) if (found := self.flag(kind)) else "none"
            for kind in FlagKind
        }
        return {
            "program": f.program,
            "stage": f.stage,
            "invited": f.invited,
            "joined": f.joined,
            "new": self.new_participants or "none",
            "consent": f.consent_pending,
            "questionnaires": f.questionnaires_done,
            "mentors": f.mentors_approved,
            "pairs": f.pairs_active,
            "held_week": f.held_this_week,
            "planned_week": f.planned_this_week,
            "held_last": last.held if last else 0,
            "planned_last": last.planned if last else 0,
            "rating": "none" if f.rating is None else round(f.rating, 2),
            "trend": "none" if trend is None else round(abs(trend), 2),
            "trend_dir": _direction(trend),
            "nps": "none" if f.pulse_nps is None else f.pulse_nps,
            "nudges": self.nudges or "none",
            "flags": self.flagged or "none",
            **counts,
        }


@dataclass(frozen=True, slots=True)
class OrganizationSummary:
    """A coordinator's header line for one organisation."""

    organization_id: int
    name: str
    programs: int
    quiet_programs: int
    joined: int
    pairs_active: int
    held_last_week: int
    planned_last_week: int
    flagged: int

    def args(self) -> dict[str, Any]:
        """The scalars `digest-organization` renders."""
        return {
            "organization": self.name,
            "programs": self.programs,
            "quiet": self.quiet_programs or "none",
            "joined": self.joined,
            "pairs": self.pairs_active,
            "held": self.held_last_week,
            "planned": self.planned_last_week,
            "flagged": self.flagged or "none",
        }


@dataclass(frozen=True, slots=True)
class Digest:
    """What a person's digest shows: headers for coordinated organisations, then programs."""

    made_at: datetime
    organizations: tuple[OrganizationSummary, ...]
    programs: tuple[ProgramDigest, ...]

    @property
    def empty(self) -> bool:
        """Nothing to report: every program is quiet (or there is none)."""
        return all(program.quiet for program in self.programs)

    def program(self, program_id: int) -> ProgramDigest | None:
        """A program's part, if the digest has it."""
        return next((p for p in self.programs if p.program_id == program_id), None)


def _direction(trend: float | None) -> str:
    if trend is None:
        return "none"
    if round(trend, 1) > 0:
        return "up"
    if round(trend, 1) < 0:
        return "down"
    return "flat"


@cache
def _translator(locales_dir: Path) -> Translator:
    """The texts, read once per process when a weekly chart first needs its words."""
    return Translator(locales_dir)


def _since(figures: ProgramFigures) -> datetime:
    """When the previous week began, in the program's organisation's zone."""
    monday = figures.weeks[-1].week_start - timedelta(weeks=1)
    return datetime.combine(monday, time(0), tzinfo=zone(figures.timezone))


@dataclass(frozen=True, slots=True)
class _Recipient:
    person_id: int
    locale: str
    key: str
    programs: tuple[int, ...]
    coordinated: tuple[int, ...]


# --- the service ----------------------------------------------------------------------------------


class DigestService(Service):
    """Builds digests and plans the weekly ones through the outbox."""

    @cached_property
    def figures(self) -> FigureService:
        """The programs' figures (one place computes them)."""
        return FigureService(self.session, self.clock, self.audit, self.outbox, self.policy)

    async def build(
        self, actor: Actor, program_ids: Sequence[int] | None = None
    ) -> Digest | Refusal:
        """The digest of the programs the actor may see: a curator's programs, every active
        program of a coordinator's organisations (with a header each); `program_ids` narrows it
        to those programs, each of which must be the actor's to see. Non-staff are refused."""
        scope = await self._scope(actor, program_ids)
        if isinstance(scope, Refusal):
            return scope
        ids, coordinated = scope
        figures = await self.figures.programs(actor, ids)
        if isinstance(figures, Refusal):
            return figures
        sections = await self._sections(figures)
        programs = tuple(sections[program_id] for program_id in ids)
        names = await self._organization_names(coordinated)
        return Digest(self.clock.now(), _headers(names, coordinated, programs), programs)

    async def _scope(
        self, actor: Actor, program_ids: Sequence[int] | None
    ) -> tuple[list[int], list[int]] | Refusal:
        """The programs of the digest, by organisation then name, and the organisations that
        get a header."""
        if isinstance(actor, System):
            curated: set[int] = set()
            coordinated: list[int] = []
        else:
            access = Access(self.session)
            curated = set(await access.curated(actor))
            coordinated = await access.coordinated(actor)
            if not curated and not coordinated:
                return Refusal.NOT_ALLOWED
        query = select(Program.id, Program.organization_id).order_by(
            Program.organization_id, Program.name, Program.id
        )
        if program_ids is None:
            query = query.where(Program.status == ProgramStatus.ACTIVE, Program.is_demo.is_(False))
            if not isinstance(actor, System):
                query = query.where(
                    or_(Program.id.in_(curated), Program.organization_id.in_(coordinated))
                )
            rows = (await self.session.execute(query)).all()
            return [row.id for row in rows], coordinated
        wanted = list(dict.fromkeys(program_ids))
        rows = (await self.session.execute(query.where(Program.id.in_(wanted)))).all()
        if len(rows) < len(wanted):
            return Refusal.NOT_FOUND
        if not isinstance(actor, System) and any(
            row.id not in curated and row.organization_id not in coordinated for row in rows
        ):
            return Refusal.NOT_ALLOWED
        return [row.id for row in rows], []

    async def _organization_names(self, organization_ids: Iterable[int]) -> dict[int, str]:
        ids = sorted(set(organization_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(ids))
        )
        return dict(rows.all())

    # --- the programs' parts ---------------------------------------------------------------------

    async def _sections(self, figures: Sequence[ProgramFigures]) -> dict[int, ProgramDigest]:
        """Flags and recent activity of the programs, by program id."""
        if not figures:
            return {}
        ids = [f.program_id for f in figures]
        flags = await self._flags(ids)
        names = dict(
            (
                await self.session.execute(
                    select(Program.id, Organization.name)
                    .join(Organization, Organization.id == Program.organization_id)
                    .where(Program.id.in_(ids))
                )
            ).all()
        )
        # The previous week begins at different moments in different zones.
        by_since: dict[datetime, list[int]] = defaultdict(list)
        for f in figures:
            by_since[_since(f)].append(f.program_id)
        new: dict[int, int] = {}
        done: dict[int, int] = defaultdict(int)
        nudges: dict[int, int] = {}
        for since, group in by_since.items():
            came, acted = await self._activity(group, since)
            new.update(came)
            for program_id, count in acted.items():
                done[program_id] += count
            nudges.update(await self._nudges(group, since))
        sections = {}
        for f in figures:
            meetings = sum(point.planned for point in f.weeks[-2:])
            sections[f.program_id] = ProgramDigest(
                figures=f,
                organization=names.get(f.program_id, ""),
                flags=tuple(
                    Flag(kind, items)
                    for kind in FlagKind
                    if (items := flags[kind].get(f.program_id, ()))
                ),
                new_participants=new.get(f.program_id, 0),
                nudges=nudges.get(f.program_id, 0),
                activity=done[f.program_id] + meetings,
            )
        return sections

    async def _activity(
        self, ids: Sequence[int], since: datetime
    ) -> tuple[dict[int, int], dict[int, int]]:
        """Per program, participants who came since `since`, and everything done since then
        (those participants, questionnaires finished, pairs approved, feedback given)."""

        def total(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        people = (
            await self.session.execute(
                select(
                    Participant.program_id,
                    total(Participant.created_at >= since).label("came"),
                    total(Participant.questionnaire_done_at >= since).label("finished"),
                )
                .where(Participant.program_id.in_(ids))
                .group_by(Participant.program_id)
            )
        ).all()
        pairs = (
            await self.session.execute(
                select(Pair.program_id, func.count().label("approved"))
                .where(Pair.program_id.in_(ids), Pair.approved_at >= since)
                .group_by(Pair.program_id)
            )
        ).all()
        answered = or_(
            and_(Feedback.kind == FeedbackKind.MEETING, Feedback.created_at >= since),
            and_(Feedback.kind.in_(SURVEY_KINDS), Feedback.completed_at >= since),
        )
        feedback = (
            await self.session.execute(
                select(Participant.program_id, func.count().label("answers"))
                .select_from(Feedback)
                .join(Participant, Participant.id == Feedback.participant_id)
                .where(Participant.program_id.in_(ids), answered)
                .group_by(Participant.program_id)
            )
        ).all()
        came = {row.program_id: int(row.came) for row in people}
        done: dict[int, int] = defaultdict(int)
        for row in people:
            done[row.program_id] += int(row.came) + int(row.finished)
        for row in pairs:
            done[row.program_id] += int(row.approved)
        for row in feedback:
            done[row.program_id] += int(row.answers)
        return came, done

    async def _nudges(self, ids: Sequence[int], since: datetime) -> dict[int, int]:
        """Per program, the nudges the bot sent its pairs since `since` (audit rows)."""
        rows = await self.session.execute(
            select(Pair.program_id, func.count().label("nudges"))
            .join(
                AuditLog,
                and_(AuditLog.entity == "pairs", AuditLog.entity_id == cast(Pair.id, String)),
            )
            .where(Pair.program_id.in_(ids), AuditLog.action == ACTION_NUDGED, AuditLog.at >= since)
            .group_by(Pair.program_id)
        )
        return {row.program_id: int(row.nudges) for row in rows.all()}

    # --- the flags -------------------------------------------------------------------------------

    async def _flags(self, ids: Sequence[int]) -> dict[FlagKind, dict[int, tuple[Flagged, ...]]]:
        """Every flag of the programs: kind -> program id -> flagged, by name."""
        now = self.clock.now()
        found: dict[FlagKind, dict[int, list[Flagged]]] = {
            kind: defaultdict(list) for kind in FlagKind
        }
        for program_id, mentor_id, load, capacity in await self._overloaded(ids):
            found[FlagKind.OVERLOADED][program_id].append(
                Flagged(mentor_id, None, ParticipantRole.MENTOR, load, capacity)
            )
        for program_id, mentor_id, recent, earlier in await self._falling(ids, now):
            found[FlagKind.FALLING][program_id].append(
                Flagged(mentor_id, None, ParticipantRole.MENTOR, recent, earlier)
            )
        for program_id, participant_id, count in await self._unanswered(ids, now):
            found[FlagKind.UNANSWERED][program_id].append(
                Flagged(participant_id, None, ParticipantRole.MENTEE, count)
            )
        for kind, rows in (
            (FlagKind.UNREACHABLE, await self._unreachable(ids)),
            (FlagKind.UNMATCHED, await self._unmatched(ids)),
        ):
            for program_id, participant_id in rows:
                found[kind][program_id].append(
                    Flagged(participant_id, None, ParticipantRole.MENTEE)
                )
        quiet = await self._quiet(ids, now)
        people = await self._people(
            [
                item.id
                for kind in FlagKind
                if kind is not FlagKind.QUIET
                for items in found[kind].values()
                for item in items
            ]
        )
        members = await self._members([pair_id for _, pair_id, _, _ in quiet])
        for program_id, pair_id, days, never in quiet:
            mentor, mentees = members.get(pair_id, (None, ()))
            found[FlagKind.QUIET][program_id].append(
                Flagged(
                    pair_id,
                    mentor,
                    ParticipantRole.MENTOR,
                    days,
                    mentees=mentees,
                    first_meeting=never,
                )
            )
        result: dict[FlagKind, dict[int, tuple[Flagged, ...]]] = {}
        for kind, by_program in found.items():
            result[kind] = {}
            for program_id, items in by_program.items():
                named = [
                    item
                    if kind is FlagKind.QUIET
                    else _named(item, *people.get(item.id, (None, item.role)))
                    for item in items
                ]
                named.sort(key=lambda item: (item.name is None, item.name or "", item.id))
                result[kind][program_id] = tuple(named)
        return result

    async def _overloaded(self, ids: Sequence[int]) -> list[tuple[int, int, int, int]]:
        """(program, mentor participant, mentees in active pairs, capacity) of overloaded
        mentors."""
        rows = await self.session.execute(
            select(
                Pair.program_id,
                Pair.mentor_participant_id,
                Participant.capacity,
                func.count(PairMember.id).label("load"),
            )
            .join(PairMember, PairMember.pair_id == Pair.id)
            .join(Participant, Participant.id == Pair.mentor_participant_id)
            .where(
                Pair.program_id.in_(ids),
                Pair.status == PairStatus.ACTIVE,
                PairMember.role == ParticipantRole.MENTEE,
                Participant.status.not_in(GONE_STATUSES),
            )
            .group_by(Pair.program_id, Pair.mentor_participant_id, Participant.capacity)
        )
        found = []
        for row in rows.all():
            limit = OVERLOAD_DEFAULT if row.capacity is None else int(row.capacity)
            if int(row.load) > limit:
                found.append((row.program_id, row.mentor_participant_id, int(row.load), limit))
        return found

    async def _quiet(self, ids: Sequence[int], now: datetime) -> list[tuple[int, int, int, bool]]:
        """(program, pair, days quiet, never met) of active pairs without a meeting held for
        too long."""
        last_held = func.max(case((Meeting.status == MeetingStatus.HELD, Meeting.starts_at)))
        rows = await self.session.execute(
            select(
                Pair.program_id,
                Pair.id,
                Pair.approved_at,
                Pair.created_at,
                last_held.label("last_held"),
            )
            .outerjoin(Meeting, Meeting.pair_id == Pair.id)
            .where(Pair.program_id.in_(ids), Pair.status == PairStatus.ACTIVE)
            .group_by(Pair.program_id, Pair.id, Pair.approved_at, Pair.created_at)
        )
        found = []
        for row in rows.all():
            held = _aware(row.last_held)
            if held is not None:
                if now - held >= QUIET_AFTER:
                    found.append((row.program_id, row.id, (now - held).days, False))
                continue
            start = row.approved_at or row.created_at
            if now - start >= FIRST_MEETING_AFTER:
                found.append((row.program_id, row.id, (now - start).days, True))
        return found

    async def _falling(
        self, ids: Sequence[int], now: datetime
    ) -> list[tuple[int, int, float, float]]:
        """(program, mentor participant, recent mean, earlier mean) of mentors whose mentees'
        ratings fell."""
        split = now - FALLING_WINDOW
        recent = Meeting.starts_at >= split
        rows = await self.session.execute(
            select(
                Pair.program_id,
                Pair.mentor_participant_id,
                func.sum(case((recent, Feedback.rating))).label("recent_sum"),
                func.count(case((recent, Feedback.rating))).label("recent_n"),
                func.sum(case((~recent, Feedback.rating))).label("earlier_sum"),
                func.count(case((~recent, Feedback.rating))).label("earlier_n"),
            )
            .select_from(Feedback)
            .join(Meeting, Meeting.id == Feedback.meeting_id)
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(
                Pair.program_id.in_(ids),
                Feedback.kind == FeedbackKind.MEETING,
                Feedback.rating.is_not(None),
                Feedback.participant_id != Pair.mentor_participant_id,
                Meeting.starts_at >= split - FALLING_WINDOW,
                Meeting.starts_at < now,
            )
            .group_by(Pair.program_id, Pair.mentor_participant_id)
        )
        found = []
        for row in rows.all():
            if not row.recent_n or not row.earlier_n:
                continue
            mean_recent = float(row.recent_sum) / int(row.recent_n)
            mean_earlier = float(row.earlier_sum) / int(row.earlier_n)
            if mean_earlier - mean_recent >= FALLING_BY:
                found.append((row.program_id, row.mentor_participant_id, mean_recent, mean_earlier))
        return found

    async def _unanswered(self, ids: Sequence[int], now: datetime) -> list[tuple[int, int, int]]:
        """(program, participant, surveys) of participants with surveys long unanswered."""
        later = aliased(Feedback)
        superseded = exists().where(
            later.participant_id == Feedback.participant_id,
            later.kind == Feedback.kind,
            later.round > Feedback.round,
        )
        rows = await self.session.execute(
            select(Participant.program_id, Participant.id, func.count().label("surveys"))
            .select_from(Feedback)
            .join(Participant, Participant.id == Feedback.participant_id)
            .where(
                Participant.program_id.in_(ids),
                Participant.status.not_in(GONE_STATUSES),
                Feedback.kind.in_(SURVEY_KINDS),
                Feedback.completed_at.is_(None),
                Feedback.created_at <= now - UNANSWERED_AFTER,
                ~superseded,
            )
            .group_by(Participant.program_id, Participant.id)
        )
        return [(row.program_id, row.id, int(row.surveys)) for row in rows.all()]

    async def _unreachable(self, ids: Sequence[int]) -> list[tuple[int, int]]:
        """(program, participant) of participants no messenger reaches."""
        reachable = exists().where(
            MessengerAccount.person_id == Participant.person_id,
            MessengerAccount.reachable.is_(True),
        )
        rows = await self.session.execute(
            select(Participant.program_id, Participant.id).where(
                Participant.program_id.in_(ids),
                Participant.status.not_in(GONE_STATUSES),
                ~reachable,
            )
        )
        return [(row.program_id, row.id) for row in rows.all()]

    async def _unmatched(self, ids: Sequence[int]) -> list[tuple[int, int]]:
        """(program, participant) of ready mentees in no active pair, once pairs are formed."""
        paired = (
            exists()
            .where(PairMember.participant_id == Participant.id)
            .where(Pair.id == PairMember.pair_id, Pair.status == PairStatus.ACTIVE)
        )
        rows = await self.session.execute(
            select(Participant.program_id, Participant.id)
            .join(Program, Program.id == Participant.program_id)
            .where(
                Participant.program_id.in_(ids),
                Program.stage >= int(UNMATCHED_FROM_STAGE),
                Participant.role == ParticipantRole.MENTEE,
                Participant.status == ParticipantStatus.READY,
                ~paired,
            )
        )
        return [(row.program_id, row.id) for row in rows.all()]

    async def _people(
        self, participant_ids: Sequence[int]
    ) -> dict[int, tuple[str | None, ParticipantRole]]:
        """Names and roles of participants."""
        if not participant_ids:
            return {}
        rows = await self.session.execute(
            select(Participant.id, Person.full_name, Participant.role)
            .join(Person, Person.id == Participant.person_id)
            .where(Participant.id.in_(set(participant_ids)))
        )
        return {row.id: (row.full_name, row.role) for row in rows.all()}

    async def _members(
        self, pair_ids: Sequence[int]
    ) -> dict[int, tuple[str | None, tuple[str | None, ...]]]:
        """Each pair's mentor's name and its mentees' names."""
        if not pair_ids:
            return {}
        rows = await self.session.execute(
            select(PairMember.pair_id, PairMember.role, Person.full_name)
            .join(Participant, Participant.id == PairMember.participant_id)
            .join(Person, Person.id == Participant.person_id)
            .where(PairMember.pair_id.in_(pair_ids))
            .order_by(PairMember.pair_id, PairMember.id)
        )
        mentors: dict[int, str | None] = {}
        mentees: dict[int, list[str | None]] = defaultdict(list)
        for row in rows.all():
            if row.role == ParticipantRole.MENTOR:
                mentors[row.pair_id] = row.full_name
            else:
                mentees[row.pair_id].append(row.full_name)
        return {
            pair_id: (mentors.get(pair_id), tuple(mentees[pair_id])) for pair_id in set(pair_ids)
        }

    # --- the weekly job --------------------------------------------------------------------------

    async def plan_due(self) -> int:
        """Plan the weekly digest of every curator of an active program and every coordinator
        whose organisation's local time has passed this week's digest day and hour, once per
        ISO week; returns how many people's digests were planned.

        A person's schedule and week follow their own organisation, if it is one of theirs,
        else the first of them. Each program not quiet is one notification with its chart and
        a button per flag; a coordinator's come after a header per organisation; a person with
        nothing to report gets one `digest-empty`.
        """
        recipients = await self._due()
        if not recipients:
            return 0
        wanted = {program_id for r in recipients for program_id in r.programs}
        figures = await self.figures.programs(SYSTEM, sorted(wanted))
        if isinstance(figures, Refusal):  # a program deleted meanwhile: the next run plans
            return 0
        sections = await self._sections(figures)
        names = await self._organization_names(o for r in recipients for o in r.coordinated)
        now = self.clock.now()
        planned = []
        for recipient in recipients:
            programs = tuple(
                sorted(
                    (sections[program_id] for program_id in recipient.programs),
                    key=lambda p: (p.figures.organization_id, p.figures.program, p.program_id),
                )
            )
            headers = _headers(names, recipient.coordinated, programs)
            planned.append((recipient, Digest(now, headers, programs)))
        # Drawn before the first insert, so no write lock is held while matplotlib works, and
        # one at a time with the event loop let through in between (about 0.1 s each).
        charts: dict[tuple[int, str], bytes] = {}
        for recipient, digest in planned:
            for section in () if digest.empty else digest.programs:
                key = (section.program_id, recipient.locale)
                if section.quiet or key in charts:
                    continue
                charts[key] = render_chart(
                    section.figures.weeks, labels=self._labels(recipient.locale)
                )
                await asyncio.sleep(0)
        for recipient, digest in planned:
            await self._plan(recipient, digest, charts)
        return len(recipients)

    async def _due(self) -> list[_Recipient]:
        """The people whose digest of this week is due and not planned yet."""
        curated = (
            await self.session.execute(
                select(ProgramCurator.person_id, Program.id, Program.organization_id)
                .join(Program, Program.id == ProgramCurator.program_id)
                .where(Program.status == ProgramStatus.ACTIVE, Program.is_demo.is_(False))
            )
        ).all()
        coordinating = (
            await self.session.execute(
                select(StaffMember.person_id, StaffMember.organization_id).where(
                    StaffMember.role == StaffRole.COORDINATOR
                )
            )
        ).all()
        organizations: dict[int, set[int]] = defaultdict(set)
        programs: dict[int, set[int]] = defaultdict(set)
        coordinated: dict[int, set[int]] = defaultdict(set)
        for person_id, program_id, organization_id in curated:
            organizations[person_id].add(organization_id)
            programs[person_id].add(program_id)
        for person_id, organization_id in coordinating:
            organizations[person_id].add(organization_id)
            coordinated[person_id].add(organization_id)
        if not organizations:
            return []
        people = {
            row.id: row
            for row in (
                await self.session.execute(
                    select(Person.id, Person.organization_id, Person.locale).where(
                        Person.id.in_(list(organizations))
                    )
                )
            ).all()
        }
        schedule = {
            row.id: row
            for row in (
                await self.session.execute(
                    select(
                        Organization.id,
                        Organization.timezone,
                        Organization.digest_weekday,
                        Organization.digest_hour,
                    ).where(Organization.id.in_({o for os in organizations.values() for o in os}))
                )
            ).all()
        }
        now = self.clock.now()
        due: dict[int, str] = {}
        for person_id, theirs in organizations.items():
            person = people.get(person_id)
            if person is None:
                continue
            home = person.organization_id if person.organization_id in theirs else min(theirs)
            org = schedule[home]
            if _due_moment(now, org.timezone, org.digest_weekday, org.digest_hour) <= now:
                due[person_id] = week_key(person_id, now, org.timezone)
        if not due:
            return []
        planned = set(
            await self.session.scalars(
                select(Notification.key).where(Notification.key.in_(list(due.values())))
            )
        )
        coordinated_programs = await self._active_programs(
            {o for person_id in due for o in coordinated[person_id]}
        )
        recipients = []
        for person_id, key in sorted(due.items()):
            if key in planned:
                continue
            theirs = programs[person_id] | {
                program_id
                for organization_id in coordinated[person_id]
                for program_id in coordinated_programs.get(organization_id, ())
            }
            recipients.append(
                _Recipient(
                    person_id=person_id,
                    locale=people[person_id].locale,
                    key=key,
                    programs=tuple(sorted(theirs)),
                    coordinated=tuple(sorted(coordinated[person_id])),
                )
            )
        return recipients

    async def _active_programs(self, organization_ids: set[int]) -> dict[int, list[int]]:
        """The active programs of organisations, by name."""
        if not organization_ids:
            return {}
        rows = await self.session.execute(
            select(Program.organization_id, Program.id)
            .where(
                Program.organization_id.in_(organization_ids),
                Program.status == ProgramStatus.ACTIVE,
                Program.is_demo.is_(False),
            )
            .order_by(Program.organization_id, Program.name, Program.id)
        )
        found: dict[int, list[int]] = defaultdict(list)
        for organization_id, program_id in rows.all():
            found[organization_id].append(program_id)
        return found

    async def _plan(
        self, recipient: _Recipient, digest: Digest, charts: Mapping[tuple[int, str], bytes]
    ) -> None:
        """The notifications of one person's digest; the first takes the week's key."""
        keys = iter(range(1, 1000))
        first = True

        async def plan(text_id: str, args: Mapping[str, Any], **extra: Any) -> None:
            nonlocal first
            key = recipient.key if first else f"{recipient.key}:{next(keys)}"
            first = False
            await self.outbox.plan(
                key=key,
                kind=NotificationKind.DIGEST,
                recipient_id=recipient.person_id,
                text_id=text_id,
                args=args,
                **extra,
            )

        if digest.empty:
            await plan("digest-empty", {"programs": len(digest.programs) or "none"})
            return
        for header in digest.organizations:
            await plan("digest-organization", header.args())
        for section in digest.programs:
            if section.quiet:
                continue
            chart = charts[(section.program_id, recipient.locale)]
            await plan(
                "digest-program",
                section.args(),
                file=Attachment(AttachmentKind.IMAGE, CHART_FILE, chart, PNG_MIME),
                links=[
                    (f"digest-button-{flag.kind.value}", flag_link(section.program_id, flag.kind))
                    for flag in section.flags
                ],
            )

    def _labels(self, locale: str) -> ChartLabels:
        texts = _translator(self.policy.locales_dir)
        return ChartLabels.of(lambda text_id: texts(locale, text_id))


def _headers(
    names: Mapping[int, str], organization_ids: Sequence[int], programs: Sequence[ProgramDigest]
) -> tuple[OrganizationSummary, ...]:
    """A header per organisation: its programs in the digest summed up."""
    headers = []
    for organization_id in sorted(organization_ids):
        own = [p for p in programs if p.figures.organization_id == organization_id]
        lasts = [w for p in own if (w := p.figures.last_week) is not None]
        headers.append(
            OrganizationSummary(
                organization_id=organization_id,
                name=names.get(organization_id, ""),
                programs=len(own),
                quiet_programs=sum(p.quiet for p in own),
                joined=sum(p.figures.joined for p in own),
                pairs_active=sum(p.figures.pairs_active for p in own),
                held_last_week=sum(w.held for w in lasts),
                planned_last_week=sum(w.planned for w in lasts),
                flagged=sum(p.flagged for p in own),
            )
        )
    return tuple(headers)


def _named(item: Flagged, name: str | None, role: ParticipantRole) -> Flagged:
    return Flagged(item.id, name, role, item.value, item.bound)


def _aware(moment: datetime | None) -> datetime | None:
    """A moment an aggregate returned: SQLite gives text or a naive UTC value."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _due_moment(now: datetime, zone_name: str, weekday: int, hour: int) -> datetime:
    """This week's digest moment in the zone (weekday 1 = Monday ... 7, hour 0..23)."""
    today = local(now, zone_name).date()
    monday = today - timedelta(days=today.weekday())
    day = monday + timedelta(days=min(max(weekday, 1), 7) - 1)
    return datetime.combine(day, time(min(max(hour, 0), 23)), tzinfo=zone(zone_name))


__all__ = [
    "FALLING_BY",
    "FALLING_WINDOW",
    "FIRST_MEETING_AFTER",
    "OVERLOAD_DEFAULT",
    "QUIET_AFTER",
    "UNANSWERED_AFTER",
    "UNMATCHED_FROM_STAGE",
    "Digest",
    "DigestService",
    "Flag",
    "FlagKind",
    "Flagged",
    "OrganizationSummary",
    "ProgramDigest",
    "flag_link",
    "week_key",
]
