"""Pair formation end to end, with the real aiogram and vkbottle clients against the local fakes:
a curator in Telegram runs the matching and approves a pair; the mentee (Telegram) and the mentor
(VK) each get the introduction in their own messenger, with the reasons and without the health
answer. A curator in VK approves the next pair; forged VK payloads about another program's
proposal change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.handlers.telegram import TelegramSender
from bot.handlers.vk import VkChannel, VkSender
from bot.services import Services
from bot.services.matching import MatchError
from bot.services.outbox import DeliveryReport, DeliveryWorker, Sender
from bot.services.programs import CLI
from storage import (
    Channel,
    MatchProposal,
    Pair,
    PairMember,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramCurator,
    ProposalStatus,
    QuestionnaireAnswer,
)
from tests.answers import ART_MENTOR, ARTIST, MATH_LOVER, MATH_MENTOR
from tests.e2e.fake_telegram import TOKEN, FakeTelegram
from tests.e2e.fake_vk import FakeVk
from tests.e2e.test_telegram import TelegramUser, polling
from tests.e2e.test_vk import VkUser, running
from tests.integration import factories

PROGRAM = "Равный — равному"
# Telegram user ids and VK user ids of the people.
OLGA, MISHA, VERA = 3003, 1001, 1002
SERGEY, DARYA, OLEG = 7007, 6006, 6007


@dataclass
class Messengers:
    """The fake Telegram polled by the real aiogram bot, the fake VK by the real vkbottle one."""

    telegram: FakeTelegram
    vk: FakeVk
    vk_channel: VkChannel


@pytest.fixture
async def bots(app: App) -> AsyncIterator[Messengers]:
    telegram, vk = FakeTelegram(), FakeVk()
    await telegram.start()
    await vk.start()
    async with polling(app.conversation, telegram), running(app.conversation, vk) as channel:
        yield Messengers(telegram, vk, channel)
    await vk.stop()
    await telegram.stop()
    assert vk.errors == []
    assert vk.duplicates == []


async def deliver(app: App, clock: FrozenClock, bots: Messengers) -> DeliveryReport:
    """One run of the outbox worker through both messengers."""
    api = TelegramAPIServer.from_base(bots.telegram.base_url)
    client = Bot(TOKEN, session=AiohttpSession(api=api))
    try:
        senders: dict[Channel, Sender] = {
            Channel.TELEGRAM: TelegramSender(client),
            Channel.VK: VkSender(bots.vk_channel),
        }
        return await DeliveryWorker(app.database, app.translator, senders, clock).run_once()
    finally:
        await client.session.close()


class School:
    """Program A with two curators, two mentees in Telegram and two mentors in VK; program B
    with an open proposal of its own."""

    def __init__(self, app: App, clock: FrozenClock) -> None:
        self.app = app
        self.clock = clock

    async def open(self) -> School:
        async with self.app.database.transaction() as session:
            org = await factories.organization(session)
            a, b = await factories.program(session, org), await factories.program(session, org)
            b.name = "Молодые педагоги"
            self.a, self.b = a.id, b.id
            curators = (
                ("Ольга Петровна", Channel.TELEGRAM, OLGA),
                ("Сергей Иванович", Channel.VK, SERGEY),
            )
            for name, channel, user_id in curators:
                curator = await factories.person(session, org, full_name=name, grade=None)
                await factories.account(
                    session, curator, channel=channel, external_user_id=str(user_id)
                )
                session.add(ProgramCurator(program_id=a.id, person_id=curator.id))
        mentee, mentor = ParticipantRole.MENTEE, ParticipantRole.MENTOR
        telegram, vk = Channel.TELEGRAM, Channel.VK
        self.misha = await self.join(self.a, mentee, MATH_LOVER, "Миша", "6Б", telegram, MISHA)
        self.vera = await self.join(self.a, mentee, ARTIST, "Вера", "7А", telegram, VERA)
        self.darya = await self.join(
            self.a, mentor, MATH_MENTOR, "Дарья", "10А", vk, DARYA, share=True
        )
        self.oleg = await self.join(self.a, mentor, ART_MENTOR, "Олег", "9В", vk, OLEG)
        await self.join(self.b, mentee, MATH_LOVER, "Таня", "6Б", telegram, 1501)
        await self.join(self.b, mentor, MATH_MENTOR, "Стас", "10А", vk, 6501)
        async with self.app.database.transaction() as session:
            summary = await Services(session, self.clock).matching.run(CLI, self.b)
            assert not isinstance(summary, MatchError)
            assert summary.proposals == 1
        return self

    async def join(
        self,
        program_id: int,
        role: ParticipantRole,
        answers: dict[str, Any],
        name: str,
        grade: str,
        channel: Channel,
        user_id: int,
        *,
        share: bool = False,
    ) -> int:
        """A participant in their messenger, questionnaire done, mentors approved."""
        key = f"{role.value}-student"
        async with self.app.database.transaction() as session:
            program = await session.get_one(Program, program_id)
            who = await factories.person(
                session, full_name=name, grade=grade, share_contact=share, locale="ru"
            )
            await factories.account(session, who, channel=channel, external_user_id=str(user_id))
            part = await factories.participant(session, program, who, role)
            part.status = ParticipantStatus.READY
            part.questionnaire_key, part.questionnaire_version = key, 1
            part.questionnaire_done_at = self.clock.now()
            part.approved = role is ParticipantRole.MENTOR
            part.capacity = answers.get("capacity")
            for question_id, value in answers.items():
                session.add(
                    QuestionnaireAnswer(
                        participant_id=part.id,
                        questionnaire_id=key,
                        questionnaire_version=1,
                        question_id=question_id,
                        value=value,
                        answered_at=self.clock.now(),
                    )
                )
            return part.id

    async def pairs(self) -> set[tuple[int, int]]:
        """(mentee, mentor) of the active pairs."""
        async with self.app.database.sessions() as session:
            rows = await session.execute(
                select(PairMember.participant_id, Pair.mentor_participant_id)
                .join(Pair, Pair.id == PairMember.pair_id)
                .where(PairMember.role == ParticipantRole.MENTEE)
            )
            return {(mentee, mentor) for mentee, mentor in rows}

    async def proposals(self, program_id: int) -> list[ProposalStatus]:
        async with self.app.database.sessions() as session:
            rows = await session.scalars(
                select(MatchProposal.status).where(MatchProposal.program_id == program_id)
            )
            return list(rows)

    async def matched(self) -> dict[int, ParticipantStatus]:
        async with self.app.database.sessions() as session:
            rows = await session.execute(select(Participant.id, Participant.status))
            return dict(rows.all())


async def test_curators_in_telegram_and_vk_form_pairs_introduced_in_each_messenger(
    app: App, clock: FrozenClock, bots: Messengers
) -> None:
    school = await School(app, clock).open()

    # Ольга, in Telegram, runs the matching and approves the first proposal.
    olga = TelegramUser(bots.telegram, user_id=OLGA)
    [menu] = await olga.send("/menu")
    assert "Подбор пар" in menu.labels
    await olga.tap("Подбор пар")
    [card] = await olga.tap(PROGRAM)
    assert card.text is not None
    assert card.text.startswith(f"«{PROGRAM}»: подбор пар")
    assert "Наставляемые, готовые к подбору: 2" in card.text
    [summary, card] = await olga.tap("Запустить подбор", expect=2)
    assert summary.text is not None
    assert "Предложено пар: 2" in summary.text
    [proposal] = await olga.tap("Предложения (2)")
    assert proposal.text is not None
    assert proposal.text.startswith("Предложение 1 из 2\nМиша (6Б) → Дарья (10А)")
    assert "Тихое место" not in proposal.text
    assert proposal.labels[:4] == [
        "Утвердить",
        "Отклонить",
        "Никогда не ставить в пару",
        "Другой наставник",
    ]
    [done, following] = await olga.tap("Утвердить", expect=2)
    assert done.text == (
        "Пара утверждена: Миша (6Б) → Дарья (10А). Оба получат знакомство в своём мессенджере."
    )
    assert following.text is not None
    assert following.text.startswith("Предложение 1 из 1\nВера (7А) → Олег (9В)")
    assert await school.pairs() == {(school.misha, school.darya)}

    # The outbox brings each side the introduction in their own messenger.
    assert await deliver(app, clock, bots) == DeliveryReport(sent=2)
    [to_misha] = bots.telegram.messages(MISHA)
    assert to_misha.text is not None
    assert to_misha.text.startswith(f"У вас есть наставник! Программа «{PROGRAM}».")
    assert "Ваш наставник — Дарья (10А)." in to_misha.text
    assert "Почему вы вместе: Помощь по предметам: Математика" in to_misha.text
    assert f"Написать наставнику: https://vk.com/id{DARYA}" in to_misha.text  # she shares it
    [to_darya] = bots.vk.to(DARYA)
    assert to_darya.text.startswith(f"Вам назначен наставляемый. Программа «{PROGRAM}».")
    assert "Это Миша (6Б)." in to_darya.text
    assert "Почему вы вместе: Помощь по предметам: Математика" in to_darya.text
    assert "Написать наставляемому" not in to_darya.text  # Миша does not share his
    for text in (to_misha.text, to_darya.text):
        assert "Тихое место" not in text  # the health answer counted, never named
        assert "ОВЗ" not in text
    assert bots.vk.to(OLEG) == []
    assert bots.telegram.messages(VERA) == []

    # Сергей, in VK, approves the other proposal.
    sergey = VkUser(bots.vk, user_id=SERGEY)
    [menu_vk] = await sergey.writes("/menu", 1)
    assert "Подбор пар" in menu_vk.labels
    await sergey.taps("Подбор пар", 1)
    [card_vk] = await sergey.taps(PROGRAM, 1)
    assert "Предложения ждут решения: 1" in card_vk.text
    assert card_vk.labels[:3] == ["Запустить подбор", "Предложения (1)", "Утвердить все"]
    [proposal_vk] = await sergey.taps("Предложения (1)", 1)
    assert proposal_vk.text.startswith("Предложение 1 из 1\nВера (7А) → Олег (9В)")

    # Forged callbacks about program B's proposal are stale buttons: nothing changes.
    [option] = [b for b in proposal_vk.buttons if b.label == "Утвердить"]
    nonce = str(option.payload["p"]).partition(":")[0]
    [b_proposal] = await school_proposal_ids(app, school.b)
    for forged in (
        {"p": f"{nonce}:approve:{b_proposal}"},
        {"p": f"{nonce}:99"},
        {"p": "forged:0"},
        {"approve": b_proposal, "program": school.b},
    ):
        [stale, again] = await sergey.presses(forged, 2)
        assert stale.text == "Эта кнопка уже неактуальна. Вот что сейчас на экране:", forged
        assert again.text == proposal_vk.text
    assert await school.proposals(school.b) == [ProposalStatus.PROPOSED]

    [done_vk, none_left] = await sergey.taps("Утвердить", 2)
    assert done_vk.text.startswith("Пара утверждена: Вера (7А) → Олег (9В).")
    assert none_left.text.startswith("Предложений, ждущих решения, нет.")
    assert await school.pairs() == {(school.misha, school.darya), (school.vera, school.oleg)}
    assert await school.proposals(school.b) == [ProposalStatus.PROPOSED]
    statuses = await school.matched()
    assert statuses[school.vera] is statuses[school.oleg] is ParticipantStatus.MATCHED

    assert await deliver(app, clock, bots) == DeliveryReport(sent=2)
    [to_vera] = bots.telegram.messages(VERA)
    assert to_vera.text is not None
    assert "Ваш наставник — Олег (9В)." in to_vera.text
    assert "Почему вы вместе: Помощь по предметам: Литература" in to_vera.text
    [to_oleg] = bots.vk.to(OLEG)
    assert "Это Вера (7А)." in to_oleg.text


async def school_proposal_ids(app: App, program_id: int) -> list[int]:
    async with app.database.sessions() as session:
        rows = await session.scalars(
            select(MatchProposal.id).where(MatchProposal.program_id == program_id)
        )
        return list(rows)
