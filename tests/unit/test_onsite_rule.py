"""The on-site check's rules without a database: what is refused, which deviation category the
findings give, the typed fallback, and the form as a valid Adaptive Card 1.5."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.checks.onsite_cards import OnsiteForm, onsite_form_card
from bot.checks.onsite_commands import parse_typed
from followup.checks.onsite import (
    OnsiteRefusal,
    OnsiteRefused,
    RecordOnsite,
    check_onsite,
    deviation_category,
    summary,
)
from followup.checks.onsite_models import CrewList, OnsiteCheck
from followup.models import DeviationCategory, Severity
from tests.card_schema import schema_errors

TODAY = date(2026, 12, 7)


def _cmd(**changes: object) -> RecordOnsite:
    values: dict[str, object] = {
        "actor_id": "p",
        "reference": "REN-1",
        "checked_on": TODAY,
        "workers": 10,
        "cards_checked": 8,
        "without_card": 1,
    }
    values.update(changes)
    return RecordOnsite(**values)  # type: ignore[arg-type]


def _check(**changes: object) -> OnsiteCheck:
    values: dict[str, object] = {
        "contract_id": "c",
        "number": 1,
        "checked_on": TODAY,
        "workers": 10,
        "cards_checked": 10,
        "without_card": 0,
        "recorded_by_id": "p",
        "recorded_at": datetime(2026, 12, 7, 9, tzinfo=UTC),
    }
    values.update(changes)
    return OnsiteCheck.model_validate(values)


def test_a_complete_check_passes_with_its_texts_cleaned() -> None:
    checked = check_onsite(_cmd(place="  Byfjell skole ", notes="", deviation="høy"), TODAY)
    assert (checked.workers, checked.cards_checked, checked.without_card) == (10, 8, 1)
    assert checked.place == "Byfjell skole"
    assert checked.notes is None
    assert checked.severity is Severity.HIGH


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"checked_on": None}, OnsiteRefusal.DATE_MISSING),
        ({"checked_on": date(2026, 12, 8)}, OnsiteRefusal.DATE_FUTURE),
        ({"checked_on": date(2025, 12, 5)}, OnsiteRefusal.DATE_OLD),
        ({"workers": None}, OnsiteRefusal.NUMBER_MISSING),
        ({"workers": -1}, OnsiteRefusal.NUMBER_INVALID),
        ({"workers": 10_001}, OnsiteRefusal.NUMBER_INVALID),
        ({"cards_checked": 11}, OnsiteRefusal.CARDS_OVER_WORKERS),
        ({"without_card": 9}, OnsiteRefusal.WITHOUT_OVER_CARDS),
        ({"notes": "x" * 4_001}, OnsiteRefusal.TOO_LONG),
        ({"place": "x" * 301}, OnsiteRefusal.TOO_LONG),
        ({"deviation": "enorm"}, OnsiteRefusal.SEVERITY_UNKNOWN),
    ],
)
def test_bad_input_is_refused_with_its_reason(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(OnsiteRefused) as refused:
        check_onsite(_cmd(**changes), TODAY)
    assert refused.value.reason is reason


def test_a_check_a_year_back_is_still_taken() -> None:
    assert check_onsite(_cmd(checked_on=date(2025, 12, 6)), TODAY).checked_on == date(2025, 12, 6)


@pytest.mark.parametrize(
    ("without", "crew", "category"),
    [
        (1, CrewList.MATCHES, DeviationCategory.INTEGRITY),
        (0, CrewList.DIFFERS, DeviationCategory.INTEGRITY),
        (0, CrewList.MATCHES, DeviationCategory.HSE),
        (0, CrewList.NOT_CHECKED, DeviationCategory.HSE),
    ],
)
def test_missing_cards_or_a_wrong_crew_list_is_a_seriousness_deviation(
    without: int, crew: CrewList, category: DeviationCategory
) -> None:
    assert deviation_category(_check(without_card=without, crew_list=crew)) is category


def test_the_summary_says_what_was_found() -> None:
    line = summary(_check(without_card=2, crew_list=CrewList.DIFFERS, place="Skole", notes="Ok"))
    assert line == (
        "Stedlig kontroll 07.12.2026 (Skole): 10 arbeidere, 10 HMS-kort kontrollert, "
        "2 uten gyldig HMS-kort, mannskapslisten stemte ikke. Ok"
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("REN-1", ("REN-1", None)),
        (
            "REN-1 3.12 12 arbeidere, 2 uten HMS-kort",
            (
                "REN-1",
                {
                    "dato": "3.12",
                    "arbeidere": "12",
                    "hms_kort_kontrollert": "12",
                    "uten_hms_kort": "2",
                },
            ),
        ),
        (
            "REN-1 i går 5 arbeidere, ingen uten gyldig HMS-kort, avvik høy",
            (
                "REN-1",
                {
                    "dato": "i går",
                    "arbeidere": "5",
                    "hms_kort_kontrollert": "5",
                    "uten_hms_kort": "0",
                    "avvik": "høy",
                },
            ),
        ),
        ("REN-1 7 arbeidere", ("REN-1", {})),
        ("REN-1 mange folk", ("REN-1", {})),
    ],
)
def test_the_typed_fallback(typed: str, expected: tuple[str, dict[str, str] | None]) -> None:
    assert parse_typed(typed) == expected


@pytest.mark.parametrize("locale", ["nb-NO", "en-US"])
def test_the_form_is_a_valid_adaptive_card_empty_and_refilled(locale: str) -> None:
    assert schema_errors(onsite_form_card(OnsiteForm("REN-1", "Renhold"), locale)) == []
    refilled = OnsiteForm(
        "REN-1",
        "Renhold",
        values={"dato": "2026-12-01", "arbeidere": "12", "avvik": "høy", "notater": "Notat"},
        problem="Fyll inn antall arbeidere.",
    )
    card = onsite_form_card(refilled, locale)
    assert schema_errors(card) == []
    shown = str(card)
    assert "Fyll inn antall arbeidere." in shown
    assert "'value': 12" in shown
    assert "'value': 'høy'" in shown
