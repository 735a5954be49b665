"""A pair set up for chat tests: Дарья mentors on Telegram, Миша is her mentee on VK, and a
stranger (Telegram) is in the same program but not in the pair."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.app import App
from storage import (
    Channel,
    MessengerAccount,
    Pair,
    PairMember,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
)
from tests.chat import Chat
from tests.integration import factories as f

MENTOR, MENTEE, STRANGER = "100", "200", "300"


def chats(app: App) -> tuple[Chat, Chat, Chat]:
    """Дарья on Telegram, Миша on VK, a stranger on Telegram."""
    return (
        Chat(app.conversation, user_id=MENTOR, channel=Channel.TELEGRAM),
        Chat(app.conversation, user_id=MENTEE, channel=Channel.VK),
        Chat(app.conversation, user_id=STRANGER, channel=Channel.TELEGRAM),
    )


@dataclass(frozen=True, slots=True)
class ChatPair:
    """The program, the pair and the participants' ids by chat user id."""

    program_id: int
    pair_id: int
    participants: dict[str, int]


async def open_pair(
    app: App,
    dasha: Chat,
    misha: Chat,
    stranger: Chat,
    *,
    created_at: datetime = f.NOW,
    approved_at: datetime | None = None,
    mentor_zone: str | None = None,
    program: Callable[[Program], None] | None = None,
) -> ChatPair:
    """Each person starts the bot; then the program (adjusted by `program`), the three
    participants (matched) and the active pair of Дарья and Миша."""
    for chat in (dasha, misha, stranger):
        await chat.send("/start")
    async with app.database.transaction() as session:
        org = await f.organization(session)
        prog = await f.program(session, org)
        if program is not None:
            program(prog)
        parts = {}
        for chat, name, role, zone in (
            (dasha, "Дарья", ParticipantRole.MENTOR, mentor_zone),
            (misha, "Миша", ParticipantRole.MENTEE, None),
            (stranger, "Чужой", ParticipantRole.MENTEE, None),
        ):
            who = await session.scalar(
                select(Person)
                .join(MessengerAccount, MessengerAccount.person_id == Person.id)
                .where(MessengerAccount.external_user_id == chat.user_id)
            )
            assert who is not None
            who.full_name, who.timezone, who.organization_id = name, zone, org.id
            part = await f.participant(session, prog, who, role)
            part.status = ParticipantStatus.MATCHED
            parts[chat.user_id] = part
        pair = await f.add(
            session,
            Pair(
                program_id=prog.id,
                status=PairStatus.ACTIVE,
                mentor_participant_id=parts[MENTOR].id,
                created_at=created_at,
                approved_at=approved_at,
            ),
        )
        for user_id in (MENTOR, MENTEE):
            session.add(
                PairMember(
                    pair_id=pair.id,
                    participant_id=parts[user_id].id,
                    role=parts[user_id].role,
                    joined_at=created_at,
                )
            )
        return ChatPair(prog.id, pair.id, {key: part.id for key, part in parts.items()})
