"""APScheduler (3.x) in the process: it only ticks. The schedule itself lives in the database
(`next_action_at` on follow-ups, the outbox), so ticks may be missed, doubled or run in several
processes without harm."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.archive_jobs import ArchiveJobs
from scheduler.jobs import ReminderJobs

log = logging.getLogger(__name__)


def start_scheduler(
    jobs: ReminderJobs, tick_seconds: float, *, archive: ArchiveJobs | None = None
) -> AsyncIOScheduler:
    """Start ticking `jobs` (and the archive hand-off's, when given) every `tick_seconds` (the
    first tick at once) on the running loop. One tick of each at a time: a tick still running
    when the next is due makes it skip."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    ticks: list[tuple[str, object]] = [("reminders", jobs.tick)]
    if archive is not None:
        ticks.append(("archive", archive.tick))
    for name, tick in ticks:
        scheduler.add_job(
            tick,
            IntervalTrigger(seconds=tick_seconds, timezone=UTC),
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(tick_seconds)),
            next_run_time=datetime.now(UTC),
        )
    scheduler.start()
    log.info("scheduler started", extra={"tick_seconds": tick_seconds})
    return scheduler


async def stop_scheduler(
    scheduler: AsyncIOScheduler, jobs: ReminderJobs, *, archive: ArchiveJobs | None = None
) -> None:
    """Stop ticking; a send in progress records what it has in flight and stops claiming."""
    jobs.stop.set()
    if archive is not None:
        archive.stop.set()
        await archive.idle()  # the message being sent is recorded; the rest wait unclaimed
    await jobs.idle()  # the running tick records what it has in flight and hands back the rest
    scheduler.shutdown(wait=False)


__all__ = ["start_scheduler", "stop_scheduler"]
