"""The periodic jobs are registered once, under fixed ids, and call the services."""

from __future__ import annotations

from bot.app import App
from bot.core.clock import FrozenClock
from bot.scheduler import DELIVER_JOB, SWEEP_JOB, Sweep, build_scheduler
from bot.services.outbox import DeliveryWorker


async def test_delivery_job_has_a_fixed_id_and_never_overlaps(app: App, clock: FrozenClock) -> None:
    worker = DeliveryWorker(app.database, app.translator, {}, clock)
    scheduler = build_scheduler(worker, deliver_every_seconds=3)
    jobs = scheduler.get_jobs()
    assert [job.id for job in jobs] == [DELIVER_JOB]
    job = jobs[0]
    assert job.func == worker.drain
    assert job.max_instances == 1
    assert job.trigger.interval.total_seconds() == 3
    report = await job.func()
    assert report.sent == 0


async def test_the_sweep_job_has_a_fixed_id_and_never_overlaps(
    app: App, clock: FrozenClock
) -> None:
    worker = DeliveryWorker(app.database, app.translator, {}, clock)
    sweep = Sweep(app.database, clock, app.policy)
    scheduler = build_scheduler(worker, sweep, sweep_every_minutes=15)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {DELIVER_JOB, SWEEP_JOB}
    job = jobs[SWEEP_JOB]
    assert job.func == sweep.run_once
    assert job.max_instances == 1
    assert job.trigger.interval.total_seconds() == 15 * 60
    report = await job.func()
    assert not report  # an empty database: nothing to do
    assert (report.moved, report.surveys, report.digests, report.reported) == (0, 0, 0, 0)
