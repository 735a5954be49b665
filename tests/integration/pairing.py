"""An active pair for service tests: a mentor in Vladivostok and a mentee in Kaliningrad, a
stranger in the same program, and helpers to open a unit of work and read rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select

from bot.core.clock import FrozenClock
from bot.services import Services
from storage import (
    Database,
    Notification,
    Pair,
    PairMember,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
)
from tests.integration import factories as f


class Pairing:
    """An active pair: a mentor in Vladivostok and a mentee in Kaliningrad, plus a stranger."""

    def __init__(self, database: Database, clock: FrozenClock) -> None:
        self.database = database
        self.clock = clock
        self.program_id = 0

    async def open(self) -> Pairing:
        async with self.database.transaction() as session:
            org = await f.organization(session)
            prog = await f.program(session, org)
            self.mentor = await f.person(
                session, org, full_name="Дарья", grade="10А", timezone="Asia/Vladivostok"
            )
            self.mentee = await f.person(
                session, org, full_name="Миша", grade="6Б", timezone="Europe/Kaliningrad"
            )
            self.stranger = await f.person(session, org, full_name="Чужой")
            parts = {}
            for who, role in (
                (self.mentor, ParticipantRole.MENTOR),
                (self.mentee, ParticipantRole.MENTEE),
                (self.stranger, ParticipantRole.MENTEE),
            ):
                await f.account(session, who)
                part = await f.participant(session, prog, who, role)
                part.status = ParticipantStatus.MATCHED
                parts[who.id] = part
            pair = await f.add(
                session,
                Pair(
                    program_id=prog.id,
                    status=PairStatus.ACTIVE,
                    mentor_participant_id=parts[self.mentor.id].id,
                    created_at=self.clock.now(),
                    approved_at=self.clock.now(),
                ),
            )
            for who in (self.mentor, self.mentee):
                session.add(
                    PairMember(
                        pair_id=pair.id,
                        participant_id=parts[who.id].id,
                        role=parts[who.id].role,
                        joined_at=self.clock.now(),
                    )
                )
            self.pair_id = pair.id
            self.program_id = prog.id
            self.participants = {who: part.id for who, part in parts.items()}
        return self

    @asynccontextmanager
    async def services(self) -> AsyncIterator[Services]:
        async with self.database.transaction() as session:
            yield Services(session, self.clock)

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        async with self.database.transaction() as session:
            return list(await session.scalars(select(model).where(*where).order_by(model.id)))

    async def notes(self, text_id: str, person_id: int | None = None) -> list[Notification]:
        return [
            row
            for row in await self.rows(Notification)
            if row.payload["text_id"] == text_id
            and (person_id is None or row.recipient_person_id == person_id)
        ]
