"""Joining a program through the conversation core: an adult's own consent, the profile fitted to
role and form, the questionnaire, declining and coming back, /privacy and /delete_me.

The shared helpers here also serve test_onboarding_consent.py (minors and their parents).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.conversation import Conversation
from bot.dialogs import onboarding
from bot.dialogs.engine import (
    JSON,
    Choice,
    ChoiceStep,
    Dialog,
    DialogRegistry,
    Engine,
    Finish,
    Outcome,
    Push,
    StepContext,
)
from bot.dialogs.menu import HELP, build_lang, build_menu
from bot.services import InviteLinks, Policy
from storage import (
    AuditLog,
    Channel,
    Consent,
    ConsentPurpose,
    ConsentRelation,
    ConsentStatus,
    DialogState,
    MentorshipForm,
    MessengerAccount,
    Notification,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    ProgramCurator,
    QuestionnaireAnswer,
    RoleModel,
)
from tests.chat import Chat
from tests.integration import factories

MY_PARTICIPATION = "Моё участие"
MY_CONSENTS = "Мои согласия"
AGREE = "Даю согласие"
REFUSE = "Не даю согласия"
TO_MENU = "В меню"
DESCRIPTION = "Старшеклассники помогают младшим с учёбой. Встречи раз в неделю."
LINKS = InviteLinks(telegram_username="nastavnik_test_bot", vk_group_id=4242)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def fake_questionnaire() -> Dialog:
    """Stands in for the questionnaire dialog: «Готово» confirms the answers."""

    async def done(ctx: StepContext, value: JSON) -> Outcome:
        return Finish({"done": True})

    return Dialog(
        onboarding.QUESTIONNAIRE,
        [ChoiceStep("q1", "demo-pick-field", [Choice("done", label="Готово")], then=done)],
    )


def conversation(
    app: App,
    clock: FrozenClock,
    *,
    questionnaire: bool = False,
    links: InviteLinks = LINKS,
) -> Conversation:
    """The menu, onboarding's dialogs and a test link `onb_<participant id>` that opens
    onboarding like an invite link does; with a stand-in questionnaire if asked."""
    registry = DialogRegistry(root="menu")
    registry.add(build_menu(registry))
    registry.add(HELP)
    registry.add(build_lang(app.translator.locales))
    onboarding.register(registry)
    if questionnaire:
        registry.add(fake_questionnaire())

    async def invite(ctx: StepContext, payload: str) -> Outcome | None:
        if payload.startswith("onb_"):
            return Push(onboarding.NAME, {"participant_id": int(payload[4:])})
        return None

    registry.links.append(invite)
    policy = Policy(links=links)
    engine = Engine(registry, app.translator)
    return Conversation(app.database, engine, app.translator, clock, policy=policy)


@dataclass
class World:
    """A school with a program, its curator, and participants joining it."""

    app: App
    program_id: int
    curator_id: int

    async def invite(self, chat: Chat, role: ParticipantRole = ParticipantRole.MENTEE) -> int:
        """`chat`'s person becomes an onboarding participant; returns the participant id."""
        if await person_of(self.app, chat) is None:
            await chat.send("/start")
        person_id = await person_of(self.app, chat)
        assert person_id is not None
        async with self.app.database.transaction() as session:
            part = Participant(
                program_id=self.program_id,
                person_id=person_id,
                role=role,
                status=ParticipantStatus.ONBOARDING,
            )
            session.add(part)
            await session.flush()
            return part.id


async def world(
    app: App,
    form: MentorshipForm = MentorshipForm.STUDENT_STUDENT,
    *,
    description: str | None = DESCRIPTION,
    ends_on: date | None = date(2027, 5, 31),
) -> World:
    async with app.database.transaction() as session:
        org = await factories.organization(session)
        prog = await factories.program(session, org)
        prog.name = "Равный — равному"
        prog.form = form
        prog.role_model = RoleModel.PEER_PEER
        prog.description = description
        prog.ends_on = ends_on
        curator = await factories.person(session, org, full_name="Ольга Петровна")
        await factories.account(session, curator)
        session.add(ProgramCurator(program_id=prog.id, person_id=curator.id))
        await session.flush()
        return World(app, prog.id, curator.id)


async def person_of(app: App, chat: Chat) -> int | None:
    async with app.database.sessions() as session:
        return await session.scalar(
            select(MessengerAccount.person_id).where(
                MessengerAccount.channel == chat.channel,
                MessengerAccount.external_user_id == chat.user_id,
            )
        )


