"""The structured checks' forms asked one question at a time (issue 19, item 5).

`risiko`, `kontroll` and `evaluer` open an Adaptive Card form; `… <avtalenr> steg` (or the
card's «Svar i chatten» button) asks the same form in the chat instead, as a
`bot.conversation.form_dialog.FormDialog`: for a phone, a screen reader, or anyone who prefers
typing. Each step fills the card's own fields, and the end hands them to the card's own handler,
so what is stored, checked and refused is the same whichever way the form was filled in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Final

from bot.checks.cards import (
    COMMENT_FIELD,
    CONTRACT_FIELD,
    FORM_FIELD,
    LEVEL_FIELD,
    MAX_COMMENT_INPUT,
    MAX_REASON_INPUT,
    REASON_FIELD,
    STEP_FIELD,
    STEP_VALUE,
    SUGGESTED,
    consequence_field,
    level_word,
    likelihood_field,
)
from bot.checks.evaluation_cards import comment_field, heading_word, score_field, score_word
from bot.checks.onsite_cards import (
    CARDS_FIELD,
    CREW_FIELD,
    DATE_FIELD,
    DEVIATION_FIELD,
    NO_DEVIATION,
    NOTES_FIELD,
    PARTICIPANTS_FIELD,
    PLACE_FIELD,
    WITHOUT_FIELD,
    WORKERS_FIELD,
)
from bot.conversation import formatting
from bot.conversation.dialog_question import NotAnswered
from bot.conversation.form_dialog import (
    SKIP_WORDS,
    FormSpec,
    FormStep,
    Locale,
    Values,
    start_options,
)
from bot.conversation.markdown import echo
from bot.conversation.replies import DateProblem, read_one_date
from bot.conversation.router import BeginDialog
from bot.conversation.texts import text
from followup.calendar.workdays import oslo_today
from followup.checks.evaluation import COMMENT_BELOW
from followup.checks.evaluation import MAX_COMMENT as MAX_EVALUATION_COMMENT
from followup.checks.evaluation_models import EVALUATION_SCALE, EvaluationHeading
from followup.checks.models import SCALE, RiskArea
from followup.checks.onsite import MAX_NOTES, MAX_SHORT
from followup.checks.onsite_models import MAX_WORKERS, CrewList
from followup.checks.risk import RiskRefused, read_scores, suggested_level
from followup.deviations.intake import normalise, read_severity
from followup.models import RiskLevel, Severity

RISK_DIALOG: Final = "riskForm"
ONSITE_DIALOG: Final = "onsiteForm"
EVALUATION_DIALOG: Final = "evaluationForm"
STEP_WORDS: Final = frozenset(
    {"steg", "steg for steg", "trinnvis", "chat", "i chatten", "step", "step by step"}
)
"""`risiko KOM-… steg`: the form in the chat, one question at a time."""

_TWO_SCORES: Final = re.compile(r"^\s*(\d)\s*(?:[,;/x×*]|og|and)?\s*(\d)\s*[.]?\s*$", re.I)
_SCORE_AND_COMMENT: Final = re.compile(r"^\s*(\d)(?:\s*[.,:;–-]\s*|\s+|$)(.*)$", re.S)
_NUMBER: Final = re.compile(r"^\s*(\d{1,6})\s*[.]?\s*$")
_LEVEL_WORDS: Final = {
    "lav": RiskLevel.LOW,
    "low": RiskLevel.LOW,
    "middels": RiskLevel.MEDIUM,
    "medium": RiskLevel.MEDIUM,
    "hoy": RiskLevel.HIGH,
    "høy": RiskLevel.HIGH,
    "høg": RiskLevel.HIGH,
    "high": RiskLevel.HIGH,
}
_SUGGESTION_WORDS: Final = frozenset(
    {"forslag", "forslaget", "bruk forslaget", "suggested", "suggestion", "use the suggestion"}
)
_NO_WORDS: Final = frozenset(
    {"nei", "nei takk", "ingen", "ingen avvik", "ikke noe avvik", "no", "no thanks", "none"}
)
RISK_WORDS: Final = ("risiko", "risikovurdering", "risk", "risk assessment")
"""The risk command's word and aliases (`bot.checks.commands`)."""
ONSITE_WORDS: Final = ("kontroll", "stedlig kontroll", "on-site check", "site check")
"""The on-site check command's word and aliases (`bot.checks.onsite_commands`)."""
EVALUATION_WORDS: Final = (
    "evaluer",
    "evaluering",
    "leverandørevaluering",
    "evaluate",
    "evaluation",
)
"""The evaluation command's word and aliases (`bot.checks.evaluation_commands`)."""
_ENGLISH_DAYS: Final = {"today": "i dag", "yesterday": "i går"}
"""The English question's examples, read as the Norwegian words the date reader knows."""


