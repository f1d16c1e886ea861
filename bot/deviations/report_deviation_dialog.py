"""Reporting a deviation (*meld avvik*) in the chat, one question at a time.

Steps, each skipped when the report already knows the answer (started from a card's `Meld
avvik`, from `meld avvik KOM-…`, or from a form that lacked something):

1. the contract: its reference typed, or one of the person's own contracts when they have few;
2. the category (`Forsinkelse`, `Mangel / kvalitetsavvik`, …);
3. the severity (lav / middels / høy / kritisk);
4. the date it happened, typed in Norwegian (`i går`, `12.9`, `forrige fredag`; read as the
   most recent such day); an ambiguous date is asked back with its readings, a date in the
   future, too old or long before the contract started is refused and asked again;
5. what happened (free text, 1 to `MAX_DESCRIPTION` characters, stored as plain text);
6. the proposed remedy on the sanction ladder, or none;
7. a summary and `ja` / `nei`; `ja` stores it (`followup.deviations.services.report_deviation`,
   idempotent on the confirming activity) and says what was stored and whether procurement
   was alerted.

Every question takes a typed answer (a number or a label) as well as its buttons. `avbryt`
leaves at any step and `hjelp` explains the step (`CancelAndHelpDialog`). The draft lives in
the waterfall's values in the conversation state (database-backed in `bot.app`): a dialog
interrupted by a restart continues at the same step, on any instance.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext
from botbuilder.schema import Activity, InputHints

from bot.conversation.cancel_and_help_dialog import CancelAndHelpDialog
from bot.conversation.dialog_question import NotAnswered, Question
from bot.conversation.labels import category_label, remedy_label, severity_label
from bot.conversation.markdown import echo, plain
from bot.conversation.replies import DateProblem, read_one_date
from bot.conversation.texts import text
from bot.deviations.cards import choices_card, day_label, numbered, summary_card
from bot.deviations.replies import refusal_reply, stored_reply
from followup.calendar.workdays import oslo_today
from followup.deviations.intake import (
    CATEGORY_ORDER,
    REMEDY_ORDER,
    SEVERITY_ORDER,
    check_description,
    check_occurred_on,
    read_category,
    read_remedy,
    read_severity,
    read_yes_no,
    report_target,
)
from followup.deviations.services import (
    MAX_DESCRIPTION,
    MAX_YEARS_BACK,
    DeviationAlertRenderer,
    DeviationRefusal,
    DeviationRefused,
    DeviationReported,
    ReportDeviation,
    report_deviation,
)
from followup.errors import FollowUpError
from followup.models import DeviationCategory, Remedy, Severity
from followup.ports import UnitOfWorkFactory

DIALOG_ID: Final = "reportDeviation"
STEPS: Final = ("contract", "category", "severity", "date", "description", "remedy", "confirm")
"""The questions, in order; each is a `Question` with the id `DIALOG_ID.<step>`."""

# The draft's keys (plain JSON values: they are stored in the conversation state).
PERSON_ID: Final = "person_id"
CONTRACT_ID: Final = "contract_id"
REFERENCE: Final = "reference"
TITLE: Final = "title"
FOLLOW_UP_ID: Final = "follow_up_id"
CHECKPOINT: Final = "checkpoint"
CHOICES: Final = "choices"
"""[[contract id, reference, title], …]: the person's contracts to choose from."""
CATEGORY: Final = "category"
SEVERITY: Final = "severity"
OCCURRED_ON: Final = "occurred_on"
DESCRIPTION: Final = "description"
REMEDY: Final = "remedy"
REMEDY_ASKED: Final = "remedy_asked"
CONFIRMED: Final = "confirmed"
PREFIX: Final = "prefix"
"""Said before the first question (an introduction, what a form lacked)."""

ENGLISH_DAYS: Final = {
    "today": "i dag",
    "yesterday": "i går",
    "the day before yesterday": "i forgårs",
    "day before yesterday": "i forgårs",
}
"""The relative days an English user types; other dates are read as Norwegian (`12.9`)."""
_COMMAND_PREFIX: Final = re.compile(
    r"^(?:meld\s+avvik|avvik|report\s+deviation|deviation)\s+", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class DeviationServices:
    uow_factory: UnitOfWorkFactory
    clock: Callable[[], datetime]
    alert_renderer: DeviationAlertRenderer
    send_alerts: Callable[[], None] = lambda: None
    """Called after a deviation queued alerts to procurement: send them now."""


def question_id(step: str) -> str:
    return f"{DIALOG_ID}.{step}"


def step_of(dialog_id: str) -> str:
    return dialog_id.removeprefix(DIALOG_ID + ".")


def _message(prompt: str, card: dict[str, Any] | None = None) -> Activity:
    if card is None:
        activity = MessageFactory.text(prompt)
    else:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card), text=prompt)
    activity.input_hint = InputHints.expecting_input
    return activity


