"""The enrolment journeys of JOURNEYS.md end to end, with the real aiogram and vkbottle clients
against the local fakes: the curator hands out invite links from her chat; a minor mentee joins in
Telegram and his mother consents in VK; a student mentor joins in VK and her father consents in
Telegram; links that expired or were revoked let nobody in.

What people see is compared with the Fluent texts the bot renders (`t(...)`), so a changed
wording fails here only where the journey depends on it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.handlers.telegram import TelegramSender
from bot.handlers.vk import VkChannel, VkSender
from bot.services import Services
from bot.services.invitations import InviteInfo
from bot.services.outbox import DeliveryReport, DeliveryWorker, Sender
from bot.services.programs import CLI, OrganizationInfo, ProgramDraft, ProgramInfo
from storage import (
    Channel,
    Consent,
    ConsentPurpose,
    ConsentRelation,
    ConsentStatus,
    DialogState,
    Invitation,
    InvitationRole,
    MentorshipForm,
    MessengerAccount,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    QuestionnaireAnswer,
    RoleModel,
)
from tests.e2e import fake_vk
from tests.e2e.fake_telegram import TOKEN, FakeTelegram
from tests.e2e.fake_vk import GROUP_ID, FakeVk
from tests.e2e.test_telegram import TelegramUser, polling
from tests.e2e.test_vk import VkUser, running

BOT_USERNAME = "nastavnik_test_bot"
PROGRAM = "Наставничество 2026/27, ученик – ученик"
SCHOOL = "Школа №5"
ABOUT = "Старшеклассники помогают младшим с учёбой. Встречи раз в неделю."
ENDS = date(2027, 5, 31)
# Telegram user ids and VK user ids of the people in the journeys.
OLGA, MISHA, DARYA_FATHER, LATE_TELEGRAM = 3003, 1001, 4004, 5005
MOTHER, DARYA, LATE_VK = 2002, 6006, 7007
INVITE_TELEGRAM = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=(i_[\w-]+)")
INVITE_VK = re.compile(rf"https://vk\.me/club{GROUP_ID}\?ref=(i_[\w-]+)")
CONSENT_TELEGRAM = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=(c_[\w-]+)")
CONSENT_VK = re.compile(rf"https://vk\.me/club{GROUP_ID}\?ref=(c_[\w-]+)")


# --- the bot in both messengers -------------------------------------------------------------------


@dataclass
class Messengers:
    """The fake Telegram polled by the real aiogram bot, the fake VK by the real vkbottle one."""

    telegram: FakeTelegram
    vk: FakeVk
    vk_channel: VkChannel


@pytest.fixture
async def messengers(app: App) -> AsyncIterator[Messengers]:
    """Both channels running against their fakes, with the links into the bot known."""
    app.policy.links.telegram_username = BOT_USERNAME
    app.policy.links.vk_group_id = GROUP_ID
    telegram, vk = FakeTelegram(), FakeVk()
    await telegram.start()
    await vk.start()
    async with polling(app.conversation, telegram), running(app.conversation, vk) as channel:
        yield Messengers(telegram, vk, channel)
    await vk.stop()
    await telegram.stop()
    assert vk.errors == []
    assert vk.duplicates == []


def t(app: App, text_id: str, **args: Any) -> str:
    """A text as the bot renders it for a Russian speaker."""
    return app.translator("ru", text_id, args)


def sha256(text: str | None) -> str:
    assert text is not None
    return hashlib.sha256(text.encode()).hexdigest()


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


async def toggle(user: TelegramUser, label: str) -> None:
    """Tick or untick an option of a multiple choice: the message is redrawn in place."""
    fake = user.fake
    edits = fake.edits
    await user.tap(label, expect=0)
    await fake.wait_for(lambda: fake.edits > edits)


async def vk_toggle(user: VkUser, label: str) -> None:
    """The same in VK (also for turning a keyboard's page with « and »)."""
    fake = user.fake
    edits = len(fake.edits)
    await user.taps(label, 0)
    await fake.wait_for(lambda: len(fake.edits) > edits)


async def notified(user: VkUser) -> list[fake_vk.SentMessage]:
    """The message the outbox brought a VK user, counted as seen."""
    return await user._replies(1)


# --- stored rows ----------------------------------------------------------------------------------


async def account(app: App, channel: Channel, user_id: int) -> MessengerAccount:
    async with app.database.sessions() as session:
        found = await session.scalar(
            select(MessengerAccount).where(
                MessengerAccount.channel == channel,
                MessengerAccount.external_user_id == str(user_id),
            )
        )
        assert found is not None, f"no {channel} account {user_id}"
        return found


async def participation(app: App, person_id: int) -> Participant:
    async with app.database.sessions() as session:
        found = list(
            await session.scalars(select(Participant).where(Participant.person_id == person_id))
        )
        assert len(found) == 1
        return found[0]


async def consents(app: App, subject_id: int) -> list[Consent]:
    async with app.database.sessions() as session:
        return list(
            await session.scalars(
                select(Consent).where(Consent.subject_person_id == subject_id).order_by(Consent.id)
            )
        )


async def answers(app: App, participant_id: int) -> dict[str, tuple[str, int, Any]]:
    """question id → (questionnaire id, version, value)."""
    async with app.database.sessions() as session:
        rows = await session.scalars(
            select(QuestionnaireAnswer).where(QuestionnaireAnswer.participant_id == participant_id)
        )
        return {
            row.question_id: (row.questionnaire_id, row.questionnaire_version, row.value)
            for row in rows
        }


async def dialog_top(app: App, channel: Channel, user_id: int) -> object:
    async with app.database.sessions() as session:
        row = await session.scalar(
            select(DialogState).where(
                DialogState.channel == channel, DialogState.external_user_id == str(user_id)
            )
        )
        assert row is not None
        return row.state["stack"][-1]


# --- the curator ----------------------------------------------------------------------------------


async def school(app: App, clock: FrozenClock) -> ProgramInfo:
    """The school's student–student program, created by the admin command line."""
    async with app.database.transaction() as session:
        programs = Services(session, clock, app.policy).programs
        org = await programs.create_organization(SCHOOL, "Europe/Moscow")
        assert isinstance(org, OrganizationInfo)
        draft = ProgramDraft(
            PROGRAM,
            MentorshipForm.STUDENT_STUDENT,
            RoleModel.ACHIEVER_UNDERACHIEVER,
            description=ABOUT,
            starts_on=date(2026, 9, 1),
            ends_on=ENDS,
        )
        program = await programs.create_program(CLI, org.id, draft)
        assert isinstance(program, ProgramInfo)
        return program


async def curator(
    app: App, clock: FrozenClock, bots: Messengers, program: ProgramInfo
) -> TelegramUser:
    """Ольга opens the curator link the coordinator sent her, in Telegram."""
    async with app.database.transaction() as session:
        invite = await Services(session, clock, app.policy).invitations.issue(
            CLI, program.id, InvitationRole.CURATOR, max_uses=1
        )
        assert isinstance(invite, InviteInfo)
    olga = TelegramUser(bots.telegram, user_id=OLGA)
    await olga.send(f"/start {invite.token}", expect=3)
    assert olga.replies[1].text is not None
    assert olga.replies[1].text.startswith(f"Здравствуйте! Теперь вы куратор программы «{PROGRAM}»")
    return olga


async def links_for(olga: TelegramUser, role: str) -> tuple[str, str]:
    """The curator asks for the invite links of a role in «Мои программы»: (Telegram, VK)."""
    if "Ссылки-приглашения" not in olga.last.labels:
        await olga.send("/menu")
        await olga.tap("Мои программы")
        await olga.tap(PROGRAM)
    await olga.tap("Ссылки-приглашения")
    *qr_codes, links = await olga.tap(role, expect=5)
    assert [message.kind for message in qr_codes] == ["text", "photo"] * 2, "QR codes for posters"
    assert links.text is not None
    telegram, vk = INVITE_TELEGRAM.search(links.text), INVITE_VK.search(links.text)
    assert telegram is not None
    assert vk is not None
    assert telegram.group(1) == vk.group(1), "one invitation, two messengers"
    await olga.tap("Готово")
    return telegram.group(0), vk.group(0)


# --- a minor mentee in Telegram, his mother in VK -------------------------------------------------


async def test_minor_mentee_in_telegram_parent_consents_in_vk(
    app: App, clock: FrozenClock, messengers: Messengers
) -> None:
    bots = messengers
    program = await school(app, clock)
    olga = await curator(app, clock, bots, program)
    telegram_link, _ = await links_for(olga, "Для наставляемых")
    token = telegram_link.rpartition("=")[2]

    # Миша, 12, opens the link from the class chat: Telegram sends /start with the token.
    misha = TelegramUser(bots.telegram, user_id=MISHA)
    welcome, invited = await misha.send(f"/start {token}", expect=2)
    assert welcome.text is not None
    assert welcome.text.startswith("Здравствуйте! Я «Наставник»")
    assert invited.text == t(
        app,
        "onboarding-welcome",
        program=PROGRAM,
        organization=SCHOOL,
        role="mentee",
        about=f"\n\n{ABOUT}",
        resumed="no",
    )
    assert invited.labels == ["Начать", "В меню", "Отмена"]
    await misha.tap("Начать")
    assert misha.texts == [t(app, "onboarding-ask-full-name")]
    await misha.send("42")
    assert misha.texts == [t(app, "onboarding-name-invalid")]
    await misha.send("Миша Иванов")
    assert misha.texts == [t(app, "onboarding-ask-grade")]
    await misha.send("6Б")
    assert misha.texts == [t(app, "onboarding-ask-birth-date")]
    misha_id = (await account(app, Channel.TELEGRAM, MISHA)).person_id

    # A birth date in the wrong format or out of range is explained and changes nothing.
    before = await dialog_top(app, Channel.TELEGRAM, MISHA)
    await misha.send("14 марта")
    assert misha.texts == [t(app, "onboarding-birth-date-invalid")]
    await misha.send("14.03.1900")
    assert misha.texts == [t(app, "onboarding-birth-date-out-of-range")]
    assert await dialog_top(app, Channel.TELEGRAM, MISHA) == before
    async with app.database.sessions() as session:
        assert (await session.get_one(Person, misha_id)).birth_date is None

    # 12 years old: only a parent consents. He gets a message to forward.
    needed, forward, waiting = await misha.send("14.03.2014", expect=3)
    assert needed.text == t(
        app, "onboarding-parent-needed", need="parent", self_age=14, adult_age=18
    )
    assert forward.text is not None
    vk_consent, telegram_consent = (
        CONSENT_VK.search(forward.text),
        CONSENT_TELEGRAM.search(forward.text),
    )
    assert vk_consent is not None
    assert telegram_consent is not None
    assert vk_consent.group(1) == telegram_consent.group(1)
    assert forward.text.startswith("Здравствуйте! Миша Иванов просит вашего согласия")
    assert waiting.labels == ["Новая ссылка", "В меню", "Отмена"]
    participant = await participation(app, misha_id)
    assert (participant.role, participant.status) == (
        ParticipantRole.MENTEE,
        ParticipantStatus.CONSENT_PENDING,
    )

    # Until then he can only read about the program: typing, a forged button, the invite link
    # again all lead back to the same waiting screen.
    await misha.send("Хочу заполнить анкету")
    assert misha.texts == [t(app, "input-use-buttons")]
    await misha.press(waiting, "forged:0", expect=3)
    assert misha.texts[0] == t(app, "button-stale")
    assert misha.texts[1] == forward.text
    assert misha.last.labels == ["Новая ссылка", "В меню", "Отмена"]
    await misha.send(f"/start {token}", expect=2)
    assert misha.texts[0] is not None
    assert misha.texts[0].startswith("Здравствуйте! Миша Иванов просит вашего согласия")
    assert misha.last.labels == ["Новая ссылка", "В меню", "Отмена"]
    participant = await participation(app, misha_id)
    assert participant.status is ParticipantStatus.CONSENT_PENDING
    assert participant.questionnaire_key is None
    assert await answers(app, participant.id) == {}

    # His mother opens the VK link: the versioned text, her name as a signature, her consent.
    mother = VkUser(bots.vk, user_id=MOTHER)
    hello, consent_text = await mother.writes("Начать", 2, ref=vk_consent.group(1))
    assert hello.text.startswith("Здравствуйте! Я «Наставник»")
    assert consent_text.text == t(
        app,
        "consent-parent-v2",
        child="Миша Иванов",
        grade="6Б",
        program=PROGRAM,
        organization=SCHOOL,
        role="mentee",
        ends="31.05.2027",
    )
    assert "(версия parent-v2)" in consent_text.text
    assert consent_text.labels == ["Не даю согласия", "Отмена"]
    [confirm] = await mother.writes("Елена Викторовна Иванова", 1)
    assert confirm.labels[:2] == ["Даю согласие", "Не даю согласия"]
    thanks, _ = await mother.taps("Даю согласие", 2)
    assert thanks.text == t(app, "consent-parent-granted", child="Миша Иванов")

    mother_account = await account(app, Channel.VK, MOTHER)
    rows = await consents(app, misha_id)
    assert {row.purpose for row in rows} == {
        ConsentPurpose.PARTICIPATION,
        ConsentPurpose.PERSONAL_DATA,
    }
    assert [
        (
            row.relation,
            row.status,
            row.text_version,
            row.text_hash,
            row.channel,
            row.given_by_account_id,
            row.given_by_person_id,
            row.signer_name,
        )
        for row in rows
    ] == [
        (
            ConsentRelation.PARENT,
            ConsentStatus.GRANTED,
            "parent-v2",
            sha256(consent_text.text),
            Channel.VK,
            mother_account.id,
            mother_account.person_id,
            "Елена Викторовна Иванова",
        )
    ] * 2
    assert (await participation(app, misha_id)).status is ParticipantStatus.ONBOARDING

    # The outbox tells Миша and Ольга, both in Telegram.
    assert (await deliver(app, clock, bots)).sent == 2
    assert misha.last.text == t(app, "consent-granted-notice", program=PROGRAM)
    assert olga.last.text == t(app, "consent-curator-granted", name="Миша Иванов", program=PROGRAM)

    # The questionnaire: «Вопрос N из M», the maths question only when maths is picked.
    await misha.send("/menu")
    await misha.tap("Моё участие")
    assert misha.last.labels == ["Продолжить", "В меню", "Отмена"]
    intro, first = await misha.tap("Продолжить", expect=2)
    assert intro.text == t(app, "questionnaire-intro", title="Анкета наставляемого", total=9)
    assert first.text is not None
    assert first.text.startswith("Вопрос 1 из 9\n\nЧем ты увлекаешься?")
    await toggle(misha, "Спорт")
    await toggle(misha, "Книги")
    assert first.labels[:4] == ["✓ Спорт", "Музыка и пение", "Рисование и дизайн", "✓ Книги"]
    first_done = first.payload("Готово")
    [subjects] = await misha.tap("Готово")
    assert first.buttons == [], "the answered question's keyboard is gone"
    assert subjects.text is not None
    assert subjects.text.startswith("Вопрос 2 из 9\n\nС какими предметами")
    await toggle(misha, "Математика")
    await toggle(misha, "Физика")
    [maths] = await misha.tap("Готово")
    assert maths.text is not None
    assert maths.text.startswith("Вопрос 3 из 10\n\nЧто в математике даётся труднее всего?")

    # A second tap on an answered question's button, and forged payloads, change nothing.
    participant_id = participant.id
    stored = await answers(app, participant_id)
    before = await dialog_top(app, Channel.TELEGRAM, MISHA)
    await misha.press(first, first_done, expect=2)
    assert misha.texts[0] == t(app, "button-stale")
    assert misha.texts[1] is not None
    assert misha.texts[1].startswith("Вопрос 3 из 10")
    nonce = misha.last.payload("Готово").partition(":")[0]
    for forged in ("forged:0", f"{nonce}:99", f"{nonce}:-1", f"{nonce}:back2", "x" * 64):
        await misha.press(misha.last, forged, expect=2)
        assert misha.texts[0] == t(app, "button-stale"), forged
    assert await answers(app, participant_id) == stored
    assert stored["interests"] == ("mentee-student", 1, ["sport", "reading"])
    assert stored["subjects_help"] == ("mentee-student", 1, ["math", "physics"])
    top = await dialog_top(app, Channel.TELEGRAM, MISHA)
    assert isinstance(top, dict)
    assert isinstance(before, dict)
    assert (top["step"], top["data"]["current"]) == (before["step"], "math_topics")

    await toggle(misha, "Уравнения")
    await misha.tap("Готово")
    await toggle(misha, "Подтянуть оценки")
    await misha.tap("Готово")
    await misha.tap("Учёба даётся с трудом")
    [activity] = misha.replies
    assert activity.labels == ["1", "2", "3", "4", "5", "← Назад", "Отмена"]
    await misha.tap("2")
    await toggle(misha, "Онлайн")
    await misha.tap("Готово")
    await toggle(misha, "Суббота")
    await misha.tap("Готово")
    [health] = await misha.tap("Нет")
    assert health.text is not None
    assert health.text.startswith("Вопрос 10 из 10")

    # Too long a text is refused with the limit, and stores nothing.
    await misha.send("я" * 501)
    assert misha.texts == [t(app, "input-too-long", limit=500)]
    assert "about" not in await answers(app, participant_id)
    [review] = await misha.send("Люблю футбол и хочу понять дроби.")
    assert review.text is not None
    assert review.text.startswith("Проверьте ответы — «Анкета наставляемого»:")
    assert "2. Помощь по предметам: Математика, Физика\n3. Трудности в математике: Уравнения" in (
        review.text
    )
    assert "10. О себе словами: Люблю футбол и хочу понять дроби." in review.text
    assert review.labels == ["Всё верно", "Изменить ответ", "← Назад", "Отмена"]

    # He changes his subjects: without maths the maths question and its answer go away ...
    await misha.tap("Изменить ответ")
    await misha.tap("2. Помощь по предметам")
    assert misha.last.labels[2:4] == ["✓ Математика", "✓ Физика"]
    await toggle(misha, "✓ Математика")
    [review] = await misha.tap("Готово")
    assert review.text is not None
    assert "2. Помощь по предметам: Физика\n3. Цели: Подтянуть оценки" in review.text
    assert "Трудности в математике" not in review.text
    assert "9. О себе словами" in review.text
    assert "math_topics" not in await answers(app, participant_id)

    # ... and with maths again the question comes back, unanswered, before the review.
    await misha.tap("Изменить ответ")
    await misha.tap("2. Помощь по предметам")
    await toggle(misha, "Математика")
    [asked] = await misha.tap("Готово")
    assert asked.text is not None
    assert asked.text.startswith("Вопрос 3 из 10\n\nЧто в математике даётся труднее всего?")
    await toggle(misha, "Геометрия")
    [review] = await misha.tap("Готово")
    assert review.text is not None
    assert "2. Помощь по предметам: Математика, Физика\n3. Трудности в математике: Геометрия" in (
        review.text
    )

    done, ready, menu = await misha.tap("Всё верно", expect=3)
    assert done.text == t(app, "questionnaire-done")
    assert ready.text == t(app, "onboarding-done", program=PROGRAM)
    assert "Моё участие" not in menu.labels
    participant = await participation(app, misha_id)
    assert participant.status is ParticipantStatus.READY
    assert (participant.questionnaire_key, participant.questionnaire_version) == (
        "mentee-student",
        1,
    )
    assert participant.questionnaire_done_at == clock.now()
    assert await answers(app, participant_id) == {
        question: ("mentee-student", 1, value)
        for question, value in {
            "interests": ["sport", "reading"],
            "subjects_help": ["math", "physics"],
            "math_topics": ["geometry"],
            "goals": ["grades"],
            "profile": "struggling",
            "activity": 2,
            "meeting_format": ["online"],
            "times": ["saturday"],
            "has_ovz": False,
            "about": "Люблю футбол и хочу понять дроби.",
        }.items()
    }

    # Ольга is told, and sees him among those who joined.
    assert (await deliver(app, clock, bots)).sent == 1
    assert olga.last.text == t(
        app, "enrolment-curator-ready", name="Миша Иванов", program=PROGRAM, role="mentee"
    )
    await olga.tap("Кто присоединился")
    assert olga.last.text is not None
    assert "• Миша Иванов — наставляемый, анкета заполнена, ждёт пару" in olga.last.text


# --- a student mentor in VK, her father in Telegram -----------------------------------------------


async def test_student_mentor_in_vk_parent_consents_in_telegram(
    app: App, clock: FrozenClock, messengers: Messengers
) -> None:
    bots = messengers
    program = await school(app, clock)
    olga = await curator(app, clock, bots, program)
    _, vk_link = await links_for(olga, "Для наставников")

    # Дарья, 16, opens the VK link: VK sends her first message with the token as `ref`.
    darya = VkUser(bots.vk, user_id=DARYA)
    _, invited = await darya.writes("Начать", 2, ref=vk_link.rpartition("=")[2])
    assert invited.text == t(
        app,
        "onboarding-welcome",
        program=PROGRAM,
        organization=SCHOOL,
        role="mentor",
        about=f"\n\n{ABOUT}",
        resumed="no",
    )
    await darya.taps("Начать", 1)
    await darya.writes("Дарья Смирнова", 1)
    await darya.writes("10 «А»", 1)
    [own_text] = await darya.writes("10.05.2010", 1)

    # From 14 she consents herself, to the versioned text ...
    assert own_text.text == t(
        app,
        "consent-self-v2",
        program=PROGRAM,
        organization=SCHOOL,
        role="mentor",
        kind="student",
        ends="31.05.2027",
    )
    assert own_text.labels == ["Даю согласие", "Не даю согласия", "← Назад", "Отмена"]
    thanks, needed, forward, waiting = await darya.taps("Даю согласие", 4)
    assert thanks.text == t(app, "onboarding-consent-thanks")
    # ... and under 18 a parent consents too.
    assert needed.text == t(
        app, "onboarding-parent-needed", need="self_and_parent", self_age=14, adult_age=18
    )
    link = CONSENT_TELEGRAM.search(forward.text)
    assert link is not None
    assert waiting.labels == ["Новая ссылка", "В меню", "Отмена"]
    darya_account = await account(app, Channel.VK, DARYA)
    darya_id = darya_account.person_id
    assert (await participation(app, darya_id)).status is ParticipantStatus.CONSENT_PENDING

    # Her father opens the Telegram link.
    father = TelegramUser(bots.telegram, user_id=DARYA_FATHER)
    _, parent_text = await father.send(f"/start {link.group(1)}", expect=2)
    assert parent_text.text == t(
        app,
        "consent-parent-v2",
        child="Дарья Смирнова",
        grade="10А",
        program=PROGRAM,
        organization=SCHOOL,
        role="mentor",
        ends="31.05.2027",
    )
    await father.send("Андрей Петрович Смирнов")
    await father.tap("Даю согласие", expect=2)
    assert father.texts[0] == t(app, "consent-parent-granted", child="Дарья Смирнова")

    father_account = await account(app, Channel.TELEGRAM, DARYA_FATHER)
    rows = await consents(app, darya_id)
    assert [
        (
            row.relation,
            row.status,
            row.text_version,
            row.text_hash,
            row.channel,
            row.given_by_account_id,
            row.given_by_person_id,
        )
        for row in rows
    ] == [
        (
            ConsentRelation.SELF,
            ConsentStatus.GRANTED,
            "self-v2",
            sha256(own_text.text),
            Channel.VK,
            darya_account.id,
            darya_id,
        )
    ] * 2 + [
        (
            ConsentRelation.PARENT,
            ConsentStatus.GRANTED,
            "parent-v2",
            sha256(parent_text.text),
            Channel.TELEGRAM,
            father_account.id,
            father_account.person_id,
        )
    ] * 2

    # Дарья is told in VK, Ольга in Telegram.
    assert (await deliver(app, clock, bots)).sent == 2
    [told] = await notified(darya)
    assert told.text == t(app, "consent-granted-notice", program=PROGRAM)
    assert olga.last.text == t(
        app, "consent-curator-granted", name="Дарья Смирнова", program=PROGRAM
    )

    # The mentor questionnaire; a keyboard longer than VK shows comes in pages.
    await darya.writes("/menu", 1)
    await darya.taps("Моё участие", 1)
    intro, first = await darya.taps("Продолжить", 2)
    assert intro.text == t(app, "questionnaire-intro", title="Анкета наставника-ученика", total=11)
    assert first.text.startswith("Вопрос 1 из 11\n\nПо каким предметам ты можешь помочь")
    assert first.labels[-1] == "»"
    await vk_toggle(darya, "Математика")
    await vk_toggle(darya, "»")
    [achievements] = await darya.taps("Готово", 1)
    assert achievements.text.startswith("Вопрос 2 из 11")
    [told] = await darya.taps("Да", 1)
    assert told.text.startswith("Вопрос 3 из 12\n\nРасскажи коротко")
    # A forged payload is answered as a stale button and changes nothing.
    [stale, again] = await darya.presses({"p": "forged:0"}, 2)
    assert stale.text == t(app, "button-stale")
    assert again.text.startswith("Вопрос 3 из 12")
    await darya.writes("Призёр городской олимпиады по математике", 1)
    await vk_toggle(darya, "Наука и опыты")
    await vk_toggle(darya, "»")
    await darya.taps("Готово", 1)
    await vk_toggle(darya, "Подтянуть оценки")
    await vk_toggle(darya, "»")
    await darya.taps("Готово", 1)
    await vk_toggle(darya, "С теми, кому учиться трудно")
    await darya.taps("Готово", 1)
    await darya.taps("2", 1)
    await vk_toggle(darya, "Онлайн")
    await darya.taps("Готово", 1)
    await vk_toggle(darya, "Суббота")
    await darya.taps("Готово", 1)
    [start] = await darya.taps("Пропустить", 1)
    assert start.text.startswith("Вопрос 11 из 12\n\nС какого числа")
    [late] = await darya.writes("01.11.2026", 1)
    assert late.text == t(app, "questionnaire-date-early", date="23.11.2026")
    await darya.writes("01.12.2026", 1)
    [review] = await darya.taps("Хочу помогать другим", 1)
    assert review.text.startswith("Проверьте ответы — «Анкета наставника-ученика»:")
    assert "3. Достижения: Призёр городской олимпиады по математике" in review.text
    assert "11. Начало встреч: 01.12.2026" in review.text
    done, ready, _ = await darya.taps("Всё верно", 3)
    assert done.text == t(app, "questionnaire-done")
    assert ready.text == t(app, "onboarding-done", program=PROGRAM)

    participant = await participation(app, darya_id)
    assert (participant.role, participant.status, participant.capacity) == (
        ParticipantRole.MENTOR,
        ParticipantStatus.READY,
        2,
    )
    stored = await answers(app, participant.id)
    assert {key for key, _, _ in stored.values()} == {"mentor-student"}
    assert {version for _, version, _ in stored.values()} == {1}
    assert stored["subjects_strong"][2] == ["math"]
    assert stored["achievements_text"][2] == "Призёр городской олимпиады по математике"
    assert stored["support_ready"][2] is None, "skipped"
    assert stored["start_date"][2] == "2026-12-01"
    assert len(stored) == 12

    assert (await deliver(app, clock, bots)).sent == 1
    assert olga.last.text == t(
        app, "enrolment-curator-ready", name="Дарья Смирнова", program=PROGRAM, role="mentor"
    )


# --- links that let nobody in ---------------------------------------------------------------------


async def test_expired_and_revoked_invite_links_let_nobody_in(
    app: App, clock: FrozenClock, messengers: Messengers
) -> None:
    bots = messengers
    program = await school(app, clock)
    olga = await curator(app, clock, bots, program)
    old_link, old_vk_link = await links_for(olga, "Для наставляемых")
    # A poster leaked: Ольга replaces the link, which revokes the old one.
    await olga.tap("Ссылки-приглашения")
    await olga.tap("Для наставляемых", expect=5)
    await olga.tap("Заменить ссылку")
    await olga.tap("Да, заменить", expect=6)
    assert olga.replies[0].text == t(app, "staff-replaced")
    olga_id = (await account(app, Channel.TELEGRAM, OLGA)).person_id
    async with app.database.transaction() as session:
        expiring = await Services(session, clock, app.policy).invitations.issue(
            olga_id, program.id, InvitationRole.MENTEE, expires_in=timedelta(days=3)
        )
        assert isinstance(expiring, InviteInfo)
    clock.advance(timedelta(days=3))

    late = TelegramUser(bots.telegram, user_id=LATE_TELEGRAM)
    await late.send(f"/start {expiring.token}", expect=3)
    assert late.texts[1] == t(app, "staff-invite-expired")
    await late.send(f"/start {old_link.rpartition('=')[2]}", expect=2)
    assert late.texts[0] == t(app, "staff-invite-revoked")
    assert "Моё участие" not in late.last.labels

    other = VkUser(bots.vk, user_id=LATE_VK)
    _, revoked, menu = await other.writes("Начать", 3, ref=old_vk_link.rpartition("=")[2])
    assert revoked.text == t(app, "staff-invite-revoked")
    assert "Моё участие" not in menu.labels

    async with app.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Participant)) == 0
        uses = dict((await session.execute(select(Invitation.token, Invitation.uses))).all())
    assert uses[expiring.token] == 0
    assert uses[old_link.rpartition("=")[2]] == 0
