"""The outbox: notifications planned in the caller's transaction and delivered by a worker.

A service plans a notification in the same transaction as the change that causes it; the unique
`key` makes planning twice a no-op. The worker claims due rows under a lease, sends them outside
any transaction (so SQLite's single writer is never held during HTTP), then records the result.
A worker that dies after claiming leaves leased rows that the next run picks up once the lease
lapses; on VK the resend is de-duplicated by a `random_id` derived from the notification id.
Notifications of one recipient go out in order; different recipients are served concurrently,
each send waiting for its channel's rate limit.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import ColumnElement, and_, exists, or_, select

from bot.core.messages import LINK_BUTTON, Attachment, AttachmentKind, Button, Reply
from storage import (
    Channel,
    MessengerAccount,
    Notification,
    NotificationStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    ProgramMaterial,
    StaffMember,
    StaffRole,
)
from storage.db import insert_or_skip

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock
    from bot.core.i18n import Translator
    from storage import Database

log = logging.getLogger(__name__)


# The last error of a notification that found no messenger account to go to.
UNREACHABLE = "no reachable messenger account"


class NotificationKind(StrEnum):
    """What a notification is about; decides how late it may still be sent."""

    MEETING_REMINDER_DAY = "meeting-reminder-24h"
    MEETING_REMINDER_HOUR = "meeting-reminder-1h"
    MEETING_UPDATE = "meeting-update"  # proposed, confirmed, moved or cancelled by the partner
    MEETING_CHECK = "meeting-check"  # "did it happen?"
    NUDGE = "nudge"
    SURVEY = "survey"
    QUESTIONNAIRE_REMINDER = "questionnaire-reminder"
    STAGE = "stage"  # a cycle stage's pushes
    PAIR = "pair"  # introductions and change decisions
    CONSENT = "consent"
    ENROLMENT = "enrolment"  # a participant is ready or left: for curators
    DIGEST = "digest"
    ANNOUNCEMENT = "announcement"
    ACCOUNT = "account"  # linking and other account notices
    TRAINING = "training"  # mentor approval and training materials


# How late past `due_at` a notification may still go out; None: however late. A row's own
# `expires_at` overrides this. A reminder an hour before a meeting is useless three hours late;
# a digest or an introduction is still worth reading.
LATENESS: Mapping[str, timedelta | None] = {
    NotificationKind.MEETING_REMINDER_HOUR: timedelta(minutes=30),
    NotificationKind.MEETING_REMINDER_DAY: timedelta(hours=6),
    NotificationKind.MEETING_UPDATE: None,
    NotificationKind.MEETING_CHECK: timedelta(days=2),
    NotificationKind.NUDGE: timedelta(days=1),
    NotificationKind.SURVEY: timedelta(days=3),
    NotificationKind.QUESTIONNAIRE_REMINDER: timedelta(days=2),
    NotificationKind.STAGE: timedelta(days=3),
    NotificationKind.PAIR: None,
    NotificationKind.CONSENT: None,
    NotificationKind.ENROLMENT: None,
    NotificationKind.DIGEST: None,
    NotificationKind.ANNOUNCEMENT: timedelta(days=7),
    NotificationKind.ACCOUNT: timedelta(hours=1),
    NotificationKind.TRAINING: None,
}
DEFAULT_LATENESS = timedelta(days=1)


def deadline(kind: str, due_at: datetime, expires_at: datetime | None) -> datetime | None:
    """The moment after which a notification is skipped instead of sent, if any."""
    if expires_at is not None:
        return expires_at
    lateness = LATENESS.get(kind, DEFAULT_LATENESS)
    return None if lateness is None else due_at + lateness


@dataclass(frozen=True, slots=True)
class Sent:
    """Delivered."""


@dataclass(frozen=True, slots=True)
class RetryLater:
    """A temporary failure; `after` is the platform's own wait (429 retry_after), if it gave one."""

    reason: str
    after: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The person blocked the bot or deleted the chat: stop using this account."""

    reason: str


@dataclass(frozen=True, slots=True)
class Failed:
    """A permanent error for this message."""

    reason: str


SendResult = Sent | RetryLater | Unreachable | Failed


class Sender(Protocol):
    """A channel's way of delivering proactive messages."""

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, notification_id: int
    ) -> SendResult:
        """Send the replies to a chat; must not raise for platform or network errors."""
        ...


@dataclass(frozen=True, slots=True)
class DeliveryProblem:
    """A participant the bot could not reach: a failed notification, or no reachable account."""

    program: str
    person_id: int
    name: str | None
    role: ParticipantRole
    unreachable: bool  # no messenger account the bot can write to
    failed_at: datetime | None = None  # when a notification that failed was due


