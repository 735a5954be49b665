"""Messengers that never answer: the client's request timeout turns a hung call into a retry.

The real aiogram and vkbottle clients talk to the fakes on 127.0.0.1 with a request timeout of a
fraction of a second; one call hangs, either before the fake delivers the message (it never
reached the chat) or after (delivered, the answer lost on the way back). Then:

- an outbox notification is retried after the backoff and ends SENT: Telegram shows it once or,
  when the hung request had reached the chat, twice (it has no idempotency key); VK drops the
  resend by its `random_id`, so the person sees it once;
- a person's update whose reply hangs is still stored (the conversation commits before the
  replies go out), nothing but the send's own timeout leaves the handler, and the person's next
  update is answered normally.

A row waiting in a worker's batch behind hung sends is not started near the end of its lease:
it is handed back, so the worker that takes it over is the only one to send it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError
from aiogram.types import Update
from aiohttp import ClientTimeout, web
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.messages import Reply
from bot.handlers import vk as vk_handlers
from bot.handlers.telegram import TelegramSender, build_telegram
from bot.handlers.vk import VkChannel, VkSender, build_vk, outbox_random_id
from bot.services.outbox import (
    DeliveryReport,
    DeliveryWorker,
    OutboxService,
    RetryLater,
    Sender,
    SendResult,
)
from storage import Channel, DialogState, NotificationStatus
from tests.e2e.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.e2e.fake_telegram import FakeTelegram, TelegramError
from tests.e2e.fake_vk import GROUP_ID, FakeVk
from tests.e2e.fake_vk import TOKEN as VK_TOKEN
from tests.e2e.test_webhook import telegram_update
from tests.faults.test_delivery_faults import PEER, WELCOME_BACK, notification, plan

# The clients' request timeout, seconds: the only real waiting these tests do.
TIMEOUT = 0.3
# DeliveryWorker's default first backoff.
BACKOFF = timedelta(seconds=30)
ASK_NAME = "Шаг 1 из 4. Как вас зовут?"
ASK_ROLE = "Шаг 2 из 4"
WELCOME = "Здравствуйте! Я «Наставник»"


class Hang(Enum):
    """Where the one hung call stops: before the message reaches the chat, or after."""

    BEFORE_DELIVERY = "before delivery"
    AFTER_DELIVERY = "after delivery"


@dataclass
class HangingTelegram(FakeTelegram):
    """FakeTelegram whose next sendMessage, once `hang` is set, never answers (until stop)."""

    hang: Hang | None = None

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method != "sendMessage" or self.hang is None:
            return await super()._answer(method, params)
        hang, self.hang = self.hang, None  # the calls after this one are answered
        if hang is Hang.AFTER_DELIVERY:
            self._send(params, "text", None)
        await self._hold()
        raise TelegramError(502, "Bad Gateway: the client went away")


class HangingVk(FakeVk):
    """FakeVk whose next messages.send, once `hang` is set, never answers (until stop)."""

    def __init__(self) -> None:
        super().__init__()
        self.hang: Hang | None = None
        self.held = 0
        self._release = asyncio.Event()

    async def stop(self) -> None:
        self._release.set()
        await super().stop()

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["name"] != "messages.send" or self.hang is None:
            return await super()._method(request)
        hang, self.hang = self.hang, None
        if hang is Hang.AFTER_DELIVERY:
            await super()._method(request)  # recorded, the answer never leaves
        else:
            self.calls.append("messages.send")
        self.held += 1
        await self._changed_now()
        await self._release.wait()
        return web.Response(status=502)


@pytest.fixture
async def telegram() -> AsyncIterator[HangingTelegram]:
    server = HangingTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def vk() -> AsyncIterator[HangingVk]:
    server = HangingVk()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def telegram_bot(telegram: HangingTelegram) -> AsyncIterator[Bot]:
    """An aiogram client of the fake that gives up on a request after TIMEOUT seconds."""
    api = TelegramAPIServer.from_base(telegram.base_url)
    bot = Bot(TELEGRAM_TOKEN, session=AiohttpSession(api=api, timeout=TIMEOUT))
    yield bot
    await bot.session.close()


@pytest.fixture
async def vk_channel(
    app: App, vk: HangingVk, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[VkChannel]:
    """The production VK channel, its API requests timing out after TIMEOUT seconds."""
    monkeypatch.setattr(vk_handlers, "REQUEST_TIMEOUT", ClientTimeout(total=TIMEOUT))
    channel = build_vk(app.conversation, VK_TOKEN, GROUP_ID, vk.url, rate_limit=1000.0)
    yield channel
    await channel.close()


async def timed_out_then_sent(
    app: App, clock: FrozenClock, worker: DeliveryWorker, key: str
) -> str | None:
    """One run whose send times out, then one after the backoff that sends; the retry's error."""
    assert await worker.run_once() == DeliveryReport(retried=1)
    row = await notification(app, key)
    assert (row.status, row.attempts, row.lease_until) == (NotificationStatus.PENDING, 1, None)
    assert row.next_attempt_at == clock.now() + BACKOFF
    error = row.last_error

    assert await worker.run_once() == DeliveryReport(), "not before the backoff"
    clock.advance(BACKOFF)
    assert await worker.run_once() == DeliveryReport(sent=1)
    row = await notification(app, key)
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 2)
    return error


