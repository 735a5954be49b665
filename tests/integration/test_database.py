"""The Database handle: connection settings and transactions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from storage import Channel, Database, MessengerAccount, Organization
from storage.db import POOL_SIZE, POSTGRES_TURNS
from tests.integration import factories as f
from tests.integration.conftest import sqlite_url


async def test_sqlite_file_goes_into_a_created_folder(tmp_path: Path) -> None:
    database = Database(sqlite_url(tmp_path))
    try:
        assert database.is_sqlite
        await database.upgrade()
    finally:
        await database.dispose()

    assert (tmp_path / "nested" / "nastavnik.sqlite3").is_file()


async def test_sqlite_pragmas_are_in_force(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("SQLite pragmas")
    async with database.engine.connect() as conn:
        journal_mode = await conn.exec_driver_sql("PRAGMA journal_mode")
        foreign_keys = await conn.exec_driver_sql("PRAGMA foreign_keys")
        busy_timeout = await conn.exec_driver_sql("PRAGMA busy_timeout")
        synchronous = await conn.exec_driver_sql("PRAGMA synchronous")

        assert journal_mode.scalar() == "wal"
        assert foreign_keys.scalar() == 1
        assert busy_timeout.scalar() == 0  # a locked file is waited for by storage/inline_sqlite
        assert synchronous.scalar() == 1  # NORMAL


async def test_sqlite_writer_waits_for_another_without_stopping_the_loop(tmp_path: Path) -> None:
    """Two handles on one file in one event loop (as two processes would be, but sharing the
    loop): the second's BEGIN finds the file locked and waits while the first, which needs the
    loop to go on, finishes — SQLite's own busy wait would block the loop and never end."""
    first, second = Database(sqlite_url(tmp_path)), Database(sqlite_url(tmp_path))
    try:
        await first.upgrade()
        holding, waiting = asyncio.Event(), asyncio.Event()

        async def hold_the_lock() -> None:
            async with first.transaction() as session:
                session.add(Organization(name="first"))
                await session.flush()  # the file's write lock is this transaction's now
                holding.set()
                await waiting.wait()

        async def write_too() -> None:
            await holding.wait()
            async with second.transaction() as session:
                session.add(Organization(name="second"))

        holder = asyncio.create_task(hold_the_lock())
        writer = asyncio.create_task(write_too())
        await holding.wait()
        for _ in range(20):  # the loop keeps turning while `writer` waits for the file
            await asyncio.sleep(0)
        assert not writer.done()
        waiting.set()
        await asyncio.gather(holder, writer)

        async with second.sessions() as session:
            names = await session.scalars(select(Organization.name).order_by(Organization.id))
            assert list(names) == ["first", "second"]
    finally:
        await first.dispose()
        await second.dispose()


async def test_is_sqlite_matches_the_url(database: Database) -> None:
    assert database.is_sqlite == database.url.startswith("sqlite")


async def test_savepoint_rolls_back_only_the_nested_part(database: Database) -> None:
    async with database.sessions() as session:
        org = await f.organization(session)
        who = await f.person(session, org)
        await f.account(session, who, external_user_id="42")
        with pytest.raises(IntegrityError):
            async with session.begin_nested():
                await f.account(session, who, external_user_id="42")
        await session.commit()

    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Organization)) == 1
        accounts = (await session.scalars(select(MessengerAccount))).all()
        assert [(a.channel, a.external_user_id) for a in accounts] == [(Channel.TELEGRAM, "42")]


async def test_rollback_undoes_everything_flushed(database: Database) -> None:
    async with database.sessions() as session:
        await f.organization(session)
        async with session.begin_nested():
            await f.person(session)
        await session.rollback()

    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Organization)) == 0


async def test_migrating_sqlite_turns_foreign_keys_back_on(empty_database: Database) -> None:
    if not empty_database.is_sqlite:
        pytest.skip("SQLite pragmas")
    await empty_database.upgrade()

    # The pool hands out the connection the migration ran on (it switched the keys off there).
    async with empty_database.engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1


async def test_postgres_connections_stay_open_between_bursts(database: Database) -> None:
    """A burst as wide as the pool opens its connections once: the next burst finds them all
    open (an overflow connection, closed when handed back, cost a new connection and every
    statement prepared anew in each burst)."""
    if database.is_sqlite:
        pytest.skip("one SQLite writer at a time")
    opened: list[object] = []
    event.listen(database.engine.sync_engine, "connect", lambda *_: opened.append(1))

    async def burst() -> None:
        all_in = asyncio.Barrier(POOL_SIZE)

        async def reader() -> None:
            async with database.sessions() as session:
                await session.scalar(select(func.count()).select_from(Organization))
                await all_in.wait()  # every session holds a connection at once

        await asyncio.gather(*(reader() for _ in range(POOL_SIZE)))

    await burst()
    assert len(opened) == POOL_SIZE
    await burst()
    assert len(opened) == POOL_SIZE


async def test_postgres_transactions_take_turns(database: Database) -> None:
    """No more than POSTGRES_TURNS transactions run at once; the others wait for a turn and all
    of them end."""
    if database.is_sqlite:
        pytest.skip("SQLite has its own single turn")
    running, most, order = 0, 0, []
    release = asyncio.Event()

    async def update(number: int) -> None:
        nonlocal running, most
        async with database.transaction() as session:
            running += 1
            most = max(most, running)
            order.append(number)
            await session.scalar(select(func.count()).select_from(Organization))
            if number < POSTGRES_TURNS:
                await release.wait()  # the first turns are held until all the others queue
            running -= 1

    updates = [asyncio.create_task(update(number)) for number in range(3 * POSTGRES_TURNS)]
    while len(order) < POSTGRES_TURNS:
        await asyncio.sleep(0)
    for _ in range(20):  # the queued ones get no turn while the first hold theirs
        await asyncio.sleep(0)
    assert sorted(order) == list(range(POSTGRES_TURNS))  # begun in any order, the first only
    release.set()
    await asyncio.gather(*updates)
    assert most == POSTGRES_TURNS
    assert sorted(order) == list(range(3 * POSTGRES_TURNS))
