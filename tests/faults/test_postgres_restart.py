"""PostgreSQL restarted under load: no answer lost, no notification lost, no exception escapes.

The test starts its own throwaway PostgreSQL server with .ci/postgres.sh and builds the
whole bot on it. Twenty people walk the demo questionnaire at once, half from Telegram, half
from VK, while a delivery worker drains 60 due notifications into the fake Telegram and VK
servers. When a third of the updates have been answered and both fakes hold a send that reached
the person but whose answer the worker has not recorded yet, the server is killed
(`pg_ctl -m immediate`: no shutdown checkpoint, crash recovery on the next start).

While it is down, every update gets the localized `error-internal` reply (the transaction was
rolled back) and the worker's run fails, as APScheduler would log it. The person sends the same
thing again once the server is back. The test proves:

- nothing escapes `Conversation.handle`: every update gets either the next step or the
  internal-error reply, and after the restart (stale pooled connections, `pool_pre_ping`) no
  update fails at all;
- every answer acknowledged with the next step before or during the outage survived crash
  recovery, and everybody finishes the questionnaire with every answer stored;
- every notification ends SENT: once on VK (the resend of an interrupted send is dropped by its
  `random_id`), on Telegram once more per send whose outcome the kill lost, never more (README,
  "Crashes"); the worker fails only while the server is down.

The worker's clock is injected and moved past leases and backoffs instead of waiting for them.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web
from sqlalchemy import func, select

from bot.app import App, build_app, seed_demo
from bot.core.clock import FrozenClock
from bot.core.messages import Button, Incoming, Reply
from bot.handlers.telegram import TelegramSender
from bot.handlers.vk import VkSender, build_vk
from bot.services.outbox import DeliveryReport, DeliveryWorker, OutboxService, Sender
from storage import (
    Channel,
    DialogState,
    MessengerAccount,
    Notification,
    NotificationStatus,
    Participant,
    Person,
    QuestionnaireAnswer,
)
from tests.conftest import START, make_settings
from tests.e2e.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.e2e.fake_telegram import FakeTelegram
from tests.e2e.fake_vk import GROUP_ID, FakeVk
from tests.e2e.fake_vk import TOKEN as VK_TOKEN

REPO = Path(__file__).resolve().parents[2]
PEOPLE = 20
RECIPIENTS = 20  # half on VK, half on Telegram
ROUNDS = 3  # notifications per recipient
UPDATES = 7  # per person: /start, demo, name, role, birth date, class, confirm
KILL_AFTER = PEOPLE * UPDATES // 3  # answered updates before the server is killed
DELIVERED_BEFORE = 4  # sends per messenger that go through before the fakes hold the next ones
TIMEOUT = 30.0  # seconds any one wait may take before the test fails


# --- the throwaway server ---------------------------------------------------------------------


def postgres_binaries() -> bool:
    """Whether PostgreSQL is installed (.ci/postgres.sh would install it with apt-get)."""
    return bool(shutil.which("initdb") or any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Postgres:
    """A server started by .ci/postgres.sh, killed and started again by the test."""

    url: str
    pg_ctl: str
    data: Path
    port: int

    @property
    def base(self) -> Path:
        return self.data.parent

    def command(self, *args: str) -> list[str]:
        """A pg_ctl command line, run as `postgres` when root (the server refuses root)."""
        run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return [*run_as, self.pg_ctl, "-D", str(self.data), *args]

    def start_command(self) -> list[str]:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.base} -c fsync=off"
        return self.command("-l", str(self.base / "server.log"), "-w", "-t", "60", "-o", options)

    async def kill(self) -> None:
        """Stop at once, as a crash would: no checkpoint, connections cut."""
        await run(self.command("-m", "immediate", "-w", "stop"))

    async def start(self) -> None:
        await run([*self.start_command(), "start"])


async def run(command: list[str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode == 0, f"{command}: {output.decode(errors='replace')}"


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server of this test alone, on a free port; deleted afterwards."""
    if not postgres_binaries():
        pytest.skip("no PostgreSQL binaries (initdb, /usr/lib/postgresql/*/bin/pg_ctl)")
    port = free_port()
    started = subprocess.run(
        ["bash", str(REPO / ".ci" / "postgres.sh")],
        env={**os.environ, "PGPORT_CI": str(port)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    url = re.search(r"^export TEST_POSTGRES_URL=(\S+)$", started.stdout, re.M)
    stop = re.search(r"^# stop with: (\S+) -D (\S+) stop", started.stdout, re.M)
    assert url, started.stdout
    assert stop, started.stdout
    server = Postgres(url[1], stop[1], Path(stop[2]), port)
    try:
        yield server
    finally:
        subprocess.run(server.command("-m", "immediate", "stop"), capture_output=True, check=False)
        shutil.rmtree(server.base, ignore_errors=True)


@pytest.fixture
async def pg_app(postgres: Postgres) -> AsyncIterator[App]:
    """The whole bot on the throwaway server, every text id checked."""
    app = await build_app(make_settings(postgres.url), clock=FrozenClock(START), strict_texts=True)
    await seed_demo(app)
    yield app
    await app.close()


# --- fakes that hold a delivered send -----------------------------------------------------------


class HoldingFakeVk(FakeVk):
    """FakeVk whose messages.send from number `hold_from` on delivers, then answers only on
    `release()`: the message reached the person, the bot has not heard so yet."""

    def __init__(self) -> None:
        super().__init__()
        self.hold_from: int | None = None
        self.sends = 0
        self.held = 0
        self._released = asyncio.Event()

    def release(self) -> None:
        self.hold_from = None
        self._released.set()

    async def _method(self, request: web.Request) -> web.Response:
        response = await super()._method(request)  # the message is recorded here
        if request.match_info["name"] == "messages.send":
            self.sends += 1
            if self.hold_from is not None and self.sends > self.hold_from:
                self.held += 1
                await self._changed_now()
                await self._released.wait()
        return response


@dataclass
class HoldingFakeTelegram(FakeTelegram):
    """FakeTelegram whose sendMessage from number `hold_from` on delivers, then answers only on
    `release_held()`."""

    hold_from: int | None = None
    sends: int = 0

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method != "sendMessage":
            return await super()._answer(method, params)
        self.sends += 1
        if self.hold_from is not None and self.sends > self.hold_from:
            result = self._send(params, "text", None).to_json()
            await self._hold()
            return result
        return await super()._answer(method, params)

    def release_held(self) -> None:
        self.hold_from = None
        super().release_held()


@pytest.fixture
async def vk() -> AsyncIterator[HoldingFakeVk]:
    server = HoldingFakeVk()
    await server.start()
    yield server
    server.release()
    await server.stop()


@pytest.fixture
async def telegram() -> AsyncIterator[HoldingFakeTelegram]:
    server = HoldingFakeTelegram()
    await server.start()
    yield server
    server.release_held()
    await server.stop()


# --- the load -------------------------------------------------------------------------------------


@dataclass
class Outage:
    """Where the restart is; the walkers and the worker wait on `up` after a failure."""

    phase: str = "before"  # "before", "down" (from the kill until it is back), "after"
    answered: int = 0
    waiting: int = 0  # walkers (and the worker) that failed and wait for the server
    up: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def note(self, **counts: int) -> None:
        for name, delta in counts.items():
            setattr(self, name, getattr(self, name) + delta)
        async with self.changed:
            self.changed.notify_all()

    async def until(self, predicate: Any) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), TIMEOUT)


