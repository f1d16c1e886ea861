"""Cadences as people say them, and the RFC 5545 recurrence rules they are stored as.

A checkpoint's cadence is RFC 5545 recurrence text, always expanded from a separate DTSTART
date (`Checkpoint.dtstart`). The text is either a bare rule, ``FREQ=MONTHLY;BYMONTHDAY=-1``, or
lines: one or more ``RRULE:…``, optionally ``RDATE;VALUE=DATE:20270115,…`` (extra dates) and
``EXDATE;VALUE=DATE:…`` (dates taken out). `validate_rule` gives the one normalised spelling.

How the text is read, including where this module departs from a literal reading of RFC 5545:

* Dates only, floating: no times and no time zones. BYHOUR/BYMINUTE/BYSECOND, TZID and a
  DTSTART inside the text are refused.
* DTSTART anchors the rule but is an occurrence only when it matches it (python-dateutil's
  reading; RFC 5545 always counts DTSTART). ``månedlig`` from 15 January first falls on
  31 January, not on 15 January.
* Month-end clamping: a MONTHLY or YEARLY rule without BYMONTHDAY takes DTSTART's day of the
  month; where a month is too short for it, the occurrence falls on the month's last day instead
  of vanishing as RFC 5545 says. A yearly evaluation started on 29 February 2028 is due on
  28 February 2029; a monthly one started on 31 January falls on 28 February.
* Month-based cadences from words (``månedlig``, ``kvartalsvis``, ``hvert halvår`` …) fall on the
  *last day* of the month (``BYMONTHDAY=-1``): reporting periods end there. The period is counted
  from DTSTART's month, and the first date is the end of DTSTART's own month: ``kvartalsvis``
  from 1 March falls on 31.03, 30.06, 30.09 and 31.12; for tertials ending 30.04, 31.08 and
  31.12, DTSTART lies in April (or in August or December).
  ``årlig`` and ``annethvert år`` fall on DTSTART's day (the contract's anniversary).
* The most frequent cadence is weekly: FREQ=DAILY is accepted only with COUNT=1 (``en gang``),
  and no rule may give more than `MAX_OCCURRENCES_PER_YEAR` dates in a year.

`occurrences` is on the planner's hot path (hundreds of thousands of checkpoints), so the rules
that word cadences and simple hand-written rules produce (WEEKLY, MONTHLY and YEARLY with only
INTERVAL, COUNT, UNTIL, BYMONTH and BYMONTHDAY) are expanded by date arithmetic here; other
rules (BYDAY, BYSETPOS, BYYEARDAY, BYWEEKNO) go to python-dateutil. Parsed rules and whole
expansions are kept in bounded LRU caches.
"""

from __future__ import annotations

import re
from calendar import isleap
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Final

from dateutil.rrule import rrule, rruleset, rrulestr

from followup.errors import InvalidInput
from followup.words import normalise_words

MAX_RULE_LENGTH: Final = 500
"""Longest accepted rule or cadence text: the width of the `checkpoints.rrule` column."""

MAX_OCCURRENCES_PER_YEAR: Final = 53
"""Weekly is the most frequent cadence: 53 Mondays fit in a year."""

ONCE: Final = "FREQ=DAILY;COUNT=1"
WEEKLY: Final = "FREQ=WEEKLY"
EVERY_OTHER_WEEK: Final = "FREQ=WEEKLY;INTERVAL=2"
MONTHLY: Final = "FREQ=MONTHLY;BYMONTHDAY=-1"
EVERY_OTHER_MONTH: Final = "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1"
QUARTERLY: Final = "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1"
PER_TERTIAL: Final = "FREQ=MONTHLY;INTERVAL=4;BYMONTHDAY=-1"
HALF_YEARLY: Final = "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=-1"
YEARLY: Final = "FREQ=YEARLY"
EVERY_OTHER_YEAR: Final = "FREQ=YEARLY;INTERVAL=2"

ACCEPTED_WORDS_HINT: Final = (
    "Skriv for eksempel ukentlig, annenhver uke, månedlig, hver 2. måned, kvartalsvis, "
    "tertialvis, halvårlig, årlig, annethvert år eller en gang – eller en regel etter "
    "RFC 5545, som FREQ=MONTHLY;BYMONTHDAY=-1."
)

_REFERENCE_START = date(2024, 1, 1)  # a Monday in a leap year: the validation checks run here
_DEAD_RULE_HORIZON_YEARS = 10
_MAX_INTERVAL = 999
_MAX_COUNT = 1000
_FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_TOO_FREQUENT = ("HOURLY", "MINUTELY", "SECONDLY")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DATE_TEXT = re.compile(r"\d{8}")
_DATE_TIME_TEXT = re.compile(r"(\d{8})(T\d{6}Z?)?")
_BYDAY_ITEM = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_SHOWN_INPUT = 40

# Expansion cache: about 530 bytes an entry for a 13-month monthly window, so ~17 MB when full.
# A miss costs ~10 µs of date arithmetic, a hit ~0.2 µs.
_EXPANSION_CACHE_SIZE = 32_768
_COMPILED_CACHE_SIZE = 4_096
_DATEUTIL_CACHE_SIZE = 8_192


CODE_INVALID_RULE: Final = "cadence.invalid_rule"  # values: text
CODE_NOT_UNDERSTOOD: Final = "cadence.not_understood"  # values: text
CODE_TOO_FREQUENT: Final = "cadence.too_frequent"
CODE_TOO_LONG: Final = "cadence.too_long"  # values: limit


