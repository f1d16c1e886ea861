"""Dates typed in Norwegian: the phrase table, ambiguity, ranges, hostile input and the CLI."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.cli.dates import run_dates
from followup.calendar.workdays import OSLO, WorkingCalendar
from followup.dates import DateReading, DateRule, read_date, read_date_range

ROOT = Path(__file__).resolve().parents[2]
PHRASES = ROOT / "tests" / "data" / "date_phrases.tsv"

FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=OSLO)
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=OSLO)
WEDNESDAY = datetime(2026, 11, 18, 9, 0, tzinfo=OSLO)
YEAR_END = datetime(2026, 12, 28, 10, 0, tzinfo=OSLO)


@dataclass(frozen=True)
class Phrase:
    now: datetime
    text: str
    expected: date | None
    ambiguous: bool
    readings: tuple[date, ...]

    @property
    def id(self) -> str:
        return f"{self.now:%Y-%m-%d}:{self.text!r}"


def _dates(field: str) -> tuple[date, ...]:
    return () if field == "-" else tuple(date.fromisoformat(d) for d in field.split(","))


def load_phrases() -> list[Phrase]:
    phrases = []
    lines = PHRASES.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if line.startswith(("#", "now\t")):
            continue
        now, text, expected, kind, readings = line.split("\t")
        assert kind in {"clear", "ambiguous"}, line
        phrases.append(
            Phrase(
                now=datetime.fromisoformat(now),
                text=text,
                expected=None if expected == "-" else date.fromisoformat(expected),
                ambiguous=kind == "ambiguous",
                readings=_dates(readings),
            )
        )
    return phrases


TABLE = load_phrases()


def test_the_table_is_large_and_consistent() -> None:
    assert len(TABLE) >= 100
    for phrase in TABLE:
        if phrase.ambiguous:
            assert phrase.expected is None, phrase
            assert len(phrase.readings) >= 2, phrase
        elif phrase.expected is None:
            assert phrase.readings == (), phrase
        else:
            assert phrase.readings == (phrase.expected,), phrase


@pytest.mark.parametrize("phrase", TABLE, ids=lambda p: p.id)
def test_phrase_table(phrase: Phrase) -> None:
    reading = read_date(phrase.text, phrase.now)
    assert reading.date == phrase.expected
    assert reading.ambiguous == phrase.ambiguous
    assert reading.readings == phrase.readings
    assert reading.text == phrase.text


def test_the_hot_path_rarely_needs_dateparser() -> None:
    by_dateparser = [p.text for p in TABLE if read_date(p.text, p.now).rule is DateRule.DATEPARSER]
    assert len(by_dateparser) <= len(TABLE) // 20, by_dateparser


# --- the reading itself ----------------------------------------------------------------------


def test_a_clear_reading() -> None:
    reading = read_date("3/12", FRIDAY)
    assert reading == DateReading(
        text="3/12",
        date=date(2026, 12, 3),
        ambiguous=False,
        readings=(date(2026, 12, 3),),
        rule=DateRule.NUMERIC,
    )
    assert reading.understood


def test_an_ambiguous_reading_has_no_single_date() -> None:
    reading = read_date("forrige mandag", FRIDAY)
    assert reading.date is None
    assert reading.ambiguous
    assert reading.understood
    assert reading.readings == (date(2026, 11, 16), date(2026, 11, 9))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("31.02", DateRule.INVALID_DATE),
        ("uke 54", DateRule.INVALID_DATE),
        ("", DateRule.EMPTY),
        ("   ", DateRule.EMPTY),
        ("blå", DateRule.NOT_UNDERSTOOD),
        ("1.12 til 15.12", DateRule.RANGE),
        ("x" * 201, DateRule.TOO_LONG),
    ],
)
def test_why_a_phrase_is_not_understood(text: str, rule: DateRule) -> None:
    reading = read_date(text, FRIDAY)
    assert (reading.date, reading.ambiguous, reading.readings, reading.rule) == (
        None,
        False,
        (),
        rule,
    )
    assert not reading.understood


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("i morgen", DateRule.RELATIVE_DAY),
        ("om 3 dager", DateRule.OFFSET),
        ("om 10 virkedager", DateRule.WORKING_DAYS),
        ("mandag", DateRule.WEEKDAY),
        ("fredag 4.12", DateRule.WEEKDAY_DATE),
        ("2026-12-03", DateRule.ISO),
        ("3. des", DateRule.DAY_MONTH),
        ("den 15.", DateRule.DAY_OF_MONTH),
        ("uke 12", DateRule.ISO_WEEK),
        ("ultimo januar", DateRule.MONTH_PART),
        ("første mandag i måneden", DateRule.NTH_IN_MONTH),
        ("1. tertial", DateRule.PERIOD_END),
        ("før påske", DateRule.HOLIDAY),
        ("første virkedag etter 17. mai", DateRule.RELATIVE_TO),
        ("desember 3", DateRule.DATEPARSER),
    ],
)
def test_the_rule_is_named(text: str, rule: DateRule) -> None:
    assert read_date(text, FRIDAY).rule is rule


# --- choices documented in the module docstring ----------------------------------------------


def test_a_bare_weekday_said_on_that_weekday_is_a_week_ahead() -> None:
    assert read_date("mandag", MONDAY).date == date(2026, 11, 30)
    assert read_date("på mandag", MONDAY).date == date(2026, 11, 30)


def test_neste_weekend_day_is_clear_when_both_readings_coincide() -> None:
    sunday = datetime(2026, 11, 22, 12, 0, tzinfo=OSLO)
    assert read_date("neste lørdag", sunday).date == date(2026, 11, 28)
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=OSLO)
    assert read_date("neste søndag", saturday).readings == (
        date(2026, 11, 22),
        date(2026, 11, 29),
    )


def test_prefer_past_reads_open_phrases_backwards() -> None:
    assert read_date("mandag", FRIDAY, prefer="past").date == date(2026, 11, 16)
    assert read_date("3.12", FRIDAY, prefer="past").date == date(2025, 12, 3)
    assert read_date("20.11", FRIDAY, prefer="past").date == date(2026, 11, 20)
    assert read_date("uke 50", FRIDAY, prefer="past").date == date(2025, 12, 8)
    assert read_date("ultimo januar", FRIDAY, prefer="past").date == date(2026, 1, 31)
    # phrases that say their direction themselves are read as they say
    assert read_date("neste fredag", FRIDAY, prefer="past").date == date(2026, 11, 27)
    assert read_date("om 3 dager", FRIDAY, prefer="past").date == date(2026, 11, 23)
    assert read_date("mandag", FRIDAY, prefer="future").date == date(2026, 11, 23)


def test_past_tense_words_read_a_date_without_year_backwards() -> None:
    assert read_date("levert 3.12", FRIDAY).date == date(2025, 12, 3)
    assert read_date("fristen var 1.11", FRIDAY).date == date(2026, 11, 1)
    assert read_date("ble sendt fredag", FRIDAY).date == date(2026, 11, 13)


def test_uke_53_in_a_year_without_one_is_not_understood() -> None:
    reading = read_date("uke 53", datetime(2027, 3, 1, 9, 0, tzinfo=OSLO))
    assert reading.readings == ()
    assert reading.rule is DateRule.INVALID_DATE
    assert read_date("uke 53 2026", FRIDAY).date == date(2026, 12, 28)


def test_working_days_use_the_calendar_given() -> None:
    closed = WorkingCalendar(extra_days_off=frozenset({date(2026, 11, 23)}))
    assert read_date("neste virkedag", FRIDAY).date == date(2026, 11, 23)
    assert read_date("neste virkedag", FRIDAY, calendar=closed).date == date(2026, 11, 24)


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        read_date("i dag", datetime(2026, 11, 20, 10, 0))  # noqa: DTZ001


def test_dateparser_junk_far_from_today_is_rejected() -> None:
    assert read_date("1900", FRIDAY).readings == ()
    assert read_date("i januar", FRIDAY).readings == ()
    # an explicit year typed by the user is kept; callers validate ranges
    assert read_date("01.01.1990", FRIDAY).date == date(1990, 1, 1)


# --- ranges ----------------------------------------------------------------------------------


def _range(text: str, now: datetime) -> tuple[date | None, date | None] | None:
    found = read_date_range(text, now)
    return None if found is None else (found[0].date, found[1].date)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("fra 20.12 til 3.1", FRIDAY, (date(2026, 12, 20), date(2027, 1, 3))),
        ("fra 1.12 til 15.12", FRIDAY, (date(2026, 12, 1), date(2026, 12, 15))),
        ("1.12–15.12", FRIDAY, (date(2026, 12, 1), date(2026, 12, 15))),
        ("1.12 - 15.12", FRIDAY, (date(2026, 12, 1), date(2026, 12, 15))),
        ("1.12-15.12", FRIDAY, (date(2026, 12, 1), date(2026, 12, 15))),
        ("2026-12-01-2026-12-15", FRIDAY, (date(2026, 12, 1), date(2026, 12, 15))),
        ("1.–5. desember", FRIDAY, (date(2026, 12, 1), date(2026, 12, 5))),
        ("mellom 1. og 5. desember", FRIDAY, (date(2026, 12, 1), date(2026, 12, 5))),
        ("fra og med 28. til og med 3. januar", FRIDAY, (date(2026, 12, 28), date(2027, 1, 3))),
        ("fra mandag til fredag", WEDNESDAY, (date(2026, 11, 23), date(2026, 11, 27))),
        ("uke 12 - uke 14", FRIDAY, (date(2027, 3, 22), date(2027, 4, 5))),
        ("fra i dag til i morgen", FRIDAY, (date(2026, 11, 20), date(2026, 11, 21))),
        # a range that has already begun needs its year: the start is the next 20.12
        ("fra 20.12 til 3.1", YEAR_END, (date(2027, 12, 20), date(2028, 1, 3))),
        ("fra 20.12.2026 til 3.1", YEAR_END, (date(2026, 12, 20), date(2027, 1, 3))),
        ("fra blå til 3.1", FRIDAY, (None, date(2027, 1, 3))),
    ],
)
def test_ranges(text: str, now: datetime, expected: tuple[date | None, date | None]) -> None:
    assert _range(text, now) == expected


@pytest.mark.parametrize("text", ["3/12-26", "2026-12-03", "fredag", "blå", "", "x" * 500])
def test_not_a_range(text: str) -> None:
    assert read_date_range(text, FRIDAY) is None


# --- hostile input ---------------------------------------------------------------------------


HOSTILE = [
    "x" * 5000,
    "3.12 " * 60,
    "\x00",
    "\x00\x01\x02 3.12",
    "\ud800",
    "\u202e21.3\u202c",
    "🙂",
    "𝟑.𝟏𝟐",
    "<script>alert('i morgen')</script>",
    "{{7*7}}",
    "%s%s%s%n",
    "../../etc/passwd",
    "\n\n\n",
    "om 999 år",
    "om 999 virkedager",
    "for 999 år siden",
    "uke 99",
    "99.99",
    "00.00.0000",
    "31.12.9999",
    "1.1.0000",
    "om 999 måneder",
    "q9",
    "5. tertial",
    "første virkedag etter første virkedag etter 17. mai",
    "dagen før blå",
    "fra til",
    " - ",
    "–",
    "mellom og",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_input_never_raises(text: str) -> None:
    reading = read_date(text, FRIDAY)
    assert reading.text == text
    assert reading.ambiguous == (len(reading.readings) > 1)
    assert reading.date is None or reading.readings == (reading.date,)
    read_date_range(text, FRIDAY)


@pytest.mark.parametrize(
    "now",
    [datetime(1, 1, 2, 12, 0, tzinfo=OSLO), datetime(9999, 12, 30, 12, 0, tzinfo=OSLO)],
    ids=["year-1", "year-9999"],
)
def test_the_ends_of_the_calendar_never_raise(now: datetime) -> None:
    for phrase in TABLE:
        read_date(phrase.text, now)
        read_date(phrase.text, now, prefer="past")
        read_date_range(phrase.text, now)
    assert read_date("i overmorgen", now).readings in {(), (date(1, 1, 4),)}


def test_random_junk_never_raises() -> None:
    pieces = [
        "3", "12", "31", ".", "/", "-", " ", "–", "mandag", "neste", "forrige", "uke", "om",
        "dager", "virkedager", "i", "morgen", "før", "jul", "påske", "tertial", "q", "ultimo",
        "januar", "des", "fra", "til", "og", "den", "første", "siste", "år", "siden", "for",
        "kl", ":", "2026", "ø", "\x00", "🙂", "1.", "mellom", "dagen", "etter",
    ]  # fmt: skip
    rng = random.Random(20261120)
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        reading = read_date(text, FRIDAY)
        assert reading.date is None or reading.readings == (reading.date,)
        read_date_range(text, FRIDAY)


# --- the CLI ---------------------------------------------------------------------------------


def test_run_dates_writes_one_json_object_per_line() -> None:
    stdin = io.StringIO("3/12\nforrige mandag\n\nblå\nsankthansaften\nom et par dager\n")
    stdout = io.StringIO()
    assert run_dates("2026-11-20T10:00:00+01:00", stdin, stdout) == 0
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert lines == [
        {
            "text": "3/12",
            "date": "2026-12-03",
            "ambiguous": False,
            "readings": ["2026-12-03"],
            "rule": "numeric",
        },
        {
            "text": "forrige mandag",
            "date": None,
            "ambiguous": True,
            "readings": ["2026-11-16", "2026-11-09"],
            "rule": "weekday",
        },
        {"text": "", "date": None, "ambiguous": False, "readings": [], "rule": "empty"},
        {"text": "blå", "date": None, "ambiguous": False, "readings": [], "rule": "not_understood"},
        {
            "text": "sankthansaften",
            "date": "2027-06-23",
            "ambiguous": False,
            "readings": ["2027-06-23"],
            "rule": "holiday",
        },
        {
            "text": "om et par dager",
            "date": None,
            "ambiguous": True,
            "readings": ["2026-11-22", "2026-11-23"],
            "rule": "vague",
        },
    ]
    assert "blå" in stdout.getvalue()  # ensure_ascii=False


def test_run_dates_takes_a_naive_now_as_oslo_time() -> None:
    stdout = io.StringIO()
    assert run_dates("2026-11-20T23:30:00", io.StringIO("i dag\n"), stdout) == 0
    assert json.loads(stdout.getvalue())["date"] == "2026-11-20"
    stdout = io.StringIO()
    assert run_dates("2026-11-20T23:30:00Z", io.StringIO("i dag\n"), stdout) == 0
    assert json.loads(stdout.getvalue())["date"] == "2026-11-21"


def test_run_dates_rejects_a_malformed_now(capsys: pytest.CaptureFixture[str]) -> None:
    stdout = io.StringIO()
    assert run_dates("in a while", io.StringIO("i dag\n"), stdout) == 2
    assert stdout.getvalue() == ""
    assert "--now" in capsys.readouterr().err


def test_the_dates_command_end_to_end() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "dates", "--now", "2026-11-20T10:00:00+01:00"],
        input="3/12\nneste lørdag\nkanskje\nuke 53\n".encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    lines = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [line["date"] for line in lines] == ["2026-12-03", None, None, "2026-12-28"]
    assert lines[1]["readings"] == ["2026-11-21", "2026-11-28"]
    assert lines[1]["ambiguous"] is True


def test_the_dates_command_reads_bytes_that_are_not_utf8() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "dates", "--now", "2026-11-20T10:00:00+01:00"],
        input=b"\xff\xfe 3/12\ni morgen\n",
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    lines = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert lines[0]["text"] == "\ufffd\ufffd 3/12"
    assert lines[1]["date"] == "2026-11-21"
