"""Migrations: they build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, select, text

from storage import Base, Database, Organization
from storage.db import head_revision
from tests.integration.factories import NOW

HEAD = head_revision()


async def table_names(database: Database) -> set[str]:
    async with database.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def current_revision(database: Database) -> str | None:
    async with database.engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


def schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_creates_every_table(empty_database: Database) -> None:
    assert await table_names(empty_database) == set()

    await empty_database.upgrade()

    assert await table_names(empty_database) == set(Base.metadata.tables) | {"alembic_version"}
    assert await current_revision(empty_database) == HEAD


async def test_models_and_migrations_agree(database: Database) -> None:
    async with database.engine.connect() as conn:
        diff = await conn.run_sync(schema_diff)

    assert diff == []


async def test_upgrade_twice_is_a_no_op(database: Database) -> None:
    async with database.sessions() as session:
        session.add(Organization(name="Школа", created_at=NOW))
        await session.commit()

    await database.upgrade()

    assert await current_revision(database) == HEAD
    async with database.sessions() as session:
        assert (await session.scalars(select(Organization.name))).all() == ["Школа"]


async def test_downgrade_to_base_then_upgrade_again(database: Database) -> None:
    await database.downgrade("base")

    assert await table_names(database) == {"alembic_version"}
    assert await current_revision(database) is None

    await database.upgrade()

    assert await table_names(database) == set(Base.metadata.tables) | {"alembic_version"}
    async with database.engine.connect() as conn:
        assert await conn.run_sync(schema_diff) == []
        count = await conn.scalar(text("SELECT count(*) FROM organizations"))
    assert count == 0
