"""The Database handle: connection settings and transactions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage import Channel, Database, MessengerAccount, Organization
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
        assert busy_timeout.scalar() == 5000
        assert synchronous.scalar() == 1  # NORMAL


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
