"""Meetings of a pair or group (stage 6): proposal, answer, counter-proposal, reschedule,
cancellation, reminders, "did it happen?" and feedback.

A meeting is proposed by a member; the others confirm, decline or propose another time (a new
meeting that `replaces` the first). It is confirmed once the mentor and a mentee agree. Then
every member gets the .ics file, reminders before it (24 h and 1 h by default, per program) and,
after its end, "did it happen?" with one nudge a day later. Moving or cancelling a meeting drops
its pending reminders. Times are stored in UTC and shown in each reader's own time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update

from bot.core.messages import Attachment, AttachmentKind
from bot.services import calendar
from bot.services.base import Service, valid_url
from bot.services.outbox import NotificationKind
from storage import (
    ConfirmationResponse,
    Feedback,
    FeedbackKind,
    HappenedAnswer,
    Meeting,
    MeetingConfirmation,
    MeetingKind,
    MeetingStatus,
    Notification,
    NotificationStatus,
    Organization,
    Pair,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    Person,
    Program,
)

DEFAULT_REMINDERS = (24 * 60, 60)  # minutes before a meeting
DURATIONS = (15, 480)  # minutes a meeting may last
HORIZON = timedelta(days=366)  # how far ahead a meeting may be planned
NUDGE_AFTER = timedelta(days=1)  # "did it happen?" asked again once, this long after
PLACE_MAX, TOPIC_MAX, TEXT_MAX = 200, 500, 2000
# Reminders at least this long before the meeting go out as the day-before kind (later lateness).
DAY_REMINDER = 12 * 60

ACTION_PROPOSED = "meetings.proposed"
ACTION_ANSWERED = "meetings.answered"
ACTION_CANCELLED = "meetings.cancelled"
ACTION_HAPPENED = "meetings.happened"
ACTION_FEEDBACK = "meetings.feedback"
ACTION_MISSED_REASON = "meetings.missed-reason"


class MeetingError(StrEnum):
    """Why a meeting call changed nothing (the dialogs show `meeting-error-<value>`)."""

    NOT_FOUND = "not_found"  # no such meeting or pair, or the person is not in it
    DECIDED = "decided"  # answered already, or the meeting moved on (a second tap)
    PAST = "past"  # the time is in the past, or too far ahead
    INVALID = "invalid"  # duration, place, link or text out of bounds
    TOO_EARLY = "too_early"  # "did it happen?" before the meeting ended
    NOT_HELD = "not_held"  # feedback without having said the meeting happened


@dataclass(frozen=True, slots=True)
class MeetingDraft:
    """What proposing a meeting needs; `starts_at` is an aware UTC datetime."""

    kind: MeetingKind
    starts_at: datetime
    duration_minutes: int = 60
    place: str | None = None
    online_url: str | None = None
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class MeetingView:
    """A meeting as one member sees it."""

    id: int
    pair_id: int
    program: str
    kind: MeetingKind
    status: MeetingStatus
    starts_at: datetime  # in the viewer's time zone
    zone: str  # "UTC+3"
    duration_minutes: int
    place: str | None
    online_url: str | None
    topic: str | None
    proposed_by_me: bool
    my_response: ConfirmationResponse
    my_happened: HappenedAnswer | None
    my_reason: str | None  # why it did not happen, in the viewer's words
    others: tuple[tuple[str, ConfirmationResponse], ...]
    my_role: ParticipantRole
    ended: bool
    feedback_given: bool


def when_args(moment: datetime, zone_name: str | None) -> dict[str, Any]:
    """A moment as Fluent arguments in the reader's zone: day, weekday (1 = Monday), time,
    zone."""
    shown = calendar.local(moment, zone_name)
    return {
        "day": shown.strftime("%d.%m.%Y"),
        "weekday": shown.isoweekday(),
        "time": shown.strftime("%H:%M"),
        "zone": calendar.utc_offset(zone_name, moment),
    }


def settled_status(status: MeetingStatus, said: Sequence[HappenedAnswer | None]) -> MeetingStatus:
    """A meeting's status after the members' answers to "did it happen?": held when anyone
    says yes; once everyone answered, moved if anyone says so, else missed if anyone says no;
    unchanged while answers are missing or all are unknown."""
    if HappenedAnswer.YES in said:
        return MeetingStatus.HELD
    if None in said:
        return status
    if HappenedAnswer.MOVED in said:
        return MeetingStatus.RESCHEDULED
    if HappenedAnswer.NO in said:
        return MeetingStatus.MISSED
    return status


class MeetingService(Service):
    """Meetings of the pairs the acting person belongs to."""

    # --- reading ---------------------------------------------------------------------------------

    async def suggest_kind(self, pair_id: int) -> MeetingKind:
        """The next kind of meeting in the sequence intro → trial → planning → regular; final
        once the program is at its last stage or ends within two weeks."""
        held = set(
            await self.session.scalars(
                select(Meeting.kind).where(
                    Meeting.pair_id == pair_id, Meeting.status == MeetingStatus.HELD
                )
            )
        )
        pair = await self.session.get_one(Pair, pair_id)
        program = await self.session.get_one(Program, pair.program_id)
        today = self.clock.now().date()
        ending = program.stage >= 7 or (
            program.ends_on is not None and program.ends_on - today <= timedelta(days=14)
        )
        for kind in (MeetingKind.INTRO, MeetingKind.TRIAL, MeetingKind.PLANNING):
            if kind not in held:
                return kind
        if ending and MeetingKind.FINAL not in held:
            return MeetingKind.FINAL
        return MeetingKind.REGULAR

    async def view(self, person_id: int, meeting_id: int) -> MeetingView | MeetingError:
        """The meeting if the person is in its pair."""
        found = await self._mine(person_id, meeting_id)
        if isinstance(found, MeetingError):
            return found
        meeting, me = found
        person = await self.session.get_one(Person, person_id)
        zone_name = await self.zone_of(person)
        pair = await self.session.get_one(Pair, meeting.pair_id)
        program = await self.session.get_one(Program, pair.program_id)
        mine = await self._confirmation(meeting.id, me.id)
        others = []
        for participant, other in await self._members(meeting.pair_id):
            if participant.id == me.id:
                continue
            answer = await self._confirmation(meeting.id, participant.id)
            others.append(
                (
                    other.full_name or "—",
                    answer.response if answer else ConfirmationResponse.PENDING,
                )
            )
        return MeetingView(
            meeting.id,
            meeting.pair_id,
            program.name,
            meeting.kind,
            meeting.status,
            calendar.local(meeting.starts_at, zone_name),
            calendar.utc_offset(zone_name, meeting.starts_at),
            meeting.duration_minutes,
            meeting.place,
            meeting.online_url,
            meeting.topic,
            meeting.proposed_by_participant_id == me.id,
            mine.response if mine else ConfirmationResponse.PENDING,
            mine.happened if mine else None,
            mine.missed_reason if mine else None,
            tuple(others),
            me.role,
            self._ended(meeting),
            await self._feedback_given(meeting.id, me.id),
        )

    async def upcoming(self, person_id: int) -> list[int]:
        """Ids of the person's proposed and confirmed meetings that have not ended, soonest
        first."""
        now = self.clock.now()
        rows = await self.session.scalars(
            select(Meeting)
            .join(PairMember, PairMember.pair_id == Meeting.pair_id)
            .join(Participant, Participant.id == PairMember.participant_id)
            .where(
                Participant.person_id == person_id,
                Meeting.status.in_((MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)),
            )
            .order_by(Meeting.starts_at, Meeting.id)
        )
        return [m.id for m in rows if m.starts_at + timedelta(minutes=m.duration_minutes) > now]

    async def zone_of(self, person: Person) -> str:
        """The person's time zone, else their organisation's, else Moscow's."""
        if person.timezone:
            return person.timezone
        if person.organization_id is not None:
            org = await self.session.get(Organization, person.organization_id)
            if org is not None:
                return org.timezone
        return calendar.DEFAULT_ZONE

    async def set_zone(self, person_id: int, zone_name: str) -> MeetingError | None:
        """The person's own time zone, one of `calendar.ZONES`."""
        if zone_name not in calendar.ZONES:
            return MeetingError.INVALID
        person = await self.session.get_one(Person, person_id)
        person.timezone = zone_name
        person.updated_at = self.clock.now()
        self.audit.record(person, "people.timezone", "people", person.id, timezone=zone_name)
        return None

    # --- proposing and answering -----------------------------------------------------------------

    async def propose(
        self, person_id: int, pair_id: int, draft: MeetingDraft
    ) -> int | MeetingError:
        """A new proposal to the other members; the proposer counts as agreeing. Its id."""
        me = await self._member(person_id, pair_id)
        if me is None:
            return MeetingError.NOT_FOUND
        problem = self._check(draft)
        if problem is not None:
            return problem
        meeting = await self._create(pair_id, me, draft, replaces=None)
        await self._tell_others(meeting, me, "meeting-proposed", with_answer=True)
        await self._audit(person_id, ACTION_PROPOSED, meeting, kind=draft.kind.value)
        return meeting.id

    async def answer(
        self, person_id: int, meeting_id: int, *, confirm: bool
    ) -> MeetingStatus | MeetingError:
        """Confirm or decline a proposal; the meeting's status afterwards."""
        found = await self._mine(person_id, meeting_id)
        if isinstance(found, MeetingError):
            return found
        meeting, me = found
        mine = await self._confirmation(meeting.id, me.id)
        if (
            meeting.status is not MeetingStatus.PROPOSED
            or mine is None
            or mine.response is not ConfirmationResponse.PENDING
        ):
            return MeetingError.DECIDED
        now = self.clock.now()
        mine.response = ConfirmationResponse.CONFIRMED if confirm else ConfirmationResponse.DECLINED
        mine.responded_at = now
        await self.session.flush()
        answers = await self._answers(meeting.id)
        if confirm and await self._agreed(meeting, answers):
            meeting.status = MeetingStatus.CONFIRMED
            meeting.updated_at = now
            await self._on_confirmed(meeting)
        elif not confirm and all(
            answer.response is ConfirmationResponse.DECLINED
            for participant_id, answer in answers.items()
            if participant_id != meeting.proposed_by_participant_id
        ):
            meeting.status = MeetingStatus.DECLINED
            meeting.updated_at = now
            await self._tell_others(meeting, me, "meeting-declined")
        await self._audit(person_id, ACTION_ANSWERED, meeting, confirm=confirm)
        return meeting.status

    async def counter(
        self, person_id: int, meeting_id: int, draft: MeetingDraft
    ) -> int | MeetingError:
        """Another time (or place) instead of a proposal: a new proposal replacing it."""
        found = await self._mine(person_id, meeting_id)
        if isinstance(found, MeetingError):
            return found
        meeting, me = found
        if meeting.status is not MeetingStatus.PROPOSED:
            return MeetingError.DECIDED
        problem = self._check(draft)
        if problem is not None:
            return problem
        meeting.status = MeetingStatus.COUNTERED
        meeting.updated_at = self.clock.now()
        await self._drop_pending(meeting.id)
        mine = await self._confirmation(meeting.id, me.id)
        if mine is not None and mine.response is ConfirmationResponse.PENDING:
            mine.response = ConfirmationResponse.COUNTERED
            mine.responded_at = self.clock.now()
        new = await self._create(meeting.pair_id, me, draft, replaces=meeting)
        await self._tell_others(new, me, "meeting-countered", with_answer=True)
        await self._audit(person_id, ACTION_PROPOSED, new, replaces=meeting.id)
        return new.id

    async def reschedule(
        self, person_id: int, meeting_id: int, draft: MeetingDraft
    ) -> int | MeetingError:
        """Move a confirmed meeting: a new proposal; the old one's reminders are dropped."""
        found = await self._mine(person_id, meeting_id)
        if isinstance(found, MeetingError):
            return found
        meeting, me = found
        if meeting.status is not MeetingStatus.CONFIRMED or self._ended(meeting):
            return MeetingError.DECIDED
        problem = self._check(draft)
        if problem is not None:
            return problem
        meeting.status = MeetingStatus.RESCHEDULED
        meeting.updated_at = self.clock.now()
        await self._drop_pending(meeting.id)
        new = await self._create(meeting.pair_id, me, draft, replaces=meeting)
        await self._tell_others(new, me, "meeting-moved", with_answer=True)
        await self._audit(person_id, ACTION_PROPOSED, new, replaces=meeting.id)
        return new.id

    async def cancel(self, person_id: int, meeting_id: int) -> MeetingError | None:
        """Call off a proposed or confirmed meeting that has not ended; everyone is told and
        its reminders are dropped."""
        found = await self._mine(person_id, meeting_id)
        if isinstance(found, MeetingError):
            return found
        meeting, me = found
        if meeting.status not in (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED) or self._ended(
            meeting
        ):
            return MeetingError.DECIDED
        was_confirmed = meeting.status is MeetingStatus.CONFIRMED
        meeting.status = MeetingStatus.CANCELLED
        meeting.updated_at = self.clock.now()
        await self._drop_pending(meeting.id)
        await self._tell_others(
            meeting,
            me,
            "meeting-cancelled",
            ics=await self._ics(meeting) if was_confirmed else None,
        )
        await self._audit(person_id, ACTION_CANCELLED, meeting)
        return None

    # --- after the meeting -----------------------------------------------------------------------

    async def happened(
        self, person_id: int, meeting_id: int, answer: HappenedAnswer
    ) -> MeetingStatus | MeetingError:
        """The member's answer to "did it happen?"; the meeting's status afterwards (held when
        anyone says yes; missed or moved once everyone said no or moved)."""
        if answer is HappenedAnswer.UNKNOWN:
            return MeetingError.INVALID
        found = await self._mine(person_id, meeting_id)
        if isinstance(found, MeetingError):
            return found
        meeting, me = found
        if meeting.status not in (
            MeetingStatus.CONFIRMED,
            MeetingStatus.HELD,
            MeetingStatus.MISSED,
        ):
            return MeetingError.DECIDED
        if not self._ended(meeting):
            return MeetingError.TOO_EARLY
        mine = await self._confirmation(meeting.id, me.id)
        # Counted as unknown after no answer and a nudge; a late answer still counts.
        if mine is None or mine.happened not in (None, HappenedAnswer.UNKNOWN):
            return MeetingError.DECIDED
        now = self.clock.now()
        mine.happened = answer
        mine.happened_at = now
        await self.session.flush()
        await self._drop_pending(meeting.id, only=f"check-nudge:{me.id}")
        answers = await self._answers(meeting.id)
        meeting.status = settled_status(meeting.status, [a.happened for a in answers.values()])
        meeting.updated_at = now
        await self._audit(person_id, ACTION_HAPPENED, meeting, answer=answer.value)
        return meeting.status

    async def missed_reason(
        self, person_id: int, meeting_id: int, reason: str
    ) -> MeetingError | None:
        """Why the meeting did not happen, from a member who said no or moved; once."""
        found = await self._mine(person_id, meeting_id)
        if isinstance(found, MeetingError):
            return found
        meeting, me = found
        reason = reason.strip()
        if not 0 < len(reason) <= TEXT_MAX:
            return MeetingError.INVALID
        mine = await self._confirmation(meeting.id, me.id)
        if mine is None or mine.happened not in (HappenedAnswer.NO, HappenedAnswer.MOVED):
            return MeetingError.NOT_FOUND
        if mine.missed_reason is not None:
            return MeetingError.DECIDED
        mine.missed_reason = reason
        await self._audit(person_id, ACTION_MISSED_REASON, meeting)
        return None

    async def feedback(
        self,
        person_id: int,
        meeting_id: int,
        *,
        rating: int,
        done: str | None = None,
        comment: str | None = None,
        result: str | None = None,
    ) -> MeetingError | None:
        """A member's rating (1–5) and notes of a meeting they said happened; `result` (an
        intermediate result) is the mentor's. Once per member and meeting."""
        found = await self._feedback_due(person_id, meeting_id)
        if isinstance(found, MeetingError):
            return found
        meeting, me = found
        texts = [t for t in (done, comment, result) if t is not None]
        if not 1 <= rating <= 5 or any(len(t) > TEXT_MAX for t in texts):
            return MeetingError.INVALID
        if result is not None and me.role is not ParticipantRole.MENTOR:
            return MeetingError.INVALID
        self.session.add(
            Feedback(
                participant_id=me.id,
                meeting_id=meeting.id,
                kind=FeedbackKind.MEETING,
                rating=rating,
                done_text=_clean(done),
                comment=_clean(comment),
                intermediate_result=_clean(result),
                created_at=self.clock.now(),
            )
        )
        await self._audit(person_id, ACTION_FEEDBACK, meeting, rating=rating)
        return None

    async def feedback_due(self, person_id: int, meeting_id: int) -> MeetingError | None:
        """None when the person may rate the meeting now (a member who said it happened and has
        not rated it yet), else why not; asked before the rating questions are shown."""
        found = await self._feedback_due(person_id, meeting_id)
        return found if isinstance(found, MeetingError) else None

    # --- internals -------------------------------------------------------------------------------

    async def _feedback_due(
        self, person_id: int, meeting_id: int
    ) -> tuple[Meeting, Participant] | MeetingError:
        found = await self._mine(person_id, meeting_id)
        if isinstance(found, MeetingError):
            return found
        meeting, me = found
        mine = await self._confirmation(meeting.id, me.id)
        if mine is None or mine.happened is not HappenedAnswer.YES:
            return MeetingError.NOT_HELD
        if await self._feedback_given(meeting.id, me.id):
            return MeetingError.DECIDED
        return meeting, me

    async def _feedback_given(self, meeting_id: int, participant_id: int) -> bool:
        given = await self.session.scalar(
            select(func.count()).where(
                Feedback.meeting_id == meeting_id,
                Feedback.participant_id == participant_id,
                Feedback.kind == FeedbackKind.MEETING,
            )
        )
        return bool(given)

    def _check(self, draft: MeetingDraft) -> MeetingError | None:
        now = self.clock.now()
        if draft.starts_at.tzinfo is None:
            raise ValueError("starts_at must be aware")
        if not now < draft.starts_at <= now + HORIZON:
            return MeetingError.PAST
        if not DURATIONS[0] <= draft.duration_minutes <= DURATIONS[1]:
            return MeetingError.INVALID
        if draft.place is not None and not 0 < len(draft.place.strip()) <= PLACE_MAX:
            return MeetingError.INVALID
        if draft.topic is not None and not 0 < len(draft.topic.strip()) <= TOPIC_MAX:
            return MeetingError.INVALID
        if draft.online_url is not None and not valid_url(draft.online_url):
            return MeetingError.INVALID
        return None

    @staticmethod
    def _ends(meeting: Meeting) -> datetime:
        return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)

    def _ended(self, meeting: Meeting) -> bool:
        return self.clock.now() >= self._ends(meeting)

    async def _member(self, person_id: int, pair_id: int) -> Participant | None:
        """The person's participant in the active pair, if they are in it."""
        return await self.session.scalar(
            select(Participant)
            .join(PairMember, PairMember.participant_id == Participant.id)
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(
                PairMember.pair_id == pair_id,
                Participant.person_id == person_id,
                Pair.status == PairStatus.ACTIVE,
            )
        )

    async def _mine(
        self, person_id: int, meeting_id: int
    ) -> tuple[Meeting, Participant] | MeetingError:
        meeting = await self.session.get(Meeting, meeting_id)
        if meeting is None:
            return MeetingError.NOT_FOUND
        me = await self._member(person_id, meeting.pair_id)
        if me is None:
            return MeetingError.NOT_FOUND
        return meeting, me

    async def _members(self, pair_id: int) -> list[tuple[Participant, Person]]:
        rows = await self.session.execute(
            select(Participant, Person)
            .join(PairMember, PairMember.participant_id == Participant.id)
            .join(Person, Person.id == Participant.person_id)
            .where(PairMember.pair_id == pair_id)
            .order_by(PairMember.id)
        )
        return [(participant, person) for participant, person in rows.all()]

    async def _confirmation(
        self, meeting_id: int, participant_id: int
    ) -> MeetingConfirmation | None:
        return await self.session.scalar(
            select(MeetingConfirmation).where(
                MeetingConfirmation.meeting_id == meeting_id,
                MeetingConfirmation.participant_id == participant_id,
            )
        )

    async def _answers(self, meeting_id: int) -> dict[int, MeetingConfirmation]:
        rows = await self.session.scalars(
            select(MeetingConfirmation).where(MeetingConfirmation.meeting_id == meeting_id)
        )
        return {row.participant_id: row for row in rows}

    async def _agreed(self, meeting: Meeting, answers: dict[int, MeetingConfirmation]) -> bool:
        """The mentor and at least one mentee have confirmed."""
        roles = {p.id: p.role for p, _ in await self._members(meeting.pair_id)}
        agreed = {
            roles.get(participant_id)
            for participant_id, answer in answers.items()
            if answer.response is ConfirmationResponse.CONFIRMED
        }
        return {ParticipantRole.MENTOR, ParticipantRole.MENTEE} <= agreed

    async def _create(
        self,
        pair_id: int,
        proposer: Participant,
        draft: MeetingDraft,
        *,
        replaces: Meeting | None,
    ) -> Meeting:
        now = self.clock.now()
        meeting = Meeting(
            pair_id=pair_id,
            kind=draft.kind,
            status=MeetingStatus.PROPOSED,
            starts_at=draft.starts_at,
            duration_minutes=draft.duration_minutes,
            place=_clean(draft.place),
            online_url=_clean(draft.online_url),
            topic=_clean(draft.topic),
            proposed_by_participant_id=proposer.id,
            replaces_meeting_id=replaces.id if replaces is not None else None,
            created_at=now,
            updated_at=now,
        )
        self.session.add(meeting)
        await self.session.flush()
        for participant, _ in await self._members(pair_id):
            mine = participant.id == proposer.id
            self.session.add(
                MeetingConfirmation(
                    meeting_id=meeting.id,
                    participant_id=participant.id,
                    response=ConfirmationResponse.CONFIRMED
                    if mine
                    else ConfirmationResponse.PENDING,
                    responded_at=now if mine else None,
                )
            )
        await self.session.flush()
        return meeting

    async def _args(self, meeting: Meeting, reader: Person, **extra: Any) -> dict[str, Any]:
        pair = await self.session.get_one(Pair, meeting.pair_id)
        program = await self.session.get_one(Program, pair.program_id)
        return {
            "program": program.name,
            "kind": meeting.kind.value,
            **when_args(meeting.starts_at, await self.zone_of(reader)),
            "minutes": meeting.duration_minutes,
            "place": meeting.place or "none",
            "link": meeting.online_url or "none",
            "topic": meeting.topic or "none",
            **extra,
        }

    async def _tell_others(
        self,
        meeting: Meeting,
        actor: Participant,
        text_id: str,
        *,
        with_answer: bool = False,
        ics: bytes | None = None,
    ) -> None:
        """Tell every other member, in their own zone; with buttons to answer a proposal."""
        actor_person = await self.session.get_one(Person, actor.person_id)
        links = (
            [
                ("meeting-button-confirm", f"m{meeting.id}_yes"),
                ("meeting-button-decline", f"m{meeting.id}_no"),
                ("meeting-button-other-time", f"m{meeting.id}_counter"),
            ]
            if with_answer
            else [("meeting-button-open", f"m{meeting.id}")]
        )
        for participant, person in await self._members(meeting.pair_id):
            if participant.id == actor.id:
                continue
            await self.outbox.plan(
                key=f"meeting:{meeting.id}:{text_id}:{participant.id}",
                kind=NotificationKind.MEETING_UPDATE,
                recipient_id=person.id,
                text_id=text_id,
                args=await self._args(meeting, person, who=actor_person.full_name or "—"),
                links=links,
                file=_ics_file(ics) if ics is not None else None,
            )

    async def _on_confirmed(self, meeting: Meeting) -> None:
        """Everyone gets the calendar file; reminders and "did it happen?" are planned."""
        pair = await self.session.get_one(Pair, meeting.pair_id)
        program = await self.session.get_one(Program, pair.program_id)
        offsets = (
            DEFAULT_REMINDERS if program.reminder_minutes is None else program.reminder_minutes
        )
        file = _ics_file(await self._ics(meeting))
        ends = self._ends(meeting)
        now = self.clock.now()
        for participant, person in await self._members(meeting.pair_id):
            prefix = f"meeting:{meeting.id}"
            await self.outbox.plan(
                key=f"{prefix}:confirmed:{participant.id}",
                kind=NotificationKind.MEETING_UPDATE,
                recipient_id=person.id,
                text_id="meeting-confirmed",
                args=await self._args(meeting, person),
                file=file,
                links=[("meeting-button-open", f"m{meeting.id}")],
            )
            for minutes in sorted({int(m) for m in offsets if int(m) > 0}, reverse=True):
                due = meeting.starts_at - timedelta(minutes=minutes)
                if due <= now:
                    continue
                await self.outbox.plan(
                    key=f"{prefix}:remind:{minutes}:{participant.id}",
                    kind=(
                        NotificationKind.MEETING_REMINDER_DAY
                        if minutes >= DAY_REMINDER
                        else NotificationKind.MEETING_REMINDER_HOUR
                    ),
                    recipient_id=person.id,
                    text_id="meeting-reminder",
                    args=await self._args(meeting, person, before=minutes),
                    due_at=due,
                    expires_at=meeting.starts_at,
                    links=[("meeting-button-open", f"m{meeting.id}")],
                )
            check_links = [
                ("meeting-button-happened-yes", f"m{meeting.id}_held"),
                ("meeting-button-happened-no", f"m{meeting.id}_missed"),
                ("meeting-button-happened-moved", f"m{meeting.id}_moved"),
            ]
            for key, text_id, due, kind in (
                ("check", "meeting-check", ends, NotificationKind.MEETING_CHECK),
                ("check-nudge", "meeting-check-nudge", ends + NUDGE_AFTER, NotificationKind.NUDGE),
            ):
                await self.outbox.plan(
                    key=f"{prefix}:{key}:{participant.id}",
                    kind=kind,
                    recipient_id=person.id,
                    text_id=text_id,
                    args=await self._args(meeting, person),
                    due_at=due,
                    links=check_links,
                )

    async def _drop_pending(self, meeting_id: int, *, only: str | None = None) -> None:
        """Skip the meeting's notifications not sent yet (all, or those whose key part after
        `meeting:<id>:` starts with `only`)."""
        prefix = f"meeting:{meeting_id}:{only or ''}"
        await self.session.execute(
            update(Notification)
            .where(
                Notification.key.startswith(prefix, autoescape=True),
                Notification.status == NotificationStatus.PENDING,
            )
            .values(status=NotificationStatus.SKIPPED, last_error="the meeting changed")
        )

    async def _ics(self, meeting: Meeting) -> bytes:
        """The calendar file: one UID for a meeting and everything that replaced it."""
        root, sequence = meeting, 0
        while root.replaces_meeting_id is not None:
            earlier = await self.session.get(Meeting, root.replaces_meeting_id)
            if earlier is None:
                break
            root, sequence = earlier, sequence + 1
        pair = await self.session.get_one(Pair, meeting.pair_id)
        program = await self.session.get_one(Program, pair.program_id)
        names = [person.full_name or "—" for _, person in await self._members(meeting.pair_id)]
        event = calendar.Event(
            uid=f"meeting-{root.id}@nastavnik",
            starts_at=meeting.starts_at,
            ends_at=self._ends(meeting),
            summary=f"{program.name}: {', '.join(names)}",
            description=meeting.topic or "",
            location=meeting.place or meeting.online_url or "",
            url=meeting.online_url or "",
            sequence=sequence,
            cancelled=meeting.status is MeetingStatus.CANCELLED,
        )
        return calendar.ics(event, now=self.clock.now())

    async def _audit(self, person_id: int, action: str, meeting: Meeting, **details: Any) -> None:
        person = await self.session.get_one(Person, person_id)
        self.audit.record(person, action, "meetings", meeting.id, pair=meeting.pair_id, **details)


def _ics_file(content: bytes) -> Attachment:
    return Attachment(AttachmentKind.DOCUMENT, "meeting.ics", content, "text/calendar")


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None