# --- the outbox ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hang", "shown"), [(Hang.BEFORE_DELIVERY, 1), (Hang.AFTER_DELIVERY, 2)], ids=str
)
async def test_telegram_send_timing_out_is_retried_and_delivered(
    app: App,
    clock: FrozenClock,
    telegram: HangingTelegram,
    telegram_bot: Bot,
    hang: Hang,
    shown: int,
) -> None:
    key = await plan(app, Channel.TELEGRAM, clock)
    telegram.hang = hang
    worker = DeliveryWorker(
        app.database, app.translator, {Channel.TELEGRAM: TelegramSender(telegram_bot)}, clock
    )

    assert await timed_out_then_sent(app, clock, worker, key) == "telegram: Request timeout error"
    assert telegram.held == 1
    assert telegram.methods().count("sendMessage") == 2
    # Never lost; shown twice only when the hung request had reached the chat.
    assert [m.text for m in telegram.messages(PEER)] == [WELCOME_BACK] * shown


@pytest.mark.parametrize("hang", list(Hang), ids=str)
async def test_vk_send_timing_out_is_retried_with_the_same_random_id(
    app: App, clock: FrozenClock, vk: HangingVk, vk_channel: VkChannel, hang: Hang
) -> None:
    key = await plan(app, Channel.VK, clock)
    vk.hang = hang
    worker = DeliveryWorker(app.database, app.translator, {Channel.VK: VkSender(vk_channel)}, clock)

    error = await timed_out_then_sent(app, clock, worker, key)
    assert error is not None
    assert error.startswith("vk: "), error
    assert "Timeout" in error, error
    assert vk.held == 1
    assert vk.calls.count("messages.send") == 2
    [message] = vk.to(PEER)
    assert message.text == WELCOME_BACK
    assert message.random_id == outbox_random_id((await notification(app, key)).id, 0)
    # The resend of a message that had arrived is dropped by its random_id.
    assert vk.duplicates == ([message] if hang is Hang.AFTER_DELIVERY else [])


# --- a batch held up past its lease ------------------------------------------------------------

# What a hung request costs in production: aiogram's session timeout, REQUEST_TIMEOUT for VK.
PRODUCTION_TIMEOUT = timedelta(seconds=60)


class ProductionTime:
    """A sender whose timed-out sends take PRODUCTION_TIMEOUT on the frozen clock, and which
    lets another worker's tick in just before a given notification's send."""

    def __init__(
        self,
        sender: Sender,
        clock: FrozenClock,
        before: dict[int, Callable[[], Awaitable[object]]],
    ) -> None:
        self.sender = sender
        self.clock = clock
        self.before = before

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, notification_id: int
    ) -> SendResult:
        if (tick := self.before.pop(notification_id, None)) is not None:
            await tick()
        result = await self.sender.send(chat_id, replies, notification_id=notification_id)
        if isinstance(result, RetryLater):
            self.clock.advance(PRODUCTION_TIMEOUT)
        return result


async def test_row_queued_behind_a_hung_send_past_its_lease_is_sent_once(
    app: App, clock: FrozenClock, telegram: HangingTelegram, telegram_bot: Bot
) -> None:
    # Scaled down: production leases a batch of 50 for 5 minutes and sends it over 8 slots, so
    # a slot's 6th row waits behind 5 hung sends of 60 s; here the lease is shorter than one.
    lease = PRODUCTION_TIMEOUT - timedelta(seconds=10)
    first = await plan(app, Channel.TELEGRAM, clock)
    recipient = (await notification(app, first)).recipient_person_id
    async with app.database.transaction() as session:
        await OutboxService(session, clock).plan(
            key="queued", kind="test", recipient_id=recipient, text_id="welcome-back"
        )
    queued = (await notification(app, "queued")).id
    telegram.hang = Hang.BEFORE_DELIVERY  # the first row's send times out
    sender = TelegramSender(telegram_bot)
    other = DeliveryWorker(app.database, app.translator, {Channel.TELEGRAM: sender}, clock)
    reports: list[DeliveryReport] = []

    async def other_tick() -> None:
        reports.append(await other.run_once())

    slow = ProductionTime(sender, clock, {queued: other_tick})
    worker = DeliveryWorker(
        app.database, app.translator, {Channel.TELEGRAM: slow}, clock, lease=lease
    )

    await worker.run_once()  # the first row times out, the queued one is past its lease
    clock.advance(BACKOFF)
    await other.run_once()  # the first row's retry, and whatever else is left
    assert (await notification(app, first)).status is NotificationStatus.SENT
    assert (await notification(app, "queued")).status is NotificationStatus.SENT
    # No process died, so no duplicate is allowed: each notification shown once.
    shown = [m.text for m in telegram.messages(PEER)]
    assert shown == [WELCOME_BACK, WELCOME_BACK], f"{len(shown)} shown, other: {reports}"


