"""The on-site check form: an Adaptive Card (1.5) with the day, the place, who took part, the
workers on site, the HMS-kort checked and those without a valid card, the crew list, notes, and
whether to register a deviation (and how serious). Submitted as `Action.Submit` with
`{"handling": "stedlig_kontroll", "avtale": <avtalenr>}` and the inputs' values; a refused form
comes back filled in, with what was wrong at the top."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from bot.checks.cards import form_inputs, in_chat_action
from bot.conversation.cards import Card, Element, adaptive_card, clip, text_block, title_block
from bot.conversation.texts import text
from followup.checks.onsite import MAX_NOTES, MAX_SHORT
from followup.checks.onsite_models import MAX_WORKERS, CrewList
from followup.models import Severity

FORM_FIELD: Final = "handling"
FORM_VALUE: Final = "stedlig_kontroll"
CONTRACT_FIELD: Final = "avtale"
DATE_FIELD: Final = "dato"
PLACE_FIELD: Final = "sted"
PARTICIPANTS_FIELD: Final = "deltakere"
WORKERS_FIELD: Final = "arbeidere"
CARDS_FIELD: Final = "hms_kort_kontrollert"
WITHOUT_FIELD: Final = "uten_hms_kort"
CREW_FIELD: Final = "mannskapsliste"
NOTES_FIELD: Final = "notater"
DEVIATION_FIELD: Final = "avvik"
NO_DEVIATION: Final = "nei"
NUMBER_FIELDS: Final = (WORKERS_FIELD, CARDS_FIELD, WITHOUT_FIELD)
TEXT_FIELDS: Final = (PLACE_FIELD, PARTICIPANTS_FIELD, NOTES_FIELD)


@dataclass(frozen=True, slots=True)
class OnsiteForm:
    """What the form shows: the contract, and what was entered."""

    reference: str
    title: str
    values: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = None


def _text_input(
    field_id: str, form: OnsiteForm, locale: str | None, limit: int, *, multiline: bool = False
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": field_id,
        "label": text(f"onsite.form.{field_id}", locale),
        "maxLength": limit,
    }
    if multiline:
        element["isMultiline"] = True
    entered = form.values.get(field_id)
    if entered:
        element["value"] = entered[:limit]
    return element


def _number_input(field_id: str, form: OnsiteForm, locale: str | None) -> Element:
    label = text(f"onsite.form.{field_id}", locale)
    element: Element = {
        "type": "Input.Number",
        "id": field_id,
        "label": label,
        "min": 0,
        "max": MAX_WORKERS,
        "isRequired": True,
        "errorMessage": label,
    }
    entered = form.values.get(field_id, "").strip()
    if entered.isdigit() and int(entered) <= MAX_WORKERS:
        element["value"] = int(entered)
    return element


def _choices(
    field_id: str,
    options: list[tuple[str, str]],
    default: str,
    form: OnsiteForm,
    locale: str | None,
) -> Element:
    values = {value for value, _ in options}
    chosen = form.values.get(field_id)
    return {
        "type": "Input.ChoiceSet",
        "id": field_id,
        "label": text(f"onsite.form.{field_id}", locale),
        "style": "compact",
        "value": chosen if chosen in values else default,
        "choices": [{"title": title, "value": value} for value, title in options],
    }


def onsite_form_card(form: OnsiteForm, locale: str | None) -> Card:
    body: list[Element] = [title_block(text("onsite.form.title", locale, reference=form.reference))]
    if form.problem:
        body.append(text_block(form.problem, color="Attention", weight="Bolder"))
    body.append(text_block(clip(form.title), isSubtle=True))
    date_input: Element = {
        "type": "Input.Date",
        "id": DATE_FIELD,
        "label": text("onsite.form.dato", locale),
        "isRequired": True,
        "errorMessage": text("onsite.form.dato", locale),
    }
    entered_date = form.values.get(DATE_FIELD)
    if entered_date:
        date_input["value"] = entered_date[:10]
    body.append(date_input)
    body.append(_text_input(PLACE_FIELD, form, locale, MAX_SHORT))
    body.append(_text_input(PARTICIPANTS_FIELD, form, locale, MAX_SHORT))
    body.extend(_number_input(f, form, locale) for f in NUMBER_FIELDS)
    body.append(
        _choices(
            CREW_FIELD,
            [(c.value, text(f"onsite.crew.{c.value}", locale)) for c in CrewList],
            CrewList.NOT_CHECKED.value,
            form,
            locale,
        )
    )
    body.append(_text_input(NOTES_FIELD, form, locale, MAX_NOTES, multiline=True))
    body.append(
        _choices(
            DEVIATION_FIELD,
            [
                (NO_DEVIATION, text("onsite.form.avvik.nei", locale)),
                *(
                    (s.value, text("onsite.form.avvik.severity", locale, severity=s.value))
                    for s in Severity
                ),
            ],
            NO_DEVIATION,
            form,
            locale,
        )
    )
    body.append(text_block(text("onsite.form.deviation_rule", locale), isSubtle=True, size="Small"))
    body.append(text_block(text("onsite.form.documents", locale), isSubtle=True, size="Small"))
    card = adaptive_card(body, text("onsite.form.fallback", locale, reference=form.reference))
    card["actions"] = [
        {
            "type": "Action.Submit",
            "title": text("onsite.form.submit", locale),
            "data": {FORM_FIELD: FORM_VALUE, CONTRACT_FIELD: form.reference},
        },
        in_chat_action(FORM_VALUE, form.reference, locale),
    ]
    return card


def entered_values(value: Mapping[str, Any]) -> dict[str, str]:
    """The on-site form's inputs (`form_inputs`; its number inputs may come as numbers)."""
    known = {DATE_FIELD, CREW_FIELD, DEVIATION_FIELD, *NUMBER_FIELDS, *TEXT_FIELDS}
    return form_inputs(value, known, MAX_NOTES + 1, numbers=True)


__all__ = [
    "CONTRACT_FIELD",
    "CREW_FIELD",
    "DATE_FIELD",
    "DEVIATION_FIELD",
    "FORM_FIELD",
    "FORM_VALUE",
    "NOTES_FIELD",
    "NO_DEVIATION",
    "NUMBER_FIELDS",
    "PARTICIPANTS_FIELD",
    "PLACE_FIELD",
    "OnsiteForm",
    "entered_values",
    "onsite_form_card",
]
