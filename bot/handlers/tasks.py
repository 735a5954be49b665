"""Work a handler starts and does not wait for before going on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any


@asynccontextmanager
async def meanwhile(work: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Run `work` alongside the block and wait for it at the block's end, however the block
    ends; when the block is cancelled (the bot stops), `work` is cancelled too."""
    task = asyncio.create_task(work)
    try:
        yield
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        await asyncio.wait([task])
        if not task.cancelled():
            task.result()
