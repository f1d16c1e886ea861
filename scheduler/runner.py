"""APScheduler (3.x) in the process: it only ticks. The schedule itself lives in the database
(`next_action_at` on follow-ups, the outbox), so ticks may be missed, doubled or run in several
processes without harm."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.jobs import ReminderJobs

log = logging.getLogger(__name__)


def start_scheduler(jobs: ReminderJobs, tick_seconds: float) -> AsyncIOScheduler:
    """Start ticking `jobs` every `tick_seconds` (the first tick at once) on the running loop.
    One tick at a time: a tick still running when the next is due makes it skip."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        jobs.tick,
        IntervalTrigger(seconds=tick_seconds, timezone=UTC),
        id="reminders",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(1, int(tick_seconds)),
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    log.info("scheduler started", extra={"tick_seconds": tick_seconds})
    return scheduler


async def stop_scheduler(scheduler: AsyncIOScheduler, jobs: ReminderJobs) -> None:
    """Stop ticking; a send in progress records what it has in flight and stops claiming."""
    jobs.stop.set()
    await jobs.idle()  # the running tick records what it has in flight and hands back the rest
    scheduler.shutdown(wait=False)


__all__ = ["start_scheduler", "stop_scheduler"]
