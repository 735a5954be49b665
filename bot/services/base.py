"""What every domain service of one unit of work holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock
    from bot.services.audit import AuditService
    from bot.services.outbox import OutboxService
    from bot.services.policy import Policy


class Service:
    """The session, clock, audit log, outbox and policy shared by the services of one update."""

    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        audit: AuditService,
        outbox: OutboxService,
        policy: Policy,
    ) -> None:
        self.session = session
        self.clock = clock
        self.audit = audit
        self.outbox = outbox
        self.policy = policy
