"""Domain services: the program's rules, with no messenger in sight."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services.audit import AuditService
from bot.services.demo import DemoService
from bot.services.linking import LinkingService
from bot.services.outbox import OutboxService
from bot.services.people import PeopleService

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock

__all__ = [
    "AuditService",
    "DemoService",
    "LinkingService",
    "OutboxService",
    "PeopleService",
    "Services",
]


class Services:
    """The services of one unit of work (one handled update or one scheduler tick)."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.audit = AuditService(session, clock)
        self.people = PeopleService(session, clock, self.audit)
        self.demo = DemoService(session, clock, self.audit)
        self.outbox = OutboxService(session, clock)
        self.linking = LinkingService(session, clock, self.audit, self.outbox)
