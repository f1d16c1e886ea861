"""The one place that wires the application: `create_app(settings)`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web
from botbuilder.core import ConversationState, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ActivityTypes
from sqlalchemy import Engine

from bot.commands import build_dialogs, build_router
from bot.conversation.activity_handler import KontraktsvaktBot
from bot.conversation.dependencies import BotDependencies, OutboxNudge
from bot.conversation.texts import text
from bot.exports.commands import Exports
from bot.exports.download_route import ExportDownloadRoute
from bot.owner.calendar_feed_route import CalendarFeedRoute
from bot.public_register.routes import public_register_site
from bot.settings import ArchiveTransportKind, Settings, reminder_settings
from bot.teams.auth import PooledBotFrameworkAuthentication
from bot.teams.connector import ConnectorPool
from bot.teams.endpoint import FinishMarks, Guards, MessagesEndpoint
from bot.teams.state_storage import SqlAlchemyStorage
from bot.teams.store_calls import StoreCalls
from bot.uploads.commands import Uploads
from bot.wiring import (
    DEV_BOT_APP_ID,
    build_archive_jobs,
    build_exports,
    build_notifier,
    build_public_register,
    build_reminder_jobs,
    build_uploads,
    exports_cleanup,
    settle_process_heap,
    uploads_cleanup,
)
from followup.calendar.workdays import WorkingCalendar, oslo_today
from scheduler.archive_jobs import ArchiveJobs
from scheduler.jobs import ReminderJobs
from scheduler.runner import start_scheduler, stop_scheduler
from storage.db import create_db_engine, create_session_factory, is_reachable
from storage.dialog_state import SqlDialogStateStore
from storage.people_picker import demo_people
from storage.processed_activities import ProcessedActivityLog, is_database_outage
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", Engine)
POOL = web.AppKey("connector_pool", ConnectorPool)
AUTH = web.AppKey("auth", PooledBotFrameworkAuthentication)
ADAPTER = web.AppKey("adapter", CloudAdapter)
BOT = web.AppKey("bot", KontraktsvaktBot)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
LIFETIME_CLOCK: web.AppKey[Clock] = web.AppKey("lifetime_clock")
PROCESSED = web.AppKey("processed_activities", ProcessedActivityLog)
FINISHES = web.AppKey("finish_marks", FinishMarks)
CONVERSATION_STATE = web.AppKey("conversation_state", ConversationState)
JOBS = web.AppKey("reminder_jobs", ReminderJobs)
ARCHIVE_JOBS = web.AppKey[ArchiveJobs | None]("archive_jobs")
OUTBOX_NUDGE = web.AppKey("outbox_nudge", OutboxNudge)
UPLOADS = web.AppKey("uploads", Uploads)
EXPORTS = web.AppKey("exports", Exports)

DEV_TENANT_ID = "00000000-0000-4000-8000-000000000de7"
DEV_BOT_ID = DEV_BOT_APP_ID
PROCESSED_RETENTION = timedelta(days=2)
READINESS_TIMEOUT_SECONDS = 2.0


async def settle_heap(_app: web.Application) -> None:
    """Startup hook of `kontraktsvakt serve`: `bot.wiring.settle_process_heap` once the app is
    built. Not for tests, which build many apps in one process."""
    settle_process_heap()


def system_clock() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    lifetime_clock: Clock | None = None,
    scheduler: bool = False,
) -> web.Application:
    """The bot's aiohttp application; `scheduler` also runs the reminder scheduler in it.

    `clock` is the follow-ups' time: answers, deviations, what is due and overdue, reminders
    (the demo may run it fast). `lifetime_clock` (default `clock`) is the time what expires
    counts in: export files and download links, activity claims, the outbox's leases and
    retries, the state store's timestamps; the demo gives it real time, so a link works for
    its minutes however fast the follow-ups move."""
    real = lifetime_clock or clock
    app = web.Application(client_max_size=settings.max_body_bytes)
    engine = create_db_engine(settings.effective_database_url)
    pool = ConnectorPool(settings.effective_service_url_hosts)
    auth = PooledBotFrameworkAuthentication(settings, pool)
    adapter = CloudAdapter(auth)
    # Dialog state lives in the database, so a half-finished dialog survives a restart and
    # continues on another instance.
    # A turn's short storage calls: on the loop for SQLite, in threads for PostgreSQL.
    store_calls = StoreCalls(on_loop=engine.dialect.name == "sqlite")
    state_storage = SqlAlchemyStorage(SqlDialogStateStore(engine, real), store_calls)
    conversation_state = ConversationState(state_storage)
    # One proactive sender for the process: reminders, upload confirmations.
    notifier = build_notifier(settings, adapter)
    # Files sent to the bot: downloaded after the reply, stored under DOCUMENTS_DIR.
    uploads = build_uploads(settings, engine, notifier, real)
    # Exports: prepared under DATA_DIR/exports, uploaded on consent or behind a short link.
    exports = build_exports(settings, real)
    deps = BotDependencies(
        uow_factory=SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)),
        clock=clock,
        procurement_addresses=frozenset(a.lower() for a in settings.procurement_members),
        analysis_thresholds=settings.analysis_thresholds(),
        archive_enabled=settings.archive_transport is not ArchiveTransportKind.NONE,
        plan=settings.plan(),
        calendar=WorkingCalendar(),
        base_url=settings.base_url,
        reminders=reminder_settings(settings),
        conversation_state=conversation_state,
        state_storage=state_storage,
        store_calls=store_calls,
    )
    dialogs = build_dialogs(deps)
    bot = KontraktsvaktBot(
        deps, build_router(deps, dialogs, uploads=uploads, exports=exports), dialogs
    )
    processed = ProcessedActivityLog(engine)
    adapter.on_turn_error = _turn_error_handler(conversation_state)

    app[SETTINGS] = settings
    app[ENGINE] = engine
    app[POOL] = pool
    app[AUTH] = auth
    app[ADAPTER] = adapter
    app[BOT] = bot
    app[CLOCK] = clock
    app[LIFETIME_CLOCK] = real
    app[PROCESSED] = processed
    app[CONVERSATION_STATE] = conversation_state
    app[UPLOADS] = uploads
    app[EXPORTS] = exports
    app[OUTBOX_NUDGE] = deps.outbox_nudge

    guards = Guards(
        allowed_tenants=settings.effective_tenant_ids,
        allowed_service_hosts=settings.effective_service_url_hosts,
        require_token=not settings.local_mode,
        max_body_bytes=settings.max_body_bytes,
    )
    endpoint = MessagesEndpoint(
        adapter,
        bot,
        auth,
        guards,
        processed,
        real,
        is_outage=is_database_outage,
        store_calls=store_calls,
    )
    app[FINISHES] = endpoint.finishes
    app.router.add_post("/api/messages", endpoint.handle)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _Readiness(engine).handle)
    # A plain GET for calendar clients: outside the messaging endpoint and its guards.
    CalendarFeedRoute(deps).add_to(app)
    # Download links for exports posted where file consent is not available; likewise.
    ExportDownloadRoute(exports, real).add_to(app)
    _serve_public_register(app, settings, engine, clock)
    app.cleanup_ctx.extend((_resources, uploads_cleanup(uploads), exports_cleanup(exports, real)))
    if scheduler:
        app[JOBS] = build_reminder_jobs(
            settings, deps.uow_factory, adapter, clock, notifier=notifier, lifetime_clock=real
        )
        deps.outbox_nudge.connect(app[JOBS].send_soon)
        app[ARCHIVE_JOBS] = build_archive_jobs(
            settings, deps.uow_factory, real, alerted=app[JOBS].send_soon
        )
        app.cleanup_ctx.append(_scheduler)

    if settings.dev_channel_enabled:
        from bot.devchannel import setup_dev_channel
        from bot.devchannel.webchat_bundle import bundle_path

        setup_dev_channel(
            app,
            # Who has something due is counted on the follow-ups' day.
            list_people=lambda: demo_people(engine, oslo_today(clock())),
            bot_id=DEV_BOT_ID,
            tenant_id=DEV_TENANT_ID,
            webchat_bundle=bundle_path(settings.data_dir / "webchat"),
        )
    return app


def _serve_public_register(
    app: web.Application, settings: Settings, engine: Engine, clock: Clock
) -> None:
    """The public register (/rammeavtaler): on this app, or alone on PUBLIC_REGISTER_PORT."""
    public_register = build_public_register(settings, engine, clock)
    if settings.public_register_port:
        app.cleanup_ctx.append(
            public_register_site(public_register, settings.bind_host, settings.public_register_port)
        )
    else:
        public_register.add_to(app)


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.local_mode:
        log.warning(
            "LOCAL MODE: no MicrosoftAppId is set, so incoming requests are NOT authenticated. "
            "Listening on %s only; never expose this to a network.",
            settings.bind_host,
        )
    pruner = asyncio.create_task(_prune_processed(app))
    # The token signing keys are fetched now, so the first request does not wait for them.
    app[AUTH].prefetch_signing_keys()
    yield
    pruner.cancel()
    await app[FINISHES].drain()  # the turns answered last are marked done before the engine goes
    await app[AUTH].close()
    await app[POOL].close()
    app[ENGINE].dispose()


async def _scheduler(app: web.Application) -> AsyncIterator[None]:
    jobs, archive = app[JOBS], app[ARCHIVE_JOBS]
    running = start_scheduler(jobs, app[SETTINGS].scheduler_tick_seconds, archive=archive)
    yield
    await stop_scheduler(running, jobs, archive=archive)


async def _prune_processed(app: web.Application) -> None:
    while True:
        try:
            await asyncio.to_thread(
                app[PROCESSED].prune, PROCESSED_RETENTION, app[LIFETIME_CLOCK]()
            )
        except Exception:
            log.exception("pruning processed activities failed")
        await asyncio.sleep(3600)


def _turn_error_handler(
    conversation_state: ConversationState,
) -> Callable[[TurnContext, Exception], Awaitable[None]]:
    """Log, apologise in the user's language, and clear the conversation's dialog state."""

    async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
        activity = turn_context.activity
        log.error(
            "unhandled error in a turn",
            exc_info=error,
            extra={"activity_id": activity.id, "activity_type": activity.type},
        )
        if activity.type == ActivityTypes.message:
            try:
                await turn_context.send_activity(text("error.sorry", activity.locale))
            except Exception:
                log.exception("could not send the apology")
        try:
            await conversation_state.delete(turn_context)
        except Exception:
            log.exception("could not clear the conversation state")

    return on_turn_error


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


class _Readiness:
    """GET /readyz: 200 when the database answers, else 503 within READINESS_TIMEOUT_SECONDS,
    also when it hangs. A probe still hanging is waited on again, never doubled, so a stuck
    database does not pile up threads."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._probe: asyncio.Future[bool] | None = None

    async def handle(self, _request: web.Request) -> web.Response:
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(asyncio.to_thread(is_reachable, self._engine))
        try:
            ready = await asyncio.wait_for(asyncio.shield(self._probe), READINESS_TIMEOUT_SECONDS)
        except TimeoutError:
            ready = False
        if ready:
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "database unreachable"}, status=503)
