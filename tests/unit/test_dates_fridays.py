"""Dates said on a Friday: deadlines with `innen`, time spans, parts of a week, the weekend,
the same date another year, and the days around Christmas and New Year.

The table is tests/data/date_phrases_fridays.tsv; each row says what `read_date` (or, for a
period, `read_period`) must give, or that the phrase is ambiguous and must be asked back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from followup.calendar.workdays import OSLO
from followup.dates import DateRule, Prefer, read_date, read_date_range, read_period

ROOT = Path(__file__).resolve().parents[2]
PHRASES = ROOT / "tests" / "data" / "date_phrases_fridays.tsv"
KINDS = {"date", "ambiguous", "none", "period"}

FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=OSLO)


@dataclass(frozen=True)
class Row:
    now: datetime
    text: str
    kind: str
    expected: tuple[date, ...]

    @property
    def id(self) -> str:
        return f"{self.now:%Y-%m-%d}:{self.kind}:{self.text!r}"


def _row(line: str) -> Row:
    now, text, kind, expected = line.split("\t")
    assert kind in KINDS, line
    if expected == "-":
        days: tuple[date, ...] = ()
    else:
        separator = ".." if kind == "period" else ","
        days = tuple(date.fromisoformat(day) for day in expected.split(separator))
    return Row(datetime.fromisoformat(now), text, kind, days)


def load_rows() -> list[Row]:
    lines = PHRASES.read_text(encoding="utf-8").splitlines()
    return [_row(line) for line in lines if line and not line.startswith(("#", "now\t"))]


TABLE = load_rows()


def test_the_table_is_large_and_consistent() -> None:
    assert len(TABLE) >= 120
    assert sum(row.now.weekday() == 4 for row in TABLE) >= 120  # said on a Friday
    for row in TABLE:
        expected_count = {"date": 1, "none": 0, "period": 2}.get(row.kind)
        if expected_count is None:
            assert len(row.expected) >= 2, row
        else:
            assert len(row.expected) == expected_count, row


def _dates_table() -> list[Row]:
    return [row for row in TABLE if row.kind != "period"]


@pytest.mark.parametrize("row", _dates_table(), ids=lambda r: r.id)
def test_read_date(row: Row) -> None:
    reading = read_date(row.text, row.now)
    assert reading.readings == row.expected
    assert reading.ambiguous == (row.kind == "ambiguous")
    assert reading.date == (row.expected[0] if row.kind == "date" else None)


@pytest.mark.parametrize("row", [row for row in TABLE if row.kind == "period"], ids=lambda r: r.id)
def test_read_period(row: Row) -> None:
    halves = read_period(row.text, row.now)
    assert halves is not None
    assert (halves[0].date, halves[1].date) == row.expected


def test_no_phrase_of_the_table_needs_dateparser() -> None:
    by_dateparser = [
        row.text
        for row in _dates_table()
        if read_date(row.text, row.now).rule is DateRule.DATEPARSER
    ]
    assert by_dateparser == []


# --- choices the table does not show on its own ----------------------------------------------


def test_innen_names_the_end_but_a_bare_week_its_monday() -> None:
    assert read_date("neste uke", FRIDAY).date == date(2026, 12, 7)
    assert read_date("til neste uke", FRIDAY).date == date(2026, 12, 7)
    assert read_date("uke 51", FRIDAY).date == date(2026, 12, 14)
    assert read_date("innen uke 51", FRIDAY).date == date(2026, 12, 18)
    # a month without `innen` stays unread: "i mars" says no day
    assert read_date("i mars", FRIDAY).readings == ()


def test_a_vague_span_is_asked_back_not_guessed() -> None:
    reading = read_date("om et par dager", FRIDAY)
    assert reading.date is None
    assert reading.rule is DateRule.VAGUE


def test_the_weekend_days_are_a_period_when_a_period_is_asked() -> None:
    halves = read_date_range("over helga", FRIDAY)
    assert halves is None  # "over helga" is the Monday after, not the weekend itself
    halves = read_date_range("i helgen", FRIDAY)
    assert halves is not None
    assert (halves[0].date, halves[1].date) == (date(2026, 12, 5), date(2026, 12, 6))


def test_romjula_looked_back_on_is_last_years() -> None:
    halves = read_period("romjula", FRIDAY, prefer="past")
    assert halves is not None
    assert (halves[0].date, halves[1].date) == (date(2025, 12, 27), date(2025, 12, 30))


def test_a_weekday_om_en_uke_said_on_that_weekday_is_a_week_from_today() -> None:
    # "fredag" said on a Friday is the Friday after; "fredag om en uke" is a week from today,
    # as "i dag om en uke"; on a Wednesday it is the Friday after the coming one.
    assert read_date("fredag", FRIDAY).date == date(2026, 12, 11)
    assert read_date("fredag om en uke", FRIDAY).date == date(2026, 12, 11)
    assert read_date("fredag om en uke", FRIDAY - timedelta(days=2)).date == date(2026, 12, 11)
    assert read_date("fredag uka etter", FRIDAY).date == date(2026, 12, 18)
    # an ambiguous anchor stays ambiguous, shifted
    assert read_date("neste lørdag om en uke", FRIDAY).readings == (
        date(2026, 12, 12),
        date(2026, 12, 19),
    )


def test_same_date_on_29_february_falls_back_to_28() -> None:
    leap_day = datetime(2028, 2, 29, 10, 0, tzinfo=OSLO)
    assert read_date("samme dato neste år", leap_day).date == date(2029, 2, 28)
    assert read_date("samme dato i fjor", leap_day).date == date(2027, 2, 28)


def test_for_nyttar_keeps_the_day_before_new_years_eve() -> None:
    # `før/til nyttår` (before New Year's Eve, as `til jul`) are unchanged; `innen nyttår` 31.12
    assert read_date("før nyttår", FRIDAY).date == date(2026, 12, 30)
    assert read_date("til nyttår", FRIDAY).date == date(2026, 12, 30)
    assert read_date("innen nyttår", FRIDAY).date == date(2026, 12, 31)


def test_prefer_past_reads_the_new_phrases_backwards() -> None:
    assert read_date("før helga", FRIDAY, prefer="past").date == date(2026, 11, 27)
    assert read_date("slutten av uka", FRIDAY, prefer="past").date == date(2026, 12, 4)
    assert read_date("starten av uka", FRIDAY, prefer="past").date == date(2026, 11, 30)
    assert read_date("romjula", FRIDAY, prefer="past").readings == (
        date(2025, 12, 27),
        date(2025, 12, 28),
        date(2025, 12, 29),
        date(2025, 12, 30),
    )


@pytest.mark.parametrize(
    "now",
    [datetime(1, 1, 2, 12, 0, tzinfo=OSLO), datetime(9999, 12, 30, 12, 0, tzinfo=OSLO)],
    ids=["year-1", "year-9999"],
)
def test_the_ends_of_the_calendar_never_raise(now: datetime) -> None:
    prefers: tuple[Prefer | None, ...] = (None, "past")
    for row in TABLE:
        for prefer in prefers:
            reading = read_date(row.text, now, prefer=prefer)
            assert reading.date is None or reading.readings == (reading.date,)
            read_period(row.text, now, prefer=prefer)
