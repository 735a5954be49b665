"""Onboarding, consent (own and parental), privacy and erasure.

The life cycles (DESIGN.md): a participant goes invited → onboarding → (consent_pending →) ready,
or leaves by the side exits declined and left. A consent decision is always a new row (granted,
refused, later revoked), so the log keeps every decision with the version and the SHA-256 of the
exact text shown. A consent link a minor forwards to a parent goes issued → used | expired.

What a person must do next is derived from the stored rows alone (`Enrolment.next`), so leaving
the bot halfway and coming back resumes at the same point in any messenger.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import delete, exists, func, or_, select, update

from bot.services import calendar
from bot.services.base import Service
from bot.services.outbox import NotificationKind
from bot.services.questionnaires import reminder_key as questionnaire_reminder
from storage import (
    Channel,
    Consent,
    ConsentLink,
    ConsentLinkStatus,
    ConsentPurpose,
    ConsentRelation,
    ConsentStatus,
    DialogState,
    Feedback,
    Goal,
    GoalProgress,
    LinkCode,
    MeetingConfirmation,
    MentorshipForm,
    MessengerAccount,
    Notification,
    NotificationStatus,
    Organization,
    PairMember,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    QuestionnaireAnswer,
    StaffMember,
    StaffRole,
)

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select

    from bot.services.policy import Policy

# Deep-link payloads of consent links start with this, so no other link handler claims them.
LINK_PREFIX = "c_"
# A student whose parent has not decided is reminded once, this long after the link was issued.
REMINDER_DELAY = timedelta(days=3)
# Notifications about joining and leaving (consent ones are NotificationKind.CONSENT, never late).
KIND_ENROLMENT = "enrolment"

ACTION_PROFILE = "enrolment.profile"
ACTION_BEGIN = "enrolment.begin"
ACTION_REJOIN = "enrolment.rejoin"
ACTION_READY = "enrolment.ready"
ACTION_REQUESTED = "consent.requested"
ACTION_LINK = "consent.link-issued"
ACTION_DECIDED = "consent.decided"
ACTION_REVOKED = "consent.revoked"
ACTION_ERASED = "person.erased"
ACTION_DELETED = "person.deleted"

PURPOSES = (ConsentPurpose.PARTICIPATION, ConsentPurpose.PERSONAL_DATA)
# Participations that are over: nobody is reminded or erased twice because of them.
GONE = (ParticipantStatus.DECLINED, ParticipantStatus.LEFT, ParticipantStatus.REMOVED)
# Participations the person still has something to do in (or can come back to).
NOT_READY = (
    ParticipantStatus.INVITED,
    ParticipantStatus.ONBOARDING,
    ParticipantStatus.CONSENT_PENDING,
    ParticipantStatus.DECLINED,
)
DONE = (ParticipantStatus.READY, ParticipantStatus.MATCHED, ParticipantStatus.FINISHED)
T = TypeVar("T")


def text_hash(text: str) -> str:
    """SHA-256 (hex) of the exact text a person was shown when deciding."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ConsentText:
    """A versioned consent text: the version stored with each decision and its message id."""

    version: str
    text_id: str


SELF_TEXT = ConsentText("self-v2", "consent-self-v2")
PARENT_TEXT = ConsentText("parent-v2", "consent-parent-v2")


class ProfileKind(StrEnum):
    """Which profile a participant fills, by the program's form and their role."""

    STUDENT = "student"  # name, class, birth date
    TEACHER = "teacher"  # name, subject, position
    EXTERNAL = "external"  # name, organisation, occupation (employers, graduates)


PROFILE_FIELDS: Mapping[ProfileKind, tuple[str, ...]] = {
    ProfileKind.STUDENT: ("full_name", "grade", "birth_date"),
    ProfileKind.TEACHER: ("full_name", "subject", "position"),
    ProfileKind.EXTERNAL: ("full_name", "workplace", "occupation"),
}
FIELD_LIMITS: Mapping[str, int] = {
    "full_name": 200,
    "grade": 16,
    "subject": 200,
    "position": 200,
    "workplace": 200,
    "occupation": 200,
}


def profile_kind(form: MentorshipForm, role: ParticipantRole) -> ProfileKind:
    """Students on the mentee side of every form but teacher–teacher; mentors by the form."""
    if form is MentorshipForm.TEACHER_TEACHER:
        return ProfileKind.TEACHER
    if role is ParticipantRole.MENTEE or form is MentorshipForm.STUDENT_STUDENT:
        return ProfileKind.STUDENT
    if form is MentorshipForm.TEACHER_STUDENT:
        return ProfileKind.TEACHER
    return ProfileKind.EXTERNAL


class ConsentNeed(StrEnum):
    """Who must consent for a participant (152-FZ; the ages come from the policy)."""

    SELF = "self"  # an adult
    SELF_AND_PARENT = "self_and_parent"  # from self_consent_age to adult_age
    PARENT = "parent"  # under self_consent_age


