"""The outbox on SQLite and PostgreSQL: idempotent planning, leases, retries, lateness, workers."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.clock import FrozenClock
from bot.core.messages import LINK_BUTTON, Attachment, AttachmentKind, Reply
from bot.services.outbox import (
    DeliveryWorker,
    Failed,
    OutboxService,
    RetryLater,
    SendResult,
    Sent,
    Unreachable,
)
from storage import (
    Channel,
    Database,
    MessengerAccount,
    Notification,
    NotificationStatus,
    ParticipantStatus,
    Person,
    ProgramCurator,
    StaffMember,
    StaffRole,
)
from tests.integration import factories
from tests.integration.factories import NOW
from tests.integration.senders import ByChat, RecordingSender, worker

LOCALES = Path(__file__).resolve().parents[2] / "locales"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def recipient(database: Database, *channels: Channel, locale: str = "ru") -> Person:
    async with database.transaction() as session:
        person = await factories.person(session, locale=locale)
        for channel in channels:
            await factories.account(session, person, channel=channel)
        return person


async def plan(
    database: Database, clock: FrozenClock, person: Person, key: str = "n1", **kw: object
) -> bool:
    async with database.transaction() as session:
        return await OutboxService(session, clock).plan(
            key=key,
            kind="test",
            recipient_id=person.id,
            text_id="welcome-back",
            **kw,  # type: ignore[arg-type]
        )


async def statuses(database: Database) -> list[NotificationStatus]:
    async with database.sessions() as session:
        return list(await session.scalars(select(Notification.status).order_by(Notification.id)))


async def test_planning_twice_sends_once(database: Database, clock: FrozenClock) -> None:
    person = await recipient(database, Channel.TELEGRAM)
    assert await plan(database, clock, person) is True
    assert await plan(database, clock, person) is False
    telegram = RecordingSender()
    report = await worker(database, clock, telegram=telegram).run_once()
    assert report.sent == 1
    assert [text for _, text, _ in telegram.sent] == [
        "С возвращением! Продолжим с того места, где остановились."
    ]
    assert await worker(database, clock, telegram=telegram).run_once() == type(report)()
    assert await statuses(database) == [NotificationStatus.SENT]


async def test_due_time_and_recipient_language(database: Database, clock: FrozenClock) -> None:
    person = await recipient(database, Channel.VK, locale="en")
    await plan(database, clock, person, due_at=NOW + timedelta(hours=1))
    vk = RecordingSender()
    assert (await worker(database, clock, vk=vk).run_once()).sent == 0
    clock.advance(timedelta(hours=1))
    assert (await worker(database, clock, vk=vk).run_once()).sent == 1
    assert vk.sent[0][1] == "Welcome back! Let's continue where you stopped."


class KeepingSender(RecordingSender):
    """Keeps the whole replies (buttons and files)."""

    def __init__(self) -> None:
        super().__init__()
        self.replies: list[Reply] = []

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, notification_id: int
    ) -> SendResult:
        self.replies.extend(replies)
        return Sent()


async def test_buttons_open_links_and_small_files_travel_in_the_row(
    database: Database, clock: FrozenClock
) -> None:
    person = await recipient(database, Channel.TELEGRAM, locale="en")
    calendar_file = Attachment(
        AttachmentKind.DOCUMENT, "meeting.ics", b"BEGIN:VCALENDAR", "text/calendar"
    )
    await plan(
        database,
        clock,
        person,
        links=[("meeting-button-confirm", "m7_yes"), ("meeting-button-decline", "m7_no")],
        file=calendar_file,
    )
    telegram = KeepingSender()
    assert (await worker(database, clock, telegram=telegram).run_once()).sent == 1
    (reply,) = telegram.replies
    assert [(b.label, b.payload) for b in reply.flat_buttons] == [
        ("Confirm", LINK_BUTTON + "m7_yes"),
        ("I can't", LINK_BUTTON + "m7_no"),
    ]
    assert reply.attachment == calendar_file


async def test_retry_with_backoff_then_fail(database: Database, clock: FrozenClock) -> None:
    person = await recipient(database, Channel.TELEGRAM)
    await plan(database, clock, person)
    telegram = RecordingSender(
        RetryLater("429", after=timedelta(seconds=7)), RetryLater("timeout"), RetryLater("timeout")
    )
    deliver = worker(database, clock, telegram=telegram)
    assert (await deliver.run_once()).retried == 1
    clock.advance(timedelta(seconds=6))
    assert (await deliver.run_once()).retried == 0, "retry_after is honoured"
    clock.advance(timedelta(seconds=1))
    assert (await deliver.run_once()).retried == 1
    clock.advance(timedelta(seconds=59))
    assert (await deliver.run_once()).retried == 0, "second backoff is 2 x 30 s"
    clock.advance(timedelta(seconds=1))
    assert (await deliver.run_once()).failed == 1, "the third attempt was the last"
    assert telegram.sent == []
    async with database.sessions() as session:
        row = await session.scalar(select(Notification))
        assert row is not None
        assert (row.status, row.attempts, row.last_error) == (
            NotificationStatus.FAILED,
            3,
            "timeout",
        )


async def test_blocked_account_is_marked_and_other_messenger_used(
    database: Database, clock: FrozenClock
) -> None:
    person = await recipient(database, Channel.TELEGRAM, Channel.VK)
    await plan(database, clock, person, channel=Channel.TELEGRAM)
    telegram, vk = RecordingSender(Unreachable("403: bot was blocked")), RecordingSender()
    deliver = worker(database, clock, telegram=telegram, vk=vk)
    assert (await deliver.run_once()).unreachable == 1
    assert (await deliver.run_once()).sent == 1
    assert len(vk.sent) == 1
    assert telegram.sent == []
    async with database.sessions() as session:
        rows = await session.execute(select(MessengerAccount.channel, MessengerAccount.reachable))
        reachable = dict(rows.all())
    assert reachable == {Channel.TELEGRAM: False, Channel.VK: True}

    await plan(database, clock, person, key="n2", channel=Channel.TELEGRAM)
    vk.results.append(Unreachable("901"))
    assert (await deliver.run_once()).unreachable == 1
    assert (await deliver.run_once()).unreachable == 1, "no account left: failed, not retried"
    assert await statuses(database) == [NotificationStatus.SENT, NotificationStatus.FAILED]


async def test_late_notification_is_skipped(database: Database, clock: FrozenClock) -> None:
    person = await recipient(database, Channel.TELEGRAM)
    await plan(database, clock, person, expires_at=NOW + timedelta(hours=1))
    clock.advance(timedelta(hours=3))
    telegram = RecordingSender()
    assert (await worker(database, clock, telegram=telegram).run_once()).skipped == 1
    assert telegram.sent == []
    assert await statuses(database) == [NotificationStatus.SKIPPED]


async def test_permanent_failure(database: Database, clock: FrozenClock) -> None:
    person = await recipient(database, Channel.TELEGRAM)
    await plan(database, clock, person)
    report = await worker(database, clock, telegram=RecordingSender(Failed("400"))).run_once()
    assert report.failed == 1
    assert await statuses(database) == [NotificationStatus.FAILED]


async def test_crashed_worker_lease_lapses_and_row_is_delivered(
    database: Database, clock: FrozenClock
) -> None:
    person = await recipient(database, Channel.TELEGRAM)
    await plan(database, clock, person)
    telegram = RecordingSender()
    crashed = worker(database, clock, telegram=telegram)
    assert len(await crashed.claim()) == 1  # claimed, then the process dies before sending
    survivor = worker(database, clock, telegram=telegram)
    assert (await survivor.run_once()).sent == 0, "the lease still holds"
    clock.advance(timedelta(minutes=5, seconds=1))
    assert (await survivor.run_once()).sent == 1
    assert len(telegram.sent) == 1


async def test_deleting_the_person_drops_pending_notifications(
    database: Database, clock: FrozenClock
) -> None:
    person = await recipient(database, Channel.TELEGRAM)
    await plan(database, clock, person)
    async with database.transaction() as session:
        await session.delete(await session.get(Person, person.id))
    assert await statuses(database) == []


async def test_two_workers_deliver_each_notification_once(
    database: Database, clock: FrozenClock
) -> None:
    people = [await recipient(database, Channel.TELEGRAM) for _ in range(20)]
    for index in range(200):
        await plan(database, clock, people[index % 20], key=f"k{index}")
    other = Database(database.url)  # a second process: its own engine and pool
    telegram = RecordingSender()
    first = worker(database, clock, telegram=telegram)
    second = worker(other, clock, telegram=telegram)
    first.batch = second.batch = 7

    async def drain(deliver: DeliveryWorker) -> int:
        total = 0
        while (report := await deliver.run_once()).sent:
            total += report.sent
        return total

    try:
        counts = await asyncio.gather(drain(first), drain(second))
    finally:
        await other.dispose()
    delivered = Counter(notification_id for _, _, notification_id in telegram.sent)
    assert len(delivered) == 200
    assert set(delivered.values()) == {1}
    assert sum(counts) == 200


@pytest.mark.parametrize(
    ("kind", "late_by", "outcome"),
    [
        ("meeting-reminder-1h", timedelta(minutes=20), NotificationStatus.SENT),
        ("meeting-reminder-1h", timedelta(hours=3), NotificationStatus.SKIPPED),
        ("meeting-reminder-24h", timedelta(hours=7), NotificationStatus.SKIPPED),
        ("digest", timedelta(days=5), NotificationStatus.SENT),
        ("unknown-kind", timedelta(hours=23), NotificationStatus.SENT),
        ("unknown-kind", timedelta(hours=25), NotificationStatus.SKIPPED),
    ],
)
async def test_lateness_policy_per_kind(
    database: Database,
    clock: FrozenClock,
    kind: str,
    late_by: timedelta,
    outcome: NotificationStatus,
) -> None:
    person = await recipient(database, Channel.TELEGRAM)
    async with database.transaction() as session:
        await OutboxService(session, clock).plan(
            key="late", kind=kind, recipient_id=person.id, text_id="welcome-back"
        )
    clock.advance(late_by)
    telegram = RecordingSender()
    await worker(database, clock, telegram=telegram).run_once()
    assert await statuses(database) == [outcome]
    assert len(telegram.sent) == (outcome is NotificationStatus.SENT)


class SlowSender(RecordingSender):
    """Holds the first send until a second one starts (or 5 s pass); notes the order."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight: set[int] = set()
        self.most_at_once = 0
        self.order: list[int] = []
        self.second_started = asyncio.Event()

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, notification_id: int
    ) -> SendResult:
        self.in_flight.add(notification_id)
        self.most_at_once = max(self.most_at_once, len(self.in_flight))
        if len(self.in_flight) > 1:
            self.second_started.set()
        if not self.order:
            with suppress(TimeoutError):
                await asyncio.wait_for(self.second_started.wait(), 5)
        self.in_flight.discard(notification_id)
        self.order.append(notification_id)
        return await super().send(chat_id, replies, notification_id=notification_id)


