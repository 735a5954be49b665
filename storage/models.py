"""The data model: SQLAlchemy 2 typed declarative classes, one per table.

Models never commit; services own the transaction. Timestamps are aware UTC (`UTCDateTime`);
callers usually pass them from an injected clock, the Python defaults are a fallback. Deleting a
person removes every row of their personal data through ON DELETE CASCADE foreign keys.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column, relationship

from storage.enums import (
    ChangeRequestStatus,
    Channel,
    ConfirmationResponse,
    ConsentLinkStatus,
    ConsentPurpose,
    ConsentRelation,
    ConsentStatus,
    ExclusionKind,
    FeedbackKind,
    GoalStatus,
    HappenedAnswer,
    InvitationRole,
    MeetingKind,
    MeetingStatus,
    MentorshipForm,
    NotificationStatus,
    PairKind,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
    ProgramStatus,
    ProposalStatus,
    RoleModel,
    StaffRole,
)
from storage.types import UTCDateTime, enum_type, utcnow

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON that maps Python None to SQL NULL (the default would store the JSON literal `null`).
NullableJSON = JSON(none_as_null=True)


class Base(DeclarativeBase):
    """Declarative base; its metadata names every constraint by `NAMING_CONVENTION`."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _created_at() -> MappedColumn[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow)


