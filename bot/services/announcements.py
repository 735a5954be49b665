"""Announcements: a curator's message to a program's participants (all, or one role), maybe
with one of the program's files, delivered through the outbox within the messengers' limits.

Each recipient gets a notification keyed `announcement:<id>:<person>`; counting those by
status gives the delivery report (sent / unreachable / failed / still on the way). Once none is
on the way, the periodic job tells the author the final count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.services.base import Service
from bot.services.outbox import UNREACHABLE, NotificationKind
from bot.services.programs import Access, Actor, Refusal, System, acting
from storage import (
    Announcement,
    Notification,
    NotificationStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramMaterial,
    ProgramStatus,
)

TEXT_MAX = 3500  # a Telegram message holds 4096 characters; the heading takes some
ACTION_SENT = "announcements.sent"
# Who hears announcements: people taking part; not those gone, nor minors whose parent has not
# yet consented (nothing may be sent to them but the consent flow).
RECIPIENTS = (
    ParticipantStatus.INVITED,
    ParticipantStatus.ONBOARDING,
    ParticipantStatus.READY,
    ParticipantStatus.MATCHED,
    ParticipantStatus.FINISHED,
)


class AnnouncementError(ValueError):
    """Text empty or too long, or a file that is not the program's."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """How an announcement's messages fared."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    waiting: int = 0

    @property
    def done(self) -> bool:
        """Nothing is on the way any more."""
        return self.waiting == 0


@dataclass(frozen=True, slots=True)
class AnnouncementView:
    """An announcement with its delivery count."""

    id: int
    program_id: int
    role: ParticipantRole | None
    text: str
    file: str | None
    recipients: int
    created_at: datetime
    delivery: Delivery


class AnnouncementService(Service):
    """Sends announcements and counts their deliveries."""

    async def recipients(
        self, actor: Actor, program_id: int, role: ParticipantRole | None
    ) -> int | Refusal:
        """How many people an announcement to `role` (None: everyone) would reach."""
        program = await Access(self.session).program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        return len(await self._people(program.id, role))

    async def send(
        self,
        actor: Actor,
        program_id: int,
        text: str,
        *,
        role: ParticipantRole | None = None,
        material_id: int | None = None,
    ) -> AnnouncementView | Refusal:
        """Plan the announcement to everyone (or one role) of the program; AnnouncementError for
        an empty or too long text or a file of another program."""
        program = await Access(self.session).program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        if program.status is ProgramStatus.CLOSED:
            return Refusal.NOT_FOUND
        text = text.strip()
        if not 0 < len(text) <= TEXT_MAX:
            raise AnnouncementError(f"the text must have 1 to {TEXT_MAX} characters")
        material = None
        if material_id is not None:
            material = await self.session.get(ProgramMaterial, material_id)
            if material is None or material.program_id != program.id or not material.content:
                raise AnnouncementError("the file is not one of the program's files")
        people = await self._people(program.id, role)
        now = self.clock.now()
        row = Announcement(
            program_id=program.id,
            role=role,
            text=text,
            material_id=material.id if material else None,
            recipients=len(people),
            created_by_person_id=None if isinstance(actor, System) else actor,
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        for person_id in people:
            await self.outbox.plan(
                key=f"announcement:{row.id}:{person_id}",
                kind=NotificationKind.ANNOUNCEMENT,
                recipient_id=person_id,
                text_id="announcement",
                args={"program": program.name, "text": text},
                material_id=material.id if material else None,
            )
        self.audit.record(
            await acting(self.session, actor),
            ACTION_SENT,
            "announcements",
            row.id,
            program=program.id,
            role=role.value if role else "all",
            recipients=len(people),
        )
        return await self._view(row)

    async def recent(
        self, actor: Actor, program_id: int, limit: int = 5
    ) -> list[AnnouncementView] | Refusal:
        """The program's latest announcements with their delivery counts, newest first."""
        program = await Access(self.session).program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        rows = await self.session.scalars(
            select(Announcement)
            .where(Announcement.program_id == program.id)
            .order_by(Announcement.id.desc())
            .limit(limit)
        )
        return [await self._view(row) for row in rows]

    async def report_finished(self) -> int:
        """Tell each author the final count of announcements whose messages all went (or
        failed); how many were reported."""
        rows = list(
            await self.session.scalars(
                select(Announcement).where(
                    Announcement.reported_at.is_(None),
                    Announcement.created_by_person_id.is_not(None),
                )
            )
        )
        reported = 0
        for row in rows:
            view = await self._view(row)
            if not view.delivery.done or row.created_by_person_id is None:
                continue
            program = await self.session.get_one(Program, row.program_id)
            await self.outbox.plan(
                key=f"announcement:{row.id}:report",
                kind=NotificationKind.ANNOUNCEMENT,
                recipient_id=row.created_by_person_id,
                text_id="announcement-report",
                args={"program": program.name, **_counts(view.delivery)},
            )
            row.reported_at = self.clock.now()
            reported += 1
        return reported

    async def _view(self, row: Announcement) -> AnnouncementView:
        counts = await self.session.execute(
            select(Notification.status, Notification.last_error, func.count().label("n"))
            .where(
                Notification.key.startswith(f"announcement:{row.id}:", autoescape=True),
                Notification.key != f"announcement:{row.id}:report",
            )
            .group_by(Notification.status, Notification.last_error)
        )
        sent = unreachable = failed = waiting = 0
        for status, error, n in counts.all():
            if status is NotificationStatus.SENT:
                sent += n
            elif status is NotificationStatus.FAILED and error == UNREACHABLE:
                unreachable += n
            elif status in (NotificationStatus.FAILED, NotificationStatus.SKIPPED):
                failed += n
            else:
                waiting += n
        material = (
            await self.session.get(ProgramMaterial, row.material_id) if row.material_id else None
        )
        return AnnouncementView(
            row.id,
            row.program_id,
            row.role,
            row.text,
            (material.file_name or material.title) if material else None,
            row.recipients,
            row.created_at,
            Delivery(sent, unreachable, failed, waiting),
        )

    async def _people(self, program_id: int, role: ParticipantRole | None) -> list[int]:
        query = select(Participant.person_id).where(
            Participant.program_id == program_id, Participant.status.in_(RECIPIENTS)
        )
        if role is not None:
            query = query.where(Participant.role == role)
        return list(dict.fromkeys(await self.session.scalars(query.order_by(Participant.id))))


def _counts(delivery: Delivery) -> dict[str, Any]:
    return {
        "sent": delivery.sent,
        "unreachable": delivery.unreachable,
        "failed": delivery.failed,
        "waiting": delivery.waiting,
    }
