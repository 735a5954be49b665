"""The Telegram webhook and the VK Callback API end to end: updates posted over HTTP as Telegram
and VK post them, the real aiogram bot and VK channel answering through the local fakes."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.handlers.telegram import build_telegram
from bot.handlers.vk import build_vk
from bot.handlers.webhook import TelegramWebhook, VkCallback, WebServer
from storage import Channel, DialogState
from tests.conftest import bot_env
from tests.e2e import fake_vk
from tests.e2e.fake_telegram import DATE, FakeTelegram, TelegramError
from tests.e2e.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.e2e.fake_vk import GROUP_ID, FakeVk

WEBHOOK_URL = "https://bot.school.example/telegram/hook"
WEBHOOK_PATH = "/telegram/hook"
SECRET = "webhook-Secret_42"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
VK_PATH = "/vk"
VK_SECRET = "vk-callback-secret"
CONFIRMATION = "a1b2c3d4"
WELCOME = "Здравствуйте! Я «Наставник»"
MENU_TITLE = "Главное меню. Что хотите сделать?"
DEMO = "Попробовать анкету (демо)"
MISHA, INTRUDER = 1001, 6666


@pytest.fixture
async def telegram_fake() -> AsyncIterator[FakeTelegram]:
    """A fake Bot API server on a free local port."""
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def vk_fake() -> AsyncIterator[FakeVk]:
    """A fake VK API server; every API error it returned fails the test."""
    fake = FakeVk()
    await fake.start()
    yield fake
    await fake.stop()
    assert fake.errors == []


def build_server(app: App, telegram: FakeTelegram, vk: FakeVk) -> WebServer:
    """Both endpoints on one server on a free port of 127.0.0.1."""
    bot, dispatcher = build_telegram(app.conversation, TELEGRAM_TOKEN, telegram.base_url)
    channel = build_vk(app.conversation, fake_vk.TOKEN, GROUP_ID, vk.url)
    return WebServer(
        "127.0.0.1",
        0,
        [
            TelegramWebhook(bot, dispatcher, url=WEBHOOK_URL, secret=SECRET),
            VkCallback(
                channel,
                path=VK_PATH,
                group_id=GROUP_ID,
                confirmation=CONFIRMATION,
                secret=VK_SECRET,
            ),
        ],
    )


@dataclass
class Poster:
    """Posts to the bot's server the way Telegram and VK do."""

    http: aiohttp.ClientSession
    base_url: str

    async def telegram(
        self, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """An update with the right secret unless other headers are given."""
        headers = {SECRET_HEADER: SECRET} if headers is None else headers
        return await self._post(WEBHOOK_PATH, body, headers)

    async def vk(
        self, body: dict[str, Any] | bytes, secret: str | None = VK_SECRET
    ) -> tuple[int, str]:
        """A Callback API request with the secret (and the community id) VK adds."""
        if isinstance(body, dict):
            body = {"group_id": GROUP_ID, **body}
            if secret is not None:
                body["secret"] = secret
        return await self._post(VK_PATH, body, {})

    async def _post(
        self, path: str, body: dict[str, Any] | bytes, headers: dict[str, str]
    ) -> tuple[int, str]:
        if isinstance(body, dict):
            headers = {**headers, "Content-Type": "application/json"}
            body = json.dumps(body).encode()
        async with self.http.post(self.base_url + path, data=body, headers=headers) as response:
            return response.status, await response.text()


@pytest.fixture
async def server(
    app: App, telegram_fake: FakeTelegram, vk_fake: FakeVk
) -> AsyncIterator[WebServer]:
    """The bot serving the Telegram webhook and the VK Callback API."""
    server = build_server(app, telegram_fake, vk_fake)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def post(server: WebServer) -> AsyncIterator[Poster]:
    """An HTTP client posting to the server."""
    async with aiohttp.ClientSession() as http:
        yield Poster(http, f"http://127.0.0.1:{server.port}")


UPDATE_IDS = count(1)


def telegram_update(user_id: int, text: str) -> dict[str, Any]:
    """A private text message as Telegram posts it to a webhook."""
    update_id = next(UPDATE_IDS)
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": DATE,
        "chat": {"id": user_id, "type": "private", "first_name": "Миша"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Миша", "language_code": "ru"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


async def state_rows(app: App, channel: Channel, user_id: int) -> int:
    """How many dialog states the person has."""
    async with app.database.sessions() as session:
        rows = await session.scalar(
            select(func.count())
            .select_from(DialogState)
            .where(DialogState.channel == channel, DialogState.external_user_id == str(user_id))
        )
        return rows or 0


async def telegram_start(post: Poster, fake: FakeTelegram, user_id: int = MISHA) -> None:
    """/start from a person, answered with the welcome and the menu."""
    assert await post.telegram(telegram_update(user_id, "/start")) == (200, "{}")
    await fake.wait_for(lambda: len(fake.messages(user_id)) >= 2, timeout=10)
    welcome, menu = fake.messages(user_id)
    assert (welcome.text or "").startswith(WELCOME)
    assert menu.text == MENU_TITLE
    assert DEMO in menu.labels


async def vk_start(post: Poster, fake: FakeVk, user_id: int = MISHA) -> None:
    """A first message from a person, answered with the welcome and the menu."""
    await fake.user_writes(user_id, "Начать")
    assert await post.vk(fake.updates[-1]) == (200, "ok")
    await fake.wait_for(lambda: len(fake.to(user_id)) >= 2)
    welcome, menu = fake.to(user_id)
    assert welcome.text.startswith(WELCOME)
    assert menu.text == MENU_TITLE
    assert DEMO in menu.labels


# --- Telegram ---------------------------------------------------------------------------------


async def test_start_sets_the_webhook_with_url_and_secret(
    server: WebServer, telegram_fake: FakeTelegram
) -> None:
    assert telegram_fake.webhook is not None
    assert telegram_fake.webhook["url"] == WEBHOOK_URL
    assert telegram_fake.webhook["secret_token"] == SECRET
    assert telegram_fake.webhook["allowed_updates"] == ["callback_query", "message"]
    assert "deleteWebhook" not in telegram_fake.methods()


async def test_telegram_update_is_answered(post: Poster, telegram_fake: FakeTelegram) -> None:
    await telegram_start(post, telegram_fake)


@pytest.mark.parametrize(
    "headers",
    [{SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}, {}, {SECRET_HEADER: ""}],
    ids=["wrong", "longer", "missing", "empty"],
)
async def test_telegram_update_without_the_secret_is_refused(
    app: App, post: Poster, telegram_fake: FakeTelegram, headers: dict[str, str]
) -> None:
    assert await post.telegram(telegram_update(INTRUDER, "/start"), headers) == (
        401,
        "Unauthorized",
    )
    # Refused before any handling started; a real update still goes through.
    await telegram_start(post, telegram_fake)
    assert telegram_fake.messages(INTRUDER) == []
    assert await state_rows(app, Channel.TELEGRAM, INTRUDER) == 0


async def test_telegram_non_ascii_secret_is_refused(post: Poster) -> None:
    # aiohttp's client sends header values as UTF-8; the server reads them back as text.
    status, _ = await post.telegram(telegram_update(INTRUDER, "/start"), {SECRET_HEADER: "сек"})
    assert status == 401


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"update_id": "many"}', b"\xff", b""],
    ids=["broken", "array", "not-an-update", "bytes", "empty"],
)
async def test_telegram_malformed_body_is_400(post: Poster, body: bytes) -> None:
    status, _ = await post.telegram(body)
    assert status == 400