# Participants who no longer take part are not chased.
_GONE = (ParticipantStatus.DECLINED, ParticipantStatus.LEFT, ParticipantStatus.REMOVED)


class OutboxService:
    """Plans notifications in the caller's transaction; reports what could not be delivered."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def plan(
        self,
        *,
        key: str,
        kind: str,
        recipient_id: int,
        text_id: str,
        args: Mapping[str, Any] | None = None,
        due_at: datetime | None = None,
        expires_at: datetime | None = None,
        channel: Channel | None = None,
        material_id: int | None = None,
        file: Attachment | None = None,
        links: Sequence[tuple[str, str]] = (),
    ) -> bool:
        """Add a notification unless one with `key` exists; True when it was added.

        `material_id` attaches a program material's file, read when the message is sent; `file`
        attaches a small file kept in the row (a calendar file); `links` are buttons (label text
        id, deep-link payload) that open a dialog as a link would, whatever the reader is doing.
        """
        now = self.clock.now()
        payload: dict[str, Any] = {"text_id": text_id, "args": dict(args or {})}
        if material_id is not None:
            payload["material_id"] = material_id
        if file is not None and file.content is not None:
            payload["file"] = {
                "kind": file.kind.value,
                "name": file.filename,
                "type": file.mime_type,
                "data": base64.b64encode(file.content).decode(),
            }
        if links:
            payload["links"] = [[text, link] for text, link in links]
        values = {
            "key": key,
            "kind": kind,
            "recipient_person_id": recipient_id,
            "channel": channel,
            "payload": payload,
            "status": NotificationStatus.PENDING,
            "due_at": due_at or now,
            "expires_at": expires_at,
            "attempts": 0,
            "created_at": now,
        }
        statement = insert_or_skip(self.session, Notification, ["key"]).values(**values)
        result = await self.session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def oversees_programs(self, viewer_id: int) -> bool:
        """Whether the person curates a program or coordinates an organisation with programs."""
        return bool(await self.session.scalar(select(oversees_programs(viewer_id))))

    async def problems(self, viewer_id: int, *, since: datetime) -> list[DeliveryProblem]:
        """Participants of the programs `viewer_id` oversees who missed messages since `since`
        (the newest failure each) or whom no messenger reaches now; by program, then name."""
        last_failure = (
            select(Notification.due_at)
            .where(
                Notification.recipient_person_id == Participant.person_id,
                Notification.status == NotificationStatus.FAILED,
                Notification.due_at >= since,
            )
            .order_by(Notification.due_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        reachable = exists().where(
            MessengerAccount.person_id == Participant.person_id,
            MessengerAccount.reachable.is_(True),
        )
        rows = await self.session.execute(
            select(
                Program.name,
                Person.id,
                Person.full_name,
                Participant.role,
                ~reachable,
                last_failure,
            )
            .join(Program, Program.id == Participant.program_id)
            .join(Person, Person.id == Participant.person_id)
            .where(
                Participant.program_id.in_(self._overseen(viewer_id)),
                Participant.status.not_in(_GONE),
                or_(~reachable, last_failure.is_not(None)),
            )
            .order_by(Program.name, Person.full_name, Person.id)
        )
        return [DeliveryProblem(*row) for row in rows.all()]

    @staticmethod
    def _overseen(viewer_id: ColumnElement[int] | int) -> Select[int]:
        """Ids of the programs a person curates or whose organisation they coordinate."""
        curated = select(ProgramCurator.program_id).where(ProgramCurator.person_id == viewer_id)
        coordinated = select(StaffMember.organization_id).where(
            StaffMember.person_id == viewer_id, StaffMember.role == StaffRole.COORDINATOR
        )
        return select(Program.id).where(
            or_(Program.id.in_(curated), Program.organization_id.in_(coordinated))
        )


def oversees_programs(person: ColumnElement[int] | int) -> ColumnElement[bool]:
    """Whether the person curates a program or coordinates an organisation with programs."""
    return OutboxService._overseen(person).exists()


@dataclass(slots=True)
class DeliveryReport:
    """What one run of the worker did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0
    released: int = 0  # handed back unsent, too late in their lease to start a send

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        """Both runs' counts together."""
        return DeliveryReport(
            sent=self.sent + other.sent,
            retried=self.retried + other.retried,
            failed=self.failed + other.failed,
            unreachable=self.unreachable + other.unreachable,
            skipped=self.skipped + other.skipped,
            released=self.released + other.released,
        )


