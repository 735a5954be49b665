"""Domain services: the program's rules, with no messenger in sight."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services.audit import AuditService
from bot.services.demo import DemoService
from bot.services.enrolment import EnrolmentService
from bot.services.invitations import InvitationService
from bot.services.linking import LinkingService
from bot.services.matching import MatchingService
from bot.services.meetings import MeetingService
from bot.services.mentors import MentorService
from bot.services.outbox import OutboxService
from bot.services.people import PeopleService
from bot.services.policy import InviteLinks, Policy
from bot.services.programs import ProgramService
from bot.services.questionnaires import QuestionnaireService

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock

__all__ = [
    "AuditService",
    "DemoService",
    "EnrolmentService",
    "InvitationService",
    "InviteLinks",
    "LinkingService",
    "MatchingService",
    "MeetingService",
    "MentorService",
    "OutboxService",
    "PeopleService",
    "Policy",
    "ProgramService",
    "QuestionnaireService",
    "Services",
]


class Services:
    """The services of one unit of work (one handled update or one scheduler tick)."""

    def __init__(self, session: AsyncSession, clock: Clock, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self.audit = AuditService(session, clock)
        self.people = PeopleService(session, clock, self.audit)
        self.demo = DemoService(session, clock, self.audit)
        self.outbox = OutboxService(session, clock)
        self.linking = LinkingService(session, clock, self.audit, self.outbox)
        common = (session, clock, self.audit, self.outbox, self.policy)
        self.programs = ProgramService(*common)
        self.invitations = InvitationService(*common)
        self.questionnaires = QuestionnaireService(*common)
        self.enrolment = EnrolmentService(*common)
        self.matching = MatchingService(*common, questionnaires=self.questionnaires)
        self.mentors = MentorService(*common)
        self.meetings = MeetingService(*common)