def _invalid(message: str, code: str = CODE_INVALID_RULE, **values: object) -> InvalidInput:
    """An `InvalidInput` with a Norwegian message and a `code` for the edge's text catalogue."""
    return InvalidInput(message, code=code, **values)


def _too_long(what: str) -> InvalidInput:
    return _invalid(
        f"{what} er for lang (høyst {MAX_RULE_LENGTH} tegn).", CODE_TOO_LONG, limit=MAX_RULE_LENGTH
    )


# --- the parsed form ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RuleLine:
    """One RRULE, checked and normalised. `text` is its canonical spelling."""

    freq: str
    interval: int = 1
    count: int | None = None
    until: date | None = None
    bymonth: tuple[int, ...] = ()
    byweekno: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int, int], ...] = ()  # (ordinal or 0, weekday 0 = Monday)
    bysetpos: tuple[int, ...] = ()
    wkst: int = 0
    text: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", self._render())

    def _render(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        for name, values in (
            ("BYMONTH", self.bymonth),
            ("BYWEEKNO", self.byweekno),
            ("BYYEARDAY", self.byyearday),
            ("BYMONTHDAY", self.bymonthday),
        ):
            if values:
                parts.append(f"{name}={','.join(str(v) for v in values)}")
        if self.byday:
            days = ",".join(f"{n or ''}{_WEEKDAYS[wd]}" for n, wd in self.byday)
            parts.append(f"BYDAY={days}")
        if self.bysetpos:
            parts.append(f"BYSETPOS={','.join(str(v) for v in self.bysetpos)}")
        if self.wkst:
            parts.append(f"WKST={_WEEKDAYS[self.wkst]}")
        return ";".join(parts)

    @property
    def expanded_here(self) -> bool:
        """Whether date arithmetic here expands this rule (else python-dateutil does)."""
        if self.byweekno or self.byyearday or self.byday or self.bysetpos:
            return False
        return self.freq in ("MONTHLY", "YEARLY") or not self.bymonthday


@dataclass(frozen=True, slots=True)
class _Recurrence:
    rules: tuple[_RuleLine, ...]
    rdates: tuple[date, ...] = ()
    exdates: frozenset[date] = frozenset()

    @property
    def text(self) -> str:
        if len(self.rules) == 1 and not self.rdates and not self.exdates:
            return self.rules[0].text
        lines = [f"RRULE:{r.text}" for r in self.rules]
        if self.rdates:
            lines.append("RDATE;VALUE=DATE:" + ",".join(f"{d:%Y%m%d}" for d in self.rdates))
        if self.exdates:
            lines.append(
                "EXDATE;VALUE=DATE:" + ",".join(f"{d:%Y%m%d}" for d in sorted(self.exdates))
            )
        return "\n".join(lines)


def _int_list(name: str, value: str, low: int, high: int, *, signed: bool) -> tuple[int, ...]:
    numbers: set[int] = set()
    for raw in value.split(","):
        item = raw.strip()
        try:
            number = int(item)
        except ValueError:
            raise _invalid(f"{name} må være heltall, ikke «{item[:_SHOWN_INPUT]}».") from None
        if not low <= abs(number) <= high or (number < 0 and not signed):
            span = f"±{low}–{high}" if signed else f"{low}–{high}"
            raise _invalid(f"{name}={number} er utenfor det tillatte ({span}).")
        numbers.add(number)
    return tuple(sorted(numbers))


def _one_int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _invalid(f"{name} må være et heltall, ikke «{value[:_SHOWN_INPUT]}».") from None
    if not low <= number <= high:
        raise _invalid(f"{name} må være mellom {low} og {high}.")
    return number


def _date_value(name: str, value: str) -> date:
    match = _DATE_TIME_TEXT.fullmatch(value.strip())
    if not match:
        raise _invalid(f"{name} må være en dato som ÅÅÅÅMMDD, ikke «{value[:_SHOWN_INPUT]}».")
    digits = match.group(1)
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _invalid(f"{name}: {digits} er ingen dato.") from None


def _byday(value: str, freq: str, has_byweekno: bool) -> tuple[tuple[int, int], ...]:
    days: set[tuple[int, int]] = set()
    for item in value.split(","):
        match = _BYDAY_ITEM.fullmatch(item.strip())
        if not match:
            raise _invalid(f"BYDAY forstår ikke «{item[:_SHOWN_INPUT]}» (bruk MO, TU … SU).")
        ordinal = int(match.group(1)) if match.group(1) else 0
        if ordinal:
            limit = 5 if freq == "MONTHLY" else 53
            if freq not in ("MONTHLY", "YEARLY") or has_byweekno:
                raise _invalid("Nummererte ukedager (som 1MO) går bare med MONTHLY eller YEARLY.")
            if not 1 <= abs(ordinal) <= limit:
                raise _invalid(f"BYDAY={item} er utenfor det tillatte (±1–{limit}).")
        days.add((ordinal, _WEEKDAYS.index(match.group(2))))
    return tuple(sorted(days))


def _parse_rule_line(value: str) -> _RuleLine:
    parts: dict[str, str] = {}
    for item in value.split(";"):
        if not item.strip():
            continue
        key, sep, val = item.partition("=")
        key, val = key.strip(), val.strip()
        if not sep or not val:
            raise _invalid(f"«{item[:_SHOWN_INPUT]}» i regelen mangler en verdi (NAVN=verdi).")
        if key in parts:
            raise _invalid(f"{key} står to ganger i regelen.")
        parts[key] = val

    freq = parts.pop("FREQ", None)
    if freq is None:
        raise _invalid("Regelen må ha FREQ (for eksempel FREQ=MONTHLY;BYMONTHDAY=-1).")
    if freq in _TOO_FREQUENT:
        raise _invalid(f"FREQ={freq} er for ofte: det hyppigste er ukentlig.", CODE_TOO_FREQUENT)
    if freq not in _FREQS:
        raise _invalid(
            f"Ukjent FREQ «{freq[:_SHOWN_INPUT]}»: bruk YEARLY, MONTHLY, WEEKLY "
            "eller DAILY med COUNT=1."
        )
    for key in parts:
        if key in _TIME_PARTS:
            raise _invalid(f"Kontrollpunkter har datoer, ikke klokkeslett: {key} går ikke.")
        if key not in (
            "INTERVAL",
            "COUNT",
            "UNTIL",
            "BYMONTH",
            "BYWEEKNO",
            "BYYEARDAY",
            "BYMONTHDAY",
            "BYDAY",
            "BYSETPOS",
            "WKST",
        ):
            raise _invalid(f"Ukjent del av regelen: «{key[:_SHOWN_INPUT]}».")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _invalid("Regelen kan ikke ha både COUNT og UNTIL.")
    if "BYWEEKNO" in parts and freq != "YEARLY":
        raise _invalid("BYWEEKNO går bare med FREQ=YEARLY.")
    if "BYYEARDAY" in parts and freq != "YEARLY":
        raise _invalid("BYYEARDAY går bare med FREQ=YEARLY.")
    if "BYMONTHDAY" in parts and freq == "WEEKLY":
        raise _invalid("BYMONTHDAY går ikke med FREQ=WEEKLY.")
    by_parts = {"BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY"}
    if "BYSETPOS" in parts and not by_parts & parts.keys():
        raise _invalid("BYSETPOS trenger en annen BY-del å velge fra.")
    wkst = parts.get("WKST", "MO")
    if wkst not in _WEEKDAYS:
        raise _invalid(f"WKST må være en ukedag (MO … SU), ikke «{wkst[:_SHOWN_INPUT]}».")

    line = _RuleLine(
        freq=freq,
        interval=_one_int("INTERVAL", parts["INTERVAL"], 1, _MAX_INTERVAL)
        if "INTERVAL" in parts
        else 1,
        count=_one_int("COUNT", parts["COUNT"], 1, _MAX_COUNT) if "COUNT" in parts else None,
        until=_date_value("UNTIL", parts["UNTIL"]) if "UNTIL" in parts else None,
        bymonth=_int_list("BYMONTH", parts.get("BYMONTH", ""), 1, 12, signed=False)
        if "BYMONTH" in parts
        else (),
        byweekno=_int_list("BYWEEKNO", parts["BYWEEKNO"], 1, 53, signed=True)
        if "BYWEEKNO" in parts
        else (),
        byyearday=_int_list("BYYEARDAY", parts["BYYEARDAY"], 1, 366, signed=True)
        if "BYYEARDAY" in parts
        else (),
        bymonthday=_int_list("BYMONTHDAY", parts["BYMONTHDAY"], 1, 31, signed=True)
        if "BYMONTHDAY" in parts
        else (),
        byday=_byday(parts["BYDAY"], freq, "BYWEEKNO" in parts) if "BYDAY" in parts else (),
        bysetpos=_int_list("BYSETPOS", parts["BYSETPOS"], 1, 366, signed=True)
        if "BYSETPOS" in parts
        else (),
        wkst=_WEEKDAYS.index(wkst),
    )
    if line.freq == "DAILY" and line.count != 1:
        raise _invalid(
            "Daglig er for ofte: det hyppigste er ukentlig. FREQ=DAILY går bare med COUNT=1 "
            "(én gang).",
            CODE_TOO_FREQUENT,
        )
    # Belt and braces: the rule must also be one python-dateutil reads.
    try:
        rrulestr(line.text, dtstart=datetime.combine(_REFERENCE_START, time()))
    except (ValueError, TypeError, KeyError, IndexError):
        raise _invalid(f"Regelen «{line.text[:_SHOWN_INPUT]}» kan ikke leses.") from None
    return line


def _parse_dates(name: str, params: list[str], value: str) -> set[date]:
    for param in params:
        if param.strip() != "VALUE=DATE":
            raise _invalid(f"{name} tar bare datoer ({name};VALUE=DATE:ÅÅÅÅMMDD).")
    found: set[date] = set()
    for item in value.split(","):
        if not _DATE_TEXT.fullmatch(item.strip()):
            raise _invalid(f"{name} må være datoer som ÅÅÅÅMMDD, ikke «{item[:_SHOWN_INPUT]}».")
        found.add(_date_value(name, item))
    return found


def _parse(text: str) -> _Recurrence:
    if len(text) > MAX_RULE_LENGTH:
        raise _too_long("Regelen")
    lines = [line.strip() for line in text.upper().splitlines() if line.strip()]
    if not lines:
        raise _invalid("Regelen er tom. " + ACCEPTED_WORDS_HINT)
    rules: list[_RuleLine] = []
    rdates: set[date] = set()
    exdates: set[date] = set()
    for line in lines:
        if line.startswith("FREQ=") or ("=" in line and ":" not in line):
            rules.append(_parse_rule_line(line))  # a bare rule, as python-dateutil reads it
            continue
        head, sep, value = line.partition(":")
        name, *params = head.split(";")
        name = name.strip()
        if not sep:
            raise _invalid(f"Linjen «{line[:_SHOWN_INPUT]}» er ingen regel (FREQ=… eller RRULE:…).")
        if name == "RRULE":
            if params:
                raise _invalid("RRULE tar ingen parametre.")
            rules.append(_parse_rule_line(value))
        elif name == "RDATE":
            rdates |= _parse_dates(name, params, value)
        elif name == "EXDATE":
            exdates |= _parse_dates(name, params, value)
        elif name == "DTSTART":
            raise _invalid("Startdatoen settes på kontrollpunktet, ikke i regelen (DTSTART).")
        elif name == "EXRULE":
            raise _invalid("EXRULE er utgått i RFC 5545; bruk EXDATE.")
        else:
            raise _invalid(f"Ukjent linje i regelen: «{name[:_SHOWN_INPUT]}».")
    if not rules and not rdates:
        raise _invalid("Regelen gir ingen datoer: den trenger en RRULE eller RDATE.")
    return _Recurrence(tuple(rules), tuple(sorted(rdates)), frozenset(exdates))


def _name_the_rule(exc: InvalidInput, text: str) -> None:
    """Give an invalid-rule error the (shortened) rule text the edge's message shows."""
    if exc.code == CODE_INVALID_RULE:
        exc.values.setdefault("text", " ".join(text.split())[:_SHOWN_INPUT])


@lru_cache(maxsize=_COMPILED_CACHE_SIZE)
def _compile(text: str) -> _Recurrence:
    try:
        return _parse(text)
    except InvalidInput as exc:
        _name_the_rule(exc, text)
        raise


# --- expansion ---------------------------------------------------------------------------------


def _month_length(year: int, month: int) -> int:
    if month == 2 and isleap(year):
        return 29
    return _MONTH_LENGTHS[month - 1]


@lru_cache(maxsize=1024)
def _resolved_days(bymonthday: tuple[int, ...], length: int) -> tuple[int, ...]:
    days = {d if d > 0 else length + d + 1 for d in bymonthday}
    return tuple(sorted(d for d in days if 1 <= d <= length))


def _days_of_month(line: _RuleLine, dtstart: date, year: int, month: int) -> tuple[int, ...]:
    length = _month_length(year, month)
    if not line.bymonthday:
        return (min(dtstart.day, length),)  # month-end clamping (see the module docstring)
    return _resolved_days(line.bymonthday, length)


def _expand_here(line: _RuleLine, dtstart: date, start: date, end: date) -> list[date]:
    """Date arithmetic for rules without BYDAY/BYSETPOS/BYYEARDAY/BYWEEKNO.

    Jumps straight to the window unless COUNT makes it count from DTSTART.
    """
    high = end if line.until is None else min(end, line.until)
    low = max(start, dtstart)
    remaining = line.count
    found: list[date] = []
    if remaining is None and low > high:
        return found

    if line.freq in ("WEEKLY", "DAILY"):
        step = line.interval * (7 if line.freq == "WEEKLY" else 1)
        k = 0 if remaining is not None else max(0, (low - dtstart).days // step)
        day = dtstart + timedelta(days=k * step)
        stride = timedelta(days=step)
        while day <= high:
            if not line.bymonth or day.month in line.bymonth:
                if day >= start:
                    found.append(day)
                if remaining is not None:
                    remaining -= 1
                    if not remaining:
                        break
            day += stride
        return found

    def emit(year: int, month: int) -> bool:
        """Add the month's dates; False once the window or COUNT is exhausted."""
        nonlocal remaining
        for d in _days_of_month(line, dtstart, year, month):
            day = date(year, month, d)
            if day < dtstart:
                continue
            if day > high:
                return False
            if day >= start:
                found.append(day)
            if remaining is not None:
                remaining -= 1
                if not remaining:
                    return False
        return True

    if line.freq == "MONTHLY":
        first = dtstart.year * 12 + dtstart.month - 1
        last = high.year * 12 + high.month - 1
        step = line.interval
        k = 0 if remaining is not None else max(0, (low.year * 12 + low.month - 1 - first) // step)
        index = first + k * step
        while index <= last:
            year, month0 = divmod(index, 12)
            if (not line.bymonth or month0 + 1 in line.bymonth) and not emit(year, month0 + 1):
                break
            index += step
        return found

    # YEARLY: without BYMONTH, BYMONTHDAY picks days in every month, else DTSTART's month.
    months: tuple[int, ...] = line.bymonth or (
        tuple(range(1, 13)) if line.bymonthday else (dtstart.month,)
    )
    k = 0 if remaining is not None else max(0, (low.year - dtstart.year) // line.interval)
    year = dtstart.year + k * line.interval
    while year <= high.year:
        if not all(emit(year, month) for month in months):
            break
        year += line.interval
    return found


@lru_cache(maxsize=_DATEUTIL_CACHE_SIZE)
def _dateutil_rule(text: str, dtstart: date) -> rrule | rruleset:
    # Floating dates: naive midnight datetimes on both sides.
    return rrulestr(text, dtstart=datetime.combine(dtstart, time()))


def _expand_line(line: _RuleLine, dtstart: date, start: date, end: date) -> list[date]:
    if line.expanded_here:
        return _expand_here(line, dtstart, start, end)
    rule = _dateutil_rule(line.text, dtstart)
    found = rule.between(datetime.combine(start, time()), datetime.combine(end, time()), inc=True)
    return [d.date() for d in found]


def _expand(recurrence: _Recurrence, dtstart: date, start: date, end: date) -> tuple[date, ...]:
    if start > end:
        return ()
    if len(recurrence.rules) == 1 and not recurrence.rdates and not recurrence.exdates:
        return tuple(_expand_line(recurrence.rules[0], dtstart, start, end))
    days: set[date] = {d for d in recurrence.rdates if start <= d <= end}
    for line in recurrence.rules:
        days.update(_expand_line(line, dtstart, start, end))
    return tuple(sorted(days - recurrence.exdates))


@lru_cache(maxsize=_EXPANSION_CACHE_SIZE)
def _cached_occurrences(rule: str, dtstart: date, start: date, end: date) -> tuple[date, ...]:
    return _expand(_compile(rule), dtstart, start, end)


def occurrences(rule: str, dtstart: date, start: date, end: date) -> tuple[date, ...]:
    """Every date d with start <= d <= end on which `rule`, expanded from `dtstart`, falls.

    Dates are floating (no time zone). Raises `InvalidInput` if `rule` cannot be read; it does
    not re-check the frequency limits of `validate_rule`.
    """
    return _cached_occurrences(rule, dtstart, start, end)


def clear_caches() -> None:
    """Forget parsed rules and expansions (for measurements; never needed for correctness)."""
    _cached_occurrences.cache_clear()
    _compile.cache_clear()
    _dateutil_rule.cache_clear()
    _resolved_days.cache_clear()


# --- validation --------------------------------------------------------------------------------


def _check_limits(recurrence: _Recurrence) -> None:
    year_end = date(_REFERENCE_START.year, 12, 31)
    horizon = date(_REFERENCE_START.year + _DEAD_RULE_HORIZON_YEARS, 12, 31)
    per_year = 0
    for line in recurrence.rules:
        open_ended = replace(line, until=None)  # judge the cadence, not where it stops
        if not _expand_line(open_ended, _REFERENCE_START, _REFERENCE_START, horizon):
            raise _invalid(f"Regelen {line.text} gir aldri noen dato.")
        per_year += len(_expand_line(open_ended, _REFERENCE_START, _REFERENCE_START, year_end))
    busiest_rdates = max(
        (
            sum(1 for other in recurrence.rdates if d <= other < d + timedelta(days=366))
            for d in recurrence.rdates
        ),
        default=0,
    )
    if per_year + busiest_rdates > MAX_OCCURRENCES_PER_YEAR:
        raise _invalid(
            "Regelen gir for mange datoer: det hyppigste er ukentlig "
            f"(høyst {MAX_OCCURRENCES_PER_YEAR} i året).",
            CODE_TOO_FREQUENT,
        )


def validate_rule(rule: str) -> str:
    """The normalised spelling of an RFC 5545 rule text; `InvalidInput` (in Norwegian) if the
    text is not a rule this product can follow."""
    recurrence = _compile(rule)
    try:
        _check_limits(recurrence)
    except InvalidInput as exc:
        _name_the_rule(exc, rule)
        raise
    normalised = recurrence.text
    if len(normalised) > MAX_RULE_LENGTH:  # RDATE:… gains ";VALUE=DATE", RRULE lines "RRULE:"
        raise _too_long("Regelen")
    return normalised


# --- words -------------------------------------------------------------------------------------

_NUMBERS: Final = {
    "en": 1,
    "ett": 1,
    "ei": 1,
    "to": 2,
    "tre": 3,
    "fire": 4,
    "fem": 5,
    "seks": 6,
    "sju": 7,
    "syv": 7,
    "åtte": 8,
    "ni": 9,
    "ti": 10,
    "elleve": 11,
    "tolv": 12,
    "første": 1,
    "andre": 2,
    "annen": 2,
    "annet": 2,
    "anna": 2,
    "tredje": 3,
    "fjerde": 4,
    "femte": 5,
    "sjette": 6,
    "sjuende": 7,
    "syvende": 7,
    "åttende": 8,
    "niende": 9,
    "tiende": 10,
    "ellevte": 11,
    "tolvte": 12,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "twelve": 12,
    "other": 2,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
}

_UNITS: Final = {
    **dict.fromkeys(("dag", "dagen", "dager", "dagar", "day", "days"), ("DAY", 1)),
    **dict.fromkeys(("uke", "uka", "uken", "veke", "veka", "week", "weeks"), ("WEEK", 1)),
    **dict.fromkeys(
        ("måned", "måneden", "mnd", "månad", "månaden", "month", "months"), ("MONTH", 1)
    ),
    **dict.fromkeys(("kvartal", "kvartalet", "quarter", "quarters"), ("MONTH", 3)),
    **dict.fromkeys(("tertial", "tertialet"), ("MONTH", 4)),
    **dict.fromkeys(("halvår", "halvåret", "half-year"), ("MONTH", 6)),
    **dict.fromkeys(("år", "året", "year", "years"), ("YEAR", 1)),
}

_WORDS: Final = {
    **dict.fromkeys(("ukentlig", "ukentleg", "vekentleg", "vekevis", "weekly"), WEEKLY),
    **dict.fromkeys(("fortnightly",), EVERY_OTHER_WEEK),
    **dict.fromkeys(("månedlig", "månedleg", "månadleg", "månedsvis", "monthly"), MONTHLY),
    **dict.fromkeys(("kvartalsvis", "quarterly"), QUARTERLY),
    **dict.fromkeys(("tertialvis", "per tertial", "pr. tertial"), PER_TERTIAL),
    **dict.fromkeys(
        (
            "halvårlig",
            "halvårig",
            "halvårleg",
            "half-yearly",
            "half yearly",
            "semi-annually",
            "semiannually",
            "twice a year",
        ),
        HALF_YEARLY,
    ),
    **dict.fromkeys(("årlig", "årleg", "yearly", "annually"), YEARLY),
    **dict.fromkeys(("biennially",), EVERY_OTHER_YEAR),
    **dict.fromkeys(
        ("en gang", "engang", "bare en gang", "kun en gang", "ein gong", "once", "one time"),
        ONCE,
    ),
}

_TOO_FREQUENT_WORDS: Final = frozenset({"daglig", "dagleg", "daily", "hver virkedag"})
_TOO_FREQUENT_MESSAGE: Final = (
    "Det hyppigste er ukentlig: skriv for eksempel «ukentlig» eller «annenhver uke»."
)

_NUMBER = r"(?:(?P<digits>\d{1,3})\.?|(?P<word>[a-zæøå]+))"
_UNIT = r"(?P<unit>[a-zæøå-]+)"
_EVERY = re.compile(rf"(?:hver|hvert|kvar|kvart|every|each)(?: {_NUMBER})? {_UNIT}")
_EVERY_OTHER = re.compile(rf"(?:annenhver|annenhvert|annethvert|annahver|annakvar) {_UNIT}")
_ONCE_PER = re.compile(rf"(?:en|ein|ei|1) (?:gang|gong) (?:i|per|pr\.?|hver|hvert|a|an) {_UNIT}")
_TIMES_A_YEAR = re.compile(
    r"(?P<n>\d{1,2}|to|tre|fire|seks|tolv) (?:ganger|gonger) "
    r"(?:i året|per år|pr\.? år|i år|årlig|i løpet av året)"
)


def _normalise_phrase(text: str) -> str:
    return normalise_words(text).replace("é", "e").strip(" .!?")


def _rule_for(unit: str, n: int) -> str | None:
    kind = _UNITS.get(unit)
    if kind is None or n < 1:
        return None
    name, months = kind
    if name == "DAY":
        if n % 7:
            raise _invalid(_TOO_FREQUENT_MESSAGE, CODE_TOO_FREQUENT)
        name, n = "WEEK", n // 7
    if name == "WEEK":
        return WEEKLY if n == 1 else f"FREQ=WEEKLY;INTERVAL={n}"
    if name == "MONTH":
        interval = n * months
        return MONTHLY if interval == 1 else f"FREQ=MONTHLY;INTERVAL={interval};BYMONTHDAY=-1"
    return YEARLY if n == 1 else f"FREQ=YEARLY;INTERVAL={n}"


def _rule_for_phrase(phrase: str) -> str | None:
    if phrase in _WORDS:
        return _WORDS[phrase]
    if match := _EVERY.fullmatch(phrase):
        if match.group("digits"):
            n = int(match.group("digits"))
        elif match.group("word"):
            n = _NUMBERS.get(match.group("word"), 0)
        else:
            n = 1
        return _rule_for(match.group("unit"), n)
    if match := _EVERY_OTHER.fullmatch(phrase):
        return _rule_for(match.group("unit"), 2)
    if match := _ONCE_PER.fullmatch(phrase):
        return _rule_for(match.group("unit"), 1)
    if match := _TIMES_A_YEAR.fullmatch(phrase):
        raw = match.group("n")
        times = int(raw) if raw.isdigit() else _NUMBERS[raw]
        if times == 1:
            return YEARLY
        if times in (2, 3, 4, 6, 12):
            return _rule_for("måned", 12 // times)
    return None


def parse_cadence(text: str) -> str:
    """The normalised rule for a cadence as people say it (Norwegian or English), or a rule.

    ``månedlig`` means the last day of every month (``FREQ=MONTHLY;BYMONTHDAY=-1``); all the
    month-based words (``kvartalsvis``, ``tertialvis``, ``hvert halvår``, ``hver 2. måned``) fall
    on the last day of the month too. Raises `InvalidInput` with a Norwegian message listing the
    words it knows.
    """
    if len(text) > MAX_RULE_LENGTH:
        raise _too_long("Frekvensen")
    stripped = text.strip()
    head = stripped.upper()
    if "FREQ=" in head or head.startswith(("RRULE", "RDATE", "EXDATE", "DTSTART", "EXRULE")):
        return validate_rule(stripped)
    phrase = _normalise_phrase(stripped)
    if not phrase:
        raise _invalid(
            f"Skriv hvor ofte kontrollpunktet gjentas. {ACCEPTED_WORDS_HINT}",
            CODE_NOT_UNDERSTOOD,
            text="",
        )
    if phrase in _TOO_FREQUENT_WORDS:
        raise _invalid(_TOO_FREQUENT_MESSAGE, CODE_TOO_FREQUENT)
    rule = _rule_for_phrase(phrase)
    if rule is None:
        shown = phrase[:_SHOWN_INPUT]
        raise _invalid(
            f"Jeg forstod ikke «{shown}» som en frekvens. {ACCEPTED_WORDS_HINT}",
            CODE_NOT_UNDERSTOOD,
            text=shown,
        )
    return validate_rule(rule)


# --- descriptions ------------------------------------------------------------------------------

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = (
    ("januar", "January"),
    ("februar", "February"),
    ("mars", "March"),
    ("april", "April"),
    ("mai", "May"),
    ("juni", "June"),
    ("juli", "July"),
    ("august", "August"),
    ("september", "September"),
    ("oktober", "October"),
    ("november", "November"),
    ("desember", "December"),
)
_WEEKDAY_NAMES = (
    ("mandag", "Monday"),
    ("tirsdag", "Tuesday"),
    ("onsdag", "Wednesday"),
    ("torsdag", "Thursday"),
    ("fredag", "Friday"),
    ("lørdag", "Saturday"),
    ("søndag", "Sunday"),
)
_ORDINALS = (
    ("første", "first"),
    ("andre", "second"),
    ("tredje", "third"),
    ("fjerde", "fourth"),
    ("femte", "fifth"),
)


def _english(locale: str) -> bool:
    return locale.replace("_", "-").split("-")[0].casefold() == "en"


def _day_month(month: int, day: int, en: bool) -> str:
    return f"{day} {_MONTHS_EN[month - 1]}" if en else f"{day:02d}.{month:02d}"


def _full_date(d: date, en: bool) -> str:
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}" if en else f"{d:%d.%m.%Y}"


def _join(items: list[str], en: bool) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" and " if en else " og ") + items[-1]


def _every(n: int, unit_nb: str, unit_en: str, en: bool) -> str:
    if en:
        return f"every other {unit_en}" if n == 2 else f"every {n} {unit_en}s"
    if n == 2:
        return {"uke": "annenhver uke", "måned": "annenhver måned", "år": "annethvert år"}[unit_nb]
    return f"hvert {n}. år" if unit_nb == "år" else f"hver {n}. {unit_nb}"


def _name_line(line: _RuleLine, en: bool) -> str | None:
    """The name of a simple rule (without its COUNT/UNTIL), or None."""
    if line.bymonth or line.byweekno or line.byyearday or line.byday or line.bysetpos:
        return None
    n = line.interval
    if line.freq == "DAILY":
        if line.count == 1 and n == 1 and not line.bymonthday:
            return "once" if en else "én gang"
        return None
    if line.freq == "WEEKLY":
        return ("weekly" if en else "ukentlig") if n == 1 else _every(n, "uke", "week", en)
    if line.freq == "YEARLY":
        if line.bymonthday:
            return None
        return ("yearly" if en else "årlig") if n == 1 else _every(n, "år", "year", en)
    # MONTHLY
    days = line.bymonthday
    if days == (-1,):
        named = {
            3: ("quarterly", "kvartalsvis"),
            4: ("every four months (per tertial)", "tertialvis"),
            6: ("half-yearly", "hvert halvår"),
        }
        if n in named:
            return named[n][0 if en else 1]
        suffix = " (last day of the month)" if en else " (siste dag i måneden)"
    elif len(days) == 1 and days[0] > 0:
        suffix = f" (on day {days[0]})" if en else f" (den {days[0]}.)"
    elif not days:
        suffix = ""
    else:
        return None
    base = ("monthly" if en else "månedlig") if n == 1 else _every(n, "måned", "month", en)
    return base + suffix


def _limits_suffix(line: _RuleLine, en: bool) -> str:
    if line.count is not None and not (line.freq == "DAILY" and line.count == 1):
        if line.count == 1:
            return ", once" if en else ", bare én gang"
        return f", {line.count} times" if en else f", {line.count} ganger"
    if line.until is not None:
        shown = _full_date(line.until, en)
        return f", until {shown}" if en else f", til og med {shown}"
    return ""


def _yearly_dates(line: _RuleLine) -> list[tuple[int, int]] | None:
    """(month, day) pairs of a YEARLY rule that only names dates, or None."""
    simple = (
        line.freq == "YEARLY"
        and line.interval == 1
        and line.count is None
        and line.until is None
        and line.bymonth
        and line.bymonthday
        and all(d > 0 for d in line.bymonthday)
        and not (line.byweekno or line.byyearday or line.byday or line.bysetpos)
    )
    if not simple:
        return None
    leap_lengths = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return [(m, d) for m in line.bymonth for d in line.bymonthday if d <= leap_lengths[m - 1]]


def _ordinal(n: int, en: bool) -> str:
    """`første`, `siste`, `nest siste`, `7.`, `3. siste` / `first`, `last`, `7th` …"""
    if n == -1:
        return "last" if en else "siste"
    if n == -2:
        return "second-to-last" if en else "nest siste"
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1][en]
    k = abs(n)
    if en:
        suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
        return f"{k}{suffix}" + ("-to-last" if n < 0 else "")
    return f"{k}." + (" siste" if n < 0 else "")


def _base(line: _RuleLine, en: bool) -> str:
    """How often, without the details: `månedlig`, `hver 3. uke`, `annethvert år`."""
    n = line.interval
    unit = {"WEEKLY": ("uke", "week"), "MONTHLY": ("måned", "month"), "YEARLY": ("år", "year")}
    if line.freq == "DAILY":
        return "once" if en else "én gang"
    if n == 1:
        plain = {"WEEKLY": ("ukentlig", "weekly"), "MONTHLY": ("månedlig", "monthly")}
        return plain.get(line.freq, ("årlig", "yearly"))[en]
    nb_unit, en_unit = unit[line.freq]
    return _every(n, nb_unit, en_unit, en)


def _month_days_words(days: tuple[int, ...], en: bool) -> str:
    """`den 1. og 15.`, `siste dag i måneden`, `nest siste dag i måneden`."""
    counted = [d for d in days if d > 0]
    from_end = [d for d in days if d < 0]
    parts = []
    if counted:
        listed = _join([f"{d}" if en else f"{d}." for d in counted], en)
        parts.append(f"on day {listed}" if en else f"den {listed}")
    for d in sorted(from_end, reverse=True):
        nth = _ordinal(d, en)
        parts.append(f"the {nth} day of the month" if en else f"{nth} dag i måneden")
    return ", ".join(parts)


def _weekdays(days: tuple[tuple[int, int], ...], en: bool) -> str:
    """`mandag og torsdag`, `første mandag`, `siste fredag` / `Monday and Thursday` …"""
    named = []
    for ordinal, weekday in days:
        name = _WEEKDAY_NAMES[weekday][en]
        named.append(f"{_ordinal(ordinal, en)} {name}" if ordinal else name)
    return _join(named, en)


def _year_parts(line: _RuleLine, en: bool) -> list[str]:
    """`i uke 10 og 20`, `i årets siste uke`, `på årets dag nr. 100` / `in weeks 10 and 20` …"""
    parts = []
    counted = [str(w) for w in line.byweekno if w > 0]
    if counted:
        listed = _join(counted, en)
        weeks = "week" if len(counted) == 1 else "weeks"
        parts.append(f"in {weeks} {listed}" if en else f"i uke {listed}")
    for w in (w for w in line.byweekno if w < 0):
        nth = _ordinal(w, en)
        parts.append(f"in the {nth} week of the year" if en else f"i årets {nth} uke")
    for d in line.byyearday:
        if d > 0:
            parts.append(f"on day {d} of the year" if en else f"på årets dag nr. {d}")
        else:
            nth = _ordinal(d, en)
            parts.append(f"on the {nth} day of the year" if en else f"på årets {nth} dag")
    return parts


def _positions(positions: tuple[int, ...], en: bool) -> str:
    listed = _join([_ordinal(p, en) for p in positions], en)
    return f"only the {listed} of those days" if en else f"bare den {listed} av de dagene"


def _describe_line(line: _RuleLine, en: bool) -> str:
    """Any rule in words: how often, then which days (`månedlig (første mandag)`)."""
    named = _name_line(line, en)
    if named is not None:
        return named + _limits_suffix(line, en)
    dates = _yearly_dates(line)
    if dates:
        listed = _join([_day_month(m, d, en) for m, d in dates], en)
        return listed + (" every year" if en else " hvert år")
    details = []
    if line.bymonth:
        months = _join([_MONTH_NAMES[m - 1][en] for m in line.bymonth], en)
        details.append(f"in {months}" if en else f"i {months}")
    details += _year_parts(line, en)
    if line.bymonthday:
        details.append(_month_days_words(line.bymonthday, en))
    if line.byday:
        details.append(_weekdays(line.byday, en))
    if line.bysetpos:
        details.append(_positions(line.bysetpos, en))
    base = _base(line, en)
    shown = f"{base} ({', '.join(details)})" if details else base
    return shown + _limits_suffix(line, en)


def _describe(recurrence: _Recurrence, en: bool) -> str:
    extras = ""
    if recurrence.rdates:
        dates = _join([_full_date(d, en) for d in recurrence.rdates], en)
        extras += f", plus {dates}" if en else f", og i tillegg {dates}"
    if recurrence.exdates:
        dates = _join([_full_date(d, en) for d in sorted(recurrence.exdates)], en)
        extras += f", except {dates}" if en else f", unntatt {dates}"

    if not recurrence.rules:
        dates = _join([_full_date(d, en) for d in recurrence.rdates], en)
        return f"on {dates}" if en else dates
    pairs: set[tuple[int, int]] = set()
    for line in recurrence.rules:
        found = _yearly_dates(line)
        if found is None:
            break
        pairs.update(found)
    else:
        listed = _join([_day_month(m, d, en) for m, d in sorted(pairs)], en)
        return listed + (" every year" if en else " hvert år") + extras
    return _join([_describe_line(line, en) for line in recurrence.rules], en) + extras


def describe_cadence(rule: str, locale: str = "nb") -> str:
    """A cadence in words, Norwegian, or English when `locale` is ``en``/``en-*``: the name
    people use (`kvartalsvis`) or, for any other rule, how often and on which days
    (`månedlig (første mandag)`). Never the rule's RFC 5545 text: people do not read that.
    Text that is not a valid rule is described as such (a description never fails a card).
    """
    en = _english(locale)
    try:
        recurrence = _compile(rule)
    except InvalidInput:
        return "by a rule I cannot read" if en else "etter en regel jeg ikke kan lese"
    return _describe(recurrence, en)