async def person_id(app: App, chat: Chat) -> int:
    """The person behind the chat, who must exist."""
    found = await person_of(app, chat)
    assert found is not None, f"no person for {chat.channel}:{chat.user_id}"
    return found


async def participant(app: App, participant_id: int) -> Participant:
    async with app.database.sessions() as session:
        return await session.get_one(Participant, participant_id)


async def person(app: App, person_id: int) -> Person | None:
    async with app.database.sessions() as session:
        return await session.get(Person, person_id)


async def consents(app: App, subject_id: int) -> list[Consent]:
    async with app.database.sessions() as session:
        return list(
            await session.scalars(
                select(Consent).where(Consent.subject_person_id == subject_id).order_by(Consent.id)
            )
        )


async def notifications(app: App, recipient_id: int | None = None) -> list[Notification]:
    async with app.database.sessions() as session:
        query = select(Notification).order_by(Notification.id)
        if recipient_id is not None:
            query = query.where(Notification.recipient_person_id == recipient_id)
        return list(await session.scalars(query))


def texts(rows: Sequence[Notification]) -> list[str]:
    return [row.payload["text_id"] for row in rows]


async def count(app: App, model: Any, *where: Any) -> int:
    async with app.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def answer(chat: Chat, *answers: str) -> None:
    for text in answers:
        await chat.send(text)


@pytest.fixture
def conv(app: App, clock: FrozenClock) -> Conversation:
    return conversation(app, clock)


@pytest.fixture
def tg(conv: Conversation) -> Chat:
    return Chat(conv, user_id="100", channel=Channel.TELEGRAM)


# --- an adult -------------------------------------------------------------------------------------


async def test_adult_mentor_consents_fills_profile_and_is_ready(app: App, tg: Chat) -> None:
    school = await world(app, MentorshipForm.TEACHER_STUDENT)
    pid = await school.invite(tg, ParticipantRole.MENTOR)

    await tg.start(f"onb_{pid}")
    assert tg.ids == ["onboarding-welcome"]
    assert tg.last.text.startswith(
        "Вас пригласили в программу наставничества «Равный — равному» (Школа №"
    )
    assert ") в роли наставника.\n\n" + DESCRIPTION in tg.last.text
    assert tg.labels == ["Начать", TO_MENU, "Отмена"]

    await tg.tap("Начать")
    assert tg.ids == ["consent-self-v2"]
    shown = tg.last.text
    assert shown.startswith("Согласие на участие и обработку персональных данных (версия self-v2)")
    assert "фамилия и имя, предмет, должность" in shown
    assert "до окончания программы (31.05.2027)" in shown
    assert tg.labels == [AGREE, REFUSE, "← Назад", "Отмена"]
    await tg.tap(AGREE)
    assert tg.ids == ["onboarding-consent-thanks", "onboarding-ask-full-name"]
    await tg.send("Дарья")
    assert tg.ids == ["onboarding-name-invalid"]
    await answer(tg, "Дарья Смирнова", "Математика")
    assert tg.ids == ["onboarding-ask-position"]
    await tg.send("Учитель математики")
    assert tg.ids == ["onboarding-done", "menu-title"]
    assert MY_PARTICIPATION not in tg.labels
    assert MY_CONSENTS in tg.labels

    me = await person_id(app, tg)
    assert (await participant(app, pid)).status is ParticipantStatus.READY
    stored = await person(app, me)
    assert stored is not None
    assert (stored.full_name, stored.subject, stored.position) == (
        "Дарья Смирнова",
        "Математика",
        "Учитель математики",
    )
    assert stored.birth_date is None, "an adult's birth date is not asked"
    rows = await consents(app, me)
    assert [(row.purpose, row.status, row.relation) for row in rows] == [
        (ConsentPurpose.PARTICIPATION, ConsentStatus.GRANTED, ConsentRelation.SELF),
        (ConsentPurpose.PERSONAL_DATA, ConsentStatus.GRANTED, ConsentRelation.SELF),
    ]
    for row in rows:
        assert row.program_id == school.program_id
        assert row.given_by_person_id == me
        assert row.given_by_account_id is not None
        assert row.text_version == "self-v2"
        assert row.text_hash == sha256(shown)
        assert row.channel is Channel.TELEGRAM
        assert row.decided_at is not None
    told = await notifications(app, school.curator_id)
    assert texts(told) == ["enrolment-curator-ready"]
    assert told[0].payload["args"] == {
        "name": "Дарья Смирнова",
        "program": "Равный — равному",
        "role": "mentor",
    }


