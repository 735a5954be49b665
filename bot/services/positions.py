"""How far a messenger's update stream has been handled (VK Bots Long Poll's `ts`)."""

from __future__ import annotations

from sqlalchemy import select

from storage import Database, PollPosition
from storage.db import insert_or_update
from storage.types import utcnow


class PollPositions:
    """Positions kept in the database, one per source ("vk:<community id>")."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def get(self, source: str) -> str | None:
        """The position last kept for `source`, or None if none was."""
        async with self.database.sessions() as session:
            return await session.scalar(
                select(PollPosition.position).where(PollPosition.source == source)
            )

    async def keep(self, source: str, position: str) -> None:
        """Remember that everything of `source` before `position` was handled."""
        async with self.database.transaction() as session:
            await session.execute(
                insert_or_update(
                    session,
                    PollPosition,
                    ["source"],
                    source=source,
                    position=position,
                    updated_at=utcnow(),
                )
            )
