"""Nudges for pairs that stall (stage 6), run by a periodic job.

- no first meeting 10 days after the pair was approved;
- no meeting for 14 days since the last one held;
- feedback 2 days overdue after a member said the meeting happened;
- "did it happen?" unanswered 3 days after the end (after its one nudge) counts as unknown.

Each nudge goes once (the outbox key names the pair and the occasion) and leaves an audit row
`pairs.nudged` that the curator's digest counts. A pair with a meeting agreed or proposed ahead
is not nudged: it is already on its way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, func, select

from bot.services.base import Service
from bot.services.meetings import settled_status
from bot.services.outbox import NotificationKind
from storage import (
    Feedback,
    FeedbackKind,
    HappenedAnswer,
    Meeting,
    MeetingConfirmation,
    MeetingStatus,
    Pair,
    PairMember,
    PairStatus,
    Participant,
    Person,
    Program,
    ProgramStatus,
)

FIRST_MEETING_WITHIN = timedelta(days=10)
QUIET_FOR = timedelta(days=14)
FEEDBACK_OVERDUE = timedelta(days=2)
UNKNOWN_AFTER = timedelta(days=3)
# Feedback nudges look this far back, so a new deployment does not nudge about old meetings.
FEEDBACK_HORIZON = timedelta(days=14)
SYSTEM = "system:nudges"
ACTION_NUDGED = "pairs.nudged"
COMPLETION_STAGE = 7  # the final meeting and survey replace nudges


class NudgeReason(StrEnum):
    """Why a pair was nudged."""

    FIRST_MEETING = "first_meeting"
    QUIET = "quiet"
    FEEDBACK = "feedback"


TEXTS = {NudgeReason.FIRST_MEETING: "nudge-first-meeting", NudgeReason.QUIET: "nudge-quiet"}


@dataclass(slots=True)
class SweepResult:
    """What one sweep did: nudges planned by reason, answers counted as unknown."""

    nudged: dict[NudgeReason, int] = field(default_factory=lambda: defaultdict(int))
    unknown: int = 0


@dataclass(frozen=True, slots=True)
class _Member:
    participant_id: int
    person_id: int
    name: str


class NudgeService(Service):
    """Finds stalled pairs and nudges them once."""

    async def sweep(self) -> SweepResult:
        """One pass over the working pairs; safe to run as often as wanted."""
        result = SweepResult()
        result.unknown = await self._settle_unanswered()
        now = self.clock.now()
        pairs = (
            await self.session.execute(
                select(Pair.id, Pair.approved_at, Program.name)
                .join(Program, Program.id == Pair.program_id)
                .where(
                    Pair.status == PairStatus.ACTIVE,
                    Pair.approved_at.is_not(None),
                    Program.status == ProgramStatus.ACTIVE,
                    Program.stage < COMPLETION_STAGE,
                )
            )
        ).all()
        if not pairs:
            return result
        pair_ids = [row.id for row in pairs]
        members = await self._members(pair_ids)
        last_held = dict(
            (
                await self.session.execute(
                    select(Meeting.pair_id, func.max(Meeting.starts_at))
                    .where(Meeting.pair_id.in_(pair_ids), Meeting.status == MeetingStatus.HELD)
                    .group_by(Meeting.pair_id)
                )
            ).all()
        )
        ahead = set(
            await self.session.scalars(
                select(Meeting.pair_id).where(
                    Meeting.pair_id.in_(pair_ids),
                    Meeting.status.in_((MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)),
                    Meeting.starts_at > now,
                )
            )
        )
        for row in pairs:
            if row.id in ahead:
                continue
            held = last_held.get(row.id)
            if held is None and row.approved_at + FIRST_MEETING_WITHIN <= now:
                reason, key = NudgeReason.FIRST_MEETING, f"pair:{row.id}:nudge:first-meeting"
                days = (now - row.approved_at).days
            elif held is not None and held + QUIET_FOR <= now:
                reason = NudgeReason.QUIET
                key = f"pair:{row.id}:nudge:quiet:{held:%Y%m%d%H%M}"
                days = (now - held).days
            else:
                continue
            if await self._nudge_pair(
                row.id, program=row.name, members=members[row.id], reason=reason, key=key, days=days
            ):
                result.nudged[reason] += 1
        result.nudged[NudgeReason.FEEDBACK] += await self._feedback_overdue(pair_ids, members)
        return result

    async def _nudge_pair(
        self,
        pair_id: int,
        *,
        program: str,
        members: list[_Member],
        reason: NudgeReason,
        key: str,
        days: int,
    ) -> bool:
        planned = False
        for member in members:
            partners = ", ".join(
                m.name for m in members if m.participant_id != member.participant_id
            )
            planned |= await self.outbox.plan(
                key=f"{key}:{member.participant_id}",
                kind=NotificationKind.NUDGE,
                recipient_id=member.person_id,
                text_id=TEXTS[reason],
                args={"program": program, "partner": partners or "—", "days": days},
                links=[("nudge-button-propose", f"mp{pair_id}")],
            )
        if planned:
            self.audit.record(SYSTEM, ACTION_NUDGED, "pairs", pair_id, reason=reason.value)
        return planned

    async def _feedback_overdue(
        self, pair_ids: list[int], members: dict[int, list[_Member]]
    ) -> int:
        """Members who said a meeting happened but gave no feedback two days on."""
        now = self.clock.now()
        rows = (
            await self.session.execute(
                select(Meeting, MeetingConfirmation.participant_id)
                .join(MeetingConfirmation, MeetingConfirmation.meeting_id == Meeting.id)
                .outerjoin(
                    Feedback,
                    and_(
                        Feedback.meeting_id == Meeting.id,
                        Feedback.participant_id == MeetingConfirmation.participant_id,
                        Feedback.kind == FeedbackKind.MEETING,
                    ),
                )
                .where(
                    Meeting.pair_id.in_(pair_ids),
                    Meeting.status == MeetingStatus.HELD,
                    Meeting.starts_at <= now - FEEDBACK_OVERDUE,
                    Meeting.starts_at >= now - FEEDBACK_HORIZON,
                    MeetingConfirmation.happened == HappenedAnswer.YES,
                    Feedback.id.is_(None),
                )
            )
        ).all()
        count = 0
        for meeting, participant_id in rows:
            if _ends(meeting) + FEEDBACK_OVERDUE > now:
                continue
            member = next(
                (m for m in members[meeting.pair_id] if m.participant_id == participant_id), None
            )
            if member is None:
                continue
            if await self.outbox.plan(
                key=f"meeting:{meeting.id}:nudge-feedback:{participant_id}",
                kind=NotificationKind.NUDGE,
                recipient_id=member.person_id,
                text_id="nudge-feedback",
                args={"day": f"{meeting.starts_at:%d.%m}"},
                links=[("meeting-button-feedback", f"m{meeting.id}_feedback")],
            ):
                self.audit.record(
                    SYSTEM,
                    ACTION_NUDGED,
                    "pairs",
                    meeting.pair_id,
                    reason=NudgeReason.FEEDBACK.value,
                    meeting=meeting.id,
                )
                count += 1
        return count

    async def _settle_unanswered(self) -> int:
        """'Did it happen?' left unanswered three days after the end counts as unknown."""
        now = self.clock.now()
        rows = (
            await self.session.execute(
                select(Meeting, MeetingConfirmation)
                .join(MeetingConfirmation, MeetingConfirmation.meeting_id == Meeting.id)
                .where(
                    Meeting.status.in_(
                        (MeetingStatus.CONFIRMED, MeetingStatus.HELD, MeetingStatus.MISSED)
                    ),
                    Meeting.starts_at <= now - UNKNOWN_AFTER,
                    MeetingConfirmation.happened.is_(None),
                )
            )
        ).all()
        touched: dict[int, Meeting] = {}
        count = 0
        for meeting, confirmation in rows:
            if _ends(meeting) + UNKNOWN_AFTER > now:
                continue
            confirmation.happened = HappenedAnswer.UNKNOWN
            confirmation.happened_at = now
            touched[meeting.id] = meeting
            count += 1
        for meeting in touched.values():
            said = await self.session.scalars(
                select(MeetingConfirmation.happened).where(
                    MeetingConfirmation.meeting_id == meeting.id
                )
            )
            meeting.status = settled_status(meeting.status, list(said))
        return count

    async def _members(self, pair_ids: list[int]) -> dict[int, list[_Member]]:
        rows = (
            await self.session.execute(
                select(PairMember.pair_id, Participant.id, Person.id, Person.full_name)
                .join(Participant, Participant.id == PairMember.participant_id)
                .join(Person, Person.id == Participant.person_id)
                .where(PairMember.pair_id.in_(pair_ids))
                .order_by(PairMember.id)
            )
        ).all()
        found: dict[int, list[_Member]] = defaultdict(list)
        for pair_id, participant_id, person_id, name in rows:
            found[pair_id].append(_Member(participant_id, person_id, name or "—"))
        return found


def _ends(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
