"""`kontroll` in a 1:1 chat (issue 19, item 2): an on-site check of a contract.

    kontroll <avtalenr>                                         the form (an Adaptive Card)
    kontroll <avtalenr> <dato> <n> arbeidere, <m> uten HMS-kort  typed (all cards checked)
        … [, avvik [lav|middels|høy|kritisk]]                   and register a deviation

For the contract's owner, manager and deputy and procurement (others are refused). The
submitted form (`{"handling": "stedlig_kontroll", …}`) is stored as the contract's next check
(`followup.checks.onsite.record_onsite`), with its deviation when asked; a refused one comes back
filled in with what was wrong. Photos and documents are sent in the chat afterwards, as any
upload (`dokument <avtalenr>`), and go to the on-site follow-up the check answered.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Final

from bot.checks.commands import MAX_REFERENCE, checks_uow, guarded_form
from bot.checks.dialogs import (
    ONSITE_DIALOG,
    ONSITE_WORDS,
    asks_in_chat,
    begin_in_chat,
    in_chat_requested,
)
from bot.checks.onsite_cards import (
    CARDS_FIELD,
    CONTRACT_FIELD,
    CREW_FIELD,
    DATE_FIELD,
    DEVIATION_FIELD,
    FORM_FIELD,
    FORM_VALUE,
    NO_DEVIATION,
    NOTES_FIELD,
    PARTICIPANTS_FIELD,
    PLACE_FIELD,
    WITHOUT_FIELD,
    WORKERS_FIELD,
    OnsiteForm,
    entered_values,
    onsite_form_card,
)
from bot.conversation import formatting
from bot.conversation.dependencies import BotDependencies
from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.markdown import echo
from bot.conversation.replies import DateProblem, card_reply, error_reply, read_one_date
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest, note_form_stored
from bot.conversation.texts import text
from followup.access import is_procurement
from followup.calendar.workdays import oslo_today
from followup.checks.onsite import (
    OnsiteRecorded,
    OnsiteRefused,
    RecordOnsite,
    may_check,
    record_onsite,
)
from followup.checks.onsite_models import CrewList
from followup.deviations.codes import shown_code
from followup.deviations.services import DeviationAlertRenderer, DeviationRefused
from followup.errors import NotAllowed
from followup.models import Severity
from followup.plans.plan_file import TemplateKind
from followup.ports import UnitOfWork
from followup.tasks import find_contract

_TYPED: Final = re.compile(
    r"^(?P<date>.+?)\s+(?P<workers>\d{1,5})\s+(?:arbeidere|arbeider|workers?)\b[,;]?"
    r"(?:\s*(?P<without>\d{1,5}|ingen|none)\s+(?:uten|without)\s+(?:gyldig\s+|valid\s+)?"
    r"(?:hms-kort|hms|cards?)\b)?"
    r"(?:[,;]?\s*(?:avvik|deviation)(?:\s+(?P<severity>\w+))?)?\s*[.]?$",
    re.IGNORECASE,
)
NO_WORDS: Final = frozenset({"ingen", "none"})


def parse_typed(rest: str) -> tuple[str, dict[str, str] | None]:
    """`<avtalenr> <dato> <n> arbeidere, <m> uten HMS-kort [, avvik [grad]]`: the reference and
    the form's values (None when only the reference, or not understood: then `{}`)."""
    words = rest.split(maxsplit=1)
    if not words:
        return "", None
    reference = words[0].strip("«»\"'")
    if len(words) == 1:
        return reference, None
    found = _TYPED.match(words[1].strip())
    if found is None:
        return reference, {}
    workers = found["workers"]
    without = found["without"] or "0"
    values = {
        DATE_FIELD: found["date"].strip(" ,;:"),
        WORKERS_FIELD: workers,
        CARDS_FIELD: workers,
        WITHOUT_FIELD: "0" if without.casefold() in NO_WORDS else without,
    }
    if "avvik" in words[1].casefold() or "deviation" in words[1].casefold():
        values[DEVIATION_FIELD] = (found["severity"] or Severity.MEDIUM.value).casefold()
    return reference, values


def _number(value: str | None) -> int | None:
    if value is None:
        return None
    cleaned = value.strip().replace(" ", "")
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    return int(cleaned) if cleaned.isdigit() and len(cleaned) <= 6 else -1


def _crew(value: str | None) -> CrewList:
    try:
        return CrewList(value or CrewList.NOT_CHECKED.value)
    except ValueError:
        return CrewList.NOT_CHECKED


