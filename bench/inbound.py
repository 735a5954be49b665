"""Inbound load: N people through onboarding at once, through the real aiogram dispatcher and
vkbottle event processing, against the framework floor measured in the same run.

Each person walks the demo questionnaire (7 updates: /start, taps, typed name, date, class);
half of them write from Telegram, half from VK. Updates are fed to aiogram's
`Dispatcher.feed_update` and to `VkChannel.on_update` (what polling and webhooks call); the
replies travel over HTTP to the local fake Telegram and VK servers. Latency is the time from
handing an update to the framework until its last reply was accepted by the fake.

Two loads per database:
- `burst`: everybody at once with no pause (a closed loop): throughput, and the queueing a
  flash crowd sees;
- `paced`: the same people typing like people, a random pause before each update, chosen so
  that updates arrive at half the rate the burst sustained: the latency a person waits for an
  answer while N others are in onboarding too, on a bot that is busy but not overloaded.

The floor is a bare aiogram handler that echoes each text message (the same feed, the same
HTTP client and fake), so `x floor` is what the bot adds on top of the framework. A virtual
machine's speed drifts from minute to minute, so the floor and the burst are measured back to
back, each followed by the paced load that the burst sets the pace of, three times
(`--rounds`): the burst with the median ratio and the paced load with the median p95 are
printed. Like `python -m bot`, each load runs with what start-up built frozen out of the
garbage collector's passes.

Rate limits are lifted here: Telegram's 30 messages/s would make every figure the limiter's;
bench/outbound.py measures delivery under the limits.

    python -m bench.inbound [--people 100 1000] [--load 0.5] [--rounds 3]
    BENCH_POSTGRES_URL=postgresql+asyncpg://... python -m bench.inbound   # also PostgreSQL

The PostgreSQL database named there is wiped (its public schema dropped) before each run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message, Update

from bot.app import App, build_app, freeze_startup_heap, seed_demo
from bot.config import DatabaseSettings, Settings
from bot.core.clock import FrozenClock
from bot.handlers.telegram import build_telegram
from bot.handlers.vk import build_vk
from storage import Database
from tests.e2e.fake_telegram import DATE, TOKEN, FakeTelegram
from tests.e2e.fake_vk import GROUP_ID, FakeVk
from tests.e2e.fake_vk import TOKEN as VK_TOKEN
from tests.e2e.test_webhook import telegram_update

SCRIPT = ["/start", "#1", "Миша Иванов", "#1", "14.03.2013", "6Б", "#1"]
UNLIMITED = 1e9  # messages per second: no rate limit
ROUNDS = 3  # floor, burst and paced load measured back to back this many times; medians shown
LOAD = 0.5  # the paced load offers this share of the updates/s the burst sustained
SEED = 20261202
TAP_IDS = 1_000_000_000  # update ids of the taps start above this


def percentile(samples: list[float], share: float) -> float:
    """The `share` quantile in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


@dataclass
class Result:
    """One load: how many updates in how long, and each update's handling time."""

    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def row(self, label: str) -> str:
        return (
            f"{label:<28} {len(self.latencies):>7} {self.rate:>10.0f} "
            f"{percentile(self.latencies, 0.5):>8.1f} {percentile(self.latencies, 0.95):>8.1f} "
            f"{percentile(self.latencies, 0.99):>8.1f}"
        )


class Pause:
    """Think times of the paced load: uniform within half the mean either side of it, seeded;
    none in the burst. (Exponential ones leave the last people typing long after the rest, at a
    load far below the one offered; many people's pauses together still arrive at random.)"""

    def __init__(self, mean: float | None) -> None:
        self.mean = mean
        self.random = random.Random(SEED)

    async def __call__(self) -> None:
        if self.mean is not None:
            await asyncio.sleep(self.random.uniform(0.5 * self.mean, 1.5 * self.mean))


