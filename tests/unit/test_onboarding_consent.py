"""Minors and their parents through the conversation core: the child in Telegram, the parent in VK.

A child under 14 needs a parent's consent alone, from 14 to 17 their own and a parent's. The
parent opens a single-use, expiring link, reads the versioned text, types a name and decides;
/consents lets them revoke, which stops the child's participation and erases the child's data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.conversation import Conversation
from bot.core.messages import Reply
from bot.services import InviteLinks
from bot.services.outbox import DeliveryWorker, SendResult, Sent
from storage import (
    Channel,
    ConsentLink,
    ConsentLinkStatus,
    ConsentPurpose,
    ConsentRelation,
    ConsentStatus,
    DialogState,
    MessengerAccount,
    Notification,
    NotificationStatus,
    ParticipantStatus,
    QuestionnaireAnswer,
)
from tests.chat import Chat
from tests.unit.test_onboarding import (
    AGREE,
    MY_CONSENTS,
    MY_PARTICIPATION,
    REFUSE,
    TO_MENU,
    World,
    consents,
    conversation,
    count,
    notifications,
    participant,
    person,
    person_id,
    sha256,
    texts,
    world,
)

TOKEN_RE = re.compile(r"/start (c_[\w-]+)")
MISHA_BORN = "14.03.2014"  # 12 on the test clock's 23.11.2026
DASHA_BORN = "10.05.2011"  # 15
MOTHER = "Елена Викторовна Иванова"


@pytest.fixture
def conv(app: App, clock: FrozenClock) -> Conversation:
    return conversation(app, clock)


@pytest.fixture
def misha(conv: Conversation) -> Chat:
    return Chat(conv, user_id="100", channel=Channel.TELEGRAM)


@pytest.fixture
def mother(conv: Conversation) -> Chat:
    return Chat(conv, user_id="200", channel=Channel.VK)


def token_in(replies: Sequence[Reply]) -> str:
    for reply in replies:
        if match := TOKEN_RE.search(reply.text):
            return match.group(1)
    raise AssertionError("no consent link in the replies")


async def child_joins(
    school: World, chat: Chat, *, name: str = "Миша Иванов", born: str = MISHA_BORN
) -> int:
    """The child opens the invitation and gives name, class and birth date."""
    pid = await school.invite(chat)
    await chat.start(f"onb_{pid}")
    await chat.tap("Начать")
    await chat.send(name)
    await chat.send("6 б")
    await chat.send(born)
    return pid


async def parent_agrees(parent: Chat, token: str, name: str = MOTHER) -> None:
    await parent.start(token)
    assert parent.ids[-1] == "consent-parent-v2"
    await parent.send(name)
    await parent.tap(AGREE)
    assert parent.ids == ["consent-parent-granted", "menu-title"]


async def link_row(app: App, token: str) -> ConsentLink:
    async with app.database.sessions() as session:
        row = await session.scalar(select(ConsentLink).where(ConsentLink.token == token))
        assert row is not None
        return row


# --- a child under 14 ---------------------------------------------------------------------------


async def test_twelve_year_old_waits_and_the_parent_agrees_in_vk(
    app: App, clock: FrozenClock, misha: Chat, mother: Chat
) -> None:
    school = await world(app)
    pid = await child_joins(school, misha)

    assert misha.ids == ["onboarding-parent-needed", "onboarding-forward", "onboarding-waiting"]
    assert misha.replies[0].text.startswith(
        "Вам ещё нет 14 лет, поэтому участвовать можно только с согласия родителя"
    )
    forward = misha.replies[1].text
    token = token_in(misha.replies)
    assert token.startswith("c_")
    assert forward.startswith(
        "Здравствуйте! Миша Иванов просит вашего согласия на участие в программе наставничества "
        "«Равный — равному»"
    )
    assert f"Telegram: https://t.me/nastavnik_test_bot?start={token}\n" in forward
    assert f"ВКонтакте: https://vk.me/club4242?ref={token}\n" in forward
    assert "Ссылка действует до 30.11.2026 включительно и подходит один раз." in forward
    assert "Пока согласия нет, можно только читать о программе." in misha.last.text
    assert "Старшеклассники помогают младшим" in misha.last.text
    assert misha.labels == ["Новая ссылка", TO_MENU, "Отмена"]
    assert (await participant(app, pid)).status is ParticipantStatus.CONSENT_PENDING
    child = await person_id(app, misha)
    reminder = (await notifications(app, child))[0]
    assert reminder.key == f"consent-reminder:{pid}:1"
    assert reminder.due_at == clock.now() + timedelta(days=3)

    # Only reading: the menu entry shows the same status and the same link again.
    await misha.send("/menu")
    assert MY_PARTICIPATION in misha.labels
    await misha.tap(MY_PARTICIPATION)
    assert misha.ids == ["onboarding-forward", "onboarding-waiting"]
    assert token_in(misha.replies) == token

    await mother.start(token)
    assert mother.ids == ["welcome", "consent-parent-v2"]
    shown = mother.last.text
    assert (
        "Миша Иванов (класс 6Б) просит разрешения участвовать в программе наставничества" in shown
    )
    assert "в роли наставляемого." in shown
    assert "Какие данные: фамилия и имя, дата рождения, класс, ответы анкеты" in shown
    assert "Срок: до окончания программы (31.05.2027) или до отзыва согласия." in shown
    assert "командой /consents" in shown
    assert mother.last.accepts_text
    assert mother.labels == [REFUSE, "Отмена"]
    await mother.send("Елена")
    assert mother.ids == ["onboarding-name-invalid"]
    await mother.send("даю согласие")
    assert mother.ids == ["consent-parent-name-needed"]
    await mother.send(MOTHER)
    assert mother.ids == ["consent-parent-confirm"]
    assert mother.last.text.startswith(f"{MOTHER}, подтвердите:")
    assert mother.labels == [AGREE, REFUSE, "← Назад", "Отмена"]
    await mother.tap(AGREE)
    assert mother.ids == ["consent-parent-granted", "menu-title"]
    assert MY_CONSENTS in mother.labels

    mom = await person_id(app, mother)
    rows = await consents(app, child)
    assert [(r.purpose, r.status, r.relation) for r in rows] == [
        (ConsentPurpose.PARTICIPATION, ConsentStatus.GRANTED, ConsentRelation.PARENT),
        (ConsentPurpose.PERSONAL_DATA, ConsentStatus.GRANTED, ConsentRelation.PARENT),
    ]
    async with app.database.sessions() as session:
        mom_account = await session.scalar(
            select(MessengerAccount.id).where(MessengerAccount.person_id == mom)
        )
    for row in rows:
        assert row.given_by_person_id == mom
        assert row.given_by_account_id == mom_account
        assert row.signer_name == MOTHER
        assert row.text_version == "parent-v2"
        assert row.text_hash == sha256(shown)
        assert row.channel is Channel.VK
        assert row.decided_at == clock.now()
        assert row.valid_until == datetime(2027, 5, 31, 23, 59, 59, 999999, tzinfo=UTC)
    link = await link_row(app, token)
    assert (link.status, link.used_by_person_id, link.used_at) == (
        ConsentLinkStatus.USED,
        mom,
        clock.now(),
    )
    assert (await participant(app, pid)).status is ParticipantStatus.ONBOARDING
    child_notes = await notifications(app, child)
    assert (child_notes[0].key, child_notes[0].status) == (
        f"consent-reminder:{pid}:1",
        NotificationStatus.SKIPPED,
    )
    assert texts(child_notes)[1:] == ["consent-granted-notice"]
    assert texts(await notifications(app, mom)) == [], "the parent is never reminded"
    curator = await notifications(app, school.curator_id)
    assert texts(curator) == ["consent-curator-granted"]
    assert curator[0].payload["args"]["name"] == "Миша Иванов"

    await misha.send("/menu")
    await misha.tap(MY_PARTICIPATION)
    assert misha.ids == ["onboarding-welcome"]
    await misha.tap("Продолжить")
    assert misha.ids == ["onboarding-done", "menu-title"]
    assert (await participant(app, pid)).status is ParticipantStatus.READY
    assert all(row.relation is ConsentRelation.PARENT for row in await consents(app, child))


async def test_fifteen_year_old_consents_too_then_fills_the_questionnaire(
    app: App, clock: FrozenClock
) -> None:
    conv = conversation(app, clock, questionnaire=True)
    dasha = Chat(conv, user_id="300", channel=Channel.TELEGRAM)
    mother = Chat(conv, user_id="301", channel=Channel.VK)
    school = await world(app)
    pid = await child_joins(school, dasha, name="Дарья Смирнова", born=DASHA_BORN)
    assert dasha.ids == ["consent-self-v2"]
    own_text = dasha.last.text
    await dasha.tap(AGREE)
    assert dasha.ids == [
        "onboarding-consent-thanks",
        "onboarding-parent-needed",
        "onboarding-forward",
        "onboarding-waiting",
    ]
    assert dasha.replies[1].text.startswith("Вам ещё нет 18 лет, поэтому нужно ещё согласие")
    assert (await participant(app, pid)).status is ParticipantStatus.CONSENT_PENDING

    await parent_agrees(mother, token_in(dasha.replies))
    await dasha.send("/menu")
    await dasha.tap(MY_PARTICIPATION)
    await dasha.tap("Продолжить")
    assert dasha.ids == ["demo-pick-field"], "the questionnaire comes once both consented"
    await dasha.tap("Готово")
    assert dasha.ids == ["onboarding-done", "menu-title"]
    assert (await participant(app, pid)).status is ParticipantStatus.READY
    child = await person_id(app, dasha)
    rows = await consents(app, child)
    assert [(r.relation, r.status) for r in rows] == [
        (ConsentRelation.SELF, ConsentStatus.GRANTED),
        (ConsentRelation.SELF, ConsentStatus.GRANTED),
        (ConsentRelation.PARENT, ConsentStatus.GRANTED),
        (ConsentRelation.PARENT, ConsentStatus.GRANTED),
    ]
    assert rows[0].text_hash == sha256(own_text)
    assert rows[0].signer_name == "Дарья Смирнова"


async def test_parent_refuses_and_the_child_may_ask_again(
    app: App, misha: Chat, mother: Chat
) -> None:
    school = await world(app)
    pid = await child_joins(school, misha)
    token = token_in(misha.replies)
    await mother.start(token)
    shown = mother.last.text
    await mother.send("Не даю согласия")
    assert mother.ids == ["consent-parent-refused", "menu-title"]
    assert mother.replies[0].text.startswith(
        "Ваш отказ записан: Миша Иванов не будет участвовать в программе."
    )
    child = await person_id(app, misha)
    rows = await consents(app, child)
    assert [(r.status, r.signer_name, r.text_hash) for r in rows] == [
        (ConsentStatus.REFUSED, None, sha256(shown))
    ] * 2
    assert (await participant(app, pid)).status is ParticipantStatus.DECLINED
    assert texts(await notifications(app, child))[-1] == "consent-refused-notice"
    assert texts(await notifications(app, school.curator_id)) == ["consent-curator-refused"]

    await misha.send("/menu")
    await misha.tap(MY_PARTICIPATION)
    assert misha.ids == ["onboarding-declined"]
    assert "родитель не дал согласия" in misha.last.text
    await misha.tap("Участвовать")
    assert misha.ids == ["onboarding-parent-needed", "onboarding-forward", "onboarding-waiting"]
    assert token_in(misha.replies) != token
    assert (await participant(app, pid)).status is ParticipantStatus.CONSENT_PENDING


# --- links that cannot be used -------------------------------------------------------------------


async def test_expired_link_changes_nothing_and_the_child_gets_a_new_one(
    app: App, clock: FrozenClock, misha: Chat, mother: Chat
) -> None:
    school = await world(app)
    pid = await child_joins(school, misha)
    token = token_in(misha.replies)

    # "Valid until 30.11 inclusive": the evening of 30.11 in Moscow still works...
    clock.advance(timedelta(days=7, hours=11, minutes=59))  # 23:59 MSK on 30.11
    assert (await link_row(app, token)).expires_at > clock.now()
    # ...and the link ends at midnight Moscow time.
    clock.advance(timedelta(minutes=1, seconds=1))
    await mother.start(token)
    assert mother.ids == ["welcome", "consent-link-expired"]
    assert "«Моё участие» → «Новая ссылка»" in mother.last.text
    assert "Миша" not in mother.last.text, "an unusable link shows nothing about the child"
    assert mother.labels == [TO_MENU, "Отмена"]
    child = await person_id(app, misha)
    assert await consents(app, child) == []
    assert (await participant(app, pid)).status is ParticipantStatus.CONSENT_PENDING

    await misha.send("/menu")
    await misha.tap(MY_PARTICIPATION)
    fresh = token_in(misha.replies)
    assert fresh != token
    assert (await link_row(app, token)).status is ConsentLinkStatus.EXPIRED

    # A link that expires while the parent is deciding records nothing either.
    await mother.start(fresh)
    await mother.send(MOTHER)
    clock.advance(timedelta(days=8))
    await mother.tap(AGREE)
    assert mother.ids == ["consent-link-expired", "menu-title"]
    assert await consents(app, child) == []


async def test_renewing_the_link_ends_the_previous_one(app: App, misha: Chat, mother: Chat) -> None:
    school = await world(app)
    await child_joins(school, misha)
    token = token_in(misha.replies)
    await misha.tap("Новая ссылка")
    assert misha.ids == ["onboarding-link-renewed", "onboarding-forward", "onboarding-waiting"]
    fresh = token_in(misha.replies)
    assert fresh != token
    await mother.start(token)
    assert mother.ids[-1] == "consent-link-expired"
    await parent_agrees(mother, fresh)


async def test_used_link_second_tap_and_a_second_parent(
    app: App, conv: Conversation, misha: Chat, mother: Chat
) -> None:
    father = Chat(conv, user_id="201", channel=Channel.TELEGRAM)
    school = await world(app)
    await child_joins(school, misha)
    token = token_in(misha.replies)
    await father.start(token)
    assert father.ids[-1] == "consent-parent-v2"

    await mother.start(token)
    await mother.send(MOTHER)
    agree = mother.button(AGREE).payload
    await mother.tap(AGREE)
    await mother.press(agree)
    assert mother.ids == ["button-stale", "menu-title"]
    child = await person_id(app, misha)
    assert len(await consents(app, child)) == 2, "a second tap adds no row"
    await mother.start(token)
    assert mother.ids == ["consent-link-used"]

    # The father read the text before the mother decided; his answer comes too late.
    await father.tap(REFUSE)
    assert father.ids == ["consent-link-used", "menu-title"]
    assert [r.status for r in await consents(app, child)] == [ConsentStatus.GRANTED] * 2


async def test_forged_and_own_links(app: App, misha: Chat, mother: Chat) -> None:
    school = await world(app)
    await child_joins(school, misha)
    token = token_in(misha.replies)
    await misha.start(token)
    assert misha.ids == ["consent-link-own"]
    await mother.start("c_forged-token")
    assert mother.ids == ["welcome", "consent-link-unknown"]
    await mother.start("c_" + "x" * 100)
    assert mother.ids == ["consent-link-unknown"]
    await mother.start(token)
    await mother.press(mother.last.buttons[0][0].payload.split(":")[0] + ":9")
    assert mother.ids == ["button-stale", "consent-parent-v2"]
    await mother.press("junk")
    assert mother.ids == ["button-stale", "consent-parent-v2"]
    child = await person_id(app, misha)
    assert await consents(app, child) == []


async def test_links_fall_back_to_the_token_when_the_bot_names_are_unknown(
    app: App, clock: FrozenClock
) -> None:
    misha = Chat(conversation(app, clock, links=InviteLinks()), user_id="9")
    school = await world(app)
    await child_joins(school, misha)
    forward = misha.replies[1].text
    assert "https://" not in forward
    token = token_in(misha.replies)
    assert f"напишите боту «Наставник» сообщение: /start {token}" in forward


# --- several children, revocation ----------------------------------------------------------------


async def test_a_parent_consents_for_two_children(
    app: App, conv: Conversation, misha: Chat, mother: Chat
) -> None:
    sister = Chat(conv, user_id="101", channel=Channel.VK)
    school = await world(app)
    await child_joins(school, misha)
    await parent_agrees(mother, token_in(misha.replies))
    await child_joins(school, sister, name="Аня Иванова", born="01.01.2016")
    await parent_agrees(mother, token_in(sister.replies))

    await mother.send("/consents")
    assert mother.ids == ["consents-list"]
    lines = mother.last.args["lines"]
    assert lines == (
        "1. Миша Иванов (6Б) — «Равный — равному»: действует (с 23.11.2026)\n"
        "2. Аня Иванова (6Б) — «Равный — равному»: действует (с 23.11.2026)"
    ) or lines == (
        "1. Аня Иванова (6Б) — «Равный — равному»: действует (с 23.11.2026)\n"
        "2. Миша Иванов (6Б) — «Равный — равному»: действует (с 23.11.2026)"
    )
    assert mother.labels == ["Отозвать № 1", "Отозвать № 2", TO_MENU, "Отмена"]
    await mother.send("/privacy")
    assert "• Согласия: ваши — 0, за детей — 2\n" in mother.last.text
    assert (
        "Кто видит: кураторы программ, к которым относятся эти данные («Равный — равному»).\n"
        in (mother.last.text)
    ), "a parent has no pair: nothing about one"
    await mother.send("/delete_me")
    assert "• Согласия" not in mother.last.text, "consent records are not erased"
    assert "Кураторы ваших программ" not in mother.last.text
    assert "Согласия, которые вы дали за детей, останутся в силе." in mother.last.text


async def test_revocation_erases_the_child_and_keeps_the_consent_log(
    app: App, misha: Chat, mother: Chat
) -> None:
    school = await world(app)
    pid = await child_joins(school, misha)
    await parent_agrees(mother, token_in(misha.replies))
    await misha.send("/menu")
    await misha.tap(MY_PARTICIPATION)
    await misha.tap("Продолжить")
    assert (await participant(app, pid)).status is ParticipantStatus.READY
    child = await person_id(app, misha)
    async with app.database.transaction() as session:
        session.add(
            QuestionnaireAnswer(
                participant_id=pid,
                questionnaire_id="mentee",
                questionnaire_version=1,
                question_id="q1",
                value="математика",
            )
        )

    await mother.send("/menu")
    await mother.tap(MY_CONSENTS)
    assert mother.ids == ["consents-list"]
    await mother.tap("Отозвать № 1")
    assert mother.ids == ["consents-revoke-confirm"]
    confirm = mother.last.text
    assert confirm.startswith(
        "Отозвать согласие за Миша Иванов (6Б) на участие в программе «Равный — равному»?"
    )
    assert "Бот больше не сможет написать ребёнку — расскажите ему сами." in confirm
    await mother.tap("Нет")
    assert mother.ids == ["consents-list"]
    assert await count(app, QuestionnaireAnswer) == 1
    await mother.tap("Отозвать № 1")
    await mother.tap("Да, отозвать")
    assert mother.ids == ["consents-revoked", "consents-list"]
    assert mother.replies[0].text == (
        "Согласие отозвано: Миша Иванов (6Б) больше не участвует в программе «Равный — равному». "
        "Данные ребёнка удалены."
    )
    assert mother.last.args["lines"] == (
        "1. ребёнок (данные удалены) — «Равный — равному»: отозвано (с 23.11.2026)"
    )
    assert mother.labels == [TO_MENU, "Отмена"]

    rows = await consents(app, child)
    assert [r.status for r in rows] == [ConsentStatus.GRANTED] * 2 + [ConsentStatus.REVOKED] * 2
    mom = await person_id(app, mother)
    for row in rows[2:]:
        assert (row.relation, row.given_by_person_id, row.text_version) == (
            ConsentRelation.PARENT,
            mom,
            "parent-v2",
        )
        assert row.text_hash == sha256(confirm)
    erased = await person(app, child)
    assert erased is not None
    assert (erased.full_name, erased.birth_date, erased.grade) == (None, None, None)
    assert erased.anonymized_at is not None
    assert await count(app, MessengerAccount, MessengerAccount.person_id == child) == 0
    assert await count(app, DialogState, DialogState.external_user_id == "100") == 0
    assert await count(app, QuestionnaireAnswer) == 0
    assert await count(app, ConsentLink) == 1, "the used link stays with the log"
    assert (await participant(app, pid)).status is ParticipantStatus.LEFT
    assert (
        await count(
            app,
            Notification,
            Notification.recipient_person_id == child,
            Notification.status == NotificationStatus.PENDING,
        )
        == 0
    ), "nothing is sent to the child any more"
    told = await notifications(app, school.curator_id)
    assert texts(told)[-1] == "consent-curator-revoked"
    assert told[-1].payload["args"] == {
        "name": "Миша Иванов",
        "program": "Равный — равному",
        "relation": "parent",
        "erased": "yes",
    }

    await misha.send("привет")
    assert misha.ids == ["welcome", "menu-title"], "the child starts afresh"
    assert MY_PARTICIPATION not in misha.labels


async def test_an_adult_revokes_their_own_consent(app: App, misha: Chat) -> None:
    school = await world(app)
    pid = await child_joins(school, misha, name="Пётр Орлов", born="01.09.2000")
    await misha.tap(AGREE)
    assert (await participant(app, pid)).status is ParticipantStatus.READY
    await misha.send("/consents")
    assert misha.last.args["lines"] == (
        "1. ваше собственное — «Равный — равному»: действует (с 23.11.2026)"
    )
    await misha.tap("Отозвать № 1")
    assert misha.last.text.startswith(
        "Отозвать ваше согласие на участие в программе «Равный — равному»?"
    )
    await misha.tap("Да, отозвать")
    assert misha.ids == ["consents-revoked", "consents-list"]
    assert (await participant(app, pid)).status is ParticipantStatus.LEFT
    me = await person_id(app, misha)
    kept = await person(app, me)
    assert kept is not None
    assert kept.full_name == "Пётр Орлов", "the profile stays until /delete_me"
    assert [r.status for r in await consents(app, me)][-2:] == [ConsentStatus.REVOKED] * 2
    told = await notifications(app, school.curator_id)
    assert told[-1].payload["args"]["relation"] == "self"


# --- the reminder --------------------------------------------------------------------------------


class Recorder:
    """A sender that records where each message went."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, notification_id: int
    ) -> SendResult:
        self.sent += [(chat_id, reply.text_id) for reply in replies]
        return Sent()


async def test_the_child_is_reminded_once_unless_the_parent_decided(
    app: App, clock: FrozenClock, conv: Conversation, misha: Chat, mother: Chat
) -> None:
    sister = Chat(conv, user_id="101", channel=Channel.VK)
    school = await world(app)
    await child_joins(school, misha)
    await child_joins(school, sister, name="Аня Иванова", born="01.01.2016")
    await parent_agrees(mother, token_in(sister.replies))

    recorder = Recorder()
    worker = DeliveryWorker(
        app.database, app.translator, {Channel.TELEGRAM: recorder, Channel.VK: recorder}, clock
    )
    await worker.run_once()
    assert ("101", "consent-granted-notice") in recorder.sent
    recorder.sent.clear()
    clock.advance(timedelta(days=3))
    await worker.run_once()
    assert recorder.sent == [("100", "consent-reminder")], "Misha only, never a parent"
    clock.advance(timedelta(days=3))
    assert (await worker.run_once()).sent == 0
