"""A card form asked one question at a time: the dialog fallback of a form.

A `FormDialog` walks its `FormStep`s in order, each asked as a `Question` (typed, or by its
buttons), then shows a summary and asks to save (`ja` / `nei`). `ja` hands the collected fields,
with the form's own `handling` and contract, to `submit`: the same handler as the card's
`Action.Submit`, so the dialog stores exactly what the form would and refuses what it refuses
(a refused form comes back as the card, filled in with what was entered and what was wrong).

A step whose fields already have a value (the latest version, or what the person typed when
starting) offers it as a button, and `behold` keeps it; an optional step takes `hopp over`.
`avbryt` leaves at any step and stores nothing; `hjelp` says which step this is and what it
wants. The fields live in the dialog state (database-backed): a restart continues at the step
the person was at, on any instance.

A question's buttons carry which run of the dialog and which step they belong to: a button of a
question already answered (or of another dialog, or of an earlier run) is refused and the
current question asked again, never taken as this question's answer. A typed command that
begins another form (`FormSpec.interrupts`) is not taken as an answer either: the person is told
to finish or `avbryt` first. The same form sent from its card while the chat asks it ends the
chat's questions (`sent_by_card`: the card's submission is the one that counts).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import (
    DialogContext,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.schema import Activity, InputHints

from bot.conversation.cancel_and_help_dialog import CancelAndHelpDialog
from bot.conversation.cards import ANSWER_KEY, choices_card
from bot.conversation.dialog_question import PREFIX, NotAnswered, Question
from bot.conversation.markdown import echo, unescape
from bot.conversation.texts import text
from followup.deviations.intake import normalise, read_yes_no

Values = Mapping[str, str]
Locale = str | None

CONFIRM: Final = "lagre"
"""The last question's id suffix: save or not."""
KEEP_ANSWER: Final = "behold"
SKIP_ANSWER: Final = "hopp over"
KEEP_WORDS: Final = frozenset({"behold", "samme", "som før", "keep", "same"})
SKIP_WORDS: Final = frozenset({"hopp over", "hopp", "ingen", "nei takk", "skip", "none", "-"})
ONLY_SKIP_WORDS: Final = frozenset({"hopp over", "hopp", "skip", "-"})
"""Skip words that say nothing else: on a step that must be answered they are refused as such
(«ingen» may still be an answer there: no workers, no deviation)."""
SAVE_WORDS: Final = frozenset({"lagre", "save"})
DISCARD_WORDS: Final = frozenset({"ikke lagre", "don't save", "dont save", "forkast", "discard"})

# The dialog state's keys (plain JSON values).
FORM: Final = "form"
"""The form's fixed fields (`handling`, the contract): sent with what was entered."""
VALUES: Final = "values"
ASKED: Final = "asked"
HEADING: Final = "heading"
SENT_FORM: Final = "kvForm"
"""Where the dialog's instance keeps its form's fixed fields (`sent_by_card`)."""
CURRENT: Final = "current"
RUN: Final = "run"
"""This run of the dialog (a random token): its buttons carry it."""
QUESTION_KEY: Final = "skjemaSporsmal"
"""A button's data: the run and step of the question it answers."""

Submit = Callable[[dict[str, Any], TurnContext], Awaitable[None]]
"""Hands a complete form to the form's handler and sends its reply."""


@dataclass(frozen=True, slots=True)
class FormStep:
    """One question of the form.

    `question(values, locale)` is what is asked (markdown, escaped by the step), `read(answer,
    values, locale)` the fields the answer gives (raises `NotAnswered` with why not), `fields`
    the form fields the step fills (what `behold` keeps and `hopp over` empties), `options` its
    buttons (label, answer), `kept` the current value in words when the step has one (offered
    as `behold`), `optional` whether `hopp over` is taken, `applies` whether it is asked at all
    given what was answered before."""

    name: str
    fields: tuple[str, ...]
    question: Callable[[Values, Locale], str]
    read: Callable[[str, Values, Locale], dict[str, str]]
    options: Callable[[Values, Locale], list[tuple[str, str]]] | None = None
    kept: Callable[[Values, Locale], str | None] | None = None
    optional: bool = False
    applies: Callable[[Values], bool] | None = None


@dataclass(frozen=True, slots=True)
class FormSpec:
    """A form as a dialog: its id, its steps and the summary shown before saving
    (`summary(values, locale)`: label and value pairs, escaped)."""

    dialog_id: str
    steps: tuple[FormStep, ...]
    summary: Callable[[Values, Locale], list[tuple[str, str]]]
    interrupts: Callable[[str], bool] | None = None
    """Whether a typed answer is a command that begins another form (not an answer)."""


