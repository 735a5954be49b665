"""Kill -9 during delivery, then restart: nothing lost, duplicates only where the messenger allows.

A send that reached the messenger but whose answer the bot never recorded is sent again by the
survivor: VK drops the resend by its `random_id`, Telegram shows the message twice (README,
"Crashes"). Servers answering 500 are retried until they recover, and deliver exactly once.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web
from sqlalchemy import select

from bot.app import App
from bot.core.clock import Clock, FrozenClock, SystemClock
from bot.handlers.telegram import TelegramSender
from bot.handlers.vk import VkSender, build_vk, outbox_random_id
from bot.services.outbox import DeliveryReport, DeliveryWorker, OutboxService
from storage import Channel, MessengerAccount, Notification, NotificationStatus, Person
from tests.conftest import bot_env
from tests.e2e.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.e2e.fake_telegram import FakeTelegram, TelegramError
from tests.e2e.fake_vk import GROUP_ID, FakeVk, HttpAnswer
from tests.e2e.fake_vk import TOKEN as VK_TOKEN

PEER = 3001
WELCOME_BACK = "С возвращением! Продолжим с того места, где остановились."


class StoringFakeVk(FakeVk):
    """FakeVk whose messages.send, while `hold_sends`, delivers and then never answers."""

    def __init__(self) -> None:
        super().__init__()
        self.hold_sends = False
        self.held = 0
        self._release = asyncio.Event()

    def release_held(self) -> None:
        """Let held requests finish (their client is gone by then)."""
        self._release.set()

    async def _method(self, request: web.Request) -> web.Response:
        response = await super()._method(request)  # the message is recorded here
        if self.hold_sends and request.match_info["name"] == "messages.send":
            self.held += 1
            await self._changed_now()
            await self._release.wait()
        return response


@dataclass
class StoringFakeTelegram(FakeTelegram):
    """FakeTelegram whose sendMessage, while `store_then_hold`, delivers and then never answers."""

    store_then_hold: bool = False

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "sendMessage" and self.store_then_hold:
            result = self._send(params, "text", None).to_json()
            await self._hold()
            return result
        return await super()._answer(method, params)


@pytest.fixture
async def vk() -> AsyncIterator[StoringFakeVk]:
    server = StoringFakeVk()
    await server.start()
    yield server
    server.release_held()
    await server.stop()


@pytest.fixture
async def telegram() -> AsyncIterator[StoringFakeTelegram]:
    server = StoringFakeTelegram()
    await server.start()
    yield server
    server.release_held()
    await server.stop()


async def plan(app: App, channel: Channel, clock: Clock) -> str:
    """A person on `channel` and one `welcome-back` due for them; the notification's key."""
    key = f"fault-{channel}"
    async with app.database.transaction() as session:
        person = Person(locale="ru", created_at=clock.now(), updated_at=clock.now())
        session.add(person)
        await session.flush()
        session.add(
            MessengerAccount(
                person_id=person.id,
                channel=channel,
                external_user_id=str(PEER),
                chat_id=str(PEER),
                created_at=clock.now(),
            )
        )
        await OutboxService(session, clock).plan(
            key=key, kind="test", recipient_id=person.id, text_id="welcome-back"
        )
    return key


async def notification(app: App, key: str) -> Notification:
    async with app.database.sessions() as session:
        row = await session.scalar(select(Notification).where(Notification.key == key))
        assert row is not None
        return row


async def killed_mid_send(db_url: str, tmp_path: Path, wait_held: Any, **env: str) -> None:
    """Run `python -m bot` until the fake holds its send, then SIGKILL it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=bot_env(tmp_path, DATABASE__URL=db_url, OUTBOX__DELIVER_EVERY_SECONDS="0.2", **env),
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        await wait_held()
    finally:
        process.kill()
        await process.wait()


def six_minutes_later() -> FrozenClock:
    """After the killed worker's lease (5 minutes) has lapsed."""
    return FrozenClock(SystemClock().now() + timedelta(minutes=6))


async def test_vk_send_delivered_then_killed_is_resent_without_duplicate(
    app: App, db_url: str, tmp_path: Path, vk: StoringFakeVk
) -> None:
    key = await plan(app, Channel.VK, SystemClock())
    vk.hold_sends = True

    async def wait_held() -> None:
        await vk.wait_for(lambda: vk.held == 1, timeout=30)

    await killed_mid_send(
        db_url,
        tmp_path,
        wait_held,
        VK__TOKEN=VK_TOKEN,
        VK__GROUP_ID=str(GROUP_ID),
        VK__API_URL=vk.url,
    )
    vk.hold_sends = False
    vk.release_held()
    claimed = await notification(app, key)
    assert (claimed.status, claimed.attempts) == (NotificationStatus.SENDING, 1)
    assert [m.text for m in vk.to(PEER)] == [WELCOME_BACK], "it reached the person"

    channel = build_vk(app.conversation, VK_TOKEN, GROUP_ID, vk.url)
    survivor = DeliveryWorker(
        app.database, app.translator, {Channel.VK: VkSender(channel)}, six_minutes_later()
    )
    try:
        assert await survivor.run_once() == DeliveryReport(sent=1)
    finally:
        await channel.close()

    assert [m.text for m in vk.to(PEER)] == [WELCOME_BACK], "the resend was dropped"
    [original] = vk.to(PEER)
    assert vk.duplicates == [original]
    assert original.random_id == outbox_random_id(claimed.id, 0)
    delivered = await notification(app, key)
    assert (delivered.status, delivered.attempts) == (NotificationStatus.SENT, 2)


