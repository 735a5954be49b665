"""Enumerations of the domain; every one is stored in the database as its string value."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Channel(StrEnum):
    """Where a person talks to the bot."""

    TELEGRAM = "telegram"
    VK = "vk"
    CONSOLE = "console"


class ParticipantRole(StrEnum):
    """The side a participant takes in a program."""

    MENTEE = "mentee"
    MENTOR = "mentor"


class StaffRole(StrEnum):
    """The role of an organisation's employee who runs programs rather than takes part."""

    COORDINATOR = "coordinator"
    CURATOR = "curator"
    PSYCHOLOGIST = "psychologist"


class InvitationRole(StrEnum):
    """What accepting an invite link makes of the person."""

    MENTEE = "mentee"
    MENTOR = "mentor"
    CURATOR = "curator"
    COORDINATOR = "coordinator"


class MentorshipForm(StrEnum):
    """The form of mentorship of a program (who mentors whom)."""

    STUDENT_STUDENT = "student_student"
    TEACHER_STUDENT = "teacher_student"
    TEACHER_TEACHER = "teacher_teacher"
    EMPLOYER_STUDENT = "employer_student"
    GRADUATE_STUDENT = "graduate_student"


class RoleModel(StrEnum):
    """The role model of the interaction inside a form of mentorship.

    DOMAIN.md has the Russian names; what people see comes from locales/.
    """

    # student–student
    ACHIEVER_UNDERACHIEVER = "achiever_underachiever"
    LEADER_PASSIVE = "leader_passive"
    PEER_PEER = "peer_peer"
    # teacher–student ("teacher" in the wide sense, so also employers and graduates)
    PROFESSIONAL_CONSUMER = "professional_consumer"  # active professional – indifferent consumer
    COLLEAGUE_YOUNG_COLLEAGUE = "colleague_young_colleague"
    TEACHER_FUTURE_TEACHER = "teacher_future_teacher"
    # teacher–teacher: the mentee kinds the documents name (young specialist, a teacher in
    # burnout or with difficulties, an experienced teacher learning a new technology)
    EXPERIENCED_YOUNG_SPECIALIST = "experienced_young_specialist"
    LEADER_STRUGGLING_TEACHER = "leader_struggling_teacher"
    INNOVATOR_CONSERVATIVE = "innovator_conservative"


_TEACHER_STUDENT_MODELS = (
    RoleModel.PROFESSIONAL_CONSUMER,
    RoleModel.COLLEAGUE_YOUNG_COLLEAGUE,
    RoleModel.TEACHER_FUTURE_TEACHER,
)

# The documents name no role models of their own for the employer and graduate forms; they are
# teacher–student in the wide sense ("an adult with rich personal or professional experience").
ROLE_MODELS_BY_FORM: dict[MentorshipForm, tuple[RoleModel, ...]] = {
    MentorshipForm.STUDENT_STUDENT: (
        RoleModel.ACHIEVER_UNDERACHIEVER,
        RoleModel.LEADER_PASSIVE,
        RoleModel.PEER_PEER,
    ),
    MentorshipForm.TEACHER_STUDENT: _TEACHER_STUDENT_MODELS,
    MentorshipForm.TEACHER_TEACHER: (
        RoleModel.EXPERIENCED_YOUNG_SPECIALIST,
        RoleModel.LEADER_STRUGGLING_TEACHER,
        RoleModel.INNOVATOR_CONSERVATIVE,
    ),
    MentorshipForm.EMPLOYER_STUDENT: _TEACHER_STUDENT_MODELS,
    MentorshipForm.GRADUATE_STUDENT: _TEACHER_STUDENT_MODELS,
}


class CycleStage(IntEnum):
    """The seven stages of a program's cycle; stored as the integer `programs.stage`."""

    PREPARATION = 1
    MENTEE_BASE = 2
    MENTOR_BASE = 3
    MENTOR_SELECTION = 4
    PAIR_FORMATION = 5
    PAIRS_AT_WORK = 6
    COMPLETION = 7


class ProgramStatus(StrEnum):
    """A program runs through its stages while active, then it is closed."""

    ACTIVE = "active"
    CLOSED = "closed"


class ParticipantStatus(StrEnum):
    """Life cycle of a participant: invited → onboarding → (consent_pending →) ready → matched."""

    INVITED = "invited"
    ONBOARDING = "onboarding"
    CONSENT_PENDING = "consent_pending"
    READY = "ready"
    MATCHED = "matched"
    FINISHED = "finished"
    DECLINED = "declined"
    LEFT = "left"
    REMOVED = "removed"


class ConsentPurpose(StrEnum):
    """What a consent is given for."""

    PARTICIPATION = "participation"
    PERSONAL_DATA = "personal_data"


class ConsentStatus(StrEnum):
    """A consent decision: requested → granted | refused; granted → revoked."""

    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"
    REVOKED = "revoked"


class ConsentRelation(StrEnum):
    """Who decided: the subject themself or a parent (legal representative)."""

    SELF = "self"
    PARENT = "parent"


class ConsentLinkStatus(StrEnum):
    """A consent link a child forwards to a parent: issued → used | expired."""

    ISSUED = "issued"
    USED = "used"
    EXPIRED = "expired"


class PairKind(StrEnum):
    """One mentor with one mentee, or one mentor with a group."""

    PAIR = "pair"
    GROUP = "group"


class PairStatus(StrEnum):
    """Pair life cycle: proposed → active → finished; proposed → rejected; active → dissolved."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    FINISHED = "finished"
    REJECTED = "rejected"
    DISSOLVED = "dissolved"


class MeetingKind(StrEnum):
    """The fixed sequence of a pair's meetings."""

    INTRO = "intro"
    TRIAL = "trial"
    PLANNING = "planning"
    REGULAR = "regular"
    FINAL = "final"


class MeetingStatus(StrEnum):
    """Life cycle of a meeting; `countered` and `rescheduled` are replaced by a new meeting."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    COUNTERED = "countered"
    HELD = "held"
    MISSED = "missed"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"


class ConfirmationResponse(StrEnum):
    """One participant's answer to a proposed meeting."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    COUNTERED = "countered"


class HappenedAnswer(StrEnum):
    """One participant's answer to "did the meeting happen?"."""

    YES = "yes"
    NO = "no"
    MOVED = "moved"
    UNKNOWN = "unknown"


class FeedbackKind(StrEnum):
    """After a meeting, a periodic pulse survey, or the final survey of the program."""

    MEETING = "meeting"
    PULSE = "pulse"
    FINAL = "final"


class ProposalStatus(StrEnum):
    """A proposed mentee–mentor match: proposed → approved | rejected; a new run supersedes it."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class ExclusionKind(StrEnum):
    """Why a mentee and a mentor are not proposed to each other."""

    NEVER = "never"  # the curator's "never pair": not even by hand
    REJECTED = "rejected"  # the curator rejected the proposal; still possible by hand
    CHANGE = "change"  # the pair was split after a change request


class ChangeRequestStatus(StrEnum):
    """A request to change a mentor or a mentee: requested → approved | declined."""

    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"


class GoalStatus(StrEnum):
    """A goal of a pair or of a mentee."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class NotificationStatus(StrEnum):
    """Outbox: pending → sending (leased) → sent; back to pending on retry; failed; skipped."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
