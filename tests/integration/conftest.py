"""Fixtures of the storage integration tests: a migrated database on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database

POSTGRES_URL_VARIABLE = "TEST_POSTGRES_URL"


def sqlite_url(directory: Path) -> str:
    """A SQLite URL for a file in a folder that does not exist yet (Database must create it)."""
    return f"sqlite+aiosqlite:///{directory / 'nested' / 'nastavnik.sqlite3'}"


async def reset_postgres_schema(database: Database) -> None:
    """Drop everything in the `public` schema, leaving a database as fresh as a new one."""
    async with database.engine.begin() as conn:
        await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        await conn.exec_driver_sql("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables: a new SQLite file, or PostgreSQL with a clean `public` schema."""
    if request.param == "sqlite":
        database = Database(sqlite_url(tmp_path))
    else:
        url = os.environ.get(POSTGRES_URL_VARIABLE)
        if not url:
            pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set (.ci/postgres.sh starts a server)")
        database = Database(url)
        await reset_postgres_schema(database)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def database(empty_database: Database) -> Database:
    """A database migrated to the newest revision, its pool emptied.

    Tests then run on new connections, configured only as the engine configures every connection,
    not on the one the migration used (which it leaves with its own settings).
    """
    await empty_database.upgrade()
    await empty_database.engine.dispose()
    return empty_database
