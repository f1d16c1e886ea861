"""Building the services of the composition root (`bot.app.create_app`, and the CLI):
the reminder scheduler (the Teams notifier, the pacer, the outbox sender and the jobs, for
`serve` in the bot process and for `kontraktsvakt scheduler` on its own), receiving documents
and preparing exports. With `bot.app` and `bot.commands` the only modules of the app that
build stores and notifiers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import secrets
import signal
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity
from sqlalchemy import Engine

from bot.analysis.cards import AnalysisCards
from bot.analysis.intake import AnalyseStatistics, TableFile
from bot.archive.cards import ArchiveCards
from bot.deviations.cards import DeviationCards
from bot.exports.commands import CLEANUP_SECONDS, Exports
from bot.public_register.routes import PublicRegisterRoutes, PublicRegisterSettings
from bot.reminders.cards import ReminderCards
from bot.settings import ArchiveTransportKind, Settings, SettingsError, reminder_settings
from bot.teams.auth import PooledBotFrameworkAuthentication
from bot.teams.connector import ConnectorError, ConnectorPool
from bot.teams.file_downloads import DownloadPolicy, FileDownloader
from bot.teams.file_uploads import FileUploader, UploadPolicy
from bot.teams.members import conversation_members
from bot.teams.notifier import TeamsNotifier
from bot.uploads.commands import BackgroundWork, UploadMemory, Uploads
from followup.analysis.reading import AnalysisFile
from followup.calendar.workdays import WorkingCalendar
from followup.channel_members import ChannelMember
from followup.documents.services import MB
from followup.errors import DeliveryFailed, InvalidInput
from followup.models import ConversationRef
from followup.ports import Notifier, UnitOfWorkFactory
from followup.reminders.channel_guard import ChannelGuard
from followup.reminders.outbox import OutboxSender, SenderSettings
from followup.reminders.pacing import Pacer
from scheduler.archive_jobs import ArchiveJobs
from scheduler.jobs import ReminderJobs
from scheduler.runner import start_scheduler, stop_scheduler
from storage.analysis_files import open_analysis_file
from storage.analysis_workbook import write_analysis_workbook
from storage.archive.errors import SchemaFolderError
from storage.archive.schema import ArchiveSchema
from storage.archive.transports import FiksIONotAvailable, open_transport
from storage.db import create_session_factory
from storage.dialog_state import SqlDialogStateStore
from storage.document_store import FolderDocumentStore
from storage.evaluation_letter import write_evaluation_letter
from storage.export_store import FolderExportStore
from storage.public_register import SqlPublicRegister
from storage.register_files import RegisterFileError
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

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
    notifier: Notifier | None = None,
    lifetime_clock: Callable[[], datetime] | None = None,
) -> ReminderJobs:
    """The jobs of a tick; `notifier` is the process's one sender (`build_notifier` by
    default). Planning runs on `clock` (the follow-ups' time, fast in the demo); the sender's
    claims, leases and retries on `lifetime_clock` (real time; default `clock`)."""
    holder = holder or process_name()
    # Its cards are only written to the outbox: digest lines stay JSON text.
    renderer = ReminderCards(outbox=True)
    rate = settings.send_rate_per_tenant or None
    # What names a contract goes to a channel only when every member may see it, checked as
    # it is sent (`followup.reminders.channel_guard`).
    guarded = ChannelGuard(
        notifier or build_notifier(settings, adapter),
        TeamsChannelMembers(adapter, settings.microsoft_app_id or DEV_BOT_APP_ID),
        uow_factory,
        clock,
        procurement_addresses=settings.procurement_members,
    )
    sender = OutboxSender(
        uow_factory,
        guarded,
        renderer,
        lifetime_clock or clock,
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


def build_archive_jobs(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    clock: Callable[[], datetime],
    *,
    holder: str | None = None,
    alerted: Callable[[], None] = lambda: None,
) -> ArchiveJobs | None:
    """The archive hand-off's jobs (issue 17), or None when ARCHIVE_TRANSPORT is `none`.
    Raises `SettingsError` when the schemas do not load or the transport cannot start (Fiks
    IO: what it lacks), so a process never runs with an archive it cannot feed. `alerted`
    is called when failure alerts were queued (the reminders' sender sends them soon)."""
    if settings.archive_transport is ArchiveTransportKind.NONE:
        return None
    try:
        schema = ArchiveSchema.load(settings.effective_archive_schema_dir)
        transport = open_transport(
            settings.archive_transport.value, settings.effective_archive_folder, schema
        )
    except SchemaFolderError as exc:
        raise SettingsError(f"Invalid setting ARCHIVE_SCHEMA_DIR: {exc}") from None
    except FiksIONotAvailable as exc:
        raise SettingsError(f"Invalid setting ARCHIVE_TRANSPORT: {exc}") from None
    if transport is None:  # pragma: no cover - `none` is handled above
        return None
    return ArchiveJobs(
        uow_factory,  # type: ignore[arg-type]  # storage's unit of work has the archive
        transport,
        clock,
        holder=holder or process_name(),
        options=settings.archive_options(),
        documents=FolderDocumentStore(settings.effective_documents_dir),
        renderer=ArchiveCards(),
        alerted=alerted,
    )


GC_THRESHOLDS = (10_000, 10, 10)
"""Python's collector runs its youngest generation every 700 new container objects by default:
with 64 turns in flight that is several collections a turn, and now and then a full one over
the whole heap (SQLAlchemy's, botbuilder's and Babel's long-lived objects). Measured with
`bench/turns.py` at concurrency 64: 0.4 ms of collection per `hjelp` turn; 10 000 makes it
about nothing, memory unchanged in practice (young garbage waits a little longer)."""


def settle_process_heap() -> None:
    """For a long-running process once it is set up (`kontraktsvakt serve`, `kontraktsvakt
    scheduler`): move everything alive now to the collector's permanent generation
    (`gc.freeze`: modules, tables, catalogues; never garbage, never scanned again) and collect
    young objects less often (`GC_THRESHOLDS`). A loaded tick otherwise set off full
    collections over the whole heap, 100-200 ms each (bench/tick.py --serving-heap)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def run_scheduler_process(
    settings: Settings,
    clock: Callable[[], datetime],
    *,
    lifetime_clock: Callable[[], datetime] | None = None,
) -> int:
    """`kontraktsvakt scheduler`: tick until SIGTERM or SIGINT, then stop cleanly (what is in
    flight is sent and recorded; nothing claimed is left to its lease)."""
    from storage.db import create_db_engine, create_session_factory
    from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

    async def main() -> None:
        engine = create_db_engine(settings.effective_database_url)
        pool = ConnectorPool(settings.effective_service_url_hosts)
        adapter = CloudAdapter(PooledBotFrameworkAuthentication(settings, pool))
        uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        jobs = build_reminder_jobs(
            settings, uow_factory, adapter, clock, lifetime_clock=lifetime_clock
        )
        archive = build_archive_jobs(
            settings, uow_factory, lifetime_clock or clock, alerted=jobs.send_soon
        )
        settle_process_heap()
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        scheduler = start_scheduler(jobs, settings.scheduler_tick_seconds, archive=archive)
        try:
            await stopping.wait()
        finally:
            log.info("scheduler stopping")
            await stop_scheduler(scheduler, jobs, archive=archive)
            await pool.close()
            engine.dispose()

    asyncio.run(main())
    return 0


def download_policy(settings: Settings) -> DownloadPolicy:
    return DownloadPolicy(
        allowed_hosts=settings.effective_document_download_hosts,
        local_mode=settings.local_mode,
        max_bytes=settings.document_max_mb * MB,
        timeout_seconds=settings.document_download_timeout_seconds,
    )


class TeamsChannelMembers:
    """Everyone in a channel now, from Teams, outside any turn (`ChannelGuard`'s
    `read_members`): through the adapter's pooled connector, as the notifier sends."""

    def __init__(self, adapter: CloudAdapter, bot_app_id: str) -> None:
        identity = ClaimsIdentity(
            {AuthenticationConstants.AUDIENCE_CLAIM: bot_app_id}, is_authenticated=True
        )
        self._adapter = adapter
        self._factory = adapter.bot_framework_authentication.create_connector_factory(identity)

    async def __call__(self, ref: ConversationRef) -> Sequence[ChannelMember]:
        """Raises `DeliveryFailed` (retryable as a send would be) when Teams does not say."""
        try:
            client = await self._factory.create(ref.service_url, None)
            # `conversation_members` reads the connector client from a turn's state.
            turn = TurnContext(self._adapter, Activity(type="event", service_url=ref.service_url))
            turn.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY] = client
            return await conversation_members(turn, ref.conversation_id)
        except ConnectorError as error:
            raise DeliveryFailed(
                str(error),
                status=error.status,
                final=error.final,
                retry_after=error.retry_after,
                retryable=error.retryable,
            ) from error
        except (ValueError, TypeError) as error:
            raise DeliveryFailed(
                str(error) or type(error).__name__, status=0, final=True, retryable=False
            ) from error


def build_notifier(settings: Settings, adapter: CloudAdapter) -> TeamsNotifier:
    """The one proactive sender of a process, through the adapter's pooled connector."""
    return TeamsNotifier(adapter, settings.microsoft_app_id or DEV_BOT_APP_ID)


def build_uploads(
    settings: Settings, engine: Engine, notifier: Notifier, clock: Callable[[], datetime]
) -> Uploads:
    """Documents in `FolderDocumentStore(DOCUMENTS_DIR)`, the memory in the bot's state table
    with its lifetime on `clock` (real time), confirmations through `notifier`."""
    return Uploads(
        downloader=FileDownloader(download_policy(settings)),
        store=FolderDocumentStore(settings.effective_documents_dir),
        memory=UploadMemory(SqlDialogStateStore(engine, clock), clock),
        notifier=notifier,
        work=BackgroundWork(settings.document_download_concurrency),
        statistics=AnalyseStatistics(
            SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)),
            open_statistics_file,
            settings.analysis_thresholds(),
            clock,
            DeviationCards(),
            AnalysisCards(),
        ),
    )