def _choice_message(prompt: str, options: list[tuple[str, str]], locale: str | None) -> Activity:
    listed = text("deviation.dialog.answer_with", locale, options=numbered([o[0] for o in options]))
    full = f"{prompt}\n\n{listed}"
    return _message(full, choices_card(options, full))


class ReportDeviationDialog(CancelAndHelpDialog):
    def __init__(
        self, services: DeviationServices, interrupts: Callable[[str], bool] | None = None
    ) -> None:
        """`interrupts`: whether a text typed at the description step is a command that begins
        another dialog (`risiko KOM-… steg`): it is not taken as the description."""
        super().__init__(DIALOG_ID)
        self._services = services
        self._interrupts = interrupts
        steps = [
            self.contract_step,
            self.category_step,
            self.severity_step,
            self.date_step,
            self.description_step,
            self.remedy_step,
            self.confirm_step,
            self.save_step,
        ]
        self.add_dialog(WaterfallDialog(f"{DIALOG_ID}.steps", steps))
        for step in STEPS:
            self.add_dialog(Question(question_id(step), self))
        self.initial_dialog_id = f"{DIALOG_ID}.steps"
        self._questions: dict[str, Callable[[TurnContext, dict[str, Any]], Awaitable[Activity]]] = {
            "contract": self._ask_contract,
            "category": self._ask_category,
            "severity": self._ask_severity,
            "date": self._ask_date,
            "description": self._ask_description,
            "remedy": self._ask_remedy,
            "confirm": self._ask_confirm,
        }
        self._readers: dict[
            str, Callable[[TurnContext, dict[str, Any], str], Awaitable[dict[str, Any]]]
        ] = {
            "contract": self._read_contract,
            "category": self._read_category,
            "severity": self._read_severity,
            "date": self._read_date,
            "description": self._read_description,
            "remedy": self._read_remedy,
            "confirm": self._read_confirm,
        }

    # --- the waterfall -----------------------------------------------------------------------

    async def contract_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await self._ask_unless(step, "contract", lambda d: bool(d.get(CONTRACT_ID)))

    async def category_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await self._ask_unless(step, "category", lambda d: bool(d.get(CATEGORY)))

    async def severity_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await self._ask_unless(step, "severity", lambda d: bool(d.get(SEVERITY)))

    async def date_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await self._ask_unless(step, "date", lambda d: bool(d.get(OCCURRED_ON)))

    async def description_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await self._ask_unless(step, "description", lambda d: bool(d.get(DESCRIPTION)))

    async def remedy_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await self._ask_unless(step, "remedy", lambda d: bool(d.get(REMEDY_ASKED)))

    async def confirm_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await self._ask_unless(step, "confirm", lambda _d: False)

    async def save_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        draft = _draft(step)
        context = step.context
        locale = context.activity.locale
        if not draft.get(CONFIRMED):
            await context.send_activity(text("deviation.dialog.declined", locale))
            return await step.end_dialog()
        try:
            reported = await self._report(draft, context.activity)
        except FollowUpError as error:
            reply = (
                refusal_reply(error, locale) + "\n\n" + text("deviation.dialog.not_stored", locale)
            )
            await context.send_activity(reply)
            return await step.end_dialog()
        checkpoint = draft.get(CHECKPOINT)
        await context.send_activity(
            stored_reply(reported, locale, checkpoint_title=checkpoint if checkpoint else None)
        )
        return await step.end_dialog(reported.deviation.id)

    async def _ask_unless(
        self,
        step: WaterfallStepContext,
        question: str,
        known: Callable[[dict[str, Any]], bool],
    ) -> DialogTurnResult:
        draft = _draft(step)
        if known(draft):
            return await step.next(None)
        options = {k: v for k, v in draft.items() if k != PREFIX}
        prefix = draft.pop(PREFIX, None)
        if prefix:
            options[PREFIX] = prefix
        return await step.begin_dialog(question_id(question), options)

    async def _report(self, draft: dict[str, Any], activity: Activity) -> DeviationReported:
        services = self._services
        remedy = draft.get(REMEDY)
        command = ReportDeviation(
            person_id=str(draft[PERSON_ID]),
            contract_id=str(draft[CONTRACT_ID]),
            follow_up_id=draft.get(FOLLOW_UP_ID) or None,
            category=str(draft[CATEGORY]),
            severity=str(draft[SEVERITY]),
            occurred_on=date.fromisoformat(str(draft[OCCURRED_ON])),
            description=str(draft[DESCRIPTION]),
            remedy=str(remedy) if remedy else None,
            source_activity_id=activity.id,
            source_channel_id=activity.channel_id,
            source_conversation_id=activity.conversation.id if activity.conversation else None,
        )

        def run() -> DeviationReported:
            with services.uow_factory() as uow:
                reported = report_deviation(
                    command, uow, services.clock(), alert_renderer=services.alert_renderer
                )
                uow.commit()
            return reported

        reported = await asyncio.to_thread(run)
        if reported.created and reported.alerts:
            services.send_alerts()
        return reported

    # --- questions (QuestionOwner) ------------------------------------------------------------

    async def question(
        self, question_id: str, context: TurnContext, state: dict[str, Any]
    ) -> Activity:
        return await self._questions[step_of(question_id)](context, state)

    async def read(
        self, question_id: str, context: TurnContext, state: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        return await self._readers[step_of(question_id)](context, state, answer)

    def help_text(self, question_id: str, locale: str | None) -> str:
        step = step_of(question_id)
        if step not in STEPS:
            return super().help_text(question_id, locale)
        where = text("dialog.step", locale, number=STEPS.index(step) + 1, total=len(STEPS))
        what = text(f"deviation.dialog.help.{step}", locale, years=MAX_YEARS_BACK)
        return f"{where} {what}\n\n{text('dialog.help.stop', locale)}"

    # contract

    async def _ask_contract(self, context: TurnContext, state: dict[str, Any]) -> Activity:
        locale = context.activity.locale
        choices = state.get(CHOICES) or []
        if not choices:
            return _message(text("deviation.dialog.ask.contract", locale))
        options = [(f"{c[1]} {c[2]}", c[1]) for c in choices]
        listed = numbered([plain(label) for label, _ in options])
        prompt = text("deviation.dialog.ask.contract_choices", locale, options=listed)
        return _message(prompt, choices_card(options, prompt))

    async def _read_contract(
        self, context: TurnContext, state: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        locale = context.activity.locale
        typed = _COMMAND_PREFIX.sub("", " ".join(answer.split())).strip(" «»\"'.")
        choices = state.get(CHOICES) or []
        if typed.isdigit() and 1 <= int(typed) <= len(choices):
            typed = str(choices[int(typed) - 1][1])
        if not typed:
            raise NotAnswered(text("deviation.dialog.not_read", locale, text=echo(answer)))
        services = self._services

        def run() -> dict[str, Any]:
            with services.uow_factory() as uow:
                target = report_target(
                    str(state[PERSON_ID]), uow, services.clock(), contract_reference=typed[:100]
                )
            return {
                CONTRACT_ID: target.contract.id,
                REFERENCE: target.contract.reference,
                TITLE: target.contract.title,
            }

        try:
            return await asyncio.to_thread(run)
        except DeviationRefused as error:
            if error.reason is DeviationRefusal.UNKNOWN_CONTRACT:
                raise NotAnswered(
                    text("deviation.dialog.unknown_reference", locale, text=echo(typed))
                ) from None
            raise NotAnswered(refusal_reply(error, locale)) from None

    # category, severity

    async def _ask_category(self, context: TurnContext, state: dict[str, Any]) -> Activity:
        locale = context.activity.locale
        options = [(category_label(c, locale), c.value) for c in CATEGORY_ORDER]
        return _choice_message(text("deviation.dialog.ask.category", locale), options, locale)

    async def _read_category(
        self, context: TurnContext, state: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        category = read_category(answer) or _by_label(
            answer, CATEGORY_ORDER, context, category_label
        )
        if category is None:
            raise NotAnswered(_not_read(context, answer))
        return {CATEGORY: category.value}

    async def _ask_severity(self, context: TurnContext, state: dict[str, Any]) -> Activity:
        locale = context.activity.locale
        options = [(severity_label(s, locale), s.value) for s in SEVERITY_ORDER]
        return _choice_message(text("deviation.dialog.ask.severity", locale), options, locale)

    async def _read_severity(
        self, context: TurnContext, state: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        severity = read_severity(answer) or _by_label(
            answer, SEVERITY_ORDER, context, severity_label
        )
        if severity is None:
            raise NotAnswered(_not_read(context, answer))
        return {SEVERITY: severity.value}

    # date

    async def _ask_date(self, context: TurnContext, state: dict[str, Any]) -> Activity:
        return _message(text("deviation.dialog.ask.date", context.activity.locale))

    async def _read_date(
        self, context: TurnContext, state: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        locale = context.activity.locale
        now = self._services.clock()
        typed = ENGLISH_DAYS.get(" ".join(answer.casefold().split()).strip(" ."), answer)
        try:
            day = read_one_date(typed, now, oslo_today(now), locale, prefer="past")
        except DateProblem as problem:
            raise NotAnswered(problem.reply) from None
        services = self._services

        def check() -> None:
            with services.uow_factory() as uow:
                check_occurred_on(str(state[CONTRACT_ID]), day, uow, now)

        try:
            await asyncio.to_thread(check)
        except DeviationRefused as error:
            raise NotAnswered(refusal_reply(error, locale)) from None
        return {OCCURRED_ON: day.isoformat()}

    # description

    async def _ask_description(self, context: TurnContext, state: dict[str, Any]) -> Activity:
        locale = context.activity.locale
        return _message(text("deviation.dialog.ask.description", locale, limit=MAX_DESCRIPTION))

    async def _read_description(
        self, context: TurnContext, state: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        if self._interrupts is not None and self._interrupts(answer):
            raise NotAnswered(text("deviation.dialog.busy", context.activity.locale))
        try:
            return {DESCRIPTION: check_description(answer)}
        except DeviationRefused as error:
            raise NotAnswered(refusal_reply(error, context.activity.locale)) from None

    # remedy

    async def _ask_remedy(self, context: TurnContext, state: dict[str, Any]) -> Activity:
        locale = context.activity.locale
        options = [(remedy_label(r, locale), r.value) for r in REMEDY_ORDER]
        options.append((remedy_label(None, locale), "ingen"))
        return _choice_message(text("deviation.dialog.ask.remedy", locale), options, locale)

    async def _read_remedy(
        self, context: TurnContext, state: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        understood, remedy = read_remedy(answer)
        if not understood:
            labelled = _by_label(answer, REMEDY_ORDER, context, remedy_label)
            if labelled is not None:
                understood, remedy = True, labelled
            elif _same(answer, remedy_label(None, context.activity.locale)):
                understood, remedy = True, None
        if not understood:
            raise NotAnswered(_not_read(context, answer))
        return {REMEDY: remedy.value if remedy else None, REMEDY_ASKED: True}

    # confirm

    async def _ask_confirm(self, context: TurnContext, state: dict[str, Any]) -> Activity:
        locale = context.activity.locale
        facts = summary_facts(state, locale)
        card = summary_card(facts, str(state.get(DESCRIPTION) or ""), locale)
        prompt = text("deviation.dialog.ask.confirm", locale)
        return _message(prompt, card)

    async def _read_confirm(
        self, context: TurnContext, state: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        locale = context.activity.locale
        confirmed = read_yes_no(answer)
        if confirmed is None:
            for word, value in (("deviation.dialog.yes", True), ("deviation.dialog.no", False)):
                if _same(answer, text(word, locale)):
                    confirmed = value
        if confirmed is None:
            raise NotAnswered(text("deviation.dialog.not_read_yes_no", locale))
        return {CONFIRMED: confirmed}


def _draft(step: WaterfallStepContext) -> dict[str, Any]:
    """The report so far, in the waterfall's values; the last question's answer merged in."""
    values = step.values
    if "draft" not in values:
        options = step.options if isinstance(step.options, dict) else {}
        values["draft"] = dict(options)
    draft: dict[str, Any] = values["draft"]
    if isinstance(step.result, dict):
        draft.update(step.result)
    return draft


def summary_facts(state: dict[str, Any], locale: str | None) -> list[tuple[str, str]]:
    """The summary before `ja`: each field in words, escaped for the card."""
    facts = [
        (
            text("deviation.field.contract", locale),
            f"{plain(str(state.get(REFERENCE, '')))} {plain(str(state.get(TITLE, '')))}",
        )
    ]
    if state.get(CHECKPOINT):
        facts.append((text("deviation.field.follow_up", locale), plain(str(state[CHECKPOINT]))))
    facts += [
        (
            text("deviation.field.category", locale),
            category_label(DeviationCategory(state[CATEGORY]), locale),
        ),
        (
            text("deviation.field.severity", locale),
            severity_label(Severity(state[SEVERITY]), locale),
        ),
        (
            text("deviation.field.date", locale),
            day_label(date.fromisoformat(str(state[OCCURRED_ON])), locale),
        ),
        (
            text("deviation.field.remedy", locale),
            remedy_label(Remedy(state[REMEDY]) if state.get(REMEDY) else None, locale),
        ),
    ]
    return facts


def _same(answer: str, label: str) -> bool:
    return " ".join(answer.split()).casefold() == " ".join(label.split()).casefold()


def _by_label(
    answer: str,
    options: tuple[Any, ...],
    context: TurnContext,
    label: Callable[[Any, str | None], str],
) -> Any:
    """An option by its label in the user's language (English labels for English users)."""
    locale = context.activity.locale
    return next((o for o in options if _same(answer, label(o, locale))), None)


def _not_read(context: TurnContext, answer: str) -> str:
    return text("deviation.dialog.not_read", context.activity.locale, text=echo(answer))


__all__ = [
    "DIALOG_ID",
    "STEPS",
    "DeviationServices",
    "ReportDeviationDialog",
    "question_id",
    "summary_facts",
]
