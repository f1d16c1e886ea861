"""`eksport <svar | avvik | forfalt | kontrakter | historikk | kontroller | risiko |
evalueringer> [fra <dato>] [til <dato>] [csv]` (English `export answers | deviations | overdue |
contracts | history | checks | risk | evaluations [from <date>] [to <date>] [csv]`).

Procurement exports the whole portfolio, anyone else what they may see
(`followup.access.resolve_viewer`); someone who sees no contract is refused. The file (Excel,
or CSV with `csv`; `avvik alle` includes closed deviations) is written in a worker thread from
the streamed rows (`followup.exports.prepare_export`) and kept under `DATA_DIR/exports` for
`EXPORT_LIFETIME_MINUTES`. If it is not ready within `INLINE_SECONDS` the turn is answered at
once ("Dette er en stor eksport …": Teams re-sends a message it has no HTTP answer to within
15 s) and the file follows as a reply to the same message when it is ready.

How it is handed over depends on where it was asked for:

- **A 1:1 chat in Teams**: Teams' file consent. The reply carries a `FileConsentCard` whose
  `acceptContext` holds the export's id only. On `fileConsent/invoke` with `accept`, the file
  is PUT to the `uploadUrl` Teams gives (`bot.teams.file_uploads`: allowed hosts only, nothing sent
  elsewhere), a `FileInfoCard` for the uploaded file is sent and the prepared file deleted; on
  `decline` the prepared file is deleted. The invoke is answered 200 either way (its body,
  `{"message": …}`, repeats what was said in the chat).
- **A channel, a group chat or the dev chat** (which have no file consent): a download link
  (`/eksport/<token>`, `bot.exports.download_route`) that works for `EXPORT_LINK_MINUTES`. Everyone
  in a
  channel sees the link, so a channel gets only what every member may see
  (`followup.access.channel_scope`, intersected with the asker's own scope); the members come
  from the Bot Connector's member list and are matched to people in the register.

`eksport analyse <avtalenr> [periode]` (an agreement's analysis as a workbook) is
`bot.exports.analysis_export`, delivered the same two ways.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, TypeVar

from botbuilder.core import BotAdapter, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, Attachment, ConversationReference

from bot.conversation import formatting
from bot.conversation.dependencies import BotDependencies
from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.markdown import echo
from bot.conversation.replies import read_one_date, read_period
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest
from bot.conversation.texts import text
from bot.teams.connector import ConnectorError
from bot.teams.file_uploads import FileUploader, UploadFailed
from bot.teams.members import conversation_members as connector_members
from followup.access import AccessRefusal, resolve_viewer
from followup.analysis.figures import AgreementAnalysis
from followup.analysis.models import StatisticsLine
from followup.calendar.workdays import oslo_today
from followup.channel_members import ChannelMember, members_scope
from followup.checks.evaluation_models import EvaluationLetter
from followup.conversations import channel_conversation_id, identify
from followup.errors import FollowUpError, NotAllowed
from followup.exports import (
    ConsentProblem,
    ExportFile,
    ExportFormat,
    ExportStore,
    consented_export,
    issue_link,
    prepare_export,
)
from followup.history import find_contract
from followup.models import ConversationKind
from followup.ports import UnitOfWork
from followup.views import WHOLE, ExportKind, ExportQuery, Scope, Subset

log = logging.getLogger(__name__)
T = TypeVar("T")
AnalysisWorkbookWriter = Callable[[Path, AgreementAnalysis, Sequence[StatisticsLine]], None]
EvaluationLetterWriter = Callable[[Path, EvaluationLetter], None]
"""Writes an analysis workbook to a path: the figures and the off-list lines."""

FILE_CONSENT: Final = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO: Final = "application/vnd.microsoft.teams.card.file.info"
EXPORT_ROUTE: Final = "/eksport/{token}"
DEV_CONVERSATION_PREFIX: Final = "a:dev-"
"""The dev chat's 1:1 conversations (`bot.devchannel`): Web Chat has no file consent."""
INLINE_SECONDS: Final = 4.0
"""An export not ready by then is announced, and the file follows in the same turn."""
BUILD_CONCURRENCY: Final = 2
MAX_WAITING: Final = 8
"""Exports being made or waiting to be; more are refused (`export.busy`)."""
CLEANUP_SECONDS: Final = 300.0
MAX_UPLOAD_FIELD: Final = 4096
SHEET_TITLES: Final = {
    ExportKind.SVAR: "Svar",
    ExportKind.AVVIK: "Avvik",
    ExportKind.FORFALT: "Forfalt",
    ExportKind.KONTRAKTER: "Kontrakter",
    ExportKind.HISTORIKK: "Historikk",
    ExportKind.KONTROLLER: "Kontroller",
    ExportKind.RISIKO: "Risikovurderinger",
    ExportKind.EVALUERINGER: "Evalueringer",
}
_REFERENCE: Final = re.compile(r"[A-Za-zÆØÅæøå]+[-/][\w/-]+")
"""A contract reference (`KOM-2025-0147`): letters, then a dash or slash; never a date."""
KIND_WORDS: Final = {
    "svar": ExportKind.SVAR,
    "answers": ExportKind.SVAR,
    "avvik": ExportKind.AVVIK,
    "deviations": ExportKind.AVVIK,
    "forfalt": ExportKind.FORFALT,
    "forfalte": ExportKind.FORFALT,
    "overdue": ExportKind.FORFALT,
    "kontrakter": ExportKind.KONTRAKTER,
    "contracts": ExportKind.KONTRAKTER,
    "historikk": ExportKind.HISTORIKK,
    "history": ExportKind.HISTORIKK,
    "kontroller": ExportKind.KONTROLLER,
    "checks": ExportKind.KONTROLLER,
    "risiko": ExportKind.RISIKO,
    "risikovurderinger": ExportKind.RISIKO,
    "risk": ExportKind.RISIKO,
    "evalueringer": ExportKind.EVALUERINGER,
    "evaluering": ExportKind.EVALUERINGER,
    "evaluations": ExportKind.EVALUERINGER,
}
FORMAT_WORDS: Final = {
    "csv": ExportFormat.CSV,
    "excel": ExportFormat.XLSX,
    "xlsx": ExportFormat.XLSX,
}
ALL_WORDS: Final = frozenset({"alle", "all"})
_FROM_TO: Final = re.compile(r"(?:fra|from)\s+(?P<start>.+?)\s+(?:til|to)\s+(?P<end>.+)", re.I)
_FROM: Final = re.compile(r"(?:fra|from)\s+(?P<start>.+)", re.I)
_TO: Final = re.compile(r"(?:til|to|until)\s+(?P<end>.+)", re.I)