def open_statistics_file(path: Path) -> TableFile:
    """A statistics file sent in chat, looked at; `InvalidInput` (Norwegian) when unreadable."""
    try:
        return open_analysis_file(path, AnalysisFile.STATISTICS)
    except RegisterFileError as exc:
        raise InvalidInput(exc.message) from None


def uploads_cleanup(uploads: Uploads) -> Callable[[web.Application], Any]:
    """An aiohttp `cleanup_ctx` entry: on shutdown, unfinished downloads are cancelled (the
    person is not told; nothing half-stored is left, see `store_document`)."""

    async def context(_app: web.Application) -> Any:
        yield
        await uploads.close()

    return context


def build_exports(settings: Settings, clock: Callable[[], datetime] | None = None) -> Exports:
    """`clock`: the time an export's lifetime and its link's count in (real time in the demo;
    None: each turn's time)."""
    return Exports(
        store=FolderExportStore(settings.exports_dir),
        uploader=FileUploader(
            UploadPolicy(
                allowed_hosts=settings.effective_export_upload_hosts,
                local_mode=settings.local_mode,
            )
        ),
        lifetime=timedelta(minutes=settings.export_lifetime_minutes),
        link_lifetime=timedelta(minutes=settings.export_link_minutes),
        base_url=settings.base_url,
        clock=clock,
        analysis_workbook=write_analysis_workbook,
        evaluation_letter=write_evaluation_letter,
    )


