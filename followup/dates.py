"""Dates typed in Norwegian: the one place that turns `3/12`, `fredag`, `ultimo januar` into dates.

`read_date(text, now)` returns a `DateReading`: the date, or every plausible reading when the
phrase is ambiguous (the caller asks back), or nothing when the phrase is not understood. It
never raises on a string and never reads the clock: "today" is the Oslo date of the aware `now`.
`read_date_range(text, now)` reads `fra X til Y`, `X til Y`, `X - Y`, `X–Y` and `mellom X og Y`,
and the named periods `romjula` and `i helga`.

Phrases are matched case-insensitively after normalisation (NFKC, collapsed spaces, surrounding
punctuation and a trailing clock time such as `kl 12` dropped). Leading filler words (`innen`,
`senest`, `frist`, `til`, `på`, `den`, `fra`, `i løpet av`, ...) are peeled off one at a time
until a rule matches. Precompiled Norwegian rules come first; dateparser is only a last resort.

The rules, with the choices made where Norwegian usage is open:

Numbers and month names
- Numbers are day first: `3/12`, `03.12`, `3.12.2026`, `3/12-26`, `03.12.26`, `3-12-2026` are
  3 December, never 12 March; ISO `2026-12-03` too. Two-digit years are 20xx.
- `3. desember`, `3 des`, `3. des. 2027`, `3.desember`, `3. desember i år / neste år / i fjor`;
  months `januar … desember` and `jan feb mar apr mai jun jul aug sep sept okt nov des`.
- `den 15.` (day of month only): the next 15th on or after today.
- Without a year: the next occurrence on or after today (29.02: the next leap year). A date
  that does not exist (31.02, 12/25/2026) is not understood (rule `invalid_date`); it is never
  swapped into month-first order.
- A weekday in front (`fredag 4.12`, `fre den 4. desember`, `fredag den 27.`) is checked:
  when it does not match the date, the reading is ambiguous between the date as written and
  that weekday in the same ISO week (`fredag 3.12` in 2026: Thursday 3.12 or Friday 4.12).

Weekdays (weeks are ISO weeks, Monday first)
- A bare weekday, `på X`, `førstkommende X`, `kommende X`, `nå på X`: the next one strictly after
  today, so `mandag` said on a Monday is the Monday a week later (what "på mandag" means
  when said on a Monday).
- `neste X`: X in next ISO week. `neste lørdag` / `neste søndag` are ambiguous between the
  coming Saturday (Sunday) and the one in next week; when both are the same day the reading
  is clear.
- `forrige X` is ambiguous between the most recent X (strictly before today) and X in last
  week; clear when they coincide. `sist X`: the most recent X strictly before today.
- Past tense (`levert på mandag`, `mottatt 3.12`, `ble sendt fredag`, `siden mandag`) or
  `prefer="past"`: a bare weekday is the most recent one strictly before today, and a date or
  named day without a year is the most recent occurrence on or before today.
- `X neste uke`, `X i forrige uke`, `X denne uken`, `neste uke X`: X in that ISO week, clear.
- `denne X`: X in the current ISO week, even if it has passed.

Relative
- `i dag`/`idag`, `i morgen`/`imorgen`, `i overmorgen`, `i går`/`igår`, `i forgårs`, `i kveld`.
- `om N dager/uker/måneder/år`, `innen N ...`, `i løpet av N ...`, `N dager` (digits only),
  `for N ... siden`, `N ... siden`; N in digits or words (`en/ett/ei/to … tjue, tretti,
  tjuefem`). Months and years are calendar months and years (31.01 + 1 month = 28/29.02).
- `om/innen N virkedager` (also `arbeidsdager`): the N-th working day after today, counted
  from the next working day (`WorkingCalendar.add_working_days`); `for N virkedager siden` back.
- `neste virkedag`, `forrige virkedag`; `første virkedag etter X`, `siste virkedag før X`,
  `dagen etter X`, `N dager/virkedager etter/før X` for any X these rules read.
- A span may be said with `ca.`/`cirka`/`omtrent`/`rundt` and as `en ukes tid`, `to ukers tid`,
  `en månedstid` (the same as without). `om et halvt år` / `et halvår`: 6 months;
  `om halvannet år`: 18 months.
- Vague spans are asked back, never guessed (rule `vague`): `om et par dager|uker|måneder` is
  2 or 3 of them, `om noen få ...` 2, 3 or 4, `om noen ...` 3, 4 or 5.
- A day and a span: `fredag om en uke` (also `over en uke`, `fredag uka etter`, `om en uke på
  fredag`, `en uke fra fredag`): the span added to the day as read alone, except that a bare
  weekday said on that weekday counts from today (`fredag om en uke` said on a Friday is a week
  from today, as `i dag om en uke`).
- `samme dato|dag|tid i fjor / neste år / neste måned / forrige måned / neste uke` (also
  `i fjor samme dato`): today shifted by that much (29.02 falls back to 28.02).

Weeks, months and periods: a deadline phrase naming a period means its END, except weeks
- `uke 12`, `i uke 12`, `uke 12 2027`: Monday of that ISO week (as DOMAIN.md says); the current
  week if we are in it, next year's if it has passed. `uke 53` is only read for an ISO year that
  has a week 53: said in 2027 it is not understood (`invalid_date`) rather than moved to 2032.
  `neste uke`, `denne uken`, `forrige uke` (also `til neste uke`): Monday of that week.
- A deadline naming a week means its LAST WORKING DAY (Friday, or earlier when it is a holiday):
  `innen neste uke`, `i løpet av neste uke`, `ut uka`, `innen uke 50`, `innen utgangen av
  neste uke`, `innen ukens slutt`. Parts of a week, in working days: `i begynnelsen av / i
  starten av / tidlig / først i neste uke` the first working day, `midt i / i midten av` the
  Wednesday (or the next working day), `i slutten av / mot slutten av / sent i / sist i` the
  last working day. `uka`/`uken` alone is this week, or next week once that day has passed.
- The weekend: `før helga`, `innen helgen`, `mot helga`: the last working day of this week (said
  on a Saturday or Sunday: of next week). `etter helga`, `over helgen`: the first working day
  after the coming weekend (`mandag etter helga`: that Monday). `i helga` is ambiguous
  between Saturday and Sunday; as a period it is both. `neste helg`, like `neste lørdag`, is
  ambiguous between this weekend and the one in next week.
- `ultimo januar` (last day), `primo januar` (1st), `medio januar` (15th), also `utgangen av`,
  `slutten av`, `begynnelsen av`, `midten av`: the next occurrence on or after today.
- `ut måneden`, `innen utgangen av måneden`, `ultimo måneden`, `innen månedsskiftet`: last day of
  this month; `ut året`, `utgangen av året`, `innen året`, `innen årets slutt`: 31 December.
- A deadline naming a month means its last day: `innen mars` (`innen mars måned`), `i løpet av
  mars`, `til og med mars`, `innen neste måned`, `innen måneden`. A month alone (`i mars`,
  `januar`) names no day and is not understood.
- `første/andre/tredje/fjerde/siste mandag|virkedag|dag i måneden | i neste måned | i januar`:
  `måneden` is this month unless that day has passed, then next month's; `denne måneden` is
  always this month; `neste måned` next month; a month name its next occurrence.
- `1. tertial` (`første tertial`, `tertial 1`, `T1`): 30.04; 2.: 31.08; 3.: 31.12.
  `1. kvartal` … `4. kvartal` (`Q1`, `1. kv`): 31.03, 30.06, 30.09, 31.12. `1. halvår`: 30.06,
  `2. halvår`: 31.12. `dette/neste kvartal|tertial|halvår` likewise. A year may follow.
  `i 1. tertial`, `innen 1. tertial` are read as the end of the period, too.

Holidays (no year: the next occurrence on or after today)
- `før jul` / `innen jul` / `til jul`: the last working day on or before 23 December.
  `før nyttår` / `til nyttår` (before New Year's Eve, as `til jul` is before Christmas Eve):
  the last working day on or before 30 December. `innen nyttår`, `innen årsskiftet`, `ved
  årsskiftet`, `nyttår`: 31 December. `etter nyttår`, `over nyttår`, `etter årsskiftet`: the
  first working day of January. `etter jul` / `over jul` is ambiguous between the first
  working day after the Christmas days and the first one in January. `før påske`: the last
  working day before Maundy Thursday. `etter påske`: the first working day after Easter Monday.
- `romjula` (`i romjulen`, `mellomjula`, `mellom jul og nyttår`) is 27 to 30 December: as one
  date it is ambiguous between the days still ahead; as a period (`read_date_range`) the four.
- Named days: `lille julaften` 23.12, `julaften` 24.12, `1./2./3. juledag` (`annen juledag`),
  `trettendedag jul` 6.1, `nyttårsaften` 31.12, `nyttårsdag` 1.1,
  `17. mai`/`grunnlovsdagen`, `sankthansaften` 23.06, `sankthans`/`jonsok` 24.06, and the
  Easter-based days `skjærtorsdag`, `langfredag`, `påskeaften`, `1./2. påskedag`,
  `kristi himmelfartsdag`, `pinseaften`, `1./2. pinsedag`.

Anything else goes to dateparser (Norwegian, day first, future preferred, relative to today) and
is accepted only when the result names both a day and a month and lies within 10 years of today
(rule `dateparser`). Month-only or year-only readings (`januar`, `neste måned`) and bare numbers
are not understood. A range (`fra 1.12 til 15.12`) given to `read_date` is not understood (rule
`range`): callers use `read_date_range`. Input longer than 200 characters is not understood.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from followup.calendar.workdays import (
    DEFAULT_CALENDAR,
    OSLO,
    WorkingCalendar,
    oslo_datetime,
    oslo_today,
)
from followup.periods import add_months
from followup.words import normalise_words

log = logging.getLogger(__name__)

MAX_LENGTH = 200
"""Longer input is not understood (and never reaches a regex or dateparser)."""

FALLBACK_WINDOW_YEARS = 10
"""A dateparser reading further than this from today is rejected as junk."""

Prefer: TypeAlias = Literal["future", "past"]
_Day: TypeAlias = date


class DateRule(StrEnum):
    """Which rule produced a reading (machine-readable; for logs, tests and callers)."""

    RELATIVE_DAY = "relative_day"
    OFFSET = "offset"
    WORKING_DAYS = "working_days"
    WEEKDAY = "weekday"
    WEEKDAY_DATE = "weekday_date"
    NUMERIC = "numeric"
    ISO = "iso"
    DAY_MONTH = "day_month"
    DAY_OF_MONTH = "day_of_month"
    ISO_WEEK = "iso_week"
    MONTH_PART = "month_part"
    NTH_IN_MONTH = "nth_in_month"
    PERIOD_END = "period_end"
    HOLIDAY = "holiday"
    RELATIVE_TO = "relative_to"
    WEEK_PART = "week_part"
    WEEKEND = "weekend"
    SAME_DATE = "same_date"
    NAMED_PERIOD = "named_period"
    VAGUE = "vague"
    DATEPARSER = "dateparser"
    INVALID_DATE = "invalid_date"
    RANGE = "range"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_UNDERSTOOD = "not_understood"


@dataclass(frozen=True, slots=True)
class DateReading:
    """What a phrase says. `date` is set only when there is exactly one reading."""

    text: str
    date: _Day | None
    ambiguous: bool
    readings: tuple[_Day, ...]
    rule: DateRule

    @property
    def understood(self) -> bool:
        return bool(self.readings)


# ---------------------------------------------------------------------------------------------
# Vocabulary


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first so `mars` wins over `mar`."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _vocabulary(groups: dict[int, str]) -> dict[str, int]:
    """`{1: "januar jan"}` -> `{"januar": 1, "jan": 1}`."""
    return {word: value for value, words in groups.items() for word in words.split()}


# Bokmål, Nynorsk and ASCII spellings (people without ø on the keyboard write "lordag").
_WEEKDAYS = _vocabulary(
    {
        0: "mandag måndag man",
        1: "tirsdag tysdag tirs tir",
        2: "onsdag ons",
        3: "torsdag tors tor",
        4: "fredag fre",
        5: "lørdag laurdag lordag lør",
        6: "søndag sundag sondag søn",
    }
)
_WD = rf"(?:{_alternation(_WEEKDAYS)})"

_MONTHS = _vocabulary(
    {
        1: "januar jan",
        2: "februar feb",
        3: "mars mar",
        4: "april apr",
        5: "mai",
        6: "juni jun",
        7: "juli jul",
        8: "august aug",
        9: "september sept sep",
        10: "oktober okt",
        11: "november nov",
        12: "desember des",
    }
)
_MON = rf"(?:{_alternation(_MONTHS)})"

_UNITS = _vocabulary(
    {
        0: "null",
        1: "en én ett et ei",
        2: "to",
        3: "tre",
        4: "fire",
        5: "fem",
        6: "seks",
        7: "sju syv",
        8: "åtte atte",
        9: "ni",
        10: "ti",
        11: "elleve",
        12: "tolv",
        13: "tretten",
        14: "fjorten",
        15: "femten",
        16: "seksten",
        17: "sytten",
        18: "atten",
        19: "nitten",
    }
)
_TENS = _vocabulary(
    {
        20: "tjue tyve",
        30: "tretti tredve",
        40: "førti forti",
        50: "femti",
        60: "seksti",
        70: "sytti",
        80: "åtti atti",
        90: "nitti",
    }
)
_NUMBER_WORDS: dict[str, int] = {**_UNITS, **_TENS}
_NUMBER_WORDS.update(  # "tjuefem", "trettien"
    {
        f"{ten}{unit}": tens + _UNITS[unit]
        for ten, tens in _TENS.items()
        for unit in ["en", "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni"]
    }
)
_NUM = rf"(?:\d{{1,3}}|{_alternation(_NUMBER_WORDS)})"

_ORDINAL_WORDS = _vocabulary(
    {
        1: "første",
        2: "andre",
        3: "tredje",
        4: "fjerde",
        5: "femte",
        6: "sjette",
        7: "sjuende syvende",
        8: "åttende",
        9: "niende",
        10: "tiende",
        11: "ellevte",
        12: "tolvte",
        13: "trettende",
        14: "fjortende",
        15: "femtende",
        16: "sekstende",
        17: "syttende",
        18: "attende",
        19: "nittende",
        20: "tjuende tyvende",
        30: "trettiende tredevte",
    }
)
_ORDINAL_WORDS.update(  # "tjueførste", "trettiførste"
    {
        f"{ten}{word}": tens + value
        for ten, tens in (("tjue", 20), ("tyve", 20), ("tretti", 30))
        for word, value in list(_ORDINAL_WORDS.items())
        if value <= 9 and (tens + value) <= 31
    }
)
_ORDINALS = _vocabulary({1: "første 1. 1", 2: "andre 2. 2", 3: "tredje 3. 3", 4: "fjerde 4. 4"})

_YEAR = r"(?P<y>\d{4}|\d{2})"

# Words in front that say nothing about the date ("innen fredag", "frist 3.12", "på mandag").
_FILLER = re.compile(
    r"(?:innen|senest|seinest|frist(?:en)?(?:\s+er)?:?|til\s+og\s+med|t\.?o\.?m\.?|"
    r"fra\s+og\s+med|f\.?o\.?m\.?|fra|til|på|den|ca\.?|cirka|omkring|"
    r"i\s+løpet\s+av|har|har\s+blitt|blitt|rett|like|straks)\s+(?P<rest>.+)"
)
# Words in front that put the phrase in the past ("levert på mandag", "ble sendt 3.12").
_PAST_WORDS = (
    "levert|leverte|mottatt|mottok|motteke|kom|sendt|sendte|fakturert|fakturerte|betalt|"
    "betalte|utført|utførte|gjennomført|gjennomførte|avholdt|holdt|signert|signerte|"
    "ferdigstilt|ferdigstilte|startet|begynte|sluttet|avsluttet|oppdaget|meldt|meldte|"
    "registrert|skjedde|fikk|hadde|ble|blei|vart|var|siden"
)
_PAST_PREFIX = re.compile(rf"(?:{_PAST_WORDS})\s+(?P<rest>.+)")

_TRAILING_TIME = re.compile(
    r"(?:\s*,?\s*(?:kl\.?|klokka|klokken)\s*\d{1,2}(?:[:.]\d{2})?|\s+\d{1,2}:\d{2})"
    r"(?:\s+(?:senest|seinest))?$"
)
_TRAILING_FILLER = re.compile(r"\s+(?:senest|seinest|eller før|eller tidligere)$")
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_STRIP = " \t,;:!?\"'()[]{}«»“”‘’*_"


# ---------------------------------------------------------------------------------------------
# Small calendar helpers


def _month_start(year: int, month: int, delta: int) -> date | None:
    """The first day of the month `delta` months after `year`-`month`; None outside years 1 to
    9999 (the rules try the next month, or the one before, right up to the ends)."""
    try:
        return add_months(date(year, month, 1), delta)
    except (ValueError, OverflowError):
        return None


def _month_end(year: int, month: int) -> date:
    return add_months(date(year, month, 1), 1) - timedelta(days=1)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


_SATURDAY = 5


def _week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _full_year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


@dataclass(frozen=True, slots=True)
class _Context:
    today: date
    calendar: WorkingCalendar
    past: bool

    def accept(self, day: date) -> bool:
        return day <= self.today if self.past else day >= self.today

    def yearly(self, make: Callable[[int], date | None]) -> date | None:
        """The next (or, in the past, most recent) yearly occurrence; `make(year)` may be None."""
        step = -1 if self.past else 1
        for offset in range(10):
            year = self.today.year + step * offset
            if not 1 <= year <= 9999:
                return None
            day = make(year)
            if day is not None and self.accept(day):
                return day
        return None

    def monthly(self, make: Callable[[int, int], date | None]) -> date | None:
        """The next (or most recent) monthly occurrence, starting with this month."""
        step = -1 if self.past else 1
        for offset in range(14):
            first = _month_start(self.today.year, self.today.month, step * offset)
            if first is None:  # past year 1 or 9999, and further on each turn
                return None
            day = make(first.year, first.month)
            if day is not None and self.accept(day):
                return day
        return None


_Found: TypeAlias = tuple[tuple[date, ...], DateRule]
"""A rule matched: its readings (empty when the date does not exist) and its name."""
_Handler: TypeAlias = Callable[["re.Match[str]", _Context], _Found]


def _one(day: date | None, rule: DateRule) -> _Found:
    return ((day,), rule) if day is not None else ((), DateRule.INVALID_DATE)


def _many(days: list[date], rule: DateRule) -> _Found:
    unique: list[date] = []
    for day in days:
        if day not in unique:
            unique.append(day)
    return tuple(unique), rule


# ---------------------------------------------------------------------------------------------
# Rules


_RELATIVE_DAYS: dict[str, int] = {
    "i dag": 0,
    "idag": 0,
    "i kveld": 0,
    "ikveld": 0,
    "i morgen": 1,
    "imorgen": 1,
    "i overmorgen": 2,
    "iovermorgen": 2,
    "overmorgen": 2,
    "i går": -1,
    "igår": -1,
    "i gar": -1,
    "igar": -1,
    "i forgårs": -2,
    "iforgårs": -2,
    "forgårs": -2,
    "i forgars": -2,
    "iforgars": -2,
}
_RELATIVE_DAY = re.compile(
    rf"(?P<word>{_alternation(_RELATIVE_DAYS)})"
    r"(?:\s+(?:tidlig|morgen|formiddag|ettermiddag|kveld|innen lunsj))?"
)


def _relative_day(m: re.Match[str], ctx: _Context) -> _Found:
    return _one(ctx.today + timedelta(days=_RELATIVE_DAYS[m["word"]]), DateRule.RELATIVE_DAY)


_UNIT = (
    r"(?P<unit>virkedag(?:er)?|arbeidsdag(?:er)?|dag(?:er)?|døgn|uke(?:r)?|veke(?:r)?|"
    r"måned(?:er)?|månad(?:er)?|maned(?:er)?|mnd\.?|år)"
)
_OFFSET_LEAD = r"(?P<lead>om|innen|i løpet av|etter)"
_ABOUT = r"(?:(?:ca\.?|cirka|omtrent|rundt|omkring)\s+)?"
_SPAN_TAIL = r"(?:s\s*tid)?(?:\s+(?P<from>fra\s+(?:i\s*dag|nå)|frem|fram))?"  # "en ukes tid"
_OFFSET_FUTURE = re.compile(rf"(?:{_OFFSET_LEAD}\s+)?{_ABOUT}(?P<n>{_NUM})\s+{_UNIT}{_SPAN_TAIL}")
_OFFSET_HALF = re.compile(
    rf"{_OFFSET_LEAD}\s+{_ABOUT}(?P<half>(?:(?:et|ett)\s+)?(?:halvt\s+år|halvår)|halvannet\s+år)"
    + _SPAN_TAIL
)
_VAGUE_COUNTS = {"et par": (2, 3), "par": (2, 3), "noen få": (2, 3, 4), "noen": (3, 4, 5)}
_OFFSET_VAGUE = re.compile(
    rf"{_OFFSET_LEAD}\s+{_ABOUT}(?P<vague>{_alternation(_VAGUE_COUNTS)})\s+{_UNIT}{_SPAN_TAIL}"
)
_OFFSET_PAST = re.compile(rf"(?:for\s+)?(?P<n>{_NUM})\s+{_UNIT}\s+siden")


def _shift(day: date, n: int, unit: str, calendar: WorkingCalendar) -> date | None:
    try:
        if unit.startswith(("virkedag", "arbeidsdag")):
            return calendar.add_working_days(day, n)
        if unit.startswith(("dag", "døgn")):
            return day + timedelta(days=n)
        if unit.startswith(("uke", "veke")):
            return day + timedelta(weeks=n)
        if unit.startswith(("måned", "månad", "maned", "mnd")):
            return add_months(day, n)
        return day + relativedelta(years=n)
    except (ValueError, OverflowError):
        return None


def _offset_rule(unit: str) -> DateRule:
    return DateRule.WORKING_DAYS if unit.startswith(("virkedag", "arbeidsdag")) else DateRule.OFFSET


def _offset_future(m: re.Match[str], ctx: _Context) -> _Found:
    if m["lead"] is None and m["from"] is None and not m["n"].isdigit():
        # "en dag" means "some day", not "in one day": word numbers need "om"/"innen" (or
        # "fra i dag").
        return (), DateRule.NOT_UNDERSTOOD
    return _one(
        _shift(ctx.today, _number(m["n"]), m["unit"], ctx.calendar), _offset_rule(m["unit"])
    )


def _offset_half(m: re.Match[str], ctx: _Context) -> _Found:
    months = 18 if m["half"].startswith("halvannet") else 6
    return _one(_shift(ctx.today, months, "måned", ctx.calendar), DateRule.OFFSET)


def _offset_vague(m: re.Match[str], ctx: _Context) -> _Found:
    """`om et par dager`: 2 or 3 days; `om noen uker`: 3, 4 or 5 weeks. Asked back."""
    days = [_shift(ctx.today, n, m["unit"], ctx.calendar) for n in _VAGUE_COUNTS[m["vague"]]]
    if any(day is None for day in days):
        return (), DateRule.INVALID_DATE
    return _many([day for day in days if day is not None], DateRule.VAGUE)


def _offset_past(m: re.Match[str], ctx: _Context) -> _Found:
    return _one(
        _shift(ctx.today, -_number(m["n"]), m["unit"], ctx.calendar), _offset_rule(m["unit"])
    )


_WEEK_WORD = r"(?:uke|uka|uken|veke|veka)"
_WEEKDAY = re.compile(
    r"(?:(?P<mod>førstkommende|første\s+kommende|kommende|neste|forrige|sist|nå|denne)\s+)?"
    rf"(?:på\s+)?(?P<wd>{_WD})"
    rf"(?:\s+(?:i\s+)?(?P<week>neste|denne|forrige|siste|sist)\s+{_WEEK_WORD})?"
)
_WEEK_THEN_WEEKDAY = re.compile(
    rf"(?:i\s+)?(?P<week>neste|denne|forrige)\s+{_WEEK_WORD}\s+(?:på\s+)?(?P<wd>{_WD})"
)
_WEEK_SHIFT = {
    "neste": 1,
    "kommende": 1,
    "denne": 0,
    "inneværende": 0,
    "forrige": -1,
    "sist": -1,
    "siste": -1,
}


def _after(today: date, weekday: int) -> date:
    """The first `weekday` strictly after `today`."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _before(today: date, weekday: int) -> date:
    """The last `weekday` strictly before `today`."""
    return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)