async def test_profile_follows_role_and_form(app: App, tg: Chat) -> None:
    school = await world(app, MentorshipForm.EMPLOYER_STUDENT, description=None)
    pid = await school.invite(tg, ParticipantRole.MENTOR)
    await tg.start(f"onb_{pid}")
    assert tg.last.text.endswith(
        ") в роли наставника.\n\nРегистрация займёт несколько минут: согласие на участие, "
        "пара вопросов о вас и анкета."
    )
    await tg.tap("Начать")
    assert "фамилия и имя, организация, род занятий" in tg.last.text
    await tg.tap(AGREE)
    await answer(tg, "Иван Кузнецов")
    assert tg.ids == ["onboarding-ask-workplace"]
    await tg.send("ООО «Ромашка»")
    assert tg.ids == ["onboarding-ask-occupation"]
    await tg.send("Инженер")
    assert tg.ids == ["onboarding-done", "menu-title"]


async def test_teacher_teacher_mentee_is_a_teacher(app: App, tg: Chat) -> None:
    school = await world(app, MentorshipForm.TEACHER_TEACHER)
    pid = await school.invite(tg, ParticipantRole.MENTEE)
    await tg.start(f"onb_{pid}")
    await tg.tap("Начать")
    assert "в роли наставляемого" in tg.last.text
    await tg.tap(AGREE)
    await answer(tg, "Анна Белова")
    assert tg.ids == ["onboarding-ask-subject"]


async def test_adult_student_consents_alone(app: App, tg: Chat) -> None:
    school = await world(app)
    pid = await school.invite(tg)
    await tg.start(f"onb_{pid}")
    await tg.tap("Начать")
    assert tg.ids == ["onboarding-ask-full-name"], "a student's age decides who consents"
    await answer(tg, "Пётр Орлов", "11 «А»")
    assert tg.ids == ["onboarding-ask-birth-date"]
    await tg.send("31.02.2007")
    assert tg.ids == ["onboarding-birth-date-invalid"]
    await tg.send("1.9.2007")
    assert tg.ids == ["consent-self-v2"]
    assert "фамилия и имя, дата рождения, класс" in tg.last.text
    await tg.tap("← Назад")
    assert tg.ids == ["onboarding-welcome"], "Back from the consent goes to the overview"
    await tg.tap("Продолжить")
    await tg.tap(AGREE)
    assert tg.ids == ["onboarding-consent-thanks", "onboarding-done", "menu-title"]
    me = await person_id(app, tg)
    stored = await person(app, me)
    assert stored is not None
    assert (stored.grade, stored.birth_date) == ("11А", date(2007, 9, 1))
    assert (await participant(app, pid)).status is ParticipantStatus.READY


async def test_leaving_halfway_resumes_from_the_menu(app: App, tg: Chat) -> None:
    school = await world(app, MentorshipForm.TEACHER_STUDENT)
    pid = await school.invite(tg, ParticipantRole.MENTOR)
    await tg.start(f"onb_{pid}")
    await tg.tap("Начать")
    await tg.tap(AGREE)
    await tg.send("Дарья Смирнова")
    assert tg.ids == ["onboarding-ask-subject"]
    await tg.send("/menu")
    assert tg.labels[0] == MY_PARTICIPATION

    await tg.tap(MY_PARTICIPATION)
    assert tg.ids == ["onboarding-welcome"]
    assert "продолжим с того места, где остановились" in tg.last.text
    await tg.tap("Продолжить")
    assert tg.ids == ["onboarding-ask-subject"]


async def test_questionnaire_result_makes_the_participant_ready(
    app: App, clock: FrozenClock
) -> None:
    chat = Chat(conversation(app, clock, questionnaire=True), user_id="7", channel=Channel.VK)
    school = await world(app, MentorshipForm.TEACHER_STUDENT)
    pid = await school.invite(chat, ParticipantRole.MENTOR)
    await chat.start(f"onb_{pid}")
    await chat.tap("Начать")
    await chat.tap(AGREE)
    await answer(chat, "Дарья Смирнова", "Физика", "Учитель")
    assert chat.ids == ["demo-pick-field"], "the questionnaire opens after the profile"
    await chat.tap("← Назад")
    assert chat.ids == ["onboarding-questionnaire-paused"]
    assert (await participant(app, pid)).status is ParticipantStatus.ONBOARDING
    await chat.tap("Продолжить анкету")
    await chat.tap("Готово")
    assert chat.ids == ["onboarding-done", "menu-title"]
    part = await participant(app, pid)
    assert part.status is ParticipantStatus.READY
    assert part.questionnaire_done_at == clock.now()