@dataclass
class Update:
    """One update a person sent and what came back."""

    started: str  # Outage.phase when it was sent
    ended: str  # ... and when the reply came
    ids: list[str]
    texts: list[str]


@dataclass
class Walker:
    """One person walking the demo questionnaire, sending the same thing again after an error."""

    number: int
    channel: Channel
    updates: list[Update] = field(default_factory=list)
    # Answers the bot acknowledged with the next step: field → value as stored.
    acknowledged: dict[str, str] = field(default_factory=dict)
    done: bool = False

    @property
    def user_id(self) -> str:
        return str(1000 + self.number)

    @property
    def name(self) -> str:
        return f"Ученик {'АБВГДЕЖЗИКЛМНОПРСТУФ'[self.number]}ов"

    @property
    def birth_date(self) -> date:
        return date(2013, 3, 1 + self.number)

    @property
    def grade(self) -> str:
        return f"{5 + self.number % 5}Б"

    @property
    def errors(self) -> list[Update]:
        return [update for update in self.updates if update.ids == ["error-internal"]]

    def next_input(self, last: list[Reply]) -> tuple[dict[str, Any], tuple[str, str] | None]:
        """What to send after the replies `last`, and the answer it gives (field, stored value)."""
        prompt = last[-1].text_id if last else None
        match prompt:
            case None:
                return {"text": "/start"}, None
            case "menu-title":
                return {"button": tap(last, "Попробовать анкету (демо)")}, None
            case "demo-ask-name":
                return {"text": self.name}, ("name", self.name)
            case "demo-ask-role":
                return {"button": tap(last, "Наставляемым")}, ("role", "mentee")
            case "demo-ask-birth-date":
                typed = self.birth_date.strftime("%d.%m.%Y")
                return {"text": typed}, ("birth_date", self.birth_date.isoformat())
            case "demo-ask-grade":
                return {"text": self.grade}, ("grade", self.grade)
            case "demo-review":
                return {"button": tap(last, "Всё верно")}, None
        raise AssertionError(f"person {self.number}: unexpected {[r.text_id for r in last]}")

    async def walk(self, app: App, outage: Outage) -> None:
        last: list[Reply] = []
        while not self.done:
            fields, answer = self.next_input(last)
            incoming = Incoming(
                self.channel, user_id=self.user_id, chat_id=self.user_id, language="ru", **fields
            )
            started = outage.phase
            replies = await app.conversation.handle(incoming)
            ids = [reply.text_id for reply in replies]
            self.updates.append(
                Update(started, outage.phase, ids, [reply.text for reply in replies])
            )
            if ids == ["error-internal"]:
                await outage.note(waiting=1)
                await outage.up.wait()
                continue  # the same input again
            last = replies
            if answer is not None:
                self.acknowledged[answer[0]] = answer[1]
            self.done = "demo-done" in ids
            await outage.note(answered=1)


