"""MatchingService and MentorService on SQLite and PostgreSQL: runs, decisions, introductions,
groups, hand matching, exclusions, change requests, mentor approval and materials, access."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.services import Services
from bot.services.matching import MatchError
from storage import (
    ChangeRequestStatus,
    Channel,
    Database,
    ExclusionKind,
    MatchExclusion,
    MatchProposal,
    MessengerAccount,
    Notification,
    Pair,
    PairChangeRequest,
    PairKind,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    ProposalStatus,
    QuestionnaireAnswer,
)
from tests.answers import ART_MENTOR, ARTIST, MATH_LOVER, MATH_MENTOR
from tests.integration import factories as f
from tests.integration.factories import NOW


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


class Cohort:
    """A student–student program with a curator; mentees and mentors with finished
    questionnaires; one unit of work per call, like the bot."""

    def __init__(self, database: Database, clock: FrozenClock) -> None:
        self.database = database
        self.clock = clock
        self.program_id = 0
        self.curator_id = 0

    async def open(self) -> Cohort:
        async with self.database.transaction() as session:
            org = await f.organization(session)
            prog = await f.program(session, org)
            curator = await f.person(session, org, full_name="Ольга Петровна", grade=None)
            session.add(ProgramCurator(program_id=prog.id, person_id=curator.id, created_at=NOW))
            self.program_id, self.curator_id = prog.id, curator.id
        return self

    @asynccontextmanager
    async def services(self) -> AsyncIterator[Services]:
        async with self.database.transaction() as session:
            yield Services(session, self.clock)

    async def join(
        self,
        role: ParticipantRole,
        answers: dict[str, Any],
        *,
        name: str,
        grade: str,
        capacity: int | None = None,
        approved: bool = True,
        share_contact: bool = False,
    ) -> int:
        key = f"{role.value}-student"
        async with self.database.transaction() as session:
            prog = await session.get_one(Program, self.program_id)
            who = await f.person(session, full_name=name, grade=grade, share_contact=share_contact)
            await f.account(session, who)
            part = await f.participant(session, prog, who, role)
            part.status = ParticipantStatus.READY
            part.questionnaire_key, part.questionnaire_version = key, 1
            part.questionnaire_done_at = NOW
            part.approved = approved and role is ParticipantRole.MENTOR
            part.capacity = capacity if capacity is not None else answers.get("capacity")
            for question_id, value in answers.items():
                session.add(
                    QuestionnaireAnswer(
                        participant_id=part.id,
                        questionnaire_id=key,
                        questionnaire_version=1,
                        question_id=question_id,
                        value=value,
                        answered_at=NOW,
                    )
                )
            return part.id

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        async with self.database.transaction() as session:
            return list(await session.scalars(select(model).where(*where)))

    async def outbox(self, text_id: str) -> list[Notification]:
        return [row for row in await self.rows(Notification) if row.payload["text_id"] == text_id]


@pytest.fixture
async def cohort(database: Database, clock: FrozenClock) -> Cohort:
    return await Cohort(database, clock).open()


async def test_a_run_proposes_the_best_pairs_with_reasons_that_never_name_health(
    cohort: Cohort,
) -> None:
    misha = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Миша", grade="6Б")
    vera = await cohort.join(ParticipantRole.MENTEE, ARTIST, name="Вера", grade="7А")
    dasha = await cohort.join(ParticipantRole.MENTOR, MATH_MENTOR, name="Дарья", grade="10А")
    oleg = await cohort.join(ParticipantRole.MENTOR, ART_MENTOR, name="Олег", grade="9В")
    async with cohort.services() as s:
        summary = await s.matching.run(cohort.curator_id, cohort.program_id)
    assert not isinstance(summary, MatchError)
    assert (summary.mentees, summary.mentors, summary.proposals, summary.unmatched) == (2, 2, 2, 0)
    proposals = await cohort.rows(MatchProposal)
    assert {(p.mentee_participant_id, p.mentor_participant_id) for p in proposals} == {
        (misha, dasha),
        (vera, oleg),
    }
    async with cohort.services() as s:
        views = await s.matching.proposals(cohort.curator_id, cohort.program_id, "ru")
    assert not isinstance(views, MatchError)
    mine = next(v for v in views if v.mentee.participant_id == misha)
    assert mine.score >= 90
    assert mine.reasons is not None
    assert "Увлечения: Спорт, Музыка и пение, Программирование и роботы" in mine.reasons
    assert "Математика" in mine.reasons
    assert "Тихое место" not in mine.reasons  # the health answer counts but is never named
    assert "здоров" not in mine.reasons.lower()


async def test_the_threshold_capacity_and_older_grade_leave_mentees_unmatched(
    cohort: Cohort,
) -> None:
    first = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Миша", grade="6Б")
    second = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Петя", grade="6А")
    older = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Гоша", grade="11А")
    weekends = {**MATH_MENTOR, "availability": ["saturday"]}  # a good pair, not a perfect one
    await cohort.join(ParticipantRole.MENTOR, weekends, name="Дарья", grade="10А", capacity=1)
    async with cohort.services() as s:
        summary = await s.matching.run(cohort.curator_id, cohort.program_id)
        assert not isinstance(summary, MatchError)
        assert (summary.proposals, summary.unmatched, summary.places) == (1, 2, 1)
        unmatched = await s.matching.unmatched(cohort.curator_id, cohort.program_id)
    assert not isinstance(unmatched, MatchError)
    proposed = (await cohort.rows(MatchProposal))[0].mentee_participant_id
    assert proposed in {first, second}
    assert {b.participant_id for b in unmatched} == {first, second, older} - {proposed}
    # A threshold nobody reaches proposes nothing.
    async with cohort.services() as s:
        assert await s.matching.set_threshold(cohort.curator_id, cohort.program_id, 101) is (
            MatchError.INVALID
        )
        assert await s.matching.set_threshold(cohort.curator_id, cohort.program_id, 100) is None
    async with cohort.services() as s:
        summary = await s.matching.run(cohort.curator_id, cohort.program_id)
    assert not isinstance(summary, MatchError)
    assert summary.proposals == 0
    statuses = {p.status for p in await cohort.rows(MatchProposal)}
    assert statuses == {ProposalStatus.SUPERSEDED}


async def test_approval_creates_the_pair_and_introduces_both_sides(cohort: Cohort) -> None:
    misha = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Миша", grade="6Б")
    dasha = await cohort.join(
        ParticipantRole.MENTOR, MATH_MENTOR, name="Дарья", grade="10А", share_contact=True
    )
    async with cohort.services() as s:
        await s.matching.run(cohort.curator_id, cohort.program_id)
    proposal = (await cohort.rows(MatchProposal))[0]
    async with cohort.services() as s:
        assert await s.matching.approve(cohort.curator_id, proposal.id) is None
    async with cohort.services() as s:  # a second tap
        assert await s.matching.approve(cohort.curator_id, proposal.id) is MatchError.DECIDED
    pairs = await cohort.rows(Pair)
    assert [(p.status, p.kind, p.mentor_participant_id) for p in pairs] == [
        (PairStatus.ACTIVE, PairKind.PAIR, dasha)
    ]
    members = await cohort.rows(PairMember)
    assert {(m.participant_id, m.role) for m in members} == {
        (misha, ParticipantRole.MENTEE),
        (dasha, ParticipantRole.MENTOR),
    }
    statuses = {p.id: p.status for p in await cohort.rows(Participant)}
    assert statuses[misha] is statuses[dasha] is ParticipantStatus.MATCHED
    to_mentee = await cohort.outbox("pair-intro-mentee")
    to_mentor = await cohort.outbox("pair-intro-mentor")
    assert len(to_mentee) == len(to_mentor) == 1
    mentee_args = to_mentee[0].payload["args"]
    assert mentee_args["partner"] == "Дарья"
    assert mentee_args["detail"] == "10А"
    assert mentee_args["contact"].startswith("tg://user?id=")  # Дарья allowed sharing
    assert "Математика" in mentee_args["reasons"]
    assert "Тихое" not in mentee_args["reasons"]
    mentor_args = to_mentor[0].payload["args"]
    assert (mentor_args["partner"], mentor_args["contact"]) == ("Миша", "none")


async def test_group_mode_puts_a_mentors_mentees_in_one_group(cohort: Cohort) -> None:
    misha = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Миша", grade="6Б")
    petya = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Петя", grade="6А")
    dasha = await cohort.join(
        ParticipantRole.MENTOR, MATH_MENTOR, name="Дарья", grade="10А", capacity=3
    )
    async with cohort.services() as s:
        assert (
            await s.matching.set_pair_kind(cohort.curator_id, cohort.program_id, PairKind.GROUP)
            is None
        )
    async with cohort.services() as s:
        await s.matching.run(cohort.curator_id, cohort.program_id)
    async with cohort.services() as s:
        assert await s.matching.approve_all(cohort.curator_id, cohort.program_id) == (2, 0)
    pairs = await cohort.rows(Pair)
    assert [(p.kind, p.mentor_participant_id) for p in pairs] == [(PairKind.GROUP, dasha)]
    mentees = {
        m.participant_id for m in await cohort.rows(PairMember) if m.role is ParticipantRole.MENTEE
    }
    assert mentees == {misha, petya}
    assert len(await cohort.outbox("pair-intro-mentor")) == 2


async def test_capacity_holds_when_approving(cohort: Cohort) -> None:
    misha = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Миша", grade="6Б")
    petya = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Петя", grade="6А")
    dasha = await cohort.join(
        ParticipantRole.MENTOR, MATH_MENTOR, name="Дарья", grade="10А", capacity=1
    )
    async with cohort.services() as s:
        first = await s.matching.move(cohort.curator_id, misha, dasha)
        assert isinstance(first, int)
        # The mentor's one place is taken by the open proposal.
        assert await s.matching.move(cohort.curator_id, petya, dasha) is MatchError.FULL
        assert await s.matching.alternatives(cohort.curator_id, petya) == []
        assert await s.matching.approve(cohort.curator_id, first) is None
    async with cohort.services() as s:
        assert await s.matching.move(cohort.curator_id, petya, dasha) is MatchError.FULL


async def test_rejected_pairs_are_not_proposed_again_and_never_pairs_not_even_by_hand(
    cohort: Cohort,
) -> None:
    misha = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Миша", grade="6Б")
    dasha = await cohort.join(ParticipantRole.MENTOR, MATH_MENTOR, name="Дарья", grade="10А")
    sporty = {**ART_MENTOR, "interests": ["art", "sport"]}  # little in common, but something
    oleg = await cohort.join(ParticipantRole.MENTOR, sporty, name="Олег", grade="9В")
    async with cohort.services() as s:
        await s.matching.set_threshold(cohort.curator_id, cohort.program_id, 0)
    async with cohort.services() as s:
        await s.matching.run(cohort.curator_id, cohort.program_id)
    first = (await cohort.rows(MatchProposal))[0]
    assert first.mentor_participant_id == dasha
    async with cohort.services() as s:
        assert await s.matching.reject(cohort.curator_id, first.id) is None
    async with cohort.services() as s:
        await s.matching.run(cohort.curator_id, cohort.program_id)
    open_rows = await cohort.rows(MatchProposal, MatchProposal.status == ProposalStatus.PROPOSED)
    assert [(p.mentee_participant_id, p.mentor_participant_id) for p in open_rows] == [
        (misha, oleg)
    ]
    async with cohort.services() as s:
        assert await s.matching.reject(cohort.curator_id, open_rows[0].id, never=True) is None
    async with cohort.services() as s:
        assert await s.matching.move(cohort.curator_id, misha, oleg) is MatchError.EXCLUDED
        alternatives = await s.matching.alternatives(cohort.curator_id, misha)
        # A rejected mentor may still be chosen by hand; a "never" one may not.
        assert not isinstance(alternatives, MatchError)
        assert [a.mentor.participant_id for a in alternatives] == [dasha]
        moved = await s.matching.move(cohort.curator_id, misha, dasha)
    assert isinstance(moved, int)
    kinds = {(e.mentor_participant_id, e.kind) for e in await cohort.rows(MatchExclusion)}
    assert kinds == {(dasha, ExclusionKind.REJECTED), (oleg, ExclusionKind.NEVER)}
    manual = await cohort.rows(MatchProposal, MatchProposal.id == moved)
    assert manual[0].manual is True


async def test_a_curator_of_another_program_can_do_nothing(cohort: Cohort) -> None:
    misha = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Миша", grade="6Б")
    dasha = await cohort.join(ParticipantRole.MENTOR, MATH_MENTOR, name="Дарья", grade="10А")
    other = await Cohort(cohort.database, cohort.clock).open()
    async with cohort.services() as s:
        await s.matching.run(cohort.curator_id, cohort.program_id)
    proposal = (await cohort.rows(MatchProposal))[0]
    stranger = other.curator_id
    pid = cohort.program_id
    async with cohort.services() as s:
        calls = [
            s.matching.settings(stranger, pid),
            s.matching.set_threshold(stranger, pid, 10),
            s.matching.set_pair_kind(stranger, pid, PairKind.GROUP),
            s.matching.run(stranger, pid),
            s.matching.proposals(stranger, pid, "ru"),
            s.matching.proposal(stranger, proposal.id, "ru"),
            s.matching.unmatched(stranger, pid),
            s.matching.approve(stranger, proposal.id),
            s.matching.approve_all(stranger, pid),
            s.matching.reject(stranger, proposal.id, never=True),
            s.matching.alternatives(stranger, misha),
            s.matching.move(stranger, misha, dasha),
            s.matching.change_requests(stranger, pid),
            s.mentors.mentors(stranger, pid),
            s.mentors.set_approved(stranger, dasha, False),
            s.mentors.materials(stranger, pid),
            s.mentors.add_material(stranger, pid, "Памятка", url="https://example.org"),
        ]
        for call in calls:
            assert await call is MatchError.NOT_ALLOWED
    rows = await cohort.rows(MatchProposal)
    assert [(p.status, p.id) for p in rows] == [(ProposalStatus.PROPOSED, proposal.id)]
    assert await cohort.rows(Pair) == []
    assert await cohort.rows(MatchExclusion) == []


async def test_a_change_request_is_decided_by_the_curator(cohort: Cohort) -> None:
    misha = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Миша", grade="6Б")
    dasha = await cohort.join(ParticipantRole.MENTOR, MATH_MENTOR, name="Дарья", grade="10А")
    async with cohort.services() as s:
        await s.matching.run(cohort.curator_id, cohort.program_id)
    proposal = (await cohort.rows(MatchProposal))[0]
    async with cohort.services() as s:
        await s.matching.approve(cohort.curator_id, proposal.id)
    misha_person = (await cohort.rows(Participant, Participant.id == misha))[0].person_id
    async with cohort.services() as s:
        pairs = await s.matching.my_pairs(misha_person)
        assert [(p.partner, p.role) for p in pairs] == [("Дарья", ParticipantRole.MENTEE)]
        assert await s.matching.request_change(misha_person, pairs[0].pair_id, misha, "  ") is (
            MatchError.INVALID
        )
        request_id = await s.matching.request_change(
            misha_person, pairs[0].pair_id, misha, "Не совпадаем по времени"
        )
        assert isinstance(request_id, int)
        assert (
            await s.matching.request_change(misha_person, pairs[0].pair_id, misha, "Ещё раз")
            is MatchError.DECIDED
        )
    told = await cohort.outbox("change-requested-curator")
    assert [n.recipient_person_id for n in told] == [cohort.curator_id]
    assert told[0].payload["args"]["reason"] == "Не совпадаем по времени"
    async with cohort.services() as s:
        views = await s.matching.change_requests(cohort.curator_id, cohort.program_id)
        assert not isinstance(views, MatchError)
        assert [(v.requester, v.mentor.name) for v in views] == [("Миша", "Дарья")]
        assert await s.matching.decide_change(cohort.curator_id, request_id, approve=True) is None
    async with cohort.services() as s:
        assert await s.matching.decide_change(cohort.curator_id, request_id, approve=False) is (
            MatchError.DECIDED
        )
    pair = (await cohort.rows(Pair))[0]
    assert pair.status is PairStatus.DISSOLVED
    statuses = {p.id: p.status for p in await cohort.rows(Participant)}
    assert statuses[misha] is statuses[dasha] is ParticipantStatus.READY
    exclusion = (await cohort.rows(MatchExclusion))[0]
    assert (exclusion.mentee_participant_id, exclusion.kind) == (misha, ExclusionKind.CHANGE)
    assert len(await cohort.outbox("change-approved")) == 2
    # The pair is not proposed again.
    async with cohort.services() as s:
        summary = await s.matching.run(cohort.curator_id, cohort.program_id)
    assert not isinstance(summary, MatchError)
    assert summary.proposals == 0
    requests = await cohort.rows(MatchProposal, MatchProposal.status == ProposalStatus.PROPOSED)
    assert requests == []
    async with cohort.database.transaction() as session:
        row = await session.get_one(PairChangeRequest, request_id)
        assert row.status is ChangeRequestStatus.APPROVED


async def test_approved_mentors_get_the_training_materials(cohort: Cohort) -> None:
    dasha = await cohort.join(
        ParticipantRole.MENTOR, MATH_MENTOR, name="Дарья", grade="10А", approved=False
    )
    async with cohort.services() as s:
        link = await s.mentors.add_material(
            cohort.curator_id,
            cohort.program_id,
            "Памятка наставника",
            url="https://school.example/memo",
        )
        file = await s.mentors.add_material(
            cohort.curator_id,
            cohort.program_id,
            "Программа обучения",
            file_name="plan.pdf",
            content=b"%PDF-1.4 plan",
            media_type="application/pdf",
        )
        assert (
            await s.mentors.add_material(
                cohort.curator_id, cohort.program_id, "Плохая ссылка", url="javascript:alert(1)"
            )
            is MatchError.INVALID
        )
    assert isinstance(link, int)
    assert isinstance(file, int)
    assert await cohort.outbox("training-material") == []  # nobody approved yet
    async with cohort.services() as s:
        assert await s.mentors.set_approved(cohort.curator_id, dasha, True) is None
        assert await s.mentors.set_approved(cohort.curator_id, dasha, True) is MatchError.DECIDED
    welcome = await cohort.outbox("mentor-approved")
    assert [n.payload["args"]["materials"] for n in welcome] == [2]
    materials = await cohort.outbox("training-material")
    assert sorted(
        (n.payload["args"]["title"], n.payload.get("material_id")) for n in materials
    ) == [
        ("Памятка наставника", None),
        ("Программа обучения", file),
    ]
    async with cohort.services() as s:
        rows = await s.mentors.mentors(cohort.curator_id, cohort.program_id)
    assert not isinstance(rows, MatchError)
    assert [(r.who.name, r.approved, r.capacity, r.load) for r in rows] == [("Дарья", True, 1, 0)]


async def test_a_mentor_without_a_finished_questionnaire_cannot_be_approved(cohort: Cohort) -> None:
    dasha = await cohort.join(
        ParticipantRole.MENTOR, MATH_MENTOR, name="Дарья", grade="10А", approved=False
    )
    async with cohort.database.transaction() as session:
        (await session.get_one(Participant, dasha)).status = ParticipantStatus.ONBOARDING
    async with cohort.services() as s:
        assert await s.mentors.set_approved(cohort.curator_id, dasha, True) is MatchError.NOT_READY
    async with cohort.database.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(Notification))
    assert count == 0


async def test_a_shared_profile_link_is_in_a_messenger_the_reader_uses(cohort: Cohort) -> None:
    misha = await cohort.join(ParticipantRole.MENTEE, MATH_LOVER, name="Миша", grade="6Б")
    dasha = await cohort.join(
        ParticipantRole.MENTOR, MATH_MENTOR, name="Дарья", grade="10А", share_contact=True
    )
    async with cohort.database.transaction() as session:
        mentee = await session.get_one(Participant, misha)
        mentor = await session.get_one(Participant, dasha)
        # Миша reads in VK only; Дарья has Telegram (first) and VK.
        for account in await session.scalars(
            select(MessengerAccount).where(MessengerAccount.person_id == mentee.person_id)
        ):
            account.channel = Channel.VK
        mentor_person = await session.get_one(Person, mentor.person_id)
        await f.account(session, mentor_person, channel=Channel.VK, external_user_id="777")
    async with cohort.services() as s:
        await s.matching.run(cohort.curator_id, cohort.program_id)
    proposal = (await cohort.rows(MatchProposal))[0]
    async with cohort.services() as s:
        assert await s.matching.approve(cohort.curator_id, proposal.id) is None
    [intro] = await cohort.outbox("pair-intro-mentee")
    assert intro.payload["args"]["contact"] == "https://vk.com/id777"
