"""The Telegram channel end to end: the real aiogram Bot and Dispatcher polling a fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.conversation import Conversation
from bot.core.messages import Attachment, AttachmentKind, Button, Reply
from bot.core.ratelimit import SAFETY_MARGIN, Budget, RateLimiter
from bot.handlers.telegram import (
    TelegramSender,
    build_telegram,
    run_telegram_polling,
    send_replies,
    split_text,
)
from bot.services.outbox import DeliveryWorker, OutboxService
from storage import (
    Channel,
    DialogState,
    MessengerAccount,
    Notification,
    NotificationStatus,
    Person,
)
from tests.chat import conversation_with, toggle_dialog
from tests.e2e.fake_telegram import TOKEN, FakeTelegram, SentMessage, TelegramError

MENU = ["Попробовать анкету (демо)", "Мои мессенджеры", "Язык / Language", "Помощь"]
ROLES = ["Наставляемым", "Наставником", "← Назад", "Отмена"]
ASK_BIRTH_DATE = "Шаг 3 из 4. Дата рождения в формате ДД.ММ.ГГГГ, например: 14.03.2013."
STALE = "Эта кнопка уже неактуальна. Вот что сейчас на экране:"


class TelegramUser:
    """One person in a private chat with the bot; each action waits for the replies it expects."""

    def __init__(self, fake: FakeTelegram, user_id: int = 1001, language: str = "ru") -> None:
        self.fake = fake
        self.user_id = user_id
        self.language = language
        self.replies: list[SentMessage] = []

    @property
    def seen(self) -> list[SentMessage]:
        """Every bot message in the chat."""
        return self.fake.messages(self.user_id)

    @property
    def last(self) -> SentMessage:
        """The newest bot message."""
        return self.seen[-1]

    async def send(self, text: str, *, expect: int = 1) -> list[SentMessage]:
        """Type a message and wait for `expect` bot messages."""
        return await self._act(self.fake.user_sends(self.user_id, text, self.language), expect)

    async def sticker(self, *, expect: int = 1) -> list[SentMessage]:
        """Send a sticker."""
        return await self._act(self.fake.user_sends_sticker(self.user_id, self.language), expect)

    async def tap(self, label: str, *, expect: int = 1) -> list[SentMessage]:
        """Tap the button with this label on the newest message that still shows it."""
        for message in reversed(self.seen):
            if label in message.labels:
                return await self.press(message, message.payload(label), expect=expect)
        raise AssertionError(f"no visible button {label!r}")

    async def press(self, message: SentMessage, data: str, *, expect: int = 1) -> list[SentMessage]:
        """Send a callback with any data from a bot message; wait until it is answered too."""
        before = len(self.seen)
        callback_id = await self.fake.user_taps(self.user_id, message.message_id, data)
        await self.fake.wait_for(
            lambda: (
                callback_id in self.fake.answered_callbacks and len(self.seen) >= before + expect
            )
        )
        self.replies = self.seen[before:]
        return self.replies

    async def _act(self, action: Awaitable[object], expect: int) -> list[SentMessage]:
        before = len(self.seen)
        await action
        await self.fake.wait_for(lambda: len(self.seen) >= before + expect)
        self.replies = self.seen[before:]
        return self.replies

    @property
    def texts(self) -> list[str | None]:
        """Texts of the replies to the last action."""
        return [message.text for message in self.replies]


@pytest.fixture
async def telegram_fake() -> AsyncIterator[FakeTelegram]:
    """A fake Bot API server on a free local port."""
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@asynccontextmanager
async def polling(conversation: Conversation, fake: FakeTelegram) -> AsyncIterator[FakeTelegram]:
    """The real bot long-polling the fake until the block ends.

    The per-chat limit is lifted: a scripted person answers far faster than a real one.
    """
    bot, dispatcher = build_telegram(conversation, TOKEN, fake.base_url, chat_rate_limit=1000)
    task = asyncio.create_task(
        run_telegram_polling(bot, dispatcher, handle_signals=False, polling_timeout=1)
    )
    await fake.wait_for(lambda: "getUpdates" in fake.methods())
    try:
        yield fake
    finally:
        await dispatcher.stop_polling()
        await task


@pytest.fixture
async def telegram_polling(app: App, telegram_fake: FakeTelegram) -> AsyncIterator[FakeTelegram]:
    """The real bot long-polling the fake until the test ends."""
    async with polling(app.conversation, telegram_fake) as fake:
        yield fake


@pytest.fixture
async def telegram_user(telegram_polling: FakeTelegram) -> TelegramUser:
    """A Russian-speaking person chatting with the polling bot."""
    return TelegramUser(telegram_polling)


@pytest.fixture
async def telegram_client(telegram_fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A bot client pointed at the fake, without polling."""
    api = TelegramAPIServer.from_base(telegram_fake.base_url)
    bot = Bot(TOKEN, session=AiohttpSession(api=api))
    yield bot
    await bot.session.close()


