"""A button on one room's card that asks another room for an export: «Last ned som Excel» on
an agreement's analysis card (`bot.analysis.cards`) makes the same workbook as typing
`eksport analyse <avtalenr> <periode>` (`bot.exports.analysis_export`).

It is an `Action.Submit` whose data holds the verb, the agreement and the card's period as
dates (the period the card shows, also when none was typed): a message with a value, answered
with a message like the typed command's, so the file consent card (Teams) or the download link
(the dev chat) comes as a reply of its own. The data never decides what may be seen: the
export checks the asker's access again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from bot.conversation.cards import Element, clip

ANALYSIS_EXPORT_VERB: Final = "exportAnalysis"
EVALUATION_LETTER_VERB: Final = "evaluationLetter"
"""«Lag brev til leverandøren» on a supplier evaluation's card (`bot.checks`): the letter
(`bot.exports.evaluation_letter`), as typing `evaluer <avtalenr> brev`."""
VERB_KEY: Final = "verb"
REFERENCE_KEY: Final = "avtale"
PERIOD_KEY: Final = "periode"
MAX_WORDS: Final = 160


def analysis_export_button(title: str, reference: str, start: date, end: date) -> Element:
    """The button: `Action.Submit` with the verb, the agreement and the period."""
    return {
        "type": "Action.Submit",
        "title": clip(title, 60),
        "data": {
            VERB_KEY: ANALYSIS_EXPORT_VERB,
            REFERENCE_KEY: reference,
            PERIOD_KEY: f"{start:%d.%m.%Y}-{end:%d.%m.%Y}",
        },
    }


def analysis_export_words(value: Mapping[str, Any]) -> str | None:
    """What a press asks for, as typed after `eksport analyse` (`KOM-2025-0147
    01.01.2026-31.03.2026`); None when the data is not the button's."""
    reference, period = value.get(REFERENCE_KEY), value.get(PERIOD_KEY)
    if not isinstance(reference, str) or not isinstance(period, str):
        return None
    words = f"{reference.strip()} {period.strip()}".strip()
    return words if 0 < len(words) <= MAX_WORDS else None


def evaluation_letter_button(title: str, reference: str) -> Element:
    """The letter button: `Action.Submit` with the verb and the contract."""
    return {
        "type": "Action.Submit",
        "title": clip(title, 60),
        "data": {VERB_KEY: EVALUATION_LETTER_VERB, REFERENCE_KEY: reference},
    }


def evaluation_letter_reference(value: Mapping[str, Any]) -> str | None:
    """The contract a letter button names; None when the data is not the button's."""
    reference = value.get(REFERENCE_KEY)
    if not isinstance(reference, str) or not 0 < len(reference.strip()) <= MAX_WORDS:
        return None
    return reference.strip()


__all__ = [
    "ANALYSIS_EXPORT_VERB",
    "EVALUATION_LETTER_VERB",
    "VERB_KEY",
    "analysis_export_button",
    "analysis_export_words",
    "evaluation_letter_button",
    "evaluation_letter_reference",
]