def start_options(
    form: Mapping[str, str], heading: str, values: Mapping[str, str], intro: str
) -> dict[str, Any]:
    """The options that begin a form dialog (`BeginDialog(spec.dialog_id, …)`): the form's fixed
    fields, a heading for its questions, the values known so far and what is said first."""
    return {
        FORM: dict(form),
        HEADING: heading,
        VALUES: {k: v for k, v in values.items() if isinstance(v, str)},
        ASKED: [],
        RUN: uuid.uuid4().hex[:12],
        PREFIX: intro,
    }


def _tag(state: Mapping[str, Any], name: str) -> str:
    """Which question a button answers: this run of the dialog and the step."""
    return f"{state.get(RUN) or ''}:{name}"


def _tagged(card: dict[str, Any], tag: str) -> dict[str, Any]:
    """`card` with every button's data saying which question it answers."""
    for row in card.get("body", []):
        for action in row.get("actions", []) if isinstance(row, dict) else []:
            data = action.get("data")
            if isinstance(data, dict) and ANSWER_KEY in data:
                data[QUESTION_KEY] = tag
    return card


def _pressed(activity: Activity) -> str | None:
    """The question a pressed button answers ("" for a button that does not say); None when
    the answer was typed."""
    value = activity.value
    if isinstance(value, dict) and isinstance(value.get(ANSWER_KEY), str) and not activity.text:
        tag = value.get(QUESTION_KEY)
        return tag if isinstance(tag, str) else ""
    return None


def _message(prompt: str, options: Sequence[tuple[str, str]], tag: str) -> Activity:
    if options:
        card = _tagged(choices_card(options, prompt), tag)
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card), text=prompt)
    else:
        activity = MessageFactory.text(prompt)
    activity.input_hint = InputHints.expecting_input
    return activity


def _word(answer: str) -> str:
    return normalise(answer).strip(" .!«»\"'")