def _text_answer(field: str, limit: int) -> Callable[[str, Values, Locale], dict[str, str]]:
    def read(answer: str, _values: Values, locale: Locale) -> dict[str, str]:
        cleaned = answer.strip()
        if len(cleaned) > limit:
            raise NotAnswered(
                text("checks.dialog.too_long", locale, length=len(cleaned), limit=limit)
            )
        return {field: cleaned}

    return read


def _kept_text(field: str) -> Callable[[Values, Locale], str | None]:
    def kept(values: Values, _locale: Locale) -> str | None:
        found = values.get(field, "").strip()
        if not found:
            return None
        return echo(found if len(found) <= 60 else found[:59] + "…")

    return kept


def _optional_text_step(name: str, field: str, question_key: str, limit: int) -> FormStep:
    """A free text that may be left empty (`hopp over`), at most `limit` characters."""
    return FormStep(
        name,
        (field,),
        lambda _v, locale: text(question_key, locale),
        _text_answer(field, limit),
        kept=_kept_text(field),
        optional=True,
    )


# --- risk assessment ------------------------------------------------------------------------------


def risk_suggestion(values: Values) -> RiskLevel | None:
    """The suggested level from the six areas' scores in `values` (None: not all there)."""
    scores: dict[RiskArea, tuple[int | None, int | None]] = {}
    for area in RiskArea:
        consequence = values.get(consequence_field(area), "")
        likelihood = values.get(likelihood_field(area), "")
        scores[area] = (
            int(consequence) if consequence.isdigit() else None,
            int(likelihood) if likelihood.isdigit() else None,
        )
    try:
        return suggested_level(read_scores(scores))
    except RiskRefused:
        return None


def _area_step(area: RiskArea, *, first: bool) -> FormStep:
    consequence, likelihood = consequence_field(area), likelihood_field(area)

    def question(_values: Values, locale: Locale) -> str:
        asked = text(
            "checks.dialog.risk.area", locale, area=text(f"risk.area.{area.value}", locale)
        )
        return f"{asked}\n\n{text('checks.dialog.risk.scale', locale)}" if first else asked

    def read(answer: str, _values: Values, locale: Locale) -> dict[str, str]:
        found = _TWO_SCORES.match(answer)
        if found is None or not {int(found[1]), int(found[2])} <= set(SCALE):
            raise NotAnswered(text("checks.dialog.risk.not_scores", locale))
        return {consequence: found[1], likelihood: found[2]}

    def kept(values: Values, locale: Locale) -> str | None:
        if values.get(consequence, "").isdigit() and values.get(likelihood, "").isdigit():
            return text(
                "checks.dialog.risk.kept",
                locale,
                consequence=values[consequence],
                likelihood=values[likelihood],
            )
        return None

    return FormStep(area.value, (consequence, likelihood), question, read, kept=kept)


def _level_question(values: Values, locale: Locale) -> str:
    suggestion = risk_suggestion(values)
    if suggestion is None:
        return text("checks.dialog.risk.level_no_suggestion", locale)
    return text("checks.dialog.risk.level", locale, level=level_word(suggestion, locale))


def _level_options(values: Values, locale: Locale) -> list[tuple[str, str]]:
    suggestion = risk_suggestion(values)
    options = []
    if suggestion is not None:
        word = level_word(suggestion, locale)
        options.append((text("checks.dialog.risk.use_suggestion", locale, level=word), SUGGESTED))
    options += [(level_word(level, locale), level.value) for level in RiskLevel]
    return options