async def dialog_frame(app: App, user_id: int) -> object:
    async with app.database.sessions() as session:
        row = await session.scalar(
            select(DialogState).where(
                DialogState.channel == Channel.TELEGRAM,
                DialogState.external_user_id == str(user_id),
            )
        )
        assert row is not None
        return row.state["stack"][-1]


async def to_birth_date(user: TelegramUser) -> SentMessage:
    """Walk the demo to the birth date step; returns the message with the role buttons."""
    await user.send("/start", expect=2)
    await user.tap("Попробовать анкету (демо)")
    (roles,) = await user.send("Миша Иванов")
    await user.tap("Наставляемым")
    assert user.texts == [ASK_BIRTH_DATE]
    return roles


async def test_polling_drops_the_webhook_first(telegram_polling: FakeTelegram) -> None:
    assert telegram_polling.methods()[0] == "deleteWebhook"
    assert "getMe" in telegram_polling.methods()


async def test_demo_flow_end_to_end(app: App, telegram_user: TelegramUser) -> None:
    user, fake = telegram_user, telegram_user.fake
    welcome, menu = await user.send("/start", expect=2)
    assert welcome.text is not None
    assert welcome.text.startswith("Здравствуйте! Я «Наставник»")
    assert welcome.buttons == []
    assert menu.text == "Главное меню. Что хотите сделать?"
    assert menu.labels == MENU

    (ask_name,) = await user.tap("Попробовать анкету (демо)")
    assert ask_name.text is not None
    assert ask_name.text.startswith("Шаг 1 из 4. Как вас зовут?")
    assert ask_name.labels == ["Отмена"]
    assert menu.buttons == [], "the tapped keyboard is removed"

    await user.send("42")
    assert user.texts[0] is not None
    assert user.texts[0].startswith("Имя должно состоять из букв")
    (roles,) = await user.send("Миша Иванов")
    assert roles.labels == ROLES
    await user.tap("Наставляемым")
    assert user.texts == [ASK_BIRTH_DATE]
    assert roles.buttons == []
    await user.send("14.03.2013")
    assert user.texts[0] is not None
    assert user.texts[0].startswith("Шаг 4 из 4")
    (review,) = await user.send("6Б")
    assert review.text is not None
    for line in ("Имя: Миша Иванов", "Роль: Наставляемым", "Дата рождения: 14.03.2013"):
        assert line in review.text
    assert "Класс: 6Б" in review.text
    assert "Всё верно" in review.labels

    done, menu_again = await user.tap("Всё верно", expect=2)
    assert done.text is not None
    assert done.text.startswith("Спасибо, Миша Иванов! Анкета сохранена.")
    assert menu_again.labels == MENU

    assert fake.answered_callbacks == ["cb-1", "cb-2", "cb-3"]
    sends = [call for call in fake.calls if call.method == "sendMessage"]
    assert all("parse_mode" not in call.params for call in sends), "plain text only"
    async with app.database.sessions() as session:
        account = await session.scalar(select(MessengerAccount))
        assert account is not None
        assert (account.channel, account.external_user_id, account.chat_id) == (
            Channel.TELEGRAM,
            "1001",
            "1001",
        )
        person = await session.get(Person, account.person_id)
        assert person is not None
        assert person.full_name == "Миша Иванов"


async def test_a_slow_spinner_answer_does_not_hold_up_the_reply(
    telegram_user: TelegramUser,
) -> None:
    user, fake = telegram_user, telegram_user.fake
    _, menu = await user.send("/start", expect=2)
    fake.answers_flow.clear()  # answerCallbackQuery hangs, as on a slow network
    callback_id = await fake.user_taps(user.user_id, menu.message_id, menu.payload(MENU[0]))
    await fake.wait_for(lambda: len(user.seen) == 3)
    assert user.last.text is not None
    assert user.last.text.startswith("Шаг 1 из 4. Как вас зовут?")
    assert fake.answered_callbacks == []

    fake.answers_flow.set()
    await fake.wait_for(lambda: fake.answered_callbacks == [callback_id])


