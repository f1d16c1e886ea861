"""Deviations in the chat: reporting one (`meld avvik [avtalenr]`, `avvik <avtalenr>`, the card's
`Meld avvik` = `Action.Execute` verb `reportDeviation`, and the form `{"handling":
"rapporterAvvik", …}`), listing deviations (`avvik [åpne | alle] [kategori] [alvorlighet]`,
answered by `bot.portfolio.commands`), and changing a deviation's
status (`avviksstatus <kode> under behandling | lukket | åpen [notat]`, for procurement and
the contract's owner and manager, in a personal chat or a team channel). `avbryt` outside a
dialog says there is nothing to cancel (inside one, the dialog takes it).

Reporting is the dialog `bot.deviations.report_deviation_dialog.ReportDeviationDialog`, started
with what is
already known. A complete form is reported at once, idempotent on the card it came from and
its values, so a form sent twice stores one deviation; an incomplete one starts the dialog.
The form's fields: `kontraktId` (a contract reference or id), `oppfolgingId`, `avviksType`,
`alvorlighet`, `beskrivelse`, optional `dato` (when it happened; the day of the form if
absent), `tiltak` (a remedy) and `nyFrist` (a new deadline, added to the description).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any, Final

from botbuilder.core import InvokeResponse

from bot.conversation import formatting
from bot.conversation.dependencies import BotDependencies
from bot.conversation.dialog_runner import DialogRunner
from bot.conversation.domain_commands import DomainCommands, NotRegistered, guarded
from bot.conversation.follow_up_cards import DEVIATION_VERB, answered_at
from bot.conversation.labels import status_label
from bot.conversation.markdown import echo, plain
from bot.conversation.replies import DateProblem, card_reply, read_one_date
from bot.conversation.router import (
    BeginDialog,
    Command,
    CommandRouter,
    FormHandler,
    Handler,
    Reply,
    TurnRequest,
    card_action_message,
)
from bot.conversation.texts import text
from bot.deviations import report_deviation_dialog as dd
from bot.deviations.cards import DeviationCards, deviations_card, history_card
from bot.deviations.replies import refusal_reply, stored_reply
from followup.calendar.workdays import oslo_today
from followup.deviations.codes import shown_code
from followup.deviations.intake import (
    IntakeRefused,
    ReportTarget,
    check_description,
    check_occurred_on,
    contracts_to_offer,
    deviation_by_code,
    normalise,
    parse_code,
    read_category,
    read_remedy,
    read_severity,
    report_target,
)
from followup.deviations.services import (
    DeviationRefusal,
    DeviationRefused,
    DeviationReported,
    DeviationUpdated,
    DeviationView,
    ReportDeviation,
    UpdateDeviation,
    deviation_history,
    deviations_for_contract,
    open_deviations_for_person,
    report_deviation,
    update_deviation,
)
from followup.errors import FollowUpError
from followup.models import AuditEvent, ConversationKind, DeviationStatus, Person, Role
from followup.ports import UnitOfWork

FORM_FIELD: Final = "handling"
FORM_VALUE: Final = "rapporterAvvik"
STORED_LOCALE: Final = "nb-NO"
MAX_ID: Final = 64
MAX_FIELD: Final = 200
DATE_FIELDS: Final = ("dato", "datoHendt", "hendelsesdato", "oppdaget")
REMEDY_FIELDS: Final = ("tiltak", "foreslattTiltak")

STATUS_WORDS: Final = {
    DeviationStatus.OPEN: (
        "åpen", "åpent", "åpne", "apen", "apent", "gjenåpne", "gjenåpnet", "åpne igjen",
        "open", "reopen", "reopened",
    ),
    DeviationStatus.IN_PROGRESS: (
        "under behandling", "behandles", "pågår", "i arbeid", "in progress", "progress",
        "started",
    ),
    DeviationStatus.CLOSED: (
        "lukket", "lukk", "lukke", "ferdig", "løst", "closed", "close", "done", "resolved",
    ),
}  # fmt: skip
_STATUS_BY_WORD: Final = {
    normalise(word): status for status, words in STATUS_WORDS.items() for word in words
}


def _string(value: dict[str, Any], *keys: str, limit: int = MAX_FIELD) -> str | None:
    """The first of `keys` holding a non-blank string of at most `limit` characters."""
    for key in keys:
        found = value.get(key)
        if isinstance(found, str) and found.strip() and len(found) <= limit:
            return found.strip()
    return None


def read_status(rest: str) -> tuple[DeviationStatus | None, str]:
    """The status a command names at its start, and the note after it."""
    words = rest.split()
    for count in (2, 1):
        if len(words) >= count:
            status = _STATUS_BY_WORD.get(normalise(" ".join(words[:count])))
            if status is not None:
                parts = rest.split(maxsplit=count)
                note = parts[count] if len(parts) > count else ""
                return status, note.strip(" :–-")
    return None, rest


REPORT_WORDS: Final = ("meld avvik", "report deviation", "new deviation")
"""`meld avvik [avtalenr]`: the command's word and aliases (they begin the dialog)."""
DEVIATIONS_WORDS: Final = ("avvik", "mine avvik", "deviation", "deviations", "my deviations")
"""`avvik`: a list of deviations, or in a 1:1 chat `avvik <avtalenr>` begins the dialog."""