def _read_level(answer: str, values: Values, locale: Locale) -> dict[str, str]:
    word = normalise(answer).strip(" .")
    suggestion = risk_suggestion(values)
    if word in _SUGGESTION_WORDS or word == SUGGESTED:
        if suggestion is None:
            raise NotAnswered(text("checks.dialog.risk.no_suggestion", locale))
        return {LEVEL_FIELD: SUGGESTED, REASON_FIELD: ""}
    level = _LEVEL_WORDS.get(word)
    if level is None:
        raise NotAnswered(text("checks.dialog.risk.not_level", locale))
    if level is suggestion:
        return {LEVEL_FIELD: SUGGESTED, REASON_FIELD: ""}
    return {LEVEL_FIELD: level.value}


def _overruled(values: Values) -> bool:
    return values.get(LEVEL_FIELD, SUGGESTED) != SUGGESTED


def _reason_question(values: Values, locale: Locale) -> str:
    suggestion = risk_suggestion(values)
    chosen = RiskLevel(values[LEVEL_FIELD])
    asked = text(
        "checks.dialog.risk.reason",
        locale,
        level=level_word(chosen, locale),
        suggested=level_word(suggestion, locale)
        if suggestion
        else text("checks.dialog.risk.none", locale),
    )
    if suggestion is None:
        return asked
    other = text(
        "checks.dialog.risk.reason_or_suggestion", locale, suggested=level_word(suggestion, locale)
    )
    return f"{asked} {other}"


def _read_reason(answer: str, values: Values, locale: Locale) -> dict[str, str]:
    """Why the level differs from the suggestion; «forslaget» takes the suggestion after all
    (then no reason is kept), a skip word is no reason."""
    word = normalise(answer).strip(" .")
    if word in _SUGGESTION_WORDS and risk_suggestion(values) is not None:
        return {LEVEL_FIELD: SUGGESTED, REASON_FIELD: ""}
    if word in SKIP_WORDS or word in {"nei", "no"}:
        raise NotAnswered(text("form_dialog.required", locale))
    return _text_answer(REASON_FIELD, MAX_REASON_INPUT)(answer, values, locale)


def _risk_summary(values: Values, locale: Locale) -> list[tuple[str, str]]:
    facts = []
    for area in RiskArea:
        consequence = values.get(consequence_field(area), "?")
        likelihood = values.get(likelihood_field(area), "?")
        facts.append(
            (
                text(f"risk.area.{area.value}", locale),
                text(
                    "checks.dialog.risk.kept",
                    locale,
                    consequence=consequence,
                    likelihood=likelihood,
                ),
            )
        )
    suggestion = risk_suggestion(values)
    chosen = values.get(LEVEL_FIELD, SUGGESTED)
    if chosen == SUGGESTED and suggestion is not None:
        level = text(
            "checks.dialog.risk.level_suggested", locale, level=level_word(suggestion, locale)
        )
    elif chosen != SUGGESTED:
        level = text(
            "checks.dialog.risk.level_overruled",
            locale,
            level=level_word(RiskLevel(chosen), locale),
            reason=echo(values.get(REASON_FIELD, "")),
        )
    else:
        level = "?"
    facts.append((text("risk.form.level", locale), level))
    if values.get(COMMENT_FIELD):
        facts.append((text("risk.form.comment", locale), echo(values[COMMENT_FIELD])))
    return facts


Interrupts = Callable[[str], bool] | None
"""Whether a typed answer is a command that begins another dialog (`bot.commands` composes it
from every capability's words: `bot.conversation.dialog_starters`)."""


def risk_dialog(interrupts: Interrupts = None) -> FormSpec:
    steps = [_area_step(area, first=n == 0) for n, area in enumerate(RiskArea)]
    steps.append(
        FormStep(
            "niva",
            (LEVEL_FIELD,),
            _level_question,
            _read_level,
            options=_level_options,
        )
    )
    steps.append(
        FormStep(
            "begrunnelse",
            (REASON_FIELD,),
            _reason_question,
            _read_reason,
            applies=_overruled,
        )
    )
    steps.append(
        _optional_text_step(
            "kommentar", COMMENT_FIELD, "checks.dialog.risk.comment", MAX_COMMENT_INPUT
        )
    )
    return FormSpec(RISK_DIALOG, tuple(steps), _risk_summary, interrupts)


