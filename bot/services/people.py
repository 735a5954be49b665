"""People and their messenger accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from storage import MessengerAccount, Person

ACTION_SHARE_CONTACT = "people.share_contact"

# Asked on every update, so built once with parameters: building the statement cost more than
# running it from SQLAlchemy's compiled cache.
_ACCOUNT = (
    select(MessengerAccount)
    .options(joinedload(MessengerAccount.person))
    .where(
        MessengerAccount.channel == bindparam("channel"),
        MessengerAccount.external_user_id == bindparam("user_id"),
    )
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock
    from bot.core.messages import Incoming
    from bot.services.audit import AuditService


class PeopleService:
    """Finds or registers the person behind a messenger account."""

    def __init__(self, session: AsyncSession, clock: Clock, audit: AuditService) -> None:
        self.session = session
        self.clock = clock
        self.audit = audit

    async def touch(
        self, incoming: Incoming, *, locale: str
    ) -> tuple[Person, MessengerAccount, bool]:
        """The person and account behind `incoming`, created on first contact with `locale`."""
        account = await self.session.scalar(
            _ACCOUNT, {"channel": incoming.channel, "user_id": incoming.user_id}
        )
        if account is not None:
            if account.chat_id != incoming.chat_id:
                account.chat_id = incoming.chat_id
            if not account.reachable:
                # Writing to the bot again means it was unblocked.
                account.reachable = True
            return account.person, account, False
        now = self.clock.now()
        person = Person(locale=locale, created_at=now, updated_at=now)
        account = MessengerAccount(
            person=person,
            channel=incoming.channel,
            external_user_id=incoming.user_id,
            chat_id=incoming.chat_id,
            language_code=(incoming.language or None) and incoming.language[:16],
            created_at=now,
        )
        self.session.add_all([person, account])
        await self.session.flush()
        self.audit.record(
            person,
            "first-contact",
            "messenger_accounts",
            account.id,
            channel=incoming.channel.value,
        )
        return person, account, True

    async def set_share_contact(self, person: Person, share: bool) -> bool:
        """Whether the person's pair gets a link to their messenger profile in the introduction;
        False when it was so already."""
        if person.share_contact == share:
            return False
        self.audit.record(person, ACTION_SHARE_CONTACT, "people", person.id, share=share)
        person.share_contact = share
        person.updated_at = self.clock.now()
        return True

    async def set_locale(self, person: Person, locale: str) -> None:
        """Change the language the person is spoken to in."""
        if person.locale == locale:
            return
        self.audit.record(person, "set-locale", "people", person.id, old=person.locale, new=locale)
        person.locale = locale
        person.updated_at = self.clock.now()
