"""«Last ned som Excel» on an analysis card (`bot.conversation.export_actions`): the button's
data says the card's agreement and period in words `eksport analyse` reads back, and data that
is not the button's is not taken for it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.conversation.export_actions import (
    ANALYSIS_EXPORT_VERB,
    analysis_export_button,
    analysis_export_words,
)
from followup.analysis.reading import parse_period
from tests.card_schema import assert_valid


def test_the_button_asks_for_the_cards_period_in_words_the_export_reads() -> None:
    button = analysis_export_button(
        "Last ned som Excel", "KOM-2026-0042", date(2026, 1, 1), date(2026, 3, 31)
    )
    assert button["type"] == "Action.Submit"
    assert button["data"]["verb"] == ANALYSIS_EXPORT_VERB
    words = analysis_export_words(button["data"])
    assert words is not None
    reference, _, period = words.partition(" ")
    assert reference == "KOM-2026-0042"
    assert parse_period(period) == (date(2026, 1, 1), date(2026, 3, 31))
    assert_valid(
        {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": "Analyse"}],
            "actions": [button],
            "fallbackText": "Analyse",
        }
    )


@pytest.mark.parametrize(
    "data",
    [
        {"verb": ANALYSIS_EXPORT_VERB},
        {"verb": ANALYSIS_EXPORT_VERB, "avtale": 42, "periode": "2026"},
        {"verb": ANALYSIS_EXPORT_VERB, "avtale": "KOM-1", "periode": ["2026"]},
        {"verb": ANALYSIS_EXPORT_VERB, "avtale": " ", "periode": " "},
        {"verb": ANALYSIS_EXPORT_VERB, "avtale": "K" * 200, "periode": "2026"},
    ],
)
def test_data_that_is_not_the_buttons_is_not_read(data: dict[str, Any]) -> None:
    assert analysis_export_words(data) is None
