"""«Мои мессенджеры» through the conversation core, as one person in Telegram and in VK."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.services import Services
from bot.services.linking import RedeemStatus
from storage import (
    AuditLog,
    Channel,
    DialogState,
    LinkCode,
    MessengerAccount,
    Participant,
    Person,
)
from tests.chat import Chat

ACCOUNTS = "Мои мессенджеры"
GET_CODE = "Получить код для привязки"
ENTER_CODE = "Ввести код"
NOTIFY = "Куда присылать уведомления"
UNLINK = "Отвязать мессенджер"
SHARE_OFF = "Показывать мой профиль паре: нет"
SHARE_ON = "Показывать мой профиль паре: да"
ONE_ACCOUNT = [GET_CODE, ENTER_CODE, SHARE_OFF, "Отмена"]
TWO_ACCOUNTS = [GET_CODE, ENTER_CODE, NOTIFY, UNLINK, SHARE_OFF, "Отмена"]
TYPING = ["← Назад", "Отмена"]


@pytest.fixture
def tg(app: App) -> Chat:
    return Chat(app.conversation, user_id="100", channel=Channel.TELEGRAM)


@pytest.fixture
def vk(app: App) -> Chat:
    return Chat(app.conversation, user_id="200", channel=Channel.VK)


async def open_accounts(chat: Chat) -> None:
    await chat.send("/menu")
    await chat.tap(ACCOUNTS)
    assert chat.ids[-1] == "accounts-overview"


async def get_code(chat: Chat) -> str:
    await open_accounts(chat)
    await chat.tap(GET_CODE)
    assert chat.ids == ["accounts-code"]
    return str(chat.last.args["code"])


async def enter(chat: Chat, code: str) -> None:
    await open_accounts(chat)
    await chat.tap(ENTER_CODE)
    assert chat.ids == ["accounts-enter-code"]
    assert chat.last.accepts_text
    await chat.send(code)


async def person_of(app: App, chat: Chat) -> int:
    async with app.database.sessions() as session:
        account = await session.scalar(
            select(MessengerAccount).where(
                MessengerAccount.channel == chat.channel,
                MessengerAccount.external_user_id == chat.user_id,
            )
        )
        assert account is not None
        return account.person_id


async def account_of(app: App, chat: Chat) -> int:
    async with app.database.sessions() as session:
        account_id = await session.scalar(
            select(MessengerAccount.id).where(
                MessengerAccount.channel == chat.channel,
                MessengerAccount.external_user_id == chat.user_id,
            )
        )
        assert account_id is not None
        return account_id


async def link_directly(app: App, owner: Chat, other: Chat) -> None:
    """Link `other` to `owner`'s person through the service (both have talked to the bot)."""
    owner_person, other_account = await person_of(app, owner), await account_of(app, other)
    async with app.database.transaction() as session:
        linking = Services(session, app.clock).linking
        code = await linking.issue(owner_person, owner.channel)
        assert (await linking.redeem(other_account, code.code)).status is RedeemStatus.LINKED


async def block(app: App, chat: Chat) -> None:
    """The person blocked the bot in this messenger (as the outbox finds out)."""
    account_id = await account_of(app, chat)
    async with app.database.transaction() as session:
        (await session.get_one(MessengerAccount, account_id)).reachable = False


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_menu_entry_and_overview_of_one_messenger(tg: Chat) -> None:
    await tg.send("/start")
    assert ACCOUNTS in tg.labels
    await tg.tap(ACCOUNTS)
    assert tg.ids == ["accounts-overview"]
    assert tg.labels == ONE_ACCOUNT
    assert tg.last.args["accounts"] == "• Telegram (вы сейчас здесь)"
    assert tg.last.text.startswith("Мессенджеры вашего профиля:\n• Telegram (вы сейчас здесь)\n")
    assert "Уведомления приходят в Telegram (выбрано автоматически)." in tg.last.text
    assert "Свяжите их" in tg.last.text
    await tg.tap("Отмена")
    assert tg.ids == ["dialog-cancelled", "menu-title"]


