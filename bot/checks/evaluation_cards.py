"""The supplier evaluation form and its result: Adaptive Cards (1.5). The form has a score
(1–5) and a comment per DFØ heading, submitted as `Action.Submit` with
`{"handling": "leverandorevaluering", "avtale": <avtalenr>}`; a refused form comes back filled in,
with what was wrong at the top. The result card lists the scores and offers the letter to the
supplier (`bot.conversation.export_actions.evaluation_letter_button`, the export room's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from bot.checks.cards import form_inputs, in_chat_action
from bot.conversation.cards import (
    Card,
    Element,
    adaptive_card,
    clip,
    fact_set,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.export_actions import evaluation_letter_button
from bot.conversation.texts import text
from followup.checks.evaluation import MAX_COMMENT
from followup.checks.evaluation_models import (
    EVALUATION_SCALE,
    EvaluationHeading,
    SupplierEvaluation,
)

FORM_FIELD: Final = "handling"
FORM_VALUE: Final = "leverandorevaluering"
CONTRACT_FIELD: Final = "avtale"


def score_field(heading: EvaluationHeading) -> str:
    return f"karakter_{heading.value}"


def comment_field(heading: EvaluationHeading) -> str:
    return f"kommentar_{heading.value}"


@dataclass(frozen=True, slots=True)
class EvaluationForm:
    """What the form shows: the contract, its supplier, the latest evaluation (as a line) and
    what was entered."""

    reference: str
    title: str
    supplier: str
    previous: str
    """The latest evaluation, as shown (`evaluation.form.previous*`)."""
    values: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = None


def heading_word(heading: EvaluationHeading, locale: str | None) -> str:
    return text(f"evaluation.heading.{heading.value}", locale)


def score_word(score: int, locale: str | None) -> str:
    return text(f"evaluation.score.{score}", locale)


def _heading(heading: EvaluationHeading, form: EvaluationForm, locale: str | None) -> Element:
    name = heading_word(heading, locale)
    score: Element = {
        "type": "Input.ChoiceSet",
        "id": score_field(heading),
        "label": text("evaluation.form.score", locale),
        "style": "compact",
        "isRequired": True,
        "errorMessage": text("evaluation.form.score_required", locale, heading=name),
        "choices": [{"title": score_word(n, locale), "value": str(n)} for n in EVALUATION_SCALE],
    }
    entered = form.values.get(score_field(heading))
    if entered in {str(n) for n in EVALUATION_SCALE}:
        score["value"] = entered
    comment: Element = {
        "type": "Input.Text",
        "id": comment_field(heading),
        "label": text("evaluation.form.comment", locale),
        "isMultiline": True,
        "maxLength": MAX_COMMENT,
    }
    written = form.values.get(comment_field(heading))
    if written:
        comment["value"] = written[:MAX_COMMENT]
    return {
        "type": "Container",
        "separator": True,
        "items": [text_block(name, weight="Bolder"), score, comment],
    }


def evaluation_form_card(form: EvaluationForm, locale: str | None) -> Card:
    body: list[Element] = [
        title_block(text("evaluation.form.title", locale, reference=form.reference))
    ]
    if form.problem:
        body.append(text_block(form.problem, color="Attention", weight="Bolder"))
    body.append(
        subtle_block(
            text(
                "evaluation.form.subtitle",
                locale,
                title=clip(form.title),
                supplier=clip(form.supplier),
                previous=form.previous,
            )
        )
    )
    body.append(text_block(text("evaluation.form.rule", locale), isSubtle=True, size="Small"))
    body.extend(_heading(heading, form, locale) for heading in EvaluationHeading)
    card = adaptive_card(body, text("evaluation.form.fallback", locale, reference=form.reference))
    card["actions"] = [
        {
            "type": "Action.Submit",
            "title": text("evaluation.form.submit", locale),
            "data": {FORM_FIELD: FORM_VALUE, CONTRACT_FIELD: form.reference},
        },
        in_chat_action(FORM_VALUE, form.reference, locale),
    ]
    return card


def evaluation_result_card(
    reference: str, evaluation: SupplierEvaluation, lines: list[str], locale: str | None
) -> Card:
    """The stored evaluation: what was saved (`lines`), the scores, and the letter button."""
    facts = [
        (heading_word(s.heading, locale), score_word(s.score, locale)) for s in evaluation.scores
    ]
    body: list[Element] = [
        title_block(text("evaluation.result.title", locale, reference=reference)),
        *(text_block(line) for line in lines),
        fact_set(facts),
    ]
    fallback = "\n".join([*lines, *(f"{k}: {v}" for k, v in facts)])
    card = adaptive_card(body, fallback)
    card["actions"] = [
        evaluation_letter_button(text("evaluation.result.letter", locale), reference)
    ]
    return card


def entered_values(value: Mapping[str, Any]) -> dict[str, str]:
    """The evaluation form's inputs (`form_inputs`)."""
    known = {
        *(score_field(h) for h in EvaluationHeading),
        *(comment_field(h) for h in EvaluationHeading),
    }
    return form_inputs(value, known, MAX_COMMENT + 1)


__all__ = [
    "CONTRACT_FIELD",
    "FORM_FIELD",
    "FORM_VALUE",
    "EvaluationForm",
    "comment_field",
    "entered_values",
    "evaluation_form_card",
    "evaluation_result_card",
    "heading_word",
    "score_field",
    "score_word",
]
