"""The audit log: who changed what."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storage import AuditLog

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock
    from storage import Person


class AuditService:
    """Writes audit rows in the caller's transaction."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    def record(
        self,
        actor: Person | str,
        action: str,
        entity: str,
        entity_id: object = None,
        **details: Any,
    ) -> None:
        """Note that `actor` (a person, or a system name like `system:seed`) did `action`."""
        person_id = None if isinstance(actor, str) else actor.id
        self.session.add(
            AuditLog(
                at=self.clock.now(),
                actor_person_id=person_id,
                actor=actor if isinstance(actor, str) else f"person:{actor.id}",
                action=action,
                entity=entity,
                entity_id=None if entity_id is None else str(entity_id),
                details=details or None,
            )
        )
