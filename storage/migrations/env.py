"""Alembic environment: uses the connection `Database` passes in, else its own async engine.

`storage.db.Database.upgrade()` runs migrations on its engine and hands the connection over in
`config.attributes["connection"]`. Run by the `alembic` command line instead, the URL comes from
`sqlalchemy.url` or the DATABASE__URL environment variable.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, Enum
from sqlalchemy.ext.asyncio import create_async_engine

from storage.models import Base
from storage.types import ENUM_LENGTH, UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render the project's column types as plain SQLAlchemy types in migration scripts.

    Enums are VARCHARs without a CHECK, so a new member needs no migration; UTCDateTime is a
    timestamp with time zone. Migrations thus never import application code that may change.
    """
    if type_ != "type":
        return False
    if isinstance(obj, Enum):
        return f"sa.String(length={ENUM_LENGTH})"
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def configure(connection: Connection) -> None:
    """Configure the migration context on an open connection."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )


def run_on_connection(connection: Connection) -> None:
    """Run the migrations in the connection's transaction."""
    configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    """Open an engine of our own (command-line use) and migrate through it."""
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE__URL")
    if not url:
        raise RuntimeError("set sqlalchemy.url or DATABASE__URL to run migrations")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run_on_connection)
    finally:
        await engine.dispose()


def run_offline() -> None:
    """Emit SQL to stdout instead of running it (`alembic upgrade --sql`)."""
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE__URL")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=bool(url and url.startswith("sqlite")),
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif (given := config.attributes.get("connection")) is not None:
    run_on_connection(given)
else:
    asyncio.run(run_async())