def tap(replies: list[Reply], label: str) -> str:
    """The payload of the button with this label in the last replies."""
    buttons: list[Button] = [button for reply in replies for button in reply.flat_buttons]
    return next(button.payload for button in buttons if button.label == label)


async def plan_notifications(app: App, clock: FrozenClock) -> dict[int, Channel]:
    """ROUNDS due notifications for each of RECIPIENTS people; their peer ids and channels."""
    peers = {5000 + index: (Channel.VK, Channel.TELEGRAM)[index % 2] for index in range(RECIPIENTS)}
    async with app.database.transaction() as session:
        ids = {}
        for peer, channel in peers.items():
            person = Person(locale="ru", created_at=clock.now(), updated_at=clock.now())
            session.add(person)
            await session.flush()
            ids[peer] = person.id
            session.add(
                MessengerAccount(
                    person_id=person.id,
                    channel=channel,
                    external_user_id=str(peer),
                    chat_id=str(peer),
                    created_at=clock.now(),
                )
            )
        outbox = OutboxService(session, clock)
        for round_ in range(ROUNDS):
            for peer in peers:
                await outbox.plan(
                    key=f"restart-{peer}-{round_}",
                    kind="test",
                    recipient_id=ids[peer],
                    text_id="welcome-back",
                )
    return peers


async def undelivered(app: App) -> list[Notification]:
    async with app.database.sessions() as session:
        query = select(Notification).where(Notification.status != NotificationStatus.SENT)
        return list(await session.scalars(query))


async def deliver_all(
    app: App, worker: DeliveryWorker, clock: FrozenClock, outage: Outage
) -> list[tuple[str, BaseException]]:
    """Run the worker until every notification is SENT, as the scheduler's ticks would; a failed
    run is kept (APScheduler logs it) and the next one waits for the server. When nothing is due,
    the clock moves to the next retry or lapsed lease. Returns the failures, each with the phase
    its run started in."""
    failures: list[tuple[str, BaseException]] = []
    for _ in range(100):
        started = outage.phase
        try:
            if await worker.run_once() != DeliveryReport():
                continue
            left = await undelivered(app)
        except Exception as error:  # noqa: BLE001 - as APScheduler catches a failed job
            failures.append((started, error))
            await outage.note(waiting=1)
            await outage.up.wait()
            continue
        if not left:
            return failures
        assert all(
            row.status in {NotificationStatus.PENDING, NotificationStatus.SENDING} for row in left
        ), [(row.key, row.status, row.last_error) for row in left]
        due = [row.next_attempt_at or row.lease_until or clock.now() for row in left]
        clock.advance(max(min(due) - clock.now(), timedelta()) + timedelta(seconds=1))
    raise AssertionError(f"never delivered: {await undelivered(app)}")