# --- on-site check --------------------------------------------------------------------------------


def _number_answer(
    field: str, at_most: Callable[[Values], int], too_many: str
) -> Callable[[str, Values, Locale], dict[str, str]]:
    def read(answer: str, values: Values, locale: Locale) -> dict[str, str]:
        word = normalise(answer)
        if word in _NO_WORDS or word in {"0", "null"}:
            return {field: "0"}
        if word in {"alle", "all"} and field != WORKERS_FIELD:
            return {field: str(at_most(values))}
        found = _NUMBER.match(answer.replace(" ", ""))
        if found is None:
            raise NotAnswered(text("checks.dialog.onsite.not_number", locale))
        number = int(found[1])
        if number > at_most(values):
            raise NotAnswered(text(too_many, locale, limit=at_most(values)))
        return {field: str(number)}

    return read


def _entered_number(values: Values, field: str) -> int:
    found = values.get(field, "")
    return int(found) if found.isdigit() else MAX_WORKERS


def _kept_number(field: str) -> Callable[[Values, Locale], str | None]:
    def kept(values: Values, _locale: Locale) -> str | None:
        found = values.get(field, "")
        return found if found.isdigit() else None

    return kept


def _date_step(clock: Callable[[], datetime]) -> FormStep:
    def read(answer: str, _values: Values, locale: Locale) -> dict[str, str]:
        now = clock()
        today = oslo_today(now)
        said = _ENGLISH_DAYS.get(normalise(answer), answer)
        try:
            day = read_one_date(said, now, today, locale, prefer="past")
        except DateProblem as problem:
            raise NotAnswered(problem.reply) from None
        if day > today:
            raise NotAnswered(text("onsite.date_future", locale))
        return {DATE_FIELD: day.isoformat()}

    def kept(values: Values, locale: Locale) -> str | None:
        try:
            day = date.fromisoformat(values.get(DATE_FIELD, "")[:10])
        except ValueError:
            return None
        return formatting.day_month(day, locale, with_year=True)

    return FormStep(
        "dato",
        (DATE_FIELD,),
        lambda _v, locale: text("checks.dialog.onsite.date", locale),
        read,
        kept=kept,
    )


def _crew_options(_values: Values, locale: Locale) -> list[tuple[str, str]]:
    return [(text(f"onsite.crew.{c.value}", locale), c.value) for c in CrewList]


_NOT_CHECKED_WORDS: Final = ("ikke kontroll", "ikke sjekk", "vet ikke", "not checked", "unknown")
_DIFFERS_WORDS: Final = ("stemte ikke", "stemmer ikke", "ikke stemt", "avvik", "did not", "didn't")


def _read_crew(answer: str, _values: Values, locale: Locale) -> dict[str, str]:
    """`ja`, `nei`, `ikke kontrollert`, the buttons' words, and what people type instead
    («stemte ikke», «ja, den stemte», «ikke sjekket»)."""
    word = normalise(answer).strip(" .")
    for crew in CrewList:
        if word in {normalise(crew.value), normalise(text(f"onsite.crew.{crew.value}", locale))}:
            return {CREW_FIELD: crew.value}
    if any(w in word for w in _NOT_CHECKED_WORDS):
        return {CREW_FIELD: CrewList.NOT_CHECKED.value}
    first = word.split(" ", 1)[0].strip(",")
    if first in {"nei", "no"} or any(w in word for w in _DIFFERS_WORDS):
        return {CREW_FIELD: CrewList.DIFFERS.value}
    if first in {"ja", "yes", "stemte", "ok"} or word in {"den stemte", "it matched"}:
        return {CREW_FIELD: CrewList.MATCHES.value}
    raise NotAnswered(text("checks.dialog.not_choice", locale))


def _deviation_options(_values: Values, locale: Locale) -> list[tuple[str, str]]:
    return [
        (text("onsite.form.avvik.nei", locale), NO_DEVIATION),
        *(
            (text("onsite.form.avvik.severity", locale, severity=s.value), s.value)
            for s in Severity
        ),
    ]