async def test_getting_a_code_shows_it_with_instructions(
    app: App, clock: FrozenClock, tg: Chat
) -> None:
    code = await get_code(tg)
    assert tg.last.args == {"code": code, "minutes": 10, "channel": "telegram"}
    text = tg.last.text
    assert f"Ваш код: {code}" in text
    assert "Он действует ещё 10 минут" in text
    assert "Что сделать во ВКонтакте:" in text
    assert "нажмите «Мои мессенджеры», затем «Ввести код»" in text
    assert tg.labels == ["Новый код", "Готово", "← Назад", "Отмена"]

    clock.advance(timedelta(minutes=8, seconds=30))
    await tg.tap("Новый код")
    new = str(tg.last.args["code"])
    assert tg.ids == ["accounts-code"]
    assert tg.last.edit, "the code message is redrawn in place"
    assert tg.last.args["minutes"] == 10
    async with app.database.sessions() as session:
        rows = {row.code: row for row in await session.scalars(select(LinkCode))}
    assert rows[code].expires_at == clock.now(), "the previous code ends"
    assert rows[new].expires_at == clock.now() + timedelta(minutes=10)

    clock.advance(timedelta(minutes=11))
    await tg.send("/start")
    assert tg.ids == ["welcome-back", "accounts-code"]
    assert "Срок действия кода истёк" in tg.last.text
    await tg.tap("Готово")
    assert tg.ids == ["accounts-overview"]
    assert tg.labels == ONE_ACCOUNT, "Back does not lead into a finished step"


async def test_vk_code_instructions_point_to_telegram(vk: Chat) -> None:
    await get_code(vk)
    assert "Что сделать в Telegram:" in vk.last.text


async def test_code_from_telegram_entered_in_vk_links_them(app: App, tg: Chat, vk: Chat) -> None:
    code = await get_code(tg)
    owner = await person_of(app, tg)
    await vk.send("/start")
    stray = await person_of(app, vk)

    await enter(vk, f"{code[:3]} - {code[3:]}")

    assert vk.ids == ["accounts-linked", "accounts-overview"]
    assert vk.replies[0].text.startswith("Готово! Мессенджеры связаны: Telegram, ВКонтакте.")
    assert vk.last.args["accounts"] == "• Telegram\n• ВКонтакте (вы сейчас здесь)"
    assert vk.labels == TWO_ACCOUNTS
    async with app.database.sessions() as session:
        assert await session.get(Person, stray) is None
        assert set(await session.scalars(select(MessengerAccount.person_id))) == {owner}
        assert set(await session.scalars(select(DialogState.person_id))) == {owner}
    await vk.tap("Отмена")
    assert vk.ids == ["dialog-cancelled", "menu-title"]
    await open_accounts(tg)
    assert tg.last.args["accounts"] == "• Telegram (вы сейчас здесь)\n• ВКонтакте"


async def test_malformed_code_asks_again_and_back_returns(tg: Chat, vk: Chat) -> None:
    await enter(vk, "12ab56")
    assert vk.ids == ["accounts-code-format"]
    assert vk.labels == TYPING
    await vk.send("1234567")
    assert vk.ids == ["accounts-code-format"]
    await vk.tap("← Назад")
    assert vk.ids == ["accounts-overview"]


async def test_wrong_expired_and_used_codes(
    app: App, clock: FrozenClock, tg: Chat, vk: Chat
) -> None:
    code = await get_code(tg)
    await enter(vk, wrong(code))
    assert vk.ids == ["accounts-code-wrong"]
    assert vk.last.args == {"left": 4, "minutes": 0}
    assert vk.last.text.endswith("Осталось 4 попытки.")
    assert vk.labels == TYPING, "they may try again or go back"

    clock.advance(timedelta(minutes=10))
    await vk.send(code)
    assert vk.ids == ["accounts-code-expired"]
    assert "Срок действия этого кода истёк" in vk.last.text

    code = await get_code(tg)
    other = Chat(app.conversation, user_id="300", channel=Channel.VK)
    await other.send("/start")
    await link_directly(app, tg, other)  # someone else used a code first
    async with app.database.transaction() as session:
        row = await session.scalar(select(LinkCode).where(LinkCode.used_at.is_not(None)))
        assert row is not None
        used = row.code
    await vk.send(used)
    assert vk.ids == ["accounts-code-used"]
    assert vk.last.text.endswith("Осталось 2 попытки.")
    assert await person_of(app, vk) != await person_of(app, tg)


async def test_code_entered_in_the_messenger_it_came_from(app: App, tg: Chat) -> None:
    code = await get_code(tg)
    await enter(tg, code)
    assert tg.ids == ["accounts-code-same-channel"]
    assert "выдан здесь же, в Telegram" in tg.last.text
    assert tg.labels == TYPING
    async with app.database.sessions() as session:
        assert (await session.scalars(select(LinkCode.used_at))).all() == [None]


