"""Stateful fakes at the messenger boundary for outbox tests, and a delivery worker with the
real texts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from bot.core.clock import FrozenClock
from bot.core.i18n import Translator
from bot.core.messages import Reply
from bot.services.outbox import DeliveryWorker, SendResult, Sent
from storage import Channel, Database

LOCALES = Path(__file__).resolve().parents[2] / "locales"


class RecordingSender:
    """A stateful fake at the messenger boundary: answers from a script, records what was sent."""

    def __init__(self, *results: SendResult) -> None:
        self.results = list(results)
        self.sent: list[tuple[str, str, int]] = []

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, notification_id: int
    ) -> SendResult:
        result = self.results.pop(0) if self.results else Sent()
        if isinstance(result, Sent):
            self.sent.extend((chat_id, reply.text, notification_id) for reply in replies)
        return result


class ByChat(RecordingSender):
    """Answers per chat (Sent for the rest), whatever order concurrent sends come in."""

    def __init__(self, results: dict[str, SendResult]) -> None:
        super().__init__()
        self.by_chat = results

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, notification_id: int
    ) -> SendResult:
        self.results = [self.by_chat.get(chat_id, Sent())]
        return await super().send(chat_id, replies, notification_id=notification_id)


def worker(database: Database, clock: FrozenClock, **senders: RecordingSender) -> DeliveryWorker:
    return DeliveryWorker(
        database,
        Translator(LOCALES, strict=True),
        {Channel(name): sender for name, sender in senders.items()},
        clock,
        lease=timedelta(minutes=5),
        max_attempts=3,
        backoff=timedelta(seconds=30),
    )
