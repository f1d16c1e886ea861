"""Reading Norwegian date phrases: `read_date` against plain dateparser, speed and accuracy.

Every phrase of tests/data/date_phrases.tsv (each with its own `now`) is read, after a warm-up,
N times over by `followup.dates.read_date`, by plain `dateparser.parse(phrase, languages=["nb"],
settings=...)` (the baseline, measured in the same run), and by one reused dateparser
`DateDataParser` per `now` (the reuse `read_date`'s fallback does). Prints microseconds per
phrase (also for the phrases a Norwegian rule reads, which never reach dateparser), each as a
share of the baseline, and how many phrases each gets right against the
table (an ambiguous phrase counts as right only when it is reported as ambiguous with the
expected readings, which plain dateparser cannot do). Also the cold start, in a fresh
interpreter: import and first reading.

Run: .venv/bin/python -m bench.dates [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dateparser
from dateparser.date import DateDataParser

from followup.calendar.workdays import oslo_today
from followup.dates import DateRule, read_date

ROOT = Path(__file__).resolve().parents[1]
RULE_READ = frozenset(DateRule) - {
    DateRule.DATEPARSER,
    DateRule.NOT_UNDERSTOOD,
    DateRule.RANGE,
    DateRule.EMPTY,
    DateRule.TOO_LONG,
}
PHRASES = ROOT / "tests" / "data" / "date_phrases.tsv"


@dataclass(frozen=True)
class Phrase:
    now: datetime
    text: str
    readings: tuple[date, ...]
    ambiguous: bool


def load_phrases(path: Path = PHRASES) -> list[Phrase]:
    phrases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "now\t")):
            continue
        now, text, _expected, kind, readings = line.split("\t")
        phrases.append(
            Phrase(
                now=datetime.fromisoformat(now),
                text=text,
                readings=()
                if readings == "-"
                else tuple(date.fromisoformat(d) for d in readings.split(",")),
                ambiguous=kind == "ambiguous",
            )
        )
    return phrases


def dateparser_settings(now: datetime) -> dict[str, Any]:
    """The settings `read_date`'s fallback gives dateparser: day first, future, today in Oslo."""
    base = datetime.combine(oslo_today(now), datetime.min.time().replace(hour=12))
    return {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "TIMEZONE": "Europe/Oslo",
    }


Reader = Callable[[Phrase], tuple[tuple[date, ...], bool]]


def make_readers(phrases: list[Phrase]) -> dict[str, Reader]:
    settings = {p.now: dateparser_settings(p.now) for p in phrases}
    reused = {now: DateDataParser(languages=["nb"], settings=s) for now, s in settings.items()}

    def plain(phrase: Phrase) -> tuple[tuple[date, ...], bool]:
        found = dateparser.parse(phrase.text, languages=["nb"], settings=settings[phrase.now])
        return ((found.date(),) if found else ()), False

    def reuse(phrase: Phrase) -> tuple[tuple[date, ...], bool]:
        found = reused[phrase.now].get_date_data(phrase.text).date_obj
        return ((found.date(),) if found else ()), False

    def ours(phrase: Phrase) -> tuple[tuple[date, ...], bool]:
        reading = read_date(phrase.text, phrase.now)
        return reading.readings, reading.ambiguous

    return {
        "dateparser.parse (baseline)": plain,
        "DateDataParser, reused": reuse,
        "read_date": ours,
    }


def right(phrase: Phrase, readings: tuple[date, ...], ambiguous: bool) -> bool:
    return readings == phrase.readings and ambiguous == phrase.ambiguous


def time_reader(reader: Reader, phrases: list[Phrase], repeat: int) -> float:
    """Median microseconds per phrase over `repeat` passes of the whole table."""
    passes = []
    for _ in range(repeat):
        started = time.perf_counter()
        for phrase in phrases:
            reader(phrase)
        passes.append((time.perf_counter() - started) / len(phrases))
    return statistics.median(passes) * 1e6


COLD = {
    "dateparser.parse (baseline)": (
        "import dateparser, datetime; "
        "dateparser.parse('3/12', languages=['nb'], settings={'DATE_ORDER': 'DMY', "
        "'RELATIVE_BASE': datetime.datetime(2026, 11, 20, 12)})"
    ),
    "read_date": (
        "import datetime; from followup.dates import read_date; "
        "from followup.calendar.workdays import OSLO; "
        "read_date('3/12', datetime.datetime(2026, 11, 20, 10, tzinfo=OSLO))"
    ),
}


def cold_start_ms(code: str, runs: int = 3) -> float:
    """Milliseconds for a fresh interpreter to import and read one phrase, minus bare start."""

    def run(body: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", body], cwd=ROOT, check=True)
        return time.perf_counter() - started

    bare = min(run("pass") for _ in range(runs))
    return (min(run(code) for _ in range(runs)) - bare) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="passes over the table")
    parser.add_argument("--skip-cold", action="store_true", help="skip the cold-start runs")
    args = parser.parse_args()

    phrases = load_phrases()
    readers = make_readers(phrases)
    results: dict[str, tuple[float, int]] = {}
    for name, reader in readers.items():
        correct = sum(right(p, *reader(p)) for p in phrases)  # also the warm-up
        results[name] = (time_reader(reader, phrases, args.repeat), correct)

    handed_on = sum(read_date(p.text, p.now).rule is DateRule.DATEPARSER for p in phrases)
    # the hot path: phrases a Norwegian rule reads, without any dateparser attempt
    by_rule = [p for p in phrases if read_date(p.text, p.now).rule in RULE_READ]
    results["read_date, rule-read phrases"] = (
        time_reader(readers["read_date"], by_rule, args.repeat),
        sum(right(p, *readers["read_date"](p)) for p in by_rule),
    )
    base_us = results["dateparser.parse (baseline)"][0]
    total = len(phrases)
    print(
        f"{total} phrases from {PHRASES.relative_to(ROOT)}, median of {args.repeat} passes, "
        f"dateparser {dateparser.__version__}"
    )
    print(f"{'reader':<30}{'µs/phrase':>11}{'of baseline':>13}{'right':>16}")
    for name, (us, correct) in results.items():
        count = len(by_rule) if name.endswith("rule-read phrases") else total
        print(
            f"{name:<30}{us:>11.1f}{us / base_us:>12.1%} "
            f"{correct:>6}/{count} ({correct / count:.0%})"
        )
    print(f"read_date handed {handed_on} of {total} phrases on to dateparser")
    if not args.skip_cold:
        for name, code in COLD.items():
            print(f"cold start, import + first phrase, {name}: {cold_start_ms(code):.0f} ms")


if __name__ == "__main__":
    main()
