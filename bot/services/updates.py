"""Redeliveries: each messenger update is handled once, whichever worker it reaches."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete

from storage import HandledUpdate
from storage.db import insert_or_skip

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# Telegram stops re-posting a webhook update within hours and VK repeats a Callback event
# within minutes; two days is well past both.
KEEP = timedelta(days=2)


async def first_delivery(session: AsyncSession, key: str, now: datetime) -> bool:
    """Note `key` as handled in the session's transaction; False when it was handled already.

    The note commits (or rolls back) with the handling itself. On PostgreSQL a second worker with
    the same update waits here until the first commits, then gets False.
    """
    result = await session.execute(
        insert_or_skip(session, HandledUpdate, ["key"]).values(key=key, handled_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def forget_handled(session: AsyncSession, now: datetime) -> int:
    """Drop the notes older than `KEEP`; returns how many."""
    result = await session.execute(
        delete(HandledUpdate).where(HandledUpdate.handled_at < now - KEEP)
    )
    return int(getattr(result, "rowcount", 0) or 0)