def _read_deviation(answer: str, _values: Values, locale: Locale) -> dict[str, str]:
    word = normalise(answer).strip(" .")
    if word in _NO_WORDS or word == normalise(text("onsite.form.avvik.nei", locale)):
        return {DEVIATION_FIELD: NO_DEVIATION}
    for severity in Severity:
        if word == normalise(text("onsite.form.avvik.severity", locale, severity=severity.value)):
            return {DEVIATION_FIELD: severity.value}
    if word.isdigit():  # the buttons are not numbered: a number says nothing here
        raise NotAnswered(text("checks.dialog.not_choice", locale))
    rest = re.sub(r"^(?:ja|yes)\b[\s,:]*|\b(?:alvorlighetsgrad|severity|avvik)\b", "", word)
    severity_read = read_severity(" ".join(rest.split()))
    if severity_read is None:
        raise NotAnswered(text("checks.dialog.not_choice", locale))
    return {DEVIATION_FIELD: severity_read.value}


def _onsite_summary(values: Values, locale: Locale) -> list[tuple[str, str]]:
    facts = []
    try:
        day = date.fromisoformat(values.get(DATE_FIELD, "")[:10])
        facts.append(
            (text("onsite.form.dato", locale), formatting.day_month(day, locale, with_year=True))
        )
    except ValueError:
        pass
    for field in (PLACE_FIELD, PARTICIPANTS_FIELD):
        if values.get(field):
            facts.append((text(f"onsite.form.{field}", locale), echo(values[field])))
    for field in (WORKERS_FIELD, CARDS_FIELD, WITHOUT_FIELD):
        facts.append((text(f"onsite.form.{field}", locale), values.get(field, "?")))
    crew = values.get(CREW_FIELD, CrewList.NOT_CHECKED.value)
    facts.append((text("onsite.form.mannskapsliste", locale), text(f"onsite.crew.{crew}", locale)))
    if values.get(NOTES_FIELD):
        facts.append((text("onsite.form.notater", locale), echo(values[NOTES_FIELD])))
    deviation = values.get(DEVIATION_FIELD, NO_DEVIATION)
    shown = (
        text("onsite.form.avvik.nei", locale)
        if deviation == NO_DEVIATION
        else text("onsite.form.avvik.severity", locale, severity=deviation)
    )
    facts.append((text("onsite.form.avvik", locale), shown))
    return facts


def onsite_dialog(clock: Callable[[], datetime], interrupts: Interrupts = None) -> FormSpec:
    def workers(values: Values) -> int:
        return _entered_number(values, WORKERS_FIELD)

    def cards(values: Values) -> int:
        return _entered_number(values, CARDS_FIELD)

    def asked(key: str) -> Callable[[Values, Locale], str]:
        return lambda _v, locale: text(f"checks.dialog.onsite.{key}", locale)

    steps = (
        _date_step(clock),
        _optional_text_step("sted", PLACE_FIELD, "checks.dialog.onsite.place", MAX_SHORT),
        _optional_text_step(
            "deltakere", PARTICIPANTS_FIELD, "checks.dialog.onsite.participants", MAX_SHORT
        ),
        FormStep(
            "arbeidere",
            (WORKERS_FIELD,),
            asked("workers"),
            _number_answer(
                WORKERS_FIELD, lambda _v: MAX_WORKERS, "checks.dialog.onsite.above_limit"
            ),
            kept=_kept_number(WORKERS_FIELD),
        ),
        FormStep(
            "hms_kort",
            (CARDS_FIELD,),
            asked("cards"),
            _number_answer(CARDS_FIELD, workers, "checks.dialog.onsite.more_than_workers"),
            options=lambda v, locale: [
                (text("checks.dialog.onsite.all", locale, count=workers(v)), str(workers(v)))
            ],
            kept=_kept_number(CARDS_FIELD),
        ),
        FormStep(
            "uten_hms_kort",
            (WITHOUT_FIELD,),
            asked("without"),
            _number_answer(WITHOUT_FIELD, cards, "checks.dialog.onsite.more_than_cards"),
            options=lambda _v, locale: [(text("checks.dialog.onsite.none", locale), "0")],
            kept=_kept_number(WITHOUT_FIELD),
        ),
        FormStep(
            "mannskapsliste",
            (CREW_FIELD,),
            asked("crew"),
            _read_crew,
            options=_crew_options,
        ),
        _optional_text_step("notater", NOTES_FIELD, "checks.dialog.onsite.notes", MAX_NOTES),
        FormStep(
            "avvik",
            (DEVIATION_FIELD,),
            asked("deviation"),
            _read_deviation,
            options=_deviation_options,
        ),
    )
    return FormSpec(ONSITE_DIALOG, steps, _onsite_summary, interrupts)


