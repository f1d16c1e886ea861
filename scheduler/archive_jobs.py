"""The archive hand-off on the scheduler's ticks (issue 17), calling `followup.archive` only:

1. once an hour (the first tick of each Oslo hour, under a lease so one process does it),
   queue what is new to archive (`queue_archive_messages`: each record inserted once under its
   stable message id; queueing again adds nothing): the contracts with something stored since
   the last pass (less `QUEUE_OVERLAP`, for transactions that committed late), and once a day
   every contract (a quarter's summary falls due by the calendar alone);
2. on every tick, in every process, send what is due (`send_archive_messages`: receipts a
   folder drop has left are collected first; claims make two processes never send one
   message at once), in rounds of `SEND_ROUND` until a round finds fewer;
3. tell the procurement channels of messages that failed for good
   (`followup.archive.alerts.queue_failure_alerts`), then nudge the reminders' sender.

Database and transport work runs in worker threads, so the bot's event loop keeps answering.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Protocol

from followup.archive.alerts import (
    ArchiveAlertRenderer,
    ArchiveAlertUnitOfWork,
    queue_failure_alerts,
)
from followup.archive.ports import ArchiveTransport
from followup.archive.records import ArchiveOptions
from followup.archive.services import (
    ArchiveSendReport,
    QueueCounts,
    queue_archive_messages,
    send_archive_messages,
)
from followup.calendar.workdays import OSLO
from followup.ports import DocumentStore

log = logging.getLogger(__name__)

QUEUE_LEASE: Final = "archive-queue"
QUEUE_MARK: Final = "archive-queued-hour"
QUEUED_AT_MARK: Final = "archive-queued-at"
FULL_QUEUE_MARK: Final = "archive-queued-all-on"
QUEUE_OVERLAP: Final = timedelta(hours=1)
QUEUE_LEASE_SECONDS: Final = 3600
SEND_ROUND: Final = 50
MAX_ROUNDS: Final = 20
"""At most this many rounds a tick: the next tick goes on."""


class _Factory(Protocol):
    def __call__(self) -> ArchiveAlertUnitOfWork: ...


@dataclass(slots=True)
class ArchiveTickReport:
    at: datetime
    queued: QueueCounts | None = None
    send: ArchiveSendReport = field(default_factory=ArchiveSendReport)
    alerts: int = 0


class ArchiveJobs:
    def __init__(
        self,
        uow_factory: _Factory,
        transport: ArchiveTransport,
        clock: Callable[[], datetime],
        *,
        holder: str,
        options: ArchiveOptions,
        documents: DocumentStore,
        renderer: ArchiveAlertRenderer,
        alerted: Callable[[], None] = lambda: None,
    ) -> None:
        self._uow_factory = uow_factory
        self._transport = transport
        self._clock = clock
        self._holder = holder
        self._options = options
        self._documents = documents
        self._renderer = renderer
        self._alerted = alerted
        self.stop = asyncio.Event()
        self._ticking = asyncio.Lock()

    async def idle(self) -> None:
        """Wait until no tick is running."""
        async with self._ticking:
            return

    async def tick(self) -> ArchiveTickReport:
        async with self._ticking:
            report = ArchiveTickReport(at=self._clock())
            if self.stop.is_set():
                return report
            try:
                report.queued = await asyncio.to_thread(self._queue_hourly)
            except Exception:
                log.exception("queueing archive messages failed; sending goes on")
            try:
                report.send = await asyncio.to_thread(self._send)
            except Exception:
                log.exception("sending archive messages failed; the next tick tries again")
            try:
                report.alerts = await asyncio.to_thread(self._alert)
            except Exception:
                log.exception("alerting archive failures failed; the next tick tries again")
            if report.alerts:
                self._alerted()
            return report

    def _queue_hourly(self) -> QueueCounts | None:
        now = self._clock()
        local = now.astimezone(OSLO)
        hour, today = local.strftime("%Y-%m-%dT%H"), local.date().isoformat()
        with self._uow_factory() as uow:
            if uow.scheduler.mark(QUEUE_MARK) == hour:
                return None
            until = now + timedelta(seconds=QUEUE_LEASE_SECONDS)
            if not uow.scheduler.try_lease(QUEUE_LEASE, self._holder, now, until):
                return None
            last = uow.scheduler.mark(QUEUED_AT_MARK)
            whole = uow.scheduler.mark(FULL_QUEUE_MARK) != today or last is None
            uow.commit()
        since = None if whole or last is None else datetime.fromisoformat(last) - QUEUE_OVERLAP
        try:
            with self._uow_factory() as uow:
                counts = queue_archive_messages(uow, now, self._options, changed_since=since)
                uow.scheduler.set_mark(QUEUE_MARK, hour, now)
                uow.scheduler.set_mark(QUEUED_AT_MARK, now.isoformat(), now)
                if whole:
                    uow.scheduler.set_mark(FULL_QUEUE_MARK, today, now)
                uow.commit()
        finally:
            with self._uow_factory() as uow:
                uow.scheduler.release(QUEUE_LEASE, self._holder)
                uow.commit()
        if counts.queued:
            log.info("archive messages queued", extra={"queued": counts.queued})
        return counts

    def _send(self) -> ArchiveSendReport:
        total = ArchiveSendReport()
        for _ in range(MAX_ROUNDS):
            if self.stop.is_set():
                break
            report = send_archive_messages(
                self._uow_factory,
                self._transport,
                self._clock(),
                SEND_ROUND,
                options=self._options,
                documents=self._documents,
                holder=self._holder,
            )
            total.add(report)
            if report.claimed < SEND_ROUND:
                break
        return total

    def _alert(self) -> int:
        now = self._clock()
        with self._uow_factory() as uow:
            queued = queue_failure_alerts(uow, now, self._renderer)
            uow.commit()
        return queued


__all__ = ["ArchiveJobs", "ArchiveTickReport"]