async def test_set_webhook_is_retried_after_429(app: App, vk_fake: FakeVk) -> None:
    class BusyTelegram(FakeTelegram):
        """Answers the first setWebhook with 429, as when several workers start at once."""

        busy = True

        async def _answer(self, method: str, params: dict[str, Any]) -> Any:
            if method == "setWebhook" and self.busy:
                self.busy = False
                raise TelegramError(429, "Too Many Requests: retry after 1", retry_after=1)
            return await super()._answer(method, params)

    fake = BusyTelegram()
    await fake.start()
    server = build_server(app, fake, vk_fake)
    try:
        await server.start()
        await server.stop()
    finally:
        await fake.stop()
    assert fake.methods() == ["setWebhook", "setWebhook"]
    assert fake.webhook is not None
    assert fake.webhook["url"] == WEBHOOK_URL


async def test_stop_finishes_updates_in_flight(
    app: App, telegram_fake: FakeTelegram, vk_fake: FakeVk
) -> None:
    server = build_server(app, telegram_fake, vk_fake)
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            post = Poster(http, f"http://127.0.0.1:{server.port}")
            assert await post.telegram(telegram_update(MISHA, "/start")) == (200, "{}")
            await vk_fake.user_writes(MISHA, "Начать")
            assert await post.vk(vk_fake.updates[-1]) == (200, "ok")
    finally:
        await server.stop()
    # Both were answered with 200 before they were handled; stopping waited for them.
    assert len(telegram_fake.messages(MISHA)) == 2
    assert len(vk_fake.to(MISHA)) == 2


