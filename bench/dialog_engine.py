"""Dialog engine throughput on SQLite against the storage floor, measured in the same run.

N people walk through the demo questionnaire (7 updates each) through the conversation core.
The baseline does only what every update must do at the storage level: one transaction that
reads and rewrites the person's dialog_states row. The ratio shows what the engine, the texts
and the services add on top of the database.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.app import build_app, seed_demo
from bot.config import DatabaseSettings, Settings
from bot.core.clock import FrozenClock
from bot.core.conversation import Conversation
from bot.core.messages import Channel, Incoming
from storage import Database, DialogState

PEOPLE = (10, 100)
SCRIPT = ["/start", "#1", "Миша Иванов", "#1", "14.03.2013", "6Б", "#1"]


def percentile(samples: list[float], share: float) -> float:
    """The `share` quantile in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def walk(conversation: Conversation, user: str, latencies: list[float]) -> None:
    """One person through the demo flow, tapping the first button where the script says #1."""
    buttons: list[str] = []
    for line in SCRIPT:
        button = buttons[0] if line == "#1" else None
        incoming = Incoming(
            Channel.CONSOLE, user, user, text=None if button else line, button=button, language="ru"
        )
        started = time.perf_counter()
        replies = await conversation.handle(incoming)
        latencies.append(time.perf_counter() - started)
        if replies[-1].text_id == "error-internal":
            raise RuntimeError(f"{user}: update {line!r} failed; see the log above")
        buttons = [b.payload for b in replies[-1].flat_buttons]


async def engine_run(folder: Path, people: int) -> tuple[float, list[float]]:
    settings = Settings(
        _env_file=None,
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{folder / 'e.db'}"),
    )
    app = await build_app(settings, clock=FrozenClock(datetime(2026, 11, 23, tzinfo=UTC)))
    await seed_demo(app)
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(walk(app.conversation, f"u{i}", latencies) for i in range(people)))
    elapsed = time.perf_counter() - started
    await app.close()
    return elapsed, latencies


async def floor_run(folder: Path, people: int) -> tuple[float, list[float]]:
    database = Database(f"sqlite+aiosqlite:///{folder / 'f.db'}")
    await database.upgrade()
    now = datetime(2026, 11, 23, tzinfo=UTC)
    lock = asyncio.Lock()  # the engine serialises per person; SQLite serialises writers anyway
    latencies: list[float] = []

    async def person(user: str) -> None:
        for step in range(len(SCRIPT)):
            started = time.perf_counter()
            async with lock, database.sessions() as session, session.begin():
                row = await session.scalar(
                    select(DialogState).where(
                        DialogState.channel == Channel.CONSOLE, DialogState.external_user_id == user
                    )
                )
                if row is None:
                    row = DialogState(
                        channel=Channel.CONSOLE,
                        external_user_id=user,
                        state={},
                        revision=0,
                        updated_at=now,
                    )
                    session.add(row)
                row.state = {"step": step}
                row.revision += 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(person(f"u{i}") for i in range(people)))
    elapsed = time.perf_counter() - started
    await database.dispose()
    return elapsed, latencies


async def main() -> None:
    """Print updates/s and latency percentiles for the engine and the storage floor."""
    print("dialog engine on SQLite (demo flow, 7 updates a person)")
    print(f"{'people':>7} {'what':<8} {'updates/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for people in PEOPLE:
        rows = {}
        with tempfile.TemporaryDirectory() as tmp:
            rows["engine"] = await engine_run(Path(tmp), people)
            rows["floor"] = await floor_run(Path(tmp), people)
        for name, (elapsed, latencies) in rows.items():
            rate = len(latencies) / elapsed
            print(
                f"{people:>7} {name:<8} {rate:>10.0f} {percentile(latencies, 0.5):>8.1f} "
                f"{percentile(latencies, 0.95):>8.1f} {percentile(latencies, 0.99):>8.1f}"
            )
        engine_rate = len(rows["engine"][1]) / rows["engine"][0]
        floor_rate = len(rows["floor"][1]) / rows["floor"][0]
        print(
            f"{people:>7} engine throughput = {engine_rate / floor_rate:.2f} x storage floor; "
            f"mean engine latency {statistics.mean(rows['engine'][1]) * 1000:.1f} ms"
        )
