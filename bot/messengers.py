"""Running the messengers: imported only when a token is configured (aiogram and vkbottle are
slow to import, and the console chat does not need them)."""

from __future__ import annotations

import asyncio
import logging

from bot.app import App, seed_demo
from bot.handlers.telegram import TelegramSender, build_telegram, run_telegram_polling
from bot.handlers.vk import build_vk, run_vk_polling
from bot.scheduler import build_scheduler
from bot.services.outbox import DeliveryWorker, Sender
from storage import Channel

log = logging.getLogger(__name__)


async def run_messengers(app: App) -> None:
    """Run every messenger that has a token, and the outbox delivery, until cancelled."""
    settings = app.settings
    await seed_demo(app)
    runs = []
    names = []
    senders: dict[Channel, Sender] = {}
    if settings.telegram.token is not None:
        bot, dispatcher = build_telegram(
            app.conversation, settings.telegram.token.get_secret_value(), settings.telegram.api_url
        )
        senders[Channel.TELEGRAM] = TelegramSender(bot)
        runs.append(run_telegram_polling(bot, dispatcher))
        names.append("telegram")
    if settings.vk.token is not None and settings.vk.group_id is not None:
        channel = build_vk(
            app.conversation,
            settings.vk.token.get_secret_value(),
            settings.vk.group_id,
            settings.vk.api_url,
        )
        runs.append(run_vk_polling(channel))
        names.append("vk")
    scheduler = build_scheduler(DeliveryWorker(app.database, app.translator, senders, app.clock))
    scheduler.start()
    log.info("running %s", " and ".join(names))
    try:
        await asyncio.gather(*runs)
    finally:
        scheduler.shutdown(wait=False)