async def test_the_bots_own_questionnaire_follows_the_profile(app: App) -> None:
    """With every dialog of the bot, whichever questionnaire is registered opens next."""
    chat = Chat(app.conversation, user_id="8", channel=Channel.TELEGRAM)
    school = await world(app, MentorshipForm.TEACHER_STUDENT)
    pid = await school.invite(chat, ParticipantRole.MENTOR)
    await chat.send("/menu")
    await chat.tap(MY_PARTICIPATION)
    await chat.tap("Начать")
    await chat.tap(AGREE)
    await answer(chat, "Дарья Смирнова", "Физика", "Учитель")
    if onboarding.QUESTIONNAIRE not in app.conversation.engine.registry:
        assert chat.ids == ["onboarding-done", "menu-title"]
        return
    assert chat.ids[-1].startswith("questionnaire-")
    await chat.tap("← Назад")
    assert chat.ids == ["onboarding-questionnaire-paused"]
    assert chat.labels == ["Продолжить анкету", TO_MENU, "Отмена"]
    assert (await participant(app, pid)).status is ParticipantStatus.ONBOARDING


async def test_refusing_declines_and_the_person_can_come_back(app: App, tg: Chat) -> None:
    school = await world(app, MentorshipForm.TEACHER_STUDENT)
    pid = await school.invite(tg, ParticipantRole.MENTOR)
    await tg.start(f"onb_{pid}")
    await tg.tap("Начать")
    await tg.tap(REFUSE)
    assert tg.ids == ["onboarding-declined-now", "menu-title"]
    assert "откройте в меню «Моё участие» и нажмите «Участвовать»" in tg.replies[0].text
    assert (await participant(app, pid)).status is ParticipantStatus.DECLINED
    me = await person_id(app, tg)
    assert [row.status for row in await consents(app, me)] == [ConsentStatus.REFUSED] * 2

    await tg.tap(MY_PARTICIPATION)
    assert tg.ids == ["onboarding-declined"]
    assert "вы отказались" in tg.last.text
    await tg.tap("Участвовать")
    assert tg.ids == ["consent-self-v2"]
    await tg.tap(AGREE)
    assert (await participant(app, pid)).status is ParticipantStatus.ONBOARDING
    statuses = [row.status for row in await consents(app, me)]
    assert statuses == [ConsentStatus.REFUSED] * 2 + [ConsentStatus.GRANTED] * 2


async def test_someone_elses_participation_is_refused(
    app: App, conv: Conversation, tg: Chat
) -> None:
    school = await world(app)
    other = Chat(conv, user_id="555", channel=Channel.VK)
    pid = await school.invite(other)
    await tg.start(f"onb_{pid}")
    assert tg.ids == ["welcome", "onboarding-not-yours"]
    await tg.start("onb_999999")
    assert tg.ids == ["onboarding-not-yours"]
    await tg.tap(TO_MENU)
    assert tg.ids == ["menu-title"]
    assert (await participant(app, pid)).status is ParticipantStatus.ONBOARDING


async def test_several_open_participations_are_listed(app: App, tg: Chat) -> None:
    first = await world(app)
    second = await world(app, MentorshipForm.TEACHER_STUDENT)
    await first.invite(tg)
    await second.invite(tg, ParticipantRole.MENTOR)
    await tg.send("/menu")
    await tg.tap(MY_PARTICIPATION)
    assert tg.ids == ["onboarding-choose"]
    assert tg.labels == [
        "«Равный — равному» — наставляемый",
        "«Равный — равному» — наставник",
        TO_MENU,
        "Отмена",
    ]
    await tg.tap("«Равный — равному» — наставник")
    assert tg.ids == ["onboarding-welcome"]
    assert "в роли наставника" in tg.last.text
    await tg.press("forged:0")
    assert tg.ids == ["button-stale", "onboarding-welcome"]


# --- /privacy and /delete_me ----------------------------------------------------------------------


async def ready_adult(app: App, tg: Chat) -> tuple[World, int]:
    school = await world(app, MentorshipForm.TEACHER_STUDENT)
    pid = await school.invite(tg, ParticipantRole.MENTOR)
    await tg.start(f"onb_{pid}")
    await tg.tap("Начать")
    await tg.tap(AGREE)
    await answer(tg, "Дарья Смирнова", "Математика", "Учитель")
    assert (await participant(app, pid)).status is ParticipantStatus.READY
    return school, pid


