"""A pair's work on SQLite and PostgreSQL: nudges for a pair without a first meeting, a quiet
pair and overdue feedback, each once; "did it happen?" left unanswered counted as unknown; the
summary members and curators read, refused to strangers; and a deleted mentee's goals gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FrozenClock
from bot.services.meetings import MeetingDraft, MeetingError
from bot.services.nudges import NudgeReason
from bot.services.programs import Refusal
from storage import (
    AuditLog,
    Database,
    Goal,
    GoalProgress,
    HappenedAnswer,
    Meeting,
    MeetingConfirmation,
    MeetingKind,
    MeetingStatus,
    Pair,
    PairStatus,
    Program,
    ProgramCurator,
)
from tests.integration import factories as f
from tests.integration.pairing import Pairing

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def pairing(database: Database, clock: FrozenClock) -> Pairing:
    return await Pairing(database, clock).open()


async def sweep(pairing: Pairing) -> dict[NudgeReason, int]:
    async with pairing.services() as s:
        result = await s.nudges.sweep()
    return {reason: n for reason, n in result.nudged.items() if n}


async def hold(
    pairing: Pairing,
    starts_at: datetime,
    kind: MeetingKind = MeetingKind.INTRO,
    *,
    feedback: bool = True,
) -> int:
    """A meeting proposed by the mentor, confirmed by the mentee, held by the mentor's word
    (with the mentor's feedback unless told otherwise)."""
    clock = pairing.clock
    async with pairing.services() as s:
        meeting_id = await s.meetings.propose(
            pairing.mentor.id, pairing.pair_id, MeetingDraft(kind, starts_at, place="Библиотека")
        )
        assert isinstance(meeting_id, int)
        await s.meetings.answer(pairing.mentee.id, meeting_id, confirm=True)
    clock.set(starts_at + timedelta(hours=2))
    async with pairing.services() as s:
        assert await s.meetings.happened(pairing.mentor.id, meeting_id, HappenedAnswer.YES) is (
            MeetingStatus.HELD
        )
        if feedback:
            assert await s.meetings.feedback(pairing.mentor.id, meeting_id, rating=4) is None
    return meeting_id


async def test_no_first_meeting_nudges_both_once_after_ten_days(
    pairing: Pairing, clock: FrozenClock
) -> None:
    clock.set(NOW + 10 * DAY - timedelta(minutes=1))
    assert await sweep(pairing) == {}
    clock.set(NOW + 10 * DAY)
    assert await sweep(pairing) == {NudgeReason.FIRST_MEETING: 1}
    notes = await pairing.notes("nudge-first-meeting")
    assert {n.recipient_person_id for n in notes} == {pairing.mentor.id, pairing.mentee.id}
    mentee_note = next(n for n in notes if n.recipient_person_id == pairing.mentee.id)
    assert mentee_note.payload["args"]["partner"] == "Дарья"
    assert mentee_note.payload["args"]["days"] == 10
    assert [link for _, link in mentee_note.payload["links"]] == [f"mp{pairing.pair_id}"]
    # Once per pair: a day later nothing new, and the curator's digest finds one audit row.
    clock.advance(DAY)
    assert await sweep(pairing) == {}
    audit = await pairing.rows(AuditLog, AuditLog.action == "pairs.nudged")
    assert [(a.entity_id, a.details["reason"]) for a in audit] == [
        (str(pairing.pair_id), "first_meeting")
    ]


async def test_a_meeting_agreed_ahead_or_an_ended_pair_is_not_nudged(
    pairing: Pairing, clock: FrozenClock
) -> None:
    async with pairing.services() as s:
        await s.meetings.propose(
            pairing.mentee.id,
            pairing.pair_id,
            MeetingDraft(MeetingKind.INTRO, NOW + 12 * DAY, place="Библиотека"),
        )
    clock.set(NOW + 10 * DAY)
    assert await sweep(pairing) == {}
    async with pairing.services() as s:
        pair = await s.meetings.session.get_one(Pair, pairing.pair_id)
        pair.status = PairStatus.DISSOLVED
    clock.set(NOW + 30 * DAY)
    assert await sweep(pairing) == {}
    assert await pairing.notes("nudge-first-meeting") == []


async def test_stage_seven_stops_the_nudges(pairing: Pairing, clock: FrozenClock) -> None:
    async with pairing.services() as s:
        program = await s.meetings.session.get_one(Program, pairing.program_id)
        program.stage = 7
    clock.set(NOW + 20 * DAY)
    assert await sweep(pairing) == {}


async def test_a_quiet_pair_is_nudged_once_per_quiet_spell(
    pairing: Pairing, clock: FrozenClock
) -> None:
    first = NOW + 2 * DAY
    await hold(pairing, first)
    clock.set(first + 14 * DAY - timedelta(minutes=1))
    assert await sweep(pairing) == {}
    clock.set(first + 14 * DAY)
    assert await sweep(pairing) == {NudgeReason.QUIET: 1}
    assert await sweep(pairing) == {}
    # They meet again; fourteen days after that, a new nudge.
    second = clock.now() + DAY
    await hold(pairing, second, MeetingKind.TRIAL)
    clock.set(second + 14 * DAY)
    assert await sweep(pairing) == {NudgeReason.QUIET: 1}
    assert len(await pairing.notes("nudge-quiet")) == 4  # two spells × two members


async def test_feedback_two_days_overdue_nudges_who_said_yes(
    pairing: Pairing, clock: FrozenClock
) -> None:
    starts = NOW + DAY
    meeting_id = await hold(pairing, starts, feedback=False)  # the mentor gives none
    async with pairing.services() as s:
        await s.meetings.happened(pairing.mentee.id, meeting_id, HappenedAnswer.YES)
        assert await s.meetings.feedback(pairing.mentee.id, meeting_id, rating=5) is None
    ends = starts + timedelta(hours=1)
    clock.set(ends + 2 * DAY - timedelta(minutes=1))
    assert await sweep(pairing) == {}
    clock.set(ends + 2 * DAY)
    assert await sweep(pairing) == {NudgeReason.FEEDBACK: 1}
    notes = await pairing.notes("nudge-feedback")
    assert [(n.recipient_person_id, n.payload["links"][0][1]) for n in notes] == [
        (pairing.mentor.id, f"m{meeting_id}_feedback")
    ]
    assert await sweep(pairing) == {}


async def test_an_unanswered_check_counts_as_unknown_and_a_late_answer_still_counts(
    pairing: Pairing, clock: FrozenClock
) -> None:
    starts = NOW + DAY
    async with pairing.services() as s:
        meeting_id = await s.meetings.propose(
            pairing.mentor.id,
            pairing.pair_id,
            MeetingDraft(MeetingKind.INTRO, starts, place="Библиотека"),
        )
        assert isinstance(meeting_id, int)
        await s.meetings.answer(pairing.mentee.id, meeting_id, confirm=True)
    ends = starts + timedelta(hours=1)
    clock.set(ends + 3 * DAY - timedelta(minutes=1))
    async with pairing.services() as s:
        assert (await s.nudges.sweep()).unknown == 0
    clock.set(ends + 3 * DAY)
    async with pairing.services() as s:
        assert (await s.nudges.sweep()).unknown == 2
    answers = await pairing.rows(MeetingConfirmation)
    assert {a.happened for a in answers} == {HappenedAnswer.UNKNOWN}
    [meeting] = await pairing.rows(Meeting)
    assert meeting.status is MeetingStatus.CONFIRMED  # nobody said; the summary counts unknown
    async with pairing.services() as s:
        summary = await s.summaries.pair(pairing.mentor.id, pairing.pair_id)
        assert not isinstance(summary, Refusal)
        assert (summary.meetings.held, summary.meetings.unknown) == (0, 1)
        # The mentee answers late: the meeting was held after all.
        assert await s.meetings.happened(pairing.mentee.id, meeting_id, HappenedAnswer.YES) is (
            MeetingStatus.HELD
        )
        assert await s.meetings.happened(pairing.mentee.id, meeting_id, HappenedAnswer.NO) is (
            MeetingError.DECIDED
        )


async def test_one_no_and_one_silence_settle_as_missed(
    pairing: Pairing, clock: FrozenClock
) -> None:
    starts = NOW + DAY
    async with pairing.services() as s:
        meeting_id = await s.meetings.propose(
            pairing.mentor.id,
            pairing.pair_id,
            MeetingDraft(MeetingKind.INTRO, starts, place="Библиотека"),
        )
        assert isinstance(meeting_id, int)
        await s.meetings.answer(pairing.mentee.id, meeting_id, confirm=True)
    clock.set(starts + 2 * timedelta(hours=1))
    async with pairing.services() as s:
        assert await s.meetings.happened(pairing.mentor.id, meeting_id, HappenedAnswer.NO) is (
            MeetingStatus.CONFIRMED
        )
        assert await s.meetings.missed_reason(pairing.mentor.id, meeting_id, "  Заболел  ") is None
        assert await s.meetings.missed_reason(pairing.mentee.id, meeting_id, "x") is not None
    clock.set(starts + 4 * DAY)
    async with pairing.services() as s:
        await s.nudges.sweep()
    [meeting] = await pairing.rows(Meeting)
    assert meeting.status is MeetingStatus.MISSED
    reasons = {a.participant_id: a.missed_reason for a in await pairing.rows(MeetingConfirmation)}
    assert reasons[pairing.participants[pairing.mentor.id]] == "Заболел"


async def test_the_summary_for_members_and_curators_only(
    pairing: Pairing, clock: FrozenClock
) -> None:
    first = await hold(pairing, NOW + DAY)
    async with pairing.services() as s:
        await s.meetings.happened(pairing.mentee.id, first, HappenedAnswer.YES)
        assert await s.meetings.feedback(pairing.mentee.id, first, rating=5) is None
        upcoming = await s.meetings.propose(
            pairing.mentee.id,
            pairing.pair_id,
            MeetingDraft(MeetingKind.TRIAL, clock.now() + 3 * DAY, place="Кабинет 12"),
        )
        assert isinstance(upcoming, int)
    async with pairing.database.transaction() as session:
        program = await session.get_one(Program, pairing.program_id)
        curator = await f.person(session, full_name="Ольга")
        session.add(ProgramCurator(program_id=program.id, person_id=curator.id))
        other_program = await f.program(session, await f.organization(session))
        other = await f.person(session, full_name="Чужой куратор")
        session.add(ProgramCurator(program_id=other_program.id, person_id=other.id))
    async with pairing.services() as s:
        mine = await s.summaries.pair(pairing.mentee.id, pairing.pair_id)
        theirs = await s.summaries.pair(curator.id, pairing.pair_id)
        assert await s.summaries.pair(other.id, pairing.pair_id) is Refusal.NOT_FOUND
        assert await s.summaries.pair(pairing.stranger.id, pairing.pair_id) is Refusal.NOT_FOUND
        assert await s.summaries.program_pairs(other.id, pairing.program_id) is (
            Refusal.NOT_ALLOWED
        )
        listed = await s.summaries.program_pairs(curator.id, pairing.program_id)
    assert not isinstance(mine, Refusal)
    assert not isinstance(theirs, Refusal)
    assert (mine.mentor, mine.mentees) == ("Дарья", ("Миша",))
    assert (mine.meetings.held, mine.meetings.planned) == (1, 1)
    assert mine.kinds_held == {MeetingKind.INTRO}
    assert mine.next_kind is MeetingKind.TRIAL
    assert (mine.rating_mentor, mine.rating_mentees, mine.ratings) == (4.0, 5.0, 2)
    assert mine.next_meeting_kind is MeetingKind.TRIAL
    assert not mine.next_meeting_confirmed
    # Each reads the next meeting in their own zone.
    assert mine.zone == "UTC+2"
    assert theirs.zone == "UTC+3"
    assert mine.next_meeting is not None
    assert theirs.next_meeting is not None
    assert theirs.next_meeting.hour - mine.next_meeting.hour == 1
    assert not isinstance(listed, Refusal)
    lines, total = listed
    assert total == 1
    assert (lines[0].mentor, lines[0].mentees, lines[0].held) == ("Дарья", ("Миша",), 1)


async def test_deleting_the_mentee_deletes_the_pairs_goals_and_their_reasons(
    pairing: Pairing, clock: FrozenClock
) -> None:
    async with pairing.services() as s:
        goal = await s.goals.add(pairing.mentor.id, pairing.pair_id, "Подтянуть математику")
        assert isinstance(goal, int)
        assert (
            await s.goals.update(pairing.mentor.id, goal, progress=50, note="Миша молодец") is None
        )
        meeting_id = await s.meetings.propose(
            pairing.mentor.id,
            pairing.pair_id,
            MeetingDraft(MeetingKind.INTRO, NOW + DAY, place="Библиотека"),
        )
        assert isinstance(meeting_id, int)
        await s.meetings.answer(pairing.mentee.id, meeting_id, confirm=True)
    clock.set(NOW + DAY + timedelta(hours=2))
    async with pairing.services() as s:
        await s.meetings.happened(pairing.mentor.id, meeting_id, HappenedAnswer.NO)
        assert await s.meetings.missed_reason(pairing.mentor.id, meeting_id, "Не пришёл") is None
        assert await s.enrolment.delete_person(pairing.mentee.id) is True
    assert await pairing.rows(Goal) == []
    assert await pairing.rows(GoalProgress) == []
    # The mentor's own answer stays; the meeting is the mentor's history too.
    assert [a.participant_id for a in await pairing.rows(MeetingConfirmation)] == [
        pairing.participants[pairing.mentor.id]
    ]
    assert len(await pairing.rows(Meeting)) == 1