async def test_recipients_served_concurrently_each_in_order(
    database: Database, clock: FrozenClock
) -> None:
    people = [await recipient(database, Channel.TELEGRAM) for _ in range(3)]
    for index in range(9):
        await plan(database, clock, people[index % 3], key=f"k{index}")
    telegram = SlowSender()
    deliver = worker(database, clock, telegram=telegram)
    deliver.concurrency = 2
    assert (await deliver.run_once()).sent == 9
    assert telegram.most_at_once == 2
    async with database.sessions() as session:
        rows = (
            await session.execute(select(Notification.id, Notification.recipient_person_id))
        ).all()
    by_person: dict[int, list[int]] = {}
    for notification_id in telegram.order:
        by_person.setdefault(dict(rows)[notification_id], []).append(notification_id)
    assert all(ids == sorted(ids) for ids in by_person.values()), "each person's in planned order"


class RaisingSender(RecordingSender):
    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, notification_id: int
    ) -> SendResult:
        raise RuntimeError("a bug in a sender")


async def test_a_sender_that_raises_leaves_the_row_for_a_retry(
    database: Database, clock: FrozenClock
) -> None:
    person = await recipient(database, Channel.TELEGRAM)
    await plan(database, clock, person)
    report = await worker(database, clock, telegram=RaisingSender()).run_once()
    assert report.retried == 1
    assert await statuses(database) == [NotificationStatus.PENDING]


