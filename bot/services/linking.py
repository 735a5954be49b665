"""One person, several messengers: link codes, merging accounts, the notification channel.

A person asks for a code in one messenger and enters it in another. Entering it moves the
entering person's accounts (and dialog states) to the code's person and deletes the entering
person, who by then owns nothing. Only a person who takes part in nothing can be merged this way:
anything else (a program, a consent, a staff role) needs a curator, not an automatic merge.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Column, delete, exists, or_, select, update

from storage import (
    AuditLog,
    Base,
    Channel,
    DialogState,
    LinkCode,
    MessengerAccount,
    Notification,
    Person,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock
    from bot.services.audit import AuditService
    from bot.services.outbox import OutboxService

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
# Used and expired codes are kept this long, so that entering one again says "used" or
# "expired" rather than "wrong"; then they are deleted by the next issue.
CODE_KEPT = timedelta(days=1)
MAX_FAILED_ATTEMPTS = 5
ATTEMPT_WINDOW = timedelta(minutes=15)
# Channels that can deliver a notification (the console is a local terminal session).
NOTIFIABLE = (Channel.TELEGRAM, Channel.VK)

ACTION_ISSUED = "accounts.code-issued"
ACTION_FAILED = "accounts.link-failed"  # a code that does not work: counted for the lock-out
ACTION_REFUSED = "accounts.link-refused"  # a working code that may not be used by this person
ACTION_LINKED = "accounts.linked"
ACTION_UNLINKED = "accounts.unlinked"
ACTION_NOTIFY = "accounts.notify-channel"

# Tables whose rows about the entering person follow their accounts to the code's person (or,
# for link codes, go away with the person). A row about them in any other table (participants,
# staff, consents, curators, invitations, pairs, and whatever is added later) means they take
# part in something, and a merge is refused.
_MOVED_WITH_ACCOUNTS = frozenset(
    {"people", "messenger_accounts", "dialog_states", "notifications", "audit_log", "link_codes"}
)
# Profile fields the code's person takes from the entering person when they have none.
_PROFILE_FIELDS = (
    "organization_id",
    "full_name",
    "birth_date",
    "grade",
    "subject",
    "position",
    "workplace",
    "occupation",
    "timezone",
)


class RedeemStatus(StrEnum):
    """What entering a code led to."""

    LINKED = "linked"
    WRONG = "wrong"  # no such code
    EXPIRED = "expired"
    USED = "used"
    SAME_CHANNEL = "same_channel"  # issued in the messenger it was entered in
    ALREADY_LINKED = "already_linked"  # the person's own code, entered in another linked account
    LOCKED = "locked"  # too many codes that did not work, for a while
    CHANNEL_TAKEN = "channel_taken"  # the code's person already has an account in that messenger
    BUSY = "busy"  # the entering person takes part in something: no automatic merge


FAILED_STATUSES = frozenset({RedeemStatus.WRONG, RedeemStatus.EXPIRED, RedeemStatus.USED})


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A fresh link code."""

    code: str
    channel: Channel
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RedeemResult:
    """The outcome of entering a code, with what the person needs to be told."""

    status: RedeemStatus
    # LINKED: the person who now owns the accounts.
    person_id: int | None = None
    # LINKED: every messenger of that person; CHANNEL_TAKEN: the messengers already taken.
    channels: tuple[Channel, ...] = ()
    # WRONG, EXPIRED, USED: tries left before the lock-out.
    attempts_left: int | None = None
    # LOCKED, or a failure that used the last try: when codes may be entered again.
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """One messenger account of a person."""

    id: int
    channel: Channel
    reachable: bool
    notified: bool  # notifications go to this one


@dataclass(frozen=True, slots=True)
class AccountsOverview:
    """A person's messengers and where their notifications go."""

    accounts: tuple[AccountInfo, ...]
    notify_channel: Channel | None  # the person's choice; None = automatic

    @property
    def notified(self) -> AccountInfo | None:
        """The account notifications go to, if any can receive them."""
        return next((account for account in self.accounts if account.notified), None)

    @property
    def notify_options(self) -> tuple[Channel, ...]:
        """Channels the person may choose for notifications."""
        return tuple(
            account.channel
            for account in self.accounts
            if account.reachable and account.channel in NOTIFIABLE
        )


class UnlinkStatus(StrEnum):
    """What an unlink request led to."""

    UNLINKED = "unlinked"
    NOT_FOUND = "not_found"  # not an account of this person (any more)
    LAST_ACCOUNT = "last_account"
    CURRENT_ACCOUNT = "current_account"  # the account the request came from


class NotifyStatus(StrEnum):
    """What choosing the notification channel led to."""

    SET = "set"
    NOT_REACHABLE = "not_reachable"  # no reachable account of the person there


def notification_account(
    accounts: Sequence[MessengerAccount], preferred: Channel | None
) -> MessengerAccount | None:
    """The account notifications go to: the chosen channel, else the oldest reachable account."""
    usable = sorted(
        (a for a in accounts if a.reachable and a.channel in NOTIFIABLE), key=lambda a: a.id
    )
    chosen = [account for account in usable if account.channel == preferred]
    return next(iter(chosen or usable), None)