def _in_week(today: date, weeks: int, weekday: int) -> date:
    return _week_monday(today) + timedelta(weeks=weeks, days=weekday)


def _weekday(m: re.Match[str], ctx: _Context) -> _Found:
    weekday = _WEEKDAYS[m["wd"]]
    today = ctx.today
    week = m["week"]
    if week is not None:
        return _one(_in_week(today, _WEEK_SHIFT[week], weekday), DateRule.WEEKDAY)
    mod = m.groupdict().get("mod")
    if mod == "neste":
        if weekday >= 5:  # the coming weekend or the one in next week
            return _many([_after(today, weekday), _in_week(today, 1, weekday)], DateRule.WEEKDAY)
        return _one(_in_week(today, 1, weekday), DateRule.WEEKDAY)
    if mod == "forrige":
        return _many([_before(today, weekday), _in_week(today, -1, weekday)], DateRule.WEEKDAY)
    if mod == "denne":
        return _one(_in_week(today, 0, weekday), DateRule.WEEKDAY)
    if mod == "sist" or (mod is None and ctx.past):
        return _one(_before(today, weekday), DateRule.WEEKDAY)
    return _one(_after(today, weekday), DateRule.WEEKDAY)


_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_NUMERIC = re.compile(
    r"(?P<d>\d{1,2})\s*[./]\s*(?P<m>\d{1,2})(?:\s*[./-]\s*(?P<y>\d{4}|\d{2}))?\.?"
    r"|(?P<d2>\d{1,2})-(?P<m2>\d{1,2})-(?P<y2>\d{4}|\d{2})"
)
_DAY_MONTH = re.compile(
    rf"(?:den\s+)?(?:(?P<d>\d{{1,2}})\.?\s*|(?P<word>{_alternation(_ORDINAL_WORDS)})\s+)"
    rf"(?P<m>{_MON})\.?"
    r"(?:\s*,?\s*(?P<y>\d{4}|\d{2})|\s+(?P<rel>i år|i ar|neste år|til neste år|i fjor))?"
)
_DAY_OF_MONTH = re.compile(r"den\s+(?P<d>\d{1,2})\.?")
_DAY_ONLY = re.compile(r"(?P<d>\d{1,2})\.?")