async def test_curator_sees_delivery_problems_of_their_programs_only(
    database: Database, clock: FrozenClock
) -> None:
    async with database.transaction() as session:
        school = await factories.organization(session)
        mine, other = (
            await factories.program(session, school),
            await factories.program(session, school),
        )
        mine.name, other.name = "Моя программа", "Чужая программа"
        curator = await factories.person(session, school, full_name="Куратор")
        session.add(ProgramCurator(program_id=mine.id, person_id=curator.id, created_at=NOW))
        blocked = await factories.person(session, school, full_name="Аня")
        blocked_chat = (await factories.account(session, blocked)).chat_id
        failing = await factories.person(session, school, full_name="Боря")
        await factories.account(session, failing, channel=Channel.VK)
        fine = await factories.person(session, school, full_name="Вера")
        await factories.account(session, fine)
        stranger = await factories.person(session, school, full_name="Гоша")
        left = await factories.person(session, school, full_name="Даша")
        for member in (blocked, failing, fine):
            await factories.participant(session, mine, member)
        await factories.participant(session, other, stranger)
        gone = await factories.participant(session, mine, left)
        gone.status = ParticipantStatus.LEFT
        coordinator = await factories.person(session, school, full_name="Координатор")
        session.add(
            StaffMember(
                organization_id=school.id,
                person_id=coordinator.id,
                role=StaffRole.COORDINATOR,
                created_at=NOW,
            )
        )
        ids = {p.full_name: p.id for p in (curator, blocked, failing, fine, coordinator)}
    for name in ("Аня", "Боря", "Вера"):
        async with database.transaction() as session:
            await OutboxService(session, clock).plan(
                key=name, kind="test", recipient_id=ids[name], text_id="welcome-back"
            )
    # Recipients are served concurrently: the answer depends on the chat, not on the order.
    deliver = worker(
        database,
        clock,
        telegram=ByChat({blocked_chat: Unreachable("403")}),
        vk=RecordingSender(Failed("400")),
    )
    await deliver.run_once()
    await deliver.run_once()  # Аня's notification finds no reachable account left

    async with database.sessions() as session:
        outbox = OutboxService(session, clock)
        seen = await outbox.problems(ids["Куратор"], since=NOW - timedelta(days=14))
        assert [(p.program, p.name, p.unreachable, p.failed_at) for p in seen] == [
            ("Моя программа", "Аня", True, NOW),
            ("Моя программа", "Боря", False, NOW),
        ]
        later = await outbox.problems(ids["Куратор"], since=NOW + timedelta(days=1))
        assert [p.name for p in later] == ["Аня"], "old failures drop off; blocked stays"
        everyone = await outbox.problems(ids["Координатор"], since=NOW - timedelta(days=14))
        assert [p.name for p in everyone] == ["Аня", "Боря", "Гоша"]
        assert await outbox.problems(ids["Вера"], since=NOW - timedelta(days=14)) == []
        assert await outbox.oversees_programs(ids["Куратор"])
        assert not await outbox.oversees_programs(ids["Вера"])


