"""The risk assessment form: an Adaptive Card (1.5) with a consequence and a likelihood per risk,
the level (the suggestion or another with a reason) and a comment. Submitted as `Action.Submit`
with `{"handling": "risikovurdering", "avtale": <avtalenr>}` and the inputs' values; a refused
form comes back filled in, with what was wrong at the top."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from bot.conversation.cards import Card, Element, adaptive_card, clip, text_block, title_block
from bot.conversation.texts import text
from followup.checks.models import SCALE, RiskArea
from followup.models import RiskLevel

FORM_FIELD: Final = "handling"
FORM_VALUE: Final = "risikovurdering"
CONTRACT_FIELD: Final = "avtale"
LEVEL_FIELD: Final = "niva"
REASON_FIELD: Final = "begrunnelse"
COMMENT_FIELD: Final = "kommentar"
SUGGESTED: Final = "forslag"
STEP_FIELD: Final = "steg"
"""The form's «Svar i chatten» button: `{"handling": …, "avtale": …, "steg": "chat"}` begins
the same form as a dialog (`bot.checks.dialogs`)."""
STEP_VALUE: Final = "chat"
MAX_REASON_INPUT: Final = 1_000
MAX_COMMENT_INPUT: Final = 4_000


def consequence_field(area: RiskArea) -> str:
    return f"konsekvens_{area.value}"


def likelihood_field(area: RiskArea) -> str:
    return f"sannsynlighet_{area.value}"


@dataclass(frozen=True, slots=True)
class RiskForm:
    """What the form shows: the contract, its current level, and what was entered."""

    reference: str
    title: str
    level: RiskLevel
    source: str
    """The current level's origin, as shown (`risk.form.source.*`)."""
    values: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = None
    suggested: RiskLevel | None = None


def level_word(level: RiskLevel, locale: str | None) -> str:
    return text(f"risk.level.{level.value}", locale)


def _choices(kind: str, locale: str | None) -> list[dict[str, str]]:
    return [{"title": text(f"risk.{kind}.{n}", locale), "value": str(n)} for n in SCALE]


def _choice_set(
    field_id: str, label: str, kind: str, form: RiskForm, locale: str | None
) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": field_id,
        "label": label,
        "style": "compact",
        "isRequired": True,
        "errorMessage": label,
        "choices": _choices(kind, locale),
    }
    entered = form.values.get(field_id)
    if entered in {str(n) for n in SCALE}:
        element["value"] = entered
    return element


def _area(area: RiskArea, form: RiskForm, locale: str | None) -> Element:
    return {
        "type": "Container",
        "separator": True,
        "items": [
            text_block(text(f"risk.area.{area.value}", locale), weight="Bolder"),
            {
                "type": "ColumnSet",
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [
                            _choice_set(
                                consequence_field(area),
                                text("risk.consequence", locale),
                                "consequence",
                                form,
                                locale,
                            )
                        ],
                    },
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [
                            _choice_set(
                                likelihood_field(area),
                                text("risk.likelihood", locale),
                                "likelihood",
                                form,
                                locale,
                            )
                        ],
                    },
                ],
            },
        ],
    }


def risk_form_card(form: RiskForm, locale: str | None) -> Card:
    level_values = {SUGGESTED, *(level.value for level in RiskLevel)}
    chosen = form.values.get(LEVEL_FIELD)
    body: list[Element] = [title_block(text("risk.form.title", locale, reference=form.reference))]
    if form.problem:
        body.append(text_block(form.problem, color="Attention", weight="Bolder"))
    body.append(
        text_block(
            text(
                "risk.form.subtitle",
                locale,
                title=clip(form.title),
                level=level_word(form.level, locale),
                source=form.source,
            ),
            isSubtle=True,
        )
    )
    body.append(text_block(text("risk.form.rule", locale), isSubtle=True, size="Small"))
    body.extend(_area(area, form, locale) for area in RiskArea)
    if form.suggested is not None:
        body.append(
            text_block(
                text("risk.form.suggested", locale, level=level_word(form.suggested, locale)),
                weight="Bolder",
                separator=True,
            )
        )
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": LEVEL_FIELD,
            "label": text("risk.form.level", locale),
            "style": "expanded",
            "value": chosen if chosen in level_values else SUGGESTED,
            "separator": form.suggested is None,
            "choices": [
                {"title": text("risk.form.level.suggested", locale), "value": SUGGESTED},
                *(
                    {
                        "title": text(
                            "risk.form.level.other", locale, level=level_word(level, locale)
                        ),
                        "value": level.value,
                    }
                    for level in RiskLevel
                ),
            ],
        }
    )
    body.append(_text_input(REASON_FIELD, "risk.form.reason", MAX_REASON_INPUT, form, locale))
    body.append(_text_input(COMMENT_FIELD, "risk.form.comment", MAX_COMMENT_INPUT, form, locale))
    card = adaptive_card(body, text("risk.form.fallback", locale, reference=form.reference))
    card["actions"] = [
        {
            "type": "Action.Submit",
            "title": text("risk.form.submit", locale),
            "data": {FORM_FIELD: FORM_VALUE, CONTRACT_FIELD: form.reference},
        },
        in_chat_action(FORM_VALUE, form.reference, locale),
    ]
    return card


def in_chat_action(form_value: str, reference: str, locale: str | None) -> Element:
    """«Svar i chatten, ett spørsmål om gangen»: the form as a dialog. It sends none of the
    card's inputs, so the card's required fields do not stop it."""
    return {
        "type": "Action.Submit",
        "title": text("checks.dialog.in_chat", locale),
        "data": {FORM_FIELD: form_value, CONTRACT_FIELD: reference, STEP_FIELD: STEP_VALUE},
        "associatedInputs": "none",
    }


def _text_input(
    field_id: str, label_key: str, limit: int, form: RiskForm, locale: str | None
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": field_id,
        "label": text(label_key, locale),
        "isMultiline": True,
        "maxLength": limit,
    }
    entered = form.values.get(field_id)
    if entered:
        element["value"] = entered[:limit]
    return element


def form_inputs(
    value: Mapping[str, Any], known: Collection[str], limit: int, *, numbers: bool = False
) -> dict[str, str]:
    """A submitted form's `known` inputs as strings cut at `limit` (what comes back in a
    refilled form); empty ones and others dropped, numbers kept as text when `numbers`."""
    found: dict[str, str] = {}
    for key, raw in value.items():
        if key not in known or isinstance(raw, bool):
            continue
        entered = str(raw) if numbers and isinstance(raw, int | float) else raw
        if isinstance(entered, str) and entered.strip():
            found[key] = entered[:limit]
    return found


def entered_values(value: Mapping[str, Any]) -> dict[str, str]:
    """The risk form's inputs (`form_inputs`)."""
    known = {
        LEVEL_FIELD,
        REASON_FIELD,
        COMMENT_FIELD,
        *(consequence_field(a) for a in RiskArea),
        *(likelihood_field(a) for a in RiskArea),
    }
    return form_inputs(value, known, MAX_COMMENT_INPUT + 1)


__all__ = [
    "COMMENT_FIELD",
    "CONTRACT_FIELD",
    "FORM_FIELD",
    "FORM_VALUE",
    "LEVEL_FIELD",
    "REASON_FIELD",
    "STEP_FIELD",
    "STEP_VALUE",
    "SUGGESTED",
    "RiskForm",
    "consequence_field",
    "entered_values",
    "form_inputs",
    "in_chat_action",
    "level_word",
    "likelihood_field",
    "risk_form_card",
]
