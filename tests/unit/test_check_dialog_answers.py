"""What the structured checks' dialogs read from a typed answer (bot/checks/dialogs.py): the
words people type instead of pressing a button, and what is asked again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.checks.dialogs import evaluation_dialog, onsite_dialog, risk_dialog, risk_suggestion
from bot.conversation.dialog_question import NotAnswered
from bot.conversation.form_dialog import FormSpec, FormStep
from followup.models import RiskLevel

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NB = "nb-NO"


def _step(spec: FormSpec, name: str) -> FormStep:
    return next(s for s in spec.steps if s.name == name)


def _read(spec: FormSpec, name: str, answer: str, **values: str) -> dict[str, str]:
    return _step(spec, name).read(answer, values, NB)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("3 2", ("3", "2")),
        ("3,2", ("3", "2")),
        ("3 og 4", ("3", "4")),
        ("1/1", ("1", "1")),
        ("4x4", ("4", "4")),
    ],
)
def test_two_scores_in_any_common_form(answer: str, expected: tuple[str, str]) -> None:
    read = _read(risk_dialog(), "hms", answer)
    assert (read["konsekvens_hms"], read["sannsynlighet_hms"]) == expected


@pytest.mark.parametrize("answer", ["5 1", "3", "høy", "0 2", "3 2 1"])
def test_scores_off_the_scale_or_incomplete_are_asked_again(answer: str) -> None:
    with pytest.raises(NotAnswered, match="to tall fra 1 til 4"):
        _read(risk_dialog(), "hms", answer)


def test_the_level_step_reads_the_suggestion_and_a_level_equal_to_it() -> None:
    spec = risk_dialog()
    scores = {f"konsekvens_{a}": "3" for a in ("leveranse", "pris", "arbeidsvilkar")}
    scores |= {f"konsekvens_{a}": "1" for a in ("hms", "leverandorkjede", "omdomme")}
    scores |= {k.replace("konsekvens", "sannsynlighet"): "3" for k in list(scores)}
    assert risk_suggestion(scores) is RiskLevel.HIGH
    assert _read(spec, "niva", "Bruk forslaget", **scores)["niva"] == "forslag"
    assert _read(spec, "niva", "høy", **scores)["niva"] == "forslag"
    assert _read(spec, "niva", "Middels", **scores) == {"niva": "middels"}
    with pytest.raises(NotAnswered):
        _read(spec, "niva", "veldig høy", **scores)
    # Without all six areas there is no suggestion to use.
    with pytest.raises(NotAnswered, match="ikke noe forslag"):
        _read(spec, "niva", "forslaget")


@pytest.mark.parametrize(
    ("answer", "crew"),
    [
        ("stemte ikke", "nei"),
        ("Nei, den stemte ikke", "nei"),
        ("ja, den stemte", "ja"),
        ("Ja", "ja"),
        ("ikke sjekket", "ikke_kontrollert"),
        ("Ikke kontrollert", "ikke_kontrollert"),
    ],
)
def test_the_crew_list_in_words(answer: str, crew: str) -> None:
    assert _read(onsite_dialog(lambda: NOW), "mannskapsliste", answer) == {"mannskapsliste": crew}


@pytest.mark.parametrize(
    ("answer", "deviation"),
    [
        ("nei", "nei"),
        ("Nei, ikke noe avvik", "nei"),
        ("ja, middels", "middels"),
        ("Ja, alvorlighetsgrad høy", "høy"),
        ("kritisk avvik", "kritisk"),
    ],
)
def test_the_deviation_in_words(answer: str, deviation: str) -> None:
    assert _read(onsite_dialog(lambda: NOW), "avvik", answer) == {"avvik": deviation}


@pytest.mark.parametrize("answer", ["3", "tja"])
def test_a_deviation_answer_that_says_nothing_is_asked_again(answer: str) -> None:
    with pytest.raises(NotAnswered):
        _read(onsite_dialog(lambda: NOW), "avvik", answer)


def test_counts_keep_their_order_workers_cards_without() -> None:
    spec = onsite_dialog(lambda: NOW)
    assert _read(spec, "hms_kort", "alle", arbeidere="9") == {"hms_kort_kontrollert": "9"}
    with pytest.raises(NotAnswered, match=r"arbeidere på stedet \(9\)"):
        _read(spec, "hms_kort", "10", arbeidere="9")
    assert _read(spec, "uten_hms_kort", "ingen", hms_kort_kontrollert="9") == {"uten_hms_kort": "0"}
    with pytest.raises(NotAnswered, match="helt tall"):
        _read(spec, "arbeidere", "mange")


def test_the_check_day_is_read_in_norwegian_and_not_in_the_future() -> None:
    spec = onsite_dialog(lambda: NOW)
    assert _read(spec, "dato", "i går") == {"dato": "2026-11-22"}
    assert _read(spec, "dato", "20.11") == {"dato": "2026-11-20"}
    with pytest.raises(NotAnswered):
        _read(spec, "dato", "i morgen")


@pytest.mark.parametrize(
    ("answer", "score", "comment"),
    [
        ("4", "4", ""),
        ("4 leverte til avtalt tid", "4", "leverte til avtalt tid"),
        ("3: to feil", "3", "to feil"),
        ("5 – svært godt", "5", "svært godt"),
    ],
)
def test_an_evaluation_score_with_or_without_a_comment(
    answer: str, score: str, comment: str
) -> None:
    read = _read(evaluation_dialog(), "samarbeid", answer)
    assert read == {"karakter_samarbeid": score, "kommentar_samarbeid": comment}


@pytest.mark.parametrize("answer", ["seks", "6 bra", "0"])
def test_an_evaluation_without_a_score_from_1_to_5_is_asked_again(answer: str) -> None:
    with pytest.raises(NotAnswered, match="karakter fra 1 til 5"):
        _read(evaluation_dialog(), "samarbeid", answer)