async def test_deep_link_opens_the_demo(telegram_user: TelegramUser) -> None:
    welcome, ask_name = await telegram_user.send("/start demo", expect=2)
    assert welcome.text is not None
    assert welcome.text.startswith("Здравствуйте!")
    assert ask_name.text is not None
    assert ask_name.text.startswith("Шаг 1 из 4. Как вас зовут?")


async def test_forged_taps_are_answered_and_change_nothing(
    app: App, telegram_user: TelegramUser
) -> None:
    user, fake = telegram_user, telegram_user.fake
    roles = await to_birth_date(user)
    before = await dialog_frame(app, user.user_id)

    current = user.last
    await user.press(current, "zz:0", expect=2)
    assert user.texts == [STALE, ASK_BIRTH_DATE]
    assert current.buttons == [], "the keyboard of the tapped message is removed"
    await user.press(roles, "zz:0", expect=2)  # a message whose keyboard is already gone
    assert user.texts == [STALE, ASK_BIRTH_DATE]
    fake.freeze(user.last)  # too old to edit: the tap is still answered and handled
    await user.press(user.last, "x" * 64, expect=2)
    assert user.texts == [STALE, ASK_BIRTH_DATE]
    assert user.last.labels == ["← Назад", "Отмена"]

    assert await dialog_frame(app, user.user_id) == before
    assert fake.answered_callbacks == [f"cb-{n}" for n in range(1, 6)]


async def test_retapping_an_old_button_gets_the_stale_message(
    app: App, telegram_user: TelegramUser
) -> None:
    user = telegram_user
    await user.send("/start", expect=2)
    await user.tap("Попробовать анкету (демо)")
    (roles,) = await user.send("Миша Иванов")
    mentor = roles.payload("Наставником")
    await user.tap("Наставником")
    before = await dialog_frame(app, user.user_id)

    await user.press(roles, mentor, expect=2)
    assert user.texts == [STALE, ASK_BIRTH_DATE]
    assert await dialog_frame(app, user.user_id) == before


async def test_sticker_gets_a_hint(telegram_user: TelegramUser) -> None:
    user = telegram_user
    await user.send("/start", expect=2)
    await user.sticker()
    assert user.texts == ["Пожалуйста, выберите вариант кнопкой под сообщением."]
    assert user.last.labels == MENU
    await user.send("/start demo")
    await user.sticker()
    assert user.texts == ["Я понимаю только текст. Пожалуйста, напишите ответ словами."]


async def test_english_on_first_contact(telegram_polling: FakeTelegram) -> None:
    user = TelegramUser(telegram_polling, user_id=2002, language="en")
    welcome, menu = await user.send("/start", expect=2)
    assert welcome.text is not None
    assert not welcome.text.startswith("Здравствуйте")
    assert menu.text == "Main menu. What would you like to do?"
    assert menu.labels == [
        "Try the questionnaire (demo)",
        "My messengers",
        "Язык / Language",
        "Help",
    ]


async def test_group_messages_are_ignored(telegram_polling: FakeTelegram) -> None:
    fake = telegram_polling
    await fake.user_sends(3003, "/start", group=True)
    user = TelegramUser(fake, user_id=3003)
    await user.send("/start", expect=2)
    assert fake.messages(-1000 - 3003) == []


async def test_long_text_is_split_with_keyboard_last(
    telegram_client: Bot, telegram_fake: FakeTelegram
) -> None:
    text = "а" * 3000 + "\n" + "б" * 3000
    keyboard = ((Button("Да", "n:1"), Button("Нет", "n:2")),)
    await send_replies(telegram_client, 77, [Reply(text, "long", buttons=keyboard)])
    first, second = telegram_fake.messages(77)
    assert (first.text, second.text) == ("а" * 3000 + "\n", "б" * 3000)
    assert first.buttons == []
    assert second.buttons == [[("Да", "n:1"), ("Нет", "n:2")]]


async def test_attachments_are_uploaded(telegram_client: Bot, telegram_fake: FakeTelegram) -> None:
    replies = [
        Reply("Отчёт", "report", attachment=Attachment(AttachmentKind.DOCUMENT, "r.csv", b"a;b")),
        Reply("Фото", "photo", attachment=Attachment(AttachmentKind.IMAGE, "p.png", b"\x89PNG")),
    ]
    await send_replies(telegram_client, 77, replies)
    kinds = [(m.kind, m.file.filename if m.file else None) for m in telegram_fake.messages(77)]
    assert kinds == [("text", None), ("document", "r.csv"), ("text", None), ("photo", "p.png")]
    document = telegram_fake.messages(77)[1].file
    assert document is not None
    assert document.content == b"a;b"