async def test_too_many_wrong_codes_pause_entering(
    app: App, clock: FrozenClock, tg: Chat, vk: Chat
) -> None:
    code = await get_code(tg)
    await enter(vk, wrong(code))
    for _ in range(3):
        clock.advance(timedelta(minutes=1))
        await vk.send(wrong(code))
    clock.advance(timedelta(minutes=1))
    await vk.send(wrong(code))
    assert vk.ids == ["accounts-code-wrong"]
    assert vk.last.args == {"left": 0, "minutes": 11}
    assert "Попыток больше не осталось: ввести код снова можно будет через 11 минут." in (
        vk.last.text
    )

    await vk.send(code)
    assert vk.ids == ["accounts-code-locked"]
    assert vk.last.args == {"minutes": 11}
    assert vk.labels == TYPING
    assert await person_of(app, vk) != await person_of(app, tg), "the right code waits too"

    clock.advance(timedelta(minutes=11))
    code = await get_code(tg)
    await vk.send(wrong(code))
    assert vk.ids == ["accounts-code-wrong"], "the pause is over"


async def test_a_participant_is_told_to_ask_the_curator(app: App, tg: Chat, vk: Chat) -> None:
    await vk.send("/start demo")
    await vk.send("Миша Иванов")
    await vk.tap("Наставляемым")
    await vk.send("14.03.2013")
    await vk.tap("Пропустить")
    await vk.tap("Всё верно")
    assert vk.ids == ["demo-done", "menu-title"]
    code = await get_code(tg)

    await enter(vk, code)

    assert vk.ids == ["accounts-code-busy"]
    assert "Попросите куратора программы связать ваши мессенджеры." in vk.last.text
    assert vk.labels == TYPING
    async with app.database.sessions() as session:
        participant = await session.scalar(select(Participant))
    assert participant is not None
    assert participant.person_id == await person_of(app, vk) != await person_of(app, tg)


async def test_own_code_and_a_messenger_already_linked(app: App, tg: Chat, vk: Chat) -> None:
    await vk.send("/start")
    await tg.send("/start")
    await link_directly(app, tg, vk)
    code = await get_code(tg)
    await enter(vk, code)
    assert vk.ids == ["accounts-code-already-linked"]

    second_vk = Chat(app.conversation, user_id="201", channel=Channel.VK)
    await enter(second_vk, code)
    assert second_vk.ids == ["accounts-code-channel-taken"]
    assert second_vk.last.args == {"channels": "ВКонтакте"}
    assert "Сначала отвяжите его" in second_vk.last.text


async def test_unlink_with_confirmation(app: App, tg: Chat, vk: Chat) -> None:
    await vk.send("/start")
    await tg.send("/start")
    await link_directly(app, tg, vk)
    owner = await person_of(app, tg)
    await open_accounts(tg)
    assert tg.labels == TWO_ACCOUNTS

    await tg.tap(UNLINK)
    assert tg.ids == ["accounts-unlink-confirm"]
    assert tg.last.text.startswith("Отвязать ВКонтакте от вашего профиля?")
    assert tg.labels == ["Да, отвязать", "Нет, оставить", "← Назад", "Отмена"]
    await tg.tap("Нет, оставить")
    assert tg.ids == ["accounts-overview"]
    assert tg.labels == TWO_ACCOUNTS

    await tg.tap(UNLINK)
    await tg.tap("Да, отвязать")
    assert tg.ids == ["accounts-unlinked", "accounts-overview"]
    assert tg.replies[0].text == "Готово: ВКонтакте больше не связан с вашим профилем."
    assert tg.labels == ONE_ACCOUNT
    async with app.database.sessions() as session:
        accounts = (await session.scalars(select(MessengerAccount.channel))).all()
        states = (await session.scalars(select(DialogState.channel))).all()
        unlinked = await session.scalar(
            select(AuditLog).where(AuditLog.action == "accounts.unlinked")
        )
    assert accounts == [Channel.TELEGRAM]
    assert states == [Channel.TELEGRAM]
    assert unlinked is not None
    assert unlinked.actor_person_id == owner

    await vk.send("Привет")
    assert vk.ids == ["welcome", "menu-title"], "VK starts afresh as a new person"
    assert await person_of(app, vk) != owner


async def test_unlink_picks_among_several(app: App, tg: Chat, vk: Chat) -> None:
    console = Chat(app.conversation, user_id="local")
    for chat in (tg, vk, console):
        await chat.send("/start")
    await link_directly(app, tg, vk)
    await link_directly(app, tg, console)
    await open_accounts(tg)
    await tg.tap(UNLINK)
    assert tg.ids == ["accounts-unlink-choose"]
    assert tg.labels == ["ВКонтакте", "Консоль", "← Назад", "Отмена"]
    await tg.tap("Консоль")
    assert tg.last.text.startswith("Отвязать консоль")
    await tg.tap("← Назад")
    assert tg.ids == ["accounts-unlink-choose"]