class FormDialog(CancelAndHelpDialog):
    def __init__(self, spec: FormSpec, submit: Submit) -> None:
        super().__init__(spec.dialog_id)
        self._spec = spec
        self._submit = submit
        self._steps = {step.name: step for step in spec.steps}
        self._loop = f"{spec.dialog_id}.steps"
        self.add_dialog(WaterfallDialog(self._loop, [self._ask_next, self._after_answer]))
        for name in (*self._steps, CONFIRM):
            self.add_dialog(Question(self._question_id(name), self))
        self.initial_dialog_id = self._loop

    async def begin_dialog(
        self, dialog_context: DialogContext, options: object = None
    ) -> DialogTurnResult:
        form = options.get(FORM) if isinstance(options, dict) else None
        if isinstance(form, dict) and dialog_context.active_dialog is not None:
            dialog_context.active_dialog.state[SENT_FORM] = dict(form)
        return await super().begin_dialog(dialog_context, options)

    def _question_id(self, name: str) -> str:
        return f"{self._spec.dialog_id}.{name}"

    def _name_of(self, question_id: str) -> str:
        return question_id.removeprefix(self._spec.dialog_id + ".")

    def _applicable(self, values: Values) -> list[FormStep]:
        return [s for s in self._spec.steps if s.applies is None or s.applies(values)]

    # --- the loop: ask the next step, take its answer, go round again -------------------------

    async def _ask_next(self, step: WaterfallStepContext) -> DialogTurnResult:
        state = dict(step.options) if isinstance(step.options, dict) else {}
        values: dict[str, str] = dict(state.get(VALUES) or {})
        asked = list(state.get(ASKED) or [])
        following = next((s for s in self._applicable(values) if s.name not in asked), None)
        name = following.name if following is not None else CONFIRM
        step.values[CURRENT] = name
        step.values["state"] = {k: v for k, v in state.items() if k != PREFIX}
        question = {**state, VALUES: values, ASKED: asked}
        return await step.begin_dialog(self._question_id(name), question)

    async def _after_answer(self, step: WaterfallStepContext) -> DialogTurnResult:
        name = step.values[CURRENT]
        state: dict[str, Any] = step.values["state"]
        fields = step.result if isinstance(step.result, dict) else {}
        context = step.context
        locale = context.activity.locale
        if name == CONFIRM:
            if not fields.get(CONFIRM):
                await context.send_activity(text("form_dialog.discarded", locale))
                return await step.end_dialog()
            form = {**state.get(FORM, {}), **state.get(VALUES, {})}
            await self._submit({k: v for k, v in form.items() if v != ""}, context)
            return await step.end_dialog()
        values = {**state.get(VALUES, {}), **fields}
        asked = [*state.get(ASKED, []), name]
        return await step.replace_dialog(self._loop, {**state, VALUES: values, ASKED: asked})

    # --- questions (QuestionOwner) ------------------------------------------------------------

    async def question(
        self, question_id: str, context: TurnContext, state: dict[str, Any]
    ) -> Activity:
        locale = context.activity.locale
        values: dict[str, str] = state.get(VALUES) or {}
        name = self._name_of(question_id)
        if name == CONFIRM:
            return self._confirm(state, locale)
        form_step = self._steps[name]
        applicable = self._applicable(values)
        number = next((i for i, s in enumerate(applicable, 1) if s.name == name), 1)
        where = text("form_dialog.step", locale, number=number, total=len(applicable))
        heading = echo(str(state.get(HEADING) or ""))
        prompt = f"**{heading}** ({where})\n\n{form_step.question(values, locale)}"
        options = list(form_step.options(values, locale)) if form_step.options else []
        kept = form_step.kept(values, locale) if form_step.kept else None
        hints = []
        if kept:
            # A button's title is not Markdown: the value as typed, without escapes.
            label = text("form_dialog.keep", locale, value=unescape(kept))
            options.insert(0, (label, KEEP_ANSWER))
            hints.append(text("form_dialog.keep_hint", locale, value=kept))
        if form_step.optional:
            options.append((text("form_dialog.skip", locale), SKIP_ANSWER))
            hints.append(text("form_dialog.skip_hint", locale))
        if hints:
            prompt += "\n\n" + " ".join(hints)
        return _message(prompt, options, _tag(state, name))

    def _confirm(self, state: dict[str, Any], locale: Locale) -> Activity:
        values: dict[str, str] = state.get(VALUES) or {}
        facts = self._spec.summary(values, locale)
        lines = "\n".join(f"- **{label}**: {value}" for label, value in facts)
        heading = echo(str(state.get(HEADING) or ""))
        prompt = text("form_dialog.confirm", locale, heading=heading, facts=lines)
        options = [
            (text("form_dialog.save", locale), "ja"),
            (text("form_dialog.discard", locale), "nei"),
        ]
        return _message(prompt, options, _tag(state, CONFIRM))

    async def read(
        self, question_id: str, context: TurnContext, state: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        locale = context.activity.locale
        values: dict[str, str] = state.get(VALUES) or {}
        name = self._name_of(question_id)
        pressed = _pressed(context.activity)
        if pressed is not None and pressed != _tag(state, name):
            raise NotAnswered(text("form_dialog.stale_button", locale))
        if pressed is None and self._spec.interrupts and self._spec.interrupts(answer):
            heading = echo(str(state.get(HEADING) or ""))
            raise NotAnswered(text("form_dialog.busy", locale, heading=heading))
        word = _word(answer)
        skip = word in SKIP_WORDS or answer.strip() in {"-", "–"}
        if name == CONFIRM:
            yes = read_yes_no(answer)
            if yes is None and word in SAVE_WORDS:
                yes = True
            if yes is None and word in DISCARD_WORDS:
                yes = False
            if yes is None:
                raise NotAnswered(text("form_dialog.not_yes_no", locale))
            return {CONFIRM: yes}
        form_step = self._steps[name]
        if word in KEEP_WORDS:
            if form_step.kept is not None and form_step.kept(values, locale):
                return {}
            raise NotAnswered(text("form_dialog.nothing_to_keep", locale))
        if skip and form_step.optional:
            return dict.fromkeys(form_step.fields, "")
        if skip and (word in ONLY_SKIP_WORDS or not word):
            raise NotAnswered(text("form_dialog.required", locale))
        if not word:
            raise NotAnswered(text("form_dialog.empty", locale))
        try:
            return form_step.read(answer, values, locale)
        except NotAnswered:
            if skip:  # «ingen», «nei takk» where they are no answer: the step must be answered
                raise NotAnswered(text("form_dialog.required", locale)) from None
            raise

    def help_text(self, question_id: str, locale: str | None) -> str:
        name = self._name_of(question_id)
        if name == CONFIRM:
            what = text("form_dialog.help.confirm", locale)
        else:
            what = text("form_dialog.help.step", locale)
        return f"{what}\n\n{text('dialog.help.stop', locale)}"


def sent_by_card(dialog_state: Mapping[str, Any], value: Mapping[str, Any]) -> bool:
    """Whether a card's submitted `value` is the form this dialog (its instance `state`) asks:
    the same `handling` and contract."""
    form = dialog_state.get(SENT_FORM)
    if not isinstance(form, dict) or not form:
        return False

    def same(key: str) -> bool:
        asked, sent = form.get(key), value.get(key)
        if not isinstance(asked, str) or not isinstance(sent, str):
            return asked == sent
        return " ".join(asked.split()).casefold() == " ".join(sent.split()).casefold()

    return all(same(key) for key in form)


__all__ = [
    "ONLY_SKIP_WORDS",
    "QUESTION_KEY",
    "SKIP_WORDS",
    "FormDialog",
    "FormSpec",
    "FormStep",
    "Submit",
    "sent_by_card",
    "start_options",
]
