"""Updates pushed to us over HTTP: the Telegram webhook and the VK Callback API on one server.

Telegram uses aiogram's `setup_application` (the dispatcher's startup and shutdown) and its
dispatcher directly rather than `SimpleRequestHandler`, which in aiogram 3 answers 500 to a
malformed body or a non-ASCII secret header, leaves a failed update as "Task exception was never
retrieved", and closes the bot session on shutdown without waiting for the updates in flight.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Coroutine, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from pydantic import ValidationError

from bot.handlers.vk import VkChannel

__all__ = ["Endpoint", "TelegramWebhook", "VkCallback", "WebServer", "run_web_server"]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a name, not a secret
# How long a stopping server lets updates already answered with 200 finish before cancelling them.
DRAIN_SECONDS = 5.0
# setWebhook attempts when Telegram answers 429 (several workers starting at once).
SET_WEBHOOK_ATTEMPTS = 3
# VK event ids remembered to drop VK's retries of an event already taken.
MAX_EVENT_IDS = 10_000


class Endpoint(Protocol):
    """One route of the server and what it needs on start and stop."""

    path: str

    def register(self, app: web.Application) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class BackgroundTasks:
    """Updates handled after their request was answered; drained, then cancelled, on close."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background (dropped once closed: the server is stopping)."""
        if self._closed:
            work.close()
            return
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self, grace: float = DRAIN_SECONDS) -> None:
        """Let running updates finish for up to `grace` seconds, then cancel the rest."""
        self._closed = True
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


def same_secret(given: object, expected: str) -> bool:
    """Constant-time comparison that also refuses non-strings and non-ASCII text."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())


async def read_json_object(request: web.Request) -> dict[str, Any] | None:
    """The request body as a JSON object, or None when it is anything else."""
    try:
        body = json.loads(await request.read())
    except ValueError:  # also UnicodeDecodeError
        return None
    return body if isinstance(body, dict) else None


def plain(body: str, status: int = 200) -> web.Response:
    """A text/plain answer."""
    return web.Response(text=body, status=status)


class TelegramWebhook:
    """Telegram's POSTs on the path of the webhook URL, checked by the secret token."""

    def __init__(self, bot: Bot, dispatcher: Dispatcher, *, url: str, secret: str) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.url = url
        self.path = urlsplit(url).path or "/"
        self._secret = secret
        self._tasks = BackgroundTasks()

    def register(self, app: web.Application) -> None:
        """Add the route, and the dispatcher's startup and shutdown to the server's."""
        app.router.add_post(self.path, self.handle)
        setup_application(app, self.dispatcher, bot=self.bot)

    async def start(self) -> None:
        """Point Telegram at the URL (every worker sets the same webhook)."""
        for attempt in range(1, SET_WEBHOOK_ATTEMPTS + 1):
            try:
                await self.bot.set_webhook(
                    self.url,
                    secret_token=self._secret,
                    allowed_updates=self.dispatcher.resolve_used_update_types(),
                )
            except TelegramRetryAfter as error:
                if attempt == SET_WEBHOOK_ATTEMPTS:
                    raise
                log.warning("Telegram: setWebhook again in %s s", error.retry_after)
                await asyncio.sleep(error.retry_after)
            else:
                break
        log.info("Telegram: webhook at %s", self.url)

    async def handle(self, request: web.Request) -> web.Response:
        """401 without the secret, 400 for a malformed update, else 200 and handle it after."""
        if not same_secret(request.headers.get(SECRET_HEADER), self._secret):
            log.warning("Telegram webhook: wrong secret token from %s", request.remote)
            return plain("Unauthorized", 401)
        raw = await read_json_object(request)
        try:
            update = Update.model_validate(raw, context={"bot": self.bot})
        except ValidationError:  # None too: the body was not a JSON object
            log.warning("Telegram webhook: not an update from %s", request.remote)
            return plain("Bad Request", 400)
        self._tasks.spawn(self._feed(update))
        return web.json_response({})

    async def _feed(self, update: Update) -> None:
        try:
            result = await self.dispatcher.feed_update(self.bot, update)
            # A handler may return a method, the webhook way of answering; call it instead.
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(self.bot, result)
        except Exception:
            log.exception("Telegram update %s failed", update.update_id)

    async def close(self) -> None:
        """Finish the updates in flight, close the session; the webhook stays for other workers."""
        try:
            await self._tasks.close()
        finally:
            await self.bot.session.close()


