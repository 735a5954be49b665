"""Spacing calls out so a messenger's rate limits are never hit.

GCRA, the virtual-scheduling form of a token bucket: a budget keeps the theoretical arrival time
(TAT) of the next call; a call may go at `TAT - tolerance`, where the tolerance is what the burst
allows. Callers of a budget are taken one at a time, in call order (an asyncio lock is FIFO), and
each call is booked at the moment it really goes: were slots booked ahead, a stalled event loop
would wake several callers whose slots had passed at once, and that clump plus the calls after it
on schedule would exceed the rate in a strict sliding window. A chat's own budget is taken before
the overall one, so a busy chat waits on itself without holding up the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

# Calls are spaced this much wider than `rate` allows: a platform counts calls as they arrive, and
# network jitter can bring two calls spaced exactly 1/rate apart closer, so that rate + 1 calls land
# in one second of a strict sliding window. 3% costs 3% of the throughput and absorbs that.
SAFETY_MARGIN = 0.03

# Past this many keys, those whose budget is full again are forgotten (the same as unseen).
PRUNE_AT = 10_000


@dataclass(frozen=True, slots=True)
class Budget:
    """`rate` calls per second, up to `burst` of them at once after a quiet period."""

    rate: float
    burst: int = 1

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a budget needs a positive rate and a burst of at least 1")

    @property
    def interval(self) -> float:
        return (1.0 + SAFETY_MARGIN) / self.rate

    @property
    def tolerance(self) -> float:
        return (self.burst - 1) * self.interval


@dataclass(slots=True)
class _Key:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    tat: float = float("-inf")


class RateLimiter:
    """An overall budget and, optionally, one per key (a chat, say), shared by all callers."""

    def __init__(
        self,
        overall: Budget,
        per_key: Budget | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.overall = overall
        self.per_key = per_key
        self.clock = clock
        self.sleep = sleep
        self._overall = _Key()
        self._keys: dict[Hashable, _Key] = {}

    async def acquire(self, key: Hashable | None = None) -> float:
        """Wait until a call for `key` may go; returns the seconds waited."""
        start = self.clock()
        if self.per_key is None or key is None:
            await self._take(self._overall, self.overall)
            return self.clock() - start
        state = self._keys.setdefault(key, _Key())
        async with state.lock:
            await self._wait_for(state, self.per_key)
            await self._take(self._overall, self.overall)
            state.tat = max(state.tat, self.clock()) + self.per_key.interval
        if len(self._keys) > PRUNE_AT:
            now = self.clock()
            self._keys = {k: s for k, s in self._keys.items() if s.tat > now or s.lock.locked()}
        return self.clock() - start

    async def _take(self, state: _Key, budget: Budget) -> None:
        """Wait for the budget's next slot and book it from the moment the call really goes."""
        async with state.lock:
            await self._wait_for(state, budget)
            state.tat = max(state.tat, self.clock()) + budget.interval

    async def _wait_for(self, state: _Key, budget: Budget) -> None:
        seconds = state.tat - budget.tolerance - self.clock()
        if seconds > 0:
            await self.sleep(seconds)
