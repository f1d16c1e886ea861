"""Documentation sent in the 1:1 chat: files attached to a message, pasted links, the card's
`Last opp dokumentasjon` (`Action.Execute`, verb `uploadDocument`) and the typed
`dokument <avtalenr> [lenke]` (English `document`).

**Answer first, download after.** Teams waits for the HTTP reply to a message (and re-sends it
after 15 s), so a turn only checks the links (`bot.teams.file_downloads.check_url`: no request yet),
decides which follow-up the files go to and answers "Mottatt, jeg laster ned …". The downloads
run afterwards as background work (`BackgroundWork`: a bounded number at once, a bounded queue,
an awaitable `idle()` for tests and shutdown); each file is fetched under the download policy,
stored with `followup.documents.services.store_document` (idempotent per message and attachment:
`<activity id>#<n>`) and one confirmation for the whole message is sent into the same
conversation through the `Notifier` (the app's pooled connector): name, type, size, short
SHA-256, the follow-up, what is still missing; a file sent before is "allerede mottatt"; a
refused or failed file says why. A failure nobody foresaw is logged and the person told.

**Which follow-up** (`followup.documents.targets.choose_target`): a contract named in the
message; else the follow-up whose `Last opp dokumentasjon` the person pressed in the last hour;
else a contract of theirs named in the file's name; else their only open follow-up that asks for
documents; else the bot asks.

**When it asks, the file is kept** (`UploadMemory`): the offered files (Teams' download
address and name) are remembered for the conversation for an hour, and a card lists the
person's open follow-ups with `Lagre her` (verb `uploadDocument`); pressing one, or typing
`dokument <avtalenr>`, downloads the remembered files to it. Teams' download addresses are
short-lived; if one has expired by then, the confirmation says so and asks for the file again.
The memory is a plain JSON item per conversation in the bot's state table (`bot_state`, key
`kontraktsvakt/uploads/<conversation id>`), apart from botbuilder's conversation state so a
dialog's state is never overwritten, and read without a turn context (the download runs after
the turn).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from botbuilder.core import InvokeResponse

from bot.conversation import formatting
from bot.conversation.activity_handler import tenant_of
from bot.conversation.cards import (
    Card,
    Element,
    adaptive_card,
    clip,
    execute_button,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.dependencies import BotDependencies
from bot.conversation.domain_commands import DomainCommands, NotRegistered, guarded
from bot.conversation.follow_up_cards import UPLOAD_VERB
from bot.conversation.replies import card_reply, error_reply
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest, card_action_message
from bot.conversation.texts import text
from bot.teams.file_downloads import (
    MAX_FILES,
    DownloadedFile,
    DownloadRefused,
    FileDownloader,
    FileOffer,
    check_url,
    file_attachments,
    links_in,
)
from followup.answers.services import (
    MAX_ANSWER_TEXT,
    AnswerRefused,
    FollowUpView,
    answer_closed_reason,
    answer_view,
    find_answer_target,
)
from followup.calendar.workdays import oslo_today
from followup.documents.services import (
    DocumentStored,
    StoreDocument,
    extension_of,
    store_document,
)
from followup.documents.targets import TargetSource, choose_target, evidence_named, reference_words
from followup.errors import DeliveryFailed, FollowUpError
from followup.models import ConversationKind, ConversationRef
from followup.ports import DocumentStore, Notifier, OutgoingMessage, UnitOfWork
from followup.tasks import TaskItem

log = logging.getLogger(__name__)

MEMORY_LIFETIME: Final = timedelta(hours=1)
MEMORY_PREFIX: Final = "kontraktsvakt/uploads/"
MAX_ID: Final = 64
MAX_ASKED: Final = 5
"""Follow-ups offered on the card that asks where a file goes."""
MAX_WAITING: Final = 200
"""Messages whose files may wait for a download slot; more are refused (`upload.busy`)."""
COMMAND_WORDS: Final = ("dokument", "document")


# --- background work ----------------------------------------------------------------------------


class BackgroundWork:
    """Work started after a turn's reply: at most `concurrency` at once, at most `max_waiting`
    started and not done; `idle()` waits until none is left (tests, shutdown)."""

    def __init__(self, concurrency: int, *, max_waiting: int = MAX_WAITING) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._max_waiting = max_waiting
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def start(self, work: Callable[[], Awaitable[None]], *, name: str) -> bool:
        """Start `work`; False (nothing started) when too much is waiting already."""
        if len(self._tasks) >= self._max_waiting:
            return False

        async def run() -> None:
            async with self._slots:
                try:
                    await work()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("background work failed", extra={"work": name})

        task = asyncio.create_task(run(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def idle(self) -> None:
        """Wait until every piece of work started (also while waiting) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.idle()


