"""Periodic jobs: thin APScheduler wrappers around services. The durable state is the database."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services.outbox import DeliveryWorker

DELIVER_JOB = "deliver-notifications"


def build_scheduler(
    worker: DeliveryWorker, *, deliver_every_seconds: float = 2.0
) -> AsyncIOScheduler:
    """A scheduler with one job per periodic task, each under a fixed id."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        worker.run_once,
        "interval",
        seconds=deliver_every_seconds,
        id=DELIVER_JOB,
        replace_existing=True,
        max_instances=1,  # a slow run is never overlapped by the next tick
        coalesce=True,
    )
    return scheduler
