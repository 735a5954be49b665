"""Two `python -m bot` workers on one PostgreSQL, fed by a Telegram webhook and the VK Callback
API as a load balancer would feed them: each person's updates land on both, and every
notification is delivered once."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.core.clock import SystemClock
from bot.services.outbox import OutboxService
from storage import Database, DialogState, MessengerAccount, Notification, NotificationStatus
from tests.conftest import bot_env
from tests.e2e import fake_vk
from tests.e2e.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.e2e.fake_telegram import FakeTelegram
from tests.e2e.fake_vk import GROUP_ID, FakeVk
from tests.e2e.test_webhook import (
    CONFIRMATION,
    MENU_TITLE,
    SECRET,
    VK_SECRET,
    WEBHOOK_URL,
    Poster,
    free_port,
    telegram_update,
)
from tests.integration.conftest import POSTGRES_URL_VARIABLE, reset_postgres_schema

PEOPLE = range(3001, 3007)
SCRIPT = ["/start", "/help", "/menu"]
BACK = "С возвращением! Продолжим с того места, где остановились."


@pytest.fixture
async def postgres_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set (.ci/postgres.sh starts a server)")
    database = Database(url)
    try:
        await reset_postgres_schema(database)
        await database.upgrade()
    finally:
        await database.dispose()
    return url


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeTelegram, FakeVk]]:
    telegram, vk = FakeTelegram(), FakeVk()
    await telegram.start()
    await vk.start()
    yield telegram, vk
    await telegram.stop()
    await vk.stop()


async def start_worker(
    tmp_path: Path, url: str, telegram: FakeTelegram, vk: FakeVk, port: int
) -> asyncio.subprocess.Process:
    env = bot_env(
        tmp_path,
        DATABASE__URL=url,
        TELEGRAM__TOKEN=TELEGRAM_TOKEN,
        TELEGRAM__API_URL=telegram.base_url,
        TELEGRAM__MODE="webhook",
        TELEGRAM__WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM__WEBHOOK_SECRET=SECRET,
        VK__TOKEN=fake_vk.TOKEN,
        VK__GROUP_ID=str(GROUP_ID),
        VK__API_URL=vk.url,
        VK__MODE="callback",
        VK__CALLBACK_CONFIRMATION=CONFIRMATION,
        VK__CALLBACK_SECRET=VK_SECRET,
        WEB__PORT=str(port),
        OUTBOX__DELIVER_EVERY_SECONDS="0.2",
    )
    tmp_path.mkdir(exist_ok=True)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def plan_for_everyone(url: str) -> int:
    """One notification for each person who wrote; how many."""
    database = Database(url)
    clock = SystemClock()
    try:
        async with database.transaction() as session:
            accounts = list(await session.scalars(select(MessengerAccount)))
            outbox = OutboxService(session, clock)
            for account in accounts:
                await outbox.plan(
                    key=f"two-workers-{account.id}",
                    kind="test",
                    recipient_id=account.person_id,
                    text_id="welcome-back",
                )
        return len(accounts)
    finally:
        await database.dispose()


async def rows(url: str) -> tuple[list[NotificationStatus], list[int]]:
    database = Database(url)
    try:
        async with database.sessions() as session:
            statuses = list(await session.scalars(select(Notification.status)))
            revisions = list(await session.scalars(select(DialogState.revision)))
        return statuses, revisions
    finally:
        await database.dispose()


async def answered(telegram: FakeTelegram, vk: FakeVk, person: int, seen: tuple[int, int]) -> None:
    """The person got new messages in both messengers, the menu last."""
    await telegram.wait_for(
        lambda: (
            len(telegram.messages(person)) > seen[0]
            and telegram.messages(person)[-1].text == MENU_TITLE
        ),
        timeout=30,
    )
    await vk.wait_for(lambda: len(vk.to(person)) > seen[1] and vk.to(person)[-1].text == MENU_TITLE)


async def test_two_workers_share_updates_and_deliver_each_notification_once(
    postgres_url: str, fakes: tuple[FakeTelegram, FakeVk], tmp_path: Path
) -> None:
    telegram, vk = fakes
    ports = [free_port(), free_port()]
    workers = [
        await start_worker(tmp_path / f"w{index}", postgres_url, telegram, vk, port)
        for index, port in enumerate(ports)
    ]
    try:
        await telegram.wait_for(lambda: telegram.methods().count("setWebhook") == 2, timeout=60)
        async with aiohttp.ClientSession() as http:
            posters = [Poster(http, f"http://127.0.0.1:{port}") for port in ports]
            for person in PEOPLE:
                for step, text in enumerate(SCRIPT):
                    # The balancer sends this person's consecutive updates to both workers.
                    poster = posters[(person + step) % 2]
                    seen = len(telegram.messages(person)), len(vk.to(person))
                    assert await poster.telegram(telegram_update(person, text)) == (200, "{}")
                    await vk.user_writes(person, text)
                    assert await poster.vk(vk.updates[-1]) == (200, "ok")
                    await answered(telegram, vk, person, seen)

        _, revisions = await rows(postgres_url)
        assert revisions == [len(SCRIPT)] * 2 * len(PEOPLE), "every update handled once"
        replies = {p: (len(telegram.messages(p)), len(vk.to(p))) for p in PEOPLE}
        planned = await plan_for_everyone(postgres_url)
        assert planned == 2 * len(PEOPLE)
        await telegram.wait_for(
            lambda: all(telegram.messages(p)[-1].text == BACK for p in PEOPLE), timeout=30
        )
        await vk.wait_for(lambda: all(vk.to(p)[-1].text == BACK for p in PEOPLE), timeout=30)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            await worker.wait()
    statuses, _ = await rows(postgres_url)
    assert statuses == [NotificationStatus.SENT] * planned
    for person in PEOPLE:
        telegram_count, vk_count = replies[person]
        assert len(telegram.messages(person)) == telegram_count + 1, "delivered once"
        assert len(vk.to(person)) == vk_count + 1, "delivered once"
    assert vk.duplicates == []