def exports_cleanup(
    exports: Exports, clock: Callable[[], datetime]
) -> Callable[[web.Application], AsyncIterator[None]]:
    """An aiohttp `cleanup_ctx` entry: expired exports are removed every few minutes (and at
    start), the upload session closed on shutdown."""

    async def sweep() -> None:
        while True:
            try:
                await exports.remove_expired(clock())
            except Exception:
                log.exception("removing expired exports failed")
            await asyncio.sleep(CLEANUP_SECONDS)

    async def context(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(sweep(), name="export-cleanup")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await exports.close()

    return context


def build_public_register(
    settings: Settings, engine: Engine, clock: Callable[[], datetime]
) -> PublicRegisterRoutes:
    """The public register's pages and open data (issue 18) over the register's database:
    the one place `SqlPublicRegister` is built. `clock` decides which agreements are in force
    (the follow-ups' day)."""
    return PublicRegisterRoutes(
        SqlPublicRegister(engine),
        clock,
        PublicRegisterSettings(
            show_personal_contacts=settings.public_register_show_personal_contacts,
            accessibility_url=settings.public_register_accessibility_url,
            rate_per_minute=settings.public_register_rate_per_minute,
        ),
    )


__all__ = [
    "build_archive_jobs",
    "build_exports",
    "build_notifier",
    "build_public_register",
    "build_reminder_jobs",
    "build_uploads",
    "download_policy",
    "exports_cleanup",
    "process_name",
    "run_scheduler_process",
    "uploads_cleanup",
]