class DeviationCommands(DomainCommands):
    def __init__(
        self,
        deps: BotDependencies,
        dialogs: DialogRunner,
        *,
        list_deviations: Handler | None = None,
        is_deviation_list: Callable[[str], bool] | None = None,
    ) -> None:
        """`list_deviations` answers `avvik` as a list (`bot.portfolio.commands`), and
        `is_deviation_list` says which words ask for one; without them, `avvik` lists the
        person's own open deviations and `avvik <words>` in a 1:1 chat reports one."""
        super().__init__(deps)
        self._dialogs = dialogs
        self._alerts = DeviationCards()
        self._list_deviations = list_deviations
        self._is_list = is_deviation_list or (lambda rest: not rest.strip())

    def register(self, router: CommandRouter) -> None:
        personal = ("personal",)
        everywhere = ("personal", "team")
        for command in (
            Command(
                REPORT_WORDS[0],
                REPORT_WORDS[1:],
                text("command.meld avvik"),
                personal,
                self.report,
                in_menu=False,
            ),
            Command(
                DEVIATIONS_WORDS[0],
                DEVIATIONS_WORDS[1:],
                text("command.avvik"),
                everywhere if self._list_deviations else personal,
                self.deviations,
                in_menu=self._list_deviations is not None,
            ),
            Command(
                "avviksstatus",
                ("avvik status", "deviation status"),
                text("command.avviksstatus"),
                everywhere,
                self.status,
                in_menu=False,
            ),
            Command(
                "avbryt",
                ("cancel",),
                text("command.avbryt"),
                everywhere,
                self.cancel,
                in_menu=False,
            ),
        ):
            router.register(replace(command, handler=guarded(command.handler)))
        router.register_card_action(DEVIATION_VERB, self.report_action)
        router.register_form(FORM_FIELD, FORM_VALUE, guarded_form(self.report_form))

    # --- reporting, typed -----------------------------------------------------------------------

    async def report(self, rest: str, request: TurnRequest) -> Reply:
        """`meld avvik [avtalenr]`: the dialog, with the contract when it is known."""
        locale = request.locale
        person = await self._read(lambda uow: self._person(uow, request))
        draft: dict[str, Any] = {dd.PERSON_ID: person.id}
        notes = [text("deviation.dialog.intro", locale)]
        reference = rest.split(maxsplit=1)[0].strip("«»\"'") if rest.split() else ""
        if reference:
            try:
                target = await self._target(person, request, contract_reference=reference[:100])
            except DeviationRefused as error:
                if error.reason is not DeviationRefusal.UNKNOWN_CONTRACT:
                    return refusal_reply(error, locale)
                notes.insert(
                    0, text("deviation.dialog.unknown_reference", locale, text=echo(reference))
                )
            else:
                draft.update(_target_fields(target))
                notes.insert(0, _intro(target, locale))
        if dd.CONTRACT_ID not in draft:
            offered, owned = await self._read(lambda uow: contracts_to_offer(person.id, uow))
            if not owned and Role.PROCUREMENT not in person.roles:
                return text("deviation.not_allowed", locale)
            draft[dd.CHOICES] = [[c.id, c.reference, c.title] for c in offered]
        draft[dd.PREFIX] = "\n\n".join(notes)
        return BeginDialog(dd.DIALOG_ID, draft)

    async def deviations(self, rest: str, request: TurnRequest) -> Reply:
        """`avvik <avtalenr>` in a personal chat: report one. Otherwise a list: `avvik` alone
        or with filters (`avvik åpne | alle [kategori] [alvorlighet]`), and in a channel
        always (never a dialog there)."""
        personal = request.kind is ConversationKind.PERSONAL
        if personal and rest.strip() and not self._is_list(rest):
            return await self.report(rest, request)
        if self._list_deviations is not None:
            return await self._list_deviations(rest, request)
        if rest.strip():
            return await self.report(rest, request)
        person = await self._read(lambda uow: self._person(uow, request))
        views = await self._read(lambda uow: open_deviations_for_person(person.id, uow))
        if not views:
            return text("deviation.list.none", request.locale)
        return card_reply(deviations_card(views, request.locale))

    async def cancel(self, rest: str, request: TurnRequest) -> Reply:
        return text("dialog.nothing_to_cancel", request.locale)

    # --- reporting from a card ------------------------------------------------------------------

    async def report_action(self, data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        """The card's `Meld avvik`: the dialog begins in the chat (its first question is sent
        as a message); the card shows where to answer."""
        locale = request.locale
        follow_up_id = _string(data, "followUpId", "oppfolgingId", limit=MAX_ID)
        if follow_up_id is None or request.turn_context is None:
            return card_action_message(text("card.unknown_action", locale))
        if request.kind is not ConversationKind.PERSONAL:
            return card_action_message(text("deviation.dialog.personal_only", locale))
        try:
            person = await self._read(lambda uow: self._person(uow, request))
            target = await self._target(person, request, follow_up_id=follow_up_id)
        except NotRegistered:
            return card_action_message(text("person.not_registered", locale))
        except FollowUpError as error:
            return card_action_message(refusal_reply(error, locale, markdown=False))
        draft = {dd.PERSON_ID: person.id, **_target_fields(target)}
        draft[dd.PREFIX] = _intro(target, locale) + "\n\n" + text("deviation.dialog.intro", locale)
        await self._dialogs.begin(request.turn_context, dd.DIALOG_ID, draft)
        return card_action_message(text("deviation.dialog.in_chat", locale))

    async def report_form(self, value: dict[str, Any], request: TurnRequest) -> Reply:
        """`{"handling": "rapporterAvvik", …}`: stored at once when complete, else the dialog."""
        locale = request.locale
        if request.kind is not ConversationKind.PERSONAL:
            return text("deviation.dialog.personal_only", locale)
        person = await self._read(lambda uow: self._person(uow, request))
        contract = _string(value, "kontraktId", "kontrakt", "avtalenr")
        follow_up_id = _string(value, "oppfolgingId", "followUpId", limit=MAX_ID)
        if contract is None and follow_up_id is None:
            return await self.report("", request)
        try:
            target = await self._target(
                person,
                request,
                contract_reference=contract,
                follow_up_id=follow_up_id,
            )
        except DeviationRefused as error:
            return refusal_reply(error, locale)
        draft: dict[str, Any] = {dd.PERSON_ID: person.id, **_target_fields(target)}
        notes: list[str] = []
        kind = _string(value, "avviksType", "kategori")
        category = read_category(kind) if kind else None
        if kind and category is None:
            notes.append(text("deviation.form.unread_category", locale, value=echo(kind)))
        severity_text = _string(value, "alvorlighet", "alvorlighetsgrad")
        severity = read_severity(severity_text) if severity_text else None
        description = _form_description(value)
        occurred_on = _form_date(value, request)
        remedy_text = _string(value, *REMEDY_FIELDS)
        remedy_read, remedy = read_remedy(remedy_text) if remedy_text else (False, None)
        if category is not None:
            draft[dd.CATEGORY] = category.value
        if severity is not None:
            draft[dd.SEVERITY] = severity.value
        if occurred_on is not None:
            # Checked now: a date the report would refuse is asked again in the dialog, not
            # found wrong after every other question was answered.
            contract_id = str(draft[dd.CONTRACT_ID])
            try:
                await self._read(
                    lambda uow: check_occurred_on(contract_id, occurred_on, uow, request.now)
                )
                draft[dd.OCCURRED_ON] = occurred_on.isoformat()
            except DeviationRefused as error:
                notes.append(refusal_reply(error, locale))
        if description is not None:
            try:
                draft[dd.DESCRIPTION] = check_description(description)
            except DeviationRefused as error:
                notes.append(refusal_reply(error, locale))
        if remedy_read:
            draft[dd.REMEDY] = remedy.value if remedy else None
            draft[dd.REMEDY_ASKED] = True
        complete = all(
            draft.get(k) for k in (dd.CATEGORY, dd.SEVERITY, dd.OCCURRED_ON, dd.DESCRIPTION)
        )
        if complete:
            key = _form_key(value, request)
            reported = await self._report_now(draft, key, request)
            return stored_reply(reported, locale, checkpoint_title=draft.get(dd.CHECKPOINT))
        draft[dd.PREFIX] = "\n\n".join(
            [_intro(target, locale), *notes, text("deviation.form.incomplete", locale)]
        )
        return BeginDialog(dd.DIALOG_ID, draft)

    async def _report_now(
        self, draft: dict[str, Any], key: str, request: TurnRequest
    ) -> DeviationReported:
        command = ReportDeviation(
            person_id=str(draft[dd.PERSON_ID]),
            contract_id=str(draft[dd.CONTRACT_ID]),
            follow_up_id=draft.get(dd.FOLLOW_UP_ID) or None,
            category=str(draft[dd.CATEGORY]),
            severity=str(draft[dd.SEVERITY]),
            occurred_on=date.fromisoformat(str(draft[dd.OCCURRED_ON])),
            description=str(draft[dd.DESCRIPTION]),
            remedy=draft.get(dd.REMEDY) or None,
            source_activity_id=key,
            source_channel_id=getattr(request.raw_activity, "channel_id", None),
            source_conversation_id=request.conversation_id,
        )
        reported = await self._write(
            lambda uow: report_deviation(command, uow, request.now, alert_renderer=self._alerts)
        )
        if reported.created and reported.alerts:
            self._deps.outbox_nudge()
        return reported

    async def _target(
        self,
        person: Person,
        request: TurnRequest,
        *,
        contract_reference: str | None = None,
        follow_up_id: str | None = None,
    ) -> ReportTarget:
        return await self._read(
            lambda uow: report_target(
                person.id,
                uow,
                request.now,
                contract_reference=contract_reference,
                follow_up_id=follow_up_id,
            )
        )

    # --- status -----------------------------------------------------------------------------------

    async def status(self, rest: str, request: TurnRequest) -> Reply:
        """`avviksstatus <kode> <status> [notat]`; `avviksstatus <kode>` shows the history."""
        locale = request.locale
        words = rest.split(maxsplit=1)
        if not words:
            return text("deviation.status.usage", locale)
        code = parse_code(words[0])
        if code is None:
            return text("deviation.status.not_code", locale, text=echo(words[0]))
        status, note = read_status(words[1] if len(words) > 1 else "")
        person = await self._read(lambda uow: self._person(uow, request))
        try:
            deviation = await self._read(lambda uow: deviation_by_code(code, uow))
            if status is None and len(words) > 1:
                return text("deviation.unknown_status", locale, value=echo(words[1]))
            if status is None:
                if request.kind is not ConversationKind.PERSONAL:
                    # A deviation's history is not for a whole channel, whose members may not
                    # see its contract.
                    return text("command.personal_only", locale, word="avviksstatus <kode>")
                return await self._history(deviation.id, deviation.contract_id, person, request)
            command = UpdateDeviation(deviation.id, person.id, status, note=note or None)
            updated = await self._write(lambda uow: update_deviation(command, uow, request.now))
        except DeviationRefused as error:
            if error.reason is DeviationRefusal.INVALID_TRANSITION:
                return text(
                    "deviation.status.invalid",
                    locale,
                    code=shown_code(deviation),
                    before=status_label(deviation.status, locale),
                    after=status_label(status or deviation.status, locale),
                )
            return refusal_reply(error, locale)
        except IntakeRefused as error:
            return refusal_reply(error, locale)
        return await self._changed(updated, person, request, note)

    async def _changed(
        self, updated: DeviationUpdated, person: Person, request: TurnRequest, note: str
    ) -> str:
        locale = request.locale
        after = updated.deviation
        code = shown_code(after)
        if not updated.changed:
            return text(
                "deviation.status.unchanged",
                locale,
                code=code,
                status=status_label(after.status, locale),
            )
        if request.kind is not ConversationKind.PERSONAL:
            # In a channel: no contract, and no more than the person typed there themselves.
            return text(
                "deviation.status.changed_channel",
                locale,
                code=code,
                before=status_label(updated.before.status, locale),
                after=status_label(after.status, locale),
                name=plain(person.display_name),
                at=answered_at(after.updated_at or request.now, locale),
            )
        reference = await self._read(lambda uow: _reference_of(uow, after.contract_id))
        parts = [
            text(
                "deviation.status.changed",
                locale,
                code=code,
                reference=reference,
                before=status_label(updated.before.status, locale),
                after=status_label(after.status, locale),
                name=plain(person.display_name),
                at=answered_at(after.updated_at or request.now, locale),
            )
        ]
        if note:
            parts.append(text("deviation.status.note", locale, note=plain(note[:300])))
        return "\n\n".join(parts)

    async def _history(
        self, deviation_id: str, contract_id: str, person: Person, request: TurnRequest
    ) -> Reply:
        def work(uow: UnitOfWork) -> tuple[DeviationView, list[AuditEvent], dict[str, str]]:
            events = deviation_history(deviation_id, person.id, uow, request.now)
            views = deviations_for_contract(contract_id, person.id, uow, request.now)
            view = next(v for v in views if v.deviation.id == deviation_id)
            ids = {e.actor.removeprefix("person:") for e in events}
            people = uow.people.get_many(ids)
            return view, events, {k: p.display_name for k, p in people.items()}

        view, events, names = await self._read(work)
        return card_reply(history_card(view, events, names, request.locale))


def _reference_of(uow: UnitOfWork, contract_id: str) -> str:
    contract = uow.contracts.get(contract_id)
    return contract.reference if contract else "?"


def _target_fields(target: ReportTarget) -> dict[str, Any]:
    fields: dict[str, Any] = {
        dd.CONTRACT_ID: target.contract.id,
        dd.REFERENCE: target.contract.reference,
        dd.TITLE: target.contract.title,
    }
    if target.follow_up is not None:
        fields[dd.FOLLOW_UP_ID] = target.follow_up.id
        fields[dd.CHECKPOINT] = target.checkpoint.title if target.checkpoint else ""
    return fields


def _intro(target: ReportTarget, locale: str | None) -> str:
    contract = f"{target.contract.reference} {plain(target.contract.title)}"
    if target.follow_up is not None and target.checkpoint is not None:
        return text(
            "deviation.dialog.intro_follow_up",
            locale,
            contract=contract,
            checkpoint=plain(target.checkpoint.title),
            due=formatting.due(target.follow_up.due_date, locale),
        )
    return text("deviation.dialog.intro_contract", locale, contract=contract)


def _form_description(value: dict[str, Any]) -> str | None:
    """The form's description with its new deadline (stored text, so in Norwegian)."""
    description = value.get("beskrivelse")
    if not isinstance(description, str):
        return None
    deadline = _string(value, "nyFrist", limit=40)
    if deadline:
        try:
            shown = formatting.numeric(date.fromisoformat(deadline), STORED_LOCALE)
        except ValueError:
            shown = deadline
        deadline_text = text("deviation.form.new_deadline", STORED_LOCALE, date=shown)
        description = f"{description}\n\n{deadline_text}"
    return description


def _form_date(value: dict[str, Any], request: TurnRequest) -> date | None:
    """The form's date it happened; the form's own day when it has none."""
    today = oslo_today(request.now)
    typed = _string(value, *DATE_FIELDS, limit=60)
    if typed is None:
        return today
    try:
        return date.fromisoformat(typed)
    except ValueError:
        pass
    try:
        return read_one_date(typed, request.now, today, request.locale, prefer="past")
    except DateProblem:
        return None


def _form_key(value: dict[str, Any], request: TurnRequest) -> str:
    """One form on one card, with these values: the same report however often it is sent."""
    reply_to = getattr(request.raw_activity, "reply_to_id", None)
    if not isinstance(reply_to, str) or not reply_to:
        return request.activity_id or ""
    canonical = json.dumps(
        [request.conversation_id, reply_to, value], sort_keys=True, ensure_ascii=False, default=str
    )
    return "form:" + hashlib.sha256(canonical.encode()).hexdigest()


def guarded_form(handler: FormHandler) -> FormHandler:
    """`bot.conversation.domain_commands.guarded` for a form handler (a value instead of text)."""

    async def run(value: dict[str, Any], request: TurnRequest) -> Reply:
        async def with_value(_rest: str, req: TurnRequest) -> Reply:
            return await handler(value, req)

        return await guarded(with_value)("", request)

    return run


__all__ = ["DEVIATIONS_WORDS", "REPORT_WORDS", "DeviationCommands", "read_status"]
