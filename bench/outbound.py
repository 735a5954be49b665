"""Outbound delivery: due notifications drained into fake Telegram and VK that enforce limits.

The fakes answer 429 (Telegram, more than 30 sendMessage in any 1 s) and error 6 (VK, more than
20 calls in any 1 s) beyond the platform limits. The drain time is compared with the physical
minimum, max(Telegram / 30, VK / 20) seconds; target: within 10% with zero limit errors.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter, deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app import App, build_app
from bot.config import DatabaseSettings, Settings
from bot.core.clock import SystemClock
from bot.handlers.telegram import TelegramSender, build_telegram
from bot.handlers.vk import VkSender, build_vk
from bot.services.outbox import DeliveryReport, DeliveryWorker, OutboxService
from storage import Channel, MessengerAccount, Notification, NotificationStatus, Person
from tests.e2e.fake_telegram import TOKEN, FakeTelegram, TelegramError
from tests.e2e.fake_vk import GROUP_ID, FakeVk, VkError
from tests.e2e.fake_vk import TOKEN as VK_TOKEN

WINDOW = 1.0  # seconds: both platforms count their limits over a sliding second
TELEGRAM_LIMIT = 30
VK_LIMIT = 20
TELEGRAM_SHARE = 0.6  # with 30/s against 20/s both limits saturate at once
PLAN_CHUNK = 500  # notifications planned per transaction


class Window:
    """Calls in the last second; says whether one more would exceed `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.moments: deque[float] = deque()
        self.exceeded = 0
        self.first: float | None = None
        self.last: float | None = None

    def admit(self) -> bool:
        now = time.monotonic()
        while self.moments and now - self.moments[0] >= WINDOW:
            self.moments.popleft()
        if len(self.moments) >= self.limit:
            self.exceeded += 1
            return False
        self.moments.append(now)
        self.first = now if self.first is None else self.first
        self.last = now
        return True


class LimitedTelegram(FakeTelegram):
    """Answers 429 to a sendMessage beyond 30 in any sliding second."""

    def __init__(self) -> None:
        super().__init__()
        self.window = Window(TELEGRAM_LIMIT)

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "sendMessage" and not self.window.admit():
            raise TelegramError(429, "Too Many Requests: retry after 1", retry_after=1)
        return await super()._answer(method, params)


class LimitedVk(FakeVk):
    """Answers error 6 to a call beyond 20 in any sliding second."""

    def __init__(self) -> None:
        super().__init__()
        self.window = Window(VK_LIMIT)

    def _call(self, name: str, params: Mapping[str, object]) -> Any:
        if not self.window.admit():
            raise VkError(6, "Too many requests per second")
        return super()._call(name, params)


async def plan(app: App, telegram: int, vk: int) -> None:
    """One person with one account per notification; all due now, the channels interleaved.

    Claims go in due order; planned channel after channel, the backlog would be drained one
    platform at a time and measure the sum of the two minimums instead of the larger one.
    """
    clock = SystemClock()
    spread = [(i / telegram, Channel.TELEGRAM, 1_000_000 + i) for i in range(telegram)]
    spread += [(i / vk, Channel.VK, 2_000_000 + i) for i in range(vk)]
    chats = [(channel, chat) for _, channel, chat in sorted(spread, key=lambda item: item[0])]
    for start in range(0, len(chats), PLAN_CHUNK):
        async with app.database.transaction() as session:
            outbox = OutboxService(session, clock)
            for channel, chat in chats[start : start + PLAN_CHUNK]:
                person = Person(locale="ru", created_at=clock.now(), updated_at=clock.now())
                session.add(person)
                await session.flush()
                session.add(
                    MessengerAccount(
                        person_id=person.id,
                        channel=channel,
                        external_user_id=str(chat),
                        chat_id=str(chat),
                        created_at=clock.now(),
                    )
                )
                await outbox.plan(
                    key=f"bench-{chat}", kind="test", recipient_id=person.id, text_id="welcome-back"
                )


async def due_left(app: App) -> int:
    async with app.database.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.status != NotificationStatus.SENT)
        )
        return int(count or 0)


async def run(notifications: int) -> None:
    n_tg = round(notifications * TELEGRAM_SHARE)
    n_vk = notifications - n_tg
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        app = await build_app(Settings(_env_file=None, database=DatabaseSettings(url=url)))
        telegram, vk = LimitedTelegram(), LimitedVk()
        await telegram.start()
        await vk.start()
        bot, _ = build_telegram(app.conversation, TOKEN, telegram.base_url)
        channel = build_vk(app.conversation, VK_TOKEN, GROUP_ID, vk.url)
        try:
            await plan(app, n_tg, n_vk)
            worker = DeliveryWorker(
                app.database,
                app.translator,
                {Channel.TELEGRAM: TelegramSender(bot), Channel.VK: VkSender(channel)},
                SystemClock(),
            )
            report = DeliveryReport()
            start = time.monotonic()
            runs = 0
            while await due_left(app):
                report += await worker.drain()
                runs += 1
                if not report.sent and time.monotonic() - start > 600:
                    break
                await asyncio.sleep(0.05)  # retries wait for their next_attempt_at
            elapsed = time.monotonic() - start
            left = await due_left(app)
        finally:
            await bot.session.close()
            await telegram.stop()
            await vk.stop()
            await app.database.dispose()
    tg_counts = Counter(telegram.sent_per_chat())
    vk_counts = Counter(message.peer_id for message in vk.messages)
    print(f"{notifications} notifications, {runs} drain() runs, {elapsed:.1f} s overall; {report}")
    print(
        f"{'channel':<9} {'notes':>6} {'seconds':>8} {'minimum':>8} {'over %':>7} "
        f"{'limit':>6} {'dups':>5} {'lost':>5}"
    )
    for name, planned, window, counts, limit in (
        ("telegram", n_tg, telegram.window, tg_counts, TELEGRAM_LIMIT),
        ("vk", n_vk, vk.window, vk_counts, VK_LIMIT),
    ):
        seconds = (window.last or 0) - (window.first or 0)
        minimum = (planned - 1) / limit if planned else 0.0
        over = (seconds / minimum - 1) * 100 if minimum else 0.0
        duplicates = sum(count - 1 for count in counts.values() if count > 1)
        lost = planned - len(counts)
        print(
            f"{name:<9} {planned:>6} {seconds:>8.1f} {minimum:>8.1f} {over:>7.1f} "
            f"{window.exceeded:>6} {duplicates:>5} {lost:>5}"
        )
    overall = max(n_tg / TELEGRAM_LIMIT, n_vk / VK_LIMIT)
    print(
        f"overall: {elapsed:.1f} s against a physical minimum of {overall:.1f} s "
        f"({(elapsed / overall - 1) * 100:.1f}% over); rows not SENT: {left}"
    )


def main(argv: list[str] | None = None) -> None:
    """Drain `--notifications` due notifications into rate-limited fakes; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notifications", type=int, default=10_000)
    args = parser.parse_args(argv)
    asyncio.run(run(args.notifications))


if __name__ == "__main__":
    main()