def age_on(born: date, today: date) -> int:
    """Full years on `today`."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def consent_need(age: int, policy: Policy) -> ConsentNeed:
    """Who consents for someone of `age`."""
    if age >= policy.adult_age:
        return ConsentNeed.SELF
    if age >= policy.self_consent_age:
        return ConsentNeed.SELF_AND_PARENT
    return ConsentNeed.PARENT


class Next(StrEnum):
    """What the participant has to do next (a profile field's name, or one of the rest)."""

    FULL_NAME = "full_name"
    GRADE = "grade"
    BIRTH_DATE = "birth_date"
    SUBJECT = "subject"
    POSITION = "position"
    WORKPLACE = "workplace"
    OCCUPATION = "occupation"
    OWN_CONSENT = "own_consent"
    PARENT_CONSENT = "parent_consent"  # a link for a parent is to be issued
    WAITING = "waiting"  # for the parent's decision
    QUESTIONNAIRE = "questionnaire"
    COMPLETE = "complete"  # everything is done: only the status is left to set
    READY = "ready"
    DECLINED = "declined"
    GONE = "gone"


def next_step(
    status: ParticipantStatus,
    *,
    kind: ProfileKind,
    missing: Sequence[str],
    need: ConsentNeed | None,
    own: ConsentStatus | None,
    parent: ConsentStatus | None,
    questionnaire_done: bool,
) -> Next:
    """The next step of a participation.

    Adults known as such (teachers, external mentors) consent before giving any data; students
    give name, class and birth date first, because their age decides who consents.
    """
    if status is ParticipantStatus.DECLINED:
        return Next.DECLINED
    if status in GONE:
        return Next.GONE
    if status in DONE:
        return Next.READY
    if status is ParticipantStatus.CONSENT_PENDING:
        return Next.WAITING
    if kind is not ProfileKind.STUDENT and own is not ConsentStatus.GRANTED:
        return Next.OWN_CONSENT
    if missing:
        return Next(missing[0])
    assert need is not None  # a student's birth date is among the fields
    if need is not ConsentNeed.PARENT and own is not ConsentStatus.GRANTED:
        return Next.OWN_CONSENT
    if need is not ConsentNeed.SELF and parent is not ConsentStatus.GRANTED:
        return Next.PARENT_CONSENT
    return Next.COMPLETE if questionnaire_done else Next.QUESTIONNAIRE


def _locked(query: Select[T]) -> Select[T]:
    """`query` locking its rows until the commit, with what a concurrent writer committed."""
    return query.with_for_update().execution_options(populate_existing=True)


def _combined(statuses: Iterable[ConsentStatus | None]) -> ConsentStatus | None:
    """One status for the purposes of a consent: granted only if every purpose is granted."""
    values = list(statuses)
    if all(value is ConsentStatus.GRANTED for value in values):
        return ConsentStatus.GRANTED
    for status in (ConsentStatus.REVOKED, ConsentStatus.REFUSED):
        if status in values:
            return status
    return None


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A participation as its participant sees it while joining."""

    participant_id: int
    person_id: int
    program_id: int
    program: str
    organization: str
    description: str | None
    ends_on: date | None
    role: ParticipantRole
    status: ParticipantStatus
    kind: ProfileKind
    full_name: str | None
    age: int | None
    need: ConsentNeed | None
    own: ConsentStatus | None  # the participant's own latest decision
    parent: ConsentStatus | None  # a parent's latest decision
    missing: tuple[str, ...]  # profile fields still empty, in the order they are asked
    next: Next


@dataclass(frozen=True, slots=True)
class ParentLink:
    """A consent link for a parent: the token and the messenger links, where known."""

    token: str
    expires_at: datetime
    telegram: str | None
    vk: str | None
    last_day: date  # the last day it works, in the school's time zone


class LinkStatus(StrEnum):
    """What opening a consent link finds."""

    VALID = "valid"
    UNKNOWN = "unknown"  # no such link (mistyped or forged)
    EXPIRED = "expired"
    USED = "used"  # a parent already decided through it
    OWN = "own"  # opened by the child it is about
    CLOSED = "closed"  # the participation no longer waits for a consent


@dataclass(frozen=True, slots=True)
class ParentRequest:
    """A consent link as the parent sees it; the child's data only when it is valid."""

    status: LinkStatus
    child: str | None = None
    grade: str | None = None
    program: str | None = None
    organization: str | None = None
    role: ParticipantRole | None = None
    ends_on: date | None = None


@dataclass(frozen=True, slots=True)
class GivenConsent:
    """A consent the person gave: for a child (relation parent) or their own (relation self)."""

    subject_id: int
    program_id: int
    relation: ConsentRelation
    subject_name: str | None  # None once the subject's data are erased
    grade: str | None
    program: str
    status: ConsentStatus
    decided_at: datetime
    text_version: str


class RevokeStatus(StrEnum):
    """What a revocation led to."""

    REVOKED = "revoked"
    NOT_FOUND = "not_found"  # no granted consent of this person for that subject and program


@dataclass(frozen=True, slots=True)
class RevokeResult:
    """A revocation: whether the subject's data were erased, and their name as it was."""

    status: RevokeStatus
    subject_name: str | None = None
    program: str | None = None
    erased: bool = False


@dataclass(frozen=True, slots=True)
class ParticipationLine:
    """One program of a person, for the privacy overview."""

    program: str
    role: ParticipantRole
    status: ParticipantStatus


@dataclass(frozen=True, slots=True)
class PrivacyReport:
    """What the bot stores about a person."""

    profile: tuple[tuple[str, str], ...]  # (field, value) of the fields filled in
    channels: tuple[Channel, ...]
    participations: tuple[ParticipationLine, ...]
    answers: int  # questionnaire answers
    own_consents: int  # programs the person consented to themselves
    child_consents: int  # children the person decided for as a parent
    staff: tuple[StaffRole, ...]
    curated: tuple[str, ...]  # programs the person curates
    programs: tuple[str, ...]  # programs whose curators see the person's consent records


def has_unready_participation(person: ColumnElement[int] | int) -> ColumnElement[bool]:
    """Whether a participation of the person is not ready yet («My participation» shows it)."""
    return exists().where(Participant.person_id == person, Participant.status.in_(NOT_READY))


def decided_a_consent(person: ColumnElement[int] | int) -> ColumnElement[bool]:
    """Whether the person decided any consent, their own or for a child."""
    return exists().where(Consent.given_by_person_id == person)


class EnrolmentService(Service):
    """Onboarding, consent (own and parental), privacy and erasure."""

    # --- reading a participation -----------------------------------------------------------

    async def enrolment(self, person_id: int, participant_id: int) -> Enrolment | None:
        """The participation, if it is the person's own."""
        participant = await self.session.get(Participant, participant_id)
        if participant is None or participant.person_id != person_id:
            return None
        return await self._view(participant)

    async def not_ready(self, person_id: int) -> list[Enrolment]:
        """The person's participations that are not ready yet (declined ones included, so the
        person can come back), oldest first."""
        rows = await self.session.scalars(
            select(Participant)
            .where(Participant.person_id == person_id, Participant.status.in_(NOT_READY))
            .order_by(Participant.id)
        )
        return [await self._view(participant) for participant in rows]

    async def has_not_ready(self, person_id: int) -> bool:
        """Whether «My participation» has anything to show."""
        return bool(await self.session.scalar(select(has_unready_participation(person_id))))

    async def _view(self, participant: Participant) -> Enrolment:
        program = await self.session.get_one(Program, participant.program_id)
        organization = await self.session.get_one(Organization, program.organization_id)
        person = await self.session.get_one(Person, participant.person_id)
        kind = profile_kind(program.form, participant.role)
        missing = tuple(name for name in PROFILE_FIELDS[kind] if getattr(person, name) is None)
        age = need = None
        if kind is ProfileKind.STUDENT:
            if person.birth_date is not None:
                age = age_on(person.birth_date, self.clock.now().date())
                need = consent_need(age, self.policy)
        else:
            need = ConsentNeed.SELF
        decisions = await self._decisions(person.id, program.id)
        own = _combined(decisions.get((ConsentRelation.SELF, p)) for p in PURPOSES)
        parent = _combined(decisions.get((ConsentRelation.PARENT, p)) for p in PURPOSES)
        return Enrolment(
            participant_id=participant.id,
            person_id=person.id,
            program_id=program.id,
            program=program.name,
            organization=organization.name,
            description=program.description,
            ends_on=program.ends_on,
            role=participant.role,
            status=participant.status,
            kind=kind,
            full_name=person.full_name,
            age=age,
            need=need,
            own=own,
            parent=parent,
            missing=missing,
            next=next_step(
                participant.status,
                kind=kind,
                missing=missing,
                need=need,
                own=own,
                parent=parent,
                questionnaire_done=participant.questionnaire_done_at is not None,
            ),
        )

    async def _decisions(
        self, subject_id: int, program_id: int
    ) -> dict[tuple[ConsentRelation, ConsentPurpose], ConsentStatus]:
        """The latest decision per (relation, purpose): rows are only ever appended."""
        rows = await self.session.execute(
            select(Consent.relation, Consent.purpose, Consent.status)
            .where(Consent.subject_person_id == subject_id, Consent.program_id == program_id)
            .order_by(Consent.id)
        )
        return {(relation, purpose): status for relation, purpose, status in rows.all()}

    async def _own(self, person_id: int, participant_id: int) -> Participant:
        """The person's participant row, locked for the change; LookupError if not theirs."""
        participant = await self.session.scalar(
            _locked(select(Participant).where(Participant.id == participant_id))
        )
        if participant is None or participant.person_id != person_id:
            raise LookupError(f"participant {participant_id} is not person {person_id}'s")
        return participant

    # --- onboarding ------------------------------------------------------------------------

    async def begin(self, person_id: int, participant_id: int) -> Enrolment:
        """The person starts joining: an invited participant becomes onboarding."""
        participant = await self._own(person_id, participant_id)
        if participant.status is ParticipantStatus.INVITED:
            await self._set_status(participant, ParticipantStatus.ONBOARDING, ACTION_BEGIN)
        return await self._view(participant)

    async def rejoin(self, person_id: int, participant_id: int) -> Enrolment:
        """Come back after declining: onboarding again, missing consents are asked anew."""
        participant = await self._own(person_id, participant_id)
        if participant.status is ParticipantStatus.DECLINED:
            await self._set_status(participant, ParticipantStatus.ONBOARDING, ACTION_REJOIN)
        return await self._view(participant)

    async def save_profile(
        self, person_id: int, participant_id: int, field: str, value: str | date
    ) -> Enrolment:
        """Store one profile field the participation asks for.

        The birth date decides who consents, so it is fixed once a consent was decided.
        """
        participant = await self._own(person_id, participant_id)
        view = await self._view(participant)
        if participant.status not in (ParticipantStatus.INVITED, ParticipantStatus.ONBOARDING):
            raise ValueError(f"participant {participant_id} is {participant.status}")
        if field not in PROFILE_FIELDS[view.kind]:
            raise ValueError(f"{field} is not asked of a {view.kind}")
        if field == "birth_date":
            if not isinstance(value, date):
                raise TypeError("birth_date must be a date")
            if view.own is not None or view.parent is not None:
                raise ValueError("the birth date is fixed once a consent was decided")
        else:
            value = " ".join(str(value).split())[: FIELD_LIMITS[field]]
        person = await self.session.get_one(Person, person_id)
        setattr(person, field, value)
        person.updated_at = self.clock.now()
        self.audit.record(person, ACTION_PROFILE, "people", person.id, field=field)
        return await self._view(participant)

    async def decide_own(
        self,
        person_id: int,
        participant_id: int,
        *,
        granted: bool,
        account_id: int,
        channel: Channel,
        text_hash: str,
    ) -> Enrolment:
        """The participant's own consent (SELF_TEXT) to taking part and to data processing.

        Refusing declines the participation. Deciding again what is already decided adds no row.
        """
        participant = await self._own(person_id, participant_id)
        view = await self._view(participant)
        if view.next is not Next.OWN_CONSENT:
            return view
        status = ConsentStatus.GRANTED if granted else ConsentStatus.REFUSED
        person = await self.session.get_one(Person, person_id)
        program = await self.session.get_one(Program, participant.program_id)
        rows = self._consent_rows(
            subject_id=person_id,
            program=program,
            status=status,
            relation=ConsentRelation.SELF,
            given_by=person_id,
            account_id=account_id,
            channel=channel,
            signer_name=person.full_name,
            text_version=SELF_TEXT.version,
            text_hash=text_hash,
        )
        await self.session.flush()
        self.audit.record(
            person,
            ACTION_DECIDED,
            "consents",
            rows[0].id,
            status=status.value,
            relation=ConsentRelation.SELF.value,
            program=program.id,
        )
        if not granted:
            await self._set_status(participant, ParticipantStatus.DECLINED, ACTION_DECIDED)
        return await self._view(participant)

    async def complete(
        self, person_id: int, participant_id: int, *, questionnaire_done: bool
    ) -> Enrolment:
        """Everything is done: the participant becomes ready and the curators are told.

        `questionnaire_done` is False when no questionnaire could be filled (none is offered).
        """
        participant = await self._own(person_id, participant_id)
        view = await self._view(participant)
        if view.next not in (Next.QUESTIONNAIRE, Next.COMPLETE):
            return view
        now = self.clock.now()
        if questionnaire_done and participant.questionnaire_done_at is None:
            participant.questionnaire_done_at = now
        await self._set_status(participant, ParticipantStatus.READY, ACTION_READY)
        await self.tell_curators(
            participant.program_id,
            f"participant-ready:{participant.id}",
            KIND_ENROLMENT,
            "enrolment-curator-ready",
            {"name": view.full_name or "—", "program": view.program, "role": view.role.value},
        )
        return await self._view(participant)

    async def _set_status(
        self,
        participant: Participant,
        status: ParticipantStatus,
        action: str,
        *,
        actor: int | None = None,
    ) -> None:
        """Change a participation's status, in the audit log under `actor` (else the person)."""
        self.audit.record(
            f"person:{actor or participant.person_id}",
            action,
            "participants",
            participant.id,
            old=participant.status.value,
            new=status.value,
        )
        participant.status = status
        participant.updated_at = self.clock.now()
        if status in (*GONE, *DONE):
            await self._skip_reminder(participant.id)
        if status in GONE:
            # Someone who no longer takes part is not asked to finish a questionnaire either.
            keys = [
                questionnaire_reminder(participant.id, number)
                for number in range(1, len(self.policy.questionnaire_reminders) + 1)
            ]
            await self._skip(keys, "participation ended")

    # --- parental consent ------------------------------------------------------------------

    async def request_parent_consent(self, person_id: int, participant_id: int) -> ParentLink:
        """The participation waits for a parent: a link to forward, and one reminder planned."""
        participant = await self._own(person_id, participant_id)
        view = await self._view(participant)
        if view.next is Next.PARENT_CONSENT:
            await self._set_status(participant, ParticipantStatus.CONSENT_PENDING, ACTION_REQUESTED)
            await self.outbox.plan(
                key=f"consent-reminder:{participant.id}:1",
                kind=NotificationKind.CONSENT,
                recipient_id=person_id,
                text_id="consent-reminder",
                args={"program": view.program},
                due_at=self.clock.now() + REMINDER_DELAY,
            )
        elif view.next is not Next.WAITING:
            raise ValueError(f"participant {participant_id} needs no parent's consent now")
        return await self.parent_link(person_id, participant_id)

    async def parent_link(
        self, person_id: int, participant_id: int, *, renew: bool = False
    ) -> ParentLink:
        """The link for a parent of a waiting participant: the valid one, or a new one (which
        ends the previous ones, e.g. when a link went to the wrong person)."""
        participant = await self._own(person_id, participant_id)
        if participant.status is not ParticipantStatus.CONSENT_PENDING:
            raise ValueError(f"participant {participant_id} is not waiting for a consent")
        now = self.clock.now()
        issued = list(
            await self.session.scalars(
                select(ConsentLink)
                .where(
                    ConsentLink.subject_person_id == person_id,
                    ConsentLink.program_id == participant.program_id,
                    ConsentLink.status == ConsentLinkStatus.ISSUED,
                )
                .order_by(ConsentLink.id.desc())
            )
        )
        current = None
        for link in issued:
            if link.expires_at <= now or renew or current is not None:
                link.status = ConsentLinkStatus.EXPIRED
            else:
                current = link
        program = await self.session.get_one(Program, participant.program_id)
        organization = await self.session.get_one(Organization, program.organization_id)
        zone = calendar.zone(organization.timezone)
        if current is None:
            # "Valid until 30.11 inclusive" means until that day ends where the school is.
            last_day = (now + self.policy.consent_link_ttl).astimezone(zone).date()
            current = ConsentLink(
                token=LINK_PREFIX + secrets.token_urlsafe(16),
                subject_person_id=person_id,
                program_id=participant.program_id,
                status=ConsentLinkStatus.ISSUED,
                expires_at=datetime.combine(last_day + timedelta(days=1), time(), zone).astimezone(
                    UTC
                ),
                created_at=now,
            )
            self.session.add(current)
            await self.session.flush()
            self.audit.record(
                f"person:{person_id}", ACTION_LINK, "consent_links", current.id, renew=renew
            )
        links = self.policy.links
        return ParentLink(
            current.token,
            current.expires_at,
            links.telegram(current.token),
            links.vk(current.token),
            (current.expires_at - timedelta(microseconds=1)).astimezone(zone).date(),
        )

    async def _link(
        self, token: str, opener_id: int, *, lock: bool = False
    ) -> tuple[LinkStatus, ConsentLink | None, Participant | None]:
        if not token.startswith(LINK_PREFIX) or len(token) > 64:
            return LinkStatus.UNKNOWN, None, None
        query = select(ConsentLink).where(ConsentLink.token == token)
        link = await self.session.scalar(_locked(query) if lock else query)
        if link is None or link.program_id is None:
            return LinkStatus.UNKNOWN, None, None
        if link.status is ConsentLinkStatus.USED:
            return LinkStatus.USED, link, None
        if link.status is ConsentLinkStatus.EXPIRED or link.expires_at <= self.clock.now():
            return LinkStatus.EXPIRED, link, None
        if link.subject_person_id == opener_id:
            return LinkStatus.OWN, link, None
        query_participant = select(Participant).where(
            Participant.person_id == link.subject_person_id,
            Participant.program_id == link.program_id,
            Participant.status == ParticipantStatus.CONSENT_PENDING,
        )
        participant = await self.session.scalar(
            _locked(query_participant) if lock else query_participant
        )
        if participant is None:
            return LinkStatus.CLOSED, link, None
        return LinkStatus.VALID, link, participant

    async def parent_request(self, token: str, opener_id: int) -> ParentRequest:
        """What a parent opening the link sees: who asks, for which program (if it is valid)."""
        status, _link, participant = await self._link(token, opener_id)
        if participant is None:
            return ParentRequest(status)
        child = await self.session.get_one(Person, participant.person_id)
        program = await self.session.get_one(Program, participant.program_id)
        organization = await self.session.get_one(Organization, program.organization_id)
        return ParentRequest(
            status,
            child=child.full_name,
            grade=child.grade,
            program=program.name,
            organization=organization.name,
            role=participant.role,
            ends_on=program.ends_on,
        )

    async def decide_as_parent(
        self,
        token: str,
        *,
        parent_id: int,
        account_id: int,
        channel: Channel,
        signer_name: str | None,
        granted: bool,
        text_hash: str,
    ) -> ParentRequest:
        """A parent's decision through a link: a consent row per purpose, the link used, the
        child and the curators told. Anything but a valid link changes nothing."""
        status, link, participant = await self._link(token, parent_id, lock=True)
        if link is not None and status is LinkStatus.EXPIRED:
            link.status = ConsentLinkStatus.EXPIRED
        if participant is None or link is None:
            return ParentRequest(status)
        request = await self.parent_request(token, parent_id)
        now = self.clock.now()
        program = await self.session.get_one(Program, participant.program_id)
        decision = ConsentStatus.GRANTED if granted else ConsentStatus.REFUSED
        rows = self._consent_rows(
            subject_id=participant.person_id,
            program=program,
            status=decision,
            relation=ConsentRelation.PARENT,
            given_by=parent_id,
            account_id=account_id,
            channel=channel,
            signer_name=signer_name,
            text_version=PARENT_TEXT.version,
            text_hash=text_hash,
        )
        link.status = ConsentLinkStatus.USED
        link.used_at = now
        link.used_by_person_id = parent_id
        await self.session.flush()
        self.audit.record(
            f"person:{parent_id}",
            ACTION_DECIDED,
            "consents",
            rows[0].id,
            status=decision.value,
            relation=ConsentRelation.PARENT.value,
            program=program.id,
            subject=participant.person_id,
            link=link.id,
        )
        await self._set_status(
            participant,
            ParticipantStatus.ONBOARDING if granted else ParticipantStatus.DECLINED,
            ACTION_DECIDED,
            actor=parent_id,
        )
        await self._skip_reminder(participant.id)
        notice = "granted" if granted else "refused"
        await self.outbox.plan(
            key=f"consent-decided:{rows[0].id}",
            kind=NotificationKind.CONSENT,
            recipient_id=participant.person_id,
            text_id=f"consent-{notice}-notice",
            args={"program": program.name},
        )
        await self.tell_curators(
            program.id,
            f"consent-decided:{rows[0].id}",
            NotificationKind.CONSENT,
            f"consent-curator-{notice}",
            {"name": request.child or "—", "program": program.name},
        )
        return request

    def _consent_rows(
        self,
        *,
        subject_id: int,
        program: Program,
        status: ConsentStatus,
        relation: ConsentRelation,
        given_by: int,
        account_id: int | None,
        channel: Channel | None,
        signer_name: str | None,
        text_version: str,
        text_hash: str | None,
    ) -> list[Consent]:
        """One new row per purpose (rows are never edited: a new decision is a new row)."""
        now = self.clock.now()
        valid_until = (
            datetime.combine(program.ends_on, time.max, tzinfo=UTC)
            if program.ends_on is not None and status is ConsentStatus.GRANTED
            else None
        )
        rows = [
            Consent(
                subject_person_id=subject_id,
                program_id=program.id,
                purpose=purpose,
                status=status,
                relation=relation,
                given_by_person_id=given_by,
                given_by_account_id=account_id,
                signer_name=signer_name,
                text_version=text_version,
                text_hash=text_hash,
                channel=channel,
                decided_at=now,
                valid_until=valid_until,
                created_at=now,
            )
            for purpose in PURPOSES
        ]
        self.session.add_all(rows)
        return rows

    async def _skip_reminder(self, participant_id: int) -> None:
        """A decision arrived (or the participation ended): the parent reminder is moot."""
        await self._skip([f"consent-reminder:{participant_id}:1"], "decided")

    async def _skip(self, keys: list[str], reason: str) -> None:
        await self.session.execute(
            update(Notification)
            .where(
                Notification.key.in_(keys),
                Notification.status == NotificationStatus.PENDING,
            )
            .values(status=NotificationStatus.SKIPPED, last_error=reason)
            .execution_options(synchronize_session=False)
        )

    # --- consents given, revocation --------------------------------------------------------

    async def has_given(self, person_id: int) -> bool:
        """Whether the person decided any consent (their own or for a child)."""
        return bool(await self.session.scalar(select(decided_a_consent(person_id))))

    async def given(self, person_id: int) -> list[GivenConsent]:
        """The consents the person decided, newest decision per child (or own) and program."""
        rows = await self.session.execute(
            select(Consent, Person.full_name, Person.grade, Program.name)
            .join(Person, Person.id == Consent.subject_person_id)
            .join(Program, Program.id == Consent.program_id)
            .where(
                Consent.given_by_person_id == person_id,
                or_(
                    Consent.relation == ConsentRelation.PARENT,
                    Consent.subject_person_id == person_id,
                ),
            )
            .order_by(Consent.id)
        )
        latest: dict[tuple[int, int, ConsentRelation], dict[ConsentPurpose, Consent]] = {}
        shown: dict[tuple[int, int, ConsentRelation], tuple[str | None, str | None, str]] = {}
        for consent, name, grade, program in rows.all():
            assert consent.program_id is not None
            key = (consent.subject_person_id, consent.program_id, consent.relation)
            latest.setdefault(key, {})[consent.purpose] = consent
            shown[key] = (name, grade, program)
        given = []
        for key, by_purpose in latest.items():
            newest = max(by_purpose.values(), key=lambda consent: consent.id)
            status = _combined(
                by_purpose[purpose].status if purpose in by_purpose else None
                for purpose in PURPOSES
            )
            name, grade, program = shown[key]
            given.append(
                GivenConsent(
                    subject_id=key[0],
                    program_id=key[1],
                    relation=key[2],
                    subject_name=name,
                    grade=grade,
                    program=program,
                    status=status or newest.status,
                    decided_at=newest.decided_at or newest.created_at,
                    text_version=newest.text_version,
                )
            )
        given.sort(key=lambda item: item.decided_at, reverse=True)
        return given

    async def revoke(
        self,
        person_id: int,
        *,
        subject_id: int,
        program_id: int,
        relation: ConsentRelation,
        account_id: int,
        channel: Channel,
        text_hash: str | None,
    ) -> RevokeResult:
        """Withdraw a granted consent (152-FZ art. 9): new rows with status revoked.

        The participation stops (left) and the curators are told. A parent's revocation erases
        the child's personal data when no other participation of the child goes on; the child is
        not messaged, because nothing may be processed for them any more (their accounts go).
        Revoking one's own consent stops the participation and deletes its answers; /delete_me
        erases the rest.
        """
        current = next(
            (
                item
                for item in await self.given(person_id)
                if (item.subject_id, item.program_id, item.relation)
                == (subject_id, program_id, relation)
            ),
            None,
        )
        if current is None or current.status is not ConsentStatus.GRANTED:
            return RevokeResult(RevokeStatus.NOT_FOUND)
        program = await self.session.get_one(Program, program_id)
        rows = self._consent_rows(
            subject_id=subject_id,
            program=program,
            status=ConsentStatus.REVOKED,
            relation=relation,
            given_by=person_id,
            account_id=account_id,
            channel=channel,
            signer_name=None,
            text_version=current.text_version,
            text_hash=text_hash,
        )
        await self.session.flush()
        self.audit.record(
            f"person:{person_id}",
            ACTION_REVOKED,
            "consents",
            rows[0].id,
            relation=relation.value,
            program=program_id,
            subject=subject_id,
        )
        subject = await self._lock_person(subject_id)
        name = subject.full_name
        participants = list(
            await self.session.scalars(
                select(Participant).where(
                    Participant.person_id == subject_id, Participant.program_id == program_id
                )
            )
        )
        for participant in participants:
            if participant.status not in GONE:
                await self._set_status(
                    participant, ParticipantStatus.LEFT, ACTION_REVOKED, actor=person_id
                )
        await self._delete_answers([p.id for p in participants])
        erase = relation is ConsentRelation.PARENT and not await self._takes_part(subject_id)
        await self.tell_curators(
            program_id,
            f"consent-revoked:{rows[0].id}",
            NotificationKind.CONSENT,
            "consent-curator-revoked",
            {
                "name": name or "—",
                "program": program.name,
                "relation": relation.value,
                "erased": "yes" if erase else "no",
            },
        )
        if erase:
            await self._erase(subject, reason="consent_revoked")
        return RevokeResult(RevokeStatus.REVOKED, name, program.name, erase)

    async def _takes_part(self, person_id: int) -> bool:
        query = select(
            exists().where(Participant.person_id == person_id, Participant.status.not_in(GONE))
        )
        return bool(await self.session.scalar(query))

    # --- privacy and erasure ---------------------------------------------------------------

    async def privacy(self, person_id: int) -> PrivacyReport:
        """What is stored about the person."""
        person = await self.session.get_one(Person, person_id)
        profile = tuple(
            (name, value.strftime("%d.%m.%Y") if isinstance(value, date) else str(value))
            for name in (
                "full_name",
                "birth_date",
                "grade",
                "subject",
                "position",
                "workplace",
                "occupation",
            )
            if (value := getattr(person, name)) is not None
        )
        channels = tuple(
            await self.session.scalars(
                select(MessengerAccount.channel)
                .where(MessengerAccount.person_id == person_id)
                .order_by(MessengerAccount.id)
            )
        )
        participations = tuple(
            ParticipationLine(*row)
            for row in (
                await self.session.execute(
                    select(Program.name, Participant.role, Participant.status)
                    .join(Program, Program.id == Participant.program_id)
                    .where(Participant.person_id == person_id)
                    .order_by(Participant.id)
                )
            ).all()
        )
        answers = await self.session.scalar(
            select(func.count())
            .select_from(QuestionnaireAnswer)
            .join(Participant, Participant.id == QuestionnaireAnswer.participant_id)
            .where(Participant.person_id == person_id)
        )
        given = await self.given(person_id)
        staff = tuple(
            await self.session.scalars(
                select(StaffMember.role)
                .where(StaffMember.person_id == person_id)
                .distinct()
                .order_by(StaffMember.role)
            )
        )
        curated = tuple(
            await self.session.scalars(
                select(Program.name)
                .join(ProgramCurator, ProgramCurator.program_id == Program.id)
                .where(ProgramCurator.person_id == person_id)
                .order_by(Program.name)
            )
        )
        return PrivacyReport(
            profile=profile,
            channels=channels,
            participations=participations,
            answers=answers or 0,
            own_consents=sum(1 for g in given if g.relation is ConsentRelation.SELF),
            child_consents=len(
                {g.subject_id for g in given if g.relation is ConsentRelation.PARENT}
            ),
            staff=staff,
            curated=curated,
            programs=tuple(sorted({g.program for g in given})),
        )

    async def delete_person(self, person_id: int) -> bool:
        """Erase everything about the person (/delete_me); the curators of the programs they
        took part in are told that they left, by the name they knew.

        The person row is deleted with everything that cascades from it, unless a consent row
        names them as subject or giver: the consent log must stay, so then the row is kept
        anonymised. Consents they gave for children stay valid. Returns True if deleted.
        """
        person = await self._lock_person(person_id)
        participants = list(
            await self.session.scalars(
                select(Participant).where(
                    Participant.person_id == person_id, Participant.status.not_in(GONE)
                )
            )
        )
        for participant in participants:
            program = await self.session.get_one(Program, participant.program_id)
            await self.tell_curators(
                program.id,
                f"participant-left:{participant.id}",
                KIND_ENROLMENT,
                "enrolment-curator-left",
                {
                    "name": person.full_name or "—",
                    "program": program.name,
                    "role": participant.role.value,
                },
            )
        in_log = await self.session.scalar(
            select(
                exists().where(
                    or_(
                        Consent.subject_person_id == person_id,
                        Consent.given_by_person_id == person_id,
                    )
                )
            )
        )
        if in_log:
            await self._erase(person, reason="delete_me")
            await self.session.execute(
                delete(StaffMember).where(StaffMember.person_id == person_id)
            )
            await self.session.execute(
                delete(ProgramCurator).where(ProgramCurator.person_id == person_id)
            )
            return False
        self.audit.record(person, ACTION_DELETED, "people", person_id)
        every = list(
            await self.session.scalars(
                select(Participant.id).where(Participant.person_id == person_id)
            )
        )
        if every:
            # Goals outlive a deleted participant (SET NULL), so what is theirs goes first.
            await self._erase_pair_work(every)
        await self.session.flush()
        await self._delete_states(person_id)
        await self.session.execute(delete(Person).where(Person.id == person_id))
        return True

    async def _lock_person(self, person_id: int) -> Person:
        person = await self.session.scalar(_locked(select(Person).where(Person.id == person_id)))
        if person is None:
            raise LookupError(f"person {person_id}")
        return person

    async def _erase(self, person: Person, *, reason: str) -> None:
        """Anonymise a person whose row must stay for the consent log: profile emptied,
        messengers, dialog states, link codes and questionnaire answers and feedback deleted,
        participations left, open consent links ended, pending notifications skipped."""
        now = self.clock.now()
        self.audit.record(f"person:{person.id}", ACTION_ERASED, "people", person.id, reason=reason)
        # First the dialog states: on PostgreSQL this waits for an update of the person's own
        # conversation that is in flight, so it cannot write the profile back afterwards.
        await self._delete_states(person.id)
        for name in (
            "full_name",
            "birth_date",
            "grade",
            "subject",
            "position",
            "workplace",
            "occupation",
            "timezone",
            "notify_channel",
            "organization_id",
        ):
            setattr(person, name, None)
        person.anonymized_at = now
        person.updated_at = now
        participants = list(
            await self.session.scalars(
                select(Participant).where(Participant.person_id == person.id)
            )
        )
        for participant in participants:
            if participant.status not in GONE:
                await self._set_status(participant, ParticipantStatus.LEFT, ACTION_ERASED)
        ids = [participant.id for participant in participants]
        await self._delete_answers(ids)
        if ids:
            await self.session.execute(delete(Feedback).where(Feedback.participant_id.in_(ids)))
            await self._erase_pair_work(ids)
        await self.session.execute(delete(LinkCode).where(LinkCode.person_id == person.id))
        await self.session.execute(
            update(ConsentLink)
            .where(
                ConsentLink.subject_person_id == person.id,
                ConsentLink.status == ConsentLinkStatus.ISSUED,
            )
            .values(status=ConsentLinkStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(Notification)
            .where(
                Notification.recipient_person_id == person.id,
                Notification.status == NotificationStatus.PENDING,
            )
            .values(status=NotificationStatus.SKIPPED, last_error="recipient erased")
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            delete(MessengerAccount).where(MessengerAccount.person_id == person.id)
        )

    async def _erase_pair_work(self, participant_ids: list[int]) -> None:
        """What the person wrote or what is about them in their pairs: their own goals (and
        every goal of a pair where they were the only mentee), their progress notes, and why
        they missed meetings. Meeting rows stay for the partner's history."""
        only_mentee = (
            select(PairMember.pair_id)
            .where(PairMember.role == ParticipantRole.MENTEE)
            .group_by(PairMember.pair_id)
            .having(func.count() == 1)
        )
        theirs = select(PairMember.pair_id).where(
            PairMember.participant_id.in_(participant_ids),
            PairMember.role == ParticipantRole.MENTEE,
            PairMember.pair_id.in_(only_mentee),
        )
        await self.session.execute(
            delete(Goal)
            .where(or_(Goal.participant_id.in_(participant_ids), Goal.pair_id.in_(theirs)))
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(GoalProgress)
            .where(GoalProgress.participant_id.in_(participant_ids))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(MeetingConfirmation)
            .where(MeetingConfirmation.participant_id.in_(participant_ids))
            .values(missed_reason=None)
            .execution_options(synchronize_session=False)
        )

    async def _delete_states(self, person_id: int) -> None:
        """Delete the person's dialog states; the conversation's own state row, loaded in this
        session, is marked deleted too, so the update being handled does not write it back."""
        accounts = (
            await self.session.execute(
                select(MessengerAccount.channel, MessengerAccount.external_user_id).where(
                    MessengerAccount.person_id == person_id
                )
            )
        ).all()
        conditions = [DialogState.person_id == person_id]
        conditions += [
            (DialogState.channel == channel) & (DialogState.external_user_id == external)
            for channel, external in accounts
        ]
        await self.session.execute(
            delete(DialogState)
            .where(or_(*conditions))
            .execution_options(synchronize_session="fetch")
        )

    async def _delete_answers(self, participant_ids: list[int]) -> None:
        if participant_ids:
            await self.session.execute(
                delete(QuestionnaireAnswer).where(
                    QuestionnaireAnswer.participant_id.in_(participant_ids)
                )
            )
