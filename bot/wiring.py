"""Wiring of the reminder scheduler: the Teams notifier, the pacer, the outbox sender and the
jobs, for `serve` (in the bot process) and for `kontraktsvakt scheduler` (on its own)."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import socket
from collections.abc import Callable
from datetime import datetime

from botbuilder.integration.aiohttp import CloudAdapter

from bot.reminders.cards import ReminderCards
from bot.settings import Settings, reminder_settings
from bot.teams.auth import PooledBotFrameworkAuthentication
from bot.teams.connector import ConnectorPool
from bot.teams.notifier import TeamsNotifier
from followup.calendar.workdays import WorkingCalendar
from followup.ports import UnitOfWorkFactory
from followup.reminders.outbox import OutboxSender, SenderSettings
from followup.reminders.pacing import Pacer
from scheduler.jobs import ReminderJobs
from scheduler.runner import start_scheduler, stop_scheduler

log = logging.getLogger(__name__)

DEV_BOT_APP_ID = "00000000-0000-4000-8000-000000000b07"


def process_name() -> str:
    """Names this process in claims and leases: host, pid and a few random characters."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{secrets.token_hex(3)}"


def build_reminder_jobs(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    adapter: CloudAdapter,
    clock: Callable[[], datetime],
    *,
    holder: str | None = None,
) -> ReminderJobs:
    holder = holder or process_name()
    renderer = ReminderCards()
    rate = settings.send_rate_per_tenant or None
    sender = OutboxSender(
        uow_factory,
        TeamsNotifier(adapter, settings.microsoft_app_id or DEV_BOT_APP_ID),
        renderer,
        clock,
        Pacer(rate),
        holder=holder,
        settings=SenderSettings(concurrency=settings.send_concurrency),
    )
    return ReminderJobs(
        uow_factory,
        sender,
        renderer,
        clock,
        holder=holder,
        plan=settings.plan(),
        calendar=WorkingCalendar(),
        settings=reminder_settings(settings),
    )


def run_scheduler_process(settings: Settings, clock: Callable[[], datetime]) -> int:
    """`kontraktsvakt scheduler`: tick until SIGTERM or SIGINT, then stop cleanly (what is in
    flight is sent and recorded; nothing claimed is left to its lease)."""
    from storage.db import create_db_engine, create_session_factory
    from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

    async def main() -> None:
        engine = create_db_engine(settings.effective_database_url)
        pool = ConnectorPool(settings.effective_service_url_hosts)
        adapter = CloudAdapter(PooledBotFrameworkAuthentication(settings, pool))
        uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        jobs = build_reminder_jobs(settings, uow_factory, adapter, clock)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        scheduler = start_scheduler(jobs, settings.scheduler_tick_seconds)
        try:
            await stopping.wait()
        finally:
            log.info("scheduler stopping")
            await stop_scheduler(scheduler, jobs)
            await pool.close()
            engine.dispose()

    asyncio.run(main())
    return 0


__all__ = ["build_reminder_jobs", "process_name", "run_scheduler_process"]