def _day_month_year(ctx: _Context, day: int, month: int, year: int | None) -> date | None:
    if year is not None:
        return _safe_date(year, month, day)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return ctx.yearly(lambda y: _safe_date(y, month, day))


def _iso(m: re.Match[str], ctx: _Context) -> _Found:
    return _one(_safe_date(int(m["y"]), int(m["m"]), int(m["d"])), DateRule.ISO)


def _numeric(m: re.Match[str], ctx: _Context) -> _Found:
    day, month, year = (m["d"], m["m"], m["y"]) if m["d"] else (m["d2"], m["m2"], m["y2"])
    found = _day_month_year(ctx, int(day), int(month), _full_year(year) if year else None)
    return _one(found, DateRule.NUMERIC)


def _day_month(m: re.Match[str], ctx: _Context) -> _Found:
    year: int | None = None
    if m["y"]:
        year = _full_year(m["y"])
    elif m["rel"]:
        shift = {"i år": 0, "i ar": 0, "neste år": 1, "til neste år": 1, "i fjor": -1}
        year = ctx.today.year + shift[m["rel"]]
    day = int(m["d"]) if m["d"] else _ORDINAL_WORDS[m["word"]]
    found = _day_month_year(ctx, day, _MONTHS[m["m"]], year)
    return _one(found, DateRule.DAY_MONTH)


