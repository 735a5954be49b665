"""`meanwhile`: work started beside a handler's block."""

from __future__ import annotations

import asyncio

import pytest

from bot.handlers.tasks import meanwhile


async def test_the_work_runs_while_the_block_waits_and_is_finished_at_its_end() -> None:
    done: list[str] = []
    started = asyncio.Event()

    async def answer() -> None:
        started.set()
        done.append("answered")

    async with meanwhile(answer()):
        await started.wait()  # would never end if the work waited for the block
        done.append("handled")
    assert done == ["answered", "handled"]


async def test_a_failing_block_still_waits_for_the_work() -> None:
    release = asyncio.Event()
    done: list[str] = []

    async def answer() -> None:
        await release.wait()
        done.append("answered")

    async def handler() -> None:
        async with meanwhile(answer()):
            asyncio.get_running_loop().call_soon(release.set)
            raise RuntimeError("the reply failed")

    with pytest.raises(RuntimeError):
        await handler()
    assert done == ["answered"]


async def test_a_cancelled_block_cancels_the_work() -> None:
    hung = asyncio.Event()
    entered = asyncio.Event()
    outcome: list[str] = []

    async def answer() -> None:
        try:
            await hung.wait()
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    async def handler() -> None:
        async with meanwhile(answer()):
            entered.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(handler())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert outcome == ["cancelled"]