def test_split_text_counts_utf16_units() -> None:
    assert split_text("x" * 4096) == ["x" * 4096]
    emoji = "😀" * 2049  # 4098 UTF-16 units
    assert [len(part) for part in split_text(emoji)] == [2048, 1]
    parts = split_text("ab\n" * 3000)
    assert all(len(part) <= 4096 for part in parts)
    assert "".join(parts) == "ab\n" * 3000


async def test_outbox_delivers_through_telegram_honouring_429_and_403(
    app: App, clock: FrozenClock, telegram_client: Bot, telegram_fake: FakeTelegram
) -> None:
    async with app.database.transaction() as session:
        for user_id in ("501", "502"):
            person = Person(locale="ru", created_at=clock.now(), updated_at=clock.now())
            session.add(person)
            await session.flush()
            session.add(
                MessengerAccount(
                    person_id=person.id,
                    channel=Channel.TELEGRAM,
                    external_user_id=user_id,
                    chat_id=user_id,
                    created_at=clock.now(),
                )
            )
            await OutboxService(session, clock).plan(
                key=f"hello-{user_id}", kind="test", recipient_id=person.id, text_id="welcome-back"
            )
    telegram_fake.send_failures = [
        TelegramError(429, "Too Many Requests: retry after 3", retry_after=3),
        TelegramError(403, "Forbidden: bot was blocked by the user"),
    ]
    worker = DeliveryWorker(
        app.database, app.translator, {Channel.TELEGRAM: TelegramSender(telegram_client)}, clock
    )
    report = await worker.run_once()
    assert (report.retried, report.unreachable, report.sent) == (1, 1, 0)
    clock.advance(timedelta(seconds=3))
    assert (await worker.run_once()).sent == 1
    assert [m.text for m in telegram_fake.messages(501)] == [
        "С возвращением! Продолжим с того места, где остановились."
    ]
    assert telegram_fake.messages(502) == []
    async with app.database.sessions() as session:
        reachable = dict(
            (
                await session.execute(
                    select(MessengerAccount.external_user_id, MessengerAccount.reachable)
                )
            ).all()
        )
        states = list(await session.scalars(select(Notification.status).order_by(Notification.id)))
    assert reachable == {"501": True, "502": False}
    assert states == [NotificationStatus.SENT, NotificationStatus.FAILED]


async def test_a_redrawn_step_edits_the_tapped_message(
    app: App, clock: FrozenClock, telegram_fake: FakeTelegram
) -> None:
    async with polling(conversation_with(app, clock, toggle_dialog()), telegram_fake):
        user = TelegramUser(telegram_fake)
        await user.send("/start toggle", expect=2)
        (options,) = user.seen[-1:]
        callback = await telegram_fake.user_taps(
            user.user_id, options.message_id, options.payload("b")
        )
        await telegram_fake.wait_for(lambda: telegram_fake.edits == 1)
        await telegram_fake.wait_for(lambda: callback in telegram_fake.answered_callbacks)
        assert user.last is options, "no new message: the options were redrawn in place"
        assert options.labels[:3] == ["a", "✓ b", "c"]
        await user.tap("done", expect=1)
        assert options.buttons == [], "moving on retires the keyboard instead"


async def test_messages_wait_for_the_rate_limits(app: App, telegram_fake: FakeTelegram) -> None:
    """Five messages to one chat and one to another: the chat's budget spaces its own only."""
    now = [0.0]
    went: list[tuple[str, float]] = []

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(Budget(30), Budget(1, burst=3), clock=lambda: now[0], sleep=sleep)
    bot, _ = build_telegram(app.conversation, TOKEN, telegram_fake.base_url, limiter=limiter)
    try:
        for chat in ("7", "7", "7", "7", "8", "7"):
            await send_replies(bot, chat, [Reply(f"to {chat}", "t")])
            went.append((chat, round(now[0], 3)))
    finally:
        await bot.session.close()
    m = 1 + SAFETY_MARGIN  # every budget spaces calls a little wider than its rate
    expected = [
        ("7", 0),
        ("7", m / 30),
        ("7", 2 * m / 30),
        ("7", m),
        ("8", m + m / 30),
        ("7", 2 * m),
    ]
    assert went == [(chat, round(at, 3)) for chat, at in expected]
    assert len(telegram_fake.messages(7)) == 5
