"""The curators' "delivery problems" screen: only for those who oversee programs."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.services.outbox import OutboxService
from storage import (
    MessengerAccount,
    Participant,
    ParticipantRole,
    Person,
    Program,
    ProgramCurator,
)
from tests.chat import Chat

ENTRY = "Проблемы доставки"


async def make_curator_with_blocked_mentee(app: App, clock: FrozenClock, curator: Chat) -> None:
    await curator.send("/start")
    async with app.database.transaction() as session:
        account = await session.scalar(
            select(MessengerAccount).where(MessengerAccount.external_user_id == curator.user_id)
        )
        assert account is not None
        program = await session.scalar(select(Program))
        assert program is not None
        session.add(ProgramCurator(program_id=program.id, person_id=account.person_id))
        mentee = Person(full_name="Миша Иванов", created_at=clock.now(), updated_at=clock.now())
        session.add(mentee)
        await session.flush()
        session.add(
            Participant(
                program_id=program.id,
                person_id=mentee.id,
                role=ParticipantRole.MENTEE,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
        await OutboxService(session, clock).plan(
            key="x", kind="test", recipient_id=mentee.id, text_id="welcome-back"
        )


async def test_only_overseers_get_the_entry_and_see_their_participants(
    app: App, clock: FrozenClock
) -> None:
    curator = Chat(app.conversation, user_id="curator")
    participant = Chat(app.conversation, user_id="someone")
    await make_curator_with_blocked_mentee(app, clock, curator)

    await participant.send("/start")
    assert ENTRY not in participant.labels
    await curator.send("/menu")
    assert ENTRY in curator.labels
    await curator.tap(ENTRY)
    assert curator.ids == ["deliveries-report"]
    assert curator.last.args["count"] == 1
    assert "Миша Иванов (наставляемый) — заблокировал бота во всех мессенджерах" in (
        curator.last.text
    )
    assert curator.last.text.splitlines()[1] == "«Наставничество: демо, ученик – ученик»"
    await curator.tap("В меню")
    assert curator.ids == ["menu-title"]


async def test_nothing_to_report_says_so(app: App, clock: FrozenClock) -> None:
    curator = Chat(app.conversation, user_id="curator")
    await curator.send("/start")
    async with app.database.transaction() as session:
        account = await session.scalar(select(MessengerAccount))
        program = await session.scalar(select(Program))
        assert account is not None
        assert program is not None
        session.add(ProgramCurator(program_id=program.id, person_id=account.person_id))
    await curator.send("/menu")
    await curator.tap(ENTRY)
    assert curator.last.args["count"] == 0
    assert curator.last.text.startswith("За последние 14 дней все сообщения")