# How many batches one drain() claims at most. At Telegram's 30 messages/s a batch of 50 takes
# about 1.7 s, so one run lasts about a minute at most: long enough that delivery never waits for
# the next tick while a backlog lasts, short enough that a shutdown waits for it only that long.
DRAIN_BATCHES = 40
SEND_MARGIN = timedelta(seconds=90)


@dataclass(frozen=True, slots=True)
class _Target:
    account_id: int
    channel: Channel
    chat_id: str
    replies: tuple[Reply, ...]


class DeliveryWorker:
    """Claims due notifications, sends them through the recipient's channel, records the outcome."""

    def __init__(
        self,
        database: Database,
        translator: Translator,
        senders: Mapping[Channel, Sender],
        clock: Clock,
        *,
        lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 6,
        backoff: timedelta = timedelta(seconds=30),
        batch: int = 50,
        concurrency: int = 8,
    ) -> None:
        self.database = database
        self.translator = translator
        self.senders = senders
        self.clock = clock
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.batch = batch
        self.concurrency = concurrency
        # A send may take up to a request timeout (60 s) plus the rate limiter's wait; none starts
        # with less of the lease left than this.
        self.send_margin = min(SEND_MARGIN, lease / 2)

    async def drain(self, *, max_batches: int = DRAIN_BATCHES) -> DeliveryReport:
        """Deliver batch after batch while claims come back full, at most `max_batches` of them.

        Each batch is claimed in its own transaction under its own lease, as by run_once; a claim
        that comes back short means the backlog is gone, and the next scheduler tick picks up
        whatever falls due later. The cap keeps one run finite under a backlog that keeps growing.
        """
        report = DeliveryReport()
        for _ in range(max_batches):
            claimed = await self.claim()
            report += await self._deliver_claimed(claimed)
            if len(claimed) < self.batch:
                break
        return report

    async def run_once(self) -> DeliveryReport:
        """Deliver one batch of due notifications: recipients concurrently, each in order."""
        return await self._deliver_claimed(await self.claim())

    async def _deliver_claimed(self, claimed: list[tuple[int, int]]) -> DeliveryReport:
        report = DeliveryReport()
        queues: dict[int, list[int]] = {}
        for notification_id, recipient_id in claimed:
            queues.setdefault(recipient_id, []).append(notification_id)
        # A slot is held for a recipient's whole queue: a recipient with many rows in the batch
        # uses one slot for longer, but their messages stay in order.
        slots = asyncio.Semaphore(self.concurrency)

        async def deliver(queue: list[int]) -> None:
            async with slots:
                for notification_id in queue:
                    await self._deliver(notification_id, report)

        # Every queue runs to its end even when one fails (the database went away, say), so no
        # delivery is left running behind a run that already reported its failure.
        outcomes = await asyncio.gather(
            *(deliver(queue) for queue in queues.values()), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return report

    async def claim(self) -> list[tuple[int, int]]:
        """Lease a batch of due rows (pending and due, or sending with a lapsed lease);
        returns (notification id, recipient id) pairs."""
        async with self.database.transaction() as session:
            now = self.clock.now()
            due = or_(
                and_(
                    Notification.status == NotificationStatus.PENDING,
                    Notification.due_at <= now,
                    or_(
                        Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now
                    ),
                ),
                and_(
                    Notification.status == NotificationStatus.SENDING,
                    Notification.lease_until < now,
                ),
            )
            rows = list(
                await session.scalars(
                    select(Notification)
                    .where(due)
                    .order_by(Notification.due_at, Notification.id)
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                row.status = NotificationStatus.SENDING
                row.lease_until = now + self.lease
                row.attempts += 1
            return [(row.id, row.recipient_person_id) for row in rows]

    async def _deliver(self, notification_id: int, report: DeliveryReport) -> None:
        async with self.database.transaction() as session:
            target = await self._prepare(session, notification_id, report)
        if target is None:
            return
        try:
            result = await self.senders[target.channel].send(
                target.chat_id, target.replies, notification_id=notification_id
            )
        except Exception as error:
            # A sender must not raise; if one does, the row is retried rather than stuck.
            log.exception("sender %s raised for notification %s", target.channel, notification_id)
            result = RetryLater(f"{target.channel} sender raised {type(error).__name__}")
        async with self.database.transaction() as session:
            await self._record(session, notification_id, target, result, report)

    async def _prepare(
        self, session: AsyncSession, notification_id: int, report: DeliveryReport
    ) -> _Target | None:
        row = await session.get(Notification, notification_id)
        if row is None or row.status != NotificationStatus.SENDING:
            return None  # deleted with its recipient, or handled by another worker
        now = self.clock.now()
        if row.lease_until is None or now + self.send_margin > row.lease_until:
            # Queued behind slow sends, the row is near the end of its lease: a send started now
            # could outlast it, another worker would take the row over and both would send.
            # Handed back instead, for the next claim.
            row.status = NotificationStatus.PENDING
            row.lease_until = None
            row.attempts -= 1
            report.released += 1
            return None
        late_after = deadline(row.kind, row.due_at, row.expires_at)
        if late_after is not None and now > late_after:
            self._finish(row, NotificationStatus.SKIPPED, "late: past the lateness limit")
            report.skipped += 1
            return None
        person = await session.get(Person, row.recipient_person_id)
        accounts = list(
            await session.scalars(
                select(MessengerAccount)
                .where(
                    MessengerAccount.person_id == row.recipient_person_id,
                    MessengerAccount.reachable.is_(True),
                    MessengerAccount.channel.in_(list(self.senders)),
                )
                .order_by(MessengerAccount.id)
            )
        )
        if person is not None:
            # The notification's own channel, else the person's choice, else the oldest account.
            preferred = row.channel or person.notify_channel
            accounts.sort(key=lambda account: account.channel != preferred)
        if person is None or not accounts:
            self._finish(row, NotificationStatus.FAILED, UNREACHABLE)
            report.unreachable += 1
            return None
        account = accounts[0]
        text_id = str(row.payload.get("text_id"))
        args = dict(row.payload.get("args") or {})
        buttons = tuple(
            Button(self.translator(person.locale, str(label), {}), LINK_BUTTON + str(link))
            for label, link in row.payload.get("links") or ()
        )
        reply = Reply(
            self.translator(person.locale, text_id, args),
            text_id,
            buttons=tuple((button,) for button in buttons),
            args=args,
            attachment=_inline_file(row.payload.get("file"))
            or await _material(session, row.payload.get("material_id")),
        )
        return _Target(account.id, account.channel, account.chat_id, (reply,))

    async def _record(
        self,
        session: AsyncSession,
        notification_id: int,
        target: _Target,
        result: SendResult,
        report: DeliveryReport,
    ) -> None:
        row = await session.get(Notification, notification_id)
        if row is None:
            return
        now = self.clock.now()
        match result:
            case Sent():
                self._finish(row, NotificationStatus.SENT)
                row.sent_at = now
                report.sent += 1
            case RetryLater(reason, after):
                if row.attempts >= self.max_attempts:
                    self._finish(row, NotificationStatus.FAILED, reason)
                    report.failed += 1
                    return
                wait = after if after is not None else self.backoff * 2 ** (row.attempts - 1)
                row.status = NotificationStatus.PENDING
                row.next_attempt_at = now + min(wait, timedelta(hours=1))
                row.lease_until = None
                row.last_error = reason
                report.retried += 1
            case Unreachable(reason):
                account = await session.get(MessengerAccount, target.account_id)
                if account is not None:
                    account.reachable = False
                # Another reachable account of the person, if any, gets it on the next run.
                row.status = NotificationStatus.PENDING
                row.next_attempt_at = now
                row.lease_until = None
                row.last_error = reason
                row.attempts -= 1
                report.unreachable += 1
            case Failed(reason):
                self._finish(row, NotificationStatus.FAILED, reason)
                report.failed += 1

    @staticmethod
    def _finish(row: Notification, status: NotificationStatus, error: str | None = None) -> None:
        row.status = status
        row.lease_until = None
        row.last_error = error


def _inline_file(raw: object) -> Attachment | None:
    """The small file a notification carries in its payload, if any."""
    if not isinstance(raw, dict) or not isinstance(raw.get("data"), str):
        return None
    kind = AttachmentKind(raw.get("kind") or AttachmentKind.DOCUMENT.value)
    content = base64.b64decode(raw["data"])
    return Attachment(kind, raw.get("name") or "file", content, raw.get("type"))


async def _material(session: AsyncSession, material_id: object) -> Attachment | None:
    """A program material's file as an attachment (None for a link or a deleted material)."""
    if not isinstance(material_id, int):
        return None
    material = await session.get(ProgramMaterial, material_id)
    if material is None or material.content is None:
        return None
    media_type = material.media_type or "application/octet-stream"
    kind = AttachmentKind.IMAGE if media_type.startswith("image/") else AttachmentKind.DOCUMENT
    return Attachment(kind, material.file_name or "file", material.content, media_type)