@cache
def _person_references() -> tuple[Column[int], ...]:
    """Columns outside `_MOVED_WITH_ACCOUNTS` that refer to a person."""
    return tuple(
        fk.parent
        for table in Base.metadata.sorted_tables
        if table.name not in _MOVED_WITH_ACCOUNTS
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name)
        if fk.column.table.name == Person.__tablename__
    )


class LinkingService:
    """Links a person's messenger accounts and chooses where their notifications go."""

    def __init__(
        self, session: AsyncSession, clock: Clock, audit: AuditService, outbox: OutboxService
    ) -> None:
        self.session = session
        self.clock = clock
        self.audit = audit
        self.outbox = outbox

    # --- codes ---------------------------------------------------------------------------------

    async def issue(self, person_id: int, channel: Channel) -> IssuedCode:
        """A new code for `person_id`, asked for in `channel`; their previous unused code ends."""
        now = self.clock.now()
        await self.session.execute(
            delete(LinkCode)
            .where(or_(LinkCode.expires_at < now - CODE_KEPT, LinkCode.used_at < now - CODE_KEPT))
            .execution_options(synchronize_session=False)
        )
        previous = await self.session.scalars(
            select(LinkCode).where(
                LinkCode.person_id == person_id,
                LinkCode.used_at.is_(None),
                LinkCode.expires_at > now,
            )
        )
        for old in previous:
            old.expires_at = now
        row = LinkCode(
            person_id=person_id,
            code=await self._unused_code(),
            channel=channel,
            expires_at=now + CODE_TTL,
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        person = await self._person(person_id)
        self.audit.record(person, ACTION_ISSUED, "link_codes", row.id, channel=channel.value)
        return IssuedCode(row.code, channel, row.expires_at)

    async def _unused_code(self) -> str:
        # Codes are kept for a day, so a clash with one is rare; drawing again costs one query.
        while True:
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            if not await self.session.scalar(select(exists().where(LinkCode.code == code))):
                return code

    async def redeem(self, account_id: int, code: str) -> RedeemResult:
        """Enter `code` from the account `account_id`; on success its person is merged away."""
        account = await self.session.get_one(MessengerAccount, account_id)
        person = await self._person(account.person_id)
        now = self.clock.now()
        failures = await self._recent_failures(person.id, now)
        if len(failures) >= MAX_FAILED_ATTEMPTS:
            self.audit.record(person, ACTION_REFUSED, "link_codes", reason="locked")
            return RedeemResult(
                RedeemStatus.LOCKED, retry_at=failures[MAX_FAILED_ATTEMPTS - 1] + ATTEMPT_WINDOW
            )
        row = await self.session.scalar(
            select(LinkCode).where(LinkCode.code == code).with_for_update()
        )
        status = _code_status(row, now, account, person)
        if status in FAILED_STATUSES:
            entity_id = row.id if row is not None else None
            self.audit.record(person, ACTION_FAILED, "link_codes", entity_id, reason=status.value)
            failures.insert(0, now)
            left = MAX_FAILED_ATTEMPTS - len(failures)
            retry_at = failures[MAX_FAILED_ATTEMPTS - 1] + ATTEMPT_WINDOW if left <= 0 else None
            return RedeemResult(status, attempts_left=max(left, 0), retry_at=retry_at)
        assert row is not None
        if status is not None:
            self.audit.record(person, ACTION_REFUSED, "link_codes", row.id, reason=status.value)
            return RedeemResult(status)
        owner = await self.session.scalar(
            select(Person).where(Person.id == row.person_id).with_for_update()
        )
        assert owner is not None  # the code would have gone with its person
        moving = list(
            await self.session.scalars(
                select(MessengerAccount)
                .where(MessengerAccount.person_id == person.id)
                .order_by(MessengerAccount.id)
            )
        )
        owned = set(
            await self.session.scalars(
                select(MessengerAccount.channel).where(MessengerAccount.person_id == owner.id)
            )
        )
        taken = tuple(sorted({a.channel for a in moving} & owned))
        if taken:
            self.audit.record(person, ACTION_REFUSED, "link_codes", row.id, reason="channel_taken")
            return RedeemResult(RedeemStatus.CHANNEL_TAKEN, channels=taken)
        involvement = await self._involvement(person.id)
        if involvement:
            self.audit.record(
                person, ACTION_REFUSED, "link_codes", row.id, reason="busy", rows=involvement
            )
            return RedeemResult(RedeemStatus.BUSY)
        row.used_at = now
        await self._merge(person, owner, moving)
        channels = tuple(sorted(owned | {a.channel for a in moving}))
        self.audit.record(
            owner,
            ACTION_LINKED,
            "people",
            owner.id,
            merged_person=person.id,
            accounts=[a.id for a in moving],
            code=row.id,
        )
        for moved in moving:
            await self.outbox.plan(
                key=f"accounts-linked:{row.id}:{moved.id}",
                kind=ACTION_LINKED,
                recipient_id=owner.id,
                text_id="accounts-linked-notice",
                args={"channel": moved.channel.value},
                channel=row.channel,
            )
        return RedeemResult(RedeemStatus.LINKED, person_id=owner.id, channels=channels)

    async def _recent_failures(self, person_id: int, now: datetime) -> list[datetime]:
        """When the person's codes that did not work were entered, newest first, in the window."""
        return list(
            await self.session.scalars(
                select(AuditLog.at)
                .where(
                    AuditLog.actor_person_id == person_id,
                    AuditLog.action == ACTION_FAILED,
                    AuditLog.at > now - ATTEMPT_WINDOW,
                )
                .order_by(AuditLog.at.desc())
                .limit(MAX_FAILED_ATTEMPTS)
            )
        )

    async def _involvement(self, person_id: int) -> list[str]:
        """`table.column` of every row that makes the person take part in something."""
        columns = _person_references()
        flags = (
            await self.session.execute(
                select(*(exists().where(column == person_id) for column in columns))
            )
        ).one()
        return [
            f"{column.table.name}.{column.name}"
            for column, flag in zip(columns, flags, strict=True)
            if flag
        ]

    async def _merge(self, person: Person, owner: Person, moving: list[MessengerAccount]) -> None:
        """Move everything of `person` to `owner`, then delete `person`."""
        for account in moving:
            account.person = owner
        for name in _PROFILE_FIELDS:
            if getattr(owner, name) is None and getattr(person, name) is not None:
                setattr(owner, name, getattr(person, name))
        owner.updated_at = self.clock.now()
        # Rows loaded in this session (the conversation's own state row) are updated in place.
        for model, column in (
            (DialogState, DialogState.person_id),
            (Notification, Notification.recipient_person_id),
            (AuditLog, AuditLog.actor_person_id),
        ):
            await self.session.execute(
                update(model).where(column == person.id).values({column: owner.id})
            )
        await self.session.flush()
        await self.session.delete(person)
        await self.session.flush()

    # --- accounts ------------------------------------------------------------------------------

    async def overview(self, person_id: int) -> AccountsOverview:
        """The person's accounts, oldest first, and where notifications go."""
        person = await self._person(person_id)
        accounts = await self._accounts(person_id)
        notified = notification_account(accounts, person.notify_channel)
        return AccountsOverview(
            tuple(
                AccountInfo(a.id, a.channel, a.reachable, notified is not None and a is notified)
                for a in accounts
            ),
            person.notify_channel,
        )

    async def unlink(
        self, person_id: int, account_id: int, *, current_account_id: int
    ) -> UnlinkStatus:
        """Detach an account: its next message starts afresh as a new person."""
        accounts = await self._accounts(person_id)
        account = next((a for a in accounts if a.id == account_id), None)
        if account is None:
            return UnlinkStatus.NOT_FOUND
        if account.id == current_account_id:
            # The conversation core is writing this account's state in this very update.
            return UnlinkStatus.CURRENT_ACCOUNT
        if len(accounts) < 2:
            return UnlinkStatus.LAST_ACCOUNT
        person = await self._person(person_id)
        await self.session.execute(
            delete(DialogState).where(
                DialogState.channel == account.channel,
                DialogState.external_user_id == account.external_user_id,
            )
        )
        if person.notify_channel == account.channel:
            person.notify_channel = None
        person.updated_at = self.clock.now()
        self.audit.record(
            person,
            ACTION_UNLINKED,
            "messenger_accounts",
            account.id,
            channel=account.channel.value,
        )
        await self.session.delete(account)
        await self.session.flush()
        return UnlinkStatus.UNLINKED

    async def set_notify_channel(self, person_id: int, channel: Channel | None) -> NotifyStatus:
        """Send notifications to `channel`, or choose automatically (None)."""
        person = await self._person(person_id)
        if channel is not None:
            options = (await self.overview(person_id)).notify_options
            if channel not in options:
                return NotifyStatus.NOT_REACHABLE
        if person.notify_channel != channel:
            self.audit.record(
                person,
                ACTION_NOTIFY,
                "people",
                person.id,
                old=person.notify_channel and person.notify_channel.value,
                new=channel and channel.value,
            )
            person.notify_channel = channel
            person.updated_at = self.clock.now()
        return NotifyStatus.SET

    async def _accounts(self, person_id: int) -> list[MessengerAccount]:
        return list(
            await self.session.scalars(
                select(MessengerAccount)
                .where(MessengerAccount.person_id == person_id)
                .order_by(MessengerAccount.id)
            )
        )

    async def _person(self, person_id: int) -> Person:
        return await self.session.get_one(Person, person_id)


def _code_status(
    row: LinkCode | None, now: datetime, account: MessengerAccount, person: Person
) -> RedeemStatus | None:
    """Why the code cannot link `account`, judging by the code alone; None if it can."""
    if row is None:
        return RedeemStatus.WRONG
    if row.used_at is not None:
        return RedeemStatus.USED
    if now >= row.expires_at:
        return RedeemStatus.EXPIRED
    if row.channel == account.channel:
        return RedeemStatus.SAME_CHANNEL
    if row.person_id == person.id:
        return RedeemStatus.ALREADY_LINKED
    return None
