"""What every domain service of one unit of work holds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select

from storage import ProgramCurator

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock
    from bot.services.audit import AuditService
    from bot.services.outbox import OutboxService
    from bot.services.policy import Policy


URL_MAX = 500


def valid_url(url: str) -> bool:
    """An http(s) address with a host, short enough to store."""
    parts = urlsplit(url.strip())
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and len(url) <= URL_MAX


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

    async def tell_curators(
        self, program_id: int, key: str, kind: str, text_id: str, args: Mapping[str, Any]
    ) -> None:
        """Plan one notification to every curator of the program; `key` is made per curator."""
        curators = await self.session.scalars(
            select(ProgramCurator.person_id)
            .where(ProgramCurator.program_id == program_id)
            .order_by(ProgramCurator.person_id)
        )
        for curator_id in curators:
            await self.outbox.plan(
                key=f"{key}:{curator_id}",
                kind=kind,
                recipient_id=curator_id,
                text_id=text_id,
                args=args,
            )