# --- the request --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportRequest:
    kind: ExportKind
    export_format: ExportFormat
    from_date: date | None
    to_date: date | None
    include_closed: bool = False
    contract_reference: str | None = None
    """HISTORIKK: one contract's history (its reference as typed)."""

    def query(self, today: date, subset: Subset = WHOLE) -> ExportQuery:
        return ExportQuery(
            kind=self.kind,
            today=today,
            from_date=self.from_date,
            to_date=self.to_date,
            subset=subset,
            open_only=not self.include_closed,
        )


def _end_this_year(phrase: str, now: datetime, today: date, locale: str | None) -> date:
    """`til 30.11`: a date without a year is the one this year (`til 31.3` in November is
    31 March this year, `til 15.12` is 15 December this year)."""
    ahead = read_one_date(phrase, now, today, locale)
    if ahead.year == today.year:
        return ahead
    return read_one_date(phrase, now, today, locale, prefer="past")


def read_export_request(
    rest: str, now: datetime, today: date, locale: str | None
) -> ExportRequest | None:
    """What `eksport …` asks for; None when no kind is named. Dates are read by
    `bot.conversation.replies` (raising `DateProblem`), looking back: a date without a year is the
    most
    recent one, and a period's end follows its start."""
    words = rest.split()
    if not words or words[0].lower() not in KIND_WORDS:
        return None
    kind = KIND_WORDS[words[0].lower()]
    export_format = ExportFormat.XLSX
    include_closed = False
    reference: str | None = None
    rest_words = words[1:]
    if kind is ExportKind.HISTORIKK and rest_words and _REFERENCE.fullmatch(rest_words[0]):
        reference, rest_words = rest_words[0][:60], rest_words[1:]
    kept: list[str] = []
    for word in rest_words:
        lowered = word.lower()
        if lowered in FORMAT_WORDS:
            export_format = FORMAT_WORDS[lowered]
        elif lowered in ALL_WORDS and kind is ExportKind.AVVIK:
            include_closed = True
        else:
            kept.append(word)
    phrase = " ".join(kept)
    start: date | None = None
    end: date | None = None
    if not phrase:
        pass
    elif _FROM_TO.fullmatch(phrase):
        start, end = read_period(phrase, now, today, locale, prefer="past")
    elif match := _FROM.fullmatch(phrase):
        start = read_one_date(match["start"], now, today, locale, prefer="past")
    elif match := _TO.fullmatch(phrase):
        end = _end_this_year(match["end"], now, today, locale)
    else:
        start, end = read_period(phrase, now, today, locale, prefer="past")
    return ExportRequest(kind, export_format, start, end, include_closed, reference)


