"""Figures and digests on SQLite and PostgreSQL: counts by status, meetings per week across a
week boundary in the organisation's zone, the rating and its trend, NPS, each risk flag's rule
(flagged and not), and who may see what."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.core.clock import FrozenClock
from bot.core.i18n import Translator
from bot.dialogs.digest import flagged_line
from bot.services import Services
from bot.services.digests import Digest, FlagKind, ProgramDigest
from bot.services.figures import ProgramFigures
from bot.services.programs import CLI, Refusal
from storage import (
    AuditLog,
    CycleStage,
    Database,
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
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    StaffMember,
    StaffRole,
)
from tests.integration import factories as f
from tests.unit.test_i18n import LOCALES

# Thursday 4 September 2025, 09:00 UTC: 19:00 in Vladivostok (UTC+10), whose week began on
# Monday 1 September at 00:00 there, which is Sunday 31 August 14:00 UTC.
NOW = datetime(2025, 9, 4, 9, 0, tzinfo=UTC)
WEEK_BEGAN = datetime(2025, 8, 31, 14, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@dataclass
class World:
    """Two organisations: A (Vladivostok) runs programs one and two, B (Moscow) program three."""

    database: Database
    clock: FrozenClock
    ids: dict[str, int] = field(default_factory=dict)

    @asynccontextmanager
    async def services(self) -> AsyncIterator[Services]:
        async with self.database.transaction() as session:
            yield Services(session, self.clock)

    async def figures(self, actor: Any, program: str) -> ProgramFigures | Refusal:
        async with self.services() as services:
            return await services.figures.program(actor, self.ids[program])

    async def digest(self, actor: Any, *programs: str) -> Digest | Refusal:
        async with self.services() as services:
            return await services.digests.build(
                actor, [self.ids[p] for p in programs] if programs else None
            )

    async def section(self, program: str) -> ProgramDigest:
        digest = await self.digest(CLI, program)
        assert isinstance(digest, Digest)
        return digest.programs[0]


async def add(session: Any, obj: Any) -> Any:
    return await f.add(session, obj)


async def member(
    session: Any,
    program: Program,
    org: Organization,
    name: str,
    role: ParticipantRole = MENTEE,
    status: ParticipantStatus = ParticipantStatus.MATCHED,
    *,
    reachable: tuple[bool, ...] = (True,),
    **values: Any,
) -> Participant:
    """A participant with messenger accounts reachable or not."""
    who = await f.person(session, org, full_name=name)
    for ok in reachable:
        account = await f.account(session, who)
        account.reachable = ok
    part = await f.participant(session, program, who, role)
    part.status, part.created_at = status, ago(90)
    for key, value in values.items():
        setattr(part, key, value)
    await session.flush()
    return part


async def pair(
    session: Any,
    program: Program,
    mentor: Participant,
    *mentees: Participant,
    status: PairStatus = PairStatus.ACTIVE,
    approved: datetime | None = None,
) -> Pair:
    made: Pair = await add(
        session,
        Pair(
            program_id=program.id,
            status=status,
            mentor_participant_id=mentor.id,
            created_at=approved or ago(60),
            approved_at=approved or ago(60),
        ),
    )
    for part in (mentor, *mentees):
        session.add(
            PairMember(pair_id=made.id, participant_id=part.id, role=part.role, joined_at=ago(60))
        )
    await session.flush()
    return made


async def meeting(
    session: Any,
    made: Pair,
    starts_at: datetime,
    status: MeetingStatus = MeetingStatus.HELD,
    *ratings: tuple[Participant, int],
) -> Meeting:
    row: Meeting = await add(
        session,
        Meeting(
            pair_id=made.id,
            kind=MeetingKind.REGULAR,
            status=status,
            starts_at=starts_at,
            duration_minutes=60,
            created_at=starts_at - 3 * DAY,
            updated_at=starts_at,
        ),
    )
    for part, rating in ratings:
        session.add(
            Feedback(
                participant_id=part.id,
                meeting_id=row.id,
                kind=FeedbackKind.MEETING,
                rating=rating,
                created_at=starts_at + timedelta(hours=2),
            )
        )
    await session.flush()
    return row


async def survey(
    session: Any,
    part: Participant,
    round_: int,
    sent: datetime,
    *,
    nps: int | None = None,
    kind: FeedbackKind = FeedbackKind.PULSE,
    completed: bool | None = None,
) -> None:
    done = nps is not None if completed is None else completed
    session.add(
        Feedback(
            participant_id=part.id,
            kind=kind,
            round=round_,
            answers={"satisfaction": 4, "nps": nps} if nps is not None else {},
            created_at=sent,
            completed_at=sent + DAY if done else None,
        )
    )
    await session.flush()


async def program(session: Any, org: Organization, name: str, stage: CycleStage) -> Program:
    made = await f.program(session, org)
    made.name, made.stage = name, int(stage)
    await session.flush()
    return made


@pytest.fixture
async def world(database: Database, clock: FrozenClock) -> World:
    world = World(database, clock)
    async with database.transaction() as session:
        vladivostok = await add(
            session, Organization(name="A", timezone="Asia/Vladivostok", created_at=ago(400))
        )
        moscow = await add(
            session, Organization(name="B", timezone="Europe/Moscow", created_at=ago(400))
        )
        one = await program(session, vladivostok, "One", CycleStage.PAIRS_AT_WORK)
        two = await program(session, vladivostok, "Two", CycleStage.MENTEE_BASE)
        three = await program(session, moscow, "Three", CycleStage.PAIRS_AT_WORK)
        curator = await f.person(session, vladivostok, full_name="Olga")
        other_curator = await f.person(session, moscow, full_name="Irina")
        coordinator = await f.person(session, vladivostok, full_name="Sergey")
        for who, prog in ((curator, one), (other_curator, three)):
            session.add(ProgramCurator(program_id=prog.id, person_id=who.id, created_at=ago(300)))
        session.add(
            StaffMember(
                organization_id=vladivostok.id,
                person_id=coordinator.id,
                role=StaffRole.COORDINATOR,
                created_at=ago(300),
            )
        )
        # Program one: participants in every status.
        statuses: list[tuple[str, ParticipantRole, ParticipantStatus, dict[str, Any]]] = [
            ("Invited", MENTEE, ParticipantStatus.INVITED, {}),
            ("Onboarding", MENTEE, ParticipantStatus.ONBOARDING, {}),
            ("Waiting", MENTEE, ParticipantStatus.CONSENT_PENDING, {}),
            ("Ready", MENTEE, ParticipantStatus.READY, {"questionnaire_done_at": ago(20)}),
            ("Mentor", MENTOR, ParticipantStatus.MATCHED, {"approved": True, "capacity": 1}),
            ("Left", MENTOR, ParticipantStatus.LEFT, {"approved": True}),
        ]
        parts = {}
        for name, role, status, values in statuses:
            parts[name] = await member(session, one, vladivostok, name, role, status, **values)
        parts["Masha"] = await member(
            session, one, vladivostok, "Masha", questionnaire_done_at=ago(30)
        )
        parts["Left"].questionnaire_done_at = ago(40)
        work = await pair(session, one, parts["Mentor"], parts["Masha"])
        await pair(session, one, parts["Left"], status=PairStatus.DISSOLVED)
        mentee, mentor = parts["Masha"], parts["Mentor"]
        # Monday 01:00 in Vladivostok (Sunday 15:00 UTC): this week there, last week in UTC.
        await meeting(
            session,
            work,
            WEEK_BEGAN + timedelta(hours=1),
            MeetingStatus.HELD,
            (mentee, 4),
            (mentor, 2),
        )
        # Sunday 23:00 in Vladivostok: the week before.
        await meeting(session, work, WEEK_BEGAN - timedelta(hours=1), MeetingStatus.MISSED)
        await meeting(session, work, NOW + DAY, MeetingStatus.CONFIRMED)  # ahead, this week
        await meeting(session, work, NOW + 2 * DAY, MeetingStatus.PROPOSED)  # not agreed yet
        await meeting(session, work, ago(1), MeetingStatus.CANCELLED)
        await meeting(session, work, ago(22), MeetingStatus.HELD, (mentee, 5))  # 3 weeks back
        await meeting(session, work, ago(43), MeetingStatus.HELD, (mentee, 2))  # 6 weeks back
        await meeting(session, work, ago(70), MeetingStatus.HELD, (mentee, 1))  # out of range
        # Pulse surveys: round 1, then round 2 (the latest with answers), round 3 unanswered.
        answerers = [parts[name] for name in ("Ready", "Mentor", "Masha", "Invited")]
        for part, score in zip(answerers, (10, 9, 3), strict=False):
            await survey(session, part, 1, ago(40), nps=score)
        for part, score in zip(answerers, (10, 7, 2, 0), strict=True):
            await survey(session, part, 2, ago(12), nps=score)
        await survey(session, parts["Masha"], 3, ago(2))
        world.ids.update(
            one=one.id,
            two=two.id,
            three=three.id,
            curator=curator.id,
            other_curator=other_curator.id,
            coordinator=coordinator.id,
            participant=parts["Masha"].person_id,
            pair=work.id,
        )
        world.ids.update({f"part:{name}": part.id for name, part in parts.items()})
    return world


async def test_figures_count_statuses_weeks_rating_and_nps(world: World) -> None:
    figures = await world.figures(world.ids["curator"], "one")
    assert isinstance(figures, ProgramFigures)
    assert (figures.program, figures.stage) == ("One", 6)
    assert figures.invited == 7
    assert figures.joined == 3  # ready, matched mentor, matched mentee
    assert figures.consent_pending == 1
    assert figures.questionnaires_done == 2  # the mentor who left is not counted
    assert figures.mentors_approved == 1
    assert figures.pairs_active == 1
    # This week in Vladivostok: the meeting of Monday 01:00 held, one confirmed ahead.
    assert (figures.held_this_week, figures.planned_this_week) == (1, 2)
    assert len(figures.weeks) == 8
    assert [w.week_start for w in figures.weeks[-2:]] == [date(2025, 8, 25), date(2025, 9, 1)]
    assert figures.weeks[0].week_start == date(2025, 7, 14)
    last, this = figures.weeks[-2:]
    assert (last.held, last.planned, last.rating) == (0, 1, None)  # Sunday 23:00's missed one
    assert (this.held, this.planned, this.rating) == (1, 2, 3.0)
    assert figures.weeks[-4].rating == 5.0
    assert figures.held_total == 4
    assert figures.planned_total == 6  # held, missed and confirmed; not proposed or cancelled
    # The last four weeks (4, 2, 5) against the four before (2).
    assert figures.rating == pytest.approx(11 / 3)
    assert figures.rating_trend == pytest.approx(11 / 3 - 2)
    # Round 2: promoters 1, detractors 2 of 4 answers.
    assert figures.pulse_nps == -25


async def test_a_program_with_nothing_yet(world: World) -> None:
    figures = await world.figures(world.ids["coordinator"], "two")
    assert isinstance(figures, ProgramFigures)
    assert (figures.invited, figures.joined, figures.pairs_active, figures.held_total) == (
        0,
        0,
        0,
        0,
    )
    assert (figures.rating, figures.rating_trend, figures.pulse_nps) == (None, None, None)
    assert [(w.held, w.planned, w.rating) for w in figures.weeks] == [(0, 0, None)] * 8
    section = await world.section("two")
    assert section.quiet
    assert not section.flags


async def test_only_staff_of_the_program_see_its_figures(world: World) -> None:
    ids = world.ids
    assert await world.figures(ids["other_curator"], "one") is Refusal.NOT_ALLOWED
    assert await world.figures(ids["participant"], "one") is Refusal.NOT_ALLOWED
    assert await world.figures(ids["coordinator"], "three") is Refusal.NOT_ALLOWED
    assert await world.figures(ids["curator"], "two") is Refusal.NOT_ALLOWED
    async with world.services() as services:
        assert await services.figures.program(ids["curator"], 999_999) is Refusal.NOT_FOUND
        both = await services.figures.programs(ids["coordinator"], [ids["two"], ids["one"]])
        assert isinstance(both, list)
        assert [item.program for item in both] == ["Two", "One"]
        assert (
            await services.figures.programs(ids["coordinator"], [ids["one"], ids["three"]])
            is Refusal.NOT_ALLOWED
        )
    assert isinstance(await world.figures(CLI, "three"), ProgramFigures)


async def test_digests_follow_the_readers_rights(world: World) -> None:
    ids = world.ids
    assert await world.digest(ids["participant"]) is Refusal.NOT_ALLOWED
    assert await world.digest(ids["participant"], "one") is Refusal.NOT_ALLOWED
    assert await world.digest(ids["other_curator"], "one") is Refusal.NOT_ALLOWED
    assert await world.digest(ids["curator"], "one", "three") is Refusal.NOT_ALLOWED
    curator = await world.digest(ids["curator"])
    assert isinstance(curator, Digest)
    assert [p.figures.program for p in curator.programs] == ["One"]
    assert curator.organizations == ()
    other = await world.digest(ids["other_curator"])
    assert isinstance(other, Digest)
    assert [p.figures.program for p in other.programs] == ["Three"]
    # The coordinator sees every program of the organisation, and a header for it.
    coordinator = await world.digest(ids["coordinator"])
    assert isinstance(coordinator, Digest)
    assert [p.figures.program for p in coordinator.programs] == ["One", "Two"]
    (header,) = coordinator.organizations
    assert (header.name, header.programs, header.quiet_programs) == ("A", 2, 1)
    assert header.joined == 3
    assert header.pairs_active == 1
    assert (header.held_last_week, header.planned_last_week) == (0, 1)
    assert header.flagged == coordinator.programs[0].flagged > 0
    assert not coordinator.empty


async def test_digest_section_counts_what_happened_and_nudges(world: World) -> None:
    async with world.database.transaction() as session:
        one = await session.get(Program, world.ids["one"])
        org = await session.get(Organization, one.organization_id if one else 0)
        assert one is not None
        assert org is not None
        newcomer = await member(session, one, org, "New", status=ParticipantStatus.INVITED)
        newcomer.created_at = ago(1)
        session.add(
            AuditLog(
                at=ago(2),
                actor="system:nudges",
                action="pairs.nudged",
                entity="pairs",
                entity_id=str(world.ids["pair"]),
                details={"reason": "quiet"},
            )
        )
        session.add(
            AuditLog(
                at=ago(30),
                actor="system:nudges",
                action="pairs.nudged",
                entity="pairs",
                entity_id=str(world.ids["pair"]),
            )
        )
    section = await world.section("one")
    assert section.nudges == 1  # the old one is from before the previous week
    assert section.new_participants == 1  # the others came long ago
    assert section.activity > 0
    assert not section.quiet
    args = section.args()
    assert args["held_week"] == 1
    assert args["planned_last"] == 1
    assert args["trend_dir"] == "up"
    assert args["nps"] == -25
    assert args["new"] == 1
    assert args["unmatched"] == 1
    assert args["quiet"] == "none"


# --- the flags -----------------------------------------------------------------------------------


@dataclass
class Flags:
    program_id: int
    expected: dict[FlagKind, set[str]]
    names: dict[int, str]


async def seed_flags(database: Database, stage: CycleStage) -> tuple[int, dict[str, int]]:
    """A program where each rule has people on both sides of it."""
    async with database.transaction() as session:
        org = await add(session, Organization(name="F", timezone="Europe/Moscow", created_at=NOW))
        prog = await program(session, org, "Flags", stage)
        p: dict[str, Participant] = {}

        async def someone(
            name: str,
            role: ParticipantRole = MENTEE,
            status: ParticipantStatus = ParticipantStatus.MATCHED,
            **kw: Any,
        ) -> Participant:
            p[name] = await member(session, prog, org, name, role, status, **kw)
            return p[name]

        # Overload: capacity 2 with 3 mentees; none set with 4 (over 3) and with 3; 5 with 4.
        for mentor, capacity, count in (
            ("Over2", 2, 3),
            ("OverDefault", None, 4),
            ("AtDefault", None, 3),
            ("Roomy", 5, 4),
        ):
            await someone(mentor, MENTOR, capacity=capacity, approved=True)
            mentees = [await someone(f"{mentor}-m{i}") for i in range(count)]
            made = await pair(session, prog, p[mentor], *mentees)
            # Keep these pairs busy so they are not quiet.
            await meeting(session, made, ago(2))
        # Quiet pairs.
        cases: list[tuple[str, datetime, tuple[float, ...], PairStatus]] = [
            ("NeverMet", ago(11), (), PairStatus.ACTIVE),  # flagged: no first meeting
            ("JustApproved", ago(9), (), PairStatus.ACTIVE),
            ("LongAgo", ago(60), (15,), PairStatus.ACTIVE),  # flagged: 15 days
            ("Recently", ago(60), (13,), PairStatus.ACTIVE),
            ("Both", ago(60), (20, 3), PairStatus.ACTIVE),
            ("Dissolved", ago(60), (30,), PairStatus.DISSOLVED),
        ]
        for mentor, approved, held_days, status in cases:
            await someone(mentor, MENTOR, capacity=1)
            mentee = await someone(f"{mentor}-m")
            made = await pair(session, prog, p[mentor], mentee, status=status, approved=approved)
            for days in held_days:
                await meeting(session, made, ago(days))
            # A meeting that did not happen does not count as met.
            await meeting(session, made, ago(1), MeetingStatus.MISSED)
        # Falling ratings: the mentees' 5, 5 five to eight weeks back, then 3, 4 (-1.5).
        await someone("Falling", MENTOR, capacity=2)
        await someone("Steady", MENTOR, capacity=2)
        for mentor, before, after in (("Falling", (5, 5), (3, 4)), ("Steady", (4, 4), (3, 4))):
            mentee = await someone(f"{mentor}-m")
            made = await pair(session, prog, p[mentor], mentee)
            for days, rating in zip((50, 40), before, strict=True):
                await meeting(session, made, ago(days), MeetingStatus.HELD, (mentee, rating))
            for days, rating in zip((20, 5), after, strict=True):
                # The mentor's own low ratings do not count.
                await meeting(
                    session, made, ago(days), MeetingStatus.HELD, (mentee, rating), (p[mentor], 1)
                )
        # Unanswered surveys.
        await someone("Silent", MENTEE, ParticipantStatus.READY)
        await survey(session, p["Silent"], 1, ago(8))  # flagged
        await someone("Fresh", MENTEE, ParticipantStatus.READY)
        await survey(session, p["Fresh"], 1, ago(6))
        await someone("Moved", MENTEE, ParticipantStatus.READY)
        await survey(session, p["Moved"], 1, ago(20))  # replaced by round 2
        await survey(session, p["Moved"], 2, ago(3))
        await someone("Answered", MENTEE, ParticipantStatus.READY)
        await survey(session, p["Answered"], 1, ago(20), nps=9)
        await someone("LeftSilent", MENTEE, ParticipantStatus.LEFT)
        await survey(session, p["LeftSilent"], 1, ago(20))
        await someone("SilentFinal", MENTOR, capacity=0)
        await survey(session, p["SilentFinal"], 0, ago(9), kind=FeedbackKind.FINAL)  # flagged
        # Unreachable: every account blocked (flagged), one of two (not), gone (not).
        await someone("Blocked", MENTEE, ParticipantStatus.READY, reachable=(False,))
        await someone("HalfBlocked", MENTEE, ParticipantStatus.READY, reachable=(False, True))
        await someone("LeftBlocked", MENTEE, ParticipantStatus.LEFT, reachable=(False,))
        # Unmatched: the ready mentees above in no active pair; a ready mentee in a pair is not.
        await someone("Paired", MENTEE, ParticipantStatus.READY)
        await someone("PairedMentor", MENTOR, capacity=1)
        await pair(session, prog, p["PairedMentor"], p["Paired"], approved=ago(3))
        # A mentee back to ready after a dissolved pair is unmatched again.
        await someone("Again", MENTEE, ParticipantStatus.READY)
        await someone("AgainMentor", MENTOR, capacity=1, status=ParticipantStatus.READY)
        await pair(session, prog, p["AgainMentor"], p["Again"], status=PairStatus.DISSOLVED)
        return prog.id, {name: part.id for name, part in p.items()}


EXPECTED = {
    FlagKind.OVERLOADED: {"Over2", "OverDefault"},
    # Not the pair approved three days ago with no meeting yet, nor a dissolved one.
    FlagKind.QUIET: {"NeverMet", "LongAgo"},
    FlagKind.FALLING: {"Falling"},
    FlagKind.UNANSWERED: {"Silent", "SilentFinal"},
    FlagKind.UNREACHABLE: {"Blocked"},
    FlagKind.UNMATCHED: {"Silent", "Fresh", "Moved", "Answered", "Blocked", "HalfBlocked", "Again"},
}


async def test_each_flag_names_who_its_rule_finds(database: Database, clock: FrozenClock) -> None:
    program_id, parts = await seed_flags(database, CycleStage.PAIRS_AT_WORK)
    async with database.transaction() as session:
        digest = await Services(session, clock).digests.build(CLI, [program_id])
    assert isinstance(digest, Digest)
    (section,) = digest.programs
    names = {part_id: name for name, part_id in parts.items()}
    found = {}
    for flag in section.flags:
        found[flag.kind] = {item.name for item in flag.items}
        if flag.kind is not FlagKind.QUIET:
            assert {names[i] for i in flag.ids} == found[flag.kind]
    assert found == EXPECTED
    overloaded = section.flag(FlagKind.OVERLOADED)
    assert overloaded is not None
    assert {(item.name, item.value, item.bound) for item in overloaded.items} == {
        ("Over2", 3, 2),
        ("OverDefault", 4, 3),
    }
    quiet = section.flag(FlagKind.QUIET)
    assert quiet is not None
    assert [(i.name, i.mentees, i.value, i.first_meeting) for i in quiet.items] == [
        ("LongAgo", ("LongAgo-m",), 15, False),
        ("NeverMet", ("NeverMet-m",), 11, True),
    ]
    falling = section.flag(FlagKind.FALLING)
    assert falling is not None
    (item,) = falling.items
    assert (item.value, item.bound, item.role) == (3.5, 5.0, MENTOR)
    unanswered = section.flag(FlagKind.UNANSWERED)
    assert unanswered is not None
    assert {(i.name, i.role) for i in unanswered.items} == {
        ("Silent", MENTEE),
        ("SilentFinal", MENTOR),
    }
    assert section.args()["unmatched"] == 7
    assert section.args()["unreachable"] == 1
    # The texts render every flag and line in both languages.
    texts = Translator(LOCALES, strict=True)
    for locale in ("ru", "en"):
        text = texts(locale, "digest-program", section.args())
        assert text.count("\n• ") == len(FlagKind)

        def t(text_id: str, _locale: str = locale, **args: Any) -> str:
            return texts(_locale, text_id, args)

        for flag in section.flags:
            for item in flag.items:
                line = flagged_line(t, flag.kind, item)
                assert item.name is not None
                assert line.startswith(f"• {item.name}")


async def test_unmatched_mentees_are_not_flagged_before_pairs_are_formed(
    database: Database, clock: FrozenClock
) -> None:
    program_id, _ = await seed_flags(database, CycleStage.MENTOR_SELECTION)
    async with database.transaction() as session:
        digest = await Services(session, clock).digests.build(CLI, [program_id])
    assert isinstance(digest, Digest)
    assert digest.programs[0].flag(FlagKind.UNMATCHED) is None
    assert digest.programs[0].flag(FlagKind.QUIET) is not None


async def test_figures_of_a_person_who_is_no_longer_staff(world: World) -> None:
    async with world.database.transaction() as session:
        curator = await session.get(Person, world.ids["curator"])
        assert curator is not None
        link = await session.get(ProgramCurator, (world.ids["one"], curator.id))
        await session.delete(link)
    assert await world.figures(world.ids["curator"], "one") is Refusal.NOT_ALLOWED
    assert await world.digest(world.ids["curator"]) is Refusal.NOT_ALLOWED
