"""The code people see and type for a deviation (`followup.deviations.codes`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from followup.deviations.codes import code_year, format_code, parse_code, shown_code
from followup.models import Deviation, DeviationCategory, Severity


def test_a_code_has_the_year_and_at_least_four_digits() -> None:
    assert format_code(2026, 42) == "AV-2026-0042"
    assert format_code(2026, 12345) == "AV-2026-12345"


@pytest.mark.parametrize(
    "typed",
    ["AV-2026-0042", "av-2026-42", "#AV-2026-0042", " AV 2026 0042 ", "av2026-042", "AV/2026/42"],
)
def test_typed_codes_are_read_as_stored(typed: str) -> None:
    assert parse_code(typed) == "AV-2026-0042"


@pytest.mark.parametrize(
    "typed", ["", "AV-2026", "AV-26-0042", "KOM-2026-0042", "AV-2026-0000", "3f9c2b1a", "AV-2026-x"]
)
def test_what_is_not_a_code(typed: str) -> None:
    assert parse_code(typed) is None


def test_the_year_is_the_year_in_oslo() -> None:
    assert code_year(datetime(2026, 12, 31, 22, 59, tzinfo=UTC)) == 2026
    assert code_year(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == 2027


def test_a_deviation_without_a_code_shows_the_end_of_its_id() -> None:
    deviation = Deviation(
        id="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        contract_id="c",
        category=DeviationCategory.DELAY,
        severity=Severity.LOW,
        occurred_on=date(2026, 1, 1),
        description="x",
        reported_by_id="p",
        reported_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert shown_code(deviation) == "2e3f4a5b"
    assert shown_code(deviation.model_copy(update={"code": "AV-2026-0001"})) == "AV-2026-0001"