@dataclass
class WalkerThen:
    """A walker when the server was back, before it went on: what the bot had acknowledged,
    and what was stored."""

    acknowledged: dict[str, str]
    answered: int  # updates answered with the next step
    errors: int
    done: bool
    state: DialogState
    full_name: str | None


@dataclass
class Restarted:
    """What the restart left: sends whose outcome was lost on each messenger, each walker then."""

    vk_lost: int
    telegram_lost: int
    walkers: list[WalkerThen] = field(default_factory=list)


async def sent_keys(app: App) -> list[str]:
    async with app.database.sessions() as session:
        query = select(Notification.key).where(Notification.status == NotificationStatus.SENT)
        return list(await session.scalars(query))


async def dialog_states(app: App) -> dict[str, DialogState]:
    async with app.database.sessions() as session:
        return {row.external_user_id: row for row in await session.scalars(select(DialogState))}


async def full_names(app: App) -> dict[int, str | None]:
    async with app.database.sessions() as session:
        rows = await session.execute(select(Person.id, Person.full_name))
        return dict(rows.all())


def demo_data(state: DialogState) -> dict[str, Any]:
    """The answers kept in the demo frame of a stored dialog state ({} outside the demo)."""
    frames = state.state.get("stack") or []
    return next((dict(frame["data"]) for frame in frames if frame["dialog"] == "demo"), {})


