"""VK Long Poll's position is kept only past updates that are handled, in the order VK gave them."""

from __future__ import annotations

import asyncio

from bot.handlers.vk import _Polling, _Position
from bot.services.positions import PollPositions
from storage import Database
from tests.e2e.fake_vk import GROUP_ID


def handling() -> tuple[asyncio.Event, asyncio.Task[None]]:
    """An update being handled until the event is set."""
    done = asyncio.Event()

    async def handle() -> None:
        await done.wait()

    return done, asyncio.create_task(handle())


async def test_position_moves_past_a_batch_only_when_it_and_all_before_it_are_handled(
    database: Database,
) -> None:
    positions = PollPositions(database)
    position = _Position(positions, _Polling(group_id=GROUP_ID))
    source = f"vk:{GROUP_ID}"
    assert await positions.get(source) is None

    first_done, first = handling()
    second_done, second = handling()
    position.handed_out("5", [first])
    position.handed_out("9", [second])
    first_done.set()
    await first
    # The second batch is still being handled: a crash now must ask VK for it again.
    assert await position.advance() == "5"
    assert await positions.get(source) == "5"

    third_done, third = handling()
    fourth_done, fourth = handling()
    position.handed_out("13", [third, fourth])
    fourth_done.set()
    third_done.set()
    second_done.set()
    await asyncio.gather(second, third, fourth)
    assert await position.advance() == "13", "every finished batch is passed at once"
    assert await positions.get(source) == "13"


async def test_restarted_polling_resumes_at_the_kept_position(database: Database) -> None:
    positions = PollPositions(database)
    await positions.keep(f"vk:{GROUP_ID}", "42")
    polling = _Polling(group_id=GROUP_ID)

    await _Position(positions, polling).restore()

    server = {"server": "https://lp.vk.example", "key": "k", "ts": "77"}
    assert polling.restore_server_ts(server)["ts"] == "42"