# --- what the bot remembers per conversation ----------------------------------------------------


class StateItems(Protocol):
    """JSON items by key (`storage.dialog_state.SqlDialogStateStore`)."""

    def read(self, keys: Sequence[str]) -> Mapping[str, tuple[dict[str, Any], str]]: ...
    def write(
        self, changes: Mapping[str, tuple[dict[str, Any], str | None]]
    ) -> Mapping[str, str]: ...
    def delete(self, keys: Iterable[str]) -> None: ...


@dataclass(frozen=True, slots=True)
class PendingUpload:
    """Files the bot was sent but could not place yet."""

    files: tuple[FileOffer, ...]
    caption: str | None
    activity_id: str | None


@dataclass(frozen=True, slots=True)
class Remembered:
    target: str | None = None
    """The follow-up whose `Last opp dokumentasjon` was pressed."""
    pending: PendingUpload | None = None


def _at(item: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(item["at"]) if isinstance(item, dict) else None
    except (KeyError, TypeError, ValueError):
        return None


class UploadMemory:
    """Per conversation, for `MEMORY_LIFETIME`: the follow-up chosen on a card and the files
    waiting for one (see the module docstring)."""

    def __init__(self, items: StateItems) -> None:
        self._items = items

    @staticmethod
    def _key(conversation_id: str) -> str:
        return MEMORY_PREFIX + conversation_id

    async def recall(self, conversation_id: str, now: datetime) -> Remembered:
        key = self._key(conversation_id)
        found = await asyncio.to_thread(self._items.read, [key])
        document = found[key][0] if key in found else {}
        target_item, pending_item = document.get("target"), document.get("pending")
        target = pending = None
        at = _at(target_item)
        if at is not None and now - at <= MEMORY_LIFETIME and isinstance(target_item, dict):
            value = target_item.get("followUpId")
            target = value if isinstance(value, str) and 0 < len(value) <= MAX_ID else None
        at = _at(pending_item)
        if at is not None and now - at <= MEMORY_LIFETIME and isinstance(pending_item, dict):
            pending = _pending_from(pending_item)
        return Remembered(target, pending)

    async def remember_target(self, conversation_id: str, follow_up_id: str, now: datetime) -> None:
        await self._change(conversation_id, target={"followUpId": follow_up_id, "at": _iso(now)})

    async def remember_pending(
        self, conversation_id: str, pending: PendingUpload, now: datetime
    ) -> None:
        await self._change(conversation_id, pending=_pending_json(pending, now))

    async def forget_pending(self, conversation_id: str) -> None:
        await self._change(conversation_id, pending=None)

    async def _change(self, conversation_id: str, **parts: Any) -> None:
        key = self._key(conversation_id)

        def run() -> None:
            found = self._items.read([key])
            document = dict(found[key][0]) if key in found else {}
            document.update(parts)
            document = {k: v for k, v in document.items() if v is not None}
            if document:
                self._items.write({key: (document, None)})
            else:
                self._items.delete([key])

        await asyncio.to_thread(run)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _pending_json(pending: PendingUpload, now: datetime) -> dict[str, Any]:
    return {
        "files": [{"url": f.url, "name": f.name, "fileType": f.file_type} for f in pending.files],
        "caption": pending.caption,
        "activityId": pending.activity_id,
        "at": _iso(now),
    }


def _pending_from(item: dict[str, Any]) -> PendingUpload | None:
    files = []
    for raw in item.get("files") or []:
        if isinstance(raw, dict) and isinstance(raw.get("url"), str):
            name, file_type = raw.get("name"), raw.get("fileType")
            files.append(
                FileOffer(
                    raw["url"],
                    name if isinstance(name, str) else None,
                    file_type if isinstance(file_type, str) else None,
                )
            )
    caption, activity_id = item.get("caption"), item.get("activityId")
    if not files:
        return None
    return PendingUpload(
        tuple(files[:MAX_FILES]),
        caption if isinstance(caption, str) else None,
        activity_id if isinstance(activity_id, str) else None,
    )


# --- the services -------------------------------------------------------------------------------


@dataclass
class Uploads:
    """What receiving documents needs, built once by the app (`build_uploads`)."""

    downloader: FileDownloader
    store: DocumentStore
    memory: UploadMemory
    notifier: Notifier
    work: BackgroundWork

    async def close(self) -> None:
        await self.work.close()
        await self.downloader.close()


# --- one message's files, after the reply -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Job:
    follow_up_id: str
    person_id: str
    offers: tuple[FileOffer, ...]
    caption: str | None
    activity_id: str | None
    reply_to: ConversationRef
    locale: str | None
    channel: str
    conversation_id: str | None


@dataclass(frozen=True, slots=True)
class _Outcome:
    name: str
    stored: DocumentStored | None = None
    refusal: str | None = None


def _reply_ref(request: TurnRequest) -> ConversationRef | None:
    activity = request.raw_activity
    conversation = getattr(activity, "conversation", None)
    service_url = getattr(activity, "service_url", None)
    recipient = getattr(activity, "recipient", None)
    sender = getattr(activity, "from_property", None)
    if conversation is None or not service_url or recipient is None or not recipient.id:
        return None
    return ConversationRef(
        conversation_id=conversation.id,
        kind=ConversationKind.PERSONAL,
        tenant_id=tenant_of(activity),
        service_url=service_url,
        channel_id=getattr(activity, "channel_id", None) or "msteams",
        bot_id=recipient.id,
        bot_name=getattr(recipient, "name", None),
        user_id=sender.id if sender is not None else None,
        aad_object_id=getattr(sender, "aad_object_id", None) if sender is not None else None,
        updated_at=request.now,
    )


def _shown_name(offer: FileOffer, locale: str | None) -> str:
    if offer.name:
        return clip(offer.name, 80)
    host = (urlsplit(offer.url).hostname or "?")[:80]
    return text("upload.link_name", locale, host=host)


def refusal_text(error: Exception, locale: str | None) -> str:
    if isinstance(error, FollowUpError):
        return error_reply(error, locale)
    if isinstance(error, DownloadRefused):
        return text(error.code, locale, **error.values)
    return text("upload.failed", locale)


def file_size(size: int, locale: str | None) -> str:
    """`812 B`, `182 kB`, `1,4 MB` (`1.4 MB` in English)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} kB"
    shown = f"{size / (1024 * 1024):.1f}"
    english = locale is not None and locale.lower().startswith("en")
    return (shown if english else shown.replace(".", ",")) + " MB"


def _caption(message: str, reference: str | None) -> str | None:
    """The words of the message that are neither the command, a link, nor the reference."""
    words = message.split()
    if words and words[0].lower() in COMMAND_WORDS:
        words = words[1:]
    kept = [
        w
        for w in words
        if "://" not in w
        and (reference is None or w.strip("«»\"'(),.;:").lower() != reference.lower())
    ]
    caption = " ".join(kept).strip()[:MAX_ANSWER_TEXT]
    return caption or None


class UploadCommands(DomainCommands):
    def __init__(self, deps: BotDependencies, uploads: Uploads | None = None) -> None:
        super().__init__(deps)
        self._uploads = uploads

    @property
    def _services(self) -> Uploads:
        """The services; the entry points answer `upload.unavailable` before asking when
        there are none."""
        if self._uploads is None:
            raise RuntimeError("uploads are not wired")
        return self._uploads

    def register(self, router: CommandRouter) -> None:
        command = Command(
            "dokument",
            ("document",),
            text("command.dokument"),
            ("personal",),
            self.typed,
            in_menu=False,  # the personal command list of the manifest is full
        )
        router.register(replace(command, handler=guarded(command.handler)))
        router.register_card_action(UPLOAD_VERB, self.upload_action)
        router.register_uploads(guarded(self.message_with_files))

    # --- the turn: answer quickly -----------------------------------------------------------

    async def message_with_files(self, message: str, request: TurnRequest) -> Reply:
        """A message with files attached, or with links in it (`message`: its text)."""
        locale = request.locale
        if request.kind is not ConversationKind.PERSONAL:
            return text("upload.personal_only", locale)
        if self._uploads is None:
            return text("upload.unavailable", locale)
        offers = file_attachments(getattr(request.raw_activity, "attachments", None))
        offers += [FileOffer(link) for link in links_in(message)]
        if not offers:
            return text("upload.no_file", locale)
        return await self._receive(offers[:MAX_FILES], message, request, typed_reference=False)

    async def typed(self, rest: str, request: TurnRequest) -> Reply:
        """`dokument KOM-2025-0147 [lenke]`, `dokument <lenke>`."""
        locale = request.locale
        if self._uploads is None:
            return text("upload.unavailable", locale)
        links = links_in(rest)
        if links:
            offers = [FileOffer(link) for link in links[:MAX_FILES]]
            return await self._receive(offers, rest, request, typed_reference=True)
        words = reference_words(rest)
        if not words:
            return text("upload.usage", locale)
        return await self._place_remembered(rest, words[0], request)

    async def _receive(
        self,
        offers: list[FileOffer],
        message: str,
        request: TurnRequest,
        *,
        typed_reference: bool,
    ) -> Reply:
        uploads = self._services
        locale = request.locale
        usable: list[FileOffer] = []
        notes: list[str] = []
        for offer in offers:
            try:
                check_url(offer.url, uploads.downloader.policy)
            except DownloadRefused as refused:
                notes.append(
                    text(
                        "upload.not_fetched",
                        locale,
                        name=_shown_name(offer, locale),
                        reason=refusal_text(refused, locale),
                    )
                )
            else:
                usable.append(offer)
        if not usable:
            return "\n\n".join(notes)
        conversation_id = request.conversation_id or ""
        remembered = await uploads.memory.recall(conversation_id, request.now)
        names = [o.name for o in usable if o.name]

        def choose(uow: UnitOfWork) -> tuple[str, Any, FollowUpView | None]:
            person = self._person(uow, request)
            target = choose_target(
                uow,
                person,
                request.now,
                text=message,
                file_names=names,
                remembered_follow_up_id=remembered.target,
            )
            view = answer_view(target.follow_up_id, uow) if target.follow_up_id else None
            return person.id, target, view

        person_id, target, view = await self._read(choose)
        if target.source is TargetSource.ASK or view is None:
            pending = PendingUpload(tuple(usable), _caption(message, None), request.activity_id)
            await uploads.memory.remember_pending(conversation_id, pending, request.now)
            return self._ask(target.candidates, usable, request, notes)
        caption = _caption(message, view.contract.reference)
        started = self._start(person_id, view, usable, caption, request.activity_id, request)
        if not started:
            return text("upload.busy", locale)
        return "\n\n".join([_received(view, usable, locale), *notes])

    async def _place_remembered(self, rest: str, word: str, request: TurnRequest) -> Reply:
        """`dokument KOM-…` without a link: the waiting files go there; with none waiting, the
        next file does (as after the card's button)."""
        locale = request.locale

        def choose(uow: UnitOfWork) -> tuple[str, Any, FollowUpView | None]:
            person = self._person(uow, request)
            target = choose_target(uow, person, request.now, text=rest)
            if target.source is not TargetSource.NAMED or target.follow_up_id is None:
                return person.id, target, None
            return person.id, target, answer_view(target.follow_up_id, uow)

        person_id, _target, view = await self._read(choose)
        if view is None:
            return text("contract.unknown", locale, reference=clip(word, MAX_ID))
        return await self._use_target(person_id, view, request)

    async def _use_target(self, person_id: str, view: FollowUpView, request: TurnRequest) -> str:
        """A follow-up was chosen (a card's button, `dokument KOM-…`): download what waits for
        one, or remember it for the next file."""
        uploads = self._services
        locale = request.locale
        conversation_id = request.conversation_id or ""
        remembered = await uploads.memory.recall(conversation_id, request.now)
        pending = remembered.pending
        if pending is not None:
            caption = _caption(pending.caption or "", view.contract.reference)
            if not self._start(
                person_id, view, list(pending.files), caption, pending.activity_id, request
            ):
                return text("upload.busy", locale)
            await uploads.memory.forget_pending(conversation_id)
            await uploads.memory.remember_target(conversation_id, view.follow_up.id, request.now)
            return _received(view, list(pending.files), locale)
        await uploads.memory.remember_target(conversation_id, view.follow_up.id, request.now)
        parts = [
            text(
                "upload.attach_now",
                locale,
                reference=view.contract.reference,
                title=clip(view.checkpoint.title, 100),
                due=formatting.due(view.due_date, locale),
            )
        ]
        if view.missing_evidence:
            parts.append(
                text("upload.attach_missing", locale, names=", ".join(view.missing_evidence))
            )
        return " ".join(parts)

    # --- the card's button --------------------------------------------------------------------

    async def upload_action(self, data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        locale = request.locale
        follow_up_id = data.get("followUpId")
        if not isinstance(follow_up_id, str) or not 0 < len(follow_up_id) <= MAX_ID:
            return card_action_message(text("card.unknown_action", locale))
        if self._uploads is None:
            return card_action_message(text("upload.unavailable", locale))

        def check(uow: UnitOfWork) -> tuple[str, FollowUpView]:
            person = self._person(uow, request)
            target = find_answer_target(uow, follow_up_id, person.id, request.now)
            reason = answer_closed_reason(target)
            if reason is not None:
                raise AnswerRefused(reason, reference=target.contract.reference)
            return person.id, answer_view(follow_up_id, uow)

        try:
            person_id, view = await self._read(check)
        except NotRegistered:
            return card_action_message(text("person.not_registered", locale))
        except FollowUpError as error:
            return card_action_message(error_reply(error, locale))
        return card_action_message(await self._use_target(person_id, view, request))

    # --- asking -------------------------------------------------------------------------------

    def _ask(
        self,
        candidates: Sequence[TaskItem],
        offers: Sequence[FileOffer],
        request: TurnRequest,
        notes: Sequence[str],
    ) -> Reply:
        locale = request.locale
        if not candidates:
            return "\n\n".join([text("upload.nothing_open", locale), *notes])
        return card_reply(ask_card(candidates, offers, oslo_today(request.now), locale, notes))

    # --- after the reply ------------------------------------------------------------------------

    def _start(
        self,
        person_id: str,
        view: FollowUpView,
        offers: Sequence[FileOffer],
        caption: str | None,
        activity_id: str | None,
        request: TurnRequest,
    ) -> bool:
        uploads = self._services
        reply_to = _reply_ref(request)
        if reply_to is None:
            log.warning("a file message without a conversation to answer in")
            return False
        raw = request.raw_activity
        job = _Job(
            follow_up_id=view.follow_up.id,
            person_id=person_id,
            offers=tuple(offers),
            caption=caption,
            activity_id=activity_id,
            reply_to=reply_to,
            locale=request.locale,
            channel=getattr(raw, "channel_id", None) or "msteams",
            conversation_id=request.conversation_id,
        )
        return uploads.work.start(lambda: self._process(job), name=f"upload:{activity_id}")

    async def _process(self, job: _Job) -> None:
        uploads = self._services
        try:
            message = await self._download_and_store(uploads, job)
        except Exception:
            log.exception(
                "storing uploaded files failed",
                extra={"follow_up_id": job.follow_up_id, "activity_id": job.activity_id},
            )
            message = text("upload.failed", job.locale)
        try:
            await uploads.notifier.send(job.reply_to, OutgoingMessage(message))
        except DeliveryFailed as exc:
            log.warning(
                "could not send the upload confirmation",
                extra={"status": exc.values.get("status"), "follow_up_id": job.follow_up_id},
            )

    async def _download_and_store(self, uploads: Uploads, job: _Job) -> str:
        locale = job.locale
        before = await self._read(lambda uow: answer_view(job.follow_up_id, uow))
        required = before.checkpoint.evidence
        outcomes: list[_Outcome] = []
        for index, offer in enumerate(job.offers):
            shown = _shown_name(offer, locale)
            try:
                downloaded = await uploads.downloader.download(offer)
                stored = await self._store(uploads, job, index, downloaded, required)
            except (DownloadRefused, FollowUpError) as refused:
                log.info(
                    "a file was not stored",
                    extra={
                        "code": getattr(refused, "code", None),
                        "follow_up_id": job.follow_up_id,
                    },
                )
                outcomes.append(_Outcome(shown, refusal=refusal_text(refused, locale)))
            else:
                outcomes.append(_Outcome(stored.document.file_name, stored=stored))
        view = await self._read(lambda uow: answer_view(job.follow_up_id, uow))
        return confirmation(view, outcomes, locale)

    async def _store(
        self,
        uploads: Uploads,
        job: _Job,
        index: int,
        downloaded: DownloadedFile,
        required: Sequence[str],
    ) -> DocumentStored:
        source = f"{job.activity_id}#{index}" if job.activity_id else None
        command = StoreDocument(
            job.follow_up_id,
            job.person_id,
            downloaded.name,
            downloaded.data,
            source_activity_id=source,
            source_channel_id=job.channel,
            source_conversation_id=job.conversation_id,
            evidence=evidence_named(job.caption, downloaded.name, required),
            declared_media_type=downloaded.media_type,
            text=job.caption,
            channel=job.channel,
        )
        now = self._deps.clock()
        policy = uploads.downloader.policy.upload_policy
        return await self._write(
            lambda uow: store_document(command, uow, now, store=uploads.store, policy=policy)
        )


# --- what is said -------------------------------------------------------------------------------


def _received(view: FollowUpView, offers: Sequence[FileOffer], locale: str | None) -> str:
    title = clip(view.checkpoint.title, 100)
    reference = view.contract.reference
    if len(offers) == 1:
        name = _shown_name(offers[0], locale)
        return text("upload.received_one", locale, name=name, reference=reference, title=title)
    return text("upload.received_many", locale, count=len(offers), reference=reference, title=title)


def confirmation(view: FollowUpView, outcomes: Sequence[_Outcome], locale: str | None) -> str:
    """One message for one message's files: what was stored, what was there already, what was
    refused and why, and what the follow-up still lacks."""
    values = {
        "reference": view.contract.reference,
        "title": clip(view.contract.title, 100),
        "checkpoint": clip(view.checkpoint.title, 100),
        "due": formatting.due(view.due_date, locale),
    }
    any_stored = any(o.stored is not None for o in outcomes)
    lines = [text("upload.confirm_head" if any_stored else "upload.confirm_none", locale, **values)]
    for outcome in outcomes:
        stored = outcome.stored
        if stored is None:
            lines.append(
                "- "
                + text("upload.confirm_refused", locale, name=outcome.name, reason=outcome.refusal)
            )
            continue
        document = stored.document
        facts = {
            "name": clip(document.file_name, 80),
            "type": (extension_of(document.file_name) or "?").upper(),
            "size": file_size(document.size_bytes, locale),
            "sha": document.sha256[:12],
        }
        if stored.duplicate:
            when = formatting.due(oslo_today(document.uploaded_at), locale)
            line = text("upload.confirm_duplicate", locale, date=when, **facts)
        else:
            line = text("upload.confirm_stored", locale, **facts)
            if document.evidence:
                line += " – " + text("upload.confirm_as", locale, evidence=document.evidence)
        lines.append("- " + line)
    if view.missing_evidence:
        lines.append(text("upload.confirm_missing", locale, names=", ".join(view.missing_evidence)))
    elif view.checkpoint.evidence and any_stored:
        lines.append(text("upload.confirm_complete", locale))
    return "\n".join(lines)


def _store_here(follow_up_id: str, locale: str | None) -> dict[str, Any]:
    return execute_button(
        text("upload.store_here", locale), UPLOAD_VERB, {"followUpId": follow_up_id}
    )


def ask_card(
    candidates: Sequence[TaskItem],
    offers: Sequence[FileOffer],
    today: Any,
    locale: str | None,
    notes: Sequence[str] = (),
) -> Card:
    """Where do the files go: the person's open follow-ups (those asking for documents first),
    each with `Lagre her`."""
    if len(offers) == 1:
        title = text("upload.which_title", locale, name=_shown_name(offers[0], locale))
    else:
        title = text("upload.which_title_many", locale, count=len(offers))
    intro = text("upload.which_intro", locale)
    body: list[Element] = [title_block(title), text_block(intro)]
    lines = [title, intro]
    for item in candidates[:MAX_ASKED]:
        line = text(
            "upload.which_item",
            locale,
            reference=item.contract.reference,
            title=clip(item.contract.title, 80),
            checkpoint=clip(item.checkpoint.title, 80),
            due=formatting.due(item.follow_up.due_date, locale),
        )
        elements: list[Element] = [text_block(line)]
        if item.checkpoint.evidence:
            elements.append(
                subtle_block(
                    text("upload.which_asks", locale, names=", ".join(item.checkpoint.evidence))
                )
            )
        elements.append({"type": "ActionSet", "actions": [_store_here(item.follow_up.id, locale)]})
        body.append({"type": "Container", "items": elements, "separator": True})
        lines.append("- " + line.replace("**", ""))
    for note in notes:
        body.append(subtle_block(note))
        lines.append(note)
    return adaptive_card(body, "\n".join(lines))


__all__ = [
    "BackgroundWork",
    "PendingUpload",
    "Remembered",
    "UploadCommands",
    "UploadMemory",
    "Uploads",
    "ask_card",
    "confirmation",
    "file_size",
]
