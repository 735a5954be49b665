"""The rate limiter spaces calls out within every budget, with a fake clock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any

import pytest

from bot.core.ratelimit import SAFETY_MARGIN, Budget, RateLimiter

# Every interval is this much wider than 1 / rate.
M = 1 + SAFETY_MARGIN


class FakeTime:
    """Virtual time: it moves to the next sleeper's wake-up only when every task is waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._count = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._count), future))
        await future

    def run(self, *calls: Coroutine[Any, Any, None]) -> None:
        async def drive() -> None:
            tasks = [asyncio.create_task(call) for call in calls]
            while not all(task.done() for task in tasks):
                for _ in range(10):
                    await asyncio.sleep(0)
                if self._sleepers:
                    when, _, future = heapq.heappop(self._sleepers)
                    self.now = max(self.now, when)
                    future.set_result(None)
            for task in tasks:
                task.result()

        asyncio.run(drive())


def starts(limiter: RateLimiter, time: FakeTime, keys: list[str | None]) -> list[float]:
    """Acquire for each key in turn (as sequential callers) and note when each call went."""
    moments = []

    async def run() -> None:
        for key in keys:
            await limiter.acquire(key)
            moments.append(time.now - 1000.0)

    time.run(run())
    return moments


def test_overall_rate_spaces_calls_evenly() -> None:
    time = FakeTime()
    limiter = RateLimiter(Budget(30), clock=time, sleep=time.sleep)
    moments = starts(limiter, time, [None] * 61)
    assert moments[0] == 0.0
    assert moments[-1] == pytest.approx(2.0 * M)
    # Never more than 30 calls in any one-second window.
    assert all(b - a >= 1 / 30 * M - 1e-9 for a, b in itertools.pairwise(moments))


def test_per_key_budget_with_burst() -> None:
    time = FakeTime()
    limiter = RateLimiter(Budget(30), Budget(1, burst=3), clock=time, sleep=time.sleep)
    moments = starts(limiter, time, ["chat"] * 5)
    # Three at once (spaced by the overall rate), then one per second.
    assert moments == pytest.approx([0.0, M / 30, 2 * M / 30, M, 2 * M])


def test_other_keys_are_not_held_up_by_a_busy_chat() -> None:
    time = FakeTime()
    limiter = RateLimiter(Budget(30), Budget(1), clock=time, sleep=time.sleep)
    went: dict[str, list[float]] = {"a": [], "b": []}

    async def call(key: str) -> None:
        await limiter.acquire(key)
        went[key].append(time.now - 1000.0)

    time.run(call("a"), call("a"), call("b"))
    assert went["a"] == pytest.approx([0.0, M])
    assert went["b"] == pytest.approx([M / 30])


def test_concurrent_callers_queue_in_call_order() -> None:
    time = FakeTime()
    limiter = RateLimiter(Budget(10), clock=time, sleep=time.sleep)
    went: list[tuple[int, float]] = []

    async def call(caller: int) -> None:
        await limiter.acquire()
        went.append((caller, time.now - 1000.0))

    time.run(*(call(caller) for caller in range(5)))
    assert [caller for caller, _ in went] == [0, 1, 2, 3, 4]
    assert [at for _, at in went] == pytest.approx([0.0, 0.1 * M, 0.2 * M, 0.3 * M, 0.4 * M])


def test_quiet_period_refills_the_burst() -> None:
    time = FakeTime()
    limiter = RateLimiter(Budget(1, burst=2), clock=time, sleep=time.sleep)
    assert starts(limiter, time, [None] * 3) == pytest.approx([0, 0, M])
    time.now += 10
    assert starts(limiter, time, [None] * 2) == pytest.approx([10 + M, 10 + M])


def test_budget_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Budget(0)
    with pytest.raises(ValueError):
        Budget(1, burst=0)


def test_a_strict_window_never_sees_more_than_the_rate_despite_jitter() -> None:
    """Calls arriving up to 1% of an interval early still fit 30 to any one-second window."""
    time = FakeTime()
    limiter = RateLimiter(Budget(30), clock=time, sleep=time.sleep)
    moments = starts(limiter, time, [None] * 91)
    jitter = 0.01 / 30
    arrived = [moment - jitter * (index % 2) for index, moment in enumerate(moments)]
    assert all(later - first > 1.0 for first, later in zip(arrived, arrived[30:], strict=False))


def test_a_stalled_loop_does_not_clump_the_calls_after_it() -> None:
    """Every seventh wake-up comes 0.2 s late (a busy event loop): 90 concurrent callers still
    never put more than 30 calls into any one-second window, as each is booked when it goes."""
    time = FakeTime()
    wakes = itertools.count()

    async def late_sleep(seconds: float) -> None:
        await time.sleep(seconds + (0.2 if next(wakes) % 7 == 6 else 0.0))

    limiter = RateLimiter(Budget(30), clock=time, sleep=late_sleep)
    moments: list[float] = []

    async def call() -> None:
        await limiter.acquire()
        moments.append(time.now)

    time.run(*(call() for _ in range(90)))
    assert len(moments) == 90
    assert all(later - first >= 1.0 for first, later in zip(moments, moments[30:], strict=False))
