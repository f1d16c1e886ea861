"""Documentation sent in the 1:1 chat: files attached to a message, pasted links, the card's
`Last opp dokumentasjon` (`Action.Execute`, verb `uploadDocument`) and the typed
`dokument <avtalenr> [hva] [lenke]` (English `document`).

**Answer first, download after.** Teams waits for the HTTP reply to a message (and re-sends it
after 15 s), so a turn only checks the links (`bot.teams.file_downloads.check_url`: no request
yet), decides which contract the files go to and, where their names and the message tell, which
evidence request (`followup.documents.targets`), and answers "Mottatt, jeg laster ned …". The
downloads run afterwards as background work (`BackgroundWork`: a bounded number at once, a
bounded queue, an awaitable `idle()` for tests and shutdown). A file whose request is not known
yet is first looked up by its SHA-256 on the contract (sent before: it says so, and where it was
filed), then, for a PDF, placed again with the text of its first page
(`bot.uploads.first_page`). Each file placed is stored with
`followup.documents.services.store_document` (idempotent per message and attachment:
`<activity id>#<n>`), and one confirmation for the whole message is sent into the same
conversation through the `Notifier` (the app's pooled connector). A refused or failed file says
why; a failure nobody foresaw is logged and the person told.

**When it cannot tell, it asks, and keeps the file** (`UploadMemory`): the files (Teams' download
address, name and place in the message) are remembered for the conversation for an hour, and a
card lists the open evidence requests (the contract's, or the person's when no contract is
known: checkpoint, evidence, due date) with `Lagre her` (verb `uploadDocument`, the follow-up and
the evidence code). Pressing one, or typing `dokument <avtalenr> [hva]`, files the remembered
files there. Teams' download addresses are short-lived; if one has expired by then, the
confirmation says so and asks for the file again. `dokument <avtalenr>` with no file waiting
asks the same way which request the next file is for, unless the text names one or only one is
open. The memory is a plain JSON item per conversation in the bot's state table (`bot_state`,
key `kontraktsvakt/uploads/<conversation id>`), apart from botbuilder's conversation state so a
dialog's state is never overwritten, and read without a turn context (the download runs after
the turn).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from botbuilder.core import InvokeResponse

from bot.conversation import formatting
from bot.conversation.activity_handler import tenant_of
from bot.conversation.cards import clip
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
from bot.uploads.first_page import FirstPageReader
from bot.uploads.replies import (
    Outcome,
    confirmation,
    received,
    request_card,
    shown_name,
)
from followup.answers.services import (
    MAX_ANSWER_TEXT,
    AnswerRefusal,
    AnswerRefused,
    FollowUpView,
    answer_closed_reason,
    answer_view,
    find_answer_target,
)
from followup.documents.matching import EvidenceRequest
from followup.documents.services import (
    DocumentStored,
    StoreDocument,
    clean_file_name,
    extension_of,
    filed_copy,
    store_document,
)
from followup.documents.targets import (
    Placement,
    TargetSource,
    UploadTarget,
    choose_target,
    evidence_in_text,
    place_file,
    reference_words,
)
from followup.errors import DeliveryFailed, FollowUpError
from followup.models import Contract, ConversationKind, ConversationRef, Document
from followup.ports import DocumentStore, Notifier, OutgoingMessage, UnitOfWork

log = logging.getLogger(__name__)

MEMORY_LIFETIME: Final = timedelta(hours=1)
MEMORY_PREFIX: Final = "kontraktsvakt/uploads/"
MAX_ID: Final = 64
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
    indexes: tuple[int, ...] = ()
    """Each file's place in the message it came with (its source key `<activity id>#<n>`);
    empty: 0, 1, 2, …"""

    def numbered(self) -> list[tuple[int, FileOffer]]:
        indexes = self.indexes if len(self.indexes) == len(self.files) else range(len(self.files))
        return list(zip(indexes, self.files, strict=True))


@dataclass(frozen=True, slots=True)
class Remembered:
    target: str | None = None
    """The follow-up whose `Last opp dokumentasjon` was pressed, or chosen on the question."""
    evidence: str | None = None
    """The evidence code chosen with it on the question."""
    pending: PendingUpload | None = None


def _at(item: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(item["at"]) if isinstance(item, dict) else None
    except (KeyError, TypeError, ValueError):
        return None


def _short(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= MAX_ID else None


class UploadMemory:
    """Per conversation, for `MEMORY_LIFETIME`: the follow-up chosen on a card and the files
    waiting for one (see the module docstring). `clock`, when given, is the time the lifetime
    runs on (real time while the demo runs the turns' clock fast); else each call's `now`."""

    def __init__(self, items: StateItems, clock: Callable[[], datetime] | None = None) -> None:
        self._items = items
        self._clock = clock

    def _now(self, now: datetime) -> datetime:
        return self._clock() if self._clock is not None else now

    @staticmethod
    def _key(conversation_id: str) -> str:
        return MEMORY_PREFIX + conversation_id

    async def recall(self, conversation_id: str, now: datetime) -> Remembered:
        key = self._key(conversation_id)
        now = self._now(now)
        found = await asyncio.to_thread(self._items.read, [key])
        document = found[key][0] if key in found else {}
        target_item, pending_item = document.get("target"), document.get("pending")
        target = evidence = pending = None
        at = _at(target_item)
        if at is not None and now - at <= MEMORY_LIFETIME and isinstance(target_item, dict):
            target = _short(target_item.get("followUpId"))
            evidence = _short(target_item.get("evidence")) if target else None
        at = _at(pending_item)
        if at is not None and now - at <= MEMORY_LIFETIME and isinstance(pending_item, dict):
            pending = _pending_from(pending_item)
        return Remembered(target, evidence, pending)

    async def remember_target(
        self,
        conversation_id: str,
        follow_up_id: str,
        now: datetime,
        evidence: str | None = None,
    ) -> None:
        target = {"followUpId": follow_up_id, "at": _iso(self._now(now))}
        if evidence:
            target["evidence"] = evidence
        await self._change(conversation_id, target=target)

    async def remember_pending(
        self, conversation_id: str, pending: PendingUpload, now: datetime
    ) -> None:
        await self._change(conversation_id, pending=_pending_json(pending, self._now(now)))

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
        "files": [
            {"url": f.url, "name": f.name, "fileType": f.file_type, "index": index}
            for index, f in pending.numbered()
        ],
        "caption": pending.caption,
        "activityId": pending.activity_id,
        "at": _iso(now),
    }


def _pending_from(item: dict[str, Any]) -> PendingUpload | None:
    files: list[FileOffer] = []
    indexes: list[int] = []
    for raw in item.get("files") or []:
        if isinstance(raw, dict) and isinstance(raw.get("url"), str):
            name, file_type, index = raw.get("name"), raw.get("fileType"), raw.get("index")
            files.append(
                FileOffer(
                    raw["url"],
                    name if isinstance(name, str) else None,
                    file_type if isinstance(file_type, str) else None,
                )
            )
            if isinstance(index, int) and 0 <= index < MAX_FILES and index not in indexes:
                indexes.append(index)
            else:
                indexes.append(-1)
    caption, activity_id = item.get("caption"), item.get("activityId")
    if not files:
        return None
    kept = indexes[:MAX_FILES]
    return PendingUpload(
        tuple(files[:MAX_FILES]),
        caption if isinstance(caption, str) else None,
        activity_id if isinstance(activity_id, str) else None,
        tuple(kept) if -1 not in kept else (),
    )


# --- the services -------------------------------------------------------------------------------


class StatisticsIntake(Protocol):
    """Reads a supplier's sales statistics sent as the answer to a *Salgsstatistikk*
    follow-up, and says what it found (the purchase analysis, wired in `bot.wiring`)."""

    async def __call__(
        self, contract: Contract, file_name: str, data: bytes, person_id: str, locale: str | None
    ) -> OutgoingMessage | None: ...


STATISTICS_EVIDENCE: Final = "salgsstatistikk"
STATISTICS_EXTENSIONS: Final = frozenset({"csv", "xlsx", "txt"})


@dataclass
class Uploads:
    """What receiving documents needs, built once by the app (`build_uploads`)."""

    downloader: FileDownloader
    store: DocumentStore
    memory: UploadMemory
    notifier: Notifier
    work: BackgroundWork
    first_page: FirstPageReader = field(default_factory=FirstPageReader)
    statistics: StatisticsIntake | None = None
    """A statistics file stored for its follow-up is also analysed at once (issue 16)."""

    async def close(self) -> None:
        await self.work.close()
        await self.downloader.close()
        self.first_page.close()


# --- one message's files, after the reply -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _File:
    index: int
    """Its place in the message it came with."""
    offer: FileOffer
    placement: Placement


@dataclass(frozen=True, slots=True)
class _Job:
    person_id: str
    target: UploadTarget
    files: tuple[_File, ...]
    caption: str | None
    activity_id: str | None
    reply_to: ConversationRef
    locale: str | None
    channel: str
    conversation_id: str | None


@dataclass(frozen=True, slots=True)
class _Chosen:
    """A turn's decision: the person, where the files go, and the follow-up they all go to,
    if there is one."""

    person_id: str
    target: UploadTarget
    files: tuple[_File, ...] = ()
    view: FollowUpView | None = None


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


def refusal_text(error: Exception, locale: str | None, *, markdown: bool = True) -> str:
    """Why a file was not taken; `markdown=False` for the background job's message, which is
    sent as plain text (`bot.teams.notifier`)."""
    if isinstance(error, FollowUpError):
        return error_reply(error, locale, markdown=markdown)
    if isinstance(error, DownloadRefused):
        return text(error.code, locale, **error.values)
    return text("upload.failed", locale)


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


def _joined(*parts: str | None) -> str | None:
    joined = " ".join(p for p in parts if p)
    return joined or None


def _placed(
    uow: UnitOfWork,
    target: UploadTarget,
    numbered: Sequence[tuple[int, FileOffer]],
    message: str | None,
) -> tuple[tuple[_File, ...], FollowUpView | None]:
    """Each file placed by its name and the message; the follow-up they all go to, if one."""
    files = tuple(
        _File(index, offer, place_file(target, file_name=offer.name, message=message))
        for index, offer in numbered
    )
    places = {f.placement.follow_up_id for f in files}
    only = next(iter(places)) if len(places) == 1 else None
    return files, answer_view(only, uow) if only is not None else None


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
        return await self._receive(offers[:MAX_FILES], message, request)

    async def typed(self, rest: str, request: TurnRequest) -> Reply:
        """`dokument KOM-2025-0147 [hva] [lenke]`, `dokument <lenke>`."""
        locale = request.locale
        if self._uploads is None:
            return text("upload.unavailable", locale)
        links = links_in(rest)
        if links:
            offers = [FileOffer(link) for link in links[:MAX_FILES]]
            return await self._receive(offers, rest, request)
        words = reference_words(rest)
        if not words:
            return text("upload.usage", locale)
        return await self._typed_contract(rest, words[0], request)

    async def _receive(self, offers: list[FileOffer], message: str, request: TurnRequest) -> Reply:
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
                        name=shown_name(offer, locale),
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
        numbered = list(enumerate(usable))

        def choose(uow: UnitOfWork) -> _Chosen:
            person = self._person(uow, request)
            target = choose_target(
                uow,
                person,
                request.now,
                text=message,
                file_names=names,
                remembered_follow_up_id=remembered.target,
                remembered_evidence=remembered.evidence,
            )
            if target.contract is None:
                return _Chosen(person.id, target)
            caption = _caption(message, target.contract.reference)
            files, view = _placed(uow, target, numbered, caption)
            return _Chosen(person.id, target, files, view)

        chosen = await self._read(choose)
        contract = chosen.target.contract
        if contract is None:
            pending = PendingUpload(
                tuple(usable),
                _caption(message, None),
                request.activity_id,
                tuple(range(len(usable))),
            )
            await uploads.memory.remember_pending(conversation_id, pending, request.now)
            return self._ask(chosen.target.candidates, usable, request, notes)
        caption = _caption(message, contract.reference)
        if not self._start(chosen, caption, request.activity_id, request):
            return text("upload.busy", locale)
        return "\n\n".join([received(contract, chosen.view, usable, locale), *notes])

    async def _typed_contract(self, rest: str, word: str, request: TurnRequest) -> Reply:
        """`dokument KOM-… [hva]` without a link: the waiting files go there (to the request the
        text, their names or their first page names); with none waiting, the next file does
        (the request the text names, the only one open, or the one chosen on the question)."""
        uploads = self._services
        locale = request.locale
        conversation_id = request.conversation_id or ""
        remembered = await uploads.memory.recall(conversation_id, request.now)
        pending = remembered.pending

        def choose(uow: UnitOfWork) -> _Chosen | None:
            person = self._person(uow, request)
            target = choose_target(uow, person, request.now, text=rest)
            if target.source is not TargetSource.NAMED or target.contract is None:
                return None
            said = _caption(rest, target.contract.reference)
            if pending is not None:
                files, view = _placed(
                    uow, target, pending.numbered(), _joined(said, pending.caption)
                )
                return _Chosen(person.id, target, files, view)
            match = evidence_in_text(target, said)
            if match is None:
                follow_up_id = target.fallback_follow_up_id
                view = answer_view(follow_up_id, uow) if follow_up_id else None
                return _Chosen(person.id, target, view=view)
            if match.request is None:
                return _Chosen(person.id, replace(target, candidates=match.candidates))
            chosen = replace(
                target, follow_up_id=match.request.follow_up_id, evidence=match.request.evidence
            )
            return _Chosen(person.id, chosen, view=answer_view(match.request.follow_up_id, uow))

        chosen = await self._read(choose)
        if chosen is None or chosen.target.contract is None:
            return text("contract.unknown", locale, reference=clip(word, MAX_ID))
        contract = chosen.target.contract
        if pending is not None:
            caption = _joined(_caption(rest, contract.reference), pending.caption)
            if not self._start(chosen, caption, pending.activity_id, request):
                return text("upload.busy", locale)
            await uploads.memory.forget_pending(conversation_id)
            return received(contract, chosen.view, list(pending.files), locale)
        if chosen.view is None:
            if not chosen.target.candidates:
                return text("upload.none_for_contract", locale, reference=contract.reference)
            return card_reply(request_card(chosen.target.candidates, (), locale, contract=contract))
        return await self._remember_choice(chosen.view, chosen.target.evidence, request)

    async def _remember_choice(
        self, view: FollowUpView, evidence: str | None, request: TurnRequest
    ) -> str:
        """No file waits: the next one goes to `view` (as `evidence`)."""
        uploads = self._services
        locale = request.locale
        conversation_id = request.conversation_id or ""
        await uploads.memory.remember_target(
            conversation_id, view.follow_up.id, request.now, evidence
        )
        parts = [
            text(
                "upload.attach_now",
                locale,
                reference=view.contract.reference,
                title=clip(view.checkpoint.title, 100),
                due=formatting.due(view.due_date, locale),
            )
        ]
        if evidence:
            parts.append(text("upload.attach_as", locale, evidence=evidence))
        elif view.missing_evidence:
            parts.append(
                text("upload.attach_missing", locale, names=", ".join(view.missing_evidence))
            )
        return " ".join(parts)

    # --- the card's button --------------------------------------------------------------------

    async def upload_action(self, data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        """`Last opp dokumentasjon` on a follow-up's card (`followUpId`), or `Lagre her` on the
        question (`followUpId` and `evidence`)."""
        locale = request.locale
        follow_up_id = data.get("followUpId")
        if not isinstance(follow_up_id, str) or not 0 < len(follow_up_id) <= MAX_ID:
            return card_action_message(text("card.unknown_action", locale))
        evidence = _short(data.get("evidence"))
        if self._uploads is None:
            return card_action_message(text("upload.unavailable", locale))
        conversation_id = request.conversation_id or ""
        remembered = await self._uploads.memory.recall(conversation_id, request.now)
        pending = remembered.pending

        def check(uow: UnitOfWork) -> _Chosen:
            person = self._person(uow, request)
            chosen = find_answer_target(uow, follow_up_id, person.id, request.now)
            reason = answer_closed_reason(chosen)
            if reason is not None:
                raise AnswerRefused(reason, reference=chosen.contract.reference)
            target = choose_target(
                uow,
                person,
                request.now,
                text=None,
                remembered_follow_up_id=follow_up_id,
                remembered_evidence=evidence,
            )
            if target.source is not TargetSource.REMEMBERED:  # pragma: no cover - checked above
                raise AnswerRefused(
                    AnswerRefusal.FOLLOW_UP_CLOSED, reference=chosen.contract.reference
                )
            if pending is None:
                return _Chosen(person.id, target, view=answer_view(follow_up_id, uow))
            files, view = _placed(uow, target, pending.numbered(), pending.caption)
            return _Chosen(person.id, target, files, view)

        try:
            chosen = await self._read(check)
        except NotRegistered:
            return card_action_message(text("person.not_registered", locale))
        except FollowUpError as error:
            return card_action_message(error_reply(error, locale, markdown=False))
        contract = chosen.target.contract
        if pending is None or contract is None:
            if chosen.view is None:  # pragma: no cover - a chosen follow-up has a view
                return card_action_message(text("card.unknown_action", locale))
            return card_action_message(
                await self._remember_choice(chosen.view, chosen.target.evidence, request)
            )
        if not self._start(chosen, pending.caption, pending.activity_id, request):
            return card_action_message(text("upload.busy", locale))
        await self._uploads.memory.forget_pending(conversation_id)
        return card_action_message(received(contract, chosen.view, list(pending.files), locale))

    # --- asking -------------------------------------------------------------------------------

    def _ask(
        self,
        candidates: Sequence[EvidenceRequest],
        offers: Sequence[FileOffer],
        request: TurnRequest,
        notes: Sequence[str],
    ) -> Reply:
        locale = request.locale
        if not candidates:
            return "\n\n".join([text("upload.nothing_open", locale), *notes])
        return card_reply(request_card(candidates, offers, locale, notes=notes))

    # --- after the reply ------------------------------------------------------------------------

    def _start(
        self,
        chosen: _Chosen,
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
            person_id=chosen.person_id,
            target=chosen.target,
            files=chosen.files,
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
        messages: list[OutgoingMessage] = []
        try:
            messages = await self._download_and_store(uploads, job)
        except Exception:
            log.exception("storing uploaded files failed", extra={"activity_id": job.activity_id})
            messages = [OutgoingMessage(text("upload.failed", job.locale))]
        for message in messages:
            try:
                await uploads.notifier.send(job.reply_to, message)
            except DeliveryFailed as exc:
                log.warning(
                    "could not send the upload confirmation",
                    extra={"status": exc.values.get("status"), "activity_id": job.activity_id},
                )

    async def _download_and_store(self, uploads: Uploads, job: _Job) -> list[OutgoingMessage]:
        """Each file fetched, placed (if it was not yet) and stored; the confirmation, and the
        question for the files that could not be placed."""
        locale = job.locale
        contract = job.target.contract
        if contract is None:  # pragma: no cover - a job is started for a contract only
            raise RuntimeError("an upload job without a contract")
        outcomes: list[Outcome] = []
        unplaced: list[tuple[_File, Placement]] = []
        analysed: list[OutgoingMessage] = []
        for item in job.files:
            offer = item.offer
            try:
                downloaded = await uploads.downloader.download(offer)
                placement = item.placement
                if placement.follow_up_id is None:
                    copy = await self._filed_copy(contract, downloaded)
                    if copy is not None:
                        outcomes.append(
                            Outcome(
                                clean_file_name(downloaded.name),
                                stored=DocumentStored(copy, True, None, []),
                            )
                        )
                        continue
                    placement = await self._place_again(uploads, job, downloaded)
                if placement.follow_up_id is None:
                    unplaced.append((item, placement))
                    continue
                stored = await self._store(uploads, job, item.index, downloaded, placement)
            except (DownloadRefused, FollowUpError) as refused:
                log.info(
                    "a file was not stored",
                    extra={"code": getattr(refused, "code", None), "activity_id": job.activity_id},
                )
                outcomes.append(
                    Outcome(
                        shown_name(offer, locale),
                        refusal=refusal_text(refused, locale, markdown=False),
                    )
                )
            else:
                sent = clean_file_name(downloaded.name)
                outcomes.append(
                    Outcome(sent if stored.duplicate else stored.document.file_name, stored)
                )
                statistics = (
                    None
                    if stored.duplicate
                    else await self._statistics(uploads, job, downloaded, stored.document)
                )
                if statistics is not None:
                    analysed.append(statistics)
        messages: list[OutgoingMessage] = []
        if outcomes:
            messages.append(OutgoingMessage(await self._confirmation(contract, job, outcomes)))
        messages += analysed
        if unplaced:
            messages.append(await self._question(uploads, job, unplaced))
        return messages

    async def _statistics(
        self, uploads: Uploads, job: _Job, downloaded: DownloadedFile, document: Document
    ) -> OutgoingMessage | None:
        """The analysis of a statistics file stored as the answer to its follow-up; None for
        any other file, or when no analysis is wired."""
        contract = job.target.contract
        if (
            uploads.statistics is None
            or contract is None
            or document.evidence != STATISTICS_EVIDENCE
            or extension_of(downloaded.name) not in STATISTICS_EXTENSIONS
        ):
            return None
        return await uploads.statistics(
            contract, downloaded.name, downloaded.data, job.person_id, job.locale
        )

    async def _filed_copy(self, contract: Contract, downloaded: DownloadedFile) -> Document | None:
        return await self._read(lambda uow: filed_copy(uow, contract.id, downloaded.data))

    async def _place_again(
        self, uploads: Uploads, job: _Job, downloaded: DownloadedFile
    ) -> Placement:
        """A file of no known place: placed with the text of its first page, if a PDF."""
        page = (
            await uploads.first_page.text(downloaded.data)
            if extension_of(downloaded.name) == "pdf"
            else None
        )
        return place_file(
            job.target, file_name=downloaded.name, message=job.caption, first_page=page
        )

    async def _confirmation(
        self, contract: Contract, job: _Job, outcomes: Sequence[Outcome]
    ) -> str:
        follow_ups = {
            o.stored.document.follow_up_id
            for o in outcomes
            if o.stored is not None and o.stored.document.follow_up_id
        }
        planned_ids = {f.placement.follow_up_id for f in job.files}
        planned = next(iter(planned_ids)) if len(planned_ids) == 1 else None

        def read(uow: UnitOfWork) -> tuple[dict[str, FollowUpView], FollowUpView | None]:
            views = {f: answer_view(f, uow) for f in follow_ups if f is not None}
            return views, answer_view(planned, uow) if planned else None

        views, planned_view = await self._read(read)
        return confirmation(contract, outcomes, views, job.locale, planned=planned_view)

    async def _question(
        self, uploads: Uploads, job: _Job, unplaced: Sequence[tuple[_File, Placement]]
    ) -> OutgoingMessage:
        """Remember the files not placed and ask where they go."""
        contract = job.target.contract
        candidates: dict[tuple[str, str], EvidenceRequest] = {}
        named: str | None = None
        for _item, placement in unplaced:
            match = placement.match
            if match is None:
                continue
            named = named or match.named
            for request in match.candidates:
                candidates.setdefault((request.follow_up_id, request.evidence), request)
        pending = PendingUpload(
            tuple(item.offer for item, _ in unplaced),
            job.caption,
            job.activity_id,
            tuple(item.index for item, _ in unplaced),
        )
        now = self._deps.clock()
        await uploads.memory.remember_pending(job.conversation_id or "", pending, now)
        offers = [item.offer for item, _ in unplaced]
        if not candidates or contract is None:
            return OutgoingMessage(text("upload.nothing_open", job.locale))
        card = request_card(
            sorted(candidates.values(), key=lambda r: (r.due_date, r.checkpoint_title)),
            offers,
            job.locale,
            contract=contract,
            named=named,
        )
        title = str(card.get("fallbackText") or "").split("\n", 1)[0]
        return OutgoingMessage(title, card)

    async def _store(
        self,
        uploads: Uploads,
        job: _Job,
        index: int,
        downloaded: DownloadedFile,
        placement: Placement,
    ) -> DocumentStored:
        follow_up_id = placement.follow_up_id
        if follow_up_id is None:  # pragma: no cover - only placed files are stored
            raise RuntimeError("storing a file with no place")
        source = f"{job.activity_id}#{index}" if job.activity_id else None
        command = StoreDocument(
            follow_up_id,
            job.person_id,
            downloaded.name,
            downloaded.data,
            source_activity_id=source,
            source_channel_id=job.channel,
            source_conversation_id=job.conversation_id,
            evidence=placement.evidence,
            declared_media_type=downloaded.media_type,
            text=job.caption,
            channel=job.channel,
        )
        now = self._deps.clock()
        policy = uploads.downloader.policy.upload_policy
        return await self._write(
            lambda uow: store_document(command, uow, now, store=uploads.store, policy=policy)
        )


__all__ = [
    "BackgroundWork",
    "PendingUpload",
    "Remembered",
    "UploadCommands",
    "UploadMemory",
    "Uploads",
]
