"""EnrolmentService on SQLite and PostgreSQL: own and parental consent, links, reminders,
revocation with erasure, /delete_me, the privacy report."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.services import InviteLinks, Policy, Services
from bot.services.enrolment import (
    LinkStatus,
    Next,
    ParentLink,
    RevokeStatus,
    text_hash,
)
from bot.services.questionnaires import reminder_key as questionnaire_reminder
from storage import (
    AuditLog,
    Channel,
    Consent,
    ConsentLink,
    ConsentLinkStatus,
    ConsentRelation,
    ConsentStatus,
    Database,
    DialogState,
    Feedback,
    FeedbackKind,
    LinkCode,
    MentorshipForm,
    MessengerAccount,
    Notification,
    NotificationStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    ProgramCurator,
    QuestionnaireAnswer,
    StaffMember,
    StaffRole,
)
from tests.integration import factories as f
from tests.integration.factories import NOW

SHOWN = text_hash("the consent text as shown")
POLICY = Policy(links=InviteLinks(telegram_username="nastavnik_bot", vk_group_id=77))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


class School:
    """One program with a curator; people join it; one unit of work per call, like the bot."""

    def __init__(self, database: Database, clock: FrozenClock) -> None:
        self.database = database
        self.clock = clock
        self.program_id = 0
        self.curator_id = 0

    async def open(self, form: MentorshipForm = MentorshipForm.STUDENT_STUDENT) -> School:
        async with self.database.transaction() as session:
            org = await f.organization(session)
            prog = await f.program(session, org)
            prog.form = form
            prog.ends_on = date(2026, 5, 31)
            curator = await f.person(session, org, full_name="Ольга Петровна")
            session.add(ProgramCurator(program_id=prog.id, person_id=curator.id, created_at=NOW))
            self.program_id, self.curator_id = prog.id, curator.id
        return self

    @asynccontextmanager
    async def services(self) -> AsyncIterator[Services]:
        async with self.database.transaction() as session:
            yield Services(session, self.clock, POLICY)

    async def someone(self, user_id: str, channel: Channel = Channel.TELEGRAM) -> tuple[int, int]:
        """A person with an account and its dialog state, as the bot keeps: (person, account)."""
        async with self.database.transaction() as session:
            who = await f.person(session, full_name=None, grade=None)
            account = await f.account(session, who, channel=channel, external_user_id=user_id)
            session.add(
                DialogState(
                    channel=channel,
                    external_user_id=user_id,
                    person_id=who.id,
                    state={"format": 1},
                    revision=1,
                    updated_at=NOW,
                )
            )
            return who.id, account.id

    async def invite(self, person_id: int, role: ParticipantRole = ParticipantRole.MENTEE) -> int:
        async with self.database.transaction() as session:
            who = await session.get_one(Person, person_id)
            part = Participant(
                program_id=self.program_id,
                person_id=who.id,
                role=role,
                status=ParticipantStatus.ONBOARDING,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(part)
            await session.flush()
            return part.id

    async def student(self, person_id: int, pid: int, born: date) -> Next:
        async with self.services() as s:
            await s.enrolment.save_profile(person_id, pid, "full_name", "Миша Иванов")
            await s.enrolment.save_profile(person_id, pid, "grade", "6Б")
            e = await s.enrolment.save_profile(person_id, pid, "birth_date", born)
            return e.next

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        async with self.database.sessions() as session:
            return list(await session.scalars(select(model).where(*where).order_by(model.id)))

    async def count(self, model: Any, *where: Any) -> int:
        async with self.database.sessions() as session:
            query = select(func.count()).select_from(model).where(*where)
            return int(await session.scalar(query) or 0)


@pytest.fixture
async def school(database: Database, clock: FrozenClock) -> School:
    return await School(database, clock).open()


async def minor_waiting(school: School, user_id: str = "100") -> tuple[int, int, ParentLink]:
    child, _ = await school.someone(user_id)
    pid = await school.invite(child)
    assert await school.student(child, pid, date(2013, 3, 14)) is Next.PARENT_CONSENT
    async with school.services() as s:
        link = await s.enrolment.request_parent_consent(child, pid)
    return child, pid, link


async def decide(
    school: School, token: str, parent: tuple[int, int], *, granted: bool = True
) -> LinkStatus:
    async with school.services() as s:
        request = await s.enrolment.decide_as_parent(
            token,
            parent_id=parent[0],
            account_id=parent[1],
            channel=Channel.VK,
            signer_name="Елена Иванова" if granted else None,
            granted=granted,
            text_hash=SHOWN,
        )
        return request.status


async def test_an_adult_consents_fills_the_profile_and_is_ready(school: School) -> None:
    await school.open(MentorshipForm.TEACHER_STUDENT)
    teacher, account = await school.someone("1")
    pid = await school.invite(teacher, ParticipantRole.MENTOR)
    async with school.services() as s:
        e = await s.enrolment.begin(teacher, pid)
        assert e.next is Next.OWN_CONSENT
        with pytest.raises(ValueError, match="not asked"):
            await s.enrolment.save_profile(teacher, pid, "grade", "6Б")
        e = await s.enrolment.decide_own(
            teacher,
            pid,
            granted=True,
            account_id=account,
            channel=Channel.TELEGRAM,
            text_hash=SHOWN,
        )
        assert e.next is Next.FULL_NAME
        again = await s.enrolment.decide_own(
            teacher,
            pid,
            granted=False,
            account_id=account,
            channel=Channel.TELEGRAM,
            text_hash=SHOWN,
        )
        assert again.status is ParticipantStatus.ONBOARDING, "a decided consent is not re-asked"
        for field, value in (("full_name", "Дарья  Смирнова"), ("subject", "Физика")):
            await s.enrolment.save_profile(teacher, pid, field, value)
        e = await s.enrolment.save_profile(teacher, pid, "position", "Учитель")
        with pytest.raises(ValueError, match="not asked"):
            await s.enrolment.save_profile(teacher, pid, "birth_date", date(1990, 1, 1))
        assert e.next is Next.QUESTIONNAIRE
        e = await s.enrolment.complete(teacher, pid, questionnaire_done=True)
    assert (e.status, e.full_name) == (ParticipantStatus.READY, "Дарья Смирнова")
    rows = await school.rows(Consent)
    assert [(r.relation, r.status, r.text_version, r.text_hash) for r in rows] == [
        (ConsentRelation.SELF, ConsentStatus.GRANTED, "self-v2", SHOWN)
    ] * 2
    assert rows[0].valid_until is not None
    assert rows[0].valid_until.date() == date(2026, 5, 31)
    [ready] = await school.rows(Notification)
    assert (ready.recipient_person_id, ready.payload["text_id"]) == (
        school.curator_id,
        "enrolment-curator-ready",
    )
    assert (await school.rows(Participant, Participant.id == pid))[0].questionnaire_done_at == NOW


async def test_someone_elses_participation(school: School) -> None:
    owner, _ = await school.someone("1")
    stranger, _ = await school.someone("2")
    pid = await school.invite(owner)
    async with school.services() as s:
        assert await s.enrolment.enrolment(stranger, pid) is None
        with pytest.raises(LookupError):
            await s.enrolment.save_profile(stranger, pid, "full_name", "Чужой Человек")
        with pytest.raises(LookupError):
            await s.enrolment.complete(stranger, pid, questionnaire_done=False)


async def test_a_minor_waits_for_a_parent_who_agrees_once(
    school: School, clock: FrozenClock
) -> None:
    child, pid, link = await minor_waiting(school)
    assert link.token.startswith("c_")
    assert link.telegram == f"https://t.me/nastavnik_bot?start={link.token}"
    assert link.vk == f"https://vk.me/club77?ref={link.token}"
    # Seven days on, to the end of that day in Moscow (the school's zone): 00:00 MSK on 9.09.
    assert link.expires_at == datetime(2025, 9, 8, 21, 0, tzinfo=UTC)
    assert link.last_day == date(2025, 9, 8)
    [reminder] = await school.rows(Notification)
    assert (reminder.key, reminder.recipient_person_id, reminder.due_at) == (
        f"consent-reminder:{pid}:1",
        child,
        NOW + timedelta(days=3),
    )
    async with school.services() as s:
        again = await s.enrolment.parent_link(child, pid)
        assert again.token == link.token, "the valid link is shown again"
        with pytest.raises(ValueError, match="consent_pending"):
            await s.enrolment.save_profile(child, pid, "birth_date", date(2000, 1, 1))

    mother = await school.someone("200", Channel.VK)
    async with school.services() as s:
        request = await s.enrolment.parent_request(link.token, mother[0])
        assert (request.status, request.child, request.grade) == (
            LinkStatus.VALID,
            "Миша Иванов",
            "6Б",
        )
        own = await s.enrolment.parent_request(link.token, child)
        assert own.status is LinkStatus.OWN
        assert own.child is None
    clock.advance(timedelta(hours=1))
    assert await decide(school, link.token, mother) is LinkStatus.VALID
    assert await decide(school, link.token, mother) is LinkStatus.USED

    rows = await school.rows(Consent)
    assert [(r.relation, r.status, r.given_by_person_id, r.given_by_account_id) for r in rows] == [
        (ConsentRelation.PARENT, ConsentStatus.GRANTED, mother[0], mother[1])
    ] * 2
    assert rows[0].decided_at == clock.now()
    [used] = await school.rows(ConsentLink)
    assert (used.status, used.used_by_person_id) == (ConsentLinkStatus.USED, mother[0])
    notes = await school.rows(Notification)
    assert [(n.payload["text_id"], n.status) for n in notes] == [
        ("consent-reminder", NotificationStatus.SKIPPED),
        ("consent-granted-notice", NotificationStatus.PENDING),
        ("consent-curator-granted", NotificationStatus.PENDING),
    ]
    async with school.services() as s:
        e = await s.enrolment.enrolment(child, pid)
        assert e is not None
        assert (e.status, e.next, e.parent) == (
            ParticipantStatus.ONBOARDING,
            Next.QUESTIONNAIRE,
            ConsentStatus.GRANTED,
        )


async def test_two_parents_deciding_at_once_leave_one_decision(school: School) -> None:
    _, _, link = await minor_waiting(school)
    mother = await school.someone("200", Channel.VK)
    father = await school.someone("201", Channel.TELEGRAM)
    statuses = await asyncio.gather(
        decide(school, link.token, mother),
        decide(school, link.token, father, granted=False),
    )
    assert sorted(statuses) == sorted([LinkStatus.VALID, LinkStatus.USED])
    rows = await school.rows(Consent)
    assert len(rows) == 2
    assert len({(r.status, r.given_by_person_id) for r in rows}) == 1


async def test_expired_unknown_and_renewed_links_change_nothing(
    school: School, clock: FrozenClock
) -> None:
    child, pid, link = await minor_waiting(school)
    mother = await school.someone("200", Channel.VK)
    assert await decide(school, "c_unknown", mother) is LinkStatus.UNKNOWN
    assert await decide(school, "not-a-consent-link", mother) is LinkStatus.UNKNOWN
    clock.advance(link.expires_at - clock.now())  # midnight at the school after 7 days
    assert await decide(school, link.token, mother) is LinkStatus.EXPIRED
    assert await school.count(Consent) == 0
    [expired] = await school.rows(ConsentLink)
    assert expired.status is ConsentLinkStatus.EXPIRED
    async with school.services() as s:
        fresh = await s.enrolment.parent_link(child, pid)
        renewed = await s.enrolment.parent_link(child, pid, renew=True)
    assert len({link.token, fresh.token, renewed.token}) == 3
    assert await decide(school, fresh.token, mother) is LinkStatus.EXPIRED
    assert await decide(school, renewed.token, mother) is LinkStatus.VALID


async def test_a_refusal_declines_and_rejoining_asks_again(school: School) -> None:
    child, pid, link = await minor_waiting(school)
    mother = await school.someone("200", Channel.VK)
    assert await decide(school, link.token, mother, granted=False) is LinkStatus.VALID
    async with school.services() as s:
        e = await s.enrolment.enrolment(child, pid)
        assert e is not None
        assert (e.status, e.next, e.parent) == (
            ParticipantStatus.DECLINED,
            Next.DECLINED,
            ConsentStatus.REFUSED,
        )
        e = await s.enrolment.rejoin(child, pid)
        assert e.next is Next.PARENT_CONSENT
        again = await s.enrolment.request_parent_consent(child, pid)
    assert again.token != link.token
    assert await school.count(Notification, Notification.key.like("consent-reminder:%")) == 1


async def test_parent_revocation_erases_the_child_but_keeps_the_log(school: School) -> None:
    child, pid, link = await minor_waiting(school)
    await school.someone("101", Channel.VK)  # someone else, untouched
    async with school.database.transaction() as session:
        vk = await f.account(session, await session.get_one(Person, child), channel=Channel.VK)
        session.add(
            DialogState(
                channel=Channel.VK,
                external_user_id=vk.external_user_id,
                person_id=child,
                state={},
                revision=1,
                updated_at=NOW,
            )
        )
        session.add(LinkCode(person_id=child, code="123456", channel=Channel.VK, expires_at=NOW))
        session.add_all(
            [
                QuestionnaireAnswer(
                    participant_id=pid,
                    questionnaire_id="mentee",
                    questionnaire_version=1,
                    question_id="q1",
                    value=["математика"],
                ),
                Feedback(participant_id=pid, kind=FeedbackKind.PULSE, rating=5, comment="ок"),
            ]
        )
    mother = await school.someone("200", Channel.VK)
    await decide(school, link.token, mother)
    async with school.services() as s:
        [given] = await s.enrolment.given(mother[0])
        assert (given.subject_name, given.status) == ("Миша Иванов", ConsentStatus.GRANTED)
        wrong = await s.enrolment.revoke(
            child,
            subject_id=child,
            program_id=school.program_id,
            relation=ConsentRelation.PARENT,
            account_id=1,
            channel=Channel.TELEGRAM,
            text_hash=None,
        )
        assert wrong.status is RevokeStatus.NOT_FOUND, "only the one who consented revokes"
        result = await s.enrolment.revoke(
            mother[0],
            subject_id=child,
            program_id=school.program_id,
            relation=ConsentRelation.PARENT,
            account_id=mother[1],
            channel=Channel.VK,
            text_hash=SHOWN,
        )
    assert (result.status, result.subject_name, result.erased) == (
        RevokeStatus.REVOKED,
        "Миша Иванов",
        True,
    )
    erased = (await school.rows(Person, Person.id == child))[0]
    assert erased.anonymized_at == NOW
    assert [erased.full_name, erased.birth_date, erased.grade, erased.organization_id] == [None] * 4
    for model, column in (
        (MessengerAccount, MessengerAccount.person_id),
        (DialogState, DialogState.person_id),
        (LinkCode, LinkCode.person_id),
    ):
        assert await school.count(model, column == child) == 0, model
    assert await school.count(QuestionnaireAnswer) == 0
    assert await school.count(Feedback) == 0
    assert await school.count(DialogState) == 2, "the mother's and the stranger's stay"
    statuses = [r.status for r in await school.rows(Consent, Consent.subject_person_id == child)]
    assert statuses == [ConsentStatus.GRANTED] * 2 + [ConsentStatus.REVOKED] * 2
    assert (await school.rows(Participant, Participant.id == pid))[0].status is (
        ParticipantStatus.LEFT
    )
    pending_for_child = await school.count(
        Notification,
        Notification.recipient_person_id == child,
        Notification.status == NotificationStatus.PENDING,
    )
    assert pending_for_child == 0
    [revoked] = await school.rows(Notification, Notification.key.like("consent-revoked:%"))
    assert revoked.recipient_person_id == school.curator_id
    async with school.services() as s:
        [given] = await s.enrolment.given(mother[0])
        assert (given.subject_name, given.status) == (None, ConsentStatus.REVOKED)
    actions = {row.action for row in await school.rows(AuditLog)}
    assert {"consent.revoked", "person.erased"} <= actions


async def test_revoking_for_one_program_keeps_a_child_who_takes_part_in_another(
    school: School,
) -> None:
    child, _, link = await minor_waiting(school)
    mother = await school.someone("200", Channel.VK)
    await decide(school, link.token, mother)
    other = await School(school.database, school.clock).open()
    await other.invite(child)
    async with school.services() as s:
        result = await s.enrolment.revoke(
            mother[0],
            subject_id=child,
            program_id=school.program_id,
            relation=ConsentRelation.PARENT,
            account_id=mother[1],
            channel=Channel.VK,
            text_hash=SHOWN,
        )
    assert (result.status, result.erased) == (RevokeStatus.REVOKED, False)
    kept = (await school.rows(Person, Person.id == child))[0]
    assert kept.full_name == "Миша Иванов"


async def test_delete_person_without_consents_deletes_the_row(school: School) -> None:
    curator = school.curator_id
    async with school.database.transaction() as session:
        session.add(StaffMember(organization_id=1, person_id=curator, role=StaffRole.CURATOR))
        await f.account(session, await session.get_one(Person, curator))
    async with school.services() as s:
        report = await s.enrolment.privacy(curator)
        assert report.staff == (StaffRole.CURATOR,)
        assert report.curated == ("Равный — равному",)
        assert await s.enrolment.delete_person(curator) is True
    assert await school.count(Person, Person.id == curator) == 0
    assert await school.count(ProgramCurator) == 0
    assert await school.count(MessengerAccount) == 0


async def test_delete_person_in_the_consent_log_is_anonymised(school: School) -> None:
    child, pid, link = await minor_waiting(school)
    mother = await school.someone("200", Channel.VK)
    await decide(school, link.token, mother)
    async with school.services() as s:
        report = await s.enrolment.privacy(mother[0])
        assert (report.child_consents, report.channels) == (1, (Channel.VK,))
        assert await s.enrolment.delete_person(mother[0]) is False
        assert await s.enrolment.delete_person(child) is False
    for who in (mother[0], child):
        row = (await school.rows(Person, Person.id == who))[0]
        assert row.anonymized_at == NOW
        assert await school.count(MessengerAccount, MessengerAccount.person_id == who) == 0
    rows = await school.rows(Consent)
    assert len(rows) == 2
    assert {(r.given_by_person_id, r.signer_name, r.given_by_account_id) for r in rows} == {
        (mother[0], "Елена Иванова", None)
    }, "the log keeps who consented; the deleted account is unlinked"
    assert (await school.rows(Participant, Participant.id == pid))[0].status is (
        ParticipantStatus.LEFT
    )
    [left] = await school.rows(Notification, Notification.key.like("participant-left:%"))
    assert (left.recipient_person_id, left.payload["args"]["name"]) == (
        school.curator_id,
        "Миша Иванов",
    )


async def test_the_birth_date_is_fixed_once_a_consent_is_decided(school: School) -> None:
    teen, account = await school.someone("1")
    pid = await school.invite(teen)
    assert await school.student(teen, pid, date(2010, 1, 1)) is Next.OWN_CONSENT
    async with school.services() as s:
        await s.enrolment.decide_own(
            teen,
            pid,
            granted=True,
            account_id=account,
            channel=Channel.TELEGRAM,
            text_hash=SHOWN,
        )
        with pytest.raises(ValueError, match="fixed"):
            await s.enrolment.save_profile(teen, pid, "birth_date", date(2000, 1, 1))
        e = await s.enrolment.enrolment(teen, pid)
    assert e is not None
    assert e.next is Next.PARENT_CONSENT


async def test_ending_a_participation_skips_its_questionnaire_reminders(school: School) -> None:
    await school.open(MentorshipForm.TEACHER_STUDENT)
    teacher, account = await school.someone("1")
    pid = await school.invite(teacher, ParticipantRole.MENTOR)
    async with school.services() as s:
        for number in (1, 2):
            await s.outbox.plan(
                key=questionnaire_reminder(pid, number),
                kind="questionnaire",
                recipient_id=teacher,
                text_id="questionnaire-reminder",
                due_at=NOW + timedelta(days=3 * number),
            )
        await s.enrolment.decide_own(
            teacher,
            pid,
            granted=False,
            account_id=account,
            channel=Channel.TELEGRAM,
            text_hash=SHOWN,
        )
    reminders = await school.rows(Notification)
    assert [(r.status, r.last_error) for r in reminders] == [
        (NotificationStatus.SKIPPED, "participation ended")
    ] * 2