class OnsiteCommands(DomainCommands):
    def __init__(self, deps: BotDependencies, alerts: DeviationAlertRenderer) -> None:
        super().__init__(deps)
        self._alerts = alerts

    def register(self, router: CommandRouter) -> None:
        router.register(
            Command(
                ONSITE_WORDS[0],
                ONSITE_WORDS[1:],
                text("command.kontroll"),
                ("personal",),
                guarded(self.check),
                in_menu=False,
            )
        )
        router.register_form(FORM_FIELD, FORM_VALUE, guarded_form(self.submitted))

    @property
    def _onsite_codes(self) -> frozenset[str]:
        return frozenset(
            t.code for t in self._deps.plan.checkpoint if t.kind is TemplateKind.ONSITE
        )

    async def check(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        reference, values = parse_typed(rest)
        if not reference or len(reference) > MAX_REFERENCE:
            return text("onsite.usage", locale)
        if asks_in_chat(rest.split()):
            return await self.in_chat(reference, request)
        if values is None:
            form = await self._read(lambda uow: self._form(uow, request, reference))
            return card_reply(onsite_form_card(form, locale))
        if not values:
            return text("onsite.usage", locale)
        return await self._record(reference, values, request, typed=True)

    async def submitted(self, value: dict[str, Any], request: TurnRequest) -> Reply:
        reference = value.get(CONTRACT_FIELD)
        if not isinstance(reference, str) or not reference.strip():
            return text("onsite.usage", request.locale)
        if in_chat_requested(value):
            return await self.in_chat(reference.strip()[:MAX_REFERENCE], request)
        return await self._record(
            reference.strip()[:MAX_REFERENCE], entered_values(value), request, typed=False
        )

    async def in_chat(self, reference: str, request: TurnRequest) -> Reply:
        """The form as a dialog in the chat."""
        form = await self._read(lambda uow: self._form(uow, request, reference))
        locale = request.locale
        heading = text("checks.dialog.onsite.heading", locale, reference=form.reference)
        return begin_in_chat(ONSITE_DIALOG, FORM_VALUE, form.reference, heading, {}, locale)

    async def _record(
        self, reference: str, entered: dict[str, str], request: TurnRequest, *, typed: bool
    ) -> Reply:
        locale = request.locale
        try:
            checked_on = self._date(entered.get(DATE_FIELD), request)
        except DateProblem as problem:
            return await self._refused(reference, entered, request, problem.reply, typed=typed)
        deviation = entered.get(DEVIATION_FIELD, NO_DEVIATION)

        def work(uow: UnitOfWork) -> OnsiteRecorded:
            person = self._person(uow, request)
            return record_onsite(
                RecordOnsite(
                    actor_id=person.id,
                    reference=reference,
                    checked_on=checked_on,
                    workers=_number(entered.get(WORKERS_FIELD)),
                    cards_checked=_number(entered.get(CARDS_FIELD)),
                    without_card=_number(entered.get(WITHOUT_FIELD)),
                    crew_list=_crew(entered.get(CREW_FIELD)),
                    place=entered.get(PLACE_FIELD),
                    participants=entered.get(PARTICIPANTS_FIELD),
                    notes=entered.get(NOTES_FIELD),
                    deviation=None if deviation == NO_DEVIATION else deviation,
                    procurement=is_procurement(person, self._deps.procurement_addresses),
                    source_activity_id=request.activity_id,
                    source_channel_id=getattr(request.raw_activity, "channel_id", None),
                    source_conversation_id=request.conversation_id,
                ),
                checks_uow(uow),
                request.now,
                onsite_codes=self._onsite_codes,
                alert_renderer=self._alerts,
            )

        try:
            recorded = await self._write(work)
        except (OnsiteRefused, DeviationRefused) as error:
            field = error.values.get("field")
            if isinstance(field, str):
                error.values["field"] = text(f"onsite.field.{field}", locale)
            return await self._refused(
                reference, entered, request, error_reply(error, locale), typed=typed
            )
        if recorded.deviation is not None and recorded.deviation.alerts:
            self._deps.outbox_nudge()
        note_form_stored(request)
        return self._stored(recorded, locale)

    @staticmethod
    def _date(value: str | None, request: TurnRequest) -> date | None:
        if value is None or not value.strip():
            return None
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
        today = oslo_today(request.now)
        return read_one_date(value, request.now, today, request.locale, prefer="past")

    async def _refused(
        self,
        reference: str,
        entered: dict[str, str],
        request: TurnRequest,
        problem: str,
        *,
        typed: bool,
    ) -> Reply:
        locale = request.locale
        problem = f"{problem} {text('onsite.not_stored', locale)}"
        if typed:
            return f"{problem}\n\n{text('onsite.usage', locale)}"

        def refill(uow: UnitOfWork) -> OnsiteForm:
            form = self._form(uow, request, reference)
            return OnsiteForm(form.reference, form.title, values=entered, problem=problem)

        return card_reply(onsite_form_card(await self._read(refill), locale))

    def _form(self, uow: UnitOfWork, request: TurnRequest, reference: str) -> OnsiteForm:
        person = self._person(uow, request)
        contract = find_contract(uow, reference)
        procurement = is_procurement(person, self._deps.procurement_addresses)
        if not may_check(person.id, contract, procurement=procurement):
            raise NotAllowed(code="onsite.not_allowed")
        return OnsiteForm(contract.reference, contract.title)

    @staticmethod
    def _stored(recorded: OnsiteRecorded, locale: str | None) -> str:
        check, contract = recorded.check, recorded.contract
        parts = [
            text(
                "onsite.stored",
                locale,
                reference=echo(contract.reference),
                number=check.number,
                when=formatting.day_month(check.checked_on, locale, with_year=True),
                workers=check.workers,
                cards=check.cards_checked,
                without=check.without_card,
            )
        ]
        if recorded.deviation is not None:
            deviation = recorded.deviation.deviation
            parts.append(
                text(
                    "onsite.stored.deviation",
                    locale,
                    code=shown_code(deviation),
                    category=text(f"deviation.category.{deviation.category.value}", locale),
                    severity=text(f"deviation.severity.{deviation.severity.value}", locale),
                )
            )
        elif check.findings:
            parts.append(text("onsite.stored.findings_no_deviation", locale))
        if recorded.answer is not None:
            parts.append(text("onsite.stored.answered", locale))
        parts.append(text("onsite.stored.documents", locale, reference=echo(contract.reference)))
        return "\n\n".join(parts)


__all__ = ["OnsiteCommands", "parse_typed"]