# --- a person's updates -------------------------------------------------------------------------


async def dialog_revision(app: App, channel: Channel, user_id: int) -> int:
    """How many updates of the person the conversation has committed."""
    async with app.database.sessions() as session:
        row = await session.scalar(
            select(DialogState).where(
                DialogState.channel == channel, DialogState.external_user_id == str(user_id)
            )
        )
        assert row is not None
        return row.revision


def telegram_texts(telegram: FakeTelegram) -> list[str]:
    return [message.text or "" for message in telegram.messages(PEER)]


async def feed(dispatcher: Dispatcher, bot: Bot, text: str) -> None:
    """A private text message from the person, handed to aiogram as polling and webhooks do."""
    update = Update.model_validate(telegram_update(PEER, text), context={"bot": bot})
    await dispatcher.feed_update(bot, update)


@pytest.mark.parametrize("hang", list(Hang), ids=str)
async def test_telegram_reply_timing_out_keeps_the_answer(
    app: App, telegram: HangingTelegram, hang: Hang
) -> None:
    bot, dispatcher = build_telegram(
        app.conversation, TELEGRAM_TOKEN, telegram.base_url, chat_rate_limit=1000.0
    )
    bot.session.timeout = TIMEOUT
    try:
        await feed(dispatcher, bot, "/start demo")
        assert [text[:26] for text in telegram_texts(telegram)] == [WELCOME[:26], ASK_NAME]

        telegram.hang = hang
        # Only the reply's own timeout leaves the handler; aiogram's polling loop and
        # TelegramWebhook._feed log it and go on with the next update.
        with pytest.raises(TelegramNetworkError, match="Request timeout"):
            await feed(dispatcher, bot, "Миша Иванов")
        assert telegram.held == 1
        assert await dialog_revision(app, Channel.TELEGRAM, PEER) == 2, "the name is stored"
        replied = hang is Hang.AFTER_DELIVERY
        assert telegram_texts(telegram)[-1].startswith(ASK_ROLE) is replied

        # The person, answered or not, writes again: the bot goes on after the name.
        await feed(dispatcher, bot, "/start")
    finally:
        await bot.session.close()
    *_, welcome_back, ask_role = telegram_texts(telegram)
    assert welcome_back == WELCOME_BACK
    assert ask_role.startswith(ASK_ROLE)
    assert await dialog_revision(app, Channel.TELEGRAM, PEER) == 3


async def vk_update(vk: FakeVk, text: str) -> dict[str, Any]:
    """The `message_new` Long Poll update of the person writing `text`."""
    await vk.user_writes(PEER, text)
    return vk.updates[-1]


@pytest.mark.parametrize("hang", list(Hang), ids=str)
async def test_vk_reply_timing_out_keeps_the_answer(
    app: App,
    vk: HangingVk,
    vk_channel: VkChannel,
    hang: Hang,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def texts() -> list[str]:
        return [message.text for message in vk.to(PEER)]

    await vk_channel.on_update(await vk_update(vk, "/start demo"))
    assert [text[:26] for text in texts()] == [WELCOME[:26], ASK_NAME]

    vk.hang = hang
    with caplog.at_level(logging.ERROR, logger=vk_handlers.__name__):
        await vk_channel.on_update(await vk_update(vk, "Миша Иванов"))  # returns: nothing raised
    assert vk.held == 1
    [failure] = [r for r in caplog.records if r.name == vk_handlers.__name__]
    assert failure.exc_info is not None
    assert isinstance(failure.exc_info[1], TimeoutError)
    assert await dialog_revision(app, Channel.VK, PEER) == 2, "the name is stored"
    assert texts()[-1].startswith(ASK_ROLE) is (hang is Hang.AFTER_DELIVERY)

    await vk_channel.on_update(await vk_update(vk, "/start"))
    *_, welcome_back, ask_role = texts()
    assert welcome_back == WELCOME_BACK
    assert ask_role.startswith(ASK_ROLE)
    assert await dialog_revision(app, Channel.VK, PEER) == 3
    assert vk.duplicates == []
