"""Periodic jobs: thin APScheduler wrappers around services. The durable state is the database."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.clock import Clock
from bot.services import Policy, Services
from bot.services.nudges import SweepResult
from bot.services.outbox import DeliveryWorker
from storage import Database

DELIVER_JOB = "deliver-notifications"
SWEEP_JOB = "sweep-pairs"

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SweepReport:
    """What one pass did."""

    nudges: SweepResult
    surveys: int = 0  # pulse surveys sent
    moved: int = 0  # programs moved to their next stage by date
    digests: int = 0  # weekly digests planned
    reported: int = 0  # announcements whose delivery count went to the author

    def __bool__(self) -> bool:
        return bool(
            any(self.nudges.nudged.values())
            or self.nudges.unknown
            or self.surveys
            or self.moved
            or self.digests
            or self.reported
        )


@dataclass(frozen=True, slots=True)
class Sweep:
    """The periodic pass over the programs: programs moved by date, nudges for stalled pairs,
    unanswered "did it happen?" settled as unknown, pulse surveys and weekly digests that fell
    due, announcements' delivery counts. Each run is one transaction and plans through the
    outbox, so running it twice, or on two workers, sends nothing twice."""

    database: Database
    clock: Clock
    policy: Policy

    async def run_once(self) -> SweepReport:
        """One pass."""
        async with self.database.transaction() as session:
            services = Services(session, self.clock, self.policy)
            report = SweepReport(
                moved=await services.stages.advance_due(),
                nudges=await services.nudges.sweep(),
                surveys=await services.surveys.plan_pulse(),
                digests=await services.digests.plan_due(),
                reported=await services.announcements.report_finished(),
            )
        if report:
            log.info("sweep: %s", report)
        return report


def build_scheduler(
    worker: DeliveryWorker,
    sweep: Sweep | None = None,
    *,
    deliver_every_seconds: float = 2.0,
    sweep_every_minutes: float = 15.0,
) -> AsyncIOScheduler:
    """A scheduler with one job per periodic task, each under a fixed id."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        worker.drain,  # batch after batch while a backlog lasts, not one batch per tick
        "interval",
        seconds=deliver_every_seconds,
        id=DELIVER_JOB,
        replace_existing=True,
        max_instances=1,  # a slow run is never overlapped by the next tick
        coalesce=True,
    )
    if sweep is not None:
        scheduler.add_job(
            sweep.run_once,
            "interval",
            minutes=sweep_every_minutes,
            id=SWEEP_JOB,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
        )
    return scheduler