async def test_postgres_killed_under_load_loses_no_answer_and_no_notification(
    postgres: Postgres, pg_app: App, vk: HoldingFakeVk, telegram: HoldingFakeTelegram
) -> None:
    app = pg_app
    worker_clock = FrozenClock(START)
    peers = await plan_notifications(app, worker_clock)
    vk.hold_from = telegram.hold_from = DELIVERED_BEFORE
    vk_channel = build_vk(app.conversation, VK_TOKEN, GROUP_ID, vk.url, rate_limit=1000.0)
    bot = Bot(
        TELEGRAM_TOKEN,
        session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url)),
    )
    senders: dict[Channel, Sender] = {
        Channel.VK: VkSender(vk_channel),
        Channel.TELEGRAM: TelegramSender(bot),
    }
    worker = DeliveryWorker(app.database, app.translator, senders, worker_clock, batch=20)
    walkers = [
        Walker(number, (Channel.TELEGRAM, Channel.VK)[number % 2]) for number in range(PEOPLE)
    ]
    outage = Outage()
    outage.up.set()

    async def restart() -> Restarted:
        """Kill the server mid-load, wait until everybody has run into it, start it again."""
        await outage.until(lambda: outage.answered >= KILL_AFTER)
        await vk.wait_for(lambda: vk.held > 0, timeout=TIMEOUT)
        await telegram.wait_for(lambda: telegram.held > 0, timeout=TIMEOUT)
        outage.up.clear()
        outage.phase = "down"
        await postgres.kill()
        vk.release()
        telegram.release_held()
        # Every walker still walking, and the worker, fails and waits for the server.
        await outage.until(lambda: outage.waiting >= 1 + sum(not walker.done for walker in walkers))
        await postgres.start()
        # Read through pooled connections the kill broke.
        states, names = await dialog_states(app), await full_names(app)
        recorded = [peers[int(key.split("-")[1])] for key in await sent_keys(app)]
        # Sends that reached the messenger but whose outcome the kill lost: those held across
        # it, and those answered in flight before their outcome could be written.
        restarted = Restarted(
            vk.sends - recorded.count(Channel.VK),
            telegram.sends - recorded.count(Channel.TELEGRAM),
        )
        for walker in walkers:
            state = states[walker.user_id]
            assert state.person_id is not None
            restarted.walkers.append(
                WalkerThen(
                    dict(walker.acknowledged),
                    len([u for u in walker.updates if u.ids != ["error-internal"]]),
                    len(walker.errors),
                    walker.done,
                    state,
                    names[state.person_id],
                )
            )
        outage.phase = "after"
        outage.up.set()
        return restarted

    delivery = asyncio.create_task(deliver_all(app, worker, worker_clock, outage))
    walking = asyncio.gather(*(walker.walk(app, outage) for walker in walkers))
    try:
        restarted = await restart()
        await walking
        worker_failures = await delivery
    finally:
        for task in (delivery, walking):
            task.cancel()  # only left running when the test already failed
        await vk_channel.close()
        await bot.session.close()

    # (a) Nothing escaped: every update was answered, the failed ones with the internal error.
    internal_error = app.translator("ru", "error-internal")
    errors = [update for walker in walkers for update in walker.errors]
    assert all(update.texts == [internal_error] for update in errors)
    assert all(update.ended != "before" for update in errors), "failed only from the kill on"
    assert all(update.started != "after" for update in errors), "none failed after the restart"
    assert sum(bool(walker.errors) for walker in walkers) >= PEOPLE // 2, "the kill hit mid-walk"
    assert worker_failures, "the worker's run was cut off too"
    assert all(started != "after" for started, _ in worker_failures), worker_failures

    # (b) What was acknowledged before the server came back survived its crash recovery ...
    for then in restarted.walkers:
        # An update whose commit reached the server just before the kill may have failed in
        # the person's eyes and still be stored; nothing acknowledged may be missing.
        assert then.answered <= then.state.revision <= then.answered + then.errors
        data = demo_data(then.state)
        if data or not then.done:
            assert then.acknowledged.items() <= data.items(), (then.acknowledged, data)
        else:
            assert then.full_name == then.acknowledged["name"], "enrolled before the kill"
    # ... and everybody finished, every answer stored.
    assert all(walker.done for walker in walkers)
    states = await dialog_states(app)
    async with app.database.sessions() as session:
        for walker in walkers:
            assert walker.acknowledged == {
                "name": walker.name,
                "role": "mentee",
                "birth_date": walker.birth_date.isoformat(),
                "grade": walker.grade,
            }
            answered = [u for u in walker.updates if u.ids != ["error-internal"]]
            assert states[walker.user_id].revision == len(answered)
            person = await session.get(Person, states[walker.user_id].person_id)
            assert person is not None
            assert (person.full_name, person.birth_date, person.grade) == (
                walker.name,
                walker.birth_date,
                walker.grade,
            )
            answers = {
                answer.question_id: answer.value
                for answer in await session.scalars(
                    select(QuestionnaireAnswer)
                    .join(Participant, Participant.id == QuestionnaireAnswer.participant_id)
                    .where(Participant.person_id == person.id)
                )
            }
            assert answers["birth_date"] == walker.birth_date.isoformat()
            assert answers["grade"] == walker.grade
        assert await session.scalar(select(func.count()).select_from(Participant)) == PEOPLE

    # (c) Every notification SENT; VK dropped each resend, Telegram showed at most one twice.
    assert await undelivered(app) == []
    welcome_back = app.translator("ru", "welcome-back")
    for peer, channel in peers.items():
        if channel is Channel.VK:
            assert [m.text for m in vk.to(peer)] == [welcome_back] * ROUNDS
    # Each send whose outcome was lost was sent again, once (the held ones at least).
    assert restarted.vk_lost > 0
    assert restarted.telegram_lost > 0
    assert len(vk.duplicates) == restarted.vk_lost
    for peer, channel in peers.items():
        if channel is Channel.TELEGRAM:
            texts = [m.text for m in telegram.messages(peer)]
            assert texts[:ROUNDS] == [welcome_back] * ROUNDS
            assert texts[ROUNDS:] in ([], [welcome_back]), "one duplicate at most"
    telegram_messages = [
        m
        for peer, channel in peers.items()
        if channel is Channel.TELEGRAM
        for m in telegram.messages(peer)
    ]
    assert len(telegram_messages) == RECIPIENTS // 2 * ROUNDS + restarted.telegram_lost