def test_two_endpoints_on_one_path_are_refused(app: App) -> None:
    bot, dispatcher = build_telegram(app.conversation, TELEGRAM_TOKEN, "http://127.0.0.1:9")
    channel = build_vk(app.conversation, fake_vk.TOKEN, GROUP_ID, "http://127.0.0.1:9")
    webhook = TelegramWebhook(bot, dispatcher, url="https://bot.example/vk", secret=SECRET)
    callback = VkCallback(
        channel, path="/vk", group_id=GROUP_ID, confirmation=CONFIRMATION, secret=VK_SECRET
    )
    with pytest.raises(ValueError, match="share a path"):
        WebServer("127.0.0.1", 0, [webhook, callback])


# --- VK ---------------------------------------------------------------------------------------


async def test_vk_confirmation_returns_the_configured_string(post: Poster) -> None:
    assert await post.vk({"type": "confirmation"}, secret=None) == (200, CONFIRMATION)


async def test_vk_answers_are_plain_text(server: WebServer, vk_fake: FakeVk) -> None:
    await vk_fake.user_writes(MISHA, "Начать")
    body = {**vk_fake.updates[-1], "secret": VK_SECRET}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"http://127.0.0.1:{server.port}{VK_PATH}", json=body) as response,
    ):
        assert response.content_type == "text/plain"
        assert await response.text() == "ok"
    await vk_fake.wait_for(lambda: len(vk_fake.to(MISHA)) >= 2)


async def test_vk_message_is_answered_ok_and_handled(post: Poster, vk_fake: FakeVk) -> None:
    await vk_start(post, vk_fake)


@pytest.mark.parametrize("secret", ["wrong", "", None], ids=["wrong", "empty", "missing"])
async def test_vk_wrong_secret_is_refused(
    app: App, post: Poster, vk_fake: FakeVk, secret: str | None
) -> None:
    await vk_fake.user_writes(INTRUDER, "Начать")
    assert await post.vk(vk_fake.updates[-1], secret=secret) == (401, "Unauthorized")
    await vk_start(post, vk_fake)
    assert vk_fake.to(INTRUDER) == []
    assert await state_rows(app, Channel.VK, INTRUDER) == 0


async def test_vk_other_community_is_forbidden(app: App, post: Poster, vk_fake: FakeVk) -> None:
    await vk_fake.user_writes(INTRUDER, "Начать")
    other = {**vk_fake.updates[-1], "group_id": GROUP_ID + 1, "secret": VK_SECRET}
    assert await post.vk(other) == (403, "Forbidden")
    assert await post.vk({"type": "confirmation", "group_id": GROUP_ID + 1}) == (403, "Forbidden")
    await vk_start(post, vk_fake)
    assert vk_fake.to(INTRUDER) == []
    assert await state_rows(app, Channel.VK, INTRUDER) == 0


async def test_vk_retries_of_an_event_are_handled_once(post: Poster, vk_fake: FakeVk) -> None:
    # VK posts an event again when it missed our "ok". One person's updates are handled in
    # order, so once a later update is answered, a handled retry would show before it.
    await vk_fake.user_writes(MISHA, "Начать")
    for _ in range(2):
        assert await post.vk(vk_fake.updates[-1]) == (200, "ok")
    await vk_fake.wait_for(lambda: len(vk_fake.to(MISHA)) >= 2)
    event_id = await vk_fake.tap(MISHA, DEMO)
    for _ in range(2):
        assert await post.vk(vk_fake.updates[-1]) == (200, "ok")
    await vk_fake.user_writes(MISHA, "Миша Иванов")
    assert await post.vk(vk_fake.updates[-1]) == (200, "ok")
    await vk_fake.wait_for(lambda: len(vk_fake.to(MISHA)) >= 4)

    texts = [message.text for message in vk_fake.to(MISHA)]
    assert len(texts) == 4, texts
    assert texts[0].startswith(WELCOME)
    assert texts[1] == MENU_TITLE
    assert texts[2].startswith("Шаг 1 из 4.")
    assert texts[3].startswith("Шаг 2 из 4.")
    assert vk_fake.answered == [event_id]  # a second answer would be a fake VK error too


