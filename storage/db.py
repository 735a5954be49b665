"""The database handle: async engine, session factory and programmatic Alembic migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import inline_sqlite


def insert_or_skip(on: AsyncSession | Database, entity: Any, keys: list[str]) -> Any:
    """`INSERT ... ON CONFLICT (keys) DO NOTHING` for the database of `on` (SQLite or
    PostgreSQL); add `.values(...)`. On PostgreSQL it waits for a concurrent insert of the same
    key to commit or roll back, so it also serialises racing creators."""
    return _insert(on, entity).on_conflict_do_nothing(index_elements=keys)


def insert_or_lock(on: AsyncSession | Database, entity: Any, keys: list[str], **values: Any) -> Any:
    """The row of `entity` with these `keys` (inserted with `values` when missing), locked until
    the commit: `INSERT ... ON CONFLICT (keys) DO UPDATE` (a no-op update, which on PostgreSQL
    locks the row as `FOR UPDATE` would, and waits for a concurrent insert of the same key);
    add `.returning(...)` to read the row in the same statement."""
    touch = {keys[0]: getattr(entity, keys[0])}
    return (
        _insert(on, entity).values(**values).on_conflict_do_update(index_elements=keys, set_=touch)
    )


def insert_or_update(
    on: AsyncSession | Database, entity: Any, keys: list[str], **values: Any
) -> Any:
    """`INSERT ... ON CONFLICT (keys) DO UPDATE` setting `values` on the row that is there."""
    update = {name: value for name, value in values.items() if name not in keys}
    return (
        _insert(on, entity).values(**values).on_conflict_do_update(index_elements=keys, set_=update)
    )


def _insert(on: AsyncSession | Database, entity: Any) -> Any:
    """The dialect's INSERT of `entity`: a statement for a session, or one built ahead for a
    database."""
    bind = on.engine if isinstance(on, Database) else on.get_bind()
    dialect = bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(entity)


# PostgreSQL connections a process keeps open once a burst has needed them (transaction() queues
# for them). Not SQLAlchemy's 5 kept + 10 overflow: an overflow connection is closed as soon as it
# is handed back, so every burst opened them again, each with asyncpg's set-up queries and every
# statement prepared anew — bench/inbound, 1,000 people paced: 83 connections opened in one run.
POOL_SIZE = 15
# Transactions a process runs at once on PostgreSQL. They share one event loop, so past a few
# (enough to overlap the round trips) more at once only slow each one down: a cluster of updates
# all finished late. bench/inbound, 100 people paced, p95 in three runs each: 15 turns 74-204 ms,
# 3 turns 44-52 ms, 4 turns 23-37 ms; a burst of 1,000: 271, 233 and 272 updates/s. The pool's
# other connections serve sessions outside transactions.
POSTGRES_TURNS = 4

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


# Applied to every new SQLite connection. WAL lets readers work while one writer writes;
# busy_timeout 0, because a writer that finds the file locked waits in storage/inline_sqlite.py,
# where the event loop goes on meanwhile, not inside SQLite; SQLite leaves foreign keys off
# unless asked; NORMAL is durable enough under WAL and much faster than FULL.
SQLITE_PRAGMAS: tuple[str, ...] = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=0",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)


class Database:
    """Async engine + session factory for one database URL."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            _ensure_sqlite_directory(parsed.database)
            self.engine: AsyncEngine = create_async_engine(
                url, echo=echo, async_creator=inline_sqlite.connector(parsed)
            )
            _install_sqlite_listeners(self.engine)
        else:
            self.engine = create_async_engine(
                url,
                echo=echo,
                pool_pre_ping=True,
                pool_size=POOL_SIZE,
                max_overflow=0,
            )
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )
        # Transactions wait here for their turn, first come first served and without a time
        # limit: SQLite has one writer at a time, and queueing writers here is fairer and faster
        # than letting them poll the file's lock; on PostgreSQL a few turns (POSTGRES_TURNS), and
        # a flash crowd queues here instead of some of it failing after the pool's 30 s timeout
        # (bench/inbound, 1,000 people at once on PostgreSQL: one update did).
        self._turns = asyncio.Semaphore(1 if self.is_sqlite else POSTGRES_TURNS)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction, committed at the end of the block (rolled back on error).

        On SQLite, transactions of this process run one at a time; on PostgreSQL as many as
        there are pooled connections. Not to be nested.
        """
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(self._turns)
            session = await stack.enter_async_context(self.sessions())
            await stack.enter_async_context(session.begin())
            yield session

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (the single-school default) rather than PostgreSQL."""
        return self.engine.dialect.name == "sqlite"

    async def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema up to `revision` (Alembic), from inside a running event loop."""
        await self._migrate(lambda cfg: command.upgrade(cfg, revision))

    async def downgrade(self, revision: str) -> None:
        """Migrate the schema down to `revision` ("base" drops every table)."""
        await self._migrate(lambda cfg: command.downgrade(cfg, revision))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    def alembic_config(self) -> Config:
        """An Alembic config for this database, built in code (there is no alembic.ini)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        # ConfigParser interpolates "%"; URL-encoded passwords contain it.
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    async def _migrate(self, action: Any) -> None:
        cfg = self.alembic_config()

        def run(connection: Connection) -> None:
            cfg.attributes["connection"] = connection
            action(cfg)

        if not self.is_sqlite:
            async with self.engine.begin() as conn:
                await conn.run_sync(run)
            return

        async with self.engine.connect() as conn:
            await conn.run_sync(_run_sqlite_migration, run)


def _run_sqlite_migration(connection: Connection, run: Any) -> None:
    """Run a migration with foreign keys off, as SQLite requires for batch table rebuilds.

    Batch mode recreates a table and drops the old one; with foreign keys on, that drop would fire
    ON DELETE CASCADE on the rows that reference it. The pragma only works outside a transaction,
    so it is set on the raw connection before the migration's transaction begins, and the keys are
    checked before that transaction commits.
    """
    _raw_execute(connection, "PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            run(connection)
            violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if violations:
                raise RuntimeError(f"migration left broken foreign keys: {violations[:5]}")
    finally:
        _raw_execute(connection, "PRAGMA foreign_keys=ON")


def _raw_execute(connection: Connection, sql: str) -> None:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def _ensure_sqlite_directory(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_listeners(engine: AsyncEngine) -> None:
    """Set the pragmas on each connection and let SQLAlchemy, not the driver, open transactions.

    The sqlite3 module starts a transaction only before DML, so reads and DDL would run outside
    one and SAVEPOINT would not work; the fix recommended by SQLAlchemy is to switch the driver's
    own handling off and emit BEGIN whenever SQLAlchemy begins.

    BEGIN IMMEDIATE takes the write lock up front, so concurrent transactions wait for each other
    (storage/inline_sqlite.py) instead of failing with "database is locked" when a read
    transaction tries to become a write transaction after another writer committed (SQLite
    does not wait in that case).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
