"""Running the messengers: imported only when a token is configured (aiogram and vkbottle are
slow to import, and the console chat does not need them)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from bot.app import App, freeze_startup_heap, seed_demo
from bot.handlers.telegram import (
    TelegramSender,
    build_telegram,
    run_telegram_polling,
    telegram_username,
)
from bot.handlers.vk import VkSender, build_vk, run_vk_polling
from bot.handlers.webhook import Endpoint, TelegramWebhook, VkCallback, WebServer, run_web_server
from bot.scheduler import Sweep, build_scheduler
from bot.services.outbox import DeliveryWorker, Sender
from storage import Channel

log = logging.getLogger(__name__)

Run = Callable[[], Coroutine[Any, Any, None]]


async def run_messengers(app: App) -> None:
    """Run every messenger that has a token, and the outbox delivery, until SIGINT or SIGTERM."""
    await seed_demo(app)
    channels = build_channels(app)
    if channels.telegram_username is not None and not app.policy.links.telegram_username:
        app.policy.links.telegram_username = await channels.telegram_username()
    outbox = app.settings.outbox
    worker = DeliveryWorker(
        app.database,
        app.translator,
        channels.senders,
        app.clock,
        lease=timedelta(seconds=outbox.lease_seconds),
        max_attempts=outbox.max_attempts,
        concurrency=outbox.concurrency,
    )
    scheduler = build_scheduler(
        worker,
        Sweep(app.database, app.clock, app.policy),
        deliver_every_seconds=outbox.deliver_every_seconds,
    )
    scheduler.start()
    freeze_startup_heap()
    log.info("running %s", ", ".join(channels.runs))
    try:
        await run_until_signal(channels.runs)
    finally:
        scheduler.shutdown(wait=False)


@dataclass
class Channels:
    """What to run for the configured messengers, by name, and their outbox senders."""

    runs: dict[str, Run] = field(default_factory=dict)
    senders: dict[Channel, Sender] = field(default_factory=dict)
    # Asks Telegram for the bot's username (for invite links) before the runs start.
    telegram_username: Callable[[], Awaitable[str | None]] | None = None
    # Routes of the web server, for the messengers that push updates to us.
    endpoints: list[Endpoint] = field(default_factory=list)


def build_channels(app: App) -> Channels:
    """Each messenger with a token in its mode; one web server for those pushing to us."""
    channels = Channels()
    if app.settings.telegram.token is not None:
        add_telegram(channels, app)
    if app.settings.vk.token is not None:
        add_vk(channels, app)
    if channels.endpoints:
        web = app.settings.web
        server = WebServer(web.host, web.port, channels.endpoints)
        paths = " and ".join(endpoint.path for endpoint in channels.endpoints)
        channels.runs[f"web server on {web.host}:{web.port} for {paths}"] = partial(
            run_web_server, server
        )
    return channels


def add_telegram(channels: Channels, app: App) -> None:
    """Telegram by long polling, or a webhook endpoint."""
    settings = app.settings.telegram
    assert settings.token is not None
    bot, dispatcher = build_telegram(
        app.conversation,
        settings.token.get_secret_value(),
        settings.api_url,
        rate_limit=settings.rate_limit,
        chat_rate_limit=settings.chat_rate_limit,
    )
    channels.senders[Channel.TELEGRAM] = TelegramSender(bot)
    channels.telegram_username = partial(telegram_username, bot)
    if settings.mode == "polling":
        channels.runs["telegram polling"] = partial(
            run_telegram_polling, bot, dispatcher, handle_signals=False
        )
        return
    # The settings refuse webhook mode without the URL and the secret.
    assert settings.webhook_url is not None
    assert settings.webhook_secret is not None
    channels.endpoints.append(
        TelegramWebhook(
            bot,
            dispatcher,
            url=settings.webhook_url,
            secret=settings.webhook_secret.get_secret_value(),
        )
    )


def add_vk(channels: Channels, app: App) -> None:
    """VK by Bots Long Poll, or a Callback API endpoint."""
    settings = app.settings.vk
    # The settings refuse a token without the group.
    assert settings.token is not None
    assert settings.group_id is not None
    channel = build_vk(
        app.conversation,
        settings.token.get_secret_value(),
        settings.group_id,
        settings.api_url,
        rate_limit=settings.rate_limit,
    )
    channels.senders[Channel.VK] = VkSender(channel)
    if settings.mode == "longpoll":
        channels.runs["vk long poll"] = partial(run_vk_polling, channel)
        return
    # The settings refuse callback mode without the confirmation string and the secret.
    assert settings.callback_confirmation is not None
    assert settings.callback_secret is not None
    channels.endpoints.append(
        VkCallback(
            channel,
            path=app.settings.web.vk_path,
            group_id=settings.group_id,
            confirmation=settings.callback_confirmation,
            secret=settings.callback_secret.get_secret_value(),
        )
    )


async def run_until_signal(runs: Mapping[str, Run]) -> None:
    """Run everything until SIGINT or SIGTERM, or until one of them ends; then stop them all.

    An error that ended a run is raised once the others have stopped.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)

    def on_signal(number: signal.Signals) -> None:
        log.warning("%s received, stopping", number.name)
        stop.set()

    for number in signals:
        # Windows has no loop signal handlers; Ctrl+C there ends the process as usual.
        with suppress(NotImplementedError):
            loop.add_signal_handler(number, on_signal, number)
    tasks = [asyncio.create_task(run(), name=name) for name, run in runs.items()]
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([*tasks, stopping], return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                log.warning("%s ended, stopping the rest", task.get_name())
    finally:
        # A second signal during the shutdown below ends the process the default way.
        for number in signals:
            with suppress(NotImplementedError):
                loop.remove_signal_handler(number)
        for running in (*tasks, stopping):
            running.cancel()
        await asyncio.gather(*tasks, stopping, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and (error := task.exception()) is not None:
            raise error
