"""LinkingService on SQLite and PostgreSQL: codes, merging two people, unlinking, notifications."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import FrozenClock
from bot.services import Services
from bot.services.linking import (
    ATTEMPT_WINDOW,
    CODE_TTL,
    MAX_FAILED_ATTEMPTS,
    NotifyStatus,
    RedeemStatus,
    UnlinkStatus,
    _person_references,
)
from storage import (
    AuditLog,
    Base,
    Channel,
    Consent,
    ConsentPurpose,
    ConsentRelation,
    ConsentStatus,
    Database,
    DialogState,
    LinkCode,
    MessengerAccount,
    Notification,
    Person,
    ProgramCurator,
    StaffMember,
    StaffRole,
)
from tests.integration import factories as f
from tests.integration.factories import NOW


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


class World:
    """The database and clock of one test, with a unit of work per call like the bot has."""

    def __init__(self, database: Database, clock: FrozenClock) -> None:
        self.database = database
        self.clock = clock

    @asynccontextmanager
    async def services(self) -> AsyncIterator[Services]:
        async with self.database.transaction() as session:
            yield Services(session, self.clock)

    async def someone(self, channel: Channel, user_id: str, **person: Any) -> tuple[int, int]:
        """A person with one account (and its dialog state, as the bot keeps): (person, account)."""
        async with self.database.transaction() as session:
            who = await f.person(session, **{"full_name": None, "grade": None, **person})
            account = await f.account(session, who, channel=channel, external_user_id=user_id)
            session.add(
                DialogState(
                    channel=channel,
                    external_user_id=user_id,
                    person_id=who.id,
                    state={"format": 1},
                    revision=1,
                    updated_at=NOW,
                )
            )
            return who.id, account.id

    async def issue(self, person_id: int, channel: Channel = Channel.TELEGRAM) -> str:
        async with self.services() as services:
            return (await services.linking.issue(person_id, channel)).code

    async def redeem(self, account_id: int, code: str) -> Any:
        async with self.services() as services:
            return await services.linking.redeem(account_id, code)


@pytest.fixture
def world(database: Database, clock: FrozenClock) -> World:
    return World(database, clock)


async def count(session: AsyncSession, model: type[Base], *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_issue_gives_six_digits_for_ten_minutes(world: World) -> None:
    anna, _ = await world.someone(Channel.TELEGRAM, "1")
    async with world.services() as services:
        issued = await services.linking.issue(anna, Channel.TELEGRAM)
    assert len(issued.code) == 6
    assert issued.code.isdigit()
    assert issued.expires_at == NOW + timedelta(minutes=10) == NOW + CODE_TTL
    async with world.database.sessions() as session:
        row = await session.scalar(select(LinkCode))
        assert row is not None
        assert (row.person_id, row.code, row.channel, row.used_at) == (
            anna,
            issued.code,
            Channel.TELEGRAM,
            None,
        )
        audit = await session.scalar(select(AuditLog).where(AuditLog.action.like("accounts.%")))
        assert audit is not None
        assert (audit.action, audit.actor_person_id) == ("accounts.code-issued", anna)


async def test_a_new_code_replaces_the_previous_one(world: World) -> None:
    anna, _ = await world.someone(Channel.TELEGRAM, "1")
    _, boris_vk = await world.someone(Channel.VK, "2")
    first = await world.issue(anna)
    second = await world.issue(anna)
    assert first != second
    assert (await world.redeem(boris_vk, first)).status is RedeemStatus.EXPIRED
    assert (await world.redeem(boris_vk, second)).status is RedeemStatus.LINKED


async def test_old_codes_are_cleaned_up_when_a_code_is_issued(
    world: World, clock: FrozenClock
) -> None:
    anna, _ = await world.someone(Channel.TELEGRAM, "1")
    boris, _ = await world.someone(Channel.VK, "2")
    old = await world.issue(anna)
    clock.advance(timedelta(hours=12))
    used = await world.issue(boris, Channel.VK)
    _, anna_web = await world.someone(Channel.TELEGRAM, "3")
    assert (await world.redeem(anna_web, used)).status is RedeemStatus.LINKED
    clock.advance(timedelta(hours=13))
    await world.issue(anna)
    async with world.database.sessions() as session:
        codes = set(await session.scalars(select(LinkCode.code)))
    assert old not in codes, "expired more than a day ago"
    assert used in codes, "used less than a day ago: still answers 'used'"
    assert len(codes) == 2


async def test_linking_moves_accounts_and_state_and_deletes_the_empty_person(
    world: World,
) -> None:
    anna, anna_tg = await world.someone(Channel.TELEGRAM, "1", locale="ru")
    stray, stray_vk = await world.someone(Channel.VK, "2", locale="en", full_name="Anna P.")
    async with world.services() as services:
        await services.outbox.plan(
            key="hello", kind="test", recipient_id=stray, text_id="welcome-back"
        )
    code = await world.issue(anna)

    result = await world.redeem(stray_vk, code)

    assert result.status is RedeemStatus.LINKED
    assert result.person_id == anna
    assert result.channels == (Channel.TELEGRAM, Channel.VK)
    async with world.database.sessions() as session:
        assert await session.get(Person, stray) is None
        owners = dict(
            (await session.execute(select(MessengerAccount.id, MessengerAccount.person_id))).all()
        )
        assert owners == {anna_tg: anna, stray_vk: anna}
        states = set(await session.scalars(select(DialogState.person_id)))
        assert states == {anna}
        person = await session.get_one(Person, anna)
        assert person.locale == "ru", "the code's person keeps their settings"
        assert person.full_name == "Anna P.", "a gap in the profile is filled"
        link = await session.scalar(select(LinkCode))
        assert link is not None
        assert link.used_at == NOW
        notifications = {
            row.key: (row.recipient_person_id, row.channel, row.payload)
            for row in await session.scalars(select(Notification))
        }
        assert notifications["hello"][0] == anna
        assert notifications[f"accounts-linked:{link.id}:{stray_vk}"] == (
            anna,
            Channel.TELEGRAM,
            {"text_id": "accounts-linked-notice", "args": {"channel": "vk"}},
        )
        linked = await session.scalar(select(AuditLog).where(AuditLog.action == "accounts.linked"))
        assert linked is not None
        assert linked.actor_person_id == anna
        assert linked.details == {
            "merged_person": stray,
            "accounts": [stray_vk],
            "code": link.id,
        }
        assert await count(session, AuditLog, AuditLog.actor_person_id.is_(None)) == 0, (
            "the merged person's history stays with the person"
        )


@pytest.mark.parametrize(
    ("case", "status"),
    [("wrong", RedeemStatus.WRONG), ("expired", RedeemStatus.EXPIRED), ("used", RedeemStatus.USED)],
)
async def test_codes_that_do_not_work(
    world: World, clock: FrozenClock, case: str, status: RedeemStatus
) -> None:
    anna, _ = await world.someone(Channel.TELEGRAM, "1")
    _, boris_vk = await world.someone(Channel.VK, "2")
    code = await world.issue(anna)
    if case == "wrong":
        code = f"{(int(code) + 1) % 1_000_000:06d}"
    elif case == "expired":
        clock.advance(CODE_TTL)
    else:
        _, other_vk = await world.someone(Channel.VK, "3")
        assert (await world.redeem(other_vk, code)).status is RedeemStatus.LINKED

    result = await world.redeem(boris_vk, code)

    assert result.status is status
    assert result.attempts_left == MAX_FAILED_ATTEMPTS - 1
    async with world.database.sessions() as session:
        boris = await session.get_one(MessengerAccount, boris_vk)
        assert boris.person_id != anna
        failed = await session.scalar(
            select(AuditLog).where(AuditLog.action == "accounts.link-failed")
        )
        assert failed is not None
        assert failed.details == {"reason": status.value}


async def test_same_channel_and_own_code_are_refused_without_using_the_code(
    world: World,
) -> None:
    anna, anna_tg = await world.someone(Channel.TELEGRAM, "1")
    _, boris_tg = await world.someone(Channel.TELEGRAM, "2")
    _, anna_vk = await world.someone(Channel.VK, "3")
    code = await world.issue(anna)
    assert (await world.redeem(anna_tg, code)).status is RedeemStatus.SAME_CHANNEL
    assert (await world.redeem(boris_tg, code)).status is RedeemStatus.SAME_CHANNEL
    assert (await world.redeem(anna_vk, code)).status is RedeemStatus.LINKED

    again = await world.issue(anna)
    result = await world.redeem(anna_vk, again)

    assert result.status is RedeemStatus.ALREADY_LINKED
    assert result.attempts_left is None
    async with world.database.sessions() as session:
        assert await count(session, LinkCode, LinkCode.used_at.is_(None)) == 1
        assert await count(session, AuditLog, AuditLog.action == "accounts.link-failed") == 0


async def test_five_wrong_codes_lock_out_until_the_window_passes(
    world: World, clock: FrozenClock
) -> None:
    anna, _ = await world.someone(Channel.TELEGRAM, "1")
    _, boris_vk = await world.someone(Channel.VK, "2")
    code = await world.issue(anna)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    lefts = []
    for _ in range(MAX_FAILED_ATTEMPTS):
        result = await world.redeem(boris_vk, wrong)
        lefts.append(result.attempts_left)
        clock.advance(timedelta(minutes=1))
    assert lefts == [4, 3, 2, 1, 0]
    assert result.retry_at == NOW + ATTEMPT_WINDOW

    locked = await world.redeem(boris_vk, code)
    assert locked.status is RedeemStatus.LOCKED, "even the right code waits"
    assert locked.retry_at == NOW + ATTEMPT_WINDOW
    clock.advance(ATTEMPT_WINDOW - timedelta(minutes=5, seconds=1))
    assert (await world.redeem(boris_vk, code)).status is RedeemStatus.LOCKED

    clock.advance(timedelta(seconds=1))
    code = await world.issue(anna)
    assert (await world.redeem(boris_vk, code)).status is RedeemStatus.LINKED


async def test_a_messenger_the_code_owner_has_already_is_refused(world: World) -> None:
    anna, _ = await world.someone(Channel.TELEGRAM, "1")
    _, anna_vk = await world.someone(Channel.VK, "2")
    _, boris_vk = await world.someone(Channel.VK, "3")
    assert (await world.redeem(anna_vk, await world.issue(anna))).status is RedeemStatus.LINKED
    code = await world.issue(anna)

    result = await world.redeem(boris_vk, code)

    assert result.status is RedeemStatus.CHANNEL_TAKEN
    assert result.channels == (Channel.VK,)
    async with world.database.sessions() as session:
        assert await count(session, MessengerAccount, MessengerAccount.person_id == anna) == 2
        assert await count(session, LinkCode, LinkCode.used_at.is_(None)) == 1


async def make_busy(session: AsyncSession, person_id: int, kind: str) -> None:
    org = await f.organization(session)
    who = await session.get_one(Person, person_id)
    match kind:
        case "participant":
            await f.participant(session, await f.program(session, org), who)
        case "staff":
            session.add(
                StaffMember(organization_id=org.id, person_id=person_id, role=StaffRole.CURATOR)
            )
        case "curator":
            prog = await f.program(session, org)
            session.add(ProgramCurator(program_id=prog.id, person_id=person_id))
        case "parent":
            child = await f.person(session)
            session.add(
                Consent(
                    subject_person_id=child.id,
                    purpose=ConsentPurpose.PARTICIPATION,
                    status=ConsentStatus.GRANTED,
                    relation=ConsentRelation.PARENT,
                    given_by_person_id=person_id,
                    text_version="v1",
                )
            )


@pytest.mark.parametrize("kind", ["participant", "staff", "curator", "parent"])
async def test_a_person_who_takes_part_is_not_merged(world: World, kind: str) -> None:
    anna, _ = await world.someone(Channel.TELEGRAM, "1")
    boris, boris_vk = await world.someone(Channel.VK, "2")
    async with world.database.transaction() as session:
        await make_busy(session, boris, kind)
    code = await world.issue(anna)

    result = await world.redeem(boris_vk, code)

    assert result.status is RedeemStatus.BUSY
    async with world.database.sessions() as session:
        assert await session.get(Person, boris) is not None
        assert (await session.get_one(MessengerAccount, boris_vk)).person_id == boris
        refused = await session.scalar(
            select(AuditLog).where(AuditLog.action == "accounts.link-refused")
        )
        assert refused is not None
        assert refused.details is not None
        assert refused.details["reason"] == "busy"


def test_every_table_about_a_person_is_moved_or_blocks_a_merge() -> None:
    referring = {
        f"{fk.parent.table.name}.{fk.parent.name}"
        for table in Base.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name == "people"
    }
    blocking = {f"{column.table.name}.{column.name}" for column in _person_references()}
    assert referring - blocking == {
        "messenger_accounts.person_id",
        "dialog_states.person_id",
        "notifications.recipient_person_id",
        "audit_log.actor_person_id",
        "link_codes.person_id",
    }, "only these follow the accounts; a row in any other table (new ones too) blocks a merge"
    assert {
        "participants.person_id",
        "staff_members.person_id",
        "program_curators.person_id",
        "consents.subject_person_id",
        "consents.given_by_person_id",
    } <= blocking


async def test_one_code_entered_twice_at_once_links_once(world: World) -> None:
    anna, _ = await world.someone(Channel.TELEGRAM, "1")
    _, boris_vk = await world.someone(Channel.VK, "2")
    _, vera_vk = await world.someone(Channel.VK, "3")
    code = await world.issue(anna)
    other = Database(world.database.url)
    try:

        async def redeem(database: Database, account_id: int) -> RedeemStatus:
            async with database.transaction() as session:
                result = await Services(session, world.clock).linking.redeem(account_id, code)
                return result.status

        statuses = await asyncio.gather(redeem(world.database, boris_vk), redeem(other, vera_vk))
    finally:
        await other.dispose()
    assert sorted(statuses) == sorted([RedeemStatus.LINKED, RedeemStatus.USED])
    async with world.database.sessions() as session:
        assert await count(session, MessengerAccount, MessengerAccount.person_id == anna) == 2


async def test_unlink_deletes_the_account_and_its_state(world: World) -> None:
    anna, anna_tg = await world.someone(Channel.TELEGRAM, "1")
    _, anna_vk = await world.someone(Channel.VK, "2")
    _, boris_tg = await world.someone(Channel.TELEGRAM, "3")
    assert (await world.redeem(anna_vk, await world.issue(anna))).status is RedeemStatus.LINKED
    async with world.services() as services:
        assert await services.linking.set_notify_channel(anna, Channel.VK) is NotifyStatus.SET

    async with world.services() as services:
        linking = services.linking
        assert (
            await linking.unlink(anna, anna_tg, current_account_id=anna_tg)
            is UnlinkStatus.CURRENT_ACCOUNT
        )
        assert (
            await linking.unlink(anna, boris_tg, current_account_id=anna_tg)
            is UnlinkStatus.NOT_FOUND
        )
        assert (
            await linking.unlink(anna, anna_vk, current_account_id=anna_tg) is UnlinkStatus.UNLINKED
        )
        assert (
            await linking.unlink(anna, anna_tg, current_account_id=anna_vk)
            is UnlinkStatus.LAST_ACCOUNT
        )

    async with world.database.sessions() as session:
        assert await session.get(MessengerAccount, anna_vk) is None
        states = set(await session.execute(select(DialogState.channel, DialogState.person_id)))
        assert (Channel.VK, anna) not in states
        person = await session.get_one(Person, anna)
        assert person.notify_channel is None, "it pointed to the unlinked messenger"
        unlinked = await session.scalar(
            select(AuditLog).where(AuditLog.action == "accounts.unlinked")
        )
        assert unlinked is not None
        assert (unlinked.entity_id, unlinked.details) == (str(anna_vk), {"channel": "vk"})


async def test_notification_channel_and_overview(world: World) -> None:
    anna, anna_tg = await world.someone(Channel.TELEGRAM, "1")
    _, anna_vk = await world.someone(Channel.VK, "2")
    _, anna_console = await world.someone(Channel.CONSOLE, "3")
    for account in (anna_vk, anna_console):
        assert (await world.redeem(account, await world.issue(anna))).status is (
            RedeemStatus.LINKED
        )

    async with world.services() as services:
        linking = services.linking
        overview = await linking.overview(anna)
        assert [(a.id, a.channel, a.notified) for a in overview.accounts] == [
            (anna_tg, Channel.TELEGRAM, True),
            (anna_vk, Channel.VK, False),
            (anna_console, Channel.CONSOLE, False),
        ]
        assert overview.notify_channel is None
        assert overview.notify_options == (Channel.TELEGRAM, Channel.VK)
        assert await linking.set_notify_channel(anna, Channel.VK) is NotifyStatus.SET
        assert await linking.set_notify_channel(anna, Channel.CONSOLE) is (
            NotifyStatus.NOT_REACHABLE
        )
        overview = await linking.overview(anna)
        assert overview.notify_channel is Channel.VK
        assert overview.notified is not None
        assert overview.notified.id == anna_vk
        (await linking.session.get_one(MessengerAccount, anna_vk)).reachable = False
        overview = await linking.overview(anna)
        assert overview.notified is not None
        assert overview.notified.id == anna_tg, "a blocked choice falls back to automatic"
        assert await linking.set_notify_channel(anna, Channel.VK) is NotifyStatus.NOT_REACHABLE
        assert await linking.set_notify_channel(anna, None) is NotifyStatus.SET

    async with world.database.sessions() as session:
        changes = [
            row.details
            for row in await session.scalars(
                select(AuditLog)
                .where(AuditLog.action == "accounts.notify-channel")
                .order_by(AuditLog.id)
            )
        ]
    assert changes == [{"old": None, "new": "vk"}, {"old": "vk", "new": None}]


async def test_migration_keeps_people_both_ways(empty_database: Database) -> None:
    await empty_database.upgrade("0001_initial")
    # Plain SQL with the columns of 0001 only: the models have grown since.
    async with empty_database.engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO people (locale, created_at, updated_at) VALUES ('ru', :at, :at)"),
            {"at": NOW},
        )
    await empty_database.upgrade()
    async with empty_database.sessions() as session:
        person = await session.scalar(select(Person))
        assert person is not None
        assert person.notify_channel is None
        person.notify_channel = Channel.VK
        await session.commit()
    await empty_database.downgrade("0001_initial")
    async with empty_database.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM people"))).scalar() == 1
