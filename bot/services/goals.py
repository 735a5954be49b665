"""Goals of a pair and the roadmap steps (IOM) of a teacher mentee, with their progress (stage 6).

At the planning meeting the pair records its goals; later meetings (or the members between
meetings) update their progress, and every update is kept in `goal_progress`. In a program of the
teacher-teacher form a goal is a step of the mentee's individual educational route (IOM): it may
name the deficit area it works on, the concrete product it ends with and a due date.

Who sees what: the members of a pair that is or was at work (active, finished or dissolved) see
its goals; only an active pair's goals change. In a group a goal may be one mentee's: the mentor
and that mentee see it, the other mentees do not (a route is personal). Dropped goals are listed
last, so a corrected roadmap still shows what was given up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from bot.services import calendar
from bot.services.base import Service
from bot.services.outbox import NotificationKind
from storage import (
    Goal,
    GoalProgress,
    GoalStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MentorshipForm,
    Organization,
    Pair,
    PairKind,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    Person,
    Program,
)

# The deficit areas of the IOM diagnosis (subject, methods, psychology, ICT, upbringing work,
# health); the texts name them `goals-area-name` by these keys.
AREAS = ("subject", "methods", "psychology", "ict", "upbringing", "health")
TITLE_MAX, PRODUCT_MAX, TEXT_MAX = 200, 500, 2000
PERCENT = 100  # progress is a percentage
OPEN_MAX = 10  # open goals per pair: more than this is a wish list, not a plan
DUE_HORIZON = timedelta(days=3 * 366)  # a due date further ahead is a typo
# Pairs whose members still see their goals; only an active pair's goals change.
SEEN = (PairStatus.ACTIVE, PairStatus.FINISHED, PairStatus.DISSOLVED)
# The meetings a goal or an update may be recorded at: those that take or took place.
AT_MEETING = (MeetingStatus.CONFIRMED, MeetingStatus.HELD)

ACTION_ADDED = "goals.added"
ACTION_UPDATED = "goals.updated"


class GoalError(StrEnum):
    """Why a goal call changed nothing (the dialogs show `goals-error-<value>`)."""

    NOT_FOUND = "not_found"  # no such pair or goal, or the person may not see it
    ENDED = "ended"  # the pair's work has ended: its goals are kept as they are
    INVALID = "invalid"  # title, text, area, progress or mentee out of bounds
    FULL = "full"  # the pair already has OPEN_MAX open goals
    DUE_DATE = "due_date"  # the due date is in the past, or years ahead
    MEETING = "meeting"  # not a meeting of this pair that takes or took place
    CLOSED = "closed"  # the goal is done or dropped (a second tap): reopen it first
    UNCHANGED = "unchanged"  # the same progress and status again, with no note


@dataclass(frozen=True, slots=True)
class GoalView:
    """A goal as a member of its pair sees it; times are aware UTC."""

    id: int
    pair_id: int
    title: str
    description: str | None
    progress: int
    status: GoalStatus
    area: str | None
    product: str | None
    due_on: date | None
    mentee: str | None  # the mentee's name when the goal is one mentee's
    mentee_participant_id: int | None
    meeting_id: int | None  # where it was recorded
    last_note: str | None  # the newest note of an update
    last_note_at: datetime | None
    updated_at: datetime
    overdue: bool  # open, and its due date has passed
    editable: bool  # the pair is active


@dataclass(frozen=True, slots=True)
class GoalBoard:
    """A pair's goals with what the dialogs need around them."""

    pair_id: int
    program: str
    roadmap: bool  # the mentee is a teacher: goals are the IOM's roadmap steps
    active: bool
    group: bool
    my_role: ParticipantRole
    mentees: tuple[tuple[int, str], ...]  # (participant id, name), for a mentor's choice
    goals: tuple[GoalView, ...]
    open_count: int  # of all the pair's goals, including those the reader does not see
    meeting_kind: MeetingKind | None  # of the meeting asked about, if it is this pair's


@dataclass(frozen=True, slots=True)
class GoalUpdate:
    """One entry of a goal's history."""

    at: datetime
    progress: int
    status: GoalStatus
    note: str | None
    who: str | None
    meeting_kind: MeetingKind | None


