"""Builders of test rows: each adds a valid object with sensible defaults and flushes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage import (
    Channel,
    MentorshipForm,
    MessengerAccount,
    Organization,
    Participant,
    ParticipantRole,
    Person,
    Program,
    RoleModel,
)

# The injected clock of these tests: a fixed instant, never the wall clock.
NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
_ids = count(1)
T = TypeVar("T")


def later(minutes: int) -> datetime:
    """NOW plus some minutes."""
    return NOW + timedelta(minutes=minutes)


async def add(session: AsyncSession, obj: T) -> T:
    """Add and flush, so the object gets its id."""
    session.add(obj)
    await session.flush()
    return obj


async def organization(session: AsyncSession) -> Organization:
    """A school."""
    org = Organization(name=f"Школа №{next(_ids)}", created_at=NOW)
    return await add(session, org)


async def person(session: AsyncSession, org: Organization | None = None, **kw: Any) -> Person:
    """A person, in `org` when given."""
    values: dict[str, Any] = {
        "full_name": f"Ученик {next(_ids)}",
        "grade": "6Б",
        "created_at": NOW,
        "updated_at": NOW,
        "organization_id": org.id if org else None,
    }
    values.update(kw)
    return await add(session, Person(**values))


async def account(
    session: AsyncSession,
    who: Person,
    *,
    channel: Channel = Channel.TELEGRAM,
    external_user_id: str | None = None,
) -> MessengerAccount:
    """A messenger account of `who`."""
    external = external_user_id or str(100000 + next(_ids))
    acc = MessengerAccount(
        person_id=who.id,
        channel=channel,
        external_user_id=external,
        chat_id=external,
        created_at=NOW,
    )
    return await add(session, acc)


async def program(session: AsyncSession, org: Organization) -> Program:
    """A student–student program at stage 1."""
    prog = Program(
        organization_id=org.id,
        name="Равный — равному",
        form=MentorshipForm.STUDENT_STUDENT,
        role_model=RoleModel.PEER_PEER,
        created_at=NOW,
    )
    return await add(session, prog)


async def participant(
    session: AsyncSession,
    prog: Program,
    who: Person,
    role: ParticipantRole = ParticipantRole.MENTEE,
) -> Participant:
    """`who` in `prog` with `role`."""
    part = Participant(
        program_id=prog.id, person_id=who.id, role=role, created_at=NOW, updated_at=NOW
    )
    return await add(session, part)
