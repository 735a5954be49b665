"""Domain services: the program's rules, with no messenger in sight."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services.announcements import AnnouncementService
from bot.services.audit import AuditService
from bot.services.demo import DemoService
from bot.services.digests import DigestService
from bot.services.enrolment import EnrolmentService
from bot.services.figures import FigureService
from bot.services.goals import GoalService
from bot.services.invitations import InvitationService
from bot.services.linking import LinkingService
from bot.services.matching import MatchingService
from bot.services.meetings import MeetingService
from bot.services.mentors import MentorService
from bot.services.nudges import NudgeService
from bot.services.outbox import OutboxService
from bot.services.people import PeopleService
from bot.services.policy import InviteLinks, Policy
from bot.services.programs import ProgramService
from bot.services.questionnaires import QuestionnaireService
from bot.services.reports import ReportService
from bot.services.stages import StageService
from bot.services.summaries import SummaryService
from bot.services.surveys import SurveyService

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock

__all__ = [
    "AnnouncementService",
    "AuditService",
    "DemoService",
    "DigestService",
    "EnrolmentService",
    "FigureService",
    "GoalService",
    "InvitationService",
    "InviteLinks",
    "LinkingService",
    "MatchingService",
    "MeetingService",
    "MentorService",
    "NudgeService",
    "OutboxService",
    "PeopleService",
    "Policy",
    "ProgramService",
    "QuestionnaireService",
    "ReportService",
    "Services",
    "StageService",
    "SummaryService",
    "SurveyService",
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
        self.goals = GoalService(*common)
        self.surveys = SurveyService(*common)
        self.nudges = NudgeService(*common)
        self.figures = FigureService(*common)
        self.digests = DigestService(*common)
        self.reports = ReportService(*common)
        self.stages = StageService(*common, surveys=self.surveys, reports=self.reports)
        self.announcements = AnnouncementService(*common)
        self.summaries = SummaryService(*common, meetings=self.meetings, goals=self.goals)