async def test_the_persons_choice_of_messenger_is_used(
    database: Database, clock: FrozenClock
) -> None:
    person = await recipient(database, Channel.TELEGRAM, Channel.VK)
    async with database.transaction() as session:
        row = await session.get(Person, person.id)
        assert row is not None
        row.notify_channel = Channel.VK
    await plan(database, clock, person, key="chosen")
    await plan(database, clock, person, key="pinned", channel=Channel.TELEGRAM)
    telegram, vk = RecordingSender(), RecordingSender()
    assert (await worker(database, clock, telegram=telegram, vk=vk).run_once()).sent == 2
    assert (len(telegram.sent), len(vk.sent)) == (1, 1), "a notification's own channel wins"


async def test_drain_delivers_a_backlog_of_several_batches_in_one_run(
    database: Database, clock: FrozenClock
) -> None:
    people = [await recipient(database, Channel.TELEGRAM) for _ in range(2)]
    batch = 3
    total = batch * 2 + 1
    # Planned newest first: due order is the reverse of id order, so order comes from due_at.
    for index in range(total):
        await plan(
            database,
            clock,
            people[index % 2],
            key=f"k{index}",
            due_at=NOW - timedelta(minutes=index),
        )
    telegram = RecordingSender()
    deliver = worker(database, clock, telegram=telegram)
    deliver.batch = batch
    report = await deliver.drain()
    assert report.sent == total
    assert await statuses(database) == [NotificationStatus.SENT] * total
    delivered = Counter(notification_id for _, _, notification_id in telegram.sent)
    assert len(delivered) == total
    assert set(delivered.values()) == {1}, "each once"
    async with database.sessions() as session:
        rows = await session.execute(
            select(Notification.id, Notification.recipient_person_id, Notification.due_at)
        )
        planned = {row.id: (row.recipient_person_id, row.due_at) for row in rows}
    for person in people:
        due = [planned[n][1] for _, _, n in telegram.sent if planned[n][0] == person.id]
        assert len(due) > 1
        assert due == sorted(due), "each person's in due order"
    assert await deliver.drain() == type(report)(), "nothing left"


async def test_drain_stops_after_its_cap(database: Database, clock: FrozenClock) -> None:
    person = await recipient(database, Channel.TELEGRAM)
    for index in range(5):
        await plan(database, clock, person, key=f"k{index}")
    deliver = worker(database, clock, telegram=RecordingSender())
    deliver.batch = 2
    assert (await deliver.drain(max_batches=2)).sent == 4
    assert (await deliver.drain()).sent == 1