def _day_of_month(m: re.Match[str], ctx: _Context) -> _Found:
    day = int(m["d"])
    if not 1 <= day <= 31:
        return (), DateRule.INVALID_DATE
    return _one(ctx.monthly(lambda y, mo: _safe_date(y, mo, day)), DateRule.DAY_OF_MONTH)


_WEEKDAY_DATE = re.compile(rf"(?:på\s+)?(?P<wd>{_WD})\.?\s*,?\s+(?:den\s+)?(?P<rest>\d.*)")


def _weekday_date(m: re.Match[str], ctx: _Context) -> _Found:
    rest = m["rest"]
    for pattern, handler in (
        (_ISO, _iso),
        (_NUMERIC, _numeric),
        (_DAY_MONTH, _day_month),
        (_DAY_ONLY, _day_of_month),
    ):
        inner = pattern.fullmatch(rest)
        if inner is None:
            continue
        days, rule = handler(inner, ctx)
        if not days:
            return days, rule
        weekday = _WEEKDAYS[m["wd"]]
        stated = days[0]
        if stated.weekday() == weekday:
            return days, DateRule.WEEKDAY_DATE
        return _many(
            [stated, _week_monday(stated) + timedelta(days=weekday)], DateRule.WEEKDAY_DATE
        )
    return (), DateRule.NOT_UNDERSTOOD


_ISO_WEEK = re.compile(
    rf"(?:i\s+)?(?:{_WEEK_WORD})\s*(?:nr\.?\s*)?(?P<w>\d{{1,2}})(?:\s*[,/-]?\s*(?P<y>\d{{4}}))?"
)
_RELATIVE_WEEK = re.compile(rf"(?:i\s+)?(?P<which>neste|denne|forrige|sist|siste)\s+{_WEEK_WORD}")


def _iso_week_monday(week: int, year_text: str | None, ctx: _Context) -> date | None:
    """Monday of ISO week `week`: of `year_text`, else this year's (next year's once it has
    passed; in the past, last year's if it is still to come); None if there is no such week."""
    if year_text:
        year = int(year_text)
    else:
        current = ctx.today.isocalendar()
        year = current.year
        if ctx.past and week > current.week:
            year -= 1
        elif not ctx.past and week < current.week:
            year += 1
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        return None


def _iso_week(m: re.Match[str], ctx: _Context) -> _Found:
    return _one(_iso_week_monday(int(m["w"]), m["y"], ctx), DateRule.ISO_WEEK)


def _relative_week(m: re.Match[str], ctx: _Context) -> _Found:
    return _one(_in_week(ctx.today, _WEEK_SHIFT[m["which"]], 0), DateRule.ISO_WEEK)


# Parts of a week: `i begynnelsen av / midt i / i slutten av neste uke`, `innen uke 50`.
_WEEK_REF = (
    rf"(?:(?P<which>neste|denne|inneværende|kommende|forrige|sist|siste)\s+{_WEEK_WORD}"
    rf"|{_WEEK_WORD}\s*(?:nr\.?\s*)?(?P<w>\d{{1,2}})(?:\s*[,/-]?\s*(?P<y>\d{{4}}))?"
    r"|(?P<bare>uka|uken|veka))"
)
_WEEK_PARTS = {
    "begynnelsen": "start",
    "starten": "start",
    "tidlig": "start",
    "først": "start",
    "midten": "middle",
    "midt": "middle",
    "midtveis": "middle",
    "slutten": "end",
    "utgangen": "end",
    "utløpet": "end",
    "enden": "end",
    "sent": "end",
    "seint": "end",
    "sist": "end",
}
_WEEK_PART_NOUN = re.compile(
    r"(?:(?:i|på|mot|innen|til|ved|før)\s+)?"
    r"(?P<part>begynnelsen|starten|midten|slutten|utgangen|utløpet|enden)\s+(?:av|på)\s+"
    + _WEEK_REF
)
_WEEK_PART_ADVERB = re.compile(
    r"(?:(?P<part>tidlig|sent|seint)(?:\s+i)?|(?P<part_i>først|midt|midtveis|sist)\s+i)\s+"
    + _WEEK_REF
)
_WEEK_DEADLINE = re.compile(
    r"(?:innen|i\s+løpet\s+av|ila\.?|ut|til\s+og\s+med|t\.?o\.?m\.?)\s+" + _WEEK_REF
)
_WEEK_END_WORDS = re.compile(
    r"(?:(?:innen|til|ved|før|mot)\s+)?(?:(?P<which>neste)\s+ukes|(?P<bare>ukens|ukas))"
    r"\s+(?:slutt|utgang)"
)


def _part_of_week(monday: date, part: str, cal: WorkingCalendar) -> date:
    """The first working day (`start`), Wednesday or the next working day (`middle`), or the
    last working day (`end`) of the week from `monday`; the plain weekday if none works."""
    plain = monday + timedelta(days={"start": 0, "middle": 2, "end": 4}[part])
    if part == "end":
        day = cal.working_day_on_or_before(plain)
    else:
        day = cal.working_day_on_or_after(plain)
    return day if monday <= day <= monday + timedelta(days=6) else plain


def _week_part_day(m: re.Match[str], ctx: _Context, part: str) -> _Found:
    """`part` of the week `m` names: a number (`w`, `y`), `which` week, or this one (`uka`)."""
    groups = m.groupdict()
    if groups.get("w"):
        monday = _iso_week_monday(int(groups["w"]), groups.get("y"), ctx)
        if monday is None:
            return (), DateRule.INVALID_DATE
        return _one(_part_of_week(monday, part, ctx.calendar), DateRule.WEEK_PART)
    if groups.get("which"):
        monday = _in_week(ctx.today, _WEEK_SHIFT[groups["which"]], 0)
        return _one(_part_of_week(monday, part, ctx.calendar), DateRule.WEEK_PART)
    # `uka`: this week, or the next (in the past: the one before) once that day has gone by
    monday = _week_monday(ctx.today)
    day = _part_of_week(monday, part, ctx.calendar)
    if not ctx.accept(day):
        monday += timedelta(weeks=-1 if ctx.past else 1)
        day = _part_of_week(monday, part, ctx.calendar)
    return _one(day, DateRule.WEEK_PART)


def _week_part(m: re.Match[str], ctx: _Context) -> _Found:
    return _week_part_day(m, ctx, _WEEK_PARTS[m.groupdict().get("part_i") or m["part"]])


def _week_deadline(m: re.Match[str], ctx: _Context) -> _Found:
    return _week_part_day(m, ctx, "end")


# The weekend: `før helga` (the last working day before it), `etter/over helga` (the first
# working day after it); `i helga` names its two days (ambiguous as one date).
_WEEKEND_WORD = r"(?:helga|helgen|helg|weekenden|weekend)"
_BEFORE_WEEKEND = re.compile(rf"(?:før|innen|mot)\s+(?:denne\s+)?{_WEEKEND_WORD}")
_AFTER_WEEKEND = re.compile(
    rf"(?:(?:på\s+)?(?P<monday>mandag|mandagen)\s+)?(?:etter|over)\s+(?:denne\s+)?{_WEEKEND_WORD}"
)
_IN_WEEKEND = re.compile(r"(?:(?:i|nå\s+i|til|denne|hele|i\s+hele)\s+)?(?:helga|helgen|weekenden)")