class Fakes:
    """The fake Telegram and VK servers, and the updates a person's app would send."""

    def __init__(self) -> None:
        self.telegram = FakeTelegram()
        self.vk = FakeVk()
        self._ids = 0

    async def start(self) -> None:
        await self.telegram.start()
        await self.vk.start()

    async def stop(self) -> None:
        await self.telegram.stop()
        await self.vk.stop()

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    async def telegram_tap(self, user_id: int) -> dict[str, Any]:
        """A tap on the first button of the newest bot message with buttons."""
        sent = next(m for m in reversed(self.telegram.messages(user_id)) if m.buttons)
        data = sent.buttons[0][0][1]
        # Registers the callback id, so answerCallbackQuery succeeds as it would for real.
        callback_id = await self.telegram.user_taps(user_id, sent.message_id, data)
        query = {
            "id": callback_id,
            "from": {"id": user_id, "is_bot": False, "first_name": "Миша", "language_code": "ru"},
            "chat_instance": f"ci-{user_id}",
            "message": sent.to_json(),
            "data": data,
        }
        # Apart from the text updates' ids (telegram_update counts from 1): the bot ignores an
        # update id it handled already, as a redelivery.
        return {"update_id": TAP_IDS + self.next_id(), "callback_query": query}

    def vk_message(self, user_id: int, text: str) -> dict[str, Any]:
        message = {
            "id": self.next_id(),
            "date": DATE,
            "from_id": user_id,
            "peer_id": user_id,
            "out": 0,
            "text": text,
            "conversation_message_id": self.next_id(),
            "attachments": [],
        }
        event = {"message": message, "client_info": {"lang_id": 0, "inline_keyboard": True}}
        return {"group_id": GROUP_ID, "type": "message_new", "object": event}

    async def vk_tap(self, user_id: int) -> dict[str, Any]:
        """A Callback button event for the first button of the newest message with buttons."""
        sent = next(m for m in reversed(self.vk.to(user_id)) if m.buttons)
        event_id = await self.vk.user_taps(
            user_id, sent.buttons[0].payload, conversation_message_id=sent.conversation_message_id
        )
        return next(u for u in reversed(self.vk.updates) if u["object"].get("event_id") == event_id)


@contextmanager
def startup_frozen() -> Iterator[None]:
    """The heap as a started bot has it (`python -m bot` freezes what start-up built), thawed
    after the load so that the loads of one run do not pile up in the frozen part."""
    freeze_startup_heap()
    try:
        yield
    finally:
        gc.unfreeze()


async def timed(work: Awaitable[object], result: Result) -> None:
    started = time.perf_counter()
    await work
    result.latencies.append(time.perf_counter() - started)


async def onboarding(app: App, fakes: Fakes, people: int, pause: Pause) -> Result:
    """Walk `people` people through the demo flow on both messengers."""
    bot, dispatcher = build_telegram(
        app.conversation,
        TOKEN,
        fakes.telegram.base_url,
        rate_limit=UNLIMITED,
        chat_rate_limit=UNLIMITED,
    )
    vk = build_vk(app.conversation, VK_TOKEN, GROUP_ID, fakes.vk.url, rate_limit=UNLIMITED)
    result = Result()

    async def telegram_person(user_id: int) -> None:
        for line in SCRIPT:
            await pause()
            raw = (
                await fakes.telegram_tap(user_id)
                if line == "#1"
                else telegram_update(user_id, line)
            )
            update = Update.model_validate(raw, context={"bot": bot})
            await timed(dispatcher.feed_update(bot, update), result)

    async def vk_person(user_id: int) -> None:
        for line in SCRIPT:
            await pause()
            raw = await fakes.vk_tap(user_id) if line == "#1" else fakes.vk_message(user_id, line)
            await timed(vk.on_update(raw), result)

    try:
        with startup_frozen():
            began = time.perf_counter()
            await asyncio.gather(
                *(
                    telegram_person(100_000 + i) if i % 2 == 0 else vk_person(200_000 + i)
                    for i in range(people)
                )
            )
            result.elapsed = time.perf_counter() - began
    finally:
        await bot.session.close()
        await vk.api.http_client.close()
    check_finished(app, fakes, people)
    return result


def check_finished(app: App, fakes: Fakes, people: int) -> None:
    """Every person got the demo's last answer: a load that fails fast is no figure."""
    done = app.translator("ru", "demo-done", {"name": "Миша Иванов"})
    finished = sum(
        any(done in (m.text or "") for m in fakes.telegram.messages(100_000 + i))
        if i % 2 == 0
        else any(done in m.text for m in fakes.vk.to(200_000 + i))
        for i in range(people)
    )
    if finished != people:
        raise RuntimeError(f"only {finished} of {people} people finished the demo flow")


