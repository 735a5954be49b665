"""The conversation entry point every channel calls: one update in, replies out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, bindparam, update

from bot.core.clock import Clock
from bot.core.i18n import Translator
from bot.core.messages import LINK_BUTTON, Incoming, Reply
from bot.dialogs.engine import Engine, Push, Reject, StaleState, State, StepContext
from bot.services import Policy, Services
from storage import Database, DialogState
from storage.db import insert_or_lock

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)

# Commands people may type in another form.
ALIASES = {"consent": "consents"}
# How many update ids a conversation remembers. Telegram and VK redeliver an update within
# minutes and hold the newer ones back meanwhile, so a copy never trails twenty others.
RECENT_UPDATES = 20


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command: `/start abc` → name `start`, argument `abc`."""

    name: str
    argument: str

    @classmethod
    def parse(cls, text: str) -> Command | None:
        """The command in `text`, if it is one."""
        if not text.startswith("/") or len(text) < 2:
            return None
        head, _, argument = text[1:].partition(" ")
        return cls(head.split("@", 1)[0].lower(), argument.strip())


class KeyedLocks:
    """One asyncio lock per conversation, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._users: dict[tuple[str, str], int] = {}

    @asynccontextmanager
    async def hold(self, key: tuple[str, str]) -> AsyncIterator[None]:
        """Hold the lock of `key` for the duration of the block."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]


class Conversation:
    """Handles updates one conversation at a time, one transaction per update."""

    def __init__(
        self,
        database: Database,
        engine: Engine,
        translator: Translator,
        clock: Clock,
        *,
        max_input_chars: int = 4000,
        policy: Policy | None = None,
    ) -> None:
        self.policy = policy or Policy()
        self.database = database
        self.engine = engine
        self.translator = translator
        self.clock = clock
        self.max_input_chars = max_input_chars
        self._locks = KeyedLocks()
        # The state row is read and written with two Core statements built once with
        # parameters: building them, and the ORM's unit of work around them, cost more than
        # running them.
        self._lock_statement = insert_or_lock(
            database,
            DialogState,
            ["channel", "external_user_id"],
            channel=bindparam("channel"),
            external_user_id=bindparam("user_id"),
            state={},
            revision=0,
            recent_updates=[],
            updated_at=bindparam("now"),
        ).returning(DialogState.id, DialogState.state, DialogState.recent_updates)
        self._save_statement = (
            update(DialogState)
            .where(DialogState.id == bindparam("row_id"))
            .values(
                person_id=bindparam("person_id"),
                state=bindparam("new_state"),
                revision=DialogState.revision + 1,
                updated_at=bindparam("now"),
                recent_updates=bindparam("updates"),
            )
        )

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Process one update and return what to show the person."""
        key = (incoming.channel.value, incoming.user_id)
        async with self._locks.hold(key):
            try:
                return await self._handle(incoming)
            except Exception:
                # The transaction was rolled back, so the state is as before this update.
                log.exception("update from %s:%s failed", *key)
                locale = self.translator.pick_locale(incoming.language)
                return [Reply(self.translator(locale, "error-internal"), "error-internal")]

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        async with self.database.transaction() as session:
            connection = await session.connection()
            row = await self._lock_state(connection, incoming)
            key = incoming.update_key
            if key is not None and key in row.recent_updates:
                log.info("update %s was handled already: ignored", key)
                return []
            services = Services(session, self.clock, self.policy)
            person, account, first_contact = await services.people.touch(
                incoming, locale=self.translator.pick_locale(incoming.language)
            )
            registry = self.engine.registry
            try:
                state = State.from_json(row.state, registry)
                reset = False
            except StaleState as error:
                log.warning("state of %s:%s reset: %s", incoming.channel, incoming.user_id, error)
                state, reset = State.fresh(registry), True
            ctx = StepContext(
                session,
                services,
                person,
                account,
                incoming,
                self.clock,
                self.translator,
                state.stack[-1],
            )
            if reset:
                ctx.say("state-reset")
            elif first_contact:
                ctx.say("welcome")
            replies = await self._dispatch(state, ctx, incoming, fresh=reset or first_contact)
            await session.flush()  # the person the row points to may be new
            updates = row.recent_updates
            if key is not None:
                updates = [*updates[1 - RECENT_UPDATES :], key]
            # A step that erased the person or unlinked this account deleted the row: then
            # this updates nothing.
            await connection.execute(
                self._save_statement,
                {
                    "row_id": row.id,
                    "person_id": ctx.person.id,
                    "new_state": state.to_json(),
                    "now": self.clock.now(),
                    "updates": updates,
                },
            )
        return replies

    async def _lock_state(self, connection: AsyncConnection, incoming: Incoming) -> Row[Any]:
        """The conversation's state row (id, state, recent updates), created empty if new and
        locked until the commit.

        One upsert that locks the row (waiting if another worker is inserting or holding it)
        serialises the updates of one conversation across processes on PostgreSQL, first contact
        included; SQLite has a single writer anyway.
        """
        parameters = {
            "channel": incoming.channel,
            "user_id": incoming.user_id,
            "now": self.clock.now(),
        }
        return (await connection.execute(self._lock_statement, parameters)).one()

    async def _dispatch(
        self, state: State, ctx: StepContext, incoming: Incoming, *, fresh: bool
    ) -> list[Reply]:
        engine = self.engine
        text = (incoming.text or "").strip()
        if incoming.button is not None and incoming.button.startswith(LINK_BUTTON):
            command: Command | None = Command("start", incoming.button[len(LINK_BUTTON) :])
        elif incoming.start_payload is not None:
            command = Command("start", incoming.start_payload)
        else:
            command = Command.parse(text)
        if command is not None:
            return await self._command(state, ctx, command, fresh=fresh)
        if fresh or state.keyboard is None:
            return await engine.render(state, ctx)
        if incoming.button is not None:
            return await engine.choose(state, ctx, incoming.button)
        if not text:
            expected = "input-text-expected" if state.keyboard.accepts_text else "input-use-buttons"
            return await engine.apply(state, ctx, Reject(expected))
        if len(text) > self.max_input_chars:
            return await engine.apply(
                state, ctx, Reject("input-too-long", {"limit": self.max_input_chars})
            )
        return await engine.text(state, ctx, text)

    async def _command(
        self, state: State, ctx: StepContext, command: Command, *, fresh: bool
    ) -> list[Reply]:
        engine = self.engine
        match command.name:
            case "start" if command.argument:
                del state.stack[1:]
                for handler in engine.registry.links:
                    outcome = await handler(ctx, command.argument)
                    if outcome is not None:
                        return await engine.apply(state, ctx, outcome)
                ctx.say("link-invalid")
                return await engine.render(state, ctx)
            case "start":
                # Nothing typed so far is dropped: the current step is shown again.
                if not fresh:
                    ctx.say("welcome-back")
                return await engine.render(state, ctx)
            case "menu":
                del state.stack[1:]
                return await engine.render(state, ctx)
            case "cancel":
                return await engine.cancel(state, ctx)
            case "back":
                return await engine.back(state, ctx)
            case "help":
                ctx.say("help")
                return await engine.render(state, ctx)
            case "lang":
                return await engine.apply(state, ctx, Push("lang"))
            case "privacy" | "delete_me" | "consents" | "consent" | "digest" if (
                name := ALIASES.get(command.name, command.name)
            ) in engine.registry:
                del state.stack[1:]
                return await engine.apply(state, ctx, Push(name))
            case _:
                ctx.say("command-unknown", command=command.name[:32])
                return await engine.render(state, ctx)