def _before_weekend(m: re.Match[str], ctx: _Context) -> _Found:
    cal, today = ctx.calendar, ctx.today
    monday = _week_monday(today)
    if ctx.past:  # the working week before the latest weekend that has begun
        if today.weekday() < _SATURDAY:
            monday -= timedelta(weeks=1)
        return _one(_part_of_week(monday, "end", cal), DateRule.WEEKEND)
    if today.weekday() >= _SATURDAY:
        monday += timedelta(weeks=1)
    day = _part_of_week(monday, "end", cal)
    if day < today:  # today is a holiday Friday: the weekend after next
        day = _part_of_week(monday + timedelta(weeks=1), "end", cal)
    return _one(day, DateRule.WEEKEND)


def _after_weekend(m: re.Match[str], ctx: _Context) -> _Found:
    # in the past: the Monday on or before today
    monday = _week_monday(ctx.today) if ctx.past else _after(ctx.today, 0)
    if m["monday"]:  # `mandag etter helga` is that Monday, holiday or not
        return _one(monday, DateRule.WEEKEND)
    return _one(_part_of_week(monday, "start", ctx.calendar), DateRule.WEEKEND)


_NEXT_WEEKEND = re.compile(rf"(?:(?:til|i)\s+)?neste\s+{_WEEKEND_WORD}")


def _next_weekend(m: re.Match[str], ctx: _Context) -> _Found:
    """`neste helg`, like `neste lørdag`: this weekend's days still ahead, or next week's."""
    saturday = _week_monday(ctx.today) + timedelta(days=_SATURDAY)
    days = [saturday, saturday + timedelta(days=1)]
    days += [day + timedelta(weeks=1) for day in days]
    return _many([day for day in days if day >= ctx.today], DateRule.WEEKEND)


def _weekend_span(m: re.Match[str], ctx: _Context) -> tuple[date, date] | None:
    """Saturday and Sunday of this week (in the past: of the latest weekend that has begun)."""
    saturday = _week_monday(ctx.today) + timedelta(days=_SATURDAY)
    if ctx.past and saturday > ctx.today:
        saturday -= timedelta(weeks=1)
    return saturday, saturday + timedelta(days=1)


# The same date another year, month or week: `samme dato i fjor`, `samme dag neste år`.
_SAME_SHIFTS: dict[str, tuple[int, str]] = {
    "i fjor": (-1, "år"),
    "forrige år": (-1, "år"),
    "i forrige år": (-1, "år"),
    "året før": (-1, "år"),
    "neste år": (1, "år"),
    "til neste år": (1, "år"),
    "i neste år": (1, "år"),
    "til året": (1, "år"),
    "om et år": (1, "år"),
    "om ett år": (1, "år"),
    "neste måned": (1, "måned"),
    "i neste måned": (1, "måned"),
    "forrige måned": (-1, "måned"),
    "i forrige måned": (-1, "måned"),
    "om en måned": (1, "måned"),
    "neste uke": (1, "uke"),
    "i neste uke": (1, "uke"),
    "forrige uke": (-1, "uke"),
    "i forrige uke": (-1, "uke"),
    "om en uke": (1, "uke"),
    "for et år siden": (-1, "år"),
    "for ett år siden": (-1, "år"),
    "for en måned siden": (-1, "måned"),
    "for en uke siden": (-1, "uke"),
}
_SAME = r"(?:på\s+)?samme\s+(?:dato|dag|tid|tidspunkt)(?:\s+som\s+i\s*dag)?"
_SAME_DATE = re.compile(
    rf"{_SAME}\s+(?P<when>{_alternation(_SAME_SHIFTS)})"
    rf"|(?P<when_first>{_alternation(_SAME_SHIFTS)})\s*,?\s+{_SAME}"
)


def _same_date(m: re.Match[str], ctx: _Context) -> _Found:
    n, unit = _SAME_SHIFTS[m["when"] or m["when_first"]]
    return _one(_shift(ctx.today, n, unit, ctx.calendar), DateRule.SAME_DATE)


# A day then a span: `fredag om en uke` (the Friday a week after the coming one), `i dag om
# en uke`, `om en uke på fredag`.
_ANCHOR = rf"(?:(?:på\s+)?(?:(?:neste|førstkommende|kommende)\s+)?{_WD}|i\s*dag|i\s*morgen)"
_ANCHOR_THEN_SPAN = re.compile(
    rf"(?P<anchor>{_ANCHOR})\s*,?\s+(?:om|over)\s+{_ABOUT}(?P<n>{_NUM})\s+{_UNIT}(?:s\s*tid)?"
)
_SPAN_THEN_ANCHOR = re.compile(
    rf"(?:om\s+)?{_ABOUT}(?P<n>{_NUM})\s+{_UNIT}(?:s\s*tid)?\s*,?\s+(?:fra\s+)?"
    rf"(?P<anchor>{_ANCHOR})"
)
_ANCHOR_WEEK_AFTER = re.compile(  # `fredag uka etter`: one week after the anchor
    rf"(?P<anchor>{_ANCHOR})\s+(?:i\s+)?(?:uka|uken|veka)\s+etter"
)


def _anchor_and_span(m: re.Match[str], ctx: _Context) -> _Found:
    anchor, rule = _apply_rules(m["anchor"], _Context(ctx.today, ctx.calendar, past=False))
    if rule is None or not anchor:
        return (), DateRule.NOT_UNDERSTOOD if rule is None else rule
    groups = m.groupdict()
    n, unit = (_number(groups["n"]), groups["unit"]) if groups.get("n") else (1, "uke")
    bare_weekday = groups.get("n") and not re.search(r"neste|førstkommende|kommende", m["anchor"])
    if bare_weekday and len(anchor) == 1 and anchor[0] - timedelta(days=7) == ctx.today:
        # `fredag om en uke` said on a Friday counts from today: a week from today, not
        # from the coming Friday (which `fredag` alone means).
        anchor = (ctx.today,)
    shifted = [_shift(day, n, unit, ctx.calendar) for day in anchor]
    if any(day is None for day in shifted):
        return (), DateRule.INVALID_DATE
    return _many([day for day in shifted if day is not None], DateRule.RELATIVE_TO)


# A month reference: a month name with an optional year, or this/next/previous month.
_MONTH_REF = (
    rf"(?:(?P<m>{_MON})\.?(?:\s+måned)?(?:\s*,?\s*{_YEAR})?"
    r"|(?P<rel>(?:denne|inneværende|neste|forrige)\s+)?(?:måneden|måned|mnd|maneden))"
)


def _month_target(
    m: re.Match[str], ctx: _Context, pick: Callable[[int, int], date | None]
) -> date | None:
    """Apply `pick(year, month)` to the month the phrase names (see the module docstring)."""
    if m["m"]:
        month = _MONTHS[m["m"]]
        if m["y"]:
            return pick(_full_year(m["y"]), month)
        return ctx.yearly(lambda y: pick(y, month))
    rel = (m["rel"] or "").strip()
    if rel in {"denne", "inneværende"}:
        return pick(ctx.today.year, ctx.today.month)
    if rel in {"neste", "forrige"}:
        first = _month_start(ctx.today.year, ctx.today.month, 1 if rel == "neste" else -1)
        return pick(first.year, first.month) if first is not None else None
    return ctx.monthly(pick)


_MONTH_PART = re.compile(
    r"(?:(?:i|innen|til|ved|per|pr\.?)\s+)?"
    r"(?P<part>ultimo|ult\.?|primo|medio|ut|(?:utgangen|utløpet|slutten|enden|begynnelsen|"
    r"starten|midten)\s+(?:av|på))\s+" + _MONTH_REF
)
# `innen mars`, `i løpet av neste måned`: a deadline naming a month means its last day.
_MONTH_DEADLINE = re.compile(
    r"(?:innen|i\s+løpet\s+av|ila\.?|til\s+og\s+med|t\.?o\.?m\.?)\s+" + _MONTH_REF
)
_MONTH_END_WORDS = re.compile(
    r"(?:(?:i|innen|ved|til|før)\s+)?"
    r"(?:månedsslutt|slutten av mnd|månedsskiftet|månedsskifte|månedskiftet"
    r"|månedens\s+(?:slutt|utgang))"
)
_YEAR_END = re.compile(
    r"(?:(?:i|innen|til|ved)\s+)?(?:ut|(?:utgangen|utløpet|slutten)\s+av|ultimo)\s+"
    r"(?:året|dette\s+året|inneværende\s+år)|årsslutt|ved\s+årsslutt"
    r"|(?:innen|i\s+løpet\s+av|ila\.?)\s+(?:året|dette\s+året|inneværende\s+år)"
    r"|(?:(?:innen|til|ved|før)\s+)?årets\s+(?:slutt|utgang)"
)


def _month_part(m: re.Match[str], ctx: _Context) -> _Found:
    part = m["part"].split()[0].rstrip(".")

    def pick(year: int, month: int) -> date | None:
        if part in {"primo", "begynnelsen", "starten"}:
            return _safe_date(year, month, 1)
        if part in {"medio", "midten"}:
            return _safe_date(year, month, 15)
        return _month_end(year, month) if 1 <= year <= 9999 else None

    return _one(_month_target(m, ctx, pick), DateRule.MONTH_PART)