@dataclass(frozen=True, slots=True)
class GoalsSummary:
    """A pair's goals in figures, for its summary; `mean_progress` of the goals not dropped."""

    open: int
    done: int
    dropped: int
    mean_progress: int | None
    items: tuple[tuple[str, int, GoalStatus], ...]  # (title, progress, status) by position


@dataclass(frozen=True, slots=True)
class _Place:
    """Where the person stands: the pair, their participant in it, the program."""

    pair: Pair
    me: Participant
    program: Program

    @property
    def roadmap(self) -> bool:
        return self.program.form is MentorshipForm.TEACHER_TEACHER

    @property
    def active(self) -> bool:
        return self.pair.status is PairStatus.ACTIVE

    def sees(self, goal: Goal) -> bool:
        return (
            self.me.role is ParticipantRole.MENTOR
            or goal.participant_id is None
            or goal.participant_id == self.me.id
        )


class GoalService(Service):
    """Goals recorded by a pair's members and their progress."""

    # --- reading ---------------------------------------------------------------------------------

    async def roadmap(self, pair_id: int) -> bool:
        """Whether the pair's goals are roadmap steps (a teacher-teacher program)."""
        form = await self.session.scalar(
            select(Program.form).join(Pair, Pair.program_id == Program.id).where(Pair.id == pair_id)
        )
        return form is MentorshipForm.TEACHER_TEACHER

    async def board(
        self, person_id: int, pair_id: int, meeting_id: int | None = None
    ) -> GoalBoard | GoalError:
        """The pair's goals the person sees, with the pair's mode; `meeting_kind` tells whether
        `meeting_id` is a meeting updates may be recorded at."""
        place = await self._place(person_id, pair_id)
        if place is None:
            return GoalError.NOT_FOUND
        members = await self._members(pair_id)
        rows = await self._goals(pair_id)
        views = await self._views(place, [g for g in rows if place.sees(g)], members)
        meeting = await self._meeting(pair_id, meeting_id) if meeting_id is not None else None
        return GoalBoard(
            pair_id=pair_id,
            program=place.program.name,
            roadmap=place.roadmap,
            active=place.active,
            group=place.pair.kind is PairKind.GROUP,
            my_role=place.me.role,
            mentees=tuple(
                (participant.id, person.full_name or "—")
                for participant, person in members
                if participant.role is ParticipantRole.MENTEE
            ),
            goals=tuple(views),
            open_count=sum(1 for g in rows if g.status is GoalStatus.OPEN),
            meeting_kind=meeting.kind if meeting is not None else None,
        )

    async def goals(self, person_id: int, pair_id: int) -> list[GoalView] | GoalError:
        """The pair's goals the person sees: by position, the dropped ones last."""
        board = await self.board(person_id, pair_id)
        return board if isinstance(board, GoalError) else list(board.goals)

    async def goal(self, person_id: int, goal_id: int) -> GoalView | GoalError:
        """One goal, if the person sees it."""
        found = await self._mine(person_id, goal_id)
        if isinstance(found, GoalError):
            return found
        goal, place = found
        (view,) = await self._views(place, [goal], await self._members(goal.pair_id))
        return view

    async def history(
        self, person_id: int, goal_id: int, limit: int = 5
    ) -> list[GoalUpdate] | GoalError:
        """The goal's latest updates, newest first (its creation included)."""
        found = await self._mine(person_id, goal_id)
        if isinstance(found, GoalError):
            return found
        rows = await self.session.execute(
            select(GoalProgress, Person.full_name, Meeting.kind)
            .outerjoin(Participant, Participant.id == GoalProgress.participant_id)
            .outerjoin(Person, Person.id == Participant.person_id)
            .outerjoin(Meeting, Meeting.id == GoalProgress.meeting_id)
            .where(GoalProgress.goal_id == goal_id)
            .order_by(GoalProgress.created_at.desc(), GoalProgress.id.desc())
            .limit(limit)
        )
        return [
            GoalUpdate(row.created_at, row.progress, row.status, row.note, name, kind)
            for row, name, kind in rows.all()
        ]

    async def summary_of(
        self, pair_id: int, *, mentee_participant_id: int | None = None
    ) -> GoalsSummary:
        """The pair's goals in figures, with no access check (the caller has made one). With
        `mentee_participant_id`, only the goals that mentee sees (the shared ones and theirs)."""
        query = (
            select(Goal.title, Goal.progress, Goal.status)
            .where(Goal.pair_id == pair_id)
            .order_by(Goal.position, Goal.id)
        )
        if mentee_participant_id is not None:
            query = query.where(
                (Goal.participant_id.is_(None)) | (Goal.participant_id == mentee_participant_id)
            )
        items = tuple(
            (title, progress, status)
            for title, progress, status in (await self.session.execute(query)).all()
        )
        kept = [progress for _, progress, status in items if status is not GoalStatus.DROPPED]
        return GoalsSummary(
            open=sum(1 for *_, status in items if status is GoalStatus.OPEN),
            done=sum(1 for *_, status in items if status is GoalStatus.DONE),
            dropped=sum(1 for *_, status in items if status is GoalStatus.DROPPED),
            mean_progress=round(sum(kept) / len(kept)) if kept else None,
            items=items,
        )

    # --- changing --------------------------------------------------------------------------------

    async def add(
        self,
        person_id: int,
        pair_id: int,
        title: str,
        *,
        meeting_id: int | None = None,
        area: str | None = None,
        product: str | None = None,
        due_on: date | None = None,
        description: str | None = None,
        mentee_participant_id: int | None = None,
    ) -> int | GoalError:
        """A new open goal of the pair (a roadmap step when `area`, `product` or `due_on` are
        given); the other members who see it are told. Its id."""
        place = await self._place(person_id, pair_id)
        if place is None:
            return GoalError.NOT_FOUND
        if not place.active:
            return GoalError.ENDED
        title_, product_, description_ = _clean(title), _clean(product), _clean(description)
        if (
            title_ is None
            or len(title_) > TITLE_MAX
            or (product_ is not None and len(product_) > PRODUCT_MAX)
            or (description_ is not None and len(description_) > TEXT_MAX)
            or (area is not None and (area not in AREAS or not place.roadmap))
        ):
            return GoalError.INVALID
        members = await self._members(pair_id)
        mentee = self._mentee_for(place, members, mentee_participant_id)
        if isinstance(mentee, GoalError):
            return mentee
        if due_on is not None and not await self._due_ok(person_id, due_on):
            return GoalError.DUE_DATE
        if meeting_id is not None and await self._meeting(pair_id, meeting_id) is None:
            return GoalError.MEETING
        if await self._open_count(pair_id) >= OPEN_MAX:
            return GoalError.FULL
        last = await self.session.scalar(
            select(func.max(Goal.position)).where(Goal.pair_id == pair_id)
        )
        now = self.clock.now()
        goal = Goal(
            pair_id=pair_id,
            participant_id=mentee,
            title=title_,
            description=description_,
            progress=0,
            status=GoalStatus.OPEN,
            position=(last or 0) + 1,
            area=area,
            product=product_,
            due_on=due_on,
            meeting_id=meeting_id,
            created_at=now,
            updated_at=now,
        )
        self.session.add(goal)
        await self.session.flush()
        self.session.add(
            GoalProgress(
                goal_id=goal.id,
                meeting_id=meeting_id,
                participant_id=place.me.id,
                progress=0,
                status=GoalStatus.OPEN,
                created_at=now,
            )
        )
        await self._tell_others(
            place,
            goal,
            members,
            "goals-added",
            key="added",
            area=area or "none",
            product=product_ or "none",
            due=due_on.strftime("%d.%m.%Y") if due_on else "none",
        )
        actor = await self.session.get_one(Person, person_id)
        self.audit.record(
            actor, ACTION_ADDED, "goals", goal.id, pair=pair_id, meeting=meeting_id, area=area
        )
        await self.session.flush()
        return goal.id

    async def update(
        self,
        person_id: int,
        goal_id: int,
        *,
        progress: int | None = None,
        status: GoalStatus | None = None,
        note: str | None = None,
        meeting_id: int | None = None,
    ) -> GoalError | None:
        """Record progress (0-100), a status or a note; each call adds a history entry.

        DONE sets the progress to 100, and 100 % on an open goal marks it done. A done or dropped
        goal takes only a note, or status OPEN to reopen it (within the open goals' limit).
        """
        found = await self._mine(person_id, goal_id)
        if isinstance(found, GoalError):
            return found
        goal, place = found
        if not place.active:
            return GoalError.ENDED
        note_ = _clean(note)
        if (note_ is not None and len(note_) > TEXT_MAX) or (
            progress is not None and not 0 <= progress <= PERCENT
        ):
            return GoalError.INVALID
        if meeting_id is not None and await self._meeting(goal.pair_id, meeting_id) is None:
            return GoalError.MEETING
        closed = goal.status is not GoalStatus.OPEN
        if closed and (
            status in (GoalStatus.DONE, GoalStatus.DROPPED)
            or (status is None and progress is not None)
        ):
            return GoalError.CLOSED
        if (
            closed
            and status is GoalStatus.OPEN
            and await self._open_count(goal.pair_id) >= OPEN_MAX
        ):
            return GoalError.FULL
        new_status = status or goal.status
        new_progress = goal.progress if progress is None else progress
        if new_status is GoalStatus.DONE:
            new_progress = PERCENT
        elif status is None and new_progress == PERCENT:
            new_status = GoalStatus.DONE
        if (new_progress, new_status) == (goal.progress, goal.status) and note_ is None:
            return GoalError.UNCHANGED
        now = self.clock.now()
        changed_status = new_status is not goal.status
        goal.progress, goal.status, goal.updated_at = new_progress, new_status, now
        # Set even when equal to the stored value, else the column's wall-clock `onupdate` wins.
        flag_modified(goal, "updated_at")
        self.session.add(
            GoalProgress(
                goal_id=goal.id,
                meeting_id=meeting_id,
                participant_id=place.me.id,
                progress=new_progress,
                status=new_status,
                note=note_,
                created_at=now,
            )
        )
        if changed_status and new_status is not GoalStatus.OPEN:
            await self._tell_others(
                place,
                goal,
                await self._members(goal.pair_id),
                "goals-closed",
                key=new_status.value,
                status=new_status.value,
            )
        actor = await self.session.get_one(Person, person_id)
        self.audit.record(
            actor,
            ACTION_UPDATED,
            "goals",
            goal.id,
            pair=goal.pair_id,
            meeting=meeting_id,
            progress=new_progress,
            status=new_status.value,
            note=note_ is not None,
        )
        await self.session.flush()
        return None

    # --- internals -------------------------------------------------------------------------------

    async def _place(self, person_id: int, pair_id: int) -> _Place | None:
        """The person's place in the pair, if they are in it and it is or was at work."""
        row = (
            await self.session.execute(
                select(Pair, Participant, Program)
                .join(PairMember, PairMember.pair_id == Pair.id)
                .join(Participant, Participant.id == PairMember.participant_id)
                .join(Program, Program.id == Pair.program_id)
                .where(
                    Pair.id == pair_id,
                    Participant.person_id == person_id,
                    Pair.status.in_(SEEN),
                )
                .order_by(PairMember.id)
                .limit(1)
            )
        ).first()
        return None if row is None else _Place(row[0], row[1], row[2])

    async def _mine(self, person_id: int, goal_id: int) -> tuple[Goal, _Place] | GoalError:
        goal = await self.session.get(Goal, goal_id)
        if goal is None:
            return GoalError.NOT_FOUND
        place = await self._place(person_id, goal.pair_id)
        if place is None or not place.sees(goal):
            return GoalError.NOT_FOUND
        return goal, place

    async def _members(self, pair_id: int) -> list[tuple[Participant, Person]]:
        rows = await self.session.execute(
            select(Participant, Person)
            .join(PairMember, PairMember.participant_id == Participant.id)
            .join(Person, Person.id == Participant.person_id)
            .where(PairMember.pair_id == pair_id)
            .order_by(PairMember.id)
        )
        return [(participant, person) for participant, person in rows.all()]

    async def _goals(self, pair_id: int) -> list[Goal]:
        rows = await self.session.scalars(
            select(Goal).where(Goal.pair_id == pair_id).order_by(Goal.position, Goal.id)
        )
        return sorted(rows, key=lambda goal: goal.status is GoalStatus.DROPPED)

    async def _open_count(self, pair_id: int) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(Goal)
            .where(Goal.pair_id == pair_id, Goal.status == GoalStatus.OPEN)
        )
        return int(count or 0)

    async def _views(
        self, place: _Place, goals: list[Goal], members: list[tuple[Participant, Person]]
    ) -> list[GoalView]:
        names = {participant.id: person.full_name or "—" for participant, person in members}
        notes: dict[int, tuple[str, datetime]] = {}
        if goals:
            rows = await self.session.execute(
                select(GoalProgress.goal_id, GoalProgress.note, GoalProgress.created_at)
                .where(
                    GoalProgress.goal_id.in_([goal.id for goal in goals]),
                    GoalProgress.note.is_not(None),
                )
                .order_by(GoalProgress.created_at, GoalProgress.id)
            )
            for goal_id, note, at in rows.all():
                if note is not None:
                    notes[goal_id] = (note, at)  # the newest wins
        today = await self._today(place.me.person_id)
        return [
            GoalView(
                id=goal.id,
                pair_id=goal.pair_id,
                title=goal.title,
                description=goal.description,
                progress=goal.progress,
                status=goal.status,
                area=goal.area,
                product=goal.product,
                due_on=goal.due_on,
                mentee=names.get(goal.participant_id) if goal.participant_id else None,
                mentee_participant_id=goal.participant_id,
                meeting_id=goal.meeting_id,
                last_note=notes[goal.id][0] if goal.id in notes else None,
                last_note_at=notes[goal.id][1] if goal.id in notes else None,
                updated_at=goal.updated_at,
                overdue=goal.status is GoalStatus.OPEN
                and goal.due_on is not None
                and goal.due_on < today,
                editable=place.active,
            )
            for goal in goals
        ]

    @staticmethod
    def _mentee_for(
        place: _Place, members: list[tuple[Participant, Person]], wanted: int | None
    ) -> int | GoalError | None:
        """The mentee a new goal is for: None for the whole pair or group. A mentee's own goal
        in a group is theirs; a mentee cannot set a goal for another."""
        me = place.me
        if wanted is not None:
            mentees = {p.id for p, _ in members if p.role is ParticipantRole.MENTEE}
            if wanted not in mentees or (me.role is ParticipantRole.MENTEE and wanted != me.id):
                return GoalError.INVALID
            return wanted
        if me.role is ParticipantRole.MENTEE and place.pair.kind is PairKind.GROUP:
            return me.id
        return None

    async def _meeting(self, pair_id: int, meeting_id: int) -> Meeting | None:
        """The pair's meeting that takes or took place, else None."""
        meeting = await self.session.get(Meeting, meeting_id)
        if meeting is None or meeting.pair_id != pair_id or meeting.status not in AT_MEETING:
            return None
        return meeting

    async def _today(self, person_id: int) -> date:
        """Today in the person's time zone (their own, else their organisation's)."""
        person = await self.session.get_one(Person, person_id)
        zone_name = person.timezone
        if zone_name is None and person.organization_id is not None:
            organization = await self.session.get(Organization, person.organization_id)
            zone_name = organization.timezone if organization is not None else None
        return calendar.local(self.clock.now(), zone_name).date()

    async def _due_ok(self, person_id: int, due_on: date) -> bool:
        today = await self._today(person_id)
        return today <= due_on <= today + DUE_HORIZON

    async def _tell_others(
        self,
        place: _Place,
        goal: Goal,
        members: list[tuple[Participant, Person]],
        text_id: str,
        *,
        key: str,
        **args: Any,
    ) -> None:
        """Tell the members who see the goal, except the actor, with a button to the goals."""
        actor = next((person for p, person in members if p.id == place.me.id), None)
        for participant, person in members:
            if participant.id == place.me.id:
                continue
            if participant.role is ParticipantRole.MENTEE and goal.participant_id not in (
                None,
                participant.id,
            ):
                continue
            await self.outbox.plan(
                key=f"goal:{goal.id}:{key}:{participant.id}",
                kind=NotificationKind.PAIR,
                recipient_id=person.id,
                text_id=text_id,
                args={
                    "who": (actor.full_name if actor else None) or "—",
                    "title": goal.title,
                    "program": place.program.name,
                    "roadmap": "yes" if place.roadmap else "no",
                    **args,
                },
                links=[("goals-button-open", f"g{goal.pair_id}")],
            )


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None