def _updated_at() -> MappedColumn[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def _fk(
    target: str, *, ondelete: str, nullable: bool = False, index: bool = True
) -> MappedColumn[Any]:
    """An integer foreign key, indexed by default (PostgreSQL does not index them itself)."""
    return mapped_column(
        Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
    )


class Organization(Base):
    """A school, college or centre that runs mentorship programs."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    # When the curators' weekly digest goes out, in the organisation's time zone.
    digest_weekday: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # Monday
    digest_hour: Mapped[int] = mapped_column(Integer, default=9, server_default="9")
    created_at: Mapped[datetime] = _created_at()


class Person(Base):
    """A human being known to the bot; the personal data every other row hangs from."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    organization_id: Mapped[int | None] = _fk(
        "organizations.id", ondelete="SET NULL", nullable=True
    )
    full_name: Mapped[str | None] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    grade: Mapped[str | None] = mapped_column(String(16))  # school class: year and letter
    subject: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    workplace: Mapped[str | None] = mapped_column(String(200))
    occupation: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()
    # Where notifications go when the person has several messengers; None picks automatically.
    notify_channel: Mapped[Channel | None] = mapped_column(enum_type(Channel))
    # Set when the person's data were erased (consent revoked, /delete_me) and the row kept only
    # so that the consent log and the audit still point at someone.
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whether a pair partner may see a link to the person's messenger profile in introductions.
    share_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    accounts: Mapped[list[MessengerAccount]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class MessengerAccount(Base):
    """A person's account in one messenger; the bot writes to `chat_id`."""

    __tablename__ = "messenger_accounts"
    __table_args__ = (UniqueConstraint("channel", "external_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[int] = _fk("people.id", ondelete="CASCADE")
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    external_user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    language_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = _created_at()

    person: Mapped[Person] = relationship(back_populates="accounts")


class LinkCode(Base):
    """A one-time code that joins the messenger account entering it to the person who got it."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[int] = _fk("people.id", ondelete="CASCADE")
    code: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))  # where it was issued
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created_at()


class StaffMember(Base):
    """A coordinator, curator or psychologist of an organisation."""

    __tablename__ = "staff_members"
    __table_args__ = (UniqueConstraint("organization_id", "person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = _fk("organizations.id", ondelete="CASCADE")
    person_id: Mapped[int] = _fk("people.id", ondelete="CASCADE")
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole))
    created_at: Mapped[datetime] = _created_at()


class Program(Base):
    """A mentorship program of one form and role model, going through the seven stages."""

    __tablename__ = "programs"
    __table_args__ = (CheckConstraint("stage BETWEEN 1 AND 7", name="stage_range"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = _fk("organizations.id", ondelete="CASCADE")
    name: Mapped[str] = mapped_column(String(200))
    form: Mapped[MentorshipForm] = mapped_column(enum_type(MentorshipForm))
    role_model: Mapped[RoleModel] = mapped_column(enum_type(RoleModel))
    stage: Mapped[int] = mapped_column(Integer, default=1)  # a CycleStage value
    status: Mapped[ProgramStatus] = mapped_column(
        enum_type(ProgramStatus), default=ProgramStatus.ACTIVE
    )
    # The demo program `make run` seeds, so a newcomer can try the bot without a curator.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Two sentences shown to people who open an invite link.
    description: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Matching: proposals scoring below this (0–100) are not made; pairs or mentor groups.
    match_threshold: Mapped[int] = mapped_column(Integer, default=40, server_default="40")
    pair_kind: Mapped[PairKind] = mapped_column(
        enum_type(PairKind), default=PairKind.PAIR, server_default=PairKind.PAIR.value
    )
    # Meetings: minutes before a meeting to remind (None: 24 h and 1 h), weeks between pulse
    # surveys (None: 4).
    reminder_minutes: Mapped[list[int] | None] = mapped_column(NullableJSON)
    pulse_weeks: Mapped[int | None] = mapped_column(Integer)
    # Move to the next stage on its planned start date rather than by the curator's hand.
    advance_by_date: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = _created_at()
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship()

    stages: Mapped[list[ProgramStage]] = relationship(
        back_populates="program",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ProgramStage.stage",
    )


class ProgramStage(Base):
    """Planned dates, actual start and end, and the checklist of one stage of a program."""

    __tablename__ = "program_stages"
    __table_args__ = (
        UniqueConstraint("program_id", "stage"),
        CheckConstraint("stage BETWEEN 1 AND 7", name="stage_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    program_id: Mapped[int] = _fk("programs.id", ondelete="CASCADE", index=False)
    stage: Mapped[int] = mapped_column(Integer)  # a CycleStage value
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # checklist item id -> done
    checklist: Mapped[dict[str, bool] | None] = mapped_column(NullableJSON)

    program: Mapped[Program] = relationship(back_populates="stages")


class ProgramCurator(Base):
    """A curator appointed to a program."""

    __tablename__ = "program_curators"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = _created_at()


class Participant(Base):
    """A person in a program as a mentee or a mentor, with the participant life-cycle status."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("program_id", "person_id", "role"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    program_id: Mapped[int] = _fk("programs.id", ondelete="CASCADE", index=False)
    person_id: Mapped[int] = _fk("people.id", ondelete="CASCADE")
    role: Mapped[ParticipantRole] = mapped_column(enum_type(ParticipantRole))
    status: Mapped[ParticipantStatus] = mapped_column(
        enum_type(ParticipantStatus), default=ParticipantStatus.INVITED
    )
    approved: Mapped[bool] = mapped_column(Boolean, default=False)  # mentors, stage 4
    capacity: Mapped[int | None] = mapped_column(Integer)  # mentors: how many mentees at most
    # The questionnaire the participant fills (its key and version) and when it was finished.
    questionnaire_key: Mapped[str | None] = mapped_column(String(64))
    questionnaire_version: Mapped[int | None] = mapped_column(Integer)
    questionnaire_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    person: Mapped[Person] = relationship()
    program: Mapped[Program] = relationship()


class Invitation(Base):
    """An invite link's token: joining the organisation or a program in a role."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    organization_id: Mapped[int] = _fk("organizations.id", ondelete="CASCADE")
    program_id: Mapped[int | None] = _fk("programs.id", ondelete="CASCADE", nullable=True)
    role: Mapped[InvitationRole] = mapped_column(enum_type(InvitationRole))
    created_by_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created_at()


class Consent(Base):
    """One consent decision (152-FZ). Never edited in place: a new decision is a new row."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    subject_person_id: Mapped[int] = _fk("people.id", ondelete="CASCADE")
    program_id: Mapped[int | None] = _fk("programs.id", ondelete="CASCADE", nullable=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(enum_type(ConsentPurpose))
    status: Mapped[ConsentStatus] = mapped_column(enum_type(ConsentStatus))
    relation: Mapped[ConsentRelation] = mapped_column(enum_type(ConsentRelation))
    given_by_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)
    signer_name: Mapped[str | None] = mapped_column(String(200))
    # The messenger account the decision came from.
    given_by_account_id: Mapped[int | None] = _fk(
        "messenger_accounts.id", ondelete="SET NULL", nullable=True
    )
    text_version: Mapped[str] = mapped_column(String(32))
    # SHA-256 (hex) of the exact text shown when deciding.
    text_hash: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[Channel | None] = mapped_column(enum_type(Channel))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created_at()


class ConsentLink(Base):
    """A one-time link a minor forwards to a parent so the parent can decide on consent."""

    __tablename__ = "consent_links"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    subject_person_id: Mapped[int] = _fk("people.id", ondelete="CASCADE")
    program_id: Mapped[int | None] = _fk("programs.id", ondelete="CASCADE", nullable=True)
    status: Mapped[ConsentLinkStatus] = mapped_column(
        enum_type(ConsentLinkStatus), default=ConsentLinkStatus.ISSUED
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)
    created_at: Mapped[datetime] = _created_at()


class Questionnaire(Base):
    """A questionnaire a curator loaded for their program (the built-in ones are files)."""

    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("program_id", "key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    program_id: Mapped[int] = _fk("programs.id", ondelete="CASCADE", index=False)
    key: Mapped[str] = mapped_column(String(64))  # e.g. mentee-student
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)  # the YAML as loaded
    loaded_by_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)
    created_at: Mapped[datetime] = _created_at()


class QuestionnaireAnswer(Base):
    """A participant's answer to one question of a versioned questionnaire."""

    __tablename__ = "questionnaire_answers"
    __table_args__ = (
        UniqueConstraint(
            "participant_id",
            "questionnaire_id",
            "question_id",
            name="uq_questionnaire_answers_participant_question",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE", index=False)
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Pair(Base):
    """A mentor with one mentee (pair) or several (group); see `PairMember`."""

    __tablename__ = "pairs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    program_id: Mapped[int] = _fk("programs.id", ondelete="CASCADE")
    kind: Mapped[PairKind] = mapped_column(enum_type(PairKind), default=PairKind.PAIR)
    status: Mapped[PairStatus] = mapped_column(enum_type(PairStatus), default=PairStatus.PROPOSED)
    mentor_participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE")
    score: Mapped[float | None] = mapped_column(Float)  # the matching score
    reason: Mapped[str | None] = mapped_column(Text)  # why matched, shown to the curator
    created_at: Mapped[datetime] = _created_at()
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    members: Mapped[list[PairMember]] = relationship(
        back_populates="pair", cascade="all, delete-orphan", passive_deletes=True
    )


class PairMember(Base):
    """A participant in a pair or group (the mentor too, with role mentor)."""

    __tablename__ = "pair_members"
    __table_args__ = (UniqueConstraint("pair_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pair_id: Mapped[int] = _fk("pairs.id", ondelete="CASCADE", index=False)
    participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE")
    role: Mapped[ParticipantRole] = mapped_column(enum_type(ParticipantRole))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A mentee's matching score with the mentor and its structured reasons (see MatchProposal).
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(NullableJSON)

    pair: Mapped[Pair] = relationship(back_populates="members")


class MatchProposal(Base):
    """The matching's proposal of a mentor for a mentee, waiting for the curator's decision."""

    __tablename__ = "match_proposals"
    __table_args__ = (Index("ix_match_proposals_program_id_status", "program_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    program_id: Mapped[int] = _fk("programs.id", ondelete="CASCADE", index=False)
    mentee_participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE")
    mentor_participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE")
    score: Mapped[float] = mapped_column(Float)
    # The parts of the score worth naming: [{"key", "similarity", "weight", "common"}], health
    # answers never among them; rendered in the reader's language when shown.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[ProposalStatus] = mapped_column(
        enum_type(ProposalStatus), default=ProposalStatus.PROPOSED
    )
    # Set when the curator moved the mentee to this mentor by hand.
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = _created_at()
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)


class MatchExclusion(Base):
    """A mentee and a mentor the matching must not propose to each other."""

    __tablename__ = "match_exclusions"
    __table_args__ = (UniqueConstraint("mentee_participant_id", "mentor_participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    program_id: Mapped[int] = _fk("programs.id", ondelete="CASCADE")
    mentee_participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE", index=False)
    mentor_participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE")
    kind: Mapped[ExclusionKind] = mapped_column(enum_type(ExclusionKind))
    created_by_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)
    created_at: Mapped[datetime] = _created_at()


class PairChangeRequest(Base):
    """A mentee's request for another mentor, or a mentor's to stop with a mentee."""

    __tablename__ = "pair_change_requests"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pair_id: Mapped[int] = _fk("pairs.id", ondelete="CASCADE")
    mentee_participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE")
    requested_by_participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE")
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ChangeRequestStatus] = mapped_column(
        enum_type(ChangeRequestStatus), default=ChangeRequestStatus.REQUESTED
    )
    created_at: Mapped[datetime] = _created_at()
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)


class ProgramMaterial(Base):
    """A training material for the program's mentors: a link or a file (stage 4)."""

    __tablename__ = "program_materials"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    program_id: Mapped[int] = _fk("programs.id", ondelete="CASCADE")
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)
    created_at: Mapped[datetime] = _created_at()


class Announcement(Base):
    """A curator's message to a program's participants (all, or one role), maybe with one of
    the program's files; its deliveries are the notifications keyed `announcement:<id>:...`."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    program_id: Mapped[int] = _fk("programs.id", ondelete="CASCADE")
    role: Mapped[ParticipantRole | None] = mapped_column(enum_type(ParticipantRole))
    text: Mapped[str] = mapped_column(Text)
    # A file of the program's materials sent along (uploaded once, `admin material add`).
    material_id: Mapped[int | None] = _fk(
        "program_materials.id", ondelete="SET NULL", nullable=True
    )
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_by_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)
    created_at: Mapped[datetime] = _created_at()
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # delivery count sent


class Meeting(Base):
    """A meeting of a pair; a counter-proposal or a reschedule is a new row via `replaces`."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        Index("ix_meetings_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pair_id: Mapped[int] = _fk("pairs.id", ondelete="CASCADE")
    kind: Mapped[MeetingKind] = mapped_column(enum_type(MeetingKind))
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus), default=MeetingStatus.PROPOSED
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    place: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(500))
    topic: Mapped[str | None] = mapped_column(String(500))
    proposed_by_participant_id: Mapped[int | None] = _fk(
        "participants.id", ondelete="SET NULL", nullable=True
    )
    replaces_meeting_id: Mapped[int | None] = _fk("meetings.id", ondelete="SET NULL", nullable=True)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    confirmations: Mapped[list[MeetingConfirmation]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True
    )


class MeetingConfirmation(Base):
    """One participant's response to a meeting and their answer to "did it happen?"."""

    __tablename__ = "meeting_confirmations"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    meeting_id: Mapped[int] = _fk("meetings.id", ondelete="CASCADE", index=False)
    participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE")
    response: Mapped[ConfirmationResponse] = mapped_column(
        enum_type(ConfirmationResponse), default=ConfirmationResponse.PENDING
    )
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    happened: Mapped[HappenedAnswer | None] = mapped_column(enum_type(HappenedAnswer))
    happened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    missed_reason: Mapped[str | None] = mapped_column(Text)  # why it did not happen

    meeting: Mapped[Meeting] = relationship(back_populates="confirmations")


class Feedback(Base):
    """A participant's feedback after a meeting, in a pulse survey or at the end.

    A survey's row is created when the survey is sent (`round`: the pulse survey's number, 0 for
    the final one; `survey_key`/`survey_version`: its questionnaire); `completed_at` is set when
    the person confirms the answers, kept in `answers` by question id.
    """

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("participant_id", "kind", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    participant_id: Mapped[int] = _fk("participants.id", ondelete="CASCADE")
    meeting_id: Mapped[int | None] = _fk("meetings.id", ondelete="SET NULL", nullable=True)
    kind: Mapped[FeedbackKind] = mapped_column(enum_type(FeedbackKind))
    rating: Mapped[int | None] = mapped_column(Integer)
    done_text: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    intermediate_result: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[dict[str, Any] | None] = mapped_column(NullableJSON)
    round: Mapped[int | None] = mapped_column(Integer)
    survey_key: Mapped[str | None] = mapped_column(String(64))
    survey_version: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created_at()


class Goal(Base):
    """A goal of a pair (or of one mentee in it) with its progress in percent."""

    __tablename__ = "goals"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pair_id: Mapped[int] = _fk("pairs.id", ondelete="CASCADE")
    participant_id: Mapped[int | None] = _fk("participants.id", ondelete="SET NULL", nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[GoalStatus] = mapped_column(enum_type(GoalStatus), default=GoalStatus.OPEN)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A step of a teacher mentee's individual educational route: the deficit area it works on,
    # the concrete product it ends with, and when.
    area: Mapped[str | None] = mapped_column(String(32))
    product: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    meeting_id: Mapped[int | None] = _fk("meetings.id", ondelete="SET NULL", nullable=True)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()


class GoalProgress(Base):
    """One update of a goal's progress, at a meeting or between meetings."""

    __tablename__ = "goal_progress"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    goal_id: Mapped[int] = _fk("goals.id", ondelete="CASCADE")
    meeting_id: Mapped[int | None] = _fk("meetings.id", ondelete="SET NULL", nullable=True)
    participant_id: Mapped[int | None] = _fk("participants.id", ondelete="SET NULL", nullable=True)
    progress: Mapped[int] = mapped_column(Integer)
    status: Mapped[GoalStatus] = mapped_column(enum_type(GoalStatus))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()


class Notification(Base):
    """The outbox: a message to deliver at `due_at`, idempotent by `key`, leased while sending."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    recipient_person_id: Mapped[int] = _fk("people.id", ondelete="CASCADE")
    channel: Mapped[Channel | None] = mapped_column(enum_type(Channel))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[NotificationStatus] = mapped_column(
        enum_type(NotificationStatus), default=NotificationStatus.PENDING
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()


class DialogState(Base):
    """Where a messenger user is in a dialog; `revision` guards against two racing taps."""

    __tablename__ = "dialog_states"
    __table_args__ = (UniqueConstraint("channel", "external_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    external_user_id: Mapped[str] = mapped_column(String(64))
    # Set once the user is known, so deleting the person deletes their dialog state too.
    person_id: Mapped[int | None] = _fk("people.id", ondelete="CASCADE", nullable=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = _updated_at()
    # The messengers' ids of the conversation's last updates ("telegram:<update_id>",
    # "vk:message:<id>"), newest last: a redelivered copy (a Telegram webhook re-post, a repeated
    # VK event, updates handed back by polling after a crash) is found here and ignored.
    recent_updates: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )


class PollPosition(Base):
    """How far a messenger's update stream has been handled: VK Bots Long Poll's `ts`, so that
    a restarted bot asks VK for what was written while it was down instead of starting at now."""

    __tablename__ = "poll_positions"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)  # vk:<community id>
    position: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = _updated_at()


class AuditLog(Base):
    """Who changed what and when; rows outlive the actor (the person link becomes NULL)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_person_id: Mapped[int | None] = _fk("people.id", ondelete="SET NULL", nullable=True)
    actor: Mapped[str] = mapped_column(String(64))  # "person:5", "system:seed"
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(NullableJSON)