def _month_deadline(m: re.Match[str], ctx: _Context) -> _Found:
    def pick(year: int, month: int) -> date | None:
        return _month_end(year, month) if 1 <= year <= 9999 else None

    return _one(_month_target(m, ctx, pick), DateRule.MONTH_PART)


def _month_end_words(m: re.Match[str], ctx: _Context) -> _Found:
    return _one(_month_end(ctx.today.year, ctx.today.month), DateRule.MONTH_PART)


def _year_end(m: re.Match[str], ctx: _Context) -> _Found:
    return _one(date(ctx.today.year, 12, 31), DateRule.MONTH_PART)


_NTH_IN_MONTH = re.compile(
    r"(?P<ord>første|andre|tredje|fjerde|siste|[1-4]\.)\s+"
    rf"(?P<item>{_WD}|virkedag|arbeidsdag|hverdag|dag)(?:en)?(?:\s+(?:i|av))?\s+" + _MONTH_REF
)


def _nth_in_month(m: re.Match[str], ctx: _Context) -> _Found:
    item = m["item"]
    last = m["ord"] == "siste"
    nth = 0 if last else _ORDINALS[m["ord"]]
    calendar = ctx.calendar

    def pick(year: int, month: int) -> date | None:
        if not 1 <= year <= 9999:
            return None
        first, end = date(year, month, 1), _month_end(year, month)
        if item in _WEEKDAYS:
            weekday = _WEEKDAYS[item]
            if last:
                return end - timedelta(days=(end.weekday() - weekday) % 7)
            return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
        if item == "dag":
            return end if last else first + timedelta(days=nth - 1)
        if last:
            return calendar.working_day_on_or_before(end)
        return calendar.add_working_days(calendar.working_day_on_or_after(first), nth - 1)

    return _one(_month_target(m, ctx, pick), DateRule.NTH_IN_MONTH)


_PERIOD_MONTHS = {"tertial": 4, "kvartal": 3, "kv": 3, "halvår": 6}
_PERIOD_COUNT = {"tertial": 3, "kvartal": 4, "kv": 4, "halvår": 2}
_PERIOD_LEAD = r"(?:(?:i|innen|til|ved|per|pr\.?|utgangen\s+av|slutten\s+av)\s+)?"
_PERIOD_YEAR = r"(?:\s*[,/-]?\s*(?P<y>\d{4}|\d{2}))?"
_PERIOD_NUMBERED = re.compile(
    _PERIOD_LEAD + r"(?:(?P<n>[1-4])\.?\s*|(?P<word>første|andre|tredje|fjerde)\s+)"
    r"(?P<unit>tertial|kvartal|halvår|kv)(?:et)?\.?" + _PERIOD_YEAR
)
_PERIOD_UNIT_FIRST = re.compile(
    _PERIOD_LEAD + r"(?P<unit>tertial|kvartal|halvår)\s+(?P<n>[1-4])" + _PERIOD_YEAR
)
_PERIOD_CODE = re.compile(_PERIOD_LEAD + r"(?P<code>[qth])(?P<n>[1-4])" + _PERIOD_YEAR)
_PERIOD_RELATIVE = re.compile(
    _PERIOD_LEAD + r"(?P<rel>dette|denne|inneværende|neste|forrige)\s+"
    r"(?P<unit>tertial|kvartal|halvår)(?:et)?"
)


def _period_end(unit: str, n: int, year: int) -> date | None:
    if not 1 <= n <= _PERIOD_COUNT[unit] or not 1 <= year <= 9999:
        return None
    return _month_end(year, n * _PERIOD_MONTHS[unit])


def _period_numbered(m: re.Match[str], ctx: _Context) -> _Found:
    groups = m.groupdict()
    if groups.get("code"):
        unit = {"q": "kvartal", "t": "tertial", "h": "halvår"}[groups["code"]]
    else:
        unit = groups["unit"]
    n = int(groups["n"]) if groups.get("n") else _ORDINALS[groups["word"]]
    if not 1 <= n <= _PERIOD_COUNT[unit]:
        return (), DateRule.INVALID_DATE
    if groups.get("y"):
        return _one(_period_end(unit, n, _full_year(groups["y"])), DateRule.PERIOD_END)
    return _one(ctx.yearly(lambda y: _period_end(unit, n, y)), DateRule.PERIOD_END)


def _period_relative(m: re.Match[str], ctx: _Context) -> _Found:
    unit = m["unit"]
    size = _PERIOD_MONTHS[unit]
    shift = {"neste": 1, "forrige": -1}.get(m["rel"], 0)
    index = (ctx.today.month - 1) // size + shift
    last = add_months(date(ctx.today.year, 1, 1), index * size + size - 1)
    return _one(_month_end(last.year, last.month), DateRule.PERIOD_END)


def _easter_day(offset: int) -> Callable[[int, WorkingCalendar], date]:
    return lambda year, _cal: easter(year) + timedelta(days=offset)


def _fixed_day(month: int, day: int) -> Callable[[int, WorkingCalendar], date]:
    return lambda year, _cal: date(year, month, day)


def _before_christmas(year: int, cal: WorkingCalendar) -> date:
    return cal.working_day_on_or_before(date(year, 12, 23))


def _before_new_year(year: int, cal: WorkingCalendar) -> date:
    return cal.working_day_on_or_before(date(year, 12, 30))


def _after_new_year(year: int, cal: WorkingCalendar) -> date:
    return cal.working_day_on_or_after(date(year, 1, 1))


def _before_easter(year: int, cal: WorkingCalendar) -> date:
    return cal.working_day_on_or_before(easter(year) - timedelta(days=4))


def _after_easter(year: int, cal: WorkingCalendar) -> date:
    return cal.working_day_on_or_after(easter(year) + timedelta(days=2))


def _holiday_table() -> dict[str, Callable[[int, WorkingCalendar], date]]:
    table: dict[str, Callable[[int, WorkingCalendar], date]] = {}

    def add(names: str, make: Callable[[int, WorkingCalendar], date]) -> None:
        for name in names.split("|"):
            table[name] = make

    add("før jul|innen jul|til jul|før julen|innen julen", _before_christmas)
    add("før nyttår|til nyttår|før årsskiftet|til årsskiftet", _before_new_year)
    add(
        "innen nyttår|innen årsskiftet|nyttår|årsskiftet|ved nyttår|ved årsskiftet|"
        "rundt nyttår|rundt årsskiftet",
        _fixed_day(12, 31),
    )
    add(
        "etter nyttår|over nyttår|etter nyttåret|etter årsskiftet|over årsskiftet",
        _after_new_year,
    )
    add("før påske|innen påske|til påske|før påsken|innen påsken", _before_easter)
    add("etter påske|over påske|etter påsken", _after_easter)
    add(
        "lille julaften|lillejulaften|lille juleaften|lille julafta|lillejulafta",
        _fixed_day(12, 23),
    )
    add("julaften|juleaften|julafta|julaftan|juleaftan", _fixed_day(12, 24))
    add("juledag|1. juledag|første juledag", _fixed_day(12, 25))
    add("2. juledag|andre juledag|annen juledag", _fixed_day(12, 26))
    add("3. juledag|tredje juledag", _fixed_day(12, 27))
    add(
        "trettendedag jul|trettendedagen|trettende dag jul|trettende juledag|"
        "hellige tre kongers dag",
        _fixed_day(1, 6),
    )
    add("nyttårsaften|nyttårsafta|nyttårsaftan", _fixed_day(12, 31))
    add("nyttårsdag|nyttårsdagen|1. nyttårsdag|første nyttårsdag", _fixed_day(1, 1))
    add("grunnlovsdagen|grunnlovsdag|nasjonaldagen", _fixed_day(5, 17))
    add("arbeidernes dag", _fixed_day(5, 1))
    add("sankthansaften|sankthansafta|st. hans aften|jonsokaften", _fixed_day(6, 23))
    add("sankthans|sankthansdagen|st. hans|st hans|sankt hans|jonsok", _fixed_day(6, 24))
    add("skjærtorsdag", _easter_day(-3))
    add("langfredag", _easter_day(-2))
    add("påskeaften|påskeafta", _easter_day(-1))
    add("påskedag|1. påskedag|første påskedag|påskesøndag", _easter_day(0))
    add("2. påskedag|andre påskedag|annen påskedag|påskemandag", _easter_day(1))
    add(
        "kristi himmelfartsdag|kristi himmelfart|himmelfartsdag|himmelfartsdagen",
        _easter_day(39),
    )
    add("pinseaften|pinseafta", _easter_day(48))
    add("pinsedag|1. pinsedag|første pinsedag|pinsesøndag", _easter_day(49))
    add("2. pinsedag|andre pinsedag|annen pinsedag|pinsemandag", _easter_day(50))
    return table