# --- what the app keeps -------------------------------------------------------------------------


@dataclass
class Exports:
    """Prepared exports, the uploader and the limits, built once by the app (`build_exports`)."""

    store: ExportStore
    uploader: FileUploader
    lifetime: timedelta
    link_lifetime: timedelta
    base_url: str
    clock: Callable[[], datetime] | None = None
    """The time `lifetime` and `link_lifetime` count in: real time, also while the demo runs
    the follow-ups' clock fast. None: the turn's time."""
    analysis_workbook: AnalysisWorkbookWriter | None = None
    """Writes an agreement's analysis workbook (`storage.analysis_workbook`, the one
    `kontraktsvakt analyse --xlsx` writes) for `eksport analyse`; None: not offered."""
    evaluation_letter: EvaluationLetterWriter | None = None
    """Writes a supplier evaluation as a letter (`storage.evaluation_letter`) for
    `evaluer <avtalenr> brev`; None: not offered."""

    def lifetime_now(self, turn_now: datetime) -> datetime:
        """Now, for an export's and a link's lifetime (see `clock`)."""
        return self.clock() if self.clock is not None else turn_now

    def __post_init__(self) -> None:
        self._slots = asyncio.Semaphore(BUILD_CONCURRENCY)
        self._tasks: set[asyncio.Task[None]] = set()
        self.waiting = 0
        """Exports being made or waiting for a worker."""

    async def build(self, work: Callable[[], T]) -> T:
        """Run `work` in a worker thread, at most `BUILD_CONCURRENCY` at once."""
        async with self._slots:
            return await asyncio.to_thread(work)

    def built(self, _done: asyncio.Future[Any]) -> None:
        self.waiting -= 1

    def later(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run `work` after the turn (a big export's reply); cancelled on shutdown."""
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until every reply sent after its turn has gone (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def remove_expired(self, now: datetime) -> int:
        return await asyncio.to_thread(self.store.remove_expired, now)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.idle()
        await self.uploader.close()


# --- where the file goes --------------------------------------------------------------------------


class Delivery(StrEnum):
    CONSENT = "consent"
    LINK = "link"


def delivery_for(request: TurnRequest) -> Delivery:
    """File consent in a 1:1 chat in Teams; a link where there is none (channels, group chats,
    the dev chat)."""
    if request.kind is not ConversationKind.PERSONAL:
        return Delivery.LINK
    if (request.conversation_id or "").startswith(DEV_CONVERSATION_PREFIX):
        return Delivery.LINK
    return Delivery.CONSENT


async def conversation_members(request: TurnRequest) -> list[ChannelMember]:
    """Everyone in the channel or group chat, as the Bot Connector lists them (paged): the
    same look-up as the portfolio commands' channel answers. Raises `ConnectorError`."""
    conversation = channel_conversation_id(request.conversation_id or "")
    return await connector_members(request.turn_context, conversation)


@dataclass(frozen=True, slots=True)
class _ReplyPath:
    """How to answer a message after its turn: the turn's (pooled) connector client and the
    conversation reference."""

    client: Any
    reference: ConversationReference

    @classmethod
    def of(cls, context: TurnContext | None) -> _ReplyPath | None:
        client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY) if context else None
        if context is None or client is None:
            return None
        return cls(client, TurnContext.get_conversation_reference(context.activity))

    async def send(self, reply: Reply) -> None:
        if isinstance(reply, str):
            activity = MessageFactory.text(reply)
        elif isinstance(reply, Activity):
            activity = reply
        else:
            raise TypeError("an export answers with a message")
        activity = TurnContext.apply_conversation_reference(activity, self.reference)
        conversation_id = self.reference.conversation.id
        if self.reference.activity_id:
            await self.client.conversations.reply_to_activity(
                conversation_id, self.reference.activity_id, activity
            )
        else:
            await self.client.conversations.send_to_conversation(conversation_id, activity)


async def _send_when_ready(
    finish: Callable[[str, TurnRequest], Awaitable[Reply]],
    request: TurnRequest,
    path: _ReplyPath,
) -> None:
    try:
        reply = await finish("", request)
    except Exception:
        log.exception("an export failed after its turn", extra={"activity_id": request.activity_id})
        reply = text("error.sorry", request.locale)
    try:
        await path.send(reply)
    except ConnectorError as exc:
        log.warning("an export's reply was not delivered", extra={"status": exc.status})


def start_building(exports: Exports, work: Callable[[], T]) -> asyncio.Future[T] | None:
    """`work` started in a worker thread (`Exports.build`), counted while it waits or runs;
    None when `MAX_WAITING` are already (`export.busy`)."""
    if exports.waiting >= MAX_WAITING:
        return None
    exports.waiting += 1
    building = asyncio.ensure_future(exports.build(work))
    building.add_done_callback(exports.built)
    return building


async def reply_when_built(
    exports: Exports,
    building: asyncio.Future[Any],
    finish: Callable[[TurnRequest], Awaitable[Reply]],
    request: TurnRequest,
) -> Reply:
    """`finish`'s reply (it awaits `building`) when the file is ready within
    `INLINE_SECONDS`. A big export: the turn is answered now (Teams re-sends a message it has
    not had an HTTP answer to within 15 s), and `finish`'s reply follows as a reply to the
    same message when the file is ready."""
    done, _ = await asyncio.wait({building}, timeout=INLINE_SECONDS)
    path = None if done else _ReplyPath.of(request.turn_context)
    if path is None:
        return await finish(request)
    later = guarded(lambda _rest, req: finish(req))
    exports.later(_send_when_ready(later, request, path), name=f"export-{request.activity_id}")
    return text("export.working", request.locale)


def consent_reply(made: ExportFile, summary: str, locale: str | None) -> Activity:
    """A file consent card for `made` (Teams' 1:1 chat): its id, never its data."""
    made_at = formatting.numeric(oslo_today(made.created_at), locale)
    card = Attachment(
        content_type=FILE_CONSENT,
        name=made.file_name,
        content={
            "description": text(
                "export.consent_description", locale, summary=summary, made=made_at
            ),
            "sizeInBytes": made.size_bytes,
            "acceptContext": {"exportId": made.id},
            "declineContext": {"exportId": made.id},
        },
    )
    lines = [text("export.consent", locale, summary=summary)]
    if made.truncated:
        lines.append(text("export.truncated", locale, rows=made.rows))
    return MessageFactory.attachment(card, text="\n\n".join(lines))


async def deliver(
    exports: Exports, made: ExportFile, summary: str, request: TurnRequest, locale: str | None
) -> Activity | str:
    """`made` to the asker as this conversation allows (`delivery_for`): a file consent card,
    or a download link."""
    delivery = delivery_for(request)
    log.info(
        "export prepared",
        extra={
            "export_id": made.id,
            "kind": made.kind.value,
            "rows": made.rows,
            "bytes": made.size_bytes,
            "delivery": delivery.value,
        },
    )
    if delivery is Delivery.CONSENT:
        return consent_reply(made, summary, locale)
    in_channel = request.kind is not ConversationKind.PERSONAL
    return await link_reply(exports, made, summary, in_channel, request.now, locale)


async def link_reply(
    exports: Exports,
    made: ExportFile,
    summary: str,
    in_channel: bool,
    now: datetime,
    locale: str | None,
) -> str:
    """A download link to `made` (a channel, a group chat, the dev chat)."""
    token, _link = await asyncio.to_thread(
        issue_link, exports.store, made, exports.lifetime_now(now), exports.link_lifetime
    )
    url = exports.base_url + EXPORT_ROUTE.format(token=token)
    minutes = int(exports.link_lifetime.total_seconds() // 60)
    lines = [
        text(
            "export.link",
            locale,
            summary=summary,
            file=made.file_name,
            url=url,
            minutes=minutes,
        )
    ]
    if made.truncated:
        lines.append(text("export.truncated", locale, rows=made.rows))
    if in_channel:
        lines.append(text("export.link_channel", locale))
    return "\n\n".join(lines)


# --- the commands ---------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class ExportCommands(DomainCommands):
    def __init__(self, deps: BotDependencies, exports: Exports | None = None) -> None:
        super().__init__(deps)
        self._exports = exports

    def register(self, router: CommandRouter) -> None:
        router.register(
            Command(
                "eksport",
                ("export",),
                text("command.eksport"),
                ("personal", "team"),
                guarded(self.export),
                procurement_only=True,
                in_menu=True,
                menu_scopes=("team",),
            )
        )
        router.register_file_consent(self.file_consent)

    # -- eksport

    async def export(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        exports = self._exports
        today = oslo_today(request.now)
        wanted = read_export_request(rest, request.now, today, locale)
        if wanted is None or exports is None:
            return text("export.usage", locale)
        if wanted.from_date and wanted.to_date and wanted.to_date < wanted.from_date:
            return text(
                "export.bad_period",
                locale,
                start=formatting.numeric(wanted.from_date, locale),
                end=formatting.numeric(wanted.to_date, locale),
            )
        members: list[ChannelMember] | None = None
        if request.kind is not ConversationKind.PERSONAL:
            try:
                members = await conversation_members(request)
            except (ConnectorError, TypeError, ValueError) as exc:
                log.warning("conversation members not read", extra={"error": str(exc)[:200]})
                return text("export.members_unknown", locale)
        building = start_building(exports, lambda: self._make(exports, wanted, request, members))
        if building is None:
            return text("export.busy", locale)
        in_channel = members is not None
        return await reply_when_built(
            exports,
            building,
            lambda req: self._finish(exports, wanted, building, in_channel, req),
            request,
        )

    async def _finish(
        self,
        exports: Exports,
        wanted: ExportRequest,
        building: asyncio.Future[tuple[ExportFile | None, bool]],
        in_channel: bool,
        request: TurnRequest,
    ) -> Reply:
        try:
            made, whole = await building
        except _Refused as refused:
            return refused.reply
        if in_channel:
            scope_word = "export.scope.channel"
        else:
            scope_word = "export.scope.all" if whole else "export.scope.own"
        return await self._deliver(exports, wanted, made, scope_word, request)

    def _make(
        self,
        exports: Exports,
        wanted: ExportRequest,
        request: TurnRequest,
        members: Sequence[ChannelMember] | None,
    ) -> tuple[ExportFile | None, bool]:
        """The export file (None: no rows) and whether the asker sees everything. Blocking."""
        today = oslo_today(request.now)
        procurement = self._deps.procurement_addresses
        with self._deps.uow_factory() as uow:
            person = self._person(uow, request)
            try:
                viewer = resolve_viewer(uow, person.id, today, procurement_addresses=procurement)
            except NotAllowed as refusal:
                if refusal.code == AccessRefusal.NO_CONTRACTS:
                    raise _Refused(text("export.not_allowed", request.locale)) from None
                raise
            scope = viewer.scope
            if members is not None:
                scope = scope & members_scope(uow, members, today, procurement)
            query = wanted.query(today, self._subset(uow, wanted, scope, request.locale))
            made = prepare_export(
                uow,
                exports.store,
                query,
                scope,
                wanted.export_format,
                person_id=person.id,
                conversation_id=request.conversation_id or "",
                now=exports.lifetime_now(request.now),
                lifetime=exports.lifetime,
                sheet_title=SHEET_TITLES.get(query.kind, "Eksport"),
            )
        return made, viewer.procurement

    async def _deliver(
        self,
        exports: Exports,
        wanted: ExportRequest,
        made: ExportFile | None,
        scope_word: str,
        request: TurnRequest,
    ) -> Reply:
        locale = request.locale
        what = self._what(wanted, locale)
        period = self._period(wanted, locale)
        scope_text = text(scope_word, locale)
        if made is None:
            return text("export.empty", locale, what=what, period=period, scope=scope_text)
        summary = text(
            "export.summary",
            locale,
            what=what[:1].upper() + what[1:],
            period=period,
            scope=scope_text,
            rows=made.rows,
        )
        return await deliver(exports, made, summary, request, locale)

    @staticmethod
    def _subset(uow: UnitOfWork, wanted: ExportRequest, scope: Scope, locale: str | None) -> Subset:
        """One contract's history when a reference was given, only if the scope sees it."""
        if wanted.contract_reference is None:
            return WHOLE
        try:
            contract = find_contract(uow, wanted.contract_reference, scope)
        except FollowUpError:
            reference = echo(wanted.contract_reference)
            raise _Refused(
                text("export.history.unknown_contract", locale, reference=reference)
            ) from None
        return Subset(contract_id=contract.id)

    @staticmethod
    def _what(wanted: ExportRequest, locale: str | None) -> str:
        if wanted.kind is ExportKind.AVVIK and wanted.include_closed:
            return text("export.kind.avvik_all", locale)
        return text(f"export.kind.{wanted.kind.value}", locale)

    @staticmethod
    def _period(wanted: ExportRequest, locale: str | None) -> str:
        start, end = wanted.from_date, wanted.to_date
        if start and end:
            return text(
                "export.period.both",
                locale,
                start=formatting.numeric(start, locale),
                end=formatting.numeric(end, locale),
            )
        if start:
            return text("export.period.from", locale, start=formatting.numeric(start, locale))
        if end:
            return text("export.period.to", locale, end=formatting.numeric(end, locale))
        return ""

    # -- fileConsent/invoke

    async def file_consent(self, value: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        locale = request.locale
        exports = self._exports
        action = value.get("action")
        context = value.get("context")
        export_id = context.get("exportId") if isinstance(context, dict) else None
        if exports is None or action not in {"accept", "decline"} or export_id is None:
            log.info("file consent with nothing pending", extra={"action": str(action)[:16]})
            return await self._answer(request, text("file.no_pending", locale))

        def find() -> Any:
            with self._deps.uow_factory() as uow:
                person = identify(uow, request.teams_user_id, request.aad_object_id)
            return consented_export(
                exports.store,
                export_id,
                person_id=person.id if person is not None else None,
                conversation_id=request.conversation_id,
                now=exports.lifetime_now(request.now),
            )

        consented = await asyncio.to_thread(find)
        export: ExportFile | None = consented.export
        if export is None:
            log.info("file consent refused", extra={"problem": str(consented.problem)})
            minutes = int(exports.lifetime.total_seconds() // 60)
            message = (
                text("export.gone", locale, minutes=minutes)
                if consented.problem in {ConsentProblem.EXPIRED, ConsentProblem.UNKNOWN}
                else text("file.no_pending", locale)
            )
            return await self._answer(request, message)
        if action == "decline":
            await asyncio.to_thread(exports.store.delete, export.id)
            log.info("export declined", extra={"export_id": export.id})
            return await self._answer(request, text("export.declined", locale))
        return await self._accept(exports, export, value.get("uploadInfo"), request)

    async def _accept(
        self, exports: Exports, export: ExportFile, info: Any, request: TurnRequest
    ) -> InvokeResponse:
        locale = request.locale
        upload = _upload_info(info)
        if upload is None:
            return await self._answer(request, text("export.upload_failed", locale))
        try:
            exports.uploader.check(upload.content_url)
            await exports.uploader.upload(
                upload.upload_url, exports.store.path(export), export.size_bytes
            )
        except UploadFailed as exc:
            log.warning(
                "export upload failed",
                extra={"export_id": export.id, "refused": exc.refused, "status": exc.status},
            )
            key = "export.upload_refused" if exc.refused else "export.upload_failed"
            return await self._answer(request, text(key, locale))
        card = Attachment(
            content_type=FILE_INFO,
            content_url=upload.content_url,
            name=upload.name or export.file_name,
            content={"uniqueId": upload.unique_id, "fileType": upload.file_type},
        )
        said = text("export.uploaded", locale, file=upload.name or export.file_name)
        if request.turn_context is not None:
            await request.turn_context.send_activity(MessageFactory.attachment(card, text=said))
        await asyncio.to_thread(exports.store.delete, export.id)
        log.info("export delivered", extra={"export_id": export.id, "bytes": export.size_bytes})
        return _ok(said)

    @staticmethod
    async def _answer(request: TurnRequest, message: str) -> InvokeResponse:
        """Say `message` in the chat; the invoke is answered 200 (Teams shows nothing of it)."""
        if request.turn_context is not None:
            await request.turn_context.send_activity(message)
        return _ok(message)


@dataclass(frozen=True, slots=True)
class _UploadInfo:
    upload_url: str
    content_url: str
    name: str | None
    unique_id: str
    file_type: str


def _upload_info(info: Any) -> _UploadInfo | None:
    if not isinstance(info, dict):
        return None

    def field(key: str, limit: int = MAX_UPLOAD_FIELD) -> str | None:
        value = info.get(key)
        return value if isinstance(value, str) and 0 < len(value) <= limit else None

    upload_url, content_url = field("uploadUrl"), field("contentUrl")
    unique_id, file_type = field("uniqueId", 256), field("fileType", 16)
    if upload_url is None or content_url is None or unique_id is None or file_type is None:
        return None
    return _UploadInfo(upload_url, content_url, field("name", 255), unique_id, file_type)


def _ok(message: str) -> InvokeResponse:
    return InvokeResponse(status=200, body={"message": message})


__all__ = [
    "EXPORT_ROUTE",
    "AnalysisWorkbookWriter",
    "Delivery",
    "EvaluationLetterWriter",
    "ExportCommands",
    "ExportRequest",
    "Exports",
    "consent_reply",
    "delivery_for",
    "link_reply",
    "read_export_request",
    "reply_when_built",
    "start_building",
]
