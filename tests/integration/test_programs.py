"""Programs and invite links on SQLite and PostgreSQL: creating, listing, access, accepting."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.services import InviteLinks, Policy, Services
from bot.services.invitations import AcceptStatus, InviteInfo, InviteState, qr_png
from bot.services.programs import (
    CLI,
    Actor,
    InvalidInputError,
    ProgramDraft,
    ProgramInfo,
    Refusal,
)
from storage import (
    AuditLog,
    Base,
    Database,
    Invitation,
    InvitationRole,
    MentorshipForm,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    ProgramStage,
    RoleModel,
    StaffMember,
    StaffRole,
)
from tests.integration import factories
from tests.integration.factories import NOW

TOKEN_RE = re.compile(r"i_[A-Za-z0-9_-]{30,62}")
DRAFT = ProgramDraft(
    name="Наставничество 2026/27, ученик – ученик",
    form=MentorshipForm.STUDENT_STUDENT,
    role_model=RoleModel.ACHIEVER_UNDERACHIEVER,
    description="Старшеклассники помогают младшим с учёбой.",
    starts_on=date(2026, 9, 1),
    ends_on=date(2027, 5, 31),
)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def policy() -> Policy:
    return Policy(links=InviteLinks("nastavnik_bot", 4242))


@dataclass
class School:
    """Two programs of one school (created by the command line), a coordinator, a curator of
    each, an outsider; and a second school with its own coordinator and program."""

    coordinator: int
    curator_a: int
    curator_b: int
    outsider: int
    other_coordinator: int
    org: int
    other_org: int
    a: int
    b: int
    other: int


async def _school(database: Database, clock: FrozenClock, policy: Policy) -> School:
    async with database.transaction() as session:
        org = await factories.organization(session)
        other_org = await factories.organization(session)
        people = [await factories.person(session, org) for _ in range(5)]
        coordinator, curator_a, curator_b, outsider, other_coordinator = people
        session.add_all(
            [
                StaffMember(organization_id=org_id, person_id=who.id, role=role, created_at=NOW)
                for org_id, who, role in (
                    (org.id, coordinator, StaffRole.COORDINATOR),
                    (org.id, curator_a, StaffRole.CURATOR),
                    (org.id, curator_b, StaffRole.CURATOR),
                    (other_org.id, other_coordinator, StaffRole.COORDINATOR),
                )
            ]
        )
        await session.flush()
        programs = Services(session, clock, policy).programs
        a = await programs.create_program(CLI, org.id, DRAFT)
        draft_b = ProgramDraft(
            "Б", MentorshipForm.TEACHER_TEACHER, RoleModel.INNOVATOR_CONSERVATIVE
        )
        b = await programs.create_program(CLI, org.id, draft_b)
        other = await programs.create_program(CLI, other_org.id, DRAFT)
        assert isinstance(a, ProgramInfo)
        assert isinstance(b, ProgramInfo)
        assert isinstance(other, ProgramInfo)
        session.add_all(
            [
                ProgramCurator(program_id=a.id, person_id=curator_a.id, created_at=NOW),
                ProgramCurator(program_id=b.id, person_id=curator_b.id, created_at=NOW),
            ]
        )
    return School(
        coordinator.id,
        curator_a.id,
        curator_b.id,
        outsider.id,
        other_coordinator.id,
        org.id,
        other_org.id,
        a.id,
        b.id,
        other.id,
    )


@pytest.fixture
async def school(database: Database, clock: FrozenClock, policy: Policy) -> School:
    return await _school(database, clock, policy)


async def _count(database: Database, model: type[Base]) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _counts(database: Database) -> dict[str, int]:
    """How many rows the tables a refused call must not touch have."""
    tables: tuple[type[Base], ...] = (
        Program,
        ProgramStage,
        ProgramCurator,
        StaffMember,
        Invitation,
        Participant,
        AuditLog,
    )
    return {model.__tablename__: await _count(database, model) for model in tables}


# --- organisations and programs -----------------------------------------------------------------


async def test_the_command_line_creates_organisations_and_people_cannot(
    database: Database, clock: FrozenClock, policy: Policy
) -> None:
    async with database.transaction() as session:
        programs = Services(session, clock, policy).programs
        created = await programs.create_organization(" Школа №7 ", "Asia/Yekaterinburg")
        assert not isinstance(created, Refusal)
        assert (created.name, created.timezone) == ("Школа №7", "Asia/Yekaterinburg")
        person = await factories.person(session)
        assert await programs.create_organization("X", "Europe/Moscow", actor=person.id) is (
            Refusal.NOT_ALLOWED
        )
        with pytest.raises(InvalidInputError, match="time zone"):
            await programs.create_organization("X", "Mars/Base")
        with pytest.raises(InvalidInputError, match="name"):
            await programs.create_organization("  ", "Europe/Moscow")
        assert [org.name for org in await programs.organizations(CLI)] == ["Школа №7"]
        assert await programs.organizations(person.id) == []
        audit = (
            await session.scalars(select(AuditLog).where(AuditLog.entity == "organizations"))
        ).one()
        assert (audit.actor, audit.action, audit.entity_id) == (
            "system:cli",
            "organizations.created",
            str(created.id),
        )


async def test_a_program_gets_its_seven_stages_and_an_audit_row(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        stages = list(
            await session.scalars(
                select(ProgramStage)
                .where(ProgramStage.program_id == school.a)
                .order_by(ProgramStage.stage)
            )
        )
        assert [stage.stage for stage in stages] == [1, 2, 3, 4, 5, 6, 7]
        assert stages[0].started_at == NOW
        assert all(stage.started_at is None for stage in stages[1:])
        card = await Services(session, clock, policy).programs.card(school.coordinator, school.a)
        assert not isinstance(card, Refusal)
        program = card.program
        assert (program.name, program.form, program.role_model, int(program.stage)) == (
            DRAFT.name,
            MentorshipForm.STUDENT_STUDENT,
            RoleModel.ACHIEVER_UNDERACHIEVER,
            1,
        )
        assert (program.starts_on, program.ends_on) == (date(2026, 9, 1), date(2027, 5, 31))
        assert card.curators == 1, "the command line does not become a curator"
        assert card.manages_staff
        audit = await session.scalar(
            select(AuditLog).where(
                AuditLog.action == "programs.created", AuditLog.entity_id == str(school.a)
            )
        )
        assert audit is not None
        assert (audit.actor, audit.actor_person_id) == ("system:cli", None)
        assert audit.details is not None
        assert audit.details["role_model"] == "achiever_underachiever"
        assert audit.details["curator"] is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"role_model": RoleModel.PEER_PEER, "form": MentorshipForm.TEACHER_TEACHER}, "fit"),
        ({"ends_on": date(2026, 9, 1)}, "end after"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"form": "unknown"}, "unknown"),
    ],
)
async def test_a_program_that_breaks_a_rule_is_refused(
    database: Database,
    clock: FrozenClock,
    policy: Policy,
    school: School,
    change: dict[str, Any],
    message: str,
) -> None:
    draft = replace(DRAFT, **change)
    async with database.transaction() as session:
        with pytest.raises(InvalidInputError, match=message):
            await Services(session, clock, policy).programs.create_program(
                school.coordinator, school.org, draft
            )


@pytest.mark.parametrize("creator", ["coordinator", "curator_a"])
async def test_coordinators_and_curators_create_programs_they_then_curate(
    database: Database, clock: FrozenClock, policy: Policy, school: School, creator: str
) -> None:
    person = getattr(school, creator)
    async with database.transaction() as session:
        services = Services(session, clock, policy)
        assert [org.id for org in await services.programs.creatable_organizations(person)] == [
            school.org
        ]
        assert await services.programs.may_create(person)
        created = await services.programs.create_program(person, school.org, DRAFT)
        assert isinstance(created, ProgramInfo)
        assert created.organization_id == school.org
        assert await session.get(ProgramCurator, (created.id, person)) is not None
        assert created.id in {program.id for program in await services.programs.visible(person)}
        card = await services.programs.card(person, created.id)
        assert not isinstance(card, Refusal)
        assert card.curators == 1
        assert card.manages_staff is (creator == "coordinator")
        link = await services.invitations.shared(person, created.id, InvitationRole.MENTEE)
        assert isinstance(link, InviteInfo)
        audit = await session.scalar(
            select(AuditLog).where(
                AuditLog.action == "programs.created", AuditLog.entity_id == str(created.id)
            )
        )
        assert audit is not None
        assert audit.actor_person_id == person
        assert audit.details is not None
        assert audit.details["curator"] == person
        # The curator of another program sees nothing of the new one.
        assert await services.programs.card(school.curator_b, created.id) is Refusal.NOT_ALLOWED
        assert created.id not in {p.id for p in await services.programs.visible(school.curator_b)}


async def test_a_curator_in_two_organisations_chooses_where_to_create(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        session.add(
            StaffMember(
                organization_id=school.other_org,
                person_id=school.curator_a,
                role=StaffRole.CURATOR,
                created_at=NOW,
            )
        )
        await session.flush()
        programs = Services(session, clock, policy).programs
        organizations = await programs.creatable_organizations(school.curator_a)
        assert [org.id for org in organizations] == [school.org, school.other_org]
        created = await programs.create_program(school.curator_a, school.other_org, DRAFT)
        assert isinstance(created, ProgramInfo)
        assert created.organization_id == school.other_org


async def test_nobody_else_creates_programs(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        program = await session.get_one(Program, school.a)
        participant = await factories.person(session)
        await factories.participant(session, program, participant)
        psychologist = await factories.person(session)
        session.add(
            StaffMember(
                organization_id=school.org,
                person_id=psychologist.id,
                role=StaffRole.PSYCHOLOGIST,
                created_at=NOW,
            )
        )
    before = await _counts(database)
    async with database.transaction() as session:
        programs = Services(session, clock, policy).programs
        for person in (participant.id, psychologist.id, school.outsider):
            assert not await programs.may_create(person)
            assert await programs.creatable_organizations(person) == []
            assert await programs.create_program(person, school.org, DRAFT) is Refusal.NOT_ALLOWED
        # Staff of one organisation create nothing in another.
        for person in (school.curator_a, school.coordinator):
            refused = await programs.create_program(person, school.other_org, DRAFT)
            assert refused is Refusal.NOT_ALLOWED
        assert await programs.create_program(school.other_coordinator, school.org, DRAFT) is (
            Refusal.NOT_ALLOWED
        )
        assert await programs.create_program(school.coordinator, 9999, DRAFT) is Refusal.NOT_FOUND
    assert await _counts(database) == before


async def test_each_person_sees_the_programs_they_oversee(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        programs = Services(session, clock, policy).programs

        async def ids(actor: Actor, org: int | None = None) -> set[int]:
            return {program.id for program in await programs.visible(actor, org)}

        assert await ids(school.curator_a) == {school.a}
        assert await ids(school.curator_b) == {school.b}
        assert await ids(school.coordinator) == {school.a, school.b}
        assert await ids(school.other_coordinator) == {school.other}
        assert await ids(school.outsider) == set()
        assert await ids(CLI) == {school.a, school.b, school.other}
        assert await ids(CLI, school.other_org) == {school.other}
        assert await ids(school.coordinator, school.other_org) == set()
        assert await programs.is_staff(school.curator_a)
        assert not await programs.is_coordinator(school.curator_a)
        assert await programs.is_coordinator(school.coordinator)
        assert not await programs.is_staff(school.outsider)


@pytest.mark.parametrize("who", ["curator_a", "participant_a"])
async def test_a_curator_or_participant_of_a_can_neither_see_nor_change_b(
    database: Database, clock: FrozenClock, policy: Policy, school: School, who: str
) -> None:
    """Every call that takes a program id, a link or a page, tried on program B by the curator
    of A and by a mentee of A: refused, nothing written, not even an audit row."""
    async with database.transaction() as session:
        services = Services(session, clock, policy)
        b_link = await services.invitations.issue(school.curator_b, school.b, InvitationRole.MENTEE)
        b_staff_link = await services.invitations.issue(
            school.coordinator, school.b, InvitationRole.CURATOR
        )
        assert isinstance(b_link, InviteInfo)
        assert isinstance(b_staff_link, InviteInfo)
        mentee = await factories.person(session)
        await factories.participant(session, await session.get_one(Program, school.a), mentee)
        pupil = await factories.person(session, full_name="Ученик программы Б")
        await factories.participant(session, await session.get_one(Program, school.b), pupil)
    me = school.curator_a if who == "curator_a" else mentee.id
    before = await _counts(database)
    async with database.transaction() as session:
        services = Services(session, clock, policy)
        programs, invitations = services.programs, services.invitations
        b, mentee_role, mentor_role = school.b, InvitationRole.MENTEE, InvitationRole.MENTOR
        refused = [
            await programs.card(me, b),
            await programs.joined(me, b),
            await programs.joined(me, b, offset=10, limit=10),
            await programs.joined(me, b, role=ParticipantRole.MENTOR),
            await programs.create_program(me, school.other_org, DRAFT),
            await invitations.issue(me, b, mentee_role),
            await invitations.issue(me, b, mentor_role),
            await invitations.issue(me, b, InvitationRole.CURATOR),
            await invitations.shared(me, b, mentee_role),
            await invitations.shared(me, b, mentor_role),
            await invitations.shared(me, b, InvitationRole.CURATOR),
            await invitations.replace(me, b, mentee_role),
            await invitations.replace(me, b, mentor_role),
            await invitations.for_program(me, b),
            await invitations.find(me, b_link.token),
            await invitations.find(me, b_staff_link.token),
            await invitations.revoke(me, b_link.token),
            await invitations.revoke(me, b_staff_link.token),
            await invitations.invite_coordinator(me, school.org),
            # Curators hand out participant links of their own program, not staff links.
            await invitations.issue(me, school.a, InvitationRole.CURATOR),
            await invitations.shared(me, school.a, InvitationRole.CURATOR),
        ]
        if who == "participant_a":
            refused += [
                await programs.card(me, school.a),
                await programs.joined(me, school.a),
                await programs.create_program(me, school.org, DRAFT),
                await invitations.shared(me, school.a, mentee_role),
                await invitations.replace(me, school.a, mentor_role),
                await invitations.for_program(me, school.a),
            ]
        assert refused == [Refusal.NOT_ALLOWED] * len(refused)
        visible = {program.id for program in await programs.visible(me)}
        assert visible == ({school.a} if who == "curator_a" else set())
        assert await programs.visible(me, school.other_org) == []
        assert await programs.card(me, 9999) is Refusal.NOT_FOUND
        assert await invitations.revoke(me, "i_nothing") is Refusal.NOT_FOUND
    assert await _counts(database) == before
    async with database.transaction() as session:
        revoked = await session.scalars(
            select(Invitation.revoked_at).where(
                Invitation.token.in_([b_link.token, b_staff_link.token])
            )
        )
        assert list(revoked) == [None, None]


async def test_a_person_who_lost_the_role_is_refused(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        curator = await session.get_one(ProgramCurator, (school.a, school.curator_a))
        await session.delete(curator)
        staff = await session.scalar(
            select(StaffMember).where(StaffMember.person_id == school.coordinator)
        )
        await session.delete(staff)
    async with database.transaction() as session:
        services = Services(session, clock, policy)
        assert await services.programs.card(school.curator_a, school.a) is Refusal.NOT_ALLOWED
        assert await services.programs.visible(school.coordinator) == []
        assert (
            await services.invitations.issue(school.coordinator, school.a, InvitationRole.MENTEE)
            is Refusal.NOT_ALLOWED
        )


async def test_card_counts_and_joined_pages(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        program = await session.get_one(Program, school.a)
        for index in range(12):
            person = await factories.person(session, full_name=f"Ученик {index:02}")
            part = await factories.participant(session, program, person)
            part.status = ParticipantStatus.READY if index < 5 else ParticipantStatus.ONBOARDING
        mentor = await factories.person(session, full_name="Дарья")
        await factories.participant(session, program, mentor, ParticipantRole.MENTOR)
    async with database.transaction() as session:
        programs = Services(session, clock, policy).programs
        card = await programs.card(school.curator_a, school.a)
        assert not isinstance(card, Refusal)
        assert card.counts[ParticipantRole.MENTEE] == {
            ParticipantStatus.ONBOARDING: 7,
            ParticipantStatus.READY: 5,
        }
        assert card.total(ParticipantRole.MENTEE) == 12
        assert card.total(ParticipantRole.MENTOR) == 1
        assert not card.manages_staff
        first = await programs.joined(school.curator_a, school.a, limit=10)
        assert not isinstance(first, Refusal)
        assert (first.total, first.offset, len(first.people)) == (13, 0, 10)
        assert first.has_next
        assert not first.has_previous
        assert [p.name for p in first.people[:2]] == ["Ученик 00", "Ученик 01"]
        last = await programs.joined(school.curator_a, school.a, offset=10, limit=10)
        assert not isinstance(last, Refusal)
        assert [p.name for p in last.people] == ["Ученик 10", "Ученик 11", "Дарья"]
        assert last.has_previous
        assert not last.has_next
        beyond = await programs.joined(school.curator_a, school.a, offset=50, limit=10)
        assert not isinstance(beyond, Refusal)
        assert beyond.offset == 10, "a page past the end shows the last one"
        mentors = await programs.joined(school.curator_a, school.a, role=ParticipantRole.MENTOR)
        assert not isinstance(mentors, Refusal)
        assert [p.name for p in mentors.people] == ["Дарья"]


# --- invite links --------------------------------------------------------------------------------


async def test_links_are_unguessable_tokens_with_telegram_and_vk_addresses(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        invitations = Services(session, clock, policy).invitations
        issued = [
            await invitations.issue(school.curator_a, school.a, InvitationRole.MENTEE)
            for _ in range(20)
        ]
        tokens = {invite.token for invite in issued if isinstance(invite, InviteInfo)}
        assert len(tokens) == 20
        for token in tokens:
            assert TOKEN_RE.fullmatch(token), token
            assert len(token) <= 64
        invite = issued[0]
        assert isinstance(invite, InviteInfo)
        assert invite.telegram == f"https://t.me/nastavnik_bot?start={invite.token}"
        assert invite.vk == f"https://vk.me/club4242?ref={invite.token}"
        assert (invite.state, invite.uses, invite.max_uses, invite.expires_at) == (
            InviteState.ACTIVE,
            0,
            None,
            None,
        )
        unknown = Services(session, clock, Policy()).invitations
        plain = await unknown.find(CLI, invite.token)
        assert isinstance(plain, InviteInfo)
        assert (plain.telegram, plain.vk) == (None, None)
        audit = await session.scalar(
            select(func.count()).where(AuditLog.action == "invitations.issued")
        )
        assert audit == 20


async def test_shared_links_are_reused_and_replacing_revokes_the_old_one(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        invitations = Services(session, clock, policy).invitations
        first = await invitations.shared(school.curator_a, school.a, InvitationRole.MENTEE)
        again = await invitations.shared(school.coordinator, school.a, InvitationRole.MENTEE)
        mentor = await invitations.shared(school.curator_a, school.a, InvitationRole.MENTOR)
        assert isinstance(first, InviteInfo)
        assert isinstance(again, InviteInfo)
        assert isinstance(mentor, InviteInfo)
        assert first.token == again.token
        assert mentor.token != first.token
        fresh = await invitations.replace(school.curator_a, school.a, InvitationRole.MENTEE)
        assert isinstance(fresh, InviteInfo)
        assert fresh.token != first.token
        old = await invitations.find(school.curator_a, first.token)
        assert isinstance(old, InviteInfo)
        assert old.state is InviteState.REVOKED
        still = await invitations.find(school.curator_a, mentor.token)
        assert isinstance(still, InviteInfo)
        assert still.state is InviteState.ACTIVE
        personal = [
            await invitations.shared(school.coordinator, school.a, InvitationRole.CURATOR)
            for _ in range(2)
        ]
        tokens = {invite.token for invite in personal if isinstance(invite, InviteInfo)}
        assert len(tokens) == 2, "curator links are personal: a new one each time"
        listed = await invitations.for_program(school.curator_a, school.a)
        assert isinstance(listed, list)
        assert {invite.role for invite in listed} == {InvitationRole.MENTEE, InvitationRole.MENTOR}
        listed = await invitations.for_program(school.coordinator, school.a)
        assert isinstance(listed, list)
        assert InvitationRole.CURATOR in {invite.role for invite in listed}
        curator_link = next(i for i in listed if i.role is InvitationRole.CURATOR)
        assert curator_link.max_uses == 1


async def test_accepting_each_kind_of_link(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        services = Services(session, clock, policy)
        invitations = services.invitations
        mentee = await invitations.issue(school.curator_a, school.a, InvitationRole.MENTEE)
        mentor = await invitations.issue(school.curator_a, school.a, InvitationRole.MENTOR)
        curator = await invitations.issue(
            school.coordinator, school.a, InvitationRole.CURATOR, max_uses=1
        )
        coordinator = await invitations.invite_coordinator(CLI, school.org)
        assert isinstance(mentee, InviteInfo)
        assert isinstance(mentor, InviteInfo)
        assert isinstance(curator, InviteInfo)
        assert isinstance(coordinator, InviteInfo)
        misha = await factories.person(session)
        darya = await factories.person(session)
        olga = await factories.person(session)
        sergey = await factories.person(session)

        joined = await invitations.accept(misha.id, mentee.token)
        assert joined.status is AcceptStatus.JOINED
        assert (joined.role, joined.program_id, joined.program) == (
            InvitationRole.MENTEE,
            school.a,
            DRAFT.name,
        )
        assert joined.participant_status is ParticipantStatus.ONBOARDING
        participant = await session.get_one(Participant, joined.participant_id)
        assert (participant.person_id, participant.role, participant.status) == (
            misha.id,
            ParticipantRole.MENTEE,
            ParticipantStatus.ONBOARDING,
        )
        again = await invitations.accept(misha.id, mentee.token)
        assert again.status is AcceptStatus.ALREADY
        assert again.participant_id == joined.participant_id
        found = await invitations.find(CLI, mentee.token)
        assert isinstance(found, InviteInfo)
        assert found.uses == 1

        as_mentor = await invitations.accept(darya.id, mentor.token)
        assert as_mentor.status is AcceptStatus.JOINED
        assert as_mentor.role is InvitationRole.MENTOR

        appointed = await invitations.accept(olga.id, curator.token)
        assert appointed.status is AcceptStatus.JOINED
        assert await session.get(ProgramCurator, (school.a, olga.id)) is not None
        assert await services.programs.visible(olga.id) != []
        assert await invitations.accept(olga.id, curator.token) == appointed.__class__(
            AcceptStatus.ALREADY,
            role=InvitationRole.CURATOR,
            organization_id=school.org,
            organization=appointed.organization,
            program_id=school.a,
            program=DRAFT.name,
        )
        used_up = await invitations.accept(sergey.id, curator.token)
        assert used_up.status is AcceptStatus.USED_UP
        assert await session.get(ProgramCurator, (school.a, sergey.id)) is None

        made = await invitations.accept(sergey.id, coordinator.token)
        assert made.status is AcceptStatus.JOINED
        assert made.role is InvitationRole.COORDINATOR
        assert made.program_id is None
        assert await services.programs.is_coordinator(sergey.id)
        roles = set(
            await session.scalars(select(StaffMember.role).where(StaffMember.person_id == olga.id))
        )
        assert roles == {StaffRole.CURATOR}
        assert (await session.get_one(Person, misha.id)).organization_id is not None
        accepted = await session.scalar(
            select(func.count()).where(AuditLog.action == "invitations.accepted")
        )
        assert accepted == 4


async def test_links_that_do_not_work_say_why(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        invitations = Services(session, clock, policy).invitations
        expiring = await invitations.issue(
            school.curator_a, school.a, InvitationRole.MENTEE, expires_in=timedelta(days=3)
        )
        revoked = await invitations.issue(school.curator_a, school.a, InvitationRole.MENTOR)
        assert isinstance(expiring, InviteInfo)
        assert isinstance(revoked, InviteInfo)
        assert isinstance(await invitations.revoke(school.curator_a, revoked.token), InviteInfo)
        people = [await factories.person(session) for _ in range(3)]
        clock.advance(timedelta(days=3))
        assert (await invitations.accept(people[0].id, expiring.token)).status is (
            AcceptStatus.EXPIRED
        )
        assert (await invitations.accept(people[1].id, revoked.token)).status is (
            AcceptStatus.REVOKED
        )
        assert (await invitations.accept(people[2].id, "i_no-such-link")).status is (
            AcceptStatus.UNKNOWN
        )
        assert await session.scalar(select(func.count()).select_from(Participant)) == 0
        with pytest.raises(InvalidInputError):
            await invitations.issue(CLI, school.a, InvitationRole.MENTEE, max_uses=0)
        with pytest.raises(InvalidInputError):
            await invitations.issue(CLI, school.a, InvitationRole.COORDINATOR)


async def test_a_participant_who_left_joins_anew_others_keep_their_status(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        invitations = Services(session, clock, policy).invitations
        link = await invitations.issue(school.curator_a, school.a, InvitationRole.MENTEE)
        assert isinstance(link, InviteInfo)
        person = await factories.person(session)
        first = await invitations.accept(person.id, link.token)
        participant = await session.get_one(Participant, first.participant_id)
        participant.status = ParticipantStatus.LEFT
        back = await invitations.accept(person.id, link.token)
        assert back.status is AcceptStatus.JOINED
        assert back.participant_id == first.participant_id
        assert participant.status is ParticipantStatus.ONBOARDING
        # One who declined or was removed keeps that status: onboarding (or the curator) decides.
        for status in (ParticipantStatus.DECLINED, ParticipantStatus.REMOVED):
            participant.status = status
            kept = await invitations.accept(person.id, link.token)
            assert (kept.status, kept.participant_status) == (AcceptStatus.ALREADY, status)
        found = await invitations.find(CLI, link.token)
        assert isinstance(found, InviteInfo)
        assert found.uses == 2


async def test_two_people_racing_for_the_last_use(
    database: Database, clock: FrozenClock, policy: Policy, school: School
) -> None:
    async with database.transaction() as session:
        link = await Services(session, clock, policy).invitations.issue(
            CLI, school.a, InvitationRole.MENTEE, max_uses=1
        )
        assert isinstance(link, InviteInfo)
        people = [(await factories.person(session)).id for _ in range(2)]

    async def accept(person_id: int) -> AcceptStatus:
        async with database.transaction() as session:
            result = await Services(session, clock, policy).invitations.accept(
                person_id, link.token
            )
            return result.status

    statuses = sorted(await asyncio.gather(*(accept(person) for person in people)))
    assert statuses == [AcceptStatus.JOINED, AcceptStatus.USED_UP]
    assert await _count(database, Participant) == 1


def test_qr_code_is_a_png() -> None:
    png = qr_png("https://t.me/nastavnik_bot?start=i_abc")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == height >= 400, "big enough to print"
