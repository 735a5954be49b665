"""aiosqlite's connection without its thread: SQLite is called on the event loop's own thread.

aiosqlite hands every call — execute, fetch, close a cursor, commit — to a thread of its own and
waits for a future the thread completes through `call_soon_threadsafe`. A call on a small local
SQLite file takes microseconds, the round trip several times that, and a step of a dialog makes
some forty of them while it holds the database's one writer: bench/inbound measured 164 updates/s
with the thread and 248 without (100 people, one run). So the calls are made right here, and
SQLAlchemy's aiosqlite dialect is none the wiser (it is given these connections by
`async_creator`).

What the thread spared the loop was waiting for the file's lock while another process (or
another `Database` in this one) writes: SQLite's own busy_timeout would block the whole loop,
and could wait forever for a writer of this very loop. So these connections run with
busy_timeout 0, and a call that finds the database locked is retried after an asyncio sleep —
which lets that writer finish — for up to BUSY_TIMEOUT seconds. A statement refused as busy did
nothing, so running it again is safe; every write transaction begins with BEGIN IMMEDIATE, so
a locked database is met there, before anything was done.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Generator
from typing import Any

import aiosqlite
from sqlalchemy.engine import URL

BUSY_TIMEOUT = 5.0
FIRST_PAUSE = 0.001
LONGEST_PAUSE = 0.05


def connector(url: URL) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """An `async_creator` for `create_async_engine`: new inline connections to the URL's file,
    opened with the arguments SQLAlchemy would have given aiosqlite (path, `uri`...)."""
    [database], options = url.get_dialect()().create_connect_args(url)
    # The loop's thread is the only one using it; the pool may close it from the GC's.
    options["check_same_thread"] = False

    async def connect() -> aiosqlite.Connection:
        return await InlineConnection(lambda: sqlite3.connect(database, **options))

    return connect


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: whatever is put in runs at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # handed over, as the thread would
            if future is not None:
                future.set_exception(error)
            else:
                raise
        else:
            if future is not None:
                future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the caller's thread (see the module's doc)."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connect, iter_chunk_size=64)
        # Also used directly by SQLAlchemy's adapter (to set isolation_level) and by stop().
        self._tx = _RunNow()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no thread to start

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BUSY_TIMEOUT
        pause = FIRST_PAUSE
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or loop.time() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