async def test_reposts_to_another_worker_are_handled_once(
    app: App, post: Poster, telegram_fake: FakeTelegram, vk_fake: FakeVk
) -> None:
    """Telegram re-posts an update it got no answer for, VK repeats an event, and behind a
    balancer the copy may reach another worker, which has not seen it: the database knows."""
    other = build_server(app, telegram_fake, vk_fake)
    await other.start()
    try:
        async with aiohttp.ClientSession() as http:
            copy = Poster(http, f"http://127.0.0.1:{other.port}")
            hello = telegram_update(MISHA, "/start")
            assert await post.telegram(hello) == (200, "{}")
            await telegram_fake.wait_for(lambda: len(telegram_fake.messages(MISHA)) >= 2)
            assert await copy.telegram(hello) == (200, "{}")
            assert await copy.telegram(telegram_update(MISHA, "/help")) == (200, "{}")
            await telegram_fake.wait_for(lambda: len(telegram_fake.messages(MISHA)) >= 4)

            await vk_fake.user_writes(MISHA, "Начать")
            assert await post.vk(vk_fake.updates[-1]) == (200, "ok")
            await vk_fake.wait_for(lambda: len(vk_fake.to(MISHA)) >= 2)
            assert await copy.vk(vk_fake.updates[-1]) == (200, "ok")
            await vk_fake.user_writes(MISHA, "/help")
            assert await copy.vk(vk_fake.updates[-1]) == (200, "ok")
            await vk_fake.wait_for(lambda: len(vk_fake.to(MISHA)) >= 4)
    finally:
        await other.stop()
    # Each person's updates are handled in order, so a handled copy would show before the help.
    # The help comes with the menu again: welcome, menu, help, menu, and nothing in between.
    for texts in (
        [message.text or "" for message in telegram_fake.messages(MISHA)],
        [message.text for message in vk_fake.to(MISHA)],
    ):
        assert len(texts) == 4, [text[:40] for text in texts]
        assert texts[0].startswith(WELCOME)
        assert texts[1] == texts[3] == MENU_TITLE
        assert texts[2].startswith("Я помогаю участникам")


async def test_vk_button_tap_through_the_callback(post: Poster, vk_fake: FakeVk) -> None:
    await vk_start(post, vk_fake)
    event_id = await vk_fake.tap(MISHA, DEMO)
    assert await post.vk(vk_fake.updates[-1]) == (200, "ok")
    await vk_fake.wait_for(lambda: event_id in vk_fake.answered and len(vk_fake.to(MISHA)) >= 3)
    assert vk_fake.to(MISHA)[2].text.startswith("Шаг 1 из 4.")


@pytest.mark.parametrize(
    "body",
    [b"{oops", b"[]", b'"ok"', b"\xff\xfe", b""],
    ids=["broken", "array", "string", "bytes", "empty"],
)
async def test_vk_not_a_json_object_is_400(post: Poster, body: bytes) -> None:
    assert await post.vk(body) == (400, "Bad Request")


async def test_both_messengers_share_the_server(
    post: Poster, telegram_fake: FakeTelegram, vk_fake: FakeVk
) -> None:
    await asyncio.gather(telegram_start(post, telegram_fake), vk_start(post, vk_fake))


# --- the real process -------------------------------------------------------------------------


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize(
    ("stop", "with_vk"),
    [(signal.SIGINT, False), (signal.SIGTERM, True)],
    ids=["telegram-sigint", "telegram-and-vk-sigterm"],
)
async def test_run_in_webhook_mode(
    telegram_fake: FakeTelegram,
    vk_fake: FakeVk,
    tmp_path: Path,
    stop: signal.Signals,
    with_vk: bool,
) -> None:
    port = free_port()
    env = bot_env(
        tmp_path,
        TELEGRAM__TOKEN=TELEGRAM_TOKEN,
        TELEGRAM__API_URL=telegram_fake.base_url,
        TELEGRAM__MODE="webhook",
        TELEGRAM__WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM__WEBHOOK_SECRET=SECRET,
        WEB__PORT=str(port),
    )
    if with_vk:
        env |= {
            "VK__TOKEN": fake_vk.TOKEN,
            "VK__GROUP_ID": str(GROUP_ID),
            "VK__API_URL": vk_fake.url,
            "VK__MODE": "callback",
            "VK__CALLBACK_CONFIRMATION": CONFIRMATION,
            "VK__CALLBACK_SECRET": VK_SECRET,
        }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        # The webhook is set once the server listens.
        await telegram_fake.wait_for(lambda: telegram_fake.webhook is not None, timeout=30)
        async with aiohttp.ClientSession() as http:
            post = Poster(http, f"http://127.0.0.1:{port}")
            await telegram_start(post, telegram_fake, 2001)
            if with_vk:
                assert await post.vk({"type": "confirmation"}, secret=None) == (200, CONFIRMATION)
                await vk_start(post, vk_fake, 2001)
    finally:
        process.send_signal(stop)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    errors = stderr.decode()
    assert process.returncode == 0, errors
    assert not any(mark in errors for mark in ("Traceback", "Unclosed", "destroyed")), errors
    assert telegram_fake.methods().count("setWebhook") == 1
    assert "deleteWebhook" not in telegram_fake.methods()