_HOLIDAYS = _holiday_table()
_HOLIDAY = re.compile(rf"(?P<name>{_alternation(_HOLIDAYS)})(?:\s*,?\s*(?P<y>\d{{4}}))?")


def _holiday(m: re.Match[str], ctx: _Context) -> _Found:
    make = _HOLIDAYS[m["name"]]
    calendar = ctx.calendar

    def pick(year: int) -> date | None:
        if not 2 <= year <= 9998:
            return None
        return make(year, calendar)

    if m["y"]:
        return _one(pick(int(m["y"])), DateRule.HOLIDAY)
    return _one(ctx.yearly(pick), DateRule.HOLIDAY)


# `etter jul` is the first working day after Christmas or the first one after New Year: ask.
_AFTER_CHRISTMAS = re.compile(r"(?:etter|over)\s+(?:jul|jula|julen|julehelga|julehelgen)")


def _after_christmas(m: re.Match[str], ctx: _Context) -> _Found:
    calendar = ctx.calendar

    def january(year: int) -> date | None:
        return _after_new_year(year, calendar) if 2 <= year <= 9998 else None

    new_year = ctx.yearly(january)
    if new_year is None:
        return (), DateRule.INVALID_DATE
    christmas = calendar.working_day_on_or_after(date(new_year.year - 1, 12, 27))
    return _many([d for d in (christmas, new_year) if ctx.accept(d)], DateRule.HOLIDAY)


# Named periods: one date inside them is ambiguous (asked back); `read_date_range` gives the
# period itself.
_ROMJUL = re.compile(
    r"(?:(?:i|hele|i\s+hele)\s+)?(?:romjula|romjulen|romjul|mellomjula|mellomjulen)"
    r"(?:\s*,?\s*(?P<y>\d{4}))?"
    r"|mellom\s+(?:jul|jula|julen)\s+og\s+(?:nyttår|nyttåret)(?:\s*,?\s*(?P<y2>\d{4}))?"
)


def _romjul_span(m: re.Match[str], ctx: _Context) -> tuple[date, date] | None:
    """27 to 30 December: the next romjul not yet over (in the past: the latest begun)."""
    year_text = m["y"] or m["y2"]
    if year_text:
        year = int(year_text)
        return (date(year, 12, 27), date(year, 12, 30)) if 1 <= year <= 9999 else None
    if ctx.past:
        start = ctx.yearly(lambda year: date(year, 12, 27))
        return None if start is None else (start, start + timedelta(days=3))
    end = ctx.yearly(lambda year: date(year, 12, 30))
    return None if end is None else (end - timedelta(days=3), end)


_Span: TypeAlias = Callable[[re.Match[str], _Context], tuple[date, date] | None]
_NAMED_PERIODS: tuple[tuple[re.Pattern[str], _Span], ...] = (
    (_ROMJUL, _romjul_span),
    (_IN_WEEKEND, _weekend_span),
)


def _named_period(text: str, ctx: _Context) -> tuple[date, date] | None:
    for pattern, span in _NAMED_PERIODS:
        match = pattern.fullmatch(text)
        if match is not None:
            try:
                return span(match, ctx)
            except (ValueError, OverflowError):  # arithmetic past year 1 or 9999
                return None
    return None


def _period_days(span: _Span) -> _Handler:
    """A rule reading a named period as one date: every day of it still ahead (in the past:
    already begun), or all of them when none is; more than one is ambiguous."""

    def handler(m: re.Match[str], ctx: _Context) -> _Found:
        found = span(m, ctx)
        if found is None:
            return (), DateRule.INVALID_DATE
        start, end = found
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        kept = [day for day in days if ctx.accept(day)] or days
        return _many(kept, DateRule.NAMED_PERIOD)

    return handler


_NEXT_WORKING_DAY = re.compile(r"(?P<dir>neste|førstkommende|forrige)\s+(?:virkedag|arbeidsdag)")
_RELATIVE_TO = re.compile(
    r"(?:(?:første|neste|siste|forrige|nærmeste)\s+)?(?P<unit>virkedag|arbeidsdag|dag)(?:en)?"
    r"\s+(?P<dir>etter|før)\s+(?P<rest>.+)"
)
_COUNT_RELATIVE_TO = re.compile(
    rf"(?P<n>{_NUM})\s+(?P<unit>virkedager|arbeidsdager|virkedag|dager|dag|uker|uke)"
    r"\s+(?P<dir>etter|før)\s+(?P<rest>.+)"
)


def _next_working_day(m: re.Match[str], ctx: _Context) -> _Found:
    step = -1 if m["dir"] == "forrige" else 1
    return _one(ctx.calendar.add_working_days(ctx.today, step), DateRule.WORKING_DAYS)


def _relative_to(m: re.Match[str], ctx: _Context) -> _Found:
    groups = m.groupdict()
    n = _number(groups["n"]) if groups.get("n") else 1
    sign = 1 if m["dir"] == "etter" else -1
    anchor, rule = _apply_rules(m["rest"], _Context(ctx.today, ctx.calendar, past=False))
    if rule is None or not anchor:
        return (), DateRule.NOT_UNDERSTOOD if rule is None else rule
    shifted = [_shift(day, sign * n, m["unit"], ctx.calendar) for day in anchor]
    if any(day is None for day in shifted):
        return (), DateRule.INVALID_DATE
    return _many([day for day in shifted if day is not None], DateRule.RELATIVE_TO)


# Order matters only where patterns could overlap; every pattern must match the whole text.
_RULES: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    (_RELATIVE_DAY, _relative_day),
    (_NUMERIC, _numeric),
    (_ISO, _iso),
    (_DAY_MONTH, _day_month),
    (_WEEKDAY, _weekday),
    (_WEEK_THEN_WEEKDAY, _weekday),
    (_OFFSET_FUTURE, _offset_future),
    (_OFFSET_HALF, _offset_half),
    (_OFFSET_VAGUE, _offset_vague),
    (_OFFSET_PAST, _offset_past),
    (_ISO_WEEK, _iso_week),
    (_RELATIVE_WEEK, _relative_week),
    (_HOLIDAY, _holiday),
    (_AFTER_CHRISTMAS, _after_christmas),
    (_ROMJUL, _period_days(_romjul_span)),
    (_WEEK_PART_NOUN, _week_part),
    (_WEEK_PART_ADVERB, _week_part),
    (_WEEK_DEADLINE, _week_deadline),
    (_WEEK_END_WORDS, _week_deadline),
    (_BEFORE_WEEKEND, _before_weekend),
    (_AFTER_WEEKEND, _after_weekend),
    (_IN_WEEKEND, _period_days(_weekend_span)),
    (_NEXT_WEEKEND, _next_weekend),
    (_SAME_DATE, _same_date),
    (_ANCHOR_THEN_SPAN, _anchor_and_span),
    (_SPAN_THEN_ANCHOR, _anchor_and_span),
    (_ANCHOR_WEEK_AFTER, _anchor_and_span),
    (_MONTH_DEADLINE, _month_deadline),
    (_MONTH_PART, _month_part),
    (_MONTH_END_WORDS, _month_end_words),
    (_YEAR_END, _year_end),
    (_NTH_IN_MONTH, _nth_in_month),
    (_PERIOD_NUMBERED, _period_numbered),
    (_PERIOD_UNIT_FIRST, _period_numbered),
    (_PERIOD_CODE, _period_numbered),
    (_PERIOD_RELATIVE, _period_relative),
    (_NEXT_WORKING_DAY, _next_working_day),
    (_DAY_OF_MONTH, _day_of_month),
    (_WEEKDAY_DATE, _weekday_date),
    (_RELATIVE_TO, _relative_to),
    (_COUNT_RELATIVE_TO, _relative_to),
)


def _apply_rules(text: str, ctx: _Context) -> tuple[tuple[date, ...], DateRule | None]:
    """The first rule that matches all of `text`; (`()`, None) when none does."""
    for pattern, handler in _RULES:
        match = pattern.fullmatch(text)
        if match is not None:
            try:
                return handler(match, ctx)
            except (ValueError, OverflowError):  # arithmetic past year 1 or 9999
                return (), DateRule.INVALID_DATE
    return (), None


# ---------------------------------------------------------------------------------------------
# Normalisation, ranges and the dateparser fallback


