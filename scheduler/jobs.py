"""The scheduler's work on every tick, calling `followup` services only:

1. once a day (the first tick of each Oslo day), bring plans and the rolling calendar up to
   date (`followup.plans.materialise.refresh_what_changed`: the contracts changed since the last
   refresh and the days new to the horizon; everything when the plan or the holidays changed),
   under a lease so one process does it;
2. plan what is due into the outbox (`followup.reminders.planning.plan_reminders`, under the planner
   lease);
3. send the outbox (`followup.reminders.outbox.OutboxSender`), in every process; the digests
   this process has just planned are sent as they were made, not read back from the outbox
   (`followup.reminders.planning.PlannedMessages`, shared by the planning and the sender).

Database work runs in worker threads, so the bot's event loop keeps answering turns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from followup.calendar.workdays import WorkingCalendar, oslo_today
from followup.plans.materialise import refresh_what_changed
from followup.plans.plan_file import PlanConfig
from followup.ports import UnitOfWorkFactory
from followup.reminders.outbox import OutboxSender, SendReport
from followup.reminders.planning import (
    PlanReport,
    ReminderRenderer,
    ReminderSettings,
    plan_reminders,
)

log = logging.getLogger(__name__)

CALENDAR_LEASE: Final = "calendar-refresh"
CALENDAR_MARK: Final = "calendar-refreshed-on"
CALENDAR_LEASE_SECONDS: Final = 3600


@dataclass(slots=True)
class TickReport:
    at: datetime
    calendar_refreshed: bool = False
    plan: PlanReport = field(default_factory=PlanReport)
    send: SendReport = field(default_factory=SendReport)


class ReminderJobs:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        sender: OutboxSender,
        renderer: ReminderRenderer,
        clock: Callable[[], datetime],
        *,
        holder: str,
        plan: PlanConfig,
        calendar: WorkingCalendar,
        settings: ReminderSettings | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._sender = sender
        self._renderer = renderer
        self._clock = clock
        self._holder = holder
        self._plan = plan
        self._calendar = calendar
        self._settings = settings or ReminderSettings()
        self.stop = asyncio.Event()
        self._ticking = asyncio.Lock()
        self._sending_soon: asyncio.Future[None] | None = None

    def send_soon(self) -> None:
        """Send the outbox now, outside the tick (once; a call while that send waits for a
        running tick adds nothing)."""
        if self._sending_soon is None or self._sending_soon.done():
            self._sending_soon = asyncio.ensure_future(self._send_soon())

    async def _send_soon(self) -> None:
        async with self._ticking:
            if not self.stop.is_set():
                try:
                    await self._sender.send_all(self.stop)
                except Exception:
                    log.exception("sending the outbox failed; the next tick tries again")

    async def idle(self) -> None:
        """Wait until no tick is running."""
        async with self._ticking:
            return

    async def tick(self) -> TickReport:
        async with self._ticking:
            return await self._tick()

    async def _tick(self) -> TickReport:
        report = TickReport(at=self._clock())
        if self.stop.is_set():
            return report
        try:
            report.calendar_refreshed = await asyncio.to_thread(self._refresh_calendar)
        except Exception:
            log.exception("calendar refresh failed; reminders go on")
        try:
            report.plan = await asyncio.to_thread(self._plan_reminders)
        except Exception:
            log.exception("planning reminders failed; the outbox is still sent")
        report.send = await self._sender.send_all(self.stop)
        return report

    def _plan_reminders(self) -> PlanReport:
        return plan_reminders(
            self._uow_factory,
            self._clock(),
            holder=self._holder,
            calendar=self._calendar,
            renderer=self._renderer,
            settings=self._settings,
            planned=self._sender.planned,
        )

    def _refresh_calendar(self) -> bool:
        now = self._clock()
        today = oslo_today(now).isoformat()
        with self._uow_factory() as uow:
            if uow.scheduler.mark(CALENDAR_MARK) == today:
                return False
            until = now + timedelta(seconds=CALENDAR_LEASE_SECONDS)
            if not uow.scheduler.try_lease(CALENDAR_LEASE, self._holder, now, until):
                return False
            uow.commit()
        try:
            result = refresh_what_changed(
                self._uow_factory,
                now,
                self._plan,
                calendar=self._calendar,
                actor="scheduler",
            )
            with self._uow_factory() as uow:
                uow.scheduler.set_mark(CALENDAR_MARK, today, now)
                uow.commit()
        finally:
            with self._uow_factory() as uow:
                uow.scheduler.release(CALENDAR_LEASE, self._holder)
                uow.commit()
        log.info("calendar refreshed", extra={"day": today, "report": str(result)})
        return True


__all__ = ["ReminderJobs", "TickReport"]
