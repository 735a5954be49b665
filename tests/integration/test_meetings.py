"""MeetingService on SQLite and PostgreSQL: proposal, counter-proposal, confirmation with the
calendar file, reminders at the right moments in each member's zone, cancellation and moves that
drop reminders, "did it happen?", feedback, and strangers refused."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.clock import FrozenClock
from bot.services.meetings import MeetingDraft, MeetingError
from bot.services.programs import CLI, InvalidInputError, Refusal
from storage import (
    ConfirmationResponse,
    Database,
    Feedback,
    HappenedAnswer,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Notification,
    NotificationStatus,
)
from tests.integration.pairing import Pairing

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
# Thursday 3 December 2026, 08:00 UTC: 18:00 in Vladivostok, 10:00 in Kaliningrad.
MEETING = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def pairing(database: Database, clock: FrozenClock) -> Pairing:
    return await Pairing(database, clock).open()


def draft(starts_at: datetime = MEETING, **kw: Any) -> MeetingDraft:
    return MeetingDraft(MeetingKind.INTRO, starts_at, **{"place": "Библиотека", **kw})


async def test_proposal_counter_confirmation_reminders_and_feedback(
    pairing: Pairing, clock: FrozenClock
) -> None:
    async with pairing.services() as s:
        assert await s.meetings.suggest_kind(pairing.pair_id) is MeetingKind.INTRO
        first = await s.meetings.propose(pairing.mentor.id, pairing.pair_id, draft())
    assert isinstance(first, int)
    proposed = await pairing.notes("meeting-proposed")
    assert [n.recipient_person_id for n in proposed] == [pairing.mentee.id]
    args = proposed[0].payload["args"]
    # The mentee reads the time in Kaliningrad.
    assert (args["day"], args["weekday"], args["time"], args["zone"]) == (
        "03.12.2026",
        4,
        "10:00",
        "UTC+2",
    )
    assert [link for _, link in proposed[0].payload["links"]] == [
        f"m{first}_yes",
        f"m{first}_no",
        f"m{first}_counter",
    ]
    # The mentee proposes an hour later instead.
    later = MEETING + timedelta(hours=1)
    async with pairing.services() as s:
        second = await s.meetings.counter(pairing.mentee.id, first, draft(later))
        assert await s.meetings.answer(pairing.mentee.id, first, confirm=True) is (
            MeetingError.DECIDED
        )
    assert isinstance(second, int)
    countered = await pairing.notes("meeting-countered")
    assert [n.recipient_person_id for n in countered] == [pairing.mentor.id]
    assert countered[0].payload["args"]["time"] == "19:00"  # Vladivostok
    async with pairing.services() as s:
        assert await s.meetings.answer(pairing.mentor.id, second, confirm=True) is (
            MeetingStatus.CONFIRMED
        )
    meetings = {m.id: m.status for m in await pairing.rows(Meeting)}
    assert meetings == {first: MeetingStatus.COUNTERED, second: MeetingStatus.CONFIRMED}
    confirmed = await pairing.notes("meeting-confirmed")
    assert {n.recipient_person_id for n in confirmed} == {pairing.mentor.id, pairing.mentee.id}
    ics = base64.b64decode(confirmed[0].payload["file"]["data"]).decode()
    assert "DTSTART:20261203T090000Z" in ics
    assert "DTEND:20261203T100000Z" in ics
    assert f"UID:meeting-{first}@nastavnik" in ics  # one event for the proposal and its counter
    assert "SEQUENCE:1" in ics
    reminders = await pairing.notes("meeting-reminder")
    assert sorted((n.recipient_person_id, n.due_at, n.kind) for n in reminders) == sorted(
        [
            (who, later - timedelta(hours=hours), kind)
            for who in (pairing.mentor.id, pairing.mentee.id)
            for hours, kind in ((24, "meeting-reminder-24h"), (1, "meeting-reminder-1h"))
        ]
    )
    checks = await pairing.notes("meeting-check")
    assert {n.due_at for n in checks} == {later + timedelta(hours=1)}
    # "Did it happen?" is refused before the end, then answered; the nudge is dropped.
    async with pairing.services() as s:
        assert await s.meetings.happened(pairing.mentee.id, second, HappenedAnswer.YES) is (
            MeetingError.TOO_EARLY
        )
    clock.advance(later + timedelta(hours=2) - NOW)
    async with pairing.services() as s:
        assert await s.meetings.feedback(pairing.mentee.id, second, rating=5) is (
            MeetingError.NOT_HELD
        )
        assert await s.meetings.happened(pairing.mentee.id, second, HappenedAnswer.YES) is (
            MeetingStatus.HELD
        )
        assert await s.meetings.feedback(pairing.mentee.id, second, rating=6) is (
            MeetingError.INVALID
        )
        assert (
            await s.meetings.feedback(
                pairing.mentee.id, second, rating=5, done="Познакомились", result="x"
            )
            is MeetingError.INVALID
        )  # an intermediate result is the mentor's
        assert (
            await s.meetings.feedback(pairing.mentee.id, second, rating=5, done="Познакомились")
            is None
        )
        assert await s.meetings.feedback(pairing.mentee.id, second, rating=4) is (
            MeetingError.DECIDED
        )
    nudge = await pairing.notes("meeting-check-nudge", pairing.mentee.id)
    assert nudge[0].status is NotificationStatus.SKIPPED
    mentor_nudge = await pairing.notes("meeting-check-nudge", pairing.mentor.id)
    assert mentor_nudge[0].status is NotificationStatus.PENDING
    feedback = await pairing.rows(Feedback)
    assert [(x.rating, x.done_text) for x in feedback] == [(5, "Познакомились")]
    async with pairing.services() as s:
        assert await s.meetings.suggest_kind(pairing.pair_id) is MeetingKind.TRIAL


async def test_cancelling_or_moving_drops_the_reminders(pairing: Pairing) -> None:
    async with pairing.services() as s:
        meeting = await s.meetings.propose(pairing.mentee.id, pairing.pair_id, draft())
        assert isinstance(meeting, int)
        await s.meetings.answer(pairing.mentor.id, meeting, confirm=True)
    async with pairing.services() as s:
        moved = await s.meetings.reschedule(
            pairing.mentor.id, meeting, draft(MEETING + timedelta(days=1))
        )
    assert isinstance(moved, int)
    old = [n for n in await pairing.rows(Notification) if n.key.startswith(f"meeting:{meeting}:")]
    pending = {n.payload["text_id"] for n in old if n.status is NotificationStatus.PENDING}
    assert pending == set()  # nothing about the old time goes out any more
    async with pairing.services() as s:
        await s.meetings.answer(pairing.mentee.id, moved, confirm=True)
    async with pairing.services() as s:
        assert await s.meetings.cancel(pairing.mentee.id, moved) is None
        assert await s.meetings.cancel(pairing.mentee.id, moved) is MeetingError.DECIDED
    rows = [n for n in await pairing.rows(Notification) if n.key.startswith(f"meeting:{moved}:")]
    left = {n.payload["text_id"] for n in rows if n.status is NotificationStatus.PENDING}
    assert left == {"meeting-cancelled"}
    cancelled = await pairing.notes("meeting-cancelled")
    assert [n.recipient_person_id for n in cancelled] == [pairing.mentor.id]
    ics = base64.b64decode(cancelled[0].payload["file"]["data"]).decode()
    assert "METHOD:CANCEL" in ics
    assert "STATUS:CANCELLED" in ics


async def test_a_stranger_cannot_answer_or_cancel_anothers_meeting(pairing: Pairing) -> None:
    async with pairing.services() as s:
        meeting = await s.meetings.propose(pairing.mentor.id, pairing.pair_id, draft())
        assert isinstance(meeting, int)
        assert await s.meetings.propose(pairing.stranger.id, pairing.pair_id, draft()) is (
            MeetingError.NOT_FOUND
        )
    stranger = pairing.stranger.id
    async with pairing.services() as s:
        for call in (
            s.meetings.answer(stranger, meeting, confirm=True),
            s.meetings.counter(stranger, meeting, draft()),
            s.meetings.cancel(stranger, meeting),
            s.meetings.reschedule(stranger, meeting, draft()),
            s.meetings.happened(stranger, meeting, HappenedAnswer.YES),
            s.meetings.feedback(stranger, meeting, rating=5),
            s.meetings.view(stranger, meeting),
        ):
            assert await call is MeetingError.NOT_FOUND
    rows = await pairing.rows(Meeting)
    assert [m.status for m in rows] == [MeetingStatus.PROPOSED]


async def test_times_in_the_past_or_bad_details_are_refused(pairing: Pairing) -> None:
    cases = [
        draft(NOW - timedelta(minutes=1)),
        draft(NOW + timedelta(days=400)),
        draft(duration_minutes=5),
        draft(place=" "),
        draft(online_url="ftp://example.org"),
        draft(topic="x" * 501),
    ]
    async with pairing.services() as s:
        results = [await s.meetings.propose(pairing.mentor.id, pairing.pair_id, d) for d in cases]
    assert results == [MeetingError.PAST] * 2 + [MeetingError.INVALID] * 4
    assert await pairing.rows(Meeting) == []


async def test_each_member_sees_the_meeting_in_their_own_zone(pairing: Pairing) -> None:
    async with pairing.services() as s:
        meeting = await s.meetings.propose(pairing.mentor.id, pairing.pair_id, draft())
        assert isinstance(meeting, int)
        mentor_view = await s.meetings.view(pairing.mentor.id, meeting)
        mentee_view = await s.meetings.view(pairing.mentee.id, meeting)
    assert not isinstance(mentor_view, MeetingError)
    assert not isinstance(mentee_view, MeetingError)
    assert (mentor_view.starts_at.hour, mentor_view.zone) == (18, "UTC+10")
    assert (mentee_view.starts_at.hour, mentee_view.zone) == (10, "UTC+2")
    assert mentor_view.proposed_by_me
    assert mentee_view.my_response is ConfirmationResponse.PENDING
    assert mentor_view.others == (("Миша", ConfirmationResponse.PENDING),)


async def test_a_program_sets_its_own_reminders(pairing: Pairing) -> None:
    async with pairing.services() as s:
        with pytest.raises(InvalidInputError):
            await s.programs.configure(CLI, pairing.program_id, reminder_minutes=[2])
        with pytest.raises(InvalidInputError):
            await s.programs.configure(CLI, pairing.program_id, pulse_weeks=13)
        assert await s.programs.configure(pairing.mentee.id, pairing.program_id, pulse_weeks=2) is (
            Refusal.NOT_ALLOWED
        )
        await s.programs.configure(CLI, pairing.program_id, reminder_minutes=[180, 180, 30])
        first = await s.meetings.propose(pairing.mentor.id, pairing.pair_id, draft())
        assert isinstance(first, int)
        await s.meetings.answer(pairing.mentee.id, first, confirm=True)
        await s.programs.configure(CLI, pairing.program_id, reminder_minutes=[])
        second = await s.meetings.propose(
            pairing.mentor.id, pairing.pair_id, draft(MEETING + timedelta(days=7))
        )
        assert isinstance(second, int)
        await s.meetings.answer(pairing.mentee.id, second, confirm=True)
    reminders = await pairing.notes("meeting-reminder", pairing.mentee.id)
    assert sorted((n.due_at, n.payload["args"]["before"]) for n in reminders) == [
        (MEETING - timedelta(minutes=180), 180),
        (MEETING - timedelta(minutes=30), 30),
    ]