def _normalise(text: str) -> str:
    """`normalise_words` with dashes as `-` and control and invisible characters as spaces; no
    surrounding punctuation or clock time."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = normalise_words(text)
    if not text.isascii():
        text = _DASHES.sub("-", text)
    text = text.strip(_STRIP)
    if "kl" in text or ":" in text:
        text = _TRAILING_TIME.sub("", text).strip(_STRIP)
    if text.endswith(("senest", "seinest", "før", "tidligere")):
        text = _TRAILING_FILLER.sub("", text)
    return text.rstrip(" .").strip(_STRIP)


_RANGE_LEAD = re.compile(r"(?P<lead>fra\s+og\s+med|f\.?o\.?m\.?|fra|mellom)\s+(?P<rest>.+)")
_RANGE_SEPARATORS = (
    re.compile(r"(?P<a>.+?)\s+(?:til\s+og\s+med|t\.?o\.?m\.?|til)\s+(?P<b>.+)"),
    re.compile(r"(?P<a>.+?)\s+-\s+(?P<b>.+)"),
    re.compile(r"(?P<a>.+?)\s*[\u2013\u2014]\s*(?P<b>.+)"),
)
_RANGE_AND = re.compile(r"(?P<a>.+?)\s+og\s+(?P<b>.+)")


def _is_date_phrase(text: str) -> bool:
    """Whether one of the Norwegian rules reads all of `text` (no fallback, no peeling)."""
    phrase = _normalise(text)
    return any(pattern.fullmatch(phrase) for pattern, _ in _RULES)


def _split_range(text: str) -> tuple[str, str] | None:
    """The two halves of a range phrase (`fra X til Y`, `X - Y`, ...), or None."""
    if len(text) > MAX_LENGTH:
        return None
    phrase = normalise_words(text).strip(_STRIP)
    separators: tuple[re.Pattern[str], ...] = _RANGE_SEPARATORS
    if lead := _RANGE_LEAD.fullmatch(phrase):
        phrase = lead["rest"]
        if lead["lead"] == "mellom":
            separators = (_RANGE_AND,)
    for pattern in separators:
        match = pattern.fullmatch(phrase)
        if match is not None:
            return match["a"], match["b"]
    # An unspaced hyphen ("1.12-15.12", "mandag-fredag"): a split both of whose halves
    # are date phrases, so "3/12-26" and "2026-12-03" stay single dates.
    for at, char in enumerate(phrase):
        left, right = phrase[:at], phrase[at + 1 :]
        if (
            char == "-"
            and (_is_date_phrase(left) or _DAY_ONLY.fullmatch(left.strip()))
            and _is_date_phrase(right)
        ):
            return left, right
    return None


def _start_day_in_end_month(start: str, end: date) -> date | None:
    """`1.` in `1.–5. desember`: that day in the end's month, or the month before."""
    match = _DAY_ONLY.fullmatch(start.strip())
    if match is None:
        return None
    day = int(match["d"])
    found = _safe_date(end.year, end.month, day)
    if found is None or found > end:
        first = _month_start(end.year, end.month, -1)
        found = _safe_date(first.year, first.month, day) if first is not None else None
    return found


@functools.lru_cache(maxsize=4)
def _fallback_parser(today: date, past: bool) -> Any:
    """One dateparser parser per (today, direction), built on first use (imports dateparser)."""
    from dateparser.date import DateDataParser

    base = datetime.combine(today, time(12), tzinfo=OSLO).replace(tzinfo=None)
    return DateDataParser(
        languages=["nb"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DATES_FROM": "past" if past else "future",
            "RELATIVE_BASE": base,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "TIMEZONE": "Europe/Oslo",
        },
    )


def _fallback(text: str, ctx: _Context) -> date | None:
    if not any(ch.isalnum() for ch in text) or text.isdigit():
        return None
    try:
        data = _fallback_parser(ctx.today, ctx.past).get_date_data(text)
    except Exception:  # a third-party parser on free text: never let it take a turn down
        log.debug("dateparser failed", extra={"text": text}, exc_info=True)
        return None
    found = data.date_obj
    parts = set(getattr(data, "parts", None) or ())
    if not isinstance(found, datetime) or not {"day", "month"} <= parts:
        return None
    if abs(found.year - ctx.today.year) > FALLBACK_WINDOW_YEARS:
        return None
    return found.date()


def _reading(text: str, days: tuple[date, ...], rule: DateRule) -> DateReading:
    return DateReading(
        text=text,
        date=days[0] if len(days) == 1 else None,
        ambiguous=len(days) > 1,
        readings=days,
        rule=rule,
    )


def _read(text: str, ctx: _Context) -> DateReading:
    if len(text) > MAX_LENGTH:
        return _reading(text, (), DateRule.TOO_LONG)
    phrase = _normalise(text)
    if not phrase:
        empty = not any(ch.isalnum() for ch in text)
        return _reading(text, (), DateRule.EMPTY if empty else DateRule.NOT_UNDERSTOOD)
    for _ in range(8):  # peel at most a few leading words
        days, rule = _apply_rules(phrase, ctx)
        if rule is not None:
            return _reading(text, days, rule)
        if match := _PAST_PREFIX.fullmatch(phrase):
            ctx = _Context(ctx.today, ctx.calendar, past=True)
        elif not (match := _FILLER.fullmatch(phrase)):
            break
        phrase = match["rest"].strip()
    if _split_range(text) is not None:
        return _reading(text, (), DateRule.RANGE)
    found = _fallback(phrase, ctx)
    if found is None:
        return _reading(text, (), DateRule.NOT_UNDERSTOOD)
    return _reading(text, (found,), DateRule.DATEPARSER)


# ---------------------------------------------------------------------------------------------
# Public API


def read_date(
    text: str,
    now: datetime,
    *,
    calendar: WorkingCalendar | None = None,
    prefer: Prefer | None = None,
) -> DateReading:
    """Read a date typed in Norwegian, relative to the aware instant `now` (today in Oslo).

    `prefer="past"` reads phrases that do not say which way (a bare weekday, a date without a
    year) as the most recent one; `None` and `"future"` read them as the next one. Phrases
    that say it themselves (`i går`, `neste fredag`, `levert på mandag`) are read as they say.
    Raises ValueError only for a naive `now`.
    """
    ctx = _Context(oslo_today(now), calendar or DEFAULT_CALENDAR, past=prefer == "past")
    return _read(text, ctx)


def read_date_range(
    text: str,
    now: datetime,
    *,
    calendar: WorkingCalendar | None = None,
    prefer: Prefer | None = None,
) -> tuple[DateReading, DateReading] | None:
    """The start and end of `fra X til Y`, `X til Y`, `X - Y`, `X–Y`, `mellom X og Y`, or of a
    named period (`romjula`, `mellom jul og nyttår`, `i helga`: the next one not yet over; in
    the past, the latest begun).

    None when `text` is not a range. Each half is read like `read_date`; when the end read
    from today would come before a clear start, it is read again from the start, so
    `fra 20.12 til 3.1` ends in January of the following year. The start is read as any date
    is (the next occurrence), so a range that has already begun needs its year. A bare day
    before a dated end (`1.–5. desember`, `mellom 1. og 5. desember`) takes the end's month.
    """
    ctx = _Context(oslo_today(now), calendar or DEFAULT_CALENDAR, past=prefer == "past")
    if len(text) <= MAX_LENGTH:
        span = _named_period(_normalise(text), ctx)
        if span is not None:
            return (
                _reading(text, (span[0],), DateRule.NAMED_PERIOD),
                _reading(text, (span[1],), DateRule.NAMED_PERIOD),
            )
    halves = _split_range(text)
    if halves is None:
        return None
    start = _read(halves[0], ctx)
    end = _read(halves[1], ctx)
    if not start.readings and end.date is not None:
        day = _start_day_in_end_month(halves[0], end.date)
        if day is not None:
            start = _reading(halves[0], (day,), DateRule.DAY_MONTH)
    if start.date is not None and end.date is not None and end.date < start.date:
        again = _read(halves[1], _Context(start.date, ctx.calendar, past=False))
        if again.date is not None and again.date >= start.date:
            end = again
    return start, end


_ENGLISH_PERIOD = (
    re.compile(r"(?:from\s+)?(?P<start>.+?)\s+to\s+(?P<end>.+)", re.IGNORECASE),
    re.compile(r"between\s+(?P<start>.+?)\s+and\s+(?P<end>.+)", re.IGNORECASE),
)


def _english_halves(text: str) -> tuple[str, str] | None:
    """`from X to Y` / `X to Y` / `between X and Y`: the English ways to say a period."""
    for pattern in _ENGLISH_PERIOD:
        if match := pattern.fullmatch(text.strip()):
            return match["start"], match["end"]
    return None


def read_period(
    text: str, now: datetime, *, prefer: Prefer | None = None
) -> tuple[DateReading, DateReading] | None:
    """The start and end of a period in Norwegian (`read_date_range`) or English (`from X to
    Y`, `X to Y`, `between X and Y`); None when `text` is no period.

    `prefer="past"` reads a start without a year as the most recent one (a period looked back
    on, as in an export); the end follows the start either way, so `from 20.12 to 3.1` ends in
    the next year.
    """
    halves = read_date_range(text, now, prefer=prefer)
    if halves is not None:
        return halves
    english = _english_halves(text)
    if english is None:
        return None
    start, end = read_date(english[0], now, prefer=prefer), read_date(english[1], now)
    if start.date is not None and (
        prefer == "past" or (end.date is not None and end.date < start.date)
    ):
        again = read_date(english[1], oslo_datetime(start.date, time(12)))
        if again.date is not None and again.date >= start.date:
            end = again
    return start, end