class RecentIds:
    """The last `size` ids seen, oldest forgotten first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._ids: dict[str, None] = {}

    def add(self, key: str) -> bool:
        """Remember `key`; False when it was seen already."""
        if key in self._ids:
            return False
        self._ids[key] = None
        if len(self._ids) > self.size:
            del self._ids[next(iter(self._ids))]
        return True


class VkCallback:
    """The VK Callback API: `ok` at once for a checked event, handled after, once per event id."""

    def __init__(
        self,
        channel: VkChannel,
        *,
        path: str,
        group_id: int,
        confirmation: str,
        secret: str,
        remember: int = MAX_EVENT_IDS,
    ) -> None:
        self.channel = channel
        self.path = path
        self.group_id = group_id
        self._confirmation = confirmation
        self._secret = secret
        self._seen = RecentIds(remember)
        self._tasks = BackgroundTasks()

    def register(self, app: web.Application) -> None:
        """Add the route."""
        app.router.add_post(self.path, self.handle)

    async def start(self) -> None:
        """Nothing to do: the server address is confirmed in the community's settings."""
        log.info("VK: Callback API at %s", self.path)

    async def handle(self, request: web.Request) -> web.Response:
        """400 not an object, 403 another community, 401 wrong secret, else `ok` (or VK retries)."""
        update = await read_json_object(request)
        if update is None:
            return plain("Bad Request", 400)
        if update.get("group_id") != self.group_id:
            log.warning("VK callback: group %r from %s", update.get("group_id"), request.remote)
            return plain("Forbidden", 403)
        if update.get("type") == "confirmation":
            return plain(self._confirmation)
        if not same_secret(update.get("secret"), self._secret):
            log.warning("VK callback: wrong secret from %s", request.remote)
            return plain("Unauthorized", 401)
        event_id = update.get("event_id")
        if not isinstance(event_id, str) or self._seen.add(event_id):
            self._tasks.spawn(self.channel.on_update(update))
        return plain("ok")

    async def close(self) -> None:
        """Finish the updates in flight, then close the channel."""
        try:
            await self._tasks.close()
        finally:
            await self.channel.close()


class WebServer:
    """One aiohttp server for whichever of the Telegram webhook and the VK Callback API is on."""

    def __init__(self, host: str, port: int, endpoints: Sequence[Endpoint]) -> None:
        paths = [endpoint.path for endpoint in endpoints]
        if len(set(paths)) < len(paths):
            raise ValueError(f"two endpoints share a path: {paths}")
        self.host = host
        self._port = port
        self.endpoints = list(endpoints)
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The port listened on (the real one when started on port 0)."""
        if self._runner is None or not self._runner.addresses:
            raise RuntimeError("the server is not started")
        port: int = self._runner.addresses[0][1]
        return port

    async def start(self) -> None:
        """Listen, then start the endpoints (Telegram's webhook is set once we can answer it)."""
        app = web.Application()
        for endpoint in self.endpoints:
            endpoint.register(app)
        # Handlers answer at once, so a short wait for open requests on stop is plenty.
        self._runner = web.AppRunner(app, shutdown_timeout=DRAIN_SECONDS)
        try:
            await self._runner.setup()
            await web.TCPSite(self._runner, self.host, self._port).start()
            log.info("listening on %s:%s", self.host, self.port)
            for endpoint in self.endpoints:
                await endpoint.start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop listening, then finish the updates in flight and close the channels."""
        try:
            if self._runner is not None:
                await self._runner.cleanup()
        finally:
            self._runner = None
            for endpoint in self.endpoints:
                try:
                    await endpoint.close()
                except Exception:
                    log.exception("closing %s failed", endpoint.path)


async def run_web_server(server: WebServer) -> None:
    """Serve until cancelled, then stop the server and close its channels."""
    await server.start()
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()