async def test_telegram_send_delivered_then_killed_is_resent_once(
    app: App, db_url: str, tmp_path: Path, telegram: StoringFakeTelegram
) -> None:
    key = await plan(app, Channel.TELEGRAM, SystemClock())
    telegram.store_then_hold = True

    async def wait_held() -> None:
        await telegram.wait_for(lambda: telegram.held == 1, timeout=30)

    await killed_mid_send(
        db_url,
        tmp_path,
        wait_held,
        TELEGRAM__TOKEN=TELEGRAM_TOKEN,
        TELEGRAM__API_URL=telegram.base_url,
    )
    telegram.store_then_hold = False
    telegram.release_held()
    claimed = await notification(app, key)
    assert (claimed.status, claimed.attempts) == (NotificationStatus.SENDING, 1)
    assert [m.text for m in telegram.messages(PEER)] == [WELCOME_BACK]

    api = TelegramAPIServer.from_base(telegram.base_url)
    bot = Bot(TELEGRAM_TOKEN, session=AiohttpSession(api=api))
    survivor = DeliveryWorker(
        app.database, app.translator, {Channel.TELEGRAM: TelegramSender(bot)}, six_minutes_later()
    )
    try:
        assert await survivor.run_once() == DeliveryReport(sent=1)
    finally:
        await bot.session.close()

    # Telegram has no idempotency key: one duplicate per crash is the documented limit.
    assert [m.text for m in telegram.messages(PEER)] == [WELCOME_BACK, WELCOME_BACK]
    delivered = await notification(app, key)
    assert (delivered.status, delivered.attempts) == (NotificationStatus.SENT, 2)


async def retry_until_sent(
    app: App, clock: FrozenClock, worker: DeliveryWorker, key: str
) -> list[tuple[int, str | None]]:
    """Run the worker, moving the clock to each retry; (attempts, last_error) after each retry."""
    retries: list[tuple[int, str | None]] = []
    for _ in range(10):
        report = await worker.run_once()
        if report == DeliveryReport(sent=1):
            return retries
        assert report == DeliveryReport(retried=1)
        row = await notification(app, key)
        assert row.status is NotificationStatus.PENDING
        retries.append((row.attempts, row.last_error))
        assert row.next_attempt_at is not None
        clock.advance(row.next_attempt_at - clock.now())
    raise AssertionError("never sent")


async def test_vk_answering_500_is_retried_and_delivered_once(
    app: App, clock: FrozenClock, vk: StoringFakeVk
) -> None:
    key = await plan(app, Channel.VK, clock)
    vk.send_failures = [HttpAnswer(500), HttpAnswer(502), HttpAnswer(500)]
    channel = build_vk(app.conversation, VK_TOKEN, GROUP_ID, vk.url, rate_limit=1000.0)
    worker = DeliveryWorker(app.database, app.translator, {Channel.VK: VkSender(channel)}, clock)
    try:
        retries = await retry_until_sent(app, clock, worker, key)
    finally:
        await channel.close()

    assert [m.text for m in vk.to(PEER)] == [WELCOME_BACK]
    assert vk.duplicates == []
    assert vk.calls.count("messages.send") == 4
    row = await notification(app, key)
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 4)
    assert [attempts for attempts, _ in retries] == [1, 2, 3]
    assert all(error and ("500" in error or "502" in error) for _, error in retries), retries


async def test_telegram_answering_5xx_is_retried_and_delivered_once(
    app: App, clock: FrozenClock, telegram: StoringFakeTelegram
) -> None:
    key = await plan(app, Channel.TELEGRAM, clock)
    telegram.send_failures = [
        TelegramError(500, "Internal Server Error"),
        TelegramError(502, "Bad Gateway"),
    ]
    api = TelegramAPIServer.from_base(telegram.base_url)
    bot = Bot(TELEGRAM_TOKEN, session=AiohttpSession(api=api))
    sender = TelegramSender(bot)
    worker = DeliveryWorker(app.database, app.translator, {Channel.TELEGRAM: sender}, clock)
    try:
        retries = await retry_until_sent(app, clock, worker, key)
    finally:
        await bot.session.close()

    assert [m.text for m in telegram.messages(PEER)] == [WELCOME_BACK]
    assert telegram.methods().count("sendMessage") == 3
    row = await notification(app, key)
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 3)
    assert retries == [(1, "telegram: Internal Server Error"), (2, "telegram: Bad Gateway")]
