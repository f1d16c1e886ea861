"""The supplier evaluation in the chat without a database: the scoring rule, the typed
fallback's reading, and the form, the refilled form and the result card (Adaptive Card 1.5,
both languages)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.checks.evaluation_cards import (
    EvaluationForm,
    entered_values,
    evaluation_form_card,
    evaluation_result_card,
)
from bot.checks.evaluation_commands import parse_typed
from bot.conversation.export_actions import EVALUATION_LETTER_VERB, evaluation_letter_reference
from followup.checks.evaluation import EvaluationRefused, read_scores
from followup.checks.evaluation_models import (
    EVALUATION_SCALE,
    EvaluationHeading,
    HeadingScore,
    SupplierEvaluation,
)
from tests.card_schema import schema_errors

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_every_heading_needs_a_score_on_the_scale_and_a_low_one_a_comment() -> None:
    good = dict.fromkeys(EvaluationHeading, (3, None))
    scores = read_scores(good)
    assert [s.heading for s in scores] == list(EvaluationHeading)
    assert EVALUATION_SCALE == (1, 2, 3, 4, 5)
    low = {**good, EvaluationHeading.DELIVERY: (2, "  Forsinket  to ganger ")}
    assert read_scores(low)[0].comment == "Forsinket to ganger"
    for bad, code in (
        ({**good, EvaluationHeading.DELIVERY: (2, None)}, "evaluation.comment_missing"),
        ({**good, EvaluationHeading.DELIVERY: (0, "x")}, "evaluation.score_invalid"),
        ({**good, EvaluationHeading.DELIVERY: (None, "x")}, "evaluation.score_missing"),
    ):
        with pytest.raises(EvaluationRefused) as refused:
            read_scores(bad)
        assert refused.value.code == code
        assert refused.value.values["heading"] == "leveringssikkerhet"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", ("", None, None)),
        ("KOM-1", ("KOM-1", None, None)),
        ("«KOM-1» 4 4 3 5 4 4", ("KOM-1", [4, 4, 3, 5, 4, 4], None)),
        ("KOM-1 4 4 3 5 4 4 God  leveranse", ("KOM-1", [4, 4, 3, 5, 4, 4], "God leveranse")),
        ("KOM-1 4 x", ("KOM-1", [4, None], None)),
        ("KOM-1 44 4", ("KOM-1", [None, 4], None)),
    ],
)
def test_the_typed_fallback_is_read_in_the_forms_order(
    typed: str, expected: tuple[str, list[int | None] | None, str | None]
) -> None:
    assert parse_typed(typed) == expected


@pytest.mark.parametrize("locale", ["nb-NO", "en-US"])
def test_the_form_and_the_result_are_valid_cards(locale: str) -> None:
    empty = evaluation_form_card(
        EvaluationForm("KOM-1", "Renhold", "Fjordbygg AS", "Ikke evaluert før."), locale
    )
    assert schema_errors(empty) == []
    submit, in_chat = empty["actions"]
    assert submit["data"] == {"handling": "leverandorevaluering", "avtale": "KOM-1"}
    # «Svar i chatten» asks the same form in the chat; it sends none of the inputs.
    assert in_chat["data"] == {
        "handling": "leverandorevaluering",
        "avtale": "KOM-1",
        "steg": "chat",
    }
    assert in_chat["associatedInputs"] == "none"

    refilled = evaluation_form_card(
        EvaluationForm(
            "KOM-1",
            "Renhold",
            "Fjordbygg AS",
            "",
            values={"karakter_samarbeid": "2", "kommentar_samlet": "<b>ok</b>"},
            problem="Skriv en kommentar til «Samarbeid».",
        ),
        locale,
    )
    assert schema_errors(refilled) == []
    shown = json.dumps(refilled, ensure_ascii=False)
    assert '"value": "2"' in shown
    assert "<b>ok</b>" in shown
    assert refilled["body"][1]["color"] == "Attention"

    evaluation = SupplierEvaluation(
        contract_id="c",
        version=1,
        evaluated_by_id="p",
        evaluated_at=NOW,
        scores=[HeadingScore(heading=h, score=4) for h in EvaluationHeading],
    )
    result = evaluation_result_card("KOM-1", evaluation, ["Lagret."], locale)
    assert schema_errors(result) == []
    (letter,) = result["actions"]
    assert letter["data"]["verb"] == EVALUATION_LETTER_VERB
    assert evaluation_letter_reference(letter["data"]) == "KOM-1"


def test_only_the_forms_own_inputs_come_back() -> None:
    entered = entered_values(
        {
            "karakter_samlet": "4",
            "kommentar_samlet": " ",
            "handling": "x",
            "annet": "y",
            "karakter_kvalitet": 3,
        }
    )
    assert entered == {"karakter_samlet": "4"}
