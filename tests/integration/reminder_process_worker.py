"""A reminder sender in its own process, for tests/integration/test_reminders_processes.py.

Wired as `kontraktsvakt scheduler` is (`bot.wiring.run_scheduler_process`): the pooled
connector, botbuilder's `CloudAdapter` and `TeamsNotifier`, an `OutboxSender`, `ReminderJobs`
ticking under APScheduler until SIGTERM or SIGINT, then stopping cleanly. Settings come from the
environment, as for the CLI. Two differences, which a test needs:

- the sender's lease is an argument (`--lease-seconds`), so the claims of a sender that is
  killed expire in seconds rather than in five minutes;
- it only sends: the planning window is empty and the calendar is not refreshed, so it sends
  exactly what the test put in the outbox.

Run: python -m tests.integration.reminder_process_worker --lease-seconds 2 [--tick-seconds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import time

from botbuilder.integration.aiohttp import CloudAdapter

from bot.app import system_clock
from bot.logging_setup import configure_logging
from bot.reminders.cards import ReminderCards
from bot.settings import Settings, load_settings
from bot.teams.auth import PooledBotFrameworkAuthentication
from bot.teams.connector import ConnectorPool
from bot.teams.notifier import TeamsNotifier
from bot.wiring import DEV_BOT_APP_ID, process_name
from followup.calendar.workdays import WorkingCalendar
from followup.reminders.outbox import OutboxSender, SenderSettings
from followup.reminders.pacing import Pacer
from followup.reminders.planning import ReminderSettings
from scheduler.jobs import ReminderJobs
from scheduler.runner import start_scheduler, stop_scheduler
from storage.db import create_db_engine, create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NEVER = ReminderSettings(window_start=time(0), window_end=time(0))
"""A send window that never opens: this process plans nothing."""


class SendOnlyJobs(ReminderJobs):
    def _refresh_calendar(self) -> bool:
        return False


async def run(settings: Settings, lease_seconds: int, tick_seconds: float) -> None:
    engine = create_db_engine(settings.effective_database_url)
    pool = ConnectorPool(settings.effective_service_url_hosts)
    adapter = CloudAdapter(PooledBotFrameworkAuthentication(settings, pool))
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    holder = process_name()
    renderer = ReminderCards()
    sender = OutboxSender(
        uow_factory,
        TeamsNotifier(adapter, settings.microsoft_app_id or DEV_BOT_APP_ID),
        renderer,
        system_clock,
        Pacer(settings.send_rate_per_tenant or None),
        holder=holder,
        settings=SenderSettings(concurrency=settings.send_concurrency, lease_seconds=lease_seconds),
    )
    jobs = SendOnlyJobs(
        uow_factory,
        sender,
        renderer,
        system_clock,
        holder=holder,
        plan=settings.plan(),
        calendar=WorkingCalendar(),
        settings=NEVER,
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    scheduler = start_scheduler(jobs, tick_seconds)
    try:
        await stopping.wait()
    finally:
        await stop_scheduler(scheduler, jobs)
        await pool.close()
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lease-seconds", type=int, required=True)
    parser.add_argument("--tick-seconds", type=float, default=1.0)
    args = parser.parse_args()
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(run(settings, args.lease_seconds, args.tick_seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