async def echo_floor(fakes: Fakes, people: int, pause: Pause) -> Result:
    """The same number of text updates through a bare aiogram echo handler."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(fakes.telegram.base_url))
    bot = Bot(TOKEN, session=session)
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    result = Result()

    async def person(user_id: int) -> None:
        for line in SCRIPT:
            await pause()
            raw = telegram_update(user_id, line)
            await timed(dispatcher.feed_update(bot, Update.model_validate(raw)), result)

    with startup_frozen():
        began = time.perf_counter()
        await asyncio.gather(*(person(300_000 + i) for i in range(people)))
        result.elapsed = time.perf_counter() - began
    await bot.session.close()
    return result


async def reset_postgres(url: str) -> None:
    database = Database(url)
    async with database.engine.begin() as conn:
        await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        await conn.exec_driver_sql("CREATE SCHEMA public")
    await database.dispose()


async def measure(url: str, people: int, think: float | None) -> Result:
    """One load on a fresh database of `url`."""
    if url.startswith("postgresql"):
        await reset_postgres(url)
    settings = Settings(_env_file=None, database=DatabaseSettings(url=url))
    app = await build_app(settings, clock=FrozenClock(datetime(2026, 11, 23, tzinfo=UTC)))
    await seed_demo(app)
    fakes = Fakes()
    await fakes.start()
    try:
        return await onboarding(app, fakes, people, Pause(think))
    finally:
        await fakes.stop()
        await app.close()


async def floor(people: int) -> Result:
    """The echo floor for a burst of `people`."""
    fakes = Fakes()
    await fakes.start()
    try:
        return await echo_floor(fakes, people, Pause(None))
    finally:
        await fakes.stop()


@dataclass
class Round:
    """The floor and the bot's burst, measured back to back, then the paced load at `load` of
    that burst's rate."""

    floor: Result
    burst: Result
    paced: Result
    think: float  # the paced load's mean pause, seconds

    @property
    def ratio(self) -> float:
        return self.floor.rate / self.burst.rate

    @property
    def paced_p95(self) -> float:
        return percentile(self.paced.latencies, 0.95)


async def measure_round(url: str, people: int, load: float) -> Round:
    echo = await floor(people)
    burst = await fresh(url, people, None)
    # People pause so that updates arrive at `load` of what the burst just before sustained.
    think = people / (load * burst.rate)
    return Round(echo, burst, await fresh(url, people, think), think)


async def run(people_counts: list[int], load: float, rounds: int) -> None:
    """Print the table: each database's loads beside the floor's burst of the same size.

    The machine's speed drifts from minute to minute, so each round measures the floor, the
    bot's burst and the paced load back to back, `rounds` times: the burst shown is the one of
    the round with the median ratio to the floor, the paced load the one with the median p95.
    """
    logging.disable(logging.WARNING)  # the bot's per-update log lines would be measured too
    databases = {"sqlite": ""}
    if postgres := os.environ.get("BENCH_POSTGRES_URL"):
        databases["postgres"] = postgres
    print("inbound: the demo onboarding (7 updates a person), half Telegram, half VK")
    print(f"{'':<28} {'updates':>7} {'updates/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for people in people_counts:
        for name, url in databases.items():
            measured = [await measure_round(url, people, load) for _ in range(rounds)]
            ratios = ", ".join(f"{each.ratio:.1f}x" for each in measured)
            shown = sorted(measured, key=lambda each: each.ratio)[len(measured) // 2]
            print(shown.floor.row(f"{people} burst aiogram echo"))
            print(shown.burst.row(f"{people} burst {name}"))
            print(
                f"{'':<28} throughput {shown.ratio:.1f}x below the floor "
                f"({shown.burst.rate:.0f} vs {shown.floor.rate:.0f} updates/s; rounds: {ratios})"
            )
            p95s = ", ".join(f"{each.paced_p95:.1f}" for each in measured)
            paced = sorted(measured, key=lambda each: each.paced_p95)[len(measured) // 2]
            print(paced.paced.row(f"{people} paced {name}"))
            print(
                f"{'':<28} offered {people / paced.think:.0f} updates/s ({load:.0%} of the burst "
                f"just before), mean pause {paced.think:.1f} s; p95 ms of the rounds: {p95s}"
            )


async def fresh(url: str, people: int, think: float | None) -> Result:
    """One load on a new SQLite file (`url` empty) or on the wiped PostgreSQL database."""
    with tempfile.TemporaryDirectory() as tmp:
        return await measure(
            url or f"sqlite+aiosqlite:///{Path(tmp) / 'inbound.db'}", people, think
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--people", type=int, nargs="+", default=[100, 1000])
    parser.add_argument(
        "--load", type=float, default=LOAD, help="paced load as a share of the burst's rate"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help="rounds of floor, burst and paced load; the medians shown",
    )
    args = parser.parse_args(argv)
    asyncio.run(run(args.people, args.load, args.rounds))


if __name__ == "__main__":
    main()