async def test_choosing_where_notifications_go(app: App, tg: Chat, vk: Chat) -> None:
    await tg.send("/start")
    await vk.send("/start")
    await link_directly(app, tg, vk)
    await open_accounts(vk)
    assert "Уведомления приходят в Telegram (выбрано автоматически)." in vk.last.text

    await vk.tap(NOTIFY)
    assert vk.ids == ["accounts-notify-choose"]
    assert vk.last.args == {"chosen": "auto"}
    assert vk.labels == ["Автоматически", "Telegram", "ВКонтакте", "← Назад", "Отмена"]
    await vk.tap("ВКонтакте")
    assert vk.ids == ["accounts-notify-set", "accounts-overview"]
    assert "Уведомления приходят во ВКонтакте — так вы выбрали." in vk.last.text
    owner = await person_of(app, tg)
    async with app.database.sessions() as session:
        assert (await session.get_one(Person, owner)).notify_channel is Channel.VK

    await vk.tap(NOTIFY)
    assert vk.last.args == {"chosen": "vk"}
    await vk.tap("Автоматически")
    assert vk.ids == ["accounts-notify-set", "accounts-overview"]
    await block(app, tg)
    async with app.database.sessions() as session:
        assert (await session.get_one(Person, owner)).notify_channel is None

    await open_accounts(vk)
    assert vk.last.args["accounts"] == (
        "• Telegram — бот заблокирован, уведомления туда не приходят\n• ВКонтакте (вы сейчас здесь)"
    )
    assert "Уведомления приходят во ВКонтакте (выбрано автоматически)." in vk.last.text
    await vk.tap(NOTIFY)
    assert vk.labels == ["Автоматически", "ВКонтакте", "← Назад", "Отмена"]


async def test_notification_choice_that_became_unreachable(app: App, tg: Chat, vk: Chat) -> None:
    await tg.send("/start")
    await vk.send("/start")
    await link_directly(app, tg, vk)
    await open_accounts(vk)
    await vk.tap(NOTIFY)
    await block(app, tg)
    await vk.tap("Telegram")
    assert vk.ids == ["accounts-notify-unreachable"]
    assert vk.labels == ["Автоматически", "Telegram", "ВКонтакте", "← Назад", "Отмена"]


async def test_english(app: App) -> None:
    chat = Chat(app.conversation, user_id="en", channel=Channel.TELEGRAM, language="en")
    await chat.send("/start")
    await chat.tap("My messengers")
    await chat.tap("Get a code to link")
    assert "What to do in VK:" in chat.last.text
    assert chat.labels == ["New code", "Done", "← Back", "Cancel"]


async def test_sharing_the_profile_with_the_pair_is_off_until_chosen(app: App, tg: Chat) -> None:
    await open_accounts(tg)
    assert "Ссылку на ваш профиль в мессенджере паре не показываем." in tg.last.text
    await tg.tap(SHARE_OFF)
    assert tg.ids == ["accounts-share"]
    assert "получит в сообщении-знакомстве ссылку на ваш профиль" in tg.last.text
    assert "По умолчанию профиль не показывается. Сейчас: не показывается." in tg.last.text
    assert tg.labels == ["Да, показывать", "Нет, не показывать", "← Назад", "Отмена"]
    await tg.tap("Да, показывать")
    assert tg.ids == ["accounts-share-set", "accounts-overview"]
    assert "Вашей паре (наставнику или наставляемому) в знакомстве придёт ссылка" in tg.last.text
    assert SHARE_ON in tg.labels
    await tg.tap(SHARE_ON)
    await tg.tap("Да, показывать")  # the same again: nothing new to record
    await tg.tap(SHARE_ON)
    await tg.tap("Нет, не показывать")
    assert tg.ids == ["accounts-share-set", "accounts-overview"]
    assert SHARE_OFF in tg.labels

    who = await person_of(app, tg)
    async with app.database.sessions() as session:
        person = await session.get_one(Person, who)
        assert person.share_contact is False
        audit = list(
            await session.scalars(
                select(AuditLog)
                .where(AuditLog.action == "people.share_contact")
                .order_by(AuditLog.id)
            )
        )
    assert [(row.actor_person_id, row.details) for row in audit] == [
        (who, {"share": True}),
        (who, {"share": False}),
    ]