async def test_privacy_tells_what_is_stored_and_who_sees_it(app: App, tg: Chat) -> None:
    await tg.send("/privacy")
    assert tg.ids == ["welcome", "privacy-info"]
    assert "Что хранится:\n• Мессенджеры: Telegram\n• Язык общения: Русский\n\n" in tg.last.text
    assert "Кто видит: никто, кроме вас" in tg.last.text
    assert tg.labels == ["Удалить мои данные", TO_MENU, "Отмена"]

    await ready_adult(app, tg)
    await tg.send("/privacy")
    text = tg.last.text
    assert "• Имя: Дарья Смирнова\n• Предмет: Математика\n• Должность: Учитель\n" in text
    assert "• Мессенджеры: Telegram\n" in text
    assert "• Программа «Равный — равному»: наставник, готовы к подбору пары\n" in text
    assert "• Согласия: ваши — 1, за детей — 0" in text
    assert (
        "Кто видит: кураторы программ, к которым относятся эти данные («Равный — равному»)." in text
    )
    assert "/delete_me" in text
    assert tg.labels == ["Удалить мои данные", MY_CONSENTS, TO_MENU, "Отмена"]
    await tg.tap(MY_CONSENTS)
    assert tg.ids == ["consents-list"]
    await tg.tap("← Назад")
    assert tg.ids == ["privacy-info"]


async def test_delete_me_asks_first_then_deletes_a_person_without_consents(
    app: App, conv: Conversation, tg: Chat
) -> None:
    await tg.send("/start")
    me = await person_id(app, tg)
    await tg.send("/delete_me")
    assert tg.ids == ["delete-me-confirm"]
    assert "• Мессенджеры: Telegram\n• Язык общения: Русский" in tg.last.text
    await tg.tap("Нет, оставить")
    assert tg.ids == ["delete-me-kept", "menu-title"]
    assert await person(app, me) is not None

    await tg.send("/delete_me")
    await tg.tap("Да, удалить всё")
    assert tg.ids == ["delete-me-done", "menu-title"]
    assert await person(app, me) is None
    assert await count(app, MessengerAccount) == 0
    assert await count(app, DialogState, DialogState.external_user_id == "100") == 0
    await tg.send("привет")
    assert tg.ids == ["welcome", "menu-title"], "a later message starts afresh"
    # (SQLite may give the new person the freed id: the old row is gone, not reused.)
    assert await person_of(app, tg) is not None


async def test_delete_me_anonymises_a_participant_and_keeps_the_consent_log(
    app: App, tg: Chat
) -> None:
    school, pid = await ready_adult(app, tg)
    me = await person_id(app, tg)
    async with app.database.transaction() as session:
        session.add(
            QuestionnaireAnswer(
                participant_id=pid,
                questionnaire_id="mentor",
                questionnaire_version=1,
                question_id="q1",
                value="ответ",
            )
        )
    await tg.send("/privacy")
    await tg.tap("Удалить мои данные")
    assert tg.ids == ["delete-me-confirm"]
    assert "• Имя: Дарья Смирнова" in tg.last.text
    assert "• Ответы в анкетах: 1" in tg.last.text
    await tg.tap("Да, удалить всё")
    assert tg.ids == ["delete-me-done", "menu-title"]

    gone = await person(app, me)
    assert gone is not None, "kept, because the consent log points at it"
    assert gone.anonymized_at is not None
    assert (gone.full_name, gone.subject, gone.position) == (None, None, None)
    assert await count(app, MessengerAccount, MessengerAccount.person_id == me) == 0
    assert await count(app, DialogState, DialogState.external_user_id == "100") == 0
    assert await count(app, QuestionnaireAnswer) == 0
    assert len(await consents(app, me)) == 2
    assert (await participant(app, pid)).status is ParticipantStatus.LEFT
    told = await notifications(app, school.curator_id)
    assert texts(told)[-1] == "enrolment-curator-left"
    assert told[-1].payload["args"]["name"] == "Дарья Смирнова"
    async with app.database.sessions() as session:
        actions = set(await session.scalars(select(AuditLog.action)))
    assert "person.erased" in actions
    await tg.send("/start")
    assert tg.ids == ["welcome", "menu-title"]