# --- supplier evaluation --------------------------------------------------------------------------


def _heading_step(heading: EvaluationHeading) -> FormStep:
    score, comment = score_field(heading), comment_field(heading)

    def question(_values: Values, locale: Locale) -> str:
        return text(
            "checks.dialog.evaluation.heading", locale, heading=heading_word(heading, locale)
        )

    def options(_values: Values, locale: Locale) -> list[tuple[str, str]]:
        return [(score_word(n, locale), str(n)) for n in EVALUATION_SCALE]

    def read(answer: str, _values: Values, locale: Locale) -> dict[str, str]:
        found = _SCORE_AND_COMMENT.match(answer)
        if found is None or int(found[1]) not in EVALUATION_SCALE:
            raise NotAnswered(text("checks.dialog.evaluation.not_score", locale))
        said = found[2].strip()
        if int(found[1]) < COMMENT_BELOW and not said.strip(" .,:;–-"):
            # The domain refuses a low score without a comment: asked here, not after «ja».
            raise NotAnswered(
                text("checks.dialog.evaluation.comment_needed", locale, score=found[1])
            )
        if len(said) > MAX_EVALUATION_COMMENT:
            raise NotAnswered(
                text(
                    "checks.dialog.too_long",
                    locale,
                    length=len(said),
                    limit=MAX_EVALUATION_COMMENT,
                )
            )
        return {score: found[1], comment: said}

    def kept(values: Values, locale: Locale) -> str | None:
        if not values.get(score, "").isdigit():
            return None
        said = values.get(comment, "").strip()
        shown = score_word(int(values[score]), locale)
        return (
            f"{shown}: {echo(said[:40])}…"
            if len(said) > 40
            else (f"{shown}: {echo(said)}" if said else shown)
        )

    return FormStep(heading.value, (score, comment), question, read, options=options, kept=kept)


def _evaluation_summary(values: Values, locale: Locale) -> list[tuple[str, str]]:
    facts = []
    for heading in EvaluationHeading:
        found = values.get(score_field(heading), "")
        shown = score_word(int(found), locale) if found.isdigit() else "?"
        said = values.get(comment_field(heading), "").strip()
        facts.append((heading_word(heading, locale), f"{shown} – {echo(said)}" if said else shown))
    return facts


def evaluation_dialog(interrupts: Interrupts = None) -> FormSpec:
    steps = tuple(_heading_step(heading) for heading in EvaluationHeading)
    return FormSpec(EVALUATION_DIALOG, steps, _evaluation_summary, interrupts)


def begin_in_chat(
    dialog_id: str, form_value: str, reference: str, heading: str, values: Values, locale: Locale
) -> BeginDialog:
    """The form `form_value` of the contract `reference` as the dialog `dialog_id`, starting
    from `values` (offered as «behold»)."""
    form = {FORM_FIELD: form_value, CONTRACT_FIELD: reference}
    intro = text("checks.dialog.intro", locale)
    return BeginDialog(dialog_id, start_options(form, heading, values, intro))


def in_chat_requested(value: Mapping[str, object]) -> bool:
    """The card's «Svar i chatten» button was pressed (not the form submitted)."""
    return value.get(STEP_FIELD) == STEP_VALUE


def asks_in_chat(words: list[str]) -> bool:
    """`<avtalenr> steg` (or `steg for steg`, `i chatten`, `step by step`): the dialog."""
    return len(words) >= 2 and normalise(" ".join(words[1:])) in STEP_WORDS


__all__ = [
    "EVALUATION_DIALOG",
    "EVALUATION_WORDS",
    "ONSITE_DIALOG",
    "ONSITE_WORDS",
    "RISK_DIALOG",
    "RISK_WORDS",
    "asks_in_chat",
    "begin_in_chat",
    "evaluation_dialog",
    "in_chat_requested",
    "onsite_dialog",
    "risk_dialog",
    "risk_suggestion",
]
